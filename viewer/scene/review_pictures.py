"""Pictures of review topics that have no snapshot (imported from a BCF file without one, made headless): the
topic's first viewpoint rendered off screen (camera, visibility, X-ray, clipping box), its equipment
highlighted, a measurement drawn, and its pin drawn over the pixels with the topic's number. A topic with no
camera is framed on its equipment, else on its pin.

The review report (`viewer.review.report`) takes these as PNG bytes; `write_review_report_with_pictures`
renders the missing ones and writes the report (the command line and the window both call it).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from viewer.model import EquipmentLibrary, PlantDocument, Site
from viewer.model.review import ReviewViewpoint, Topic
from viewer.model.site_choice import mother_site
from viewer.review.report import ReviewReport, parse_statuses, report_format, select_topics, write_review_report
from viewer.review.report_data import STATUS_COLORS, needs_picture, topic_site
from viewer.scene.offscreen import offscreen_plotter
from viewer.scene.plant_view import PlantView

PICTURE_SIZE = (1280, 720)  # 16:9, as a window's snapshot usually is; prints 180 mm wide at about 180 dpi
PIN_RADIUS = 21  # pixels
PIN_FRAME_M = 7.0  # half the box framed around a pin that has no equipment, metres
MEASURE_MARGIN_M = np.array([1.5, 1.5, 0.0])  # floor shown around a measured segment
FILL = 0.55  # how much of the picture the framed equipment takes: the rest shows what stands around it


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (OSError, TypeError):
        return ImageFont.load_default()


def draw_pin(image: Image.Image, at: tuple[float, float], number: int, color: tuple[int, int, int]) -> None:
    """A map pin whose tip stands on `at` (image pixels, origin top left), its head holding the number."""
    draw = ImageDraw.Draw(image)
    x, y = at
    cy = y - PIN_RADIUS * 2.4
    outline = (255, 255, 255)
    draw.polygon([(x, y), (x - PIN_RADIUS * 0.62, cy + PIN_RADIUS * 0.5), (x + PIN_RADIUS * 0.62,
                  cy + PIN_RADIUS * 0.5)], fill=color, outline=outline)  # fmt: skip
    draw.ellipse((x - PIN_RADIUS, cy - PIN_RADIUS, x + PIN_RADIUS, cy + PIN_RADIUS), fill=color, outline=outline,
                 width=3)  # fmt: skip
    draw.text((x, cy), str(number), fill=outline, font=_font(17 if number < 100 else 13), anchor="mm")


def _viewpoint(topic: Topic) -> ReviewViewpoint | None:
    first = topic.viewpoints[0] if topic.viewpoints else None
    return next((v for v in topic.viewpoints if v.camera is not None), first)


def _visible(plant: PlantView, viewpoint: ReviewViewpoint | None, keep: set[str]) -> np.ndarray:
    """Which equipment the viewpoint shows (hidden ids and the isolated group), the topic's own always."""
    batch = plant.batch
    assert batch is not None
    if viewpoint is None or (not viewpoint.hidden and viewpoint.isolated is None):
        return np.ones(len(batch), dtype=bool)
    hidden = set(viewpoint.hidden)
    shown = []
    for p in batch.paths:
        ids = (p.site.id, p.area.id, p.line.id, p.cell.id, p.equipment.id)
        shown.append(p.equipment.id in keep or (not hidden.intersection(ids) and (
            viewpoint.isolated is None or viewpoint.isolated in ids)))  # fmt: skip
    return np.array(shown, dtype=bool)


def _pin_point(topic: Topic, boxes: np.ndarray) -> np.ndarray | None:
    """Where the pin stands: the topic's pin, else above its equipment, else the end of its measurement."""
    if topic.pin is not None:
        return np.array(topic.pin, dtype=float)
    if len(boxes):
        lo, hi = boxes[:, 0].min(axis=0), boxes[:, 1].max(axis=0)
        return np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, hi[2]])
    if topic.measurement is not None:
        return np.array(topic.measurement.end, dtype=float)  # the label sits at the middle
    return None


def _frame(boxes: np.ndarray, pin: np.ndarray | None, topic: Topic) -> np.ndarray | None:
    """The box to frame when the topic has no camera: its equipment and its measurement (with a margin of
    floor around a measurement); else the floor around its pin."""
    points = [boxes[:, 0], boxes[:, 1]] if len(boxes) else []
    if topic.measurement is not None:
        ends = np.array([topic.measurement.start, topic.measurement.end], dtype=float)
        points += [ends.min(axis=0) - MEASURE_MARGIN_M, ends.max(axis=0) + MEASURE_MARGIN_M]
    if not points and pin is not None:
        points.append(pin + np.array([[-PIN_FRAME_M, -PIN_FRAME_M, -pin[2]], [PIN_FRAME_M, PIN_FRAME_M, 0.0]]))
    if not points:
        return None
    stacked = np.vstack(points)
    return np.stack([stacked.min(axis=0), stacked.max(axis=0)])


@dataclass(frozen=True)
class TopicPicture:
    png: bytes
    pin_px: tuple[float, float] | None  # where the pin's tip stands, image pixels (origin top left); None: not drawn
    highlighted: tuple[str, ...]  # the equipment drawn in the selection colour
    framed: bool  # the topic had no camera: the picture frames its equipment, pin or measurement


def render_topic_picture(plant: PlantView, topic: Topic, size: tuple[int, int]) -> TopicPicture:
    """One topic's picture in a scene already showing its site (the plotter `size` pixels large)."""
    batch = plant.batch
    viewpoint = _viewpoint(topic)
    marked = [i for i in dict.fromkeys((*topic.equipment, *(viewpoint.selection if viewpoint else ())))
              if batch is not None and batch.has_id(i)]  # fmt: skip
    indices = batch.indices(marked) if batch is not None else np.zeros(0, np.int64)
    # The topics of a site share one scene: everything the topic before set is set again (visibility,
    # highlight, X-ray, clipping, measurement), never left over.
    if batch is not None and len(batch):
        batch.set_visible(_visible(plant, viewpoint, set(marked)))
        plant.highlight(indices)
    plant.set_xray(bool(viewpoint is not None and viewpoint.xray))
    plant.set_clip_box(np.array(viewpoint.clip_box, float) if viewpoint is not None and viewpoint.clip_box else None)
    boxes = batch.bounds[indices] if batch is not None and len(indices) else np.zeros((0, 2, 3))
    pin = _pin_point(topic, boxes)
    plant.clear_measure()
    if topic.measurement is not None:
        m = topic.measurement
        plant.show_measure(m.start, m.end, f"{m.distance:.3f} m")
    framed = viewpoint is None or viewpoint.camera is None
    if not framed:
        plant.apply_camera(viewpoint.camera)
    else:
        frame = _frame(boxes, pin, topic)
        plant.set_view("iso", frame=frame)
        if frame is not None:
            plant.zoom_to_fit(frame, fill=FILL)
    plant.plotter.render()
    image = Image.fromarray(plant.plotter.screenshot(return_img=True)).convert("RGB")
    pin_px = None
    if pin is not None:
        display, in_front = plant.project(pin[None, :])
        x, y = float(display[0, 0]), float(size[1] - display[0, 1])
        if in_front[0] and 0 <= x < size[0] and 0 <= y < size[1]:
            draw_pin(image, (x, y), topic.number, STATUS_COLORS[topic.status])
            pin_px = (x, y)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return TopicPicture(out.getvalue(), pin_px, tuple(marked), framed)


def render_topic_pictures(
    document: PlantDocument,
    library: EquipmentLibrary,
    topics: Iterable[Topic],
    size: tuple[int, int] = PICTURE_SIZE,
) -> dict[str, bytes]:
    """A PNG per topic (by guid) of its first viewpoint: one off-screen scene per site, reused for its topics."""
    by_site: dict[str, tuple[Site, list[Topic]]] = {}
    fallback = mother_site(document)
    for topic in topics:
        site = topic_site(document, topic) or fallback
        if site is not None:
            by_site.setdefault(site.id, (site, []))[1].append(topic)
    pictures: dict[str, bytes] = {}
    for site, site_topics in by_site.values():
        plotter = offscreen_plotter(size)
        try:
            plant = PlantView(plotter)
            if any(c.equipment for a in site.areas for li in a.lines for c in li.cells):
                plant.show_site(document, library, site, labels=True)
            else:
                plant.show_building_only(site)
            for topic in site_topics:
                pictures[topic.guid] = render_topic_picture(plant, topic, size).png
        finally:
            plotter.close()
    return pictures


def missing_pictures(
    document: PlantDocument,
    library: EquipmentLibrary,
    topics: Iterable[Topic],
    have: Mapping[str, bytes] | None = None,
    size: tuple[int, int] = PICTURE_SIZE,
) -> dict[str, bytes]:
    """Pictures for the topics that have no snapshot and none in `have`; `have` itself comes back with them."""
    given = dict(have or {})
    wanted = [t for t in topics if needs_picture(document, t) and not given.get(t.guid)]
    return {**given, **render_topic_pictures(document, library, wanted, size)}


def write_review_report_with_pictures(
    document: PlantDocument,
    library: EquipmentLibrary,
    path: Path,
    *,
    pictures: Mapping[str, bytes] | None = None,
    size: tuple[int, int] = PICTURE_SIZE,
    **options: Any,
) -> Path:
    """`viewer.review.report.write_review_report`, with the pictures of the report's topics that have no
    snapshot (and none in `pictures`) rendered first. `options`: statuses, site, line, participants,
    meeting_date, title, plant_file, generated_at, as write_review_report takes them."""
    report_format(path)  # a wrong suffix is refused before anything is rendered
    chosen = select_topics(ReviewReport(document, statuses=parse_statuses(str(s) for s in options.get("statuses", ())),
                                        site=options.get("site", ""), line=options.get("line", "")))  # fmt: skip
    return write_review_report(document, path, pictures=missing_pictures(document, library, chosen, pictures, size),
                               **options)  # fmt: skip
