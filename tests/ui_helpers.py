"""Shared helpers for the desktop window tests (real window under Xvfb, real pixels)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QSettings
from PySide6.QtWidgets import QApplication

from viewer.paths import demo_plant_path
from viewer.ui.main_window import MainWindow

CATHODE_COATER = "OC-ELE1-COT-01"
ANODE_COATER = "OC-ELE1-COT-02"


def open_window(qtbot, settings: QSettings) -> MainWindow:
    """The main window, shown, with the demo plant open and drawn."""
    main = MainWindow(settings=settings)
    qtbot.addWidget(main)
    main.resize(1400, 900)
    main.show()
    qtbot.waitExposed(main)
    assert main.open_file(demo_plant_path())
    settle(main)
    return main


def settle(main: MainWindow) -> None:
    """Let queued events run, draw one frame, and let the X server take it (grabs read the window)."""
    QApplication.processEvents()
    main.scene.render_now()
    QApplication.processEvents()


def rendered(main: MainWindow) -> np.ndarray:
    """The 3D view's pixels as (h, w, 3), top row first."""
    settle(main)
    return np.asarray(main.plotter.screenshot(return_img=True))[:, :, :3]


def top_centre(main: MainWindow, equipment_id: str) -> np.ndarray:
    """A point just below the middle of an equipment's top face: what the iso camera sees of it."""
    box = main.scene.view.batch.bounds[main.scene.view.batch.index_of(equipment_id)]
    centre = box.mean(axis=0)
    centre[2] = box[0][2] + 0.9 * (box[1][2] - box[0][2])
    return centre


def display_of(main: MainWindow, point: np.ndarray) -> tuple[int, int]:
    """Display coordinates (VTK pixels, origin bottom left) of a world point."""
    x, y = main.scene.view.display_position(point)
    return round(x), round(y)


def pixel_at(image: np.ndarray, display: tuple[int, int]) -> np.ndarray:
    x, y = display
    return image[image.shape[0] - 1 - y, x].astype(int)


def widget_pos(main: MainWindow, display: tuple[int, int]) -> QPoint:
    """Qt widget position (logical pixels, y down) of a display point."""
    ratio = main.plotter.devicePixelRatioF()
    height = main.plotter.ren_win.GetSize()[1]
    x, y = display
    return QPoint(round(x / ratio), round((height - 1 - y) / ratio))


def is_highlight(rgb: np.ndarray) -> bool:
    """Lit magenta: strong red and blue, little green, whatever the shading."""
    r, g, b = (int(v) for v in rgb)
    return r > 120 and b > 90 and g < 0.45 * min(r, b)
