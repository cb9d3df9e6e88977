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
from viewer.scene.batch import EquipmentBatch, TypeMeshes
from viewer.scene.plant_view import PlantView
from viewer.scene.view_overlays import ScaleBar
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
        self.scale_bar = ScaleBar(plotter, self.view.metres_per_pixel)
        self.view.grid_labels = True  # metre marks on the floor grid, placed with the line and cell names
        self.clip_widget: object | None = None  # the box widget while the clipping box is on
        state.selection_changed.connect(self._on_selection)
        state.visibility_changed.connect(self._on_visibility)
        state.xray_changed.connect(self._on_xray)
        state.camera_changed.connect(self._on_camera)
        # Level of detail: boxes while the camera moves. The style sends these around every drag and wheel step.
        plotter.iren.add_observer("StartInteractionEvent", self._on_interaction_start)
        plotter.iren.add_observer("EndInteractionEvent", self._on_interaction_end)

    # ------------------------------------------------------------ showing a site

    def show_site(
        self,
        document: PlantDocument,
        library: EquipmentLibrary,
        site: Site | None,
        meshes: TypeMeshes,
        batch: EquipmentBatch | None = None,
        locator: object | None = None,
    ) -> None:
        """Show a site; `batch` and `locator` when a loading thread already built them for this site."""
        # pyvistaqt draws a frame for every actor added: one frame at the end is enough (a 10,000 equipment
        # frame takes over a second with software OpenGL).
        self.plotter.suppress_rendering = True
        try:
            self._show_site(document, library, site, meshes, batch, locator)
        finally:
            self.plotter.suppress_rendering = False
        self.request_render()

    def _show_site(
        self,
        document: PlantDocument,
        library: EquipmentLibrary,
        site: Site | None,
        meshes: TypeMeshes,
        batch: EquipmentBatch | None,
        locator: object | None,
    ) -> None:
        self.document, self.library, self.meshes = document, library, meshes
        if site is None:
            self.plotter.clear_actors()
            self.view.batch, self.view.site = None, None
            self.view.detail_actor = self.view.proxy_actor = None
            self.request_render()
            return
        if any(cell.equipment for area in site.areas for line in area.lines for cell in line.cells):
            self.view.show_site(document, library, site, meshes=meshes, batch=batch)
        else:
            # A new child plant with no equipment yet: build_batch does not take an empty site.
            self.view.show_building_only(site)
        self._after_site_shown(locator)

    def _after_site_shown(self, locator: object | None) -> None:
        if locator is not None and self.view.batch is not None and len(self.view.batch):
            self.view.set_pick_locator(locator)
        self.scale_bar.show()
        if self.clip_widget is not None:
            self.set_clipping(True)  # a new site: the box starts around all of it again
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
        batch = self.view.batch
        if batch is not None and len(batch):
            mask = self.state.visible_mask(batch.paths)
            if not np.array_equal(mask, batch.visible):  # rewriting 2 M triangles for nothing costs 0.3 s
                batch.set_visible(mask)
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

    def zoom_at(self, widget_pos: QPointF, widget_height: int, pixel_ratio: float, steps: float) -> None:
        """Mouse wheel: zoom towards the point under the cursor, 20 % per wheel step."""
        if self.view.site is None:
            return
        x, y = self.display_point(widget_pos, widget_height, pixel_ratio)
        self.view.zoom_towards(x, y, 1.2**steps)
        self.store_camera()
        self.request_render()

    # ------------------------------------------------------------ box selection and the clipping box

    def ids_in_rect(self, corner_a: QPointF, corner_b: QPointF, widget_height: int, pixel_ratio: float) -> list[str]:
        """Shown equipment whose box centre lies inside a rectangle of the widget."""
        if self.view.batch is None:
            return []
        (x0, y0), (x1, y1) = (self.display_point(c, widget_height, pixel_ratio) for c in (corner_a, corner_b))
        return [self.view.batch.paths[i].equipment.id for i in self.view.equipment_in_rect(x0, y0, x1, y1)]

    def set_clipping(self, on: bool, bounds: np.ndarray | None = None) -> None:
        """The clipping box: a box widget whose faces cut the equipment and the building, so the inside of a
        building or a crowded line can be seen. Off: nothing is cut."""
        if self.clip_widget is not None:
            self.plotter.clear_box_widgets()
            self.clip_widget = None
        if not on or self.view.site is None:
            self.view.set_clip_box(None)
            self.request_render()
            return
        if bounds is None:
            frame = self.view.frame_bounds()
            lo, hi = frame[0].copy(), frame[1].copy()
            hi[2] = max(hi[2], 1.0) + 0.5  # above the tallest equipment, so nothing is cut until the box is moved
            lo[2] = min(lo[2], 0.0) - 0.5
            bounds = np.stack([lo, hi])
        bounds = np.asarray(bounds, float).reshape(2, 3)
        self.view.set_clip_box(bounds)
        self.clip_widget = self.plotter.add_box_widget(
            self._on_clip_box,
            bounds=(bounds[0][0], bounds[1][0], bounds[0][1], bounds[1][1], bounds[0][2], bounds[1][2]),
            factor=1.0,
            rotation_enabled=False,  # the cut stays aligned with the building: a turned box reads badly
            color="orange",
            interaction_event="always",
        )
        self.request_render()

    def _on_clip_box(self, box: pv.PolyData) -> None:
        lo, hi = np.array(box.bounds).reshape(3, 2).T
        self.view.set_clip_box(np.stack([lo, hi]))
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
