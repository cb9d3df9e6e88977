#!/usr/bin/env bash
# One command to set everything up on a fresh Debian/Ubuntu machine, then either open the demo or run the tests:
#   packaging/setup.sh demo     system packages, .venv, install, open the demo plant
#   packaging/setup.sh test     the same set-up, then the whole test suite (under Xvfb when there is no screen)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
action="${1:-demo}"
shift || true

bash packaging/install-system-deps.sh

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

case "$action" in
    demo)
        if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
            echo "no screen found: drawing the demo to demo.png instead of opening the window"
            exec .venv/bin/mothertwin render assets/demo/battery-plant.mtplant.json -o demo.png "$@"
        fi
        exec .venv/bin/mothertwin "$@"
        ;;
    test)
        # The reference validators the tests check written files with (glTF: Khronos' gltf-validator).
        bash packaging/install-test-tools.sh
        export MOTHERTWIN_GLTF_VALIDATOR_DIR="$root/.tools/node_modules/gltf-validator"
        # A virtual screen for the window tests; 3D renders go off-screen through EGL either way.
        screen=(xvfb-run -a -s "-screen 0 1920x1080x24")
        # A crash prints where each thread was, the interpreter's exit included (pytest's own handler stops
        # with the tests).
        export PYTHONFAULTHANDLER=1
        if [ $# -gt 0 ]; then
            exec "${screen[@]}" .venv/bin/python -m pytest "$@"
        fi
        # Everything but the window tests in one process, then each window test file (tests/test_ui_*) in a
        # process of its own. With all the window tests in one process, PySide6 now and then handed back a
        # wrapper of another, deleted object (`'QSurface' object has no attribute 'connect'` from a menu's
        # addAction) or crashed with a segmentation fault, late in the run, in two of six runs; each file
        # alone has never shown it. The cause is not found yet.
        status=0
        "${screen[@]}" .venv/bin/python -m pytest --ignore-glob='tests/test_ui_*' || status=$?
        for window_tests in tests/test_ui_*.py; do
            "${screen[@]}" .venv/bin/python -m pytest -q "$window_tests" || status=$?
        done
        exit "$status"
        ;;
    *)
        echo "usage: packaging/setup.sh demo|test [arguments]" >&2
        exit 2
        ;;
esac
