"""Plan pictures for the conformance report: one line from above in its building, equipment coloured, the
differing and clashing ones called out with their ids, the columns they stand on ringed, and a scale bar.

The callouts and the bar are drawn on the rendered pixels (Pillow), so the same PNG goes into the HTML and the
PDF report. The report layer decides what is marked (`viewer.compare.report.picture_marks`); this draws it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from viewer.compare.report import ConformanceReport, picture_marks
from viewer.model import EquipmentLibrary, Line, PlantDocument, Site
from viewer.model.geometry import equipment_world_matrices
from viewer.scene.offscreen import offscreen_plotter
from viewer.scene.plant_view import PlantView
from viewer.scene.view_overlays import metres_text, nice_length

MARGIN_M = 4.0  # metres of floor shown around the line
SCALE_BAR_PX = 220  # about how long the scale bar is; its length in metres is a round number
CALLOUT_TEXT = (24, 30, 38)
FONT_PX = 19  # callout text: about 8 pt when the picture is printed 180 mm wide
MAX_CALLOUTS = 24  # beyond this a plan is unreadable; the rest are marked by colour, the tables list all
CROWDED = 12  # more callouts than this carry the id only


@dataclass(frozen=True)
class Callout:
    equipment_id: str
    text: str  # the id, with what is wrong: "HM-ELE1-COT-01: on a column"
    color: tuple[int, int, int]  # the border and leader, as the equipment's fill


@dataclass(frozen=True)
class Ring:
    x: float  # site metres
    y: float
    color: tuple[int, int, int]


@dataclass
class PlanPicture:
    png: bytes
    metres_per_pixel: float
    callouts_drawn: list[str]  # equipment ids called out, in drawing order
    boxes: dict[str, tuple[int, int, int, int]]  # id -> (left, top, right, bottom) of its callout, image pixels
    rings_px: list[tuple[float, float]] = field(default_factory=list)  # centre of each ring, image pixels
    scale_bar_m: float = 0.0  # the length the scale bar shows


class _Boxes:
    """Callout boxes as a label obstacle (display pixels, origin bottom left), so cell names keep clear."""

    def __init__(self, boxes: list[tuple[int, int, int, int]], height: int) -> None:
        self._boxes = np.array([(a, height - d, c, height - b) for a, b, c, d in boxes], dtype=np.int64).reshape(-1, 4)

    def placed_boxes(self) -> np.ndarray:
        return self._boxes


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)  # Pillow's own TrueType font: the same on every system
    except (OSError, TypeError):
        return ImageFont.load_default()


def _overlaps(box: tuple[int, int, int, int], others: list[tuple[int, int, int, int]], pad: int = 4) -> bool:
    a, b, c, d = box
    return any(a < q[2] + pad and q[0] < c + pad and b < q[3] + pad and q[1] < d + pad for q in others)


def place_callouts(
    anchors: list[tuple[float, float]],
    sizes: list[tuple[int, int]],
    image_size: tuple[int, int],
    avoid: list[tuple[int, int, int, int]] | None = None,
) -> list[tuple[int, int, int, int]]:
    """A box (left, top, right, bottom) per anchor near it, inside the image, not over another box.

    Greedy, nearest free place first, trying above and below before the sides (lines run along x)."""
    width, height = image_size
    placed: list[tuple[int, int, int, int]] = []
    taken = list(avoid or [])
    directions = [(0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1), (1, 0), (-1, 0)]
    for (ax, ay), (w, h) in zip(anchors, sizes, strict=True):
        best = fallback = None
        for distance in (34, 58, 86, 120, 160, 210):
            for dx, dy in directions:
                cx = ax + dx * (distance + w / 2 if dx else 0)
                cy = ay + dy * distance
                box = (int(cx - w / 2), int(cy - h / 2), int(cx - w / 2) + w, int(cy - h / 2) + h)
                if box[0] < 2 or box[1] < 2 or box[2] > width - 2 or box[3] > height - 2:
                    continue
                fallback = fallback or box
                if not _overlaps(box, taken):
                    best = box
                    break
            if best is not None:
                break
        if best is None:  # no free place left: overlap rather than leave the id out
            x = int(min(max(ax - w / 2, 2), width - w - 2))
            y = int(min(max(ay - h - 30, 2), height - h - 2))
            best = fallback or (x, y, x + w, y + h)
        placed.append(best)
        taken.append(best)
    return placed


def _leader_end(box: tuple[int, int, int, int], ax: float, ay: float) -> tuple[float, float]:
    """The point of the box's edge nearest to the anchor, where the leader line starts."""
    return float(min(max(ax, box[0]), box[2])), float(min(max(ay, box[1]), box[3]))


def draw_scale_bar(draw: ImageDraw.ImageDraw, metres_per_pixel: float, image_size: tuple[int, int]) -> float:
    """A black and white bar of four segments at the bottom left; returns its length in metres."""
    height = image_size[1]
    metres = nice_length(SCALE_BAR_PX * metres_per_pixel)
    length = metres / metres_per_pixel
    font = _font(FONT_PX)
    x0, y1 = 24, height - 24
    y0 = y1 - 10
    label = metres_text(metres)
    text_w = draw.textlength(label, font=font)
    draw.rectangle((x0 - 10, y0 - 34, x0 + length + 18 + text_w, y1 + 10), fill=(255, 255, 255), outline=(90, 98, 106))
    for k in range(4):
        a = x0 + k * length / 4
        draw.rectangle((a, y0, a + length / 4, y1), fill=(24, 30, 38) if k % 2 == 0 else (255, 255, 255),
                       outline=(24, 30, 38))  # fmt: skip
    draw.text((x0, y0 - 4), "0", fill=CALLOUT_TEXT, font=font, anchor="mb")
    draw.text((x0 + length + 8, y1), label, fill=CALLOUT_TEXT, font=font, anchor="lb")
    return metres


def _aspect(document: PlantDocument, library: EquipmentLibrary, site: Site, line: Line, also_show: set[str]) -> float:
    """Height over width of the plan around the line: the equipment's turned footprints, plus the margin."""
    paths = [p for p in document.iter_equipment() if p.site is site]
    chosen = np.array([p.line is line or p.equipment.id in also_show for p in paths], dtype=bool)
    if not chosen.any():
        return 0.6
    matrices = equipment_world_matrices(document, site)[chosen]
    half = np.array([(library[p.equipment.type].footprint.width * p.equipment.scale[0] / 2,
                      library[p.equipment.type].footprint.depth * p.equipment.scale[1] / 2)
                     for p, keep in zip(paths, chosen, strict=True) if keep])  # fmt: skip
    reach = np.einsum("kij,kj->ki", np.abs(matrices[:, :2, :2]), half)
    centre = matrices[:, :2, 3]
    extent = (centre + reach).max(axis=0) - (centre - reach).min(axis=0) + 2 * MARGIN_M
    return float(extent[1] / max(extent[0], 1e-6))


def render_plan_picture(
    document: PlantDocument,
    library: EquipmentLibrary,
    line: Line,
    colors: dict[str, tuple[int, int, int]],
    callouts: list[Callout],
    rings: list[Ring] | None = None,
    also_show: set[str] | None = None,
    width: int = 1200,
) -> PlanPicture:
    """Top view of `line` in its building, as wide as `width` pixels and as tall as the line needs (within
    0.4 to 0.8 of the width); `also_show`: equipment of other lines to keep visible (the other half of an
    overlap)."""
    site = next(s for s in document.sites if any(li is line for a in s.areas for li in a.lines))
    height = int(width * min(0.8, max(0.4, _aspect(document, library, site, line, also_show or set()))))
    size = (width, height)
    plotter = offscreen_plotter(size)
    try:
        plant = PlantView(plotter, names_beside=True)
        plant.show_site(document, library, site, labels=True)
        batch = plant.batch
        visible = np.array([p.line is line or p.equipment.id in (also_show or ()) for p in batch.paths], dtype=bool)
        batch.set_visible(visible)
        ids = [i for i in colors if batch.has_id(i)]
        if ids:
            batch.set_colors(batch.indices(ids), np.array([colors[i] for i in ids], dtype=np.uint8))
        frame = batch.visible_bounds()
        if frame is None:
            frame = plant.frame_bounds()
        frame = frame + np.array([[-MARGIN_M, -MARGIN_M, 0.0], [MARGIN_M, MARGIN_M, 0.0]])
        plant.set_view("top", frame=frame)
        wanted = [c for c in callouts if batch.has_id(c.equipment_id)]
        if len(wanted) > CROWDED:  # many callouts: the ids alone, the tables say what each one is
            wanted = [Callout(c.equipment_id, c.equipment_id, c.color) for c in wanted]
        shown, left_out = wanted[:MAX_CALLOUTS], len(wanted) - MAX_CALLOUTS
        font = _font(FONT_PX)
        anchors: list[tuple[float, float]] = []
        if shown:
            boxes = batch.bounds[batch.indices([c.equipment_id for c in shown])]
            tops = np.c_[(boxes[:, 0, :2] + boxes[:, 1, :2]) / 2, boxes[:, 1, 2]]
            display, _ = plant.project(tops)
            anchors = [(float(x), float(height - y)) for x, y in display]
        probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
        sizes = [(int(probe.textlength(c.text, font=font)) + 14, FONT_PX + 10) for c in shown]
        scale_bar_box = (0, height - 90, 24 + SCALE_BAR_PX * 2 + 110, height)
        title = f"{site.name}: {line.name} ({line.id}), from above"
        if left_out > 0:
            title += f"; {left_out} more marked by colour only"
        title_box = (int(width - 22 - probe.textlength(title, font=font)), 0, width, FONT_PX + 18)
        placed = place_callouts(anchors, sizes, size, avoid=[scale_bar_box, title_box])
        plant.set_label_obstacles([_Boxes([*placed, scale_bar_box, title_box], height)])  # cell names give way
        metres_per_pixel = plant.metres_per_pixel()
        ring_points = np.array([(r.x, r.y, 0.0) for r in rings or []], dtype=float).reshape(-1, 3)
        ring_display = plant.project(ring_points)[0] if len(ring_points) else np.zeros((0, 2))
        image = Image.fromarray(plotter.screenshot(return_img=True)).convert("RGB")
    finally:
        plotter.close()
    draw = ImageDraw.Draw(image)
    radius = max(14.0, 1.5 / metres_per_pixel)
    rings_px = [(float(x), float(height - y)) for x, y in ring_display]
    for ring, (x, y) in zip(rings or [], rings_px, strict=True):
        box = (x - radius, y - radius, x + radius, y + radius)
        draw.ellipse(box, outline=(255, 255, 255), width=9)  # a halo: the ring shows on its own colour too
        draw.ellipse(box, outline=ring.color, width=5)
    for callout, (ax, ay), box in zip(shown, anchors, placed, strict=True):
        ex, ey = _leader_end(box, ax, ay)
        draw.line((ax, ay, ex, ey), fill=callout.color, width=3)
        draw.ellipse((ax - 5, ay - 5, ax + 5, ay + 5), fill=callout.color, outline=(255, 255, 255))
    for callout, box in zip(shown, placed, strict=True):
        draw.rectangle(box, fill=(255, 255, 255), outline=callout.color, width=3)
        draw.text((box[0] + 7, box[1] + 4), callout.text, fill=CALLOUT_TEXT, font=font)
    draw.rectangle((title_box[0], 4, width - 4, title_box[3] - 4), fill=(255, 255, 255), outline=(90, 98, 106))
    draw.text((width - 12, 9), title, fill=CALLOUT_TEXT, font=font, anchor="ra")
    bar = draw_scale_bar(draw, metres_per_pixel, size)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return PlanPicture(
        buffer.getvalue(),
        metres_per_pixel,
        [c.equipment_id for c in shown],
        {c.equipment_id: box for c, box in zip(shown, placed, strict=True)},
        rings_px,
        bar,
    )


def report_pictures(report: ConformanceReport, library: EquipmentLibrary) -> tuple[bytes, bytes]:
    """The mother and child plans of a conformance report (PNG), with what differs and what clashes called out:
    the same pictures from the command line and from the Compare window."""
    result = report.result
    marks = picture_marks(result)
    mother = report.mother if report.mother is not None else report.child
    pictures = []
    for document, line, colors, own_marks, rings, also_show in (
        (mother, result.mother_line, marks.mother_colors, marks.mother, [], set()),
        (report.child, result.child_line, marks.child_colors, marks.child, marks.rings, marks.also_show),
    ):
        callouts = [Callout(m.equipment_id, m.text, m.color) for m in own_marks]
        picture = render_plan_picture(
            document, library.merged(document.types), line, colors, callouts, [Ring(*r) for r in rings], also_show
        )
        pictures.append(picture.png)
    return pictures[0], pictures[1]
