"""2D overlays of the 3D view: the metre scale bar that follows the camera, and the colour legend.

Owned by the scene layer (it holds VTK actors); the window only switches it on.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonCore import vtkPoints, vtkUnsignedCharArray
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


class _PixelOverlay:
    """Actors placed in display pixels before every frame; `show` adds them (again: clearing the scene
    removes them), `hide` takes them away."""

    plotter: pv.BasePlotter
    _observer: int | None
    visible: bool

    def _named_actors(self) -> list[tuple[str, object]]:
        raise NotImplementedError

    def update(self) -> None:
        raise NotImplementedError

    def show(self) -> None:
        for name, actor in self._named_actors():
            self.plotter.add_actor(actor, name=name, pickable=False, reset_camera=False, render=False)
        if self._observer is None:
            self._observer = self.plotter.renderer.AddObserver("StartEvent", lambda *_: self.update())
        self.visible = True
        self.update()

    def hide(self) -> None:
        for name, _ in self._named_actors():
            self.plotter.remove_actor(name, render=False)
        if self._observer is not None:
            self.plotter.renderer.RemoveObserver(self._observer)
            self._observer = None
        self.visible = False


class ScaleBar(_PixelOverlay):
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

    def _named_actors(self) -> list[tuple[str, object]]:
        return [("scale-bar", self.bar_actor), ("scale-bar-text", self.text_actor)]

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


LEGEND_MARGIN_PX = 12
LEGEND_ROW_PX = 20
LEGEND_SWATCH_PX = 12
LEGEND_PAD_PX = 6
LEGEND_TEXT_COLOR = (30, 36, 42)
LEGEND_FRAME_COLOR = (120, 124, 130)  # around each swatch


class ColorLegend(_PixelOverlay):
    """What the equipment colours mean: a swatch and a name per colour, with an optional title, on a
    translucent box in the top-left corner. Sized in pixels and placed before every frame, so it keeps its
    size and corner whatever the window does. Two actors plus one text actor per row: nothing per equipment."""

    def __init__(self, plotter: pv.BasePlotter, font_size: int = 13) -> None:
        self.plotter = plotter
        self.font_size = font_size
        scale = font_size / 13  # rows, swatches and padding grow and shrink with the text
        self.row_px = round(LEGEND_ROW_PX * scale)
        self.swatch_px = round(LEGEND_SWATCH_PX * scale)
        self.pad_px = max(3, round(LEGEND_PAD_PX * scale))
        self.title = ""
        self.entries: list[tuple] = []  # (name, rgb) or (name, rgb, second rgb)
        self._points = vtkPoints()
        self._polydata = vtkPolyData()
        self._colors = vtkUnsignedCharArray()
        self._colors.SetNumberOfComponents(4)
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(self._polydata)
        mapper.SetColorModeToDirectScalars()
        mapper.SetScalarModeToUseCellData()
        self.box_actor = vtkActor2D()
        self.box_actor.SetMapper(mapper)
        self.text_actors: list[vtkTextActor] = []
        self._observer: int | None = None
        self.visible = False

    def set_entries(self, entries: list[tuple], title: str = "") -> None:
        """The rows to show, top to bottom: (name, rgb), or (name, rgb, rgb) for a two-tone swatch (its
        lower-left half in the first colour); redrawn only when they change."""
        entries = [(str(e[0]), *(tuple(int(c) for c in rgb) for rgb in e[1:3])) for e in entries]
        if entries == self.entries and title == self.title:
            return
        was_visible = self.visible
        if was_visible:
            self.hide()
        self.entries, self.title = entries, title
        texts = ([title] if title else []) + [entry[0] for entry in entries]
        self.text_actors = []
        for index, text in enumerate(texts):
            actor = vtkTextActor()
            actor.SetInput(text)
            prop = actor.GetTextProperty()
            prop.SetFontSize(self.font_size)
            prop.SetColor(*(c / 255 for c in LEGEND_TEXT_COLOR))
            prop.SetBold(bool(title) and index == 0)
            prop.SetVerticalJustificationToCentered()
            self.text_actors.append(actor)
        # Cells: the box first, then per entry a frame (a square one pixel larger, so that a pale colour
        # still shows its square on the white box) and two triangles over it (four corners each,
        # counter-clockwise from the bottom left): one colour, or two tones split along the diagonal.
        self._points.SetNumberOfPoints(4 * (1 + 2 * len(entries)))
        polys = vtkCellArray()
        self._colors.SetNumberOfTuples(1 + 3 * len(entries))
        self._colors.SetTuple4(0, 255, 255, 255, 200)
        polys.InsertNextCell(4)
        for corner in range(4):
            polys.InsertCellPoint(corner)
        for index, entry in enumerate(entries):
            frame, swatch = 4 * (1 + 2 * index), 4 * (2 + 2 * index)
            polys.InsertNextCell(4)
            for corner in range(4):
                polys.InsertCellPoint(frame + corner)
            for triangle in ((0, 1, 3), (1, 2, 3)):
                polys.InsertNextCell(3)
                for corner in triangle:
                    polys.InsertCellPoint(swatch + corner)
            first, second = entry[1], entry[-1]
            self._colors.SetTuple4(1 + 3 * index, *LEGEND_FRAME_COLOR, 255)
            self._colors.SetTuple4(2 + 3 * index, *first, 255)
            self._colors.SetTuple4(3 + 3 * index, *second, 255)
        self._polydata.SetPoints(self._points)
        self._polydata.SetPolys(polys)
        self._polydata.GetCellData().SetScalars(self._colors)
        if was_visible:
            self.show()

    def _named_actors(self) -> list[tuple[str, object]]:
        texts = [(f"legend-text-{i}", actor) for i, actor in enumerate(self.text_actors)]
        return [("legend-box", self.box_actor), *texts]

    def show(self) -> None:
        if self.entries:
            super().show()

    def box(self) -> tuple[float, float, float, float]:
        """The legend's box in display pixels: (left, bottom, right, top), origin at the bottom left."""
        top = self.plotter.renderer.GetSize()[1] - LEGEND_MARGIN_PX
        rows = len(self.text_actors)
        bottom = top - rows * self.row_px - 2 * self.pad_px
        widest = 0.0
        bounds = [0.0] * 4
        for actor in self.text_actors:
            actor.GetBoundingBox(self.plotter.renderer, bounds)
            widest = max(widest, bounds[1] - bounds[0])
        left = LEGEND_MARGIN_PX
        right = left + 2 * self.pad_px + self.swatch_px + self.pad_px + widest
        return left, bottom, right, top

    def placed_boxes(self) -> np.ndarray:
        """The legend's box while it is shown (labels keep clear of it), as LabelLayer.placed_boxes."""
        if not self.visible or not self.entries:
            return np.zeros((0, 4), np.int64)
        return np.array([[round(v) for v in self.box()]], np.int64)

    def row_centre_y(self, row: int, top: float | None = None) -> float:
        """Display y of the middle of a text row (the title is row 0 when there is one)."""
        if top is None:
            top = self.plotter.renderer.GetSize()[1] - LEGEND_MARGIN_PX
        return top - self.pad_px - (row + 0.5) * self.row_px

    def swatch_centre(self, entry: int, tone: int = 0) -> tuple[int, int]:
        """Display pixel (x, y from the bottom) at the middle of an entry's colour swatch; `tone` 1: the
        middle of its upper-right half (the second tone of a two-tone swatch), 0 the lower-left half's when
        it has two."""
        row = entry + (1 if self.title else 0)
        x, y = LEGEND_MARGIN_PX + self.pad_px + self.swatch_px / 2, self.row_centre_y(row)
        if len(self.entries[entry]) > 2 or tone:
            shift = self.swatch_px / 4 * (1 if tone else -1)
            x, y = x + shift, y + shift
        return round(x), round(y)

    def update(self) -> None:
        if not self.entries:
            return
        left, bottom, right, top = self.box()
        self._points.SetPoint(0, left, bottom, 0)
        self._points.SetPoint(1, right, bottom, 0)
        self._points.SetPoint(2, right, top, 0)
        self._points.SetPoint(3, left, top, 0)
        first_entry_row = 1 if self.title else 0
        text_left = left + self.pad_px
        for row, actor in enumerate(self.text_actors):
            y = self.row_centre_y(row, top)
            is_entry = row >= first_entry_row
            actor.SetPosition(text_left + (self.swatch_px + self.pad_px if is_entry else 0), y)
            if is_entry:
                entry = row - first_entry_row
                half = self.swatch_px / 2
                for base, grow in ((4 * (1 + 2 * entry), 1), (4 * (2 + 2 * entry), 0)):  # frame, swatch
                    x0, x1 = text_left - grow, text_left + self.swatch_px + grow
                    self._points.SetPoint(base, x0, y - half - grow, 0)
                    self._points.SetPoint(base + 1, x1, y - half - grow, 0)
                    self._points.SetPoint(base + 2, x1, y + half + grow, 0)
                    self._points.SetPoint(base + 3, x0, y + half + grow, 0)
        self._points.Modified()
        self._polydata.Modified()
