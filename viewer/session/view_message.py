"""The presenter's view as a message body, and the camera coalescer that keeps camera messages at <= 30 Hz.

The view is a review viewpoint (camera, selection, hidden, isolated, X-ray, clipping box, active site,
colour-by, replayed time: the same fields and the same JSON a review topic keeps, checked against the plant
schema's `reviewViewpoint`) plus how the replay runs: live, or a cursor and a speed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from viewer.app.review_view import viewpoint_from_view
from viewer.app.view_state import ViewState
from viewer.io.jsonfmt import SchemaCheck, load_schema
from viewer.io.review_json import topic_from_dict, topic_to_dict, viewpoint_from_dict, viewpoint_to_dict
from viewer.model.review import ReviewViewpoint, Topic, Vec3
from viewer.model.views import CameraState
from viewer.session.messages import DropError, DropReason

VIEW_GUID = "session-view"  # the viewpoint's guid in a message: a session view is not a review topic's
CAMERA_HZ = 30.0


@dataclass(frozen=True, slots=True)
class ReplayCursor:
    """Live values, or a replay at `time` (ISO 8601 with offset) running at `speed` (0: paused)."""

    live: bool = True
    time: str = ""
    speed: float = 1.0


@dataclass(frozen=True, slots=True)
class SessionView:
    viewpoint: ReviewViewpoint = field(default_factory=lambda: ReviewViewpoint(VIEW_GUID))
    replay: ReplayCursor = field(default_factory=ReplayCursor)

    @property
    def camera(self) -> CameraState | None:
        return self.viewpoint.camera

    def with_camera(self, camera: CameraState | None) -> SessionView:
        return replace(self, viewpoint=replace(self.viewpoint, camera=camera))


def session_view_from_state(
    state: ViewState,
    *,
    clip_box: tuple[Vec3, Vec3] | None = None,
    color_by: str = "",
    replay: ReplayCursor | None = None,
) -> SessionView:
    """What the window publishes: the view state plus what only the window knows."""
    replay = replay or ReplayCursor()
    viewpoint = viewpoint_from_view(
        state, clip_box=clip_box, color_by=color_by, replay_time="" if replay.live else replay.time, guid=VIEW_GUID
    )
    return SessionView(viewpoint, replay)


@cache
def _check(definition: str) -> SchemaCheck:
    schema = load_schema("plant.schema.json")
    # The plant schema's own $id: without it, once the whole plant schema was compiled (a plant opened), the
    # compiler resolves "#/$defs/..." against that $id and tries to fetch it from the network.
    return SchemaCheck({"$id": schema["$id"], "$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"})


def _checked(definition: str, data: Any, where: str) -> None:
    problems = _check(definition).problems(data, where)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DropError(DropReason.BAD_BODY, f"{where} {first.where}: {first.message}{more}")


def view_to_body(view: SessionView) -> dict[str, Any]:
    viewpoint = replace(view.viewpoint, guid=VIEW_GUID, snapshot="", markup=())
    replay = {"live": view.replay.live, "time": view.replay.time, "speed": view.replay.speed}
    return {"view": viewpoint_to_dict(viewpoint), "replay": replay}


def view_from_body(body: dict[str, Any]) -> SessionView:
    view, replay = body.get("view"), body.get("replay", {})
    _checked("reviewViewpoint", view, "state.view")
    if not isinstance(replay, dict):
        raise DropError(DropReason.BAD_BODY, "state.replay: expected an object")
    live, time, speed = replay.get("live", True), replay.get("time", ""), replay.get("speed", 1.0)
    if not isinstance(live, bool) or not isinstance(time, str):
        raise DropError(DropReason.BAD_BODY, "state.replay: expected 'live' true/false and 'time' text")
    if isinstance(speed, bool) or not isinstance(speed, int | float):
        raise DropError(DropReason.BAD_BODY, "state.replay.speed: expected a number")
    assert isinstance(view, dict)
    return SessionView(viewpoint_from_dict(view), ReplayCursor(live, time, float(speed)))


def camera_to_body(camera: CameraState) -> dict[str, Any]:
    return {"camera": camera.to_dict()}


def camera_from_body(body: dict[str, Any]) -> CameraState:
    _checked("reviewViewpoint", {"guid": VIEW_GUID, "camera": body.get("camera")}, "camera")
    return CameraState.from_dict(body["camera"])


def topics_to_body(put: list[Topic], removed: list[str]) -> dict[str, Any]:
    return {"put": [topic_to_dict(topic) for topic in put], "removed": list(removed)}


def topics_from_body(body: dict[str, Any]) -> tuple[list[Topic], list[str]]:
    put, removed = body.get("put", []), body.get("removed", [])
    if not isinstance(put, list) or not isinstance(removed, list):
        raise DropError(DropReason.BAD_BODY, "topics: expected 'put' and 'removed' lists")
    for i, data in enumerate(put):
        _checked("reviewTopic", data, f"topics.put[{i}]")
    for i, guid in enumerate(removed):
        _checked("guid", guid, f"topics.removed[{i}]")
    return [topic_from_dict(data) for data in put], [str(guid) for guid in removed]


class CameraCoalescer:
    """At most one camera per 1/`hz` seconds, the newest winning; the last one of a move is always sent.

    `offer` says what to send now (or None: it waits); `due` gives the waiting one once its slot comes. Pure:
    the caller passes the clock (monotonic seconds)."""

    def __init__(self, hz: float = CAMERA_HZ) -> None:
        self.interval = 1.0 / hz
        self._last_sent = -float("inf")
        self._pending: CameraState | None = None

    def offer(self, camera: CameraState, now: float) -> CameraState | None:
        if self._slot_open(now):
            self._last_sent, self._pending = now, None  # newest wins over one still waiting
            return camera
        self._pending = camera
        return None

    def _slot_open(self, now: float) -> bool:
        return now - self._last_sent >= self.interval - 1e-9  # 1e-9: a wait_time slept exactly is on time

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def wait_time(self, now: float) -> float | None:
        """Seconds until the waiting camera is due, None when none waits."""
        if self._pending is None:
            return None
        return max(0.0, self._last_sent + self.interval - now)

    def due(self, now: float) -> CameraState | None:
        if self._pending is None or not self._slot_open(now):
            return None
        camera, self._pending = self._pending, None
        self._last_sent = now
        return camera
