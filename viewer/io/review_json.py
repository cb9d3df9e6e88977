"""The plant document's `review` section: topics in the order raised, snapshots as base64 PNG by SHA-256.

Empty fields are left out so a save stays short and `git diff` of two saves reads well; snapshots are written
sorted by key and only those a viewpoint still names (a deleted topic's picture goes with its next save).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from viewer.model.review import (
    Comment,
    MarkupKind,
    MarkupShape,
    Measurement,
    Priority,
    ReviewBook,
    ReviewViewpoint,
    Topic,
    TopicStatus,
    TopicType,
    snapshot_key,
)
from viewer.model.views import CameraState

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _vec3(values: Any) -> tuple[float, float, float]:
    x, y, z = (float(v) for v in values)
    return (x, y, z)


def _drop_empty(out: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in out.items() if v not in ("", None, [], (), False)}


# ---------------------------------------------------------------- model -> dict


def markup_to_dict(shape: MarkupShape) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": shape.kind.value, "points": [[round(x, 5), round(y, 5)] for x, y in shape.points]}
    out["color"] = list(shape.color)
    out["width"] = shape.width
    if shape.text:
        out["text"] = shape.text
    return out


def viewpoint_to_dict(viewpoint: ReviewViewpoint) -> dict[str, Any]:
    out: dict[str, Any] = {
        "guid": viewpoint.guid,
        "camera": viewpoint.camera.to_dict() if viewpoint.camera else None,
        "site": viewpoint.site,
        "selection": list(viewpoint.selection),
        "hidden": list(viewpoint.hidden),
        "isolated": viewpoint.isolated,
        "xray": viewpoint.xray,
        "clip_box": [list(viewpoint.clip_box[0]), list(viewpoint.clip_box[1])] if viewpoint.clip_box else None,
        "color_by": viewpoint.color_by,
        "replay_time": viewpoint.replay_time,
        "snapshot": viewpoint.snapshot,
        "markup": [markup_to_dict(m) for m in viewpoint.markup],
    }
    return _drop_empty(out)


def comment_to_dict(comment: Comment) -> dict[str, Any]:
    return _drop_empty(
        {
            "guid": comment.guid,
            "author": comment.author,
            "date": comment.date,
            "text": comment.text,
            "viewpoint": comment.viewpoint,
            "modified_author": comment.modified_author,
            "modified_date": comment.modified_date,
        }
    )


def topic_to_dict(topic: Topic) -> dict[str, Any]:
    out: dict[str, Any] = {
        "guid": topic.guid,
        "number": topic.number,
        "title": topic.title,
        "type": topic.type.value,
        "status": topic.status.value,
        "priority": topic.priority.value,
        "description": topic.description,
        "labels": list(topic.labels),
        "assignee": topic.assignee,
        "due_date": topic.due_date,
        "author": topic.author,
        "created": topic.created,
        "modified_author": topic.modified_author,
        "modified": topic.modified,
        "site": topic.site,
        "equipment": list(topic.equipment),
        "pin": list(topic.pin) if topic.pin is not None else None,
        "decision": topic.decision,
        "related": list(topic.related),
        "measurement": (
            {"start": list(topic.measurement.start), "end": list(topic.measurement.end)} if topic.measurement else None
        ),
        "comments": [comment_to_dict(c) for c in topic.comments],
        "viewpoints": [viewpoint_to_dict(v) for v in topic.viewpoints],
    }
    kept = ("guid", "number", "title", "type", "status", "priority")
    return {k: v for k, v in out.items() if k in kept or v not in ("", None, [])}


def review_to_dict(book: ReviewBook) -> dict[str, Any]:
    return {
        "topics": [topic_to_dict(t) for t in book.topics],
        "snapshots": {key: base64.b64encode(book.snapshots[key]).decode("ascii") for key in book.used_snapshots()},
    }


# ---------------------------------------------------------------- dict -> model (after the schema check)


def markup_from_dict(data: dict[str, Any]) -> MarkupShape:
    r, g, b = (int(c) for c in data.get("color", (230, 40, 40)))
    return MarkupShape(
        kind=MarkupKind(data["kind"]),
        points=tuple((float(x), float(y)) for x, y in data["points"]),
        color=(r, g, b),
        width=float(data.get("width", 4.0)),
        text=str(data.get("text", "")),
    )


def viewpoint_from_dict(data: dict[str, Any]) -> ReviewViewpoint:
    box = data.get("clip_box")
    return ReviewViewpoint(
        guid=data["guid"],
        camera=CameraState.from_dict(data["camera"]) if data.get("camera") else None,
        site=data.get("site", ""),
        selection=tuple(data.get("selection", ())),
        hidden=tuple(sorted(data.get("hidden", ()))),
        isolated=data.get("isolated"),
        xray=bool(data.get("xray", False)),
        clip_box=(_vec3(box[0]), _vec3(box[1])) if box else None,
        color_by=data.get("color_by", ""),
        replay_time=data.get("replay_time", ""),
        snapshot=data.get("snapshot", ""),
        markup=tuple(markup_from_dict(m) for m in data.get("markup", ())),
    )


def comment_from_dict(data: dict[str, Any]) -> Comment:
    return Comment(
        guid=data["guid"],
        author=data.get("author", ""),
        date=data.get("date", ""),
        text=data.get("text", ""),
        viewpoint=data.get("viewpoint", ""),
        modified_author=data.get("modified_author", ""),
        modified_date=data.get("modified_date", ""),
    )


def topic_from_dict(data: dict[str, Any]) -> Topic:
    measurement = data.get("measurement")
    return Topic(
        guid=data["guid"],
        title=data["title"],
        number=int(data.get("number", 0)),
        description=data.get("description", ""),
        type=TopicType(data.get("type", TopicType.ISSUE.value)),
        status=TopicStatus(data.get("status", TopicStatus.OPEN.value)),
        priority=Priority(data.get("priority", Priority.NORMAL.value)),
        labels=tuple(data.get("labels", ())),
        assignee=data.get("assignee", ""),
        due_date=data.get("due_date", ""),
        author=data.get("author", ""),
        created=data.get("created", ""),
        modified_author=data.get("modified_author", ""),
        modified=data.get("modified", ""),
        site=data.get("site", ""),
        equipment=tuple(data.get("equipment", ())),
        pin=_vec3(data["pin"]) if data.get("pin") is not None else None,
        decision=data.get("decision", ""),
        comments=tuple(comment_from_dict(c) for c in data.get("comments", ())),
        viewpoints=tuple(viewpoint_from_dict(v) for v in data.get("viewpoints", ())),
        related=tuple(data.get("related", ())),
        measurement=(
            Measurement(_vec3(measurement["start"]), _vec3(measurement["end"])) if measurement is not None else None
        ),
    )


def review_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """What the schema cannot say: snapshots that are not the PNG their key names, viewpoints naming a
    snapshot the file lacks, a guid used twice. (place, message) pairs, places as JSON paths."""
    problems: list[tuple[str, str]] = []
    snapshots = data.get("snapshots", {})
    for key, text in snapshots.items():
        try:
            png = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            problems.append((f"$.review.snapshots.{key}", "expected base64 PNG data"))
            continue
        if not png.startswith(PNG_SIGNATURE):
            problems.append((f"$.review.snapshots.{key}", "expected a PNG picture"))
        elif snapshot_key(png) != key:
            problems.append((f"$.review.snapshots.{key}", "the picture's SHA-256 is not its key: the file was changed"))
    seen: set[str] = set()
    for i, topic in enumerate(data.get("topics", [])):
        if topic["guid"] in seen:
            problems.append((f"$.review.topics[{i}].guid", f"guid {topic['guid']!r} is used by an earlier topic"))
        seen.add(topic["guid"])
        for j, viewpoint in enumerate(topic.get("viewpoints", [])):
            key = viewpoint.get("snapshot", "")
            if key and key not in snapshots:
                problems.append(
                    (f"$.review.topics[{i}].viewpoints[{j}].snapshot", f"no snapshot {key[:12]}… in review.snapshots")
                )
    return problems


def review_from_dict(data: dict[str, Any]) -> ReviewBook:
    return ReviewBook(
        topics=[topic_from_dict(t) for t in data.get("topics", [])],
        snapshots={key: base64.b64decode(text) for key, text in data.get("snapshots", {}).items()},
    )
