"""The other participants' pointers of a remote session in the 3D view: a coloured dot per participant at the
3D point under their cursor, their name beside it, at a constant size on screen.

Plain values in (names, positions, colours). One point actor draws every dot, one label layer every name, as the
review pins do; showing another site clears the renderer's actors: they are put back at the next frame.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

import numpy as np
from vtkmodules.vtkCommonCore import vtkCommand
from vtkmodules.vtkRenderingCore import vtkRenderer

from viewer.scene.labels import LabelLayer, LabelSpec
from viewer.scene.review_pins import _point_actor, _points_mesh

POINTER_PIXELS = 16
POINTER_OFFSET = -66000.0  # drawn over the equipment it points at, as a pin's head
LABEL_COLOR = (20, 24, 30)
LABEL_FONT = 12
# Distinct, saturated colours that stand out from the equipment's (greys, blues) and from the pins' (red, amber).
PALETTE = ((230, 25, 175), (0, 170, 90), (255, 120, 0), (120, 60, 220), (0, 160, 200), (200, 0, 0))


def pointer_color(username: str) -> tuple[int, int, int]:
    """The same colour for a participant in every window (a stable hash of the login, not Python's)."""
    return PALETTE[sum(username.encode("utf-8")) % len(PALETTE)]


class SessionPointers:
    """The pointers of one renderer; `set_pointers` replaces them all."""

    def __init__(self, renderer: vtkRenderer) -> None:
        self.renderer = renderer
        self.names: list[str] = []
        self.positions = np.zeros((0, 3))
        self.builds = 0  # how many times the pointers were rebuilt (tests read it)
        self.actor, self._mapper = _point_actor(POINTER_PIXELS, POINTER_OFFSET)
        self.actor.GetProperty().SetLighting(False)
        self.actor.VisibilityOff()
        self.labels: LabelLayer | None = None
        this = weakref.ref(self)

        def on_start(_caller: vtkRenderer, _event: str) -> None:
            pointers = this()
            if pointers is not None:
                pointers._own_actors()

        self._observer = renderer.AddObserver(vtkCommand.StartEvent, on_start, 10.0)
        self._own_actors()

    def _own_actors(self) -> None:
        for actor in [self.actor] + ([self.labels.actor] if self.labels is not None else []):
            if not self.renderer.HasViewProp(actor):
                self.renderer.AddActor(actor)

    def set_pointers(self, names: Sequence[str], positions: np.ndarray, colors: np.ndarray) -> None:
        """Every pointer at once: the names shown, (n, 3) world points and (n, 3) RGB 0-255."""
        self.builds += 1
        self.names = [str(n) for n in names]
        self.positions = np.asarray(positions, dtype=float).reshape(-1, 3)
        colors = np.asarray(colors, dtype=np.uint8).reshape(-1, 3)
        if len(self.names) != len(self.positions) or len(colors) != len(self.positions):
            raise ValueError("pointers: as many names and colours as positions are needed")
        self._mapper.SetInputData(_points_mesh(self.positions, colors))
        self.actor.SetVisibility(bool(len(self.positions)))
        if self.labels is not None:
            self.labels.detach()
            self.renderer.RemoveActor(self.labels.actor)
            self.labels = None
        if len(self.positions):
            specs = [LabelSpec(tuple(p), n, 2.0) for p, n in zip(self.positions.tolist(), self.names, strict=True)]
            self.labels = LabelLayer(specs, LABEL_COLOR, LABEL_FONT, above=True, gap=POINTER_PIXELS // 2 + 2)
            self.renderer.AddActor(self.labels.actor)
            self.labels.attach(self.renderer)

    def close(self) -> None:
        if self.labels is not None:
            self.labels.detach()
            self.renderer.RemoveActor(self.labels.actor)
            self.labels = None
        self.renderer.RemoveObserver(self._observer)
        self.renderer.RemoveActor(self.actor)
