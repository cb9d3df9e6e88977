"""`mothertwin` with no arguments opens the demo in the window; `mothertwin open FILE` opens FILE."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from viewer.cli import main
from viewer.ui.main_window import MainWindow


def _run_and_look(qapp, argv: list[str]) -> dict:
    seen: dict = {}

    def look() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["titles"] = [w.windowTitle() for w in windows]
        for window in windows:
            window.close()
        QApplication.quit()

    QTimer.singleShot(4000, look)
    seen["code"] = main(argv)
    return seen


def test_no_arguments_opens_the_demo(qapp):
    seen = _run_and_look(qapp, [])
    assert seen["code"] == 0
    assert seen["titles"] == ["battery-plant.mtplant.json — MotherTwin"]


def test_open_a_file(qapp, tmp_path, demo_path):
    copy = tmp_path / "Ochang review.mtplant.json"
    copy.write_bytes(Path(demo_path).read_bytes())
    seen = _run_and_look(qapp, ["open", str(copy)])
    assert seen["titles"] == ["Ochang review.mtplant.json — MotherTwin"]
