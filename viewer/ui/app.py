"""Start the desktop application: `mothertwin` with no sub-command, or `python -m viewer.ui.app [FILE]`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from viewer.paths import demo_plant_path
from viewer.ui.main_window import APPLICATION, ORGANIZATION, MainWindow

SCREENSHOT_TIMEOUT_S = 180.0


def run_app(path: Path | None = None, screenshot: Path | None = None) -> int:
    """Open `path` (the demo plant when None) in the main window and run the event loop; the exit code.

    With `screenshot`, the window is saved as a PNG once the plant is open and drawn, and the app exits:
    pictures for documentation and review packs, and a whole-app check that needs no mouse.
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    window = MainWindow()
    window.show()
    # Work a crash left behind comes first; then the file asked for (the recovered one stays open).
    if screenshot is not None or not window.editing.offer_recovery():
        window.start_open(Path(path) if path is not None else demo_plant_path())  # progress, never frozen
    if screenshot is not None:
        _save_when_open(app, window, Path(screenshot))
    return app.exec()


def _save_when_open(app: QApplication, window: MainWindow, target: Path) -> None:
    started = time.monotonic()
    timer = QTimer(window)

    def check() -> None:
        if not window.opening and window.session.document is None:
            timer.stop()  # the open failed: the messages dock says why; nothing to picture
            print(f"mothertwin: nothing was opened, so no screenshot: {target}", file=sys.stderr)
            app.exit(1)
        elif window.session.document is not None and not window.opening:
            timer.stop()
            window.plotter.render()
            app.processEvents()
            ok = window.grab().save(str(target))
            print(f"wrote {target} ({window.width()}x{window.height()}): {window.windowTitle()}", flush=True)
            app.exit(0 if ok else 1)
        elif time.monotonic() - started > SCREENSHOT_TIMEOUT_S:
            timer.stop()
            print(f"mothertwin: the plant did not open within {SCREENSHOT_TIMEOUT_S:.0f} s", file=sys.stderr)
            app.exit(1)

    timer.timeout.connect(check)
    timer.start(250)


if __name__ == "__main__":
    sys.exit(run_app(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
