"""Between the view state and a review viewpoint: what a topic keeps of the view, and putting it back.

The window adds what the view state does not hold (the clipping box, the colour-by mode, the replayed time and
the snapshot); restoring gives those back to it as `RestoredExtras`, the rest goes straight into the ViewState.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from viewer.app.view_state import ViewState
from viewer.model.review import ReviewViewpoint, Vec3, new_guid


@dataclass(frozen=True, slots=True)
class RestoredExtras:
    """The parts of a viewpoint the window applies itself."""

    clip_box: tuple[Vec3, Vec3] | None
    color_by: str
    replay_time: str


def viewpoint_from_view(
    state: ViewState,
    *,
    clip_box: tuple[Vec3, Vec3] | None = None,
    color_by: str = "",
    replay_time: str = "",
    snapshot: str = "",
    guid: str | None = None,
) -> ReviewViewpoint:
    return ReviewViewpoint(
        guid=guid or new_guid(),
        camera=state.camera,
        site=state.active_site or "",
        selection=state.selection,
        hidden=tuple(sorted(state.hidden)),
        isolated=state.isolated,
        xray=state.xray,
        clip_box=clip_box,
        color_by=color_by,
        replay_time=replay_time,
        snapshot=snapshot,
    )


def apply_viewpoint(
    state: ViewState, viewpoint: ReviewViewpoint, known_ids: Iterable[str] | None = None
) -> RestoredExtras:
    """Site first (a site change clears the camera), then visibility, selection, X-ray and camera.

    With `known_ids`, ids the plant no longer has are left out of the selection (a deleted equipment)."""
    if viewpoint.site and viewpoint.site != state.active_site:
        state.set_active_site(viewpoint.site)
    state.set_visibility(viewpoint.hidden, viewpoint.isolated)
    selection = viewpoint.selection
    if known_ids is not None:
        known = set(known_ids)
        selection = tuple(i for i in selection if i in known)
    state.select(selection)
    state.set_xray(viewpoint.xray)
    if viewpoint.camera is not None:
        state.set_camera(viewpoint.camera)
    return RestoredExtras(viewpoint.clip_box, viewpoint.color_by, viewpoint.replay_time)
