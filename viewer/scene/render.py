"""Render a plant document to a picture with no screen (EGL/OSMesa off-screen rendering)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from viewer.compare.clone import document_revision
from viewer.model import EquipmentLibrary, Line, PlantDocument, Site
from viewer.model.site_time import TimeDisplay
from viewer.scene.drawing import (
    DrawingScaleBar,
    NorthArrow,
    TitleBlock,
    TitleBlockText,
    fits_on_sheet,
    frame_drawing,
    project_points,
    sheet_scale,
)
from viewer.scene.labels import Obstacle
from viewer.scene.offscreen import offscreen_plotter
from viewer.scene.offscreen import save_png as save_png  # re-export for viewer.ui.main_window
from viewer.scene.plant_view import PlantView


@dataclass
class RenderRequest:
    size: tuple[int, int] = (1600, 900)
    view: str = "iso"
    site: str | None = None
    line: str | None = None
    labels: bool = True
    transparent: bool = False
    ids: bool = False  # each equipment's id over it
    title_block: bool = True
    north: bool = True  # north arrow (top and iso views)
    scale_bar: bool = True
    warnings: list[str] = field(default_factory=list)


VIEW_TITLES = {
    "top": "Plan (top view), north up",
    "iso": "Isometric view from the south-west",
    "front": "Front view from the south, looking north",
}
REVISION_DIGITS = 12  # of the document's SHA-256 content hash, as a drawing revision


@dataclass
class DrawingSheet:
    """The overlays a drawing got, for callers that read them back (tests, reports)."""

    title_block: TitleBlock | None = None
    north: NorthArrow | None = None
    scale_bar: DrawingScaleBar | None = None
    framed: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # display rectangle the plant fills

    def overlays(self) -> list[Obstacle]:
        return [o for o in (self.title_block, self.north, self.scale_bar) if o is not None]


def choose_site(document: PlantDocument, name: str | None) -> Site:
    """The named site, else the first site that has equipment, else the first site."""
    if name is not None:
        return document.site_by_name(name)
    if not document.sites:
        raise ValueError("the document has no sites to draw")
    for site in document.sites:
        if any(cell.equipment for area in site.areas for line in area.lines for cell in line.cells):
            return site
    return document.sites[0]


def find_line(site: Site, name: str) -> Line:
    lines = [line for area in site.areas for line in area.lines]
    for line in lines:
        if name in (line.name, line.id):
            return line
    known = ", ".join(line.name for line in lines) or "none"
    raise KeyError(f"no line named {name!r} at site {site.name!r}; lines there: {known}")


def render_image(document: PlantDocument, library: EquipmentLibrary, request: RenderRequest) -> np.ndarray:
    """The picture as an (h, w, 3 or 4) uint8 array; warnings go to request.warnings."""
    return render_drawing(document, library, request)[0]


def render_drawing(
    document: PlantDocument, library: EquipmentLibrary, request: RenderRequest
) -> tuple[np.ndarray, DrawingSheet]:
    """The picture, and the drawing overlays made for it (what the title block says, where the plant went)."""
    site = choose_site(document, request.site)
    line = find_line(site, request.line) if request.line else None
    plotter = offscreen_plotter(request.size)
    try:
        view = PlantView(plotter, names_beside=True)
        view.show_site(document, library, site, labels=request.labels)
        if line is not None:
            view.focus_line(line)
        sheet = draw_sheet(view, document, site, line, request)
        if request.transparent:
            plotter.set_background("white")  # a gradient is drawn as geometry and would stay opaque
        request.warnings.extend(view.warnings)
        image = plotter.screenshot(transparent_background=request.transparent, return_img=True)
        request.warnings.extend(id_warnings(view))
    finally:
        plotter.close()
    return image, sheet


def drawing_bounds(view: PlantView, line: Line | None) -> np.ndarray:
    """(2, 3) box a drawing frames: the line's equipment, or the whole building with its columns' height."""
    if line is not None and view.batch is not None and view.batch.visible.any():
        return view.batch.visible_bounds()
    bounds = np.array(view.frame_bounds(), float)
    grid = view.site.column_grid if view.site is not None else None
    if grid is not None and grid.count[0] and grid.count[1]:
        bounds[1][2] = max(bounds[1][2], grid.height)
    return bounds


def title_block_text(
    document: PlantDocument, site: Site, line: Line | None, view: str, moment: float | None, scale: str
) -> TitleBlockText:
    """The title block of a drawing of `site` (and `line`): `moment` is the time of the state shown (a
    recording), None for a plain layout (the time of drawing is written then)."""
    clock = TimeDisplay(site.timezone)
    rows = [("Site", f"{site.name} ({site.country})" if site.country else site.name)]
    if line is not None:
        rows.append(("Line", line.name))
    rows.append(("View", VIEW_TITLES.get(view, view)))
    if moment is None:
        rows.append(("Drawn", clock.text(time.time())))
    else:
        rows.append(("State at", clock.text(moment)))
    rows.append(("Revision", f"{document_revision(document)[:REVISION_DIGITS]} (document content hash)"))
    rows.append(("Scale", scale))
    rows.append(("North", "+Y of the site plan (no bearing in the document)"))
    return TitleBlockText(document.enterprise.name, rows)


def _scale_text(view: PlantView, view_name: str) -> str:
    if view_name == "top":
        return f"1 px = {view.metres_per_pixel():.3f} m; see the scale bar"
    return "perspective: the scale bar is true at the middle"


def _north_on_screen(view: PlantView) -> tuple[float, float]:
    """Which way +Y of the site points on the picture, at the camera's focal point."""
    focal = np.array(view.plotter.camera.focal_point, float)
    step = max(view.metres_per_pixel() * 50, 1e-3)
    shown = project_points(view.plotter.renderer, np.array([focal, focal + np.array([0.0, step, 0.0])]))
    dx, dy = shown[1] - shown[0]
    return float(dx), float(dy)


def draw_sheet(
    view: PlantView,
    document: PlantDocument,
    site: Site,
    line: Line | None,
    request: RenderRequest,
    moment: float | None = None,
    legend: Obstacle | None = None,
) -> DrawingSheet:
    """Point the camera for `request.view` and make the picture a layout drawing: scale bar (bottom left),
    north arrow (top right; top and iso views), title block (bottom right), the building (or the line)
    framed whole in the room they and `legend` (a colour legend already shown) leave, the names and ids kept
    clear of them. `moment`: the time of the state shown, for the title block."""
    bounds = drawing_bounds(view, line)
    view.set_view(request.view, frame=bounds)
    scale = sheet_scale(request.size)
    sheet = DrawingSheet()
    plotter = view.plotter
    if request.scale_bar:
        sheet.scale_bar = DrawingScaleBar(plotter, view.metres_per_pixel, scale)
    if request.north and request.view in ("top", "iso"):
        sheet.north = NorthArrow(plotter, lambda: _north_on_screen(view), scale)
    if request.title_block:
        placeholder = _scale_text(view, request.view)
        sheet.title_block = TitleBlock(
            plotter, title_block_text(document, site, line, request.view, moment, placeholder), scale
        )
    for name in ("title_block", "north", "scale_bar"):
        overlay = getattr(sheet, name)
        if overlay is not None and not fits_on_sheet(overlay.box(), request.size):
            setattr(sheet, name, None)
            request.warnings.append(f"the picture is too small for the {name.replace('_', ' ')}; left out")
    boxes = [overlay.box() for overlay in sheet.overlays()]
    if legend is not None:
        boxes += [tuple(float(v) for v in box) for box in legend.placed_boxes().tolist()]
    sheet.framed = frame_drawing(plotter.renderer, bounds, boxes)
    if sheet.title_block is not None:
        # The same text with the scale of the picture as framed (digits have one width: the box stays).
        rows = [(c, _scale_text(view, request.view) if c == "Scale" else v) for c, v in sheet.title_block.text.rows]
        sheet.title_block.text.rows = rows
        for actor, (_, value) in zip(sheet.title_block.values, rows, strict=True):
            actor.SetInput(value)
    for overlay in sheet.overlays():
        overlay.show()
    obstacles = [*sheet.overlays(), *([legend] if legend is not None else [])]
    view.set_label_obstacles(obstacles)
    if request.ids:
        view.show_id_labels(font_size=max(8, round(10 * scale)))
    return sheet


def id_warnings(view: PlantView) -> list[str]:
    """A note when some equipment ids had no room (read after the picture was drawn)."""
    layer = view.id_label_layer()
    if layer is None:
        return []
    placed, total = len(layer.placed_texts()), len(layer.texts())
    if placed >= total:
        return []
    return [f"--ids: {total - placed} of {total} equipment ids had no room; try --line or a larger --size"]
