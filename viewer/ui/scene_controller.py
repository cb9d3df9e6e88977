"""Keeps the 3D view in step with the view state: no widgets here, only the plotter it is given.

The view state is the truth; this class listens to it and writes colours, visibility and the camera into
the PlantView. Renders are requested and coalesced into one frame per turn of the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyvista as pv
from PySide6.QtCore import QObject, QPointF, QTimer, Signal

from viewer.model import EquipmentLibrary, EquipmentPath, PlantDocument, Site
from viewer.scene.batch import TypeMeshes
from viewer.scene.plant_view import PlantView
from viewer.scene.view_state import ViewState


class SceneController(QObject):
    rendered = Signal()

    def __init__(self, plotter: pv.BasePlotter, state: ViewState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.plotter = plotter
        self.state = state
        self.view = PlantView(plotter)
        self.document: PlantDocument | None = None
        self.library: EquipmentLibrary | None = None
        self.meshes: TypeMeshes | None = None
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self.render_now)
        self._moving_camera = False
        state.selection_changed.connect(self._on_selection)
        state.visibility_changed.connect(self._on_visibility)
        state.xray_changed.connect(self._on_xray)
        state.camera_changed.connect(self._on_camera)
        # Level of detail: boxes while the camera moves. The style sends these around every drag and wheel step.
        plotter.iren.add_observer("StartInteractionEvent", self._on_interaction_start)
        plotter.iren.add_observer("EndInteractionEvent", self._on_interaction_end)

    # ------------------------------------------------------------ showing a site

    def show_site(
        self, document: PlantDocument, library: EquipmentLibrary, site: Site | None, meshes: TypeMeshes
    ) -> None:
        self.document, self.library, self.meshes = document, library, meshes
        if site is None:
            self.plotter.clear_actors()
            self.view.batch, self.view.site = None, None
            self.view.detail_actor = self.view.proxy_actor = None
            self.request_render()
            return
        if any(cell.equipment for area in site.areas for line in area.lines for cell in line.cells):
            self.view.show_site(document, library, site, meshes=meshes)
        else:
            # A new child plant with no equipment yet: build_batch does not take an empty site.
            self.view.show_building_only(site)
        self._on_visibility()
        self._on_selection(self.state.selection)
        self._on_xray(self.state.xray)
        if self.state.camera is not None:
            self.view.apply_camera(self.state.camera)
        else:
            self.view.set_view("iso")
            self.view.zoom_to_fit()
        self.store_camera()
        self.request_render()

    @property
    def paths(self) -> list[EquipmentPath]:
        return self.view.batch.paths if self.view.batch is not None else []

    def indices_of(self, ids: Sequence[str]) -> np.ndarray:
        """Batch indices of the ids shown in this site (ids of other sites are skipped)."""
        batch = self.view.batch
        if batch is None:
            return np.zeros(0, np.int64)
        known = [i for i in ids if batch.has_id(i)]
        return batch.indices(known)

    # ------------------------------------------------------------ listening to the view state

    def _on_selection(self, ids: tuple[str, ...]) -> None:
        self.view.highlight(self.indices_of(ids))
        self.request_render()

    def _on_visibility(self) -> None:
        if self.view.batch is not None and len(self.view.batch):
            self.view.batch.set_visible(self.state.visible_mask(self.view.batch.paths))
            self.request_render()

    def _on_xray(self, on: bool) -> None:
        self.view.set_xray(on)
        self.request_render()

    def _on_camera(self, camera: object) -> None:
        if camera is not None and not self._moving_camera and camera != self.view.camera_state():
            self.view.apply_camera(camera)
            self.request_render()

    def _on_interaction_start(self, *_: object) -> None:
        self.view.set_interacting(True)

    def _on_interaction_end(self, *_: object) -> None:
        self.view.set_interacting(False)
        self.store_camera()
        self.request_render()

    def store_camera(self) -> None:
        self._moving_camera = True
        try:
            self.state.set_camera(self.view.camera_state())
        finally:
            self._moving_camera = False

    # ------------------------------------------------------------ camera commands

    def set_view(self, preset: str) -> None:
        self.view.set_view(preset)
        self.view.zoom_to_fit()
        self.store_camera()
        self.request_render()

    def fit_selection(self) -> None:
        """Frame the selection, or the whole visible plant when nothing is selected."""
        indices = self.indices_of(self.state.selection)
        if len(indices):
            self.view.fit_equipment(indices)
        elif self.view.batch is not None and (bounds := self.view.batch.visible_bounds()) is not None:
            self.view.fit_bounds(bounds, margin=1.05)
        self.store_camera()
        self.request_render()

    def fit_ids(self, ids: Sequence[str]) -> None:
        indices = self.indices_of(ids)
        if len(indices):
            self.view.fit_equipment(indices)
            self.store_camera()
            self.request_render()

    # ------------------------------------------------------------ picking

    def display_point(self, widget_pos: QPointF, widget_height: int, pixel_ratio: float) -> tuple[float, float]:
        """Qt widget coordinates (logical, y down) to VTK display coordinates (device pixels, y up)."""
        height = self.plotter.ren_win.GetSize()[1] or round(widget_height * pixel_ratio)
        return widget_pos.x() * pixel_ratio, height - widget_pos.y() * pixel_ratio - 1

    def pick_id(self, display_x: float, display_y: float) -> str | None:
        index = self.view.pick(display_x, display_y)
        return None if index is None else self.view.batch.paths[index].equipment.id

    def path_of(self, equipment_id: str) -> EquipmentPath | None:
        batch = self.view.batch
        if batch is None or not batch.has_id(equipment_id):
            return None
        return batch.paths[batch.index_of(equipment_id)]

    # ------------------------------------------------------------ rendering

    def request_render(self) -> None:
        self._render_timer.start()

    def render_now(self) -> None:
        self._render_timer.stop()
        self.plotter.render()
        self.rendered.emit()

    def snapshot(self, size: tuple[int, int], transparent: bool) -> np.ndarray:
        if self.document is None or self.library is None:
            raise ValueError("no plant is shown")
        return self.view.snapshot(self.document, self.library, size, transparent, meshes=self.meshes)
