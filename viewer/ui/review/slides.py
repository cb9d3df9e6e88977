"""The slides of a presentation: review topics or saved viewpoints, each with its caption and its view.

No Qt here: a slide is plain data the presentation mode shows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Literal

from viewer.model import PlantDocument
from viewer.model.review import ReviewViewpoint, Topic, TopicStatus, Vec3
from viewer.model.views import CameraState, Viewpoint

SlideSource = Literal["topics", "viewpoints"]
# A topic with a pin and no camera is looked at from here (offset from the pin, metres): the direction of the
# synthetic topics' viewpoints and near the isometric preset, close enough to see the equipment it is on.
PIN_VIEW_OFFSET: Vec3 = (12.0, -14.0, 9.0)
OPEN_STATUSES = (TopicStatus.OPEN, TopicStatus.IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class Slide:
    """One slide: its caption and what it shows (a topic's viewpoint, a saved viewpoint, or nothing to move
    to: the camera stays)."""

    title: str
    subtitle: str = ""
    view: ReviewViewpoint | Viewpoint | None = None

    @property
    def camera(self) -> CameraState | None:
        return self.view.camera if self.view is not None else None

    @property
    def site(self) -> str:
        return self.view.site if self.view is not None else ""


def pin_camera(pin: Vec3) -> CameraState:
    """A camera looking at a pin from above and in front."""
    x, y, z = pin
    dx, dy, dz = PIN_VIEW_OFFSET
    return CameraState(position=(x + dx, y + dy, z + dz), focal_point=(x, y, z))


def topic_subtitle(topic: Topic) -> str:
    """"#12 · Issue · Open · High priority · Assigned to kim · Due 2026-12-20"."""
    parts = [f"#{topic.number}" if topic.number else "", topic.type.value.title(), topic.status.value.capitalize()]
    if topic.priority.value != "normal":
        parts.append(f"{topic.priority.value.capitalize()} priority")
    parts.append(f"Assigned to {topic.assignee}" if topic.assignee else "Unassigned")
    if topic.due_date:
        parts.append(f"Due {topic.due_date}")
    return "  ·  ".join(p for p in parts if p)


def topic_slide(topic: Topic) -> Slide:
    """A topic's slide: its first viewpoint; one without a camera is framed on the topic's pin."""
    view = topic.viewpoints[0] if topic.viewpoints else None
    if view is None or view.camera is None:
        camera = pin_camera(topic.pin) if topic.pin is not None else None
        if view is None:
            view = ReviewViewpoint(guid=topic.guid, camera=camera, site=topic.site, selection=topic.equipment)
        else:
            view = replace(view, camera=camera, site=view.site or topic.site)
    return Slide(topic.title or f"Topic #{topic.number}", topic_subtitle(topic), view)


def slides_from_document(
    document: PlantDocument,
    source: SlideSource = "topics",
    statuses: Collection[TopicStatus | str] | None = None,
) -> list[Slide]:
    """The document's review topics (in the order they were raised, those of `statuses` only when given) or
    its saved viewpoints, as slides."""
    if source == "viewpoints":
        names = {site.id: site.name for site in document.sites}
        several = len(document.sites) > 1
        def where(site: str) -> str:
            return f"Saved viewpoint  ·  {names.get(site, site)}" if several and site else "Saved viewpoint"

        return [Slide(v.name, where(v.site), v) for v in document.viewpoints]
    if source != "topics":
        raise ValueError(f"unknown slide source {source!r}; expected 'topics' or 'viewpoints'")
    wanted = {TopicStatus(s) for s in statuses} if statuses is not None else None
    return [topic_slide(t) for t in document.review.topics if wanted is None or t.status in wanted]
