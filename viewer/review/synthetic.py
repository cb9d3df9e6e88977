"""Synthetic review topics for benchmarks and tests: a busy review of a big plant, deterministic for a seed.

Each topic is pinned to an equipment, has a viewpoint looking at it, comments, labels and (optionally) a
snapshot picture of its own (a small PNG with noise, so PNG compression cannot make it trivially small).
"""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
from PIL import Image

from viewer.model import PlantDocument
from viewer.model.geometry import equipment_world_matrices
from viewer.model.review import (
    Comment,
    MarkupKind,
    MarkupShape,
    Priority,
    ReviewViewpoint,
    Topic,
    TopicStatus,
    TopicType,
    snapshot_key,
)
from viewer.model.views import CameraState

LABELS = ("layout", "safety", "utilities", "maintenance access", "AGV route", "process")
PEOPLE = ("kim.minjun", "lee.seoyeon", "park.jihoon", "choi.yuna", "j.miller", "a.novak")


def noise_png(rng: np.random.Generator, size: tuple[int, int] = (320, 180)) -> bytes:
    """A picture like a snapshot in weight: smooth colour with some noise."""
    width, height = size
    base = rng.integers(40, 200, size=3)
    gradient = np.linspace(0, 60, width, dtype=np.float32)[None, :, None]
    pixels = base[None, None, :] + gradient + rng.normal(0, 12, size=(height, width, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def synthetic_topics(
    document: PlantDocument, count: int, *, snapshots: bool = True, seed: int = 0
) -> tuple[list[Topic], dict[str, bytes]]:
    """`count` topics on equipment of the document's first site, with their snapshots by key."""
    rng = np.random.default_rng(seed)
    site = document.sites[0]
    equipment = [e for a in site.areas for li in a.lines for c in li.cells for e in c.equipment]
    matrices = equipment_world_matrices(document, site)
    picks = rng.choice(len(equipment), size=count, replace=count > len(equipment))
    pictures: dict[str, bytes] = {}
    topics: list[Topic] = []
    for number, index in enumerate(picks, start=1):
        target = equipment[int(index)]
        x, y, z = (float(v) for v in matrices[int(index)][:3, 3])
        camera = CameraState((x + 12.0, y - 14.0, z + 9.0), (x, y, z + 1.0))
        key = ""
        if snapshots:
            png = noise_png(rng)
            key = snapshot_key(png)
            pictures[key] = png
        guid = f"{seed:08x}-0000-4000-8000-{number:012x}"
        viewpoint = ReviewViewpoint(
            guid=f"{seed:08x}-0000-4000-9000-{number:012x}",
            camera=camera,
            site=site.id,
            selection=(target.id,),
            snapshot=key,
            markup=(MarkupShape(MarkupKind.ARROW, ((0.2, 0.2), (0.48, 0.46))),),
        )
        day = 1 + number % 28
        author = PEOPLE[number % len(PEOPLE)]
        topic = Topic(
            guid=guid,
            title=f"Check clearance at {target.name}",
            number=number,
            description=f"Maintenance access to {target.name} looks tight on the plan.",
            type=list(TopicType)[number % len(TopicType)],
            status=list(TopicStatus)[int(rng.integers(0, len(TopicStatus)))],
            priority=list(Priority)[int(rng.integers(0, len(Priority)))],
            labels=tuple(sorted({LABELS[number % len(LABELS)], LABELS[(number * 7) % len(LABELS)]})),
            assignee=PEOPLE[(number * 3) % len(PEOPLE)],
            due_date=f"2027-01-{day:02d}",
            author=author,
            created=f"2026-12-{1 + number % 6:02d}T09:{number % 60:02d}:00+09:00",
            site=site.id,
            equipment=(target.id,),
            pin=(x, y, z + 2.5),
            viewpoints=(viewpoint,),
        )
        comments = tuple(
            Comment(
                guid=f"{seed:08x}-0000-4000-a{k:03x}-{number:012x}",
                author=PEOPLE[(number + k) % len(PEOPLE)],
                date=f"2026-12-0{1 + k}T10:00:00+09:00",
                text=f"Comment {k + 1} on {target.name}",
                viewpoint=viewpoint.guid if k == 0 else "",
            )
            for k in range(int(rng.integers(1, 4)))
        )
        topics.append(replace(topic, comments=comments))
    return topics, pictures
