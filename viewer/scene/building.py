"""The building around the equipment: floor, outline walls, column grid and a floor grid."""

from __future__ import annotations

import itertools

import numpy as np
import pyvista as pv

from viewer.model import Site

FLOOR_COLOR = (214, 216, 212)
GRID_COLOR = (185, 188, 186)
WALL_COLOR = (120, 128, 136)
WALL_HEIGHT = 0.4  # a low curb, not a wall: walls would hide the plant in every view
FALLBACK_FOOTPRINT_MARGIN = 10.0


def site_footprint(site: Site, equipment_bounds: np.ndarray | None) -> np.ndarray:
    """(n, 2) outline; a box around the equipment when the site declares none."""
    if len(site.footprint) >= 3:
        return np.asarray(site.footprint, dtype=float)
    if equipment_bounds is None:
        return np.array([(0.0, 0.0), (60.0, 0.0), (60.0, 40.0), (0.0, 40.0)])
    lo = equipment_bounds[0][:2] - FALLBACK_FOOTPRINT_MARGIN
    hi = equipment_bounds[1][:2] + FALLBACK_FOOTPRINT_MARGIN
    return np.array([(lo[0], lo[1]), (hi[0], lo[1]), (hi[0], hi[1]), (lo[0], hi[1])])


def floor_mesh(outline: np.ndarray) -> pv.PolyData:
    points = np.column_stack([outline, np.full(len(outline), -0.02)])
    faces = np.concatenate([[len(points)], np.arange(len(points))])
    return pv.PolyData(points, faces=faces).triangulate()


def wall_mesh(outline: np.ndarray, thickness: float = 0.3) -> pv.PolyData:
    """A low curb along the outline: reads as the building edge from above and from the side."""
    walls = []
    closed = np.vstack([outline, outline[:1]])
    for (x0, y0), (x1, y1) in itertools.pairwise(closed):
        length = float(np.hypot(x1 - x0, y1 - y0))
        if length == 0:
            continue
        box = pv.Box(bounds=(-length / 2, length / 2, -thickness / 2, thickness / 2, 0.0, WALL_HEIGHT))
        box.rotate_z(np.degrees(np.arctan2(y1 - y0, x1 - x0)), inplace=True)
        box.translate(((x0 + x1) / 2, (y0 + y1) / 2, 0.0), inplace=True)
        walls.append(box)
    return pv.merge(walls) if walls else pv.PolyData()


def floor_grid(outline: np.ndarray, spacing: float) -> pv.PolyData:
    """Grid lines inside the outline's box, every `spacing` metres, as one line set."""
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    xs = np.arange(np.ceil(lo[0] / spacing) * spacing, hi[0] + 1e-9, spacing)
    ys = np.arange(np.ceil(lo[1] / spacing) * spacing, hi[1] + 1e-9, spacing)
    segments = [((x, lo[1]), (x, hi[1])) for x in xs] + [((lo[0], y), (hi[0], y)) for y in ys]
    if not segments:
        return pv.PolyData()
    points = np.array([[*p, 0.0] for seg in segments for p in seg])
    lines = np.column_stack(
        [np.full(len(segments), 2), np.arange(0, 2 * len(segments), 2), np.arange(1, 2 * len(segments), 2)]
    )
    return pv.PolyData(points, lines=lines.ravel())


def column_mesh(site: Site, color: tuple[int, int, int]) -> pv.PolyData:
    """Every column of the grid as one unlit mesh of boxes with baked shading (point colours)."""
    from viewer.scene.batch import COLORS, shaded_boxes

    positions = np.asarray(site.column_grid.positions(), dtype=float).reshape(-1, 2)
    if not len(positions):
        return pv.PolyData()
    matrices = np.tile(np.eye(4), (len(positions), 1, 1))
    matrices[:, :2, 3] = positions
    size, height = site.column_grid.size, site.column_grid.height
    mesh, shade = shaded_boxes(matrices, np.tile([size, size, height], (len(positions), 1)))
    mesh.point_data[COLORS] = (np.asarray(color)[None, :] * shade[:, None]).astype(np.uint8)
    return mesh
