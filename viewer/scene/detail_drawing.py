"""The full equipment meshes of a view drawn a slice of triangles at a time (`DetailDrawing`), so no single
frame holds the GUI thread for long. The window's scene controller runs it after the camera stops.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import numpy as np
import pyvista as pv
from vtkmodules.vtkRenderingCore import vtkActor, vtkActor2D, vtkPolyDataMapper, vtkProp

from viewer.scene.batch import COLORS, EquipmentBatch
from viewer.scene.labels import LabelLayer


class DrawnView(Protocol):
    """What a DetailDrawing needs of the view it draws (a PlantView, which imports this module)."""

    plotter: pv.Plotter
    batch: EquipmentBatch | None
    detail_actor: pv.Actor | None
    proxy_actor: pv.Actor | None

    @property
    def name_layers(self) -> list[LabelLayer]: ...

    @property
    def name_actors(self) -> list[vtkActor2D]: ...

    def has_equipment(self) -> bool: ...

    def set_interacting(self, interacting: bool) -> None: ...


NAMES_STEP_SECONDS = 0.025  # a step of preparing the names of a new site (texts rasterised, then packed)


class DetailDrawing:
    """Draws the full equipment meshes of a view a slice of triangles at a time, so no single frame holds the
    GUI thread for long: one frame of a 10,000-equipment plant (2 M triangles) takes most of a second in
    software OpenGL, and VTK keeps the interpreter lock meanwhile.

    The screen keeps showing the frame before (the level-of-detail boxes after an open) while the slices are
    drawn: every step renders with the buffer swap held back and, after the first, with the colour and depth
    buffers kept, so each slice lands on the ones before it. Depth testing orders them, so the result is the
    image one full frame would give. The names come next, in a step of their own (the first frame of a
    new name layer packs its texts into a texture), and `present` draws the other overlays (scale bar,
    axes) and shows the image. Whatever else draws a frame meanwhile (the camera moved, the window was
    resized) overwrites the kept buffers: `restart` then begins again. Opaque equipment only: translucent
    slices (X-ray) would blend in the order they were drawn, so `possible` says no then."""

    def __init__(self, view: DrawnView, triangles_per_step: int = 50_000) -> None:
        self.view = view
        self.triangles_per_step = triangles_per_step
        self.next_triangle: int | None = None  # None: the base frame (background, building) comes first
        self.names_drawn = False
        self.steps = 0
        self.render_seconds = 0.0  # rendering time of the steps since the last restart

    @staticmethod
    def possible(view: DrawnView) -> bool:
        actor = view.detail_actor
        return view.has_equipment() and actor is not None and actor.prop.opacity >= 1.0

    @property
    def total(self) -> int:
        return self.view.batch.detail.n_cells if self.view.batch is not None else 0

    @property
    def fraction(self) -> float:
        return 0.0 if self.next_triangle is None else self.next_triangle / max(1, self.total)

    @property
    def drawn(self) -> bool:
        """Every triangle and the names are in the kept buffers: only `present` is left."""
        return self.next_triangle is not None and self.next_triangle >= self.total and self.names_drawn

    def restart(self) -> None:
        self.next_triangle = None
        self.names_drawn = False
        self.render_seconds = 0.0

    def step(self) -> None:
        """Draw the next part: the base frame (background, building, other 3D overlays), a slice, the names."""
        renderer = self.view.plotter.renderer
        if self.next_triangle is None:
            equipment = (self.view.detail_actor, self.view.proxy_actor)
            base = [p for p in _visible_props(renderer) if not p.IsA("vtkActor2D") and p not in equipment]
            self._render(base, keep=False)
            self.next_triangle = 0
        elif self.next_triangle >= self.total:
            dpi = int(renderer.GetRenderWindow().GetDPI())
            if all(layer.prepare(dpi, NAMES_STEP_SECONDS) for layer in self.view.name_layers):
                self._render(list(self.view.name_actors), keep=True)  # hidden while the boxes show: drawn anyway
                self.names_drawn = True
        else:
            end = min(self.total, self.next_triangle + max(1, self.triangles_per_step))
            actor = self._slice(self.next_triangle, end)
            renderer.AddActor(actor)
            try:
                self._render([actor], keep=True)
            finally:
                renderer.RemoveActor(actor)  # drawn once: its graphics memory goes with it
            self.next_triangle = end
        self.steps += 1

    def present(self, render: Callable[[], None]) -> None:
        """Scale bar, axes and the other overlays drawn on the finished image, shown by `render` (one frame of
        the window, drawn with the props and buffers set up here); the view is left showing the full meshes."""
        self.view.set_interacting(False)  # the state the finished image shows: no boxes, names on
        names = self.view.name_actors
        overlays = [p for p in _visible_props(self.view.plotter.renderer) if p.IsA("vtkActor2D") and p not in names]
        self._render(overlays, keep=True, present=render)

    def _slice(self, first: int, end: int) -> vtkActor:
        """Triangles [first, end) of the detail mesh as an actor drawn like the detail actor (shared property,
        same mapper settings and clipping planes); only the points those triangles use are copied."""
        detail = self.view.batch.detail
        faces = detail.regular_faces[first:end]
        low, high = int(faces.min()), int(faces.max()) + 1
        mesh = pv.PolyData.from_regular_faces(np.array(detail.points[low:high]), faces - low)
        mesh.point_data[COLORS] = np.array(detail.point_data[COLORS][low:high])
        mesh.GetPointData().SetActiveScalars(COLORS)
        source = self.view.detail_actor
        mapper = vtkPolyDataMapper()
        mapper.ShallowCopy(source.GetMapper())
        mapper.SetInputData(mesh)
        actor = vtkActor()
        actor.SetMapper(mapper)
        actor.SetProperty(source.GetProperty())
        actor.SetUserMatrix(source.GetMatrix())
        return actor

    def _render(self, shown: list[vtkProp], keep: bool, present: Callable[[], None] | None = None) -> None:
        """One frame of only `shown` in the main renderer; other renderers (the axes) only when presenting."""
        renderer = self.view.plotter.renderer
        window = renderer.GetRenderWindow()
        props = list(renderer.GetViewProps())
        visible = [p.GetVisibility() for p in props]
        others = [r for r in window.GetRenderers() if r is not renderer]
        drawn = [r.GetDraw() for r in others]
        for prop in props:
            prop.SetVisibility(False)
        for prop in shown:
            prop.SetVisibility(True)
        for other in others:
            other.SetDraw(present is not None)
        renderer.SetPreserveColorBuffer(keep)
        renderer.SetPreserveDepthBuffer(keep)
        window.SetSwapBuffers(present is not None)
        start = time.perf_counter()
        try:
            (present or window.Render)()
        finally:
            self.render_seconds += time.perf_counter() - start
            window.SetSwapBuffers(True)
            renderer.SetPreserveColorBuffer(False)
            renderer.SetPreserveDepthBuffer(False)
            for other, draw in zip(others, drawn, strict=True):
                other.SetDraw(draw)
            for prop, on in zip(props, visible, strict=True):
                prop.SetVisibility(on)


def _visible_props(renderer: pv.Renderer) -> list[vtkProp]:
    return [p for p in renderer.GetViewProps() if p.GetVisibility()]
