"""Review topic pins in the 3D view: a round head per topic, its number ("#12") above it, all at a constant
size on screen, so they stay readable and clickable from a close look at one machine to the whole plant.

Plain values in (positions, numbers, colours, priorities); nothing of the application. One point actor draws
every head (points rendered as spheres: their size is in pixels, whatever the distance), one label layer the
numbers (`LabelLayer`: placed only when the view changed, higher priority first where they would overlap),
and one more point the halo of the highlighted pin. Showing another site clears the renderer's actors: the
pins put theirs back at the start of the next frame.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

import numpy as np
from vtkmodules.util.numpy_support import get_vtk_to_numpy_typemap, numpy_to_vtk, numpy_to_vtkIdTypeArray
from vtkmodules.util.vtkConstants import VTK_ID_TYPE
from vtkmodules.vtkCommonCore import vtkCommand, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper, vtkRenderer

from viewer.scene.labels import LabelLayer, LabelSpec

PIN_PIXELS = 18  # diameter of a pin's head on screen
HALO_PIXELS = 32  # the highlighted pin's ring
PICK_PIXELS = 12  # a click this close to a head's centre is on the pin
LABEL_COLOR = (28, 34, 42)
LABEL_FONT = 12
HALO_COLOR = (255, 214, 0)
# Heads and halo are drawn over the equipment (a pin stands on or inside the machine it is about): a large depth
# offset keeps them in front without a render layer of their own; the halo a little less, so it sits behind.
HEAD_OFFSET = -66000.0
HALO_OFFSET = -60000.0


def _points_mesh(points: np.ndarray, colors: np.ndarray | None = None) -> vtkPolyData:
    mesh = vtkPolyData()
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(np.ascontiguousarray(points, dtype=np.float64).reshape(-1, 3), deep=True))
    mesh.SetPoints(vtk_points)
    count = len(points)
    id_type = get_vtk_to_numpy_typemap()[VTK_ID_TYPE]
    cells = vtkCellArray()
    cells.SetData(
        numpy_to_vtkIdTypeArray(np.arange(count + 1, dtype=id_type), deep=True),
        numpy_to_vtkIdTypeArray(np.arange(count, dtype=id_type), deep=True),
    )
    mesh.SetVerts(cells)
    if colors is not None:
        array = numpy_to_vtk(np.ascontiguousarray(colors, dtype=np.uint8).reshape(-1, 3), deep=True)
        array.SetName("pin-colors")
        mesh.GetPointData().SetScalars(array)
    return mesh


def _point_actor(size: float, offset: float) -> tuple[vtkActor, vtkPolyDataMapper]:
    mapper = vtkPolyDataMapper()
    mapper.SetColorModeToDirectScalars()
    mapper.SetScalarModeToUsePointData()
    mapper.SetResolveCoincidentTopologyToPolygonOffset()
    mapper.SetRelativeCoincidentTopologyPointOffsetParameter(offset)
    actor = vtkActor()
    actor.SetMapper(mapper)
    prop = actor.GetProperty()
    prop.SetRepresentationToPoints()
    prop.SetRenderPointsAsSpheres(True)
    prop.SetPointSize(size)
    prop.SetAmbient(0.35)
    prop.SetDiffuse(0.75)
    prop.SetSpecular(0.25)
    actor.PickableOff()
    return actor, mapper


class ReviewPins:
    """The pins of one renderer. `set_pins` replaces them all (a model reset, not a pin at a time)."""

    def __init__(self, renderer: vtkRenderer) -> None:
        self.renderer = renderer
        self.positions = np.zeros((0, 3))
        self.numbers: list[int] = []
        self.colors = np.zeros((0, 3), np.uint8)
        self.highlighted: int | None = None
        self.visible = True
        self.builds = 0  # how many times the pins were rebuilt (tests and benchmarks read it)
        self.actor, self._mapper = _point_actor(PIN_PIXELS, HEAD_OFFSET)
        self.halo, self._halo_mapper = _point_actor(HALO_PIXELS, HALO_OFFSET)
        self.halo.GetProperty().SetColor(*(c / 255 for c in HALO_COLOR))
        self.halo.GetProperty().SetLighting(False)
        self._halo_mapper.ScalarVisibilityOff()
        self.halo.VisibilityOff()
        self.labels: LabelLayer | None = None
        self._own_actors()
        this = weakref.ref(self)  # the renderer must not keep dropped pins alive

        def on_start(_caller: vtkRenderer, _event: str) -> None:
            pins = this()
            if pins is not None:
                pins._own_actors()

        # Before the label layers' own hook: theirs only places labels whose actor is in the renderer.
        self._observer = renderer.AddObserver(vtkCommand.StartEvent, on_start, 10.0)

    def _own_actors(self) -> None:
        """Put the pins' actors (back) into the renderer: a site shown since cleared it."""
        actors = [self.halo, self.actor] + ([self.labels.actor] if self.labels is not None else [])
        for actor in actors:
            if not self.renderer.HasViewProp(actor):
                self.renderer.AddActor(actor)

    def set_pins(
        self,
        positions: np.ndarray,
        numbers: Sequence[int],
        colors: np.ndarray,
        priorities: Sequence[float] | None = None,
    ) -> None:
        """Every pin at once: (n, 3) world positions, their topic numbers, (n, 3) RGB 0-255 and, for the
        numbers that would overlap on screen, which win (higher first; default: all equal)."""
        self.builds += 1
        self.positions = np.asarray(positions, dtype=float).reshape(-1, 3)
        self.numbers = [int(n) for n in numbers]
        self.colors = np.asarray(colors, dtype=np.uint8).reshape(-1, 3)
        if len(self.numbers) != len(self.positions) or len(self.colors) != len(self.positions):
            raise ValueError("pins: as many numbers and colours as positions are needed")
        self._mapper.SetInputData(_points_mesh(self.positions, self.colors))
        if self.labels is not None:
            self.labels.detach()
            self.renderer.RemoveActor(self.labels.actor)
            self.labels = None
        if len(self.positions):
            ranks = [1.0] * len(self.numbers) if priorities is None else [float(p) for p in priorities]
            points = self.positions.tolist()
            specs = [LabelSpec(tuple(p), f"#{n}", r) for p, n, r in zip(points, self.numbers, ranks, strict=True)]
            self.labels = LabelLayer(specs, LABEL_COLOR, LABEL_FONT, above=True, gap=PIN_PIXELS // 2 + 2)
            self.labels.actor.SetVisibility(self.visible)
            self.renderer.AddActor(self.labels.actor)
            self.labels.attach(self.renderer)
        if self.highlighted is not None and self.highlighted >= len(self.positions):
            self.highlighted = None
        self._show_halo()

    def set_highlight(self, index: int | None) -> None:
        """Ring the pin at `index` (the topic selected in the dock); None: no ring."""
        self.highlighted = index if index is not None and 0 <= index < len(self.positions) else None
        self._show_halo()

    def _show_halo(self) -> None:
        if self.highlighted is None:
            self.halo.VisibilityOff()
            return
        self._halo_mapper.SetInputData(_points_mesh(self.positions[self.highlighted : self.highlighted + 1]))
        self.halo.SetVisibility(self.visible)

    def set_visible(self, on: bool) -> None:
        self.visible = bool(on)
        self.actor.SetVisibility(self.visible)
        if self.labels is not None:
            self.labels.actor.SetVisibility(self.visible)
        self._show_halo()

    def display_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """(n, 2) display pixels of the heads (origin bottom left) and which are in front of the camera."""
        if not len(self.positions):
            return np.zeros((0, 2)), np.zeros(0, bool)
        width, height = self.renderer.GetSize()
        camera = self.renderer.GetActiveCamera()
        matrix = camera.GetCompositeProjectionTransformMatrix(width / max(height, 1), -1, 1)
        m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
        clip = np.c_[self.positions, np.ones(len(self.positions))] @ m.T
        w = clip[:, 3]
        front = w > 1e-9
        ndc = clip[:, :2] / np.where(front, w, 1.0)[:, None]
        x0, y0 = self.renderer.GetOrigin()
        display = np.c_[(ndc[:, 0] + 1) / 2 * width + x0, (ndc[:, 1] + 1) / 2 * height + y0]
        return display, front

    def pin_at(self, display_x: float, display_y: float, reach: float = PICK_PIXELS) -> int | None:
        """The pin whose head is nearest a display point, if within `reach` pixels; None when pins are hidden."""
        if not self.visible or not len(self.positions):
            return None
        display, front = self.display_positions()
        distance = np.hypot(display[:, 0] - display_x, display[:, 1] - display_y)
        distance[~front] = np.inf
        nearest = int(np.argmin(distance))
        return nearest if distance[nearest] <= reach else None

    def close(self) -> None:
        if self.labels is not None:
            self.labels.detach()
            self.renderer.RemoveActor(self.labels.actor)
            self.labels = None
        self.renderer.RemoveObserver(self._observer)
        self.renderer.RemoveActor(self.actor)
        self.renderer.RemoveActor(self.halo)
