"""Geometry for exporters that write 3D scenes (glTF, OpenUSD): the equipment types' meshes and the building of
a site as triangles, in metres, Z up, in site coordinates. No Qt and no VTK, so a format plugin can use it
through `viewer.formats`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from viewer.io.meshes import MeshLoadError, load_mesh
from viewer.model import BuildingKind, EquipmentLibrary, Site

log = logging.getLogger(__name__)

FLOOR_COLOR = (214, 216, 212)  # the colours the 3D view draws the building in
WALL_COLOR = (176, 180, 186)
COLUMN_COLOR = (196, 192, 184)
SLAB_COLOR = (200, 202, 198)
_COLORS = {BuildingKind.WALL: WALL_COLOR, BuildingKind.COLUMN: COLUMN_COLOR, BuildingKind.SLAB: SLAB_COLOR}


@dataclass(frozen=True, slots=True)
class BuildingMesh:
    """One part of a site's building as triangles: the floor (from the site's footprint) or one wall, column
    or slab of the building's model (`id` the element's). Metres, Z up, site coordinates."""

    id: str
    name: str
    kind: str  # "floor", or a BuildingKind value: "wall", "column", "slab"
    vertices: np.ndarray  # (n, 3) float64
    faces: np.ndarray  # (m, 3) int64, wound counter-clockwise seen from outside
    color: tuple[int, int, int]


def load_type_mesh(library: EquipmentLibrary, type_name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The mesh of an equipment type as the 3D view draws it: (vertices (n, 3) metres Z up, faces (m, 3),
    face colours (m, 3) uint8). None when the type has no mesh or its file cannot be read (logged): the
    exporter then writes the type's footprint box, as the view draws it."""
    path = library[type_name].mesh_path()
    if path is None:
        return None
    try:
        mesh = load_mesh(path)
    except MeshLoadError as exc:
        log.warning("%s; type %r exported as its footprint box", exc, type_name)
        return None
    return mesh.vertices, mesh.faces, mesh.face_colors


def _ring(outline: list[tuple[float, float]]) -> np.ndarray:
    """The outline as an open, counter-clockwise ring (a repeated closing point dropped)."""
    ring = np.asarray(outline, dtype=float).reshape(-1, 2)
    if len(ring) > 1 and np.allclose(ring[0], ring[-1]):
        ring = ring[:-1]
    x, y = ring[:, 0], ring[:, 1]
    area = float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    return ring if area >= 0 else ring[::-1]


def _cap_triangles(ring: np.ndarray) -> np.ndarray:
    """(k, 3, 2) triangles covering the polygon (concave outlines too), each counter-clockwise."""
    import shapely

    polygon = shapely.make_valid(shapely.Polygon(ring))
    if polygon.is_empty or polygon.area <= 0:
        return np.zeros((0, 3, 2))
    parts = shapely.get_parts(shapely.constrained_delaunay_triangles(polygon))
    out = np.array([shapely.get_coordinates(t)[:3] for t in parts], dtype=float).reshape(-1, 3, 2)
    u, v = out[:, 1] - out[:, 0], out[:, 2] - out[:, 0]
    cross = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    out[cross < 0] = out[cross < 0][:, ::-1]
    return out[np.abs(cross) > 1e-12]


def _triangle_soup(triangles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    vertices = triangles.reshape(-1, 3)
    return vertices, np.arange(len(vertices), dtype=np.int64).reshape(-1, 3)


def prism(outline: list[tuple[float, float]], base: float, top: float) -> tuple[np.ndarray, np.ndarray]:
    """A closed solid: the plan outline extruded from `base` to `top`, faces wound outwards."""
    ring = _ring(outline)
    if len(ring) < 3 or top <= base:
        return np.zeros((0, 3)), np.zeros((0, 3), np.int64)
    following = np.roll(ring, -1, axis=0)
    a = np.column_stack([ring, np.full(len(ring), base)])
    b = np.column_stack([following, np.full(len(ring), base)])
    c = np.column_stack([following, np.full(len(ring), top)])
    d = np.column_stack([ring, np.full(len(ring), top)])
    edge = np.linalg.norm(following - ring, axis=1) > 1e-12  # a repeated point makes no side
    sides = np.concatenate([np.stack([a, b, c], axis=1)[edge], np.stack([a, c, d], axis=1)[edge]])
    caps = _cap_triangles(ring)
    top_caps = np.concatenate([caps, np.full((*caps.shape[:2], 1), top)], axis=2)
    bottom_caps = np.concatenate([caps[:, ::-1], np.full((*caps.shape[:2], 1), base)], axis=2)
    return _triangle_soup(np.concatenate([sides, top_caps, bottom_caps]))


def building_meshes(site: Site) -> list[BuildingMesh]:
    """The site's floor (its footprint at z = 0, facing up) and every wall, column and slab of its building
    model as a solid. Spaces (rooms: volumes of air) are left out. The regular column grid is not here:
    exporters write it from `grid_column_mesh` placed at every `site.column_grid.positions()`."""
    out = []
    ring = _ring(site.footprint) if len(site.footprint) >= 3 else np.zeros((0, 2))
    if len(ring) >= 3:
        caps = _cap_triangles(ring)
        vertices, faces = _triangle_soup(np.concatenate([caps, np.zeros((*caps.shape[:2], 1))], axis=2))
        if len(faces):
            out.append(BuildingMesh(f"{site.id}.floor", "Floor", "floor", vertices, faces, FLOOR_COLOR))
    for element in site.building:
        if element.kind not in _COLORS:
            continue
        vertices, faces = prism(element.outline, element.base, element.base + element.height)
        if len(faces):
            name = element.name or f"{element.kind.value} {element.id}"
            out.append(BuildingMesh(element.id, name, element.kind.value, vertices, faces, _COLORS[element.kind]))
    return out


def grid_column_mesh(site: Site) -> BuildingMesh | None:
    """One column of the site's regular column grid standing at the origin (None: the site has no grid);
    an exporter places it at every `site.column_grid.positions()`."""
    grid = site.column_grid
    if not grid.positions() or grid.size <= 0 or grid.height <= 0:
        return None
    half = grid.size / 2
    vertices, faces = prism([(-half, -half), (half, -half), (half, half), (-half, half)], 0.0, grid.height)
    return BuildingMesh(f"{site.id}.column", "Column", "column", vertices, faces, COLUMN_COLOR)
