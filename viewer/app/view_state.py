"""What the engineer is looking at: selection, visibility, active site, camera, X-ray.

A small object with change events and no Qt or VTK, so that the window, saved viewpoints, review notes and
remote "follow me" sessions can all share it: it round-trips through JSON. Widgets and the 3D view only listen;
the 3D view is given plain values (ids, masks, a camera), it never imports this.

Saved viewpoints are not held here: they belong to the plant document (`PlantDocument.viewpoints`, changed by
undoable edits), so they travel with the plant file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from psygnal import Signal

from viewer.model import EquipmentPath
from viewer.model.views import CameraState

VIEW_STATE_FORMAT = "mothertwin-view-state"
VIEW_STATE_VERSION = 1


def path_ids(path: EquipmentPath) -> tuple[str, str, str, str, str]:
    """Ids of an equipment and of every group above it, site first."""
    return (path.site.id, path.area.id, path.line.id, path.cell.id, path.equipment.id)


class ViewState:
    """Selection and visibility hold ids (stable across saves and clones), never indices or objects."""

    selection_changed = Signal(tuple)
    visibility_changed = Signal()
    active_site_changed = Signal(object)
    camera_changed = Signal(object)
    xray_changed = Signal(bool)

    def __init__(self) -> None:
        self.selection: tuple[str, ...] = ()
        self.hidden: frozenset[str] = frozenset()
        self.isolated: str | None = None
        self.active_site: str | None = None
        self.camera: CameraState | None = None
        self.xray: bool = False

    # ------------------------------------------------------------ selection

    def select(self, ids: Sequence[str]) -> None:
        # dict.fromkeys keeps the order and drops repeats: the first id is the one the inspector details.
        selection = tuple(dict.fromkeys(ids))
        if selection != self.selection:
            self.selection = selection
            self.selection_changed.emit(selection)

    def add_to_selection(self, ids: Sequence[str]) -> None:
        self.select([*self.selection, *ids])

    def toggle_selected(self, equipment_id: str) -> None:
        if equipment_id in self.selection:
            self.select([i for i in self.selection if i != equipment_id])
        else:
            self.add_to_selection([equipment_id])

    def clear_selection(self) -> None:
        self.select(())

    # ------------------------------------------------------------ visibility

    def hide(self, ids: Iterable[str]) -> None:
        self._set_visibility(self.hidden | set(ids), self.isolated)

    def show(self, ids: Iterable[str]) -> None:
        self._set_visibility(self.hidden - set(ids), self.isolated)

    def isolate(self, group_id: str | None) -> None:
        """Show only one area, line, cell or equipment (None: no isolation)."""
        self._set_visibility(self.hidden, group_id)

    def show_all(self) -> None:
        self._set_visibility(frozenset(), None)

    def set_visibility(self, hidden: Iterable[str], isolated: str | None) -> None:
        """Both at once (a restored viewpoint): one event, not two."""
        self._set_visibility(hidden, isolated)

    def _set_visibility(self, hidden: Iterable[str], isolated: str | None) -> None:
        hidden = frozenset(hidden)
        if hidden != self.hidden or isolated != self.isolated:
            self.hidden, self.isolated = hidden, isolated
            self.visibility_changed.emit()

    def is_visible(self, path: EquipmentPath) -> bool:
        return not self.hides(path_ids(path))

    def hides(self, ids: Sequence[str]) -> bool:
        """Whether a node is hidden, given the ids from its site down to itself."""
        if self.hidden.intersection(ids):
            return True
        return self.isolated is not None and self.isolated not in ids

    def visible_mask(self, paths: Sequence[EquipmentPath]) -> np.ndarray:
        return np.fromiter((self.is_visible(p) for p in paths), dtype=bool, count=len(paths))

    # ------------------------------------------------------------ site, camera, X-ray

    def set_active_site(self, site_id: str | None) -> None:
        if site_id != self.active_site:
            self.active_site = site_id
            self.active_site_changed.emit(site_id)

    def set_camera(self, camera: CameraState | None) -> None:
        if camera != self.camera:
            self.camera = camera
            self.camera_changed.emit(camera)

    def set_xray(self, on: bool) -> None:
        if on != self.xray:
            self.xray = on
            self.xray_changed.emit(on)

    def reset(self) -> None:
        """A new document: nothing selected, everything shown, no site, no camera; X-ray stays as it was."""
        self.clear_selection()
        self.show_all()
        self.set_active_site(None)
        self.set_camera(None)

    # ------------------------------------------------------------ JSON

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": VIEW_STATE_FORMAT,
            "version": VIEW_STATE_VERSION,
            "active_site": self.active_site,
            "selection": list(self.selection),
            "hidden": sorted(self.hidden),
            "isolated": self.isolated,
            "xray": self.xray,
            "camera": self.camera.to_dict() if self.camera else None,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def update_from_dict(self, data: dict[str, Any]) -> None:
        """Apply a saved state; every part that changes emits its own event.

        A `viewpoints` list, written by earlier versions, is ignored: viewpoints live in the plant document.
        """
        if data.get("format") != VIEW_STATE_FORMAT or data.get("version") != VIEW_STATE_VERSION:
            raise ValueError(
                f"not a view state: expected format {VIEW_STATE_FORMAT!r} version {VIEW_STATE_VERSION}, "
                f"got {data.get('format')!r} version {data.get('version')!r}"
            )
        self.set_active_site(data.get("active_site"))
        self._set_visibility(data.get("hidden", ()), data.get("isolated"))
        self.select(data.get("selection", ()))
        self.set_xray(bool(data.get("xray", False)))
        camera = data.get("camera")
        self.set_camera(CameraState.from_dict(camera) if camera else None)

    @classmethod
    def from_json(cls, text: str) -> ViewState:
        state = cls()
        state.update_from_dict(json.loads(text))
        return state
