"""Snapping rules shared by the 3D drag and the keyboard."""

from __future__ import annotations

import numpy as np
import pytest

from viewer.model.snapping import rotation_step, snap_to_edges, snap_value, snapped_drag


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [(1.26, 0.1, 1.3), (1.24, 0.5, 1.0), (-0.74, 0.5, -0.5), (2.49, 1.0, 2.0), (0.123, 0.0, 0.123)],
)
def test_snap_value(value, step, expected):
    assert snap_value(value, step) == expected


def test_drag_displacement_snaps_per_axis():
    assert snapped_drag((10.03, 5.0), (12.61, 4.12), 0.5) == (2.5, -1.0)
    assert snapped_drag((0.0, 0.0), (0.349, 0.351), 0.1) == (0.3, 0.4)


def test_rotation_steps_land_on_the_grid():
    assert rotation_step(0.0, 90.0, +1) == 90.0
    assert rotation_step(10.0, 90.0, +1) == 90.0
    assert rotation_step(10.0, 15.0, -1) == 0.0
    assert rotation_step(90.0, 15.0, -1) == 75.0
    assert rotation_step(33.0, 0.0, +1) == 34.0


def test_edges_snap_to_the_nearest_neighbour_edge_within_tolerance():
    neighbours = np.array([[[0.0, 0.0], [4.0, 2.0]], [[10.0, 5.0], [12.0, 9.0]]])
    moving = np.array([[4.15, 5.2], [6.15, 7.2]])  # its left edge 0.15 m right of the first box's right edge
    shift, guides = snap_to_edges(moving, neighbours, tolerance=0.3)
    assert shift == pytest.approx([-0.15, -0.2])  # butted against box 0 in x, bottom edge on box 1's in y
    assert [(g.axis, g.coordinate, g.neighbour) for g in guides] == [(0, 4.0, 0), (1, 5.0, 1)]
    shift, guides = snap_to_edges(moving + np.array([1.0, 1.0]), neighbours, tolerance=0.3)
    assert shift == pytest.approx([0.0, 0.0]) and guides == []
