#!/usr/bin/env bash
# Debian/Ubuntu packages MotherTwin needs: Mesa (off-screen rendering), the xcb libraries Qt needs,
# Xvfb (tests and headless machines), Mosquitto (the MQTT broker the tests start; mosquitto_passwd comes with it)
# and openssl (packaging/mosquitto/make-certs.sh, which the session broker tests run).
set -euo pipefail

packages=(
    python3 python3-venv python3-pip
    libgl1 libegl1 libglx-mesa0 libgl1-mesa-dri libosmesa6 libxrender1 libfontconfig1 libdbus-1-3
    libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 libxcb-shape0
    libxcb-randr0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-cursor0
    xvfb xauth
    mosquitto openssl
)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "system packages: all present"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi
echo "installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
