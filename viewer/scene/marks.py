"""Marks the window draws over the plant while the engineer works: the outline of the selection, the snap
guides of a drag and a measured segment. One actor each, however many boxes or segments it holds.

`PlantView` draws them under fixed actor names, so each call replaces what the one before drew.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyvista as pv

GUIDE_COLOR = (0, 150, 255)
MEASURE_COLOR = (0, 110, 255)  # blue: stands out on grey, the type colours and the red of a violation
OUTLINE_COLOR = (255, 230, 0)


def show_selection_outline(plotter: pv.Plotter, boxes: np.ndarray) -> None:
    """The edges of the selected equipment's (2, 3) boxes, under the actor name "selection-outline"."""
    plotter.add_mesh(
        selection_outline(boxes),
        color=OUTLINE_COLOR,
        line_width=2,
        name="selection-outline",
        pickable=False,
        lighting=False,
        render=False,
    )


def show_guides(plotter: pv.Plotter, segments: Sequence[tuple[Sequence[float], Sequence[float]]]) -> None:
    """Snap guide lines on the floor while dragging (one actor for all of them); none clears them."""
    plotter.remove_actor("snap-guides", render=False)
    if not segments:
        return
    points = np.array([p for segment in segments for p in segment], dtype=float)
    lines = np.hstack([np.full((len(segments), 1), 2), np.arange(len(points)).reshape(-1, 2)]).ravel()
    plotter.add_mesh(
        pv.PolyData(points, lines=lines),
        color=GUIDE_COLOR,
        line_width=2,
        name="snap-guides",
        pickable=False,
        lighting=False,
        render=False,
        reset_camera=False,
    )


def show_measure_line(plotter: pv.Plotter, a: np.ndarray, b: np.ndarray) -> None:
    """The measured segment from `a` to `b` (a point when they are the same), with both ends marked, under
    the actor name "measure-line"."""
    line = pv.PolyData(np.array([a, b]), lines=np.array([2, 0, 1]), verts=np.array([1, 0, 1, 1]))
    actor = plotter.add_mesh(
        line,
        color=MEASURE_COLOR,
        line_width=4,
        point_size=12,
        render_points_as_spheres=True,
        name="measure-line",
        pickable=False,
        lighting=False,
        render=False,
        reset_camera=False,
    )
    # Drawn over the equipment (a measured edge is often on or behind the machine it belongs to): a large
    # depth offset for lines and points keeps them in front without a second render layer.
    mapper = actor.mapper
    mapper.SetResolveCoincidentTopologyToPolygonOffset()
    mapper.SetRelativeCoincidentTopologyLineOffsetParameters(0, -66000)
    mapper.SetRelativeCoincidentTopologyPointOffsetParameter(-66000)


def selection_outline(boxes: np.ndarray) -> pv.PolyData:
    """The 12 edges of every (2, 3) box as one line mesh: one actor however many are selected."""
    corners = np.array([[i, j, k] for k in (0, 1) for j in (0, 1) for i in (0, 1)])  # 8 corners, 0/1 per axis
    edges = [(0, 1), (2, 3), (4, 5), (6, 7), (0, 2), (1, 3), (4, 6), (5, 7), (0, 4), (1, 5), (2, 6), (3, 7)]
    lo, hi = boxes[:, 0][:, None, :], boxes[:, 1][:, None, :]
    points = np.where(corners[None, :, :] == 0, lo, hi).reshape(-1, 3)
    offsets = (np.arange(len(boxes)) * 8)[:, None, None]
    lines = (np.array(edges)[None] + offsets).reshape(-1, 2)
    cells = np.hstack([np.full((len(lines), 1), 2), lines]).ravel()
    return pv.PolyData(points.astype(np.float32), lines=cells)
