"""Snapping while placing equipment: grid steps, angle steps, and edges lined up with a neighbour's.

Pure functions on world XY coordinates, so the 3D drag, the keyboard nudge and the tests share them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

GRID_STEPS = (0.1, 0.5, 1.0)  # metres
ANGLE_STEPS = (90.0, 15.0, 0.0)  # degrees; 0 = free


def snap_value(value: float, step: float) -> float:
    """Nearest multiple of step (no snapping when step is 0); rounded so 0.1 steps print as 0.1."""
    if step <= 0:
        return value
    return round(round(value / step) * step, 9) + 0.0


@dataclass(frozen=True)
class EdgeSnap:
    """A neighbour edge the moved footprint was pulled onto: for drawing a guide line."""

    axis: int  # 0: a vertical line x = coordinate; 1: a horizontal line y = coordinate
    coordinate: float
    neighbour: int  # index into the neighbour boxes


def snap_to_edges(moving: np.ndarray, neighbours: np.ndarray, tolerance: float) -> tuple[np.ndarray, list[EdgeSnap]]:
    """Shift to apply to `moving` ((2, 2) XY box) so that one of its edges lines up with the nearest edge of a
    neighbour ((n, 2, 2) boxes) closer than `tolerance`, per axis independently.

    Both like edges (left to left: a row of machines) and facing edges (right to left: butted together) count.
    """
    shift = np.zeros(2)
    guides: list[EdgeSnap] = []
    if len(neighbours) == 0:
        return shift, guides
    for axis in (0, 1):
        mine = moving[:, axis]  # (lo, hi) of the moved box along this axis
        theirs = neighbours[:, :, axis]  # (n, 2)
        deltas = theirs[:, :, None] - mine[None, None, :]  # (n, 2 their edges, 2 my edges)
        flat = np.abs(deltas).reshape(len(neighbours), -1)
        best = np.unravel_index(int(np.argmin(flat)), flat.shape)
        value = float(deltas.reshape(len(neighbours), -1)[best])
        if abs(value) <= tolerance:
            shift[axis] = value
            their_edge = best[1] // 2
            guides.append(EdgeSnap(axis, float(theirs[best[0], their_edge]), int(best[0])))
    return shift, guides


def snapped_drag(
    start_xy: tuple[float, float],
    cursor_xy: tuple[float, float],
    grid_step: float,
) -> tuple[float, float]:
    """World displacement of a drag: the cursor's travel, each axis snapped to the grid step.

    Snapping the displacement (not the position) keeps equipment that started off-grid where the user put it
    relative to the grid, as CAD tools do for relative moves.
    """
    dx = cursor_xy[0] - start_xy[0]
    dy = cursor_xy[1] - start_xy[1]
    return snap_value(dx, grid_step), snap_value(dy, grid_step)


def rotation_step(current_yaw: float, step: float, direction: int) -> float:
    """Next yaw when turning by a step in a direction (+1 counter-clockwise), landing on the step grid."""
    if step <= 0:
        return current_yaw + direction
    target = (
        math.floor(current_yaw / step + 1e-9) * step if direction < 0 else math.ceil(current_yaw / step - 1e-9) * step
    )
    if math.isclose(target, current_yaw, abs_tol=1e-9):
        target += direction * step
    return snap_value(target, step)
