"""What makes a rendered picture a layout drawing: a scale bar, a north arrow, a title block, and a camera that
frames the whole plant (or one line) inside the part of the sheet those leave free.

Each overlay is a handful of 2D actors placed in display pixels before every frame (nothing per equipment), so
the report pictures and the off-screen renderer can put them on any plotter. North is +Y of the site plan: the
plant document has no bearing of its own, and the north arrow says so.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonCore import vtkPoints, vtkUnsignedCharArray
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import vtkActor2D, vtkPolyDataMapper2D, vtkTextActor

from viewer.scene.view_overlays import metres_text, nice_length

INK = (30, 36, 42)
PAPER = (255, 255, 255)
SHEET_MARGIN_PX = 14  # between an overlay and the picture's edge
DRAWING_GAP_PX = 10  # between the framed plant and the overlays or the picture's edge
NORTH_TEXT = "N"
NORTH_NOTE = "+Y"  # the site plan's axis the arrow follows

Box = tuple[float, float, float, float]  # (left, bottom, right, top) display pixels, origin bottom left


def sheet_scale(size: tuple[int, int]) -> float:
    """How big the overlays are drawn for a picture of `size` pixels: 1 at 1600 x 900, never unreadable."""
    return float(np.clip(min(size[0] / 1600, size[1] / 900), 0.5, 2.5))


def fits_on_sheet(box: Box, size: tuple[int, int], share: float = 0.45) -> bool:
    """Whether an overlay leaves most of the picture to the plant: at most `share` of its width or height."""
    left, bottom, right, top = box
    return right - left <= share * size[0] and top - bottom <= share * size[1]


def _rgb(color: tuple[int, int, int]) -> tuple[float, float, float]:
    return tuple(c / 255 for c in color)


def _text_actor(text: str, size: int, bold: bool = False, color: tuple[int, int, int] = INK) -> vtkTextActor:
    actor = vtkTextActor()
    actor.SetInput(text)
    prop = actor.GetTextProperty()
    prop.SetFontSize(size)
    prop.SetBold(bold)
    prop.SetColor(*_rgb(color))
    actor.PickableOff()
    return actor


class _Shapes:
    """Polygons and lines in display pixels, each cell in its own RGBA colour: one 2D actor."""

    def __init__(self) -> None:
        self.polydata = vtkPolyData()
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(self.polydata)
        mapper.SetColorModeToDirectScalars()
        mapper.SetScalarModeToUseCellData()
        self.actor = vtkActor2D()
        self.actor.SetMapper(mapper)
        self.actor.PickableOff()

    def set(
        self,
        polygons: Sequence[tuple[np.ndarray, tuple[int, int, int, int]]],
        lines: Sequence[tuple[np.ndarray, tuple[int, int, int, int]]] = (),
        line_width: float = 1.0,
    ) -> None:
        """Each polygon or polyline is an (k, 2) array of display points with its colour."""
        points = vtkPoints()
        polys, strokes = vtkCellArray(), vtkCellArray()
        colors = vtkUnsignedCharArray()
        colors.SetNumberOfComponents(4)
        for cells, shapes in ((strokes, lines), (polys, polygons)):  # VTK orders cell data lines before polys
            for corners, _ in shapes:
                cells.InsertNextCell(len(corners))
                for x, y in np.asarray(corners, float):
                    cells.InsertCellPoint(points.InsertNextPoint(x, y, 0.0))
        for _, rgba in [*lines, *polygons]:
            colors.InsertNextTuple4(*rgba)
        self.polydata.SetPoints(points)
        self.polydata.SetLines(strokes)
        self.polydata.SetPolys(polys)
        self.polydata.GetCellData().SetScalars(colors)
        self.polydata.Modified()
        self.actor.GetProperty().SetLineWidth(line_width)


class _SheetOverlay:
    """Actors placed in display pixels before every frame (the renderer's StartEvent)."""

    plotter: pv.BasePlotter
    name: str

    def _init_overlay(self, plotter: pv.BasePlotter, name: str) -> None:
        self.plotter = plotter
        self.name = name
        self._observer: int | None = None
        self.visible = False

    def actors(self) -> list[object]:
        raise NotImplementedError

    def update(self) -> None:
        raise NotImplementedError

    def box(self) -> Box:
        """Where the overlay stands, whatever the camera: the framing keeps the plant out of it."""
        raise NotImplementedError

    def placed_boxes(self) -> np.ndarray:
        """The overlay's box while shown (labels keep clear of it), as LabelLayer.placed_boxes."""
        if not self.visible:
            return np.zeros((0, 4), np.int64)
        left, bottom, right, top = self.box()
        return np.array([[math.floor(left), math.floor(bottom), math.ceil(right), math.ceil(top)]], np.int64)

    def show(self) -> None:
        for index, actor in enumerate(self.actors()):
            self.plotter.add_actor(actor, name=f"{self.name}-{index}", pickable=False, reset_camera=False, render=False)
        if self._observer is None:
            self._observer = self.plotter.renderer.AddObserver("StartEvent", lambda *_: self.update())
        self.visible = True
        self.update()

    def hide(self) -> None:
        for index, _ in enumerate(self.actors()):
            self.plotter.remove_actor(f"{self.name}-{index}", render=False)
        if self._observer is not None:
            self.plotter.renderer.RemoveObserver(self._observer)
            self._observer = None
        self.visible = False


class DrawingScaleBar(_SheetOverlay):
    """A drawing's scale bar in the bottom-left corner: a round length in metres, cut into four black and
    white parts, with 0 and the length written under its ends. The length follows the camera (metres per
    pixel at the focal point: exact in a plan, true at the middle of a perspective view)."""

    def __init__(self, plotter: pv.BasePlotter, metres_per_pixel: Callable[[], float], scale: float = 1.0) -> None:
        self._init_overlay(plotter, "drawing-scale-bar")
        self._metres_per_pixel = metres_per_pixel
        self.scale = scale
        self.target_px = round(220 * scale)  # the bar is at most this long
        self.bar_px = max(4, round(7 * scale))
        self.length = 0.0
        self.pixels = 0.0
        self.shapes = _Shapes()
        font = max(9, round(13 * scale))
        self.zero_text = _text_actor("0", font)
        self.length_text = _text_actor("", font, bold=True)
        for actor in (self.zero_text, self.length_text):
            actor.GetTextProperty().SetJustificationToCentered()
            actor.GetTextProperty().SetVerticalJustificationToTop()
        self._font = font

    @property
    def text(self) -> str:
        return self.length_text.GetInput() or ""

    def actors(self) -> list[object]:
        return [self.shapes.actor, self.zero_text, self.length_text]

    def box(self) -> Box:
        pad = round(6 * self.scale)
        left = SHEET_MARGIN_PX
        bottom = SHEET_MARGIN_PX
        return (
            left,
            bottom,
            left + self.target_px + 2 * pad + 3 * self._font,
            bottom + self.bar_px + 2.4 * self._font + 2 * pad,
        )

    def update(self) -> None:
        per_pixel = float(self._metres_per_pixel())
        if not per_pixel > 0:
            return
        self.length = nice_length(self.target_px * per_pixel)
        self.pixels = self.length / per_pixel
        left, bottom, right, top = self.box()
        pad = round(6 * self.scale)
        x0 = left + pad + 1.5 * self._font
        y0 = top - pad - self.bar_px
        parts = 4
        step = self.pixels / parts
        right = min(right, x0 + self.pixels + 2 * self._font + pad)  # the paper ends with the bar and its text
        polygons = [(np.array([[left, bottom], [right, bottom], [right, top], [left, top]]), (*PAPER, 215))]
        for k in range(parts):
            a, b = x0 + k * step, x0 + (k + 1) * step
            fill = INK if k % 2 == 0 else PAPER
            polygons.append((np.array([[a, y0], [b, y0], [b, y0 + self.bar_px], [a, y0 + self.bar_px]]), (*fill, 255)))
        outline = np.array(
            [[x0, y0], [x0 + self.pixels, y0], [x0 + self.pixels, y0 + self.bar_px], [x0, y0 + self.bar_px], [x0, y0]]
        )
        self.shapes.set(polygons, [(outline, (*INK, 255))])
        self.zero_text.SetPosition(x0, y0 - 3)
        self.length_text.SetInput(metres_text(self.length))
        self.length_text.SetPosition(x0 + self.pixels, y0 - 3)


class NorthArrow(_SheetOverlay):
    """A north arrow in the top-right corner, turned to where +Y of the site points on the picture, with N
    at its tip and "+Y" under it (the plant document has no bearing: the site plan's +Y is north)."""

    def __init__(self, plotter: pv.BasePlotter, north_on_screen: Callable[[], tuple[float, float]], scale: float = 1.0):
        self._init_overlay(plotter, "drawing-north")
        self._north = north_on_screen
        self.scale = scale
        self.radius = round(30 * scale)
        self.angle = 90.0  # degrees on the picture, counter-clockwise from the right: 90 is straight up
        self.shapes = _Shapes()
        self.letter = _text_actor(NORTH_TEXT, max(10, round(17 * scale)), bold=True)
        self.note = _text_actor(NORTH_NOTE, max(8, round(11 * scale)))
        for actor in (self.letter, self.note):
            actor.GetTextProperty().SetJustificationToCentered()
            actor.GetTextProperty().SetVerticalJustificationToCentered()

    def actors(self) -> list[object]:
        return [self.shapes.actor, self.letter, self.note]

    def box(self) -> Box:
        width, height = self.plotter.renderer.GetSize()
        side = 2 * self.radius + round(34 * self.scale)
        right, top = width - SHEET_MARGIN_PX, height - SHEET_MARGIN_PX
        return right - side, top - side - round(12 * self.scale), right, top

    def update(self) -> None:
        dx, dy = self._north()
        if math.hypot(dx, dy) < 1e-9:
            dx, dy = 0.0, 1.0  # looking straight along north (front view): draw it up
        self.angle = math.degrees(math.atan2(dy, dx))
        left, bottom, right, top = self.box()
        cx, cy = (left + right) / 2, (bottom + top) / 2 + round(6 * self.scale)
        along = np.array([dx, dy]) / math.hypot(dx, dy)
        across = np.array([-along[1], along[0]])
        r = self.radius
        centre = np.array([cx, cy])
        tip, tail = centre + along * r, centre - along * r * 0.75
        wing = r * 0.38
        left_half = np.array([tip, centre + across * wing - along * r * 0.55, tail])
        right_half = np.array([tip, tail, centre - across * wing - along * r * 0.55])
        ring = np.array(
            [[cx + r * 1.05 * math.cos(t), cy + r * 1.05 * math.sin(t)] for t in np.linspace(0, 2 * math.pi, 49)]
        )
        self.shapes.set(
            [(ring, (*PAPER, 215)), (left_half, (*INK, 255)), (right_half, (*PAPER, 255))],
            [(np.vstack([tip, left_half[1], tail, right_half[2], tip]), (*INK, 255)), (ring, (*INK, 160))],
            line_width=max(1.0, 1.3 * self.scale),
        )
        letter = centre + along * (r + round(12 * self.scale))
        self.letter.SetPosition(*letter)
        self.note.SetPosition(cx, bottom + round(8 * self.scale))


@dataclass
class TitleBlockText:
    """What a title block says: a heading (the enterprise) and captioned rows, top to bottom."""

    heading: str
    rows: list[tuple[str, str]]


class TitleBlock(_SheetOverlay):
    """An engineering drawing's title block in the bottom-right corner: a ruled box with the enterprise as its
    heading and one captioned row per fact (site, line, view, time, revision, scale). Two text actors a row."""

    def __init__(self, plotter: pv.BasePlotter, text: TitleBlockText, scale: float = 1.0) -> None:
        self._init_overlay(plotter, "drawing-title-block")
        self.text = text
        self.scale = scale
        self.font = max(9, round(13 * scale))
        self.pad = round(6 * scale)
        self.row_px = round(self.font * 1.75)
        self.heading_px = round(self.font * 2.3)
        self.shapes = _Shapes()
        self.heading = _text_actor(text.heading, round(self.font * 1.3), bold=True)
        self.captions = [
            _text_actor(caption.upper(), max(8, round(self.font * 0.8)), color=(95, 104, 114))
            for caption, _ in text.rows
        ]
        self.values = [_text_actor(value, self.font) for _, value in text.rows]
        for actor in (self.heading, *self.captions, *self.values):
            actor.GetTextProperty().SetVerticalJustificationToCentered()
        self._widths: tuple[float, float, float] | None = None

    def texts(self) -> list[str]:
        """Every text drawn, heading first: what the picture says (tests read it)."""
        return [self.text.heading, *[f"{caption}: {value}" for caption, value in self.text.rows]]

    def actors(self) -> list[object]:
        return [self.shapes.actor, self.heading, *self.captions, *self.values]

    def _text_widths(self) -> tuple[float, float, float]:
        if self._widths is None:
            bounds = [0.0] * 4
            renderer = self.plotter.renderer

            def width(actor: vtkTextActor) -> float:
                actor.GetBoundingBox(renderer, bounds)
                return bounds[1] - bounds[0]

            self._widths = (
                width(self.heading),
                max((width(a) for a in self.captions), default=0.0),
                max((width(a) for a in self.values), default=0.0),
            )
        return self._widths

    def box(self) -> Box:
        heading, caption, value = self._text_widths()
        inner = max(heading, caption + 3 * self.pad + value)
        width_px = inner + 2 * self.pad
        height_px = self.heading_px + len(self.text.rows) * self.row_px
        view_width = self.plotter.renderer.GetSize()[0]
        right, bottom = view_width - SHEET_MARGIN_PX, SHEET_MARGIN_PX
        return right - width_px, bottom, right, bottom + height_px

    def update(self) -> None:
        left, bottom, right, top = self.box()
        _, caption_width, _ = self._text_widths()
        split = left + 2 * self.pad + caption_width
        frame = np.array([[left, bottom], [right, bottom], [right, top], [left, top], [left, bottom]])
        lines = [(frame, (*INK, 255))]
        y = top - self.heading_px
        lines.append((np.array([[left, y], [right, y]]), (*INK, 255)))
        self.heading.SetPosition(left + self.pad, top - self.heading_px / 2)
        for row, (caption, value) in enumerate(zip(self.captions, self.values, strict=True)):
            middle = y - self.row_px / 2
            caption.SetPosition(left + self.pad, middle)
            value.SetPosition(split + self.pad, middle)
            y -= self.row_px
            if row < len(self.values) - 1:
                lines.append((np.array([[left, y], [right, y]]), (*INK, 110)))
        lines.append((np.array([[split, bottom], [split, top - self.heading_px]]), (*INK, 110)))
        self.shapes.set([(frame[:4], (*PAPER, 235))], lines, line_width=max(1.0, 1.2 * self.scale))


# ------------------------------------------------------------------ framing


def box_corners(bounds: np.ndarray) -> np.ndarray:
    """The 8 corners of a (2, 3) box."""
    lo, hi = np.asarray(bounds, float)
    return np.array([[(lo, hi)[i][0], (lo, hi)[j][1], (lo, hi)[k][2]] for i in (0, 1) for j in (0, 1) for k in (0, 1)])


def project_points(renderer: pv.Renderer, points: np.ndarray) -> np.ndarray:
    """Display pixels (n, 2) of world points through the renderer's camera (composite projection)."""
    width, height = renderer.GetSize()
    matrix = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(width / max(height, 1), -1, 1)
    m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
    clip = np.c_[np.asarray(points, float), np.ones(len(points))] @ m.T
    ndc = clip[:, :2] / clip[:, 3:4]
    return (ndc + 1.0) / 2.0 * np.array([width, height], float)


def fit_into(renderer: pv.Renderer, corners: np.ndarray, rect: Box) -> float:
    """Zoom and shift the picture (keeping the camera's place and direction) so the projected `corners`
    just fill display rectangle `rect`; returns how much the picture was scaled (< 1: shrunk).

    Zoom is the view angle (or the parallel scale) and the shift the camera's window centre, so the image
    scales and moves linearly: one step is exact, as a lens shift in an architectural photograph."""
    camera = renderer.GetActiveCamera()
    width, height = renderer.GetSize()
    camera.SetWindowCenter(0.0, 0.0)
    shown = project_points(renderer, corners)
    lo, hi = shown.min(axis=0), shown.max(axis=0)
    left, bottom, right, top = rect
    grow = min((right - left) / max(hi[0] - lo[0], 1e-9), (top - bottom) / max(hi[1] - lo[1], 1e-9))
    if camera.GetParallelProjection():
        camera.SetParallelScale(camera.GetParallelScale() / grow)
    else:
        half = math.radians(camera.GetViewAngle()) / 2
        camera.SetViewAngle(math.degrees(2 * math.atan(math.tan(half) / grow)))
    # Around the picture's centre everything scaled by `grow`; then shift the middle onto the rectangle's.
    centre = np.array([width, height], float) / 2
    middle = centre + ((lo + hi) / 2 - centre) * grow
    target = np.array([(left + right) / 2, (bottom + top) / 2])
    shift = (target - middle) / centre  # in normalised device units
    camera.SetWindowCenter(-shift[0], -shift[1])
    renderer.ResetCameraClippingRange()
    return grow


def _free_rect(size: tuple[int, int], reserved: Sequence[tuple[Box, str]]) -> Box:
    """The picture less a gap at its edges and less a band for each reserved box: 'h' takes the rows the box
    spans from the bottom or top edge it stands at, 'v' the columns from its left or right edge."""
    width, height = size
    left, bottom, right, top = DRAWING_GAP_PX, DRAWING_GAP_PX, width - DRAWING_GAP_PX, height - DRAWING_GAP_PX
    for (b_left, b_bottom, b_right, b_top), band in reserved:
        if band == "h":
            if (b_bottom + b_top) / 2 < height / 2:
                bottom = max(bottom, b_top + DRAWING_GAP_PX)
            else:
                top = min(top, b_bottom - DRAWING_GAP_PX)
        elif band == "v":
            if (b_left + b_right) / 2 < width / 2:
                left = max(left, b_right + DRAWING_GAP_PX)
            else:
                right = min(right, b_left - DRAWING_GAP_PX)
    return left, bottom, right, top


SHRINK_STEPS = (1.0, 0.92, 0.85, 0.78, 0.7, 0.62)


def _shrunk(rect: Box, factor: float, away_from: Sequence[Box], size: tuple[int, int]) -> Box:
    """`rect` scaled by `factor`, kept in its corner away from the first of `away_from` (overlay boxes)."""
    if factor >= 1.0 or not away_from:
        return rect
    left, bottom, right, top = rect
    width, height = (right - left) * factor, (top - bottom) * factor
    b_left, b_bottom, b_right, b_top = away_from[0]
    at_right = (b_left + b_right) / 2 > size[0] / 2
    at_top = (b_bottom + b_top) / 2 > size[1] / 2
    x0 = left if at_right else right - width
    y0 = bottom if at_top else top - height
    return x0, y0, x0 + width, y0 + height


def _grown(box: Box, by: float = DRAWING_GAP_PX) -> Box:
    """A box with a margin: the plant keeps a visible gap from an overlay, not just no overlap."""
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


def _overlaps_hull(points: np.ndarray, box: Box) -> bool:
    """Whether the convex hull of display points meets a box."""
    from shapely.geometry import MultiPoint
    from shapely.geometry import box as shapely_box

    return MultiPoint([tuple(p) for p in points]).convex_hull.intersects(shapely_box(*box))


def frame_drawing(
    renderer: pv.Renderer, bounds: np.ndarray, overlays: Sequence[Box], extra: np.ndarray | None = None
) -> Box:
    """Frame the (2, 3) box `bounds` as large as it goes in the picture while no overlay box covers it: each
    overlay either stands clear of the framed box as it is, or gets a band along its edge of the picture (a
    strip along the bottom, say, or a column at the side) that the framing leaves free. Every choice is
    tried (3 per overlay, a few overlays) and the biggest picture wins. `extra`: more world points that must
    stay in the picture and clear of the overlays. Returns the rectangle the plant was fitted into."""
    size = tuple(renderer.GetSize())
    camera = renderer.GetActiveCamera()
    start = (camera.GetViewAngle(), camera.GetParallelScale())
    corners = box_corners(bounds)
    if extra is not None and len(extra):
        corners = np.vstack([corners, extra])
    best: tuple[float, float, Box] | None = None  # (scale, distance of the plant's middle from the picture's, rect)
    middle = np.array(size, float) / 2
    for bands in itertools.product(("h", "v", ""), repeat=len(overlays)):
        full = _free_rect(size, list(zip(overlays, bands, strict=True)))
        if full[2] - full[0] < 16 or full[3] - full[1] < 16:
            continue
        free = [box for box, band in zip(overlays, bands, strict=True) if not band]
        # An overlay left without a band may still meet the plant: then the plant is drawn smaller, in steps,
        # in the corner of the rectangle away from that overlay (a small picture with a tall legend, say).
        for shrink in SHRINK_STEPS if free else (1.0,):
            camera.SetViewAngle(start[0])
            camera.SetParallelScale(start[1])
            rect = _shrunk(full, shrink, free, size)
            grow = fit_into(renderer, corners, rect)
            if best is not None and grow < best[0] * 0.99:
                break  # smaller steps only get worse
            off_centre = float(np.linalg.norm(np.array([rect[0] + rect[2], rect[1] + rect[3]]) / 2 - middle))
            # Bigger wins; within 1 % (the same picture, one band more or less), the better centred.
            if best is not None and grow <= best[0] * 1.01 and off_centre >= best[1]:
                continue
            shown = project_points(renderer, corners)
            if any(_overlaps_hull(shown, _grown(box)) for box in free):
                continue
            best = (grow, off_centre, rect)
            break
    camera.SetViewAngle(start[0])
    camera.SetParallelScale(start[1])
    rect = best[2] if best is not None else _free_rect(size, [])
    fit_into(renderer, corners, rect)
    return rect
