"""The Measure tool: two clicks in the 3D view, each snapped to a corner or an edge of the equipment under
the cursor (or a point on the floor), give a distance drawn in 3D and shown in the status bar. No widgets."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from viewer.ui.scene_controller import SceneController

SNAP_PIXELS = 8.0  # a corner or an edge this close to the cursor on screen is what the user meant


def distance_text(a: np.ndarray, b: np.ndarray) -> str:
    d = b - a
    return f"{np.linalg.norm(d):.3f} m  (Δx {d[0]:+.3f}, Δy {d[1]:+.3f}, Δz {d[2]:+.3f})"


class MeasureController(QObject):
    status = Signal(str)  # what to show in the status bar
    active_changed = Signal(bool)

    def __init__(self, scene: SceneController) -> None:
        super().__init__(scene)
        self.scene = scene
        self.active = False
        self.points: list[np.ndarray] = []
        self.snaps: list[str] = []

    @property
    def distance(self) -> float | None:
        return float(np.linalg.norm(self.points[1] - self.points[0])) if len(self.points) == 2 else None

    def set_active(self, on: bool) -> None:
        if on == self.active:
            return
        self.active = on
        self.clear()
        self.active_changed.emit(on)
        self.status.emit("Measure: click the first point (corners and edges snap)" if on else "")

    def clear(self) -> None:
        self.points, self.snaps = [], []
        self.scene.view.clear_measure()
        self.scene.request_render()

    def snapped_point(self, display_x: float, display_y: float) -> tuple[np.ndarray, str] | None:
        """The world point meant by a click: a mesh corner or edge near the cursor, the surface hit, or the floor."""
        view = self.scene.view
        index, hit = view.pick_point(display_x, display_y)
        if index is not None and hit is not None:
            return view.snap_on_equipment(index, hit, (display_x, display_y), SNAP_PIXELS)
        floor = view.floor_point(display_x, display_y)
        return (floor, "floor") if floor is not None else None

    def click(self, display_x: float, display_y: float) -> None:
        found = self.snapped_point(display_x, display_y)
        if found is None:
            self.status.emit("Measure: nothing there to measure to (click the floor or equipment)")
            return
        point, snap = found
        if len(self.points) != 1:  # a third click starts a new measurement
            self.points, self.snaps = [point], [snap]
            self.scene.view.show_measure(point, None, "")
            self.status.emit(f"Measure: first point on {snap} at {_xyz(point)}; click the second point")
        else:
            self.points.append(point)
            self.snaps.append(snap)
            text = distance_text(self.points[0], point)
            self.scene.view.show_measure(self.points[0], point, f"{self.distance:.3f} m")
            self.status.emit(f"Distance {text}, from {self.snaps[0]} to {snap}")
        self.scene.request_render()


def _xyz(point: np.ndarray) -> str:
    return f"({point[0]:.3f}, {point[1]:.3f}, {point[2]:.3f}) m"
