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
        # A virtual screen for the window tests; 3D renders go off-screen through EGL either way.
        screen=(xvfb-run -a -s "-screen 0 1920x1080x24")
        if [ $# -gt 0 ]; then
            exec "${screen[@]}" .venv/bin/python -m pytest "$@"
        fi
        # The whole suite in two processes, the window tests (tests/test_ui_*) in the second. Run as one
        # process it crashed (segmentation fault) near its end in two of four runs; the one traceback caught
        # was inside a modal dialog's nested event loop in a window test, which now answers the dialog
        # without one. Two processes also keep what one window test leaves behind away from the others.
        status=0
        "${screen[@]}" .venv/bin/python -m pytest --ignore-glob='tests/test_ui_*' || status=$?
        "${screen[@]}" .venv/bin/python -m pytest tests/test_ui_*.py || status=$?
        exit "$status"
        ;;
    *)
        echo "usage: packaging/setup.sh demo|test [arguments]" >&2
        exit 2
        ;;
esac
