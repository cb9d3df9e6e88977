"""Render a plant document to a picture with no screen (EGL/OSMesa off-screen rendering)."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyvista as pv
from PIL import Image

from viewer.io.atomic import atomic_write_bytes
from viewer.model import EquipmentLibrary, Line, PlantDocument, Site
from viewer.scene.plant_view import PlantView


@dataclass
class RenderRequest:
    size: tuple[int, int] = (1600, 900)
    view: str = "iso"
    site: str | None = None
    line: str | None = None
    labels: bool = True
    transparent: bool = False
    warnings: list[str] = field(default_factory=list)


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


def offscreen_plotter(size: tuple[int, int]) -> pv.Plotter:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        # No screen: go straight to EGL instead of trying X first (and warning about it on every render).
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    # No multi-sampling: deterministic pixels, and faster on software OpenGL.
    theme = pv.themes.DocumentTheme()
    theme.multi_samples = 0
    return pv.Plotter(off_screen=True, window_size=size, lighting="light_kit", theme=theme)


def render_image(document: PlantDocument, library: EquipmentLibrary, request: RenderRequest) -> np.ndarray:
    """The picture as an (h, w, 3 or 4) uint8 array; warnings go to request.warnings."""
    site = choose_site(document, request.site)
    line = find_line(site, request.line) if request.line else None
    plotter = offscreen_plotter(request.size)
    try:
        view = PlantView(plotter)
        view.show_site(document, library, site, labels=request.labels)
        if line is not None:
            view.focus_line(line)
        view.set_view(request.view)
        if request.transparent:
            plotter.set_background("white")  # a gradient is drawn as geometry and would stay opaque
        request.warnings.extend(view.warnings)
        image = plotter.screenshot(transparent_background=request.transparent, return_img=True)
    finally:
        plotter.close()
    return image


def save_png(image: np.ndarray, path: Path) -> None:

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    atomic_write_bytes(Path(path), buffer.getvalue())


def render_line_picture(
    document: PlantDocument,
    library: EquipmentLibrary,
    line: Line,
    colors: dict[str, tuple[int, int, int]],
    size: tuple[int, int] = (900, 560),
    view: str = "top",
) -> bytes:
    """PNG of one line alone in its building, each equipment in the colour given for its id (compare pictures)."""
    site = next(s for s in document.sites if any(li is line for a in s.areas for li in a.lines))
    plotter = offscreen_plotter(size)
    try:
        plant = PlantView(plotter)
        plant.show_site(document, library, site, labels=True)
        plant.focus_line(line)
        batch = plant.batch
        ids = [i for i in colors if batch.has_id(i)]
        if ids:
            batch.set_colors(batch.indices(ids), np.array([colors[i] for i in ids], dtype=np.uint8))
        plant.set_view(view, frame=batch.visible_bounds())  # the line, not the whole building
        image = plotter.screenshot(return_img=True)
    finally:
        plotter.close()
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()
