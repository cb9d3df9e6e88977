"""Review topics: the points a layout review raises, pinned in 3D, kept in the plant document.

"Topic" is the BCF word (BIM Collaboration Format, buildingSMART): a title, a type and a status, who raised it
and who acts on it, a thread of comments and one or more viewpoints. A viewpoint is the whole view state (camera,
selection, visibility, X-ray, clipping box, colour-by, replay time) plus a snapshot picture and its markup.

Everything here is immutable: an edit replaces a topic by a changed copy (`dataclasses.replace`), so undo keeps
the old object. Snapshots are PNG bytes held once in `ReviewBook.snapshots`, keyed by their SHA-256, and named
by that key from the viewpoints; a plant save writes only those still named.

A topic's pin is a 3D point kept with it (an equipment's centre, or a point picked on the floor), so a topic
whose equipment is later deleted keeps its place, and `missing_equipment` says which are gone.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum

from viewer.model.views import CameraState

Vec3 = tuple[float, float, float]
Point2 = tuple[float, float]
Rgb = tuple[int, int, int]


class TopicType(StrEnum):
    ISSUE = "issue"
    QUESTION = "question"
    DECISION = "decision"
    REQUEST = "request"


class TopicStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in progress"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_done(self) -> bool:
        return self in (TopicStatus.RESOLVED, TopicStatus.CLOSED)


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Higher is more urgent: sorting by priority puts critical first."""
        return list(Priority).index(self)


class MarkupKind(StrEnum):
    ARROW = "arrow"  # two points: tail, head
    FREEHAND = "freehand"  # a polyline
    RECTANGLE = "rectangle"  # two opposite corners
    TEXT = "text"  # one point: the text's top left


def new_guid() -> str:
    """A BCF GUID: a UUID in its 36-character form, lower case."""
    return str(uuid.uuid4())


def now_iso() -> str:
    """The time now, to the second, with its UTC offset (BCF dates are xs:dateTime)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def snapshot_key(png: bytes) -> str:
    return hashlib.sha256(png).hexdigest()


@dataclass(frozen=True, slots=True)
class MarkupShape:
    """A stroke drawn on a snapshot. Points are fractions of the picture (0..1, origin top left), so the
    markup fits the snapshot at any size; width is in pixels of a picture 1000 pixels wide."""

    kind: MarkupKind
    points: tuple[Point2, ...]
    color: Rgb = (230, 40, 40)
    width: float = 4.0
    text: str = ""


@dataclass(frozen=True, slots=True)
class ReviewViewpoint:
    """The view a topic is about: what `ViewState` holds, what the window adds, and a snapshot."""

    guid: str
    camera: CameraState | None = None
    site: str = ""  # site id
    selection: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()  # ids hidden (equipment or a group above them), sorted
    isolated: str | None = None  # the one group shown alone, if any
    xray: bool = False
    clip_box: tuple[Vec3, Vec3] | None = None  # lowest and highest corner, site metres
    color_by: str = ""  # what the 3D view colours by ("" for by type); the sensor overlay's mode or signal
    replay_time: str = ""  # the replayed moment (ISO 8601 with offset), "" when not replaying
    snapshot: str = ""  # key into ReviewBook.snapshots, "" for none
    markup: tuple[MarkupShape, ...] = ()


@dataclass(frozen=True, slots=True)
class Comment:
    guid: str
    author: str
    date: str  # ISO 8601 with offset
    text: str
    viewpoint: str = ""  # the guid of a viewpoint of the topic this comment is about
    modified_author: str = ""
    modified_date: str = ""


@dataclass(frozen=True, slots=True)
class Measurement:
    """A distance taken with the measure tool, kept as a review topic (site metres)."""

    start: Vec3
    end: Vec3

    @property
    def distance(self) -> float:
        return math.dist(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Topic:
    guid: str
    title: str
    number: int = 0  # shown as "#12" in the meeting; unique in a book
    description: str = ""
    type: TopicType = TopicType.ISSUE
    status: TopicStatus = TopicStatus.OPEN
    priority: Priority = Priority.NORMAL
    labels: tuple[str, ...] = ()
    assignee: str = ""
    due_date: str = ""  # ISO date "2026-12-20", "" for none
    author: str = ""
    created: str = ""
    modified_author: str = ""
    modified: str = ""
    site: str = ""  # site id the topic is at
    equipment: tuple[str, ...] = ()  # equipment ids it is pinned to
    pin: Vec3 | None = None  # where its pin stands, site metres
    decision: str = ""  # what the meeting decided
    comments: tuple[Comment, ...] = ()
    viewpoints: tuple[ReviewViewpoint, ...] = ()
    related: tuple[str, ...] = ()  # guids of related topics
    measurement: Measurement | None = None

    def missing_equipment(self, known_ids: Iterable[str]) -> list[str]:
        """The equipment this topic names that the plant no longer has (deleted since)."""
        known = set(known_ids)
        return [i for i in self.equipment if i not in known]

    def with_comment(self, comment: Comment) -> Topic:
        return replace(self, comments=(*self.comments, comment), modified=comment.date, modified_author=comment.author)


@dataclass(slots=True)
class ReviewBook:
    """The review topics of a plant document, in the order they were raised, and their snapshots."""

    topics: list[Topic] = field(default_factory=list)
    snapshots: dict[str, bytes] = field(default_factory=dict)

    def topic(self, guid: str) -> Topic | None:
        return next((t for t in self.topics if t.guid == guid), None)

    def index_of(self, guid: str) -> int:
        for index, topic in enumerate(self.topics):
            if topic.guid == guid:
                return index
        raise KeyError(f"no review topic with guid {guid!r}")

    def next_number(self) -> int:
        return max((t.number for t in self.topics), default=0) + 1

    def add_snapshot(self, png: bytes) -> str:
        key = snapshot_key(png)
        self.snapshots[key] = png
        return key

    def used_snapshots(self) -> list[str]:
        """Snapshot keys named by a viewpoint, sorted (what a save writes)."""
        return sorted(
            {v.snapshot for t in self.topics for v in t.viewpoints if v.snapshot and v.snapshot in self.snapshots}
        )

    def __len__(self) -> int:
        return len(self.topics)


def changed_topic(topic: Topic, author: str, **changes: object) -> Topic:
    """A copy of a topic with some fields changed, stamped with who changed it and when."""
    return replace(topic, **changes, modified_author=author, modified=now_iso())  # type: ignore[arg-type]


def new_topic(
    book: ReviewBook,
    title: str,
    author: str,
    *,
    equipment: Sequence[str] = (),
    pin: Vec3 | None = None,
    site: str = "",
    viewpoint: ReviewViewpoint | None = None,
    **fields: object,
) -> Topic:
    """A topic numbered after the book's last one, created now by `author`."""
    now = now_iso()
    return Topic(
        guid=new_guid(),
        title=title,
        number=book.next_number(),
        author=author,
        created=now,
        modified_author=author,
        modified=now,
        site=site,
        equipment=tuple(equipment),
        pin=pin,
        viewpoints=(viewpoint,) if viewpoint is not None else (),
        **fields,  # type: ignore[arg-type]
    )
