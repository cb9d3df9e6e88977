"""A topic's view and the window: what a new topic keeps of the view now (with what the window adds to the view
state: the clipping box, the colour-by signal, the replayed time, a snapshot), and putting it back."""

from __future__ import annotations

import getpass
import io
from datetime import datetime

import numpy as np
from PIL import Image

from viewer.app.review_view import RestoredExtras, apply_viewpoint
from viewer.model.review import Topic, Vec3
from viewer.scene.batch import EquipmentBatch
from viewer.ui.review.host import ReviewHost


def restore_view(window: ReviewHost, topic: Topic) -> list[str]:
    """Put the topic's first viewpoint back: site, visibility, selection, X-ray, camera, and the window's
    clipping box, colour-by and replay time. Returns what could not be put back, in words."""
    w = window
    missed: list[str] = []
    if not topic.viewpoints:
        ids = [i for i in topic.equipment if i in w._site_of]
        if topic.site and topic.site != w.state.active_site:
            w.state.set_active_site(topic.site)
        w.state.select(ids)
        if ids:
            w.scene.fit_ids(ids)
        return ["the topic has no viewpoint (its equipment is selected)"]
    viewpoint = topic.viewpoints[0]
    extras = apply_viewpoint(w.state, viewpoint, w._site_of.keys())
    gone = [i for i in viewpoint.selection if i not in w._site_of]
    if gone:
        missed.append(f"selection of {', '.join(gone)} (deleted since)")
    return missed + restore_extras(window, extras)


def restore_extras(window: ReviewHost, extras: RestoredExtras) -> list[str]:
    """The parts of a viewpoint the window holds (clipping box, colour-by, replay time); returns what could not
    be put back. Presentation mode restores its slides' through this too."""
    w = window
    if extras.clip_box is not None:
        w.scene.set_clipping(True, np.array(extras.clip_box, float))
        w.clip_action.setChecked(True)
    elif w.scene.clip_widget is not None:
        w.scene.set_clipping(False)
        w.clip_action.setChecked(False)
    return restore_sensors(window, extras.color_by, extras.replay_time)


def restore_sensors(window: ReviewHost, color_by: str, replay_time: str) -> list[str]:
    """Colour-by and replay time, through the sensor features (`window.sensor_ui`) when they can; returns what
    they could not: a signal no longer bound, a time outside the recording open (or none open)."""
    sensors = getattr(window, "sensor_ui", None)
    controller = getattr(sensors, "controller", None)
    missed: list[str] = []
    if controller is not None:
        if color_by and color_by in controller.colorable_signals():
            sensors.set_color_by(color_by)  # type: ignore[union-attr]
        elif color_by:
            missed.append(f"colour by {color_by} (no such signal bound now)")
        elif controller.color_by:
            sensors.set_color_by(None)  # type: ignore[union-attr]
    elif color_by:
        missed.append(f"colour by {color_by} (no sensor features)")
    if replay_time:
        timeline = getattr(controller, "timeline", None)
        try:
            at = datetime.fromisoformat(replay_time).timestamp()
        except ValueError:
            missed.append(f"replay time {replay_time!r} (not a time)")
            return missed
        if getattr(timeline, "source", None) is not None and timeline.start_time <= at <= timeline.end_time:  # type: ignore[union-attr]
            timeline.set_mode("replay")  # type: ignore[union-attr]
            timeline.seek(at)  # type: ignore[union-attr]
        else:
            missed.append(f"replay time {replay_time} (no recording open that holds it)")
    return missed


def view_extras(window: ReviewHost) -> tuple[tuple[Vec3, Vec3] | None, str, str]:
    """What the window adds to the view state now: clipping box (None: off), colour-by, replayed time."""
    w = window
    box = w.scene.view.clip_box if w.scene.clip_widget is not None else None
    clip = None if box is None else (tuple(map(float, box[0])), tuple(map(float, box[1])))
    sensors = getattr(w, "sensor_ui", None)
    controller = getattr(sensors, "controller", None)
    color_by = (controller.color_by or "") if controller is not None else ""
    replay = ""
    timeline = getattr(controller, "timeline", None)
    if timeline is not None and timeline.source is not None and str(timeline.mode) == "replay":
        replay = sensors.clock.display.iso(timeline.cursor)  # type: ignore[union-attr]
    return clip, color_by, replay  # type: ignore[return-value]


def png_bytes(image: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image[:, :, :3])).save(out, format="PNG")
    return out.getvalue()


def equipment_at(batch: EquipmentBatch | None, point: np.ndarray) -> str | None:
    """The smallest shown equipment whose box holds a point (a measured end on it), else None."""
    if batch is None or not len(batch):
        return None
    lo, hi = batch.bounds[:, 0], batch.bounds[:, 1]
    inside = np.flatnonzero(((lo - 1e-3) <= point).all(axis=1) & (point <= (hi + 1e-3)).all(axis=1) & batch.visible)
    if not len(inside):
        return None
    volume = np.prod(hi[inside] - lo[inside], axis=1)
    return batch.paths[int(inside[np.argmin(volume)])].equipment.id


def default_author() -> str:
    """Who signs topics and comments until told otherwise: the system's user name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment nor the password database
        return "reviewer"
