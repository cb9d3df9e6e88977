"""The building around the equipment: floor, outline walls, column grid and a floor grid, and the walls,
columns and ground slabs of the building's own model (imported from IFC or a DXF drawing)."""

from __future__ import annotations

import itertools

import numpy as np
import pyvista as pv

from viewer.model import BuildingElement, BuildingKind, Site

FLOOR_COLOR = (214, 216, 212)
GRID_COLOR = (185, 188, 186)
WALL_COLOR = (120, 128, 136)
WALL_HEIGHT = 0.4  # a low curb, not a wall: walls would hide the plant in every view
FALLBACK_FOOTPRINT_MARGIN = 10.0
MODEL_WALL_COLOR = (176, 180, 186)
SLAB_COLOR = (200, 202, 198)
GROUND_SLAB_TOP = 0.5  # metres: slabs whose top is below this are the floor; higher ones (storeys, roofs) would
# hide the plant in every view and are left out of the 3D view (they stay in the document)


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
    """Every column of the grid as one unlit mesh of boxes with baked shading (point colours), and the
    building model's walls, columns and ground slabs with it."""
    from viewer.scene.batch import COLORS, shaded_boxes

    positions = np.asarray(site.column_grid.positions(), dtype=float).reshape(-1, 2)
    if not len(positions):
        return building_model_mesh(site.building, color)
    matrices = np.tile(np.eye(4), (len(positions), 1, 1))
    matrices[:, :2, 3] = positions
    size, height = site.column_grid.size, site.column_grid.height
    mesh, shade = shaded_boxes(matrices, np.tile([size, size, height], (len(positions), 1)))
    mesh.point_data[COLORS] = (np.asarray(color)[None, :] * shade[:, None]).astype(np.uint8)
    parts = [mesh]
    model = building_model_mesh(site.building, color)
    if model.n_points:
        parts.append(model)
    return parts[0] if len(parts) == 1 else pv.merge(parts)


def _ccw(points: np.ndarray) -> np.ndarray:
    x, y = points[:, 0], points[:, 1]
    area = float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    return points if area >= 0 else points[::-1]


def _prism(outline: list[tuple[float, float]], base: float, top: float) -> tuple[np.ndarray, np.ndarray]:
    """Triangles (k, 3, 3) of an outline extruded from base to top (sides and top, wound outwards: drawn with
    back faces culled), and their normals (k, 3)."""
    import shapely

    ring = np.asarray(outline, dtype=float)
    if len(ring) > 1 and np.allclose(ring[0], ring[-1]):
        ring = ring[:-1]
    if len(ring) < 3:
        return np.zeros((0, 3, 3)), np.zeros((0, 3))
    ring = _ccw(ring)
    following = np.roll(ring, -1, axis=0)
    a = np.column_stack([ring, np.full(len(ring), base)])
    b = np.column_stack([following, np.full(len(ring), base)])
    c = np.column_stack([following, np.full(len(ring), top)])
    d = np.column_stack([ring, np.full(len(ring), top)])
    sides = np.concatenate([np.stack([a, b, c], axis=1), np.stack([a, c, d], axis=1)])
    edge = following - ring
    side_normals = np.column_stack([edge[:, 1], -edge[:, 0], np.zeros(len(edge))])
    side_normals /= np.maximum(np.linalg.norm(side_normals, axis=1, keepdims=True), 1e-12)
    polygon = shapely.make_valid(shapely.Polygon(ring))
    caps = shapely.get_parts(shapely.constrained_delaunay_triangles(polygon)) if not polygon.is_empty else []
    flat = [shapely.get_coordinates(t)[:3] for t in caps]
    tops = np.array([_ccw(t) for t in flat], dtype=float).reshape(-1, 3, 2)
    top_triangles = np.concatenate([tops, np.full((*tops.shape[:2], 1), top)], axis=2)
    triangles = np.concatenate([sides, top_triangles])
    normals = np.concatenate([side_normals, side_normals, np.tile([0.0, 0.0, 1.0], (len(top_triangles), 1))])
    return triangles, normals


def building_model_mesh(elements: list[BuildingElement], column_color: tuple[int, int, int]) -> pv.PolyData:
    """The walls, columns and ground slabs of a building's model as one unlit mesh with baked shading; spaces
    and upper slabs are not drawn."""
    from viewer.scene.batch import COLORS, baked_shade

    triangles, normals, colors = [], [], []
    for element in elements:
        if element.kind == BuildingKind.SPACE:
            continue
        top = element.base + element.height
        if element.kind == BuildingKind.SLAB:
            if top > GROUND_SLAB_TOP:
                continue
            top = min(top, 0.0)  # the floor's face, level with the plant's floor
            base = top - 0.05
            color = SLAB_COLOR
        else:
            base = element.base
            color = column_color if element.kind == BuildingKind.COLUMN else MODEL_WALL_COLOR
        if top <= base:
            continue
        t, n = _prism(element.outline, base, top)
        triangles.append(t)
        normals.append(n)
        colors.append(np.tile(color, (len(t), 1)))
    if not triangles or not sum(len(t) for t in triangles):
        return pv.PolyData()
    points = np.concatenate(triangles).reshape(-1, 3)
    shade = baked_shade(np.repeat(np.concatenate(normals), 3, axis=0))
    faces = np.arange(len(points)).reshape(-1, 3)
    mesh = pv.PolyData.from_regular_faces(points.astype(np.float32), faces)
    base_colors = np.repeat(np.concatenate(colors), 3, axis=0)
    mesh.point_data[COLORS] = np.clip(base_colors * shade[:, None], 0, 255).astype(np.uint8)
    return mesh
