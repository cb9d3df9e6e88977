"""The 3D view of one site: owns every VTK actor; the model never sees them.

Used by the off-screen renderer and by the desktop window alike, so what `mothertwin render` draws is what
the engineer sees on screen. `PlantView` is the one object both drive; the work is done in the modules beside
it: `pieces` (building meshes, line and cell names), `camera` (preset views, framing, projection), `picking`
(ray casts, snapping, box selection), `marks` (selection outline, snap guides, measured segment),
`detail_drawing` (the full meshes a slice at a time) and `offscreen` (pictures without a screen).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonDataModel import vtkPlane
from vtkmodules.vtkRenderingCore import vtkActor2D

from viewer.model import EquipmentLibrary, Line, PlantDocument, Site
from viewer.model.views import CameraState
from viewer.scene import camera, marks, picking
from viewer.scene.batch import COLORS, EquipmentBatch, TypeMeshes, build_batch
from viewer.scene.building import FLOOR_COLOR, GRID_COLOR, WALL_COLOR
from viewer.scene.detail_drawing import DetailDrawing as DetailDrawing  # re-export for viewer.ui.scene_controller
from viewer.scene.labels import LabelLayer, LabelSpec, Obstacle
from viewer.scene.offscreen import offscreen_plotter, transparent_screenshot
from viewer.scene.pieces import BuildingMeshes, SitePieces, building_meshes, grid_spacing_of, name_label_specs

BACKGROUND_TOP = (236, 240, 245)
BACKGROUND_BOTTOM = (178, 190, 204)
CELL_LABEL_COLOR = (40, 48, 56)


class PlantView:
    """Builds and updates the scene of one site inside a pyvista plotter."""

    def __init__(self, plotter: pv.Plotter, names_beside: bool = False) -> None:
        self.plotter = plotter
        self.names_beside = names_beside  # line and cell names on free floor beside what they name (drawings)
        self.batch: EquipmentBatch | None = None
        self.site: Site | None = None
        self.detail_actor: pv.Actor | None = None
        self.proxy_actor: pv.Actor | None = None
        self.warnings: list[str] = []
        self._label_actors: list[vtkActor2D] = []  # the names (one actor): DetailDrawing draws them in a step
        self._label_layers: list[LabelLayer] = []  # the layers of _label_actors, in the same order
        self._overlay_labels: dict[str, LabelLayer] = {}  # the measure and value labels, by actor name
        self._label_obstacles: list[Obstacle] = []  # drawn over the view, kept clear of by the names
        self._pin_labels: list[Obstacle] = []  # the review pins' numbers, which the names give way to too
        self._outline: np.ndarray | None = None
        self._interacting = False
        # Desktop window state: what is highlighted, and in which batch.
        self._highlighted = np.zeros(0, np.int64)
        self._highlight_batch: EquipmentBatch | None = None
        self._clip: np.ndarray | None = None  # (2, 3) clipping box of the window's section tool
        self.grid_labels = False  # metre marks along the floor grid (the desktop window turns them on)
        self._flagged = np.zeros(0, np.int64)  # layout-check violations, drawn red under the selection colour
        self._flag_batch: EquipmentBatch | None = None

    # ------------------------------------------------------------ building the scene

    def show_site(
        self,
        document: PlantDocument,
        library: EquipmentLibrary,
        site: Site,
        meshes: TypeMeshes | None = None,
        labels: bool = True,
        batch: EquipmentBatch | None = None,
    ) -> None:
        """Draw a site; `batch` is its geometry when already built (e.g. by a loading thread)."""
        for _step in self.show_site_steps(document, library, site, meshes, labels, batch):
            pass

    def show_site_steps(
        self,
        document: PlantDocument,
        library: EquipmentLibrary,
        site: Site,
        meshes: TypeMeshes | None = None,
        labels: bool = True,
        batch: EquipmentBatch | None = None,
        lod: bool = False,
        pieces: SitePieces | None = None,
    ) -> Iterator[str]:
        """`show_site` in steps of well under 100 ms each: a window runs one step per event-loop turn for
        a big plant, so it keeps answering while the scene is put together. Yields what comes next.

        `lod`: the scene ends up with the level of detail on (boxes, no labels), as while the camera moves,
        so a frame drawn between two steps or right after them is cheap; `set_interacting(False)` (or a
        `DetailDrawing`) brings the full meshes in. `pieces`: the building and names, made beforehand."""
        self.plotter.clear_actors()
        self._forget_labels()
        self._interacting = lod
        self.site = site
        meshes = meshes or TypeMeshes(library)
        self.batch = batch if batch is not None else build_batch(document, library, site, meshes)
        self.warnings = list(self.batch.warnings)
        self.plotter.set_background(BACKGROUND_BOTTOM, top=BACKGROUND_TOP)
        if pieces is not None and (pieces.site is not site or pieces.batch is not self.batch):
            pieces = None  # made for another site or batch
        yield "building"
        self._add_building(site, pieces.building if pieces is not None else None)
        if len(self.batch):
            yield "equipment"
            self.detail_actor = self.plotter.add_mesh(
                self.batch.detail,
                scalars=COLORS,
                rgb=True,
                name="equipment",
                show_scalar_bar=False,
                lighting=True,
                smooth_shading=False,
                reset_camera=False,
            )
            self.detail_actor.visibility = not lod
            yield "equipment boxes"
            self.proxy_actor = self.plotter.add_mesh(
                self.batch.proxy,
                scalars=COLORS,
                rgb=True,
                name="equipment-lod",
                show_scalar_bar=False,
                preference="point",
                backface_culling=True,
                lighting=False,
                reset_camera=False,
            )
            self.proxy_actor.visibility = lod
            self.proxy_actor.pickable = False
        if labels and len(self.batch):
            yield "labels"
            # Pieces made ahead (the window's loading thread) carry the window's names, never a drawing's.
            ready = pieces is not None and pieces.grid_labels == self.grid_labels and not self.names_beside
            self._add_labels(pieces.labels if ready else None)
        self._apply_clip()

    def _add_building(self, site: Site, meshes: BuildingMeshes | None = None) -> None:
        if meshes is None:
            meshes = building_meshes(site, self.batch.visible_bounds() if self.batch is not None else None)
        self._outline = meshes.outline
        # Unlit: a flat floor looks the same, and lighting a full-screen polygon is costly in software GL.
        self.plotter.add_mesh(
            meshes.floor, color=FLOOR_COLOR, name="floor", pickable=False, lighting=False, reset_camera=False
        )
        if meshes.grid.n_points:
            self.plotter.add_mesh(
                meshes.grid, color=GRID_COLOR, line_width=1, name="floor-grid", pickable=False, reset_camera=False
            )
        self.plotter.add_mesh(meshes.walls, color=WALL_COLOR, name="walls", pickable=False, reset_camera=False)
        if meshes.columns.n_points:
            self.plotter.add_mesh(
                meshes.columns,
                scalars=COLORS,
                rgb=True,
                name="columns",
                pickable=False,
                backface_culling=True,
                lighting=False,
                show_scalar_bar=False,
                reset_camera=False,
            )

    def _add_labels(self, specs: list[LabelSpec] | None = None) -> None:
        """Line and cell names in one placement pass, so they never overlap each other: when space runs out,
        line names win (higher priority) and cell names give way. Only visible equipment is labelled.
        The floor grid's metre marks (when on) join the same pass with the lowest priority.
        `specs`: the labels when already worked out (SitePieces)."""
        for layer in self._label_layers:
            layer.detach()
            self.plotter.remove_actor(layer.actor)
        self._label_actors, self._label_layers = [], []
        if specs is None:
            outline = self._outline if self.grid_labels else None
            specs = name_label_specs(self.batch, outline, self.grid_spacing(), self.names_beside)
        if specs:
            layer = LabelLayer(specs, CELL_LABEL_COLOR, font_size=13)
            batch = self.batch
            if batch is not None and self.names_beside:
                layer.keep_clear_of(lambda: batch.bounds[batch.visible])  # names stand on free floor
            layer.actor.SetVisibility(not self._interacting)  # names come back with the full meshes
            self.plotter.add_actor(layer.actor, name="labels", pickable=False, reset_camera=False)
            layer.attach(self.plotter.renderer)
            self._label_actors, self._label_layers = [layer.actor], [layer]
            self._names_yield()

    def _names_yield(self) -> None:
        """Names give way to the overlay labels (sensor values, a measurement): those are what the user
        asked to see just now; and to what `set_label_obstacles` gave (a legend)."""
        for layer in self._label_layers:
            layer.yield_to([*self._overlay_labels.values(), *self._label_obstacles, *self._pin_labels])

    def set_label_obstacles(self, obstacles: list[Obstacle]) -> None:
        """Things drawn over the view (a legend) that the names and ids keep clear of."""
        self._label_obstacles = list(obstacles)
        self._names_yield()
        ids = self.id_label_layer()
        if ids is not None:
            ids.yield_to(self._label_obstacles)

    def set_pin_labels(self, layers: list[Obstacle]) -> None:
        """The review pins' numbers (viewer.scene.review_pins): the line and cell names give way to them."""
        self._pin_labels = list(layers)
        self._names_yield()

    def show_id_labels(self, on: bool = True, font_size: int = 10) -> None:
        """Each shown equipment's id over its middle, bigger equipment first where ids would overlap: one label
        actor for all of them. The line and cell names keep clear of the ids."""
        if not on or self.batch is None or not self.batch.visible.any():
            self._remove_overlay_labels(ID_LABELS)
            return
        batch = self.batch
        shown = np.flatnonzero(batch.visible)
        lo, hi = batch.bounds[shown, 0], batch.bounds[shown, 1]
        area = (hi[:, 0] - lo[:, 0]) * (hi[:, 1] - lo[:, 1])
        specs = [
            LabelSpec(((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, b[2]), batch.paths[i].equipment.id, float(s))
            for i, a, b, s in zip(shown.tolist(), lo, hi, area, strict=True)
        ]
        self._show_overlay_labels(ID_LABELS, specs, ID_LABEL_COLOR, font_size)
        self.set_label_obstacles(self._label_obstacles)

    def id_label_layer(self) -> LabelLayer | None:
        return self._overlay_labels.get(ID_LABELS)

    def _show_overlay_labels(
        self, name: str, specs: list[LabelSpec], color: tuple[int, int, int], size: int, above: bool = False
    ) -> None:
        """A label layer of its own under actor `name`, replacing the one there; none when `specs` is empty."""
        self._remove_overlay_labels(name)
        if specs:
            layer = LabelLayer(specs, color, font_size=size, above=above)
            self.plotter.add_actor(layer.actor, name=name, pickable=False, reset_camera=False, render=False)
            layer.attach(self.plotter.renderer)
            self._overlay_labels[name] = layer
        self._names_yield()

    def _remove_overlay_labels(self, name: str) -> None:
        layer = self._overlay_labels.pop(name, None)
        if layer is not None:
            layer.detach()
            self._names_yield()
        self.plotter.remove_actor(name, render=False)

    def _forget_labels(self) -> None:
        """Stop placing every label layer (their actors are gone with the plotter's actors)."""
        for layer in [*self._label_layers, *self._overlay_labels.values()]:
            layer.detach()
        self._label_actors, self._label_layers = [], []
        self._overlay_labels = {}

    # ------------------------------------------------------------ view state

    def focus_line(self, line: Line) -> None:
        """Show only one line's equipment (the building stays) and frame it."""
        if self.batch is None:
            return
        visible = np.array([p.line is line for p in self.batch.paths], dtype=bool)
        self.batch.set_visible(visible)
        if self._label_actors:
            self._add_labels()

    @property
    def interacting(self) -> bool:
        """The camera is moving (level of detail on): every frame is drawn anyway."""
        return self._interacting

    def set_interacting(self, interacting: bool) -> None:
        """Level of detail: boxes while the camera moves, full meshes when it stops."""
        if self.detail_actor is None or interacting == self._interacting:
            return
        self._interacting = interacting
        self.detail_actor.visibility = not interacting
        self.proxy_actor.visibility = interacting
        # Every new camera position places the names again: hidden while moving, they cost nothing then.
        for actor in self._label_actors:
            actor.visibility = not interacting

    def frame_bounds(self) -> np.ndarray:
        """(2, 3) box the views frame: the visible equipment, plus the building when nothing is hidden."""
        bounds = self.batch.visible_bounds() if self.batch is not None else None
        if self._outline is not None and (bounds is None or self.batch.visible.all()):
            lo, hi = self._outline.min(axis=0), self._outline.max(axis=0)
            building = np.array([[lo[0], lo[1], 0.0], [hi[0], hi[1], 1.0]])
            bounds = (
                building
                if bounds is None
                else np.stack([np.minimum(bounds[0], building[0]), np.maximum(bounds[1], building[1])])
            )
        return bounds if bounds is not None else np.array([[0.0, 0.0, 0.0], [60.0, 40.0, 5.0]])

    def set_view(self, view: str, frame: np.ndarray | None = None) -> None:
        """Camera preset framing `frame` ((2, 3) box; default: what frame_bounds() gives)."""
        bounds = self.frame_bounds() if frame is None else np.asarray(frame, dtype=float)
        camera.set_view(self.plotter, view, bounds)

    # ------------------------------------------------------------ interactive use (desktop window)
    # Added for the desktop window; the off-screen renderer does not need them.

    def has_equipment(self) -> bool:
        # show_site keeps the previous actors' attributes when a site is empty, so check the batch.
        return self.batch is not None and len(self.batch) > 0 and self.detail_actor is not None

    def highlight(self, indices: Sequence[int]) -> None:
        """Selection highlight: a colour written into the batch arrays plus one outline actor for all boxes."""
        if self.batch is None:
            return
        indices = np.asarray(indices, dtype=np.int64)
        previous = self._highlighted if self._highlight_batch is self.batch else np.zeros(0, np.int64)
        flagged = self._flagged if self._flag_batch is self.batch else np.zeros(0, np.int64)
        # Only the equipment whose colour changes are rewritten: rewriting all 2 M triangle colours of a
        # 10,000-equipment plant three times made a click take a third of a second.
        batch = self.batch
        batch.has_override[previous] = False
        restore = np.intersect1d(previous, flagged)
        batch.override[restore], batch.has_override[restore] = FLAG_COLOR, True  # the selection wins below
        if len(indices):
            batch.override[indices], batch.has_override[indices] = HIGHLIGHT_COLOR, True
            batch.has_alt[indices] = False  # one flat selection colour, never two-tone
        changed = np.union1d(previous, indices).astype(np.int64)
        if len(changed):
            batch._write_colors(changed)
        self._highlighted, self._highlight_batch = indices, self.batch
        self.plotter.remove_actor("selection-outline", render=False)
        if len(indices) and self.has_equipment():
            marks.show_selection_outline(self.plotter, self.batch.bounds[indices])

    def pick(self, display_x: float, display_y: float) -> int | None:
        """Index of the visible equipment under a display point (VTK pixels, origin bottom left), or None."""
        return self.pick_point(display_x, display_y)[0]

    def display_ray(self, display_x: float, display_y: float) -> tuple[np.ndarray, np.ndarray]:
        """World points where the ray through a display point meets the near and far clipping planes."""
        return camera.display_ray(self.plotter.renderer, display_x, display_y)

    def floor_point(self, display_x: float, display_y: float, height: float = 0.0) -> np.ndarray | None:
        """Where the ray through a display point meets the floor plane z = height, or None (above the horizon)."""
        return picking.floor_point(*self.display_ray(display_x, display_y), height)

    def pick_point(self, display_x: float, display_y: float) -> tuple[int | None, np.ndarray | None]:
        """The visible equipment under a display point and the world point hit on it, or (None, None)
        (a ray cast in numpy: see picking.pick_point)."""
        if not self.has_equipment():
            return None, None
        near, far = self.display_ray(display_x, display_y)
        return picking.pick_point(self.batch, near, far, self._clip)

    # ------------------------------------------------------------ editing (desktop window)

    def move_equipment(self, indices: Sequence[int], matrices: np.ndarray) -> None:
        """Equipment moved by an edit: new points in place (no rebuild), picking and outline follow."""
        if self.batch is None or not len(indices):
            return
        self.batch.move(np.asarray(indices, dtype=np.int64), matrices)
        if self._highlight_batch is self.batch:
            self.highlight(self._highlighted)

    def set_flagged(self, indices: Sequence[int]) -> None:
        """Equipment with a layout-check violation, drawn red (the selection colour wins on selected ones)."""
        if self.batch is None:
            return
        batch = self.batch
        indices = np.asarray(indices, dtype=np.int64)
        previous = self._flagged if self._flag_batch is batch else np.zeros(0, np.int64)
        selected = self._highlighted if self._highlight_batch is batch else np.zeros(0, np.int64)
        # Only the equipment whose colour changes are rewritten (see highlight); selected ones stay magenta.
        gone = np.setdiff1d(previous, np.union1d(indices, selected))
        fresh = np.setdiff1d(np.setdiff1d(indices, previous), selected)
        batch.has_override[gone] = False
        batch.override[fresh], batch.has_override[fresh] = FLAG_COLOR, True
        batch.has_alt[fresh] = False
        self._flagged, self._flag_batch = indices, batch
        changed = np.union1d(gone, fresh).astype(np.int64)
        if len(changed):
            batch._write_colors(changed)

    def show_guides(self, segments: Sequence[tuple[Sequence[float], Sequence[float]]]) -> None:
        """Snap guide lines on the floor while dragging (one actor for all of them); none clears them."""
        marks.show_guides(self.plotter, segments)

    def show_measure(self, start: Sequence[float], end: Sequence[float] | None, text: str) -> None:
        """A measured segment (or its first point) with its length: one line actor and one label actor."""
        self.clear_measure()
        a = np.asarray(start, dtype=float)
        b = a if end is None else np.asarray(end, dtype=float)
        marks.show_measure_line(self.plotter, a, b)
        if text:
            label = [LabelSpec(tuple((a + b) / 2), text, 10.0)]
            self._show_overlay_labels("measure-label", label, MEASURE_LABEL_COLOR, 16)

    def clear_measure(self) -> None:
        self.plotter.remove_actor("measure-line", render=False)
        self._remove_overlay_labels("measure-label")

    def snap_on_equipment(
        self, index: int, hit: np.ndarray, display_xy: tuple[float, float], radius: float
    ) -> tuple[np.ndarray, str]:
        """The picked point moved onto the nearest vertex, else the nearest edge, of that equipment's mesh
        within `radius` display pixels; ('vertex' | 'edge' | 'surface') says which."""
        return picking.snap_on_equipment(self.plotter.renderer, self.batch, index, hit, display_xy, radius)

    def display_position(self, point: Sequence[float]) -> tuple[float, float]:
        """Display coordinates (VTK pixels, origin bottom left) of a world point."""
        return camera.display_position(self.plotter.renderer, point)

    def display_positions(self, points: np.ndarray) -> np.ndarray:
        """Display coordinates (n, 2) of many world points at once (the camera's projection, vectorised)."""
        return camera.display_positions(self.plotter.renderer, points)

    def fit_bounds(self, bounds: np.ndarray, margin: float = 1.3) -> None:
        """Frame a (2, 3) box, keeping the direction the camera looks from."""
        camera.fit_bounds(self.plotter, bounds, margin)

    def zoom_to_fit(self, bounds: np.ndarray | None = None, fill: float = 0.92) -> None:
        """Zoom (keeping the direction) so the box (default: what frame_bounds() gives) fills `fill` of the
        window, whatever its aspect ratio."""
        camera.zoom_to_fit(self.plotter, self.frame_bounds() if bounds is None else bounds, fill)

    def fit_equipment(self, indices: Sequence[int]) -> None:
        if self.batch is None or not len(indices):
            return
        boxes = self.batch.bounds[np.asarray(indices, dtype=np.int64)]
        self.fit_bounds(np.stack([boxes[:, 0].min(axis=0), boxes[:, 1].max(axis=0)]))

    def camera_state(self) -> CameraState:
        return camera.camera_state(self.plotter)

    def apply_camera(self, state: CameraState) -> None:
        camera.apply_camera(self.plotter, state)

    def set_xray(self, on: bool) -> None:
        """See-through equipment, so the selection outline shows through whatever stands in front of it."""
        for actor in (self.detail_actor, self.proxy_actor):
            if actor is not None:
                actor.prop.opacity = XRAY_OPACITY if on else 1.0

    def snapshot(
        self,
        document: PlantDocument,
        library: EquipmentLibrary,
        size: tuple[int, int],
        transparent: bool = False,
        meshes: TypeMeshes | None = None,
    ) -> np.ndarray:
        """This view (camera, visibility, colours, X-ray) rendered off-screen at any size, as (h, w, 3|4) uint8."""
        if self.site is None:
            raise ValueError("nothing shown to take a picture of")
        plotter = offscreen_plotter(size)
        try:
            copy = PlantView(plotter)
            copy.show_site(document, library, self.site, meshes=meshes, labels=bool(self._label_actors))
            if copy.batch is not None and self.batch is not None and len(copy.batch) == len(self.batch):
                copy.batch.copy_state_from(self.batch)
                copy.highlight(self._highlighted if self._highlight_batch is self.batch else [])
            copy.set_xray(bool(self.detail_actor is not None and self.detail_actor.prop.opacity < 1.0))
            copy.apply_camera(self.camera_state())
            if not transparent:
                return plotter.screenshot(return_img=True)
            return transparent_screenshot(plotter)
        finally:
            plotter.close()

    def show_building_only(self, site: Site) -> None:
        """A site with no equipment yet (a new child plant): its building, and no equipment actors."""
        self.plotter.clear_actors()
        self._forget_labels()
        self._interacting = False
        self.site, self.batch = site, None
        self.detail_actor = self.proxy_actor = None
        self.warnings = []
        self.plotter.set_background(BACKGROUND_BOTTOM, top=BACKGROUND_TOP)
        self._add_building(site)
        if self.grid_labels:
            self._add_labels()
        self._apply_clip()

    # ------------------------------------------------------------ window overlays and tools

    @property
    def name_layers(self) -> list[LabelLayer]:
        """The layer of the line and cell names (none or one): DetailDrawing draws it in a step of its own."""
        return self._label_layers

    @property
    def name_actors(self) -> list[vtkActor2D]:
        """The actors of `name_layers`, in the same order."""
        return self._label_actors

    def label_texts(self) -> list[str]:
        """Every text the label actor may place (line and cell names, metre marks)."""
        return [text for layer in self._label_layers for text in layer.texts()]

    def grid_spacing(self) -> float:
        return grid_spacing_of(self.site) if self.site is not None else 10.0

    def metres_per_pixel(self) -> float:
        """World size of one display pixel at the focal point (what a scale bar shows)."""
        return camera.metres_per_pixel(self.plotter)

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Display coordinates (n, 2) of world points, and which of them lie in front of the camera."""
        return camera.project(self.plotter.renderer, points)

    def equipment_in_rect(self, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        """Indices of the shown equipment whose box centre projects inside a display rectangle."""
        if not self.has_equipment():
            return np.zeros(0, np.int64)
        return picking.equipment_in_rect(self.plotter.renderer, self.batch, self._clip, x0, y0, x1, y1)

    def surface_point(self, display_x: float, display_y: float) -> np.ndarray:
        """The world point under a display point: equipment, else the floor, else the focal plane."""
        near, far = self.display_ray(display_x, display_y)
        _, hit = self.pick_point(display_x, display_y)
        return picking.surface_point(self.plotter.camera, near, far, hit)

    def zoom_towards(self, display_x: float, display_y: float, factor: float) -> None:
        """Zoom by `factor` (> 1 closer) keeping the world point under the cursor where it is on screen."""
        camera.zoom_towards(self.plotter, self.surface_point(display_x, display_y), factor)

    def set_clip_box(self, bounds: np.ndarray | None) -> None:
        """Cut the equipment and the building to a (2, 3) box (None: no cut); picking ignores what is cut."""
        self._clip = None if bounds is None else np.asarray(bounds, float).reshape(2, 3).copy()
        self._apply_clip()

    @property
    def clip_box(self) -> np.ndarray | None:
        return self._clip

    def _apply_clip(self) -> None:
        planes = []
        if self._clip is not None:
            # A mapper keeps what lies on the side its planes' normals point to: the normals point inwards.
            lo, hi = self._clip
            for axis in range(3):
                for origin, sign in ((lo, 1.0), (hi, -1.0)):
                    plane = vtkPlane()
                    plane.SetOrigin(*origin)
                    plane.SetNormal(*(sign if k == axis else 0.0 for k in range(3)))
                    planes.append(plane)
        for name in CLIPPED_ACTORS:
            actor = self.plotter.actors.get(name)
            if actor is None or actor.GetMapper() is None:
                continue
            actor.GetMapper().RemoveAllClippingPlanes()
            for plane in planes:
                actor.GetMapper().AddClippingPlane(plane)
        self._apply_culling()

    def _apply_culling(self) -> None:
        """Back faces of the equipment are culled when every equipment is a closed body seen from outside,
        unless the clipping box cuts the bodies open (their insides are then seen)."""
        if self.detail_actor is not None and self.batch is not None:
            self.detail_actor.GetProperty().SetBackfaceCulling(self.batch.closed and self._clip is None)

    # ------------------------------------------------------------ live sensor state (desktop window)

    def marked_indices(self) -> np.ndarray:
        """Equipment whose colour belongs to the selection or to a layout-check flag, not to sensor state."""
        marked = [np.zeros(0, np.int64)]
        if self._highlight_batch is self.batch:
            marked.append(self._highlighted)
        if self._flag_batch is self.batch:
            marked.append(self._flagged)
        return np.unique(np.concatenate(marked))

    def set_sensor_colors(
        self,
        indices: np.ndarray,
        rgb: np.ndarray,
        cleared: np.ndarray | None = None,
        alt_rgb: np.ndarray | None = None,
    ) -> None:
        """Sensor state colours in one batch write; `cleared` equipment lost their data and get their own
        colours back; `alt_rgb` is a second colour on every other point (two-tone: stale data). The
        selection and layout flags keep their colours on top."""
        if self.batch is None or not len(self.batch):
            return
        batch = self.batch
        indices = np.asarray(indices, dtype=np.int64)
        rgb = np.asarray(rgb, dtype=np.uint8).reshape(-1, 3)
        marked = self.marked_indices()
        if cleared is not None and len(cleared):
            cleared = np.setdiff1d(np.asarray(cleared, dtype=np.int64), marked)
        keep = ~np.isin(indices, marked)
        alt = None if alt_rgb is None else np.asarray(alt_rgb, dtype=np.uint8).reshape(-1, 3)[keep]
        batch.update_colors(indices[keep], rgb[keep], cleared, alt)

    def show_value_labels(self, specs: list[LabelSpec]) -> None:
        """Live values next to the selected equipment: one label actor for all of them (none removes it)."""
        self._show_overlay_labels("sensor-values", specs, SENSOR_LABEL_COLOR, 14, above=True)


SENSOR_LABEL_COLOR = (15, 25, 35)
ID_LABEL_COLOR = (10, 60, 130)  # dark blue: ids read apart from the names
ID_LABELS = "equipment-ids"
CLIPPED_ACTORS = ("equipment", "equipment-lod", "walls", "columns", "selection-outline")
HIGHLIGHT_COLOR = (255, 0, 200)  # magenta: no equipment type uses it, so a selection never blends in
FLAG_COLOR = (235, 25, 25)  # red: equipment breaking a layout check
MEASURE_LABEL_COLOR = (0, 50, 140)
XRAY_OPACITY = 0.25
