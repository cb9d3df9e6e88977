"""Start the desktop application: `mothertwin` with no sub-command, or `python -m viewer.ui.app [FILE]`."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from viewer.paths import demo_plant_path
from viewer.ui.main_window import APPLICATION, ORGANIZATION, MainWindow


def run_app(path: Path | None = None) -> int:
    """Open `path` (the demo plant when None) in the main window and run the event loop; the exit code."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    window = MainWindow()
    window.show()
    window.open_file(Path(path) if path is not None else demo_plant_path())
    return app.exec()


if __name__ == "__main__":
    sys.exit(run_app(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
