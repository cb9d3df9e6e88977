#!/usr/bin/env bash
# Tools the tests validate MotherTwin's files with, besides the Python packages: the Khronos glTF validator
# (npm package gltf-validator, run with Node.js) in .tools/. Node.js and npm come from the system packages.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if ! command -v npm >/dev/null; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing system packages: nodejs npm"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
fi
if [ ! -f .tools/node_modules/gltf-validator/package.json ]; then
    npm install --silent --no-audit --no-fund --prefix .tools gltf-validator@2.0.0-dev.3.10 >/dev/null
fi
echo "glTF validator: $(node -e "console.log(require('$root/.tools/node_modules/gltf-validator/package.json').version)")"
