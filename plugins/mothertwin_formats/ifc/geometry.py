"""The shapes of an IFC file's elements through ifcopenshell's geometry iterator, and what the import makes of
them: plan outlines of walls, slabs, columns and spaces, and equipment meshes in the library's convention
(metres, Z up, origin at the footprint centre on the floor, GLB).

The iterator meshes each element in its own frame (use-world-coords off), so an element that shares its shape
with others (a representation map, the same duct profile) is meshed once and its mesh reused."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import shapely
import trimesh

from viewer.formats import OpenCancelledError

DEFAULT_RGB = (170, 170, 170)
OUTLINE_TOLERANCE = 0.005  # metres: plan outlines simplified to this (a wall's 1 mm tessellation noise goes)
OUTLINE_GRID = 1e-4  # metres: triangles snapped to this grid before their union (no slivers)
MIN_PART_AREA = 1e-4  # square metres: smaller pieces of a plan outline are noise
MIN_TRIANGLE_AREA = 1e-8  # square metres in plan: vertical faces project to nothing
THIN_OUTLINE = 0.005  # metres: half the thickness given to an element that has no area in plan (a glass pane)
MAX_THREADS = 4
CUT_HEIGHT = 1.0  # metres above a wall's base where its plan is cut, as a floor plan is (doors open, sills not)
SECTION_SHARE = 0.1  # a section covering less of the wall's footprint than this is not a sensible plan
APART_SHARE = 0.02  # pieces of a building's plan smaller than this share of it (a free column) do not count
FILLED_SHARE = 0.25  # a building outline covering less of its hull than this is walls that enclose nothing
UPRIGHT = 1e-6  # a frame turned less than this off its yaw is taken as turned by its yaw only
IDENTITY = np.eye(3)
IDENTITY.setflags(write=False)
# glTF is Y up; our meshes are Z up. Rows map (x, y, z) to glTF's (x, z, -y).
Z_UP_TO_Y_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])


@dataclass(frozen=True, slots=True)
class LocalMesh:
    """An element's triangles in its own frame, metres, with an RGB colour per face."""

    vertices: np.ndarray  # (n, 3)
    faces: np.ndarray  # (m, 3)
    colors: np.ndarray  # (m, 3) uint8

    def triangles(self, matrix: np.ndarray) -> np.ndarray:
        """(m, 3, 3) triangles placed by a 4x4 matrix."""
        world = self.vertices @ matrix[:3, :3].T + matrix[:3, 3]
        return world[self.faces]


@dataclass(frozen=True, slots=True)
class PlacedShape:
    """One element's shape as the iterator gave it: which mesh (shared by id) and where (4x4, metres)."""

    key: str
    matrix: np.ndarray


def _local_mesh(geometry: Any) -> LocalMesh:
    # The raw buffers: a tuple of Python floats per coordinate would cost far more on big meshes.
    vertices = np.frombuffer(geometry.verts_buffer, dtype=np.float64).reshape(-1, 3)
    faces = np.frombuffer(geometry.faces_buffer, dtype=np.int32).reshape(-1, 3).astype(np.int64)
    palette = [
        tuple(round(min(1.0, max(0.0, c)) * 255) for c in m.diffuse.components) for m in geometry.materials
    ]
    ids = np.frombuffer(geometry.material_ids_buffer, dtype=np.int32)
    colors = np.tile(np.array(DEFAULT_RGB, dtype=np.uint8), (len(faces), 1))
    if palette and len(ids) == len(faces):
        table = np.array([*palette, DEFAULT_RGB], dtype=np.uint8)
        colors = table[np.where((ids >= 0) & (ids < len(palette)), ids, len(palette))]
    return LocalMesh(vertices, faces, colors)


def iterate_shapes(
    model: Any,
    elements: list[Any],
    progress: Callable[[float], None],
    cancelled: Callable[[], bool],
) -> tuple[dict[int, PlacedShape], dict[str, LocalMesh]]:
    """Mesh `elements` in their own frames: each element's placed shape by step id, and the meshes by shape id
    (elements sharing a shape share its id). Elements the iterator gives nothing for are absent."""
    import ifcopenshell.geom

    placed: dict[int, PlacedShape] = {}
    meshes: dict[str, LocalMesh] = {}
    if not elements:
        return placed, meshes
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", False)
    settings.set("apply-default-materials", True)
    threads = max(1, min(MAX_THREADS, os.cpu_count() or 1))
    iterator = ifcopenshell.geom.iterator(settings, model, threads, include=elements)
    if not iterator.initialize():
        return placed, meshes
    total = len(elements)
    while True:
        shape = iterator.get()
        key = str(shape.geometry.id)
        if key not in meshes:
            meshes[key] = _local_mesh(shape.geometry)
        matrix = np.asarray(shape.transformation.matrix, dtype=float).reshape(4, 4).T  # stored column by column
        placed[int(shape.id)] = PlacedShape(key, matrix)
        if len(placed) % 32 == 0:
            if cancelled():
                raise OpenCancelledError
            progress(len(placed) / total)
        if not iterator.next():
            break
    return placed, meshes


# ---------------------------------------------------------------- plan outlines


def plan_polygons(triangles: np.ndarray) -> list[shapely.Polygon]:
    """The plan footprint of triangles (k, 3, 3) projected to XY: the union of their projections, simplified,
    as polygons without holes (largest first). A shape with no area in plan (a vertical pane) gets a thin
    outline around its projection."""
    if not len(triangles):
        return []
    xy = triangles[:, :, :2]
    first, second = xy[:, 1] - xy[:, 0], xy[:, 2] - xy[:, 0]
    area = 0.5 * np.abs(first[:, 0] * second[:, 1] - first[:, 1] * second[:, 0])
    flat = xy[area > MIN_TRIANGLE_AREA]
    parts: list[shapely.Polygon] = []
    if len(flat):
        rings = np.concatenate([flat, flat[:, :1]], axis=1)
        merged = shapely.union_all(shapely.polygons(rings), grid_size=OUTLINE_GRID)
        merged = shapely.simplify(merged, OUTLINE_TOLERANCE)
        for part in shapely.get_parts(merged):
            if isinstance(part, shapely.Polygon) and part.area > MIN_PART_AREA:
                parts.append(shapely.Polygon(part.exterior))
    if not parts:
        hull = shapely.MultiPoint(xy.reshape(-1, 2)).convex_hull.buffer(THIN_OUTLINE, join_style="mitre")
        if isinstance(hull, shapely.Polygon) and not hull.is_empty:
            parts.append(shapely.Polygon(hull.exterior))
    return sorted(parts, key=lambda p: -p.area)


def wall_polygons(triangles: np.ndarray) -> list[shapely.Polygon]:
    """A wall's plan outline as a floor plan cuts it: its section at CUT_HEIGHT above its base (half its height
    for a low wall), so a doorway is a gap one can walk through, not part of the obstacle, while the wall under
    a window stays. The whole shape's footprint when the section does not make a sensible outline (a shape
    that is not closed, a wall that leans)."""
    whole = plan_polygons(triangles)
    if not len(triangles):
        return whole
    z = triangles[:, :, 2]
    low, high = float(z.min()), float(z.max())
    cut = low + min(CUT_HEIGHT, (high - low) / 2)
    try:
        section = plan_section(triangles, cut)
    except (ValueError, IndexError):  # a degenerate shape: the whole footprint is still right
        return whole
    whole_area = sum(p.area for p in whole)
    section_area = sum(p.area for p in section)
    if not section or not SECTION_SHARE * whole_area <= section_area <= whole_area * 1.01 + MIN_PART_AREA:
        return whole
    return section


def plan_section(triangles: np.ndarray, height: float) -> list[shapely.Polygon]:
    """The polygons where a horizontal plane at `height` cuts closed triangles (k, 3, 3), largest first; none
    when the cut lines do not close into rings."""
    mesh = trimesh.Trimesh(triangles.reshape(-1, 3), np.arange(len(triangles) * 3).reshape(-1, 3), process=False)
    lines = trimesh.intersections.mesh_plane(mesh, plane_normal=[0.0, 0.0, 1.0], plane_origin=[0.0, 0.0, height])
    if not len(lines):
        return []
    # Both triangles at an edge cut it at the same point, up to rounding: snapped, the segments join up.
    segments = shapely.linestrings(np.round(np.asarray(lines)[:, :, :2], 6))
    polygons, _cuts, dangles, invalid = shapely.polygonize_full(shapely.get_parts(shapely.union_all(segments)))
    faces = shapely.get_parts(polygons)
    if not len(faces) or not dangles.is_empty or not invalid.is_empty:
        return []  # the cut does not close: the shape is not a closed solid
    merged = shapely.simplify(shapely.union_all(faces, grid_size=OUTLINE_GRID), OUTLINE_TOLERANCE)
    parts = [shapely.Polygon(p.exterior) for p in shapely.get_parts(merged)
             if isinstance(p, shapely.Polygon) and p.area > MIN_PART_AREA]  # fmt: skip
    return sorted(parts, key=lambda p: -p.area)


def outline_points(polygon: shapely.Polygon) -> list[tuple[float, float]]:
    """A polygon's exterior as (x, y) points in metres, without the closing point, to 0.1 mm."""
    coords = np.asarray(polygon.exterior.coords)[:-1]
    return [(round(float(x), 4), round(float(y), 4)) for x, y in coords]


def building_outline(
    polygons: list[shapely.Polygon], has_floor: bool = False, margin: float = 0.05
) -> list[tuple[float, float]]:
    """The building's outline from its walls, slabs and columns: their union with small gaps closed and the
    largest piece's exterior; the hull of all where walls do not close (a gap at a door) or, with a floor slab
    among them, where the pieces lie apart (two wings). None for scattered walls and columns without a floor:
    nothing says where the building's edge is."""
    if not polygons:
        return []
    merged = shapely.union_all(polygons).buffer(margin, join_style="mitre").buffer(-margin, join_style="mitre")
    pieces = sorted((p for p in shapely.get_parts(merged) if isinstance(p, shapely.Polygon)), key=lambda p: -p.area)
    if not pieces:
        return []
    total = sum(p.area for p in pieces)
    outline = shapely.Polygon(pieces[0].exterior)
    hull = shapely.convex_hull(merged)
    apart = sum(1 for p in pieces if p.area >= APART_SHARE * total) > 1
    if apart and not has_floor:
        return []
    if pieces[0].area < 0.8 * total or outline.area < FILLED_SHARE * hull.area:
        outline = hull
    if not isinstance(outline, shapely.Polygon) or outline.is_empty:
        return []
    return outline_points(shapely.Polygon(shapely.simplify(outline, 0.02).exterior))


# ---------------------------------------------------------------- equipment frames and meshes


def yaw_frame(rotation: np.ndarray) -> tuple[float, np.ndarray]:
    """Split a placement's rotation R into a turn about Z (yaw, degrees) and the rest: R = Rz(yaw) @ rest.

    The yaw follows the element's most horizontal axis (its X axis for an upright element), so a tilted
    element (a duct laid along its own Z) still gets a tight footprint; `rest` is identity for an upright one."""
    r = rotation
    upright = abs(r[2, 2] - 1.0) < UPRIGHT and r[0, 0] * r[1, 1] - r[0, 1] * r[1, 0] > 0.0
    if upright:  # the common case, without the arrays below (ten thousand elements add up)
        return math.degrees(math.atan2(r[1, 0], r[0, 0])), IDENTITY
    horizontal = np.round(np.hypot(rotation[0], rotation[1]), 6)
    axis = int(np.argmax(horizontal))
    yaw = math.degrees(math.atan2(rotation[1, axis], rotation[0, axis])) if horizontal[axis] > 0 else 0.0
    c, s = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
    unturn = np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])
    rest = unturn @ rotation
    if np.allclose(rest, IDENTITY, atol=UPRIGHT):
        rest = IDENTITY
    return yaw, rest


def normalised(mesh: LocalMesh, rest: np.ndarray) -> tuple[LocalMesh, np.ndarray]:
    """The mesh turned by `rest` and moved so its footprint centre on the floor is the origin (the library's
    convention), and the offset (in the turned frame) that was taken off."""
    vertices = mesh.vertices @ rest.T
    faces = mesh.faces if np.linalg.det(rest) > 0 else mesh.faces[:, ::-1]  # a mirror turns faces inside out
    lo, hi = vertices.min(axis=0), vertices.max(axis=0)
    offset = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]])
    return LocalMesh(vertices - offset, faces, mesh.colors), offset


def glb_bytes(mesh: LocalMesh) -> bytes:
    out = trimesh.Trimesh(mesh.vertices @ Z_UP_TO_Y_UP.T, mesh.faces, process=False)
    visual = cast(trimesh.visual.ColorVisuals, out.visual)  # a new mesh has colour visuals
    visual.face_colors = np.column_stack([mesh.colors, np.full(len(mesh.faces), 255, dtype=np.uint8)])
    return cast(bytes, out.export(file_type="glb"))


def main_color(mesh: LocalMesh) -> tuple[int, int, int]:
    if not len(mesh.colors):
        return DEFAULT_RGB
    colors, counts = np.unique(mesh.colors, axis=0, return_counts=True)
    red, green, blue = (int(c) for c in colors[int(np.argmax(counts))])
    return red, green, blue
