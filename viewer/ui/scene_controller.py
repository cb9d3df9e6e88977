"""Keeps the 3D view in step with the view state: no widgets here, only the plotter it is given.

The view state is the truth; this class listens to it and writes colours, visibility and the camera into
the PlantView. Renders are requested and coalesced into one frame per turn of the event loop.

A frame of a big plant takes most of a second in software OpenGL, and VTK keeps the interpreter lock while it
draws: such frames are drawn a slice of triangles per turn of the event loop (`DetailDrawing`), and a site
opened from a loading thread is put together in steps, shown first as level-of-detail boxes, so the window
keeps answering throughout.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

import numpy as np
import pyvista as pv
from PySide6.QtCore import QObject, QPointF, Qt, QTimer, Signal

from viewer.app.view_state import ViewState
from viewer.model import EquipmentLibrary, EquipmentPath, PlantDocument, Site
from viewer.scene.batch import EquipmentBatch, TypeMeshes
from viewer.scene.plant_view import DetailDrawing, PlantView, SitePieces
from viewer.scene.view_overlays import ColorLegend, ScaleBar

WORK_PAUSE_MS = 4
STEP_SECONDS = 0.025  # GUI-thread time a drawing step aims at (a repaint may come between two steps)
SLICED_FRAME_SECONDS = 0.08  # full frames expected to take longer are drawn in slices
SLICED_FRAME_TRIANGLES = 250_000  # ... and only for meshes this big (small scenes: one frame is cheaper)
WORST_SPEED_MEMORY = 0.9  # a step's share of the slowest speed seen before it (forgets it in some twenty steps)
SLICE_TRIANGLES = (20_000, 4_000_000)  # bounds of the slice size, which follows the measured drawing speed
# Scenes this big are drawn without multi-sampling in software OpenGL, where 4x multi-sampling doubles a frame
# (200k triangles: 75 -> 170 ms on two cores), too slow for a view that sensor data redraws several times a second.
MULTISAMPLED_TRIANGLES_MAX = 100_000


class SceneController(QObject):
    rendered = Signal()  # a frame with everything requested so far is on screen
    progress = Signal(float, str)  # a site shown in steps: fraction done, what is being drawn
    showing_finished = Signal()  # a site shown in steps is fully drawn (or another site replaced it)

    def __init__(self, plotter: pv.BasePlotter, state: ViewState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.plotter = plotter
        self.state = state
        self.view = PlantView(plotter)  # what it shows is of the session's document (it holds none of its own)
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self._on_render_request)
        self._moving_camera = False
        self.scale_bar = ScaleBar(plotter, self.view.metres_per_pixel)
        self.legend = ColorLegend(plotter)  # shown while sensor data colour the equipment
        self.view.grid_labels = True  # metre marks on the floor grid, placed with the line and cell names
        self.clip_widget: object | None = None  # the box widget while the clipping box is on
        # Work spread over turns of the event loop: a site shown in steps, then its meshes drawn in slices.
        self._work_timer = QTimer(self)
        # A few milliseconds between steps: with no pause, Qt could run two steps back to back before a
        # waiting event (input, a repaint) got its turn.
        self._work_timer.setInterval(WORK_PAUSE_MS)
        self._work_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._work_timer.timeout.connect(self._work)
        self._steps: Iterator[tuple[float, str]] | None = None
        self._showing = False  # a site shown in steps is not fully on screen yet
        self._drawing: DetailDrawing | None = None
        self._drawing_stamp: tuple[int, ...] = ()  # what the slices drawn so far were drawn from
        self._redraw = False  # something changed while a drawing was under way: draw again after it
        self._slice_triangles = 50_000  # then sized from the measured drawing speed
        # The slowest drawing speed of recent slices (seconds a triangle): slices differ several times over
        # (equipment that fills the screen against equipment out of view), so a size grown on cheap slices
        # is held to what the dearest would cost. It forgets slowly, for views that got cheaper.
        self._worst_seconds_per_triangle = 0.0
        self._seconds_per_triangle = 0.0  # measured cost of a full frame, per triangle of the meshes
        self._own_render = False
        self._other_render = False  # a frame not drawn by the slices overwrote what they kept
        self._shown_view: tuple[int, ...] = ()  # camera, size and geometry (modification times) on screen
        self._renders = 0
        self._camera_moving = False
        plotter.ren_win.AddObserver("StartEvent", self._on_render_start)
        state.selection_changed.connect(self._on_selection)
        state.visibility_changed.connect(self._on_visibility)
        state.xray_changed.connect(self._on_xray)
        state.camera_changed.connect(self._on_camera)
        # Level of detail: boxes while the camera moves. The style sends these around every drag and wheel step.
        plotter.iren.add_observer("StartInteractionEvent", self._on_interaction_start)
        plotter.iren.add_observer("EndInteractionEvent", self._on_interaction_end)

    # ------------------------------------------------------------ showing a site

    @property
    def busy(self) -> bool:
        """A site shown in steps is still being put together or drawn."""
        return self._showing

    def show_site(
        self,
        document: PlantDocument,
        library: EquipmentLibrary,
        site: Site | None,
        meshes: TypeMeshes,
        batch: EquipmentBatch | None = None,
        stepped: bool = False,
        pieces: SitePieces | None = None,
    ) -> None:
        """Show a site; `batch` (and `pieces`) when a loading thread already built them for this site.

        `stepped`: a big site (`batch` given) is put together over several turns of the event loop (each step
        well under 100 ms), first drawn as level-of-detail boxes, then the full meshes in slices; `busy` until
        they are on screen. A small one is shown at once: that is cheap, and no boxes flash by."""
        self._stop_work()
        big = batch is not None and batch.detail.n_cells >= SLICED_FRAME_TRIANGLES
        if stepped and big and site is not None and _has_equipment(site):
            self._showing = True
            self._steps = self._site_steps(document, library, site, meshes, batch, pieces)
            self._work()  # the first step at once: whatever reacts to the new site finds its batch
            self._work_timer.start()
            return
        # pyvistaqt draws a frame for every actor added: one frame at the end is enough (a 10,000 equipment
        # frame takes over a second with software OpenGL).
        self.plotter.suppress_rendering = True
        try:
            self._show_site(document, library, site, meshes, batch)
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
    ) -> None:
        if site is None:
            self.plotter.clear_actors()
            self.view.batch, self.view.site = None, None
            self.view.detail_actor = self.view.proxy_actor = None
            self.request_render()
            return
        if _has_equipment(site):
            self.view.show_site(document, library, site, meshes=meshes, batch=batch)
        else:
            # A new child plant with no equipment yet: build_batch does not take an empty site.
            self.view.show_building_only(site)
        self._after_site_shown()

    def _site_steps(
        self,
        document: PlantDocument,
        library: EquipmentLibrary,
        site: Site,
        meshes: TypeMeshes,
        batch: EquipmentBatch | None,
        pieces: SitePieces | None,
    ) -> Iterator[tuple[float, str]]:
        """The steps of a stepped show (see show_site); yields the fraction done and what comes next."""
        stage = "Drawing the plant"
        steps = self.view.show_site_steps(document, library, site, meshes, batch=batch, lod=True, pieces=pieces)
        for count, _ in enumerate(steps):
            yield 0.04 * (count + 1), stage
        self._after_site_shown()
        yield 0.25, stage
        self.plotter.suppress_rendering = False
        self._render_frame()  # the boxes: the plant is on screen from here on
        yield 0.3, "Drawing the detail"
        if DetailDrawing.possible(self.view):
            self._start_drawing()
        else:  # X-ray on: one full frame
            self.plotter.suppress_rendering = False
            self.view.set_interacting(False)
            self._render_frame()
            self._finish_showing()

    def _after_site_shown(self) -> None:
        big_scene = getattr(self.plotter, "set_big_scene", None)  # the window's widget (ViewWidget)
        if big_scene is not None:
            big_scene(self.view.batch is not None and self.view.batch.detail.n_cells > MULTISAMPLED_TRIANGLES_MAX)
        self.scale_bar.show()
        if self.legend.visible:
            self.legend.show()  # the new site's scene cleared its actors
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

    def _finish_showing(self) -> None:
        if self._showing:
            self._showing = False
            self.showing_finished.emit()

    def _stop_work(self) -> None:
        """Drop a stepped show or a drawing under way (another site is shown, or a full frame was drawn)."""
        if self._steps is not None:
            self._steps.close()
            self._steps = None
        self._cancel_drawing()
        self._work_timer.stop()
        self._finish_showing()

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
        self._camera_moving = True  # a drawing in slices waits: the camera is about to change
        self.view.set_interacting(True)

    def _on_interaction_end(self, *_: object) -> None:
        self._camera_moving = False
        if not (self._showing or self._sliced_frames()):  # else the boxes stay until the slices are drawn
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

    def set_legend(self, entries: list[tuple[str, tuple[int, int, int]]] | None, title: str = "") -> None:
        """Show the colour legend with these rows (None hides it); the next frame draws it."""
        if not entries:
            if self.legend.visible:
                self.legend.hide()
                self.view.set_label_obstacles([])
            return
        self.legend.set_entries(entries, title)
        if not self.legend.visible:
            self.legend.show()
            self.view.set_label_obstacles([self.legend])  # the names keep clear of it

    def render_if_quick(self) -> None:
        """Draw the frame now if it is one quick full frame (a seek the user waits for: drawn before the
        docks repaint, so the window is composed once), else as request_render would."""
        if self._steps is None and self._drawing is None and not self._sliced_frames() and not self.view.interacting:
            self._render_timer.stop()
            self._render_frame()
        else:
            self.request_render()

    def render_now(self) -> None:
        """Everything drawn at once in one full frame (tests and benches read it back straight away); slower
        than request_render's frames for a big plant, which are drawn in slices."""
        self._render_timer.stop()
        if self._steps is None:
            self._cancel_drawing()
            if not self._camera_moving:
                self.view.set_interacting(False)
        self._render_frame()
        if self._steps is None:
            self._finish_showing()

    def _on_render_request(self) -> None:
        """The frame for the requests of this turn of the event loop: one full frame, or, when that would hold
        the GUI thread too long, the boxes at once if the camera or the geometry changed (a view preset, a
        wheel step, a drag) and the full meshes in slices."""
        if self.plotter.ren_win is None:  # closed
            return
        if self._steps is not None:
            return  # a site is being put together: its steps draw its first frame
        drawing = self._drawing
        if drawing is None and not self._sliced_frames():
            if self.view.interacting and not self._camera_moving:
                self.view.set_interacting(False)  # boxes kept for slices that are not coming (X-ray came on)
            self._render_frame()
            return
        if self._view_stamp() != self._shown_view:
            self.view.set_interacting(True)  # the new view at once as boxes; the slices follow
            self._render_frame()
        if drawing is None:
            self._start_drawing()
            return
        if not self._other_render:  # (else the next step starts again anyway)
            if not self.view.interacting and drawing.fraction < 0.5:
                drawing.restart()  # little drawn yet: start again with the change
            else:
                self._redraw = True  # boxes on screen, or most slices drawn: finish, then draw the change
        if not self._camera_moving:
            self._work_timer.start()

    def _sliced_frames(self) -> bool:
        """Whether full frames are drawn in slices: a big mesh whose last full frame was slow."""
        batch = self.view.batch
        if self._camera_moving or batch is None or not DetailDrawing.possible(self.view):
            return False
        triangles = batch.detail.n_cells
        return triangles >= SLICED_FRAME_TRIANGLES and triangles * self._seconds_per_triangle > SLICED_FRAME_SECONDS

    def _view_stamp(self) -> tuple[int, ...]:
        """Modification times of what a frame shows besides colours: camera, window size, geometry."""
        stamp = (self.plotter.renderer.GetActiveCamera().GetMTime(), *self.plotter.ren_win.GetSize())
        batch = self.view.batch
        if batch is None:
            return stamp
        return (*stamp, batch.detail.GetPoints().GetMTime(), batch.detail.GetPolys().GetMTime())

    def _render_frame(self) -> None:
        before = self._renders
        start = time.perf_counter()
        self.plotter.render()
        seconds = time.perf_counter() - start
        if self._renders != before:  # pyvista draws nothing before the window is shown
            self._frame_drawn()
            if not self.view.interacting and self.view.has_equipment():
                self._seconds_per_triangle = seconds / max(1, self.view.batch.detail.n_cells)
                if self._drawing is not None and self._steps is None:
                    self._cancel_drawing()  # this frame shows everything the slices were for
                    self._finish_showing()
        self.rendered.emit()

    def _frame_drawn(self) -> None:
        # The paint VTK's frame event schedules only has to show it (see ViewWidget); a plain plotter draws.
        mark = getattr(self.plotter, "frame_drawn", None)
        if mark is not None:
            mark()

    def _on_render_start(self, *_: object) -> None:
        self._renders += 1
        if not self._own_render:
            self._other_render = True
            self._shown_view = self._view_stamp()  # what the frame on screen shows

    def _start_drawing(self) -> None:
        if self._drawing is None:
            self._drawing = DetailDrawing(self.view, self._slice_triangles)
            self._drawing_stamp = self._stamp()
            self._other_render = False
        self._work_timer.start()

    def _cancel_drawing(self) -> None:
        self._drawing = None
        self._redraw = False

    def _stamp(self) -> tuple[int, ...]:
        """What slices drawn so far depend on besides colours: the view, clipping planes, the actor's look."""
        actor = self.view.detail_actor
        return (*self._view_stamp(), actor.GetMapper().GetMTime(), actor.GetProperty().GetMTime())

    def close(self) -> None:
        """The window closes: nothing more is drawn (call before closing the plotter)."""
        self._render_timer.stop()
        self._stop_work()

    def _work(self) -> None:
        """One step of the work under way: a step of a site shown in steps, else a slice of a drawing."""
        if self.plotter.ren_win is None:  # closed
            self._stop_work()
            return
        if self._steps is not None:
            self.plotter.suppress_rendering = True  # pyvista would draw a frame for every actor added
            try:
                fraction, stage = next(self._steps)
            except StopIteration:
                self._steps = None
            except Exception:
                self._steps = None
                self._stop_work()
                raise
            else:
                self.progress.emit(fraction, stage)
            finally:
                self.plotter.suppress_rendering = False
            return
        if self._drawing is None or self._camera_moving:
            self._work_timer.stop()
            return
        self._draw_step()

    def _draw_step(self) -> None:
        drawing = self._drawing
        if not DetailDrawing.possible(self.view):  # X-ray came on: translucent slices would blend wrongly
            self._cancel_drawing()
            self.view.set_interacting(False)
            self._render_frame()
            self._finish_showing()
            return
        stamp = self._stamp()
        if self._other_render or stamp != self._drawing_stamp:
            self._other_render = False  # another frame overwrote the kept buffers, or the camera moved
            self._drawing_stamp = stamp
            drawing.restart()
        if drawing.drawn:
            self._present()
            return
        slice_step = drawing.next_triangle is not None and drawing.next_triangle < drawing.total
        first = drawing.next_triangle or 0
        start = time.perf_counter()
        self._own_render = True
        try:
            drawing.step()
        finally:
            self._own_render = False
        if slice_step:  # size the next slices from the speed of this one
            seconds = max(time.perf_counter() - start, 1e-4)
            wanted = drawing.triangles_per_step * STEP_SECONDS / seconds
            self._worst_seconds_per_triangle = max(seconds / max(1, (drawing.next_triangle or 0) - first),
                                                   WORST_SPEED_MEMORY * self._worst_seconds_per_triangle)  # fmt: skip
            # Shrink at once, grow by a quarter at most: a slice's cost grows faster than its size near the
            # limit, and one overshoot is a stall the user feels.
            wanted = min(wanted, 1.25 * drawing.triangles_per_step, STEP_SECONDS / self._worst_seconds_per_triangle)
            size = int(np.clip(wanted, *SLICE_TRIANGLES))
            drawing.triangles_per_step = self._slice_triangles = size
        if self._showing:
            self.progress.emit(0.3 + 0.7 * drawing.fraction, "Drawing the detail")

    def _present(self) -> None:
        drawing = self._drawing
        self._own_render = True
        try:
            drawing.present(self._draw_presented)
        finally:
            self._own_render = False
        self._seconds_per_triangle = drawing.render_seconds / max(1, drawing.total)
        self._drawing = None
        self._work_timer.stop()
        self.rendered.emit()
        self._finish_showing()
        if self._redraw:
            self._redraw = False
            self.request_render()

    def _draw_presented(self) -> None:
        self._shown_view = self._view_stamp()
        self.plotter.ren_win.Render()
        self._frame_drawn()

    def snapshot(
        self,
        document: PlantDocument | None,
        library: EquipmentLibrary | None,
        meshes: TypeMeshes | None,
        size: tuple[int, int],
        transparent: bool,
    ) -> np.ndarray:
        """The shown site of `document` (the open one) drawn off-screen at `size`."""
        if document is None or library is None or self.view.site is None:
            raise ValueError("no plant is shown")
        return self.view.snapshot(document, library, size, transparent, meshes=meshes)


def _has_equipment(site: Site) -> bool:
    return any(cell.equipment for area in site.areas for line in area.lines for cell in line.cells)
