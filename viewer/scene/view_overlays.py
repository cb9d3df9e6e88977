"""2D overlays of the desktop 3D view that follow the camera: the metre scale bar.

Owned by the scene layer (it holds VTK actors); the window only switches it on.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import vtkActor2D, vtkPolyDataMapper2D, vtkTextActor

SCALE_BAR_COLOR = (40, 48, 56)
SCALE_BAR_TARGET_PX = 140  # about how long the bar is drawn; its length in metres is a round number
SCALE_BAR_MARGIN_PX = 24


def nice_length(metres: float) -> float:
    """The largest 1, 2 or 5 times a power of ten that is not longer than `metres`."""
    if metres <= 0 or not math.isfinite(metres):
        return 1.0
    power = 10.0 ** math.floor(math.log10(metres))
    for step in (5.0, 2.0, 1.0):
        if step * power <= metres * (1 + 1e-9):
            return step * power
    return power


def metres_text(metres: float) -> str:
    if metres >= 1000:
        return f"{metres / 1000:g} km"
    if metres < 1:
        return f"{metres * 100:g} cm"
    return f"{metres:g} m"


class ScaleBar:
    """A bar with end ticks in the bottom-right corner whose length is a round number of metres at the
    focal point; it is recomputed before every frame, so it follows zooming, whatever changed the camera."""

    def __init__(self, plotter: pv.BasePlotter, metres_per_pixel: Callable[[], float]) -> None:
        self.plotter = plotter
        self._metres_per_pixel = metres_per_pixel
        self.length = 0.0  # metres the bar stands for
        self.pixels = 0.0  # its drawn length
        self._points = vtkPoints()
        self._points.SetNumberOfPoints(6)
        lines = vtkCellArray()
        for a, b in ((0, 1), (2, 3), (4, 5)):
            lines.InsertNextCell(2)
            lines.InsertCellPoint(a)
            lines.InsertCellPoint(b)
        polydata = vtkPolyData()
        polydata.SetPoints(self._points)
        polydata.SetLines(lines)
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(polydata)
        self._polydata = polydata
        self.bar_actor = vtkActor2D()
        self.bar_actor.SetMapper(mapper)
        self.bar_actor.GetProperty().SetColor(*(c / 255 for c in SCALE_BAR_COLOR))
        self.bar_actor.GetProperty().SetLineWidth(2)
        self.text_actor = vtkTextActor()
        text = self.text_actor.GetTextProperty()
        text.SetFontSize(13)
        text.SetColor(*(c / 255 for c in SCALE_BAR_COLOR))
        text.SetJustificationToCentered()
        text.SetVerticalJustificationToBottom()
        text.SetBackgroundColor(1.0, 1.0, 1.0)
        text.SetBackgroundOpacity(0.6)
        self._observer: int | None = None
        self.visible = False

    @property
    def text(self) -> str:
        return self.text_actor.GetInput() or ""

    def show(self) -> None:
        """Add the actors (again: clearing the scene removes them) and follow every frame."""
        for name, actor in (("scale-bar", self.bar_actor), ("scale-bar-text", self.text_actor)):
            self.plotter.add_actor(actor, name=name, pickable=False, reset_camera=False, render=False)
        if self._observer is None:
            self._observer = self.plotter.renderer.AddObserver("StartEvent", lambda *_: self.update())
        self.visible = True
        self.update()

    def hide(self) -> None:
        for name in ("scale-bar", "scale-bar-text"):
            self.plotter.remove_actor(name, render=False)
        if self._observer is not None:
            self.plotter.renderer.RemoveObserver(self._observer)
            self._observer = None
        self.visible = False

    def update(self) -> None:
        per_pixel = float(self._metres_per_pixel())
        if not per_pixel > 0:
            return
        self.length = nice_length(SCALE_BAR_TARGET_PX * per_pixel)
        self.pixels = self.length / per_pixel
        width = self.plotter.renderer.GetSize()[0]
        x1 = width - SCALE_BAR_MARGIN_PX
        x0, y = x1 - self.pixels, SCALE_BAR_MARGIN_PX
        tick = 6
        corners = np.array(
            [[x0, y, 0], [x1, y, 0], [x0, y - tick, 0], [x0, y + tick, 0], [x1, y - tick, 0], [x1, y + tick, 0]]
        )
        for index, point in enumerate(corners):
            self._points.SetPoint(index, *point)
        self._points.Modified()
        self._polydata.Modified()
        self.text_actor.SetInput(metres_text(self.length))
        self.text_actor.SetPosition((x0 + x1) / 2, y + tick + 2)
