"""Markup drawn on snapshots: the strokes land where the shapes say, in their colour."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from viewer.io import load_document
from viewer.model.review import MarkupKind, MarkupShape
from viewer.review.markup_draw import snapshot_with_markup
from viewer.review.synthetic import synthetic_topics


def _white(size: tuple[int, int] = (400, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(out, format="PNG")
    return out.getvalue()


def test_shapes_are_drawn_where_they_say() -> None:
    shapes = (
        MarkupShape(MarkupKind.RECTANGLE, ((0.1, 0.1), (0.3, 0.5)), (0, 0, 255), 6.0),
        MarkupShape(MarkupKind.ARROW, ((0.5, 0.8), (0.9, 0.2)), (255, 0, 0), 6.0),
        MarkupShape(MarkupKind.FREEHAND, ((0.05, 0.9), (0.2, 0.95), (0.4, 0.9)), (0, 160, 0), 6.0),
        MarkupShape(MarkupKind.TEXT, ((0.55, 0.55),), (0, 0, 0), 4.0, "too close"),
    )
    pixels = np.asarray(Image.open(io.BytesIO(snapshot_with_markup(_white(), shapes))).convert("RGB")).astype(int)
    assert tuple(pixels[20, 40]) == (0, 0, 255)  # the rectangle's top left corner (x 40, y 20)
    assert tuple(pixels[60, 80]) == (255, 255, 255)  # inside it: outline only
    head = pixels[40:50, 350:360]
    assert ((head[..., 0] > 200) & (head[..., 1] < 60)).any()  # the arrow's head, red
    assert ((pixels[..., 1] > 120) & (pixels[..., 0] < 60) & (pixels[..., 2] < 60)).sum() > 50  # the green stroke
    text_area = pixels[110:150, 220:340]
    assert (text_area.sum(axis=2) < 150).sum() > 30  # dark text pixels
    assert snapshot_with_markup(_white(), ()) == _white()


def test_synthetic_topics_are_deterministic_and_on_equipment(demo_path) -> None:
    plant = load_document(demo_path)
    topics, pictures = synthetic_topics(plant, 20, seed=3)
    again, _ = synthetic_topics(plant, 20, seed=3)
    assert [t.guid for t in topics] == [t.guid for t in again] and len(pictures) == 20
    ids = {p.equipment.id for p in plant.iter_equipment()}
    assert all(t.equipment[0] in ids and t.pin is not None for t in topics)
    assert all(t.viewpoints[0].snapshot in pictures for t in topics)
