"""The plant as a 3D scene graph, shared by the glTF and OpenUSD writers: one node per level of the ISA-95
hierarchy (plant > site > area > line > cell > equipment) with its transform relative to its parent, the
building of each site under it, and the meshes the nodes show, one per equipment type (shared by all
equipment of the type) and one per building part. Metres, Z up: each writer turns it into its format's axes.

Equipment transforms are composed with numpy for all equipment of a site at once (10,000 equipment in a few
milliseconds); only the few parent levels are composed one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from viewer.formats import (
    BuildingMesh,
    Cell,
    EquipmentLibrary,
    EquipmentType,
    ExportError,
    OpenCancelledError,
    Parameter,
    Site,
    WriteRequest,
    building_meshes,
    equipment_world_matrices,
    grid_column_mesh,
    load_type_mesh,
    pose_matrix,
)

BUILDING_OPTION = "building"  # --option building=yes|no; default: with the building unless one line is exported


@dataclass(frozen=True, slots=True)
class SceneMesh:
    """Triangles (metres, Z up) with one sRGB colour per face."""

    name: str
    vertices: np.ndarray  # (n, 3) float64
    faces: np.ndarray  # (m, 3) int64
    face_colors: np.ndarray  # (m, 3) uint8


@dataclass(slots=True)
class SceneNode:
    level: str  # "plant", "site", "area", "line", "cell", "equipment", "building", "column grid", or a part's kind
    id: str
    name: str
    parent: int  # index of the parent node; -1 for the root
    mesh: str | None = None  # key into PlantScene.meshes
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class PlantScene:
    nodes: list[SceneNode]
    matrices: np.ndarray  # (len(nodes), 4, 4) transform of each node relative to its parent
    meshes: dict[str, SceneMesh]

    def children(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in self.nodes]
        for index, node in enumerate(self.nodes):
            if node.parent >= 0:
                out[node.parent].append(index)
        return out


def parameter_value(parameter: Parameter) -> float | int | str | bool:
    value = parameter.value
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)  # JSON and USD files keep no NaN or infinity as a number a reader agrees on
    return value


def footprint_box(equipment_type: EquipmentType) -> SceneMesh:
    """The stand-in for a type without a mesh, as the 3D view draws it: its footprint box on the floor."""
    fp = equipment_type.footprint
    hx, hy, h = fp.width / 2, fp.depth / 2, fp.height
    corners = [(-hx, -hy), (hx, -hy), (hx, hy), (-hx, hy)]
    vertices = np.array([(x, y, 0.0) for x, y in corners] + [(x, y, h) for x, y in corners])
    faces = np.array(
        [[0, 2, 1], [0, 3, 2], [4, 5, 6], [4, 6, 7], [0, 1, 5], [0, 5, 4],
         [1, 2, 6], [1, 6, 5], [2, 3, 7], [2, 7, 6], [3, 0, 4], [3, 4, 7]],
        dtype=np.int64,
    )  # fmt: skip
    colors = np.tile(np.asarray(equipment_type.color, dtype=np.uint8), (len(faces), 1))
    return SceneMesh(equipment_type.name, vertices, faces, colors)


def _type_mesh(library: EquipmentLibrary, type_name: str) -> SceneMesh:
    loaded = load_type_mesh(library, type_name)
    if loaded is None:
        return footprint_box(library[type_name])
    vertices, faces, colors = loaded
    return SceneMesh(type_name, np.asarray(vertices, float), np.asarray(faces, np.int64), np.asarray(colors, np.uint8))


def _wants_building(request: WriteRequest) -> bool:
    value = request.options.get(BUILDING_OPTION)
    if value is None:
        return request.line is None
    if value.lower() in ("yes", "true", "1", "on"):
        return True
    if value.lower() in ("no", "false", "0", "off"):
        return False
    raise ExportError(f"option {BUILDING_OPTION}={value!r}: expected yes or no")


def _check_cancelled(request: WriteRequest) -> None:
    if request.cancelled():
        raise OpenCancelledError(f"export of {request.path.name} cancelled")


def _level_extras(level: str, ident: str) -> dict[str, Any]:
    return {"level": level, "id": ident}


def build_scene(request: WriteRequest) -> PlantScene:
    """The scene of what the request exports: the whole document, one site, or one line with its site and
    area around it (their transforms keep the line where it stands)."""
    document, library = request.document, request.library
    sites = [request.site] if request.site is not None else list(document.sites)
    with_building = _wants_building(request)
    nodes = [SceneNode("plant", document.enterprise.id, document.enterprise.name, -1)]
    nodes[0].extras = _level_extras("enterprise", document.enterprise.id)
    local: list[np.ndarray | None] = [np.eye(4)]
    equipment_rows: list[np.ndarray] = []  # per site: node indexes of its equipment, in iter_equipment order
    equipment_world: list[np.ndarray] = []
    equipment_cells: list[np.ndarray] = []
    cell_inverse: list[np.ndarray] = []
    equipment_scales: list[tuple[float, float, float]] = []
    meshes: dict[str, SceneMesh] = {}
    for site_number, site in enumerate(sites):
        _check_cancelled(request)
        request.progress(0.4 * site_number / max(len(sites), 1), f"site {site.name}")
        site_index = len(nodes)
        nodes.append(SceneNode("site", site.id, site.name, 0, extras=_site_extras(site)))
        local.append(np.eye(4))
        world = equipment_world_matrices(document, site)
        kept: list[int] = []  # positions in `world` of the equipment exported
        rows: list[int] = []
        cells: list[int] = []
        position = 0
        for area in site.areas:
            lines = [li for li in area.lines if request.line is None or li is request.line]
            if request.line is not None and not lines:
                position += sum(len(c.equipment) for li in area.lines for c in li.cells)
                continue
            area_index = len(nodes)
            nodes.append(SceneNode("area", area.id, area.name, site_index, extras=_level_extras("area", area.id)))
            area_matrix = pose_matrix(area.pose)
            local.append(area_matrix)
            for line in area.lines:
                if request.line is not None and line is not request.line:
                    position += sum(len(c.equipment) for c in line.cells)
                    continue
                line_index = len(nodes)
                nodes.append(SceneNode("line", line.id, line.name, area_index, extras=_level_extras("line", line.id)))
                line_matrix = pose_matrix(line.pose)
                local.append(line_matrix)
                for cell in line.cells:
                    cell_index = len(nodes)
                    extras = _level_extras("cell", cell.id)
                    nodes.append(SceneNode("cell", cell.id, cell.name, line_index, extras=extras))
                    cell_matrix = pose_matrix(cell.pose)
                    local.append(cell_matrix)
                    cell_inverse.append(np.linalg.inv(area_matrix @ line_matrix @ cell_matrix))
                    _add_equipment(nodes, local, cell, cell_index, library, meshes, equipment_scales)
                    count = len(cell.equipment)
                    kept.extend(range(position, position + count))
                    rows.extend(range(len(nodes) - count, len(nodes)))
                    cells.extend([len(cell_inverse) - 1] * count)
                    position += count
        equipment_rows.append(np.asarray(rows, dtype=np.int64))
        equipment_world.append(world[np.asarray(kept, dtype=np.int64)] if kept else np.zeros((0, 4, 4)))
        equipment_cells.append(np.asarray(cells, dtype=np.int64))
        if with_building:
            _add_building(nodes, local, site, site_index, meshes)
    request.progress(0.45, "transforms")
    matrices = np.tile(np.eye(4), (len(local), 1, 1))
    levels = [i for i, m in enumerate(local) if m is not None]
    matrices[levels] = np.stack([local[i] for i in levels])
    if cell_inverse:
        inverse = np.stack(cell_inverse)
        relative = inverse[np.concatenate(equipment_cells)] @ np.concatenate(equipment_world)  # pose in the cell
        relative[:, :3, :3] *= np.asarray(equipment_scales, dtype=float).reshape(-1, 3)[:, None, :]
        matrices[np.concatenate(equipment_rows)] = relative
    return PlantScene(nodes, matrices, meshes)


def _site_extras(site: Site) -> dict[str, Any]:
    extras = _level_extras("site", site.id)
    if site.country:
        extras["country"] = site.country
    extras["timezone"] = site.timezone
    if site.latitude or site.longitude:
        extras["latitude"], extras["longitude"] = site.latitude, site.longitude
    return extras


def _add_equipment(
    nodes: list[SceneNode],
    local: list[np.ndarray | None],
    cell: Cell,
    cell_index: int,
    library: EquipmentLibrary,
    meshes: dict[str, SceneMesh],
    scales: list[tuple[float, float, float]],
) -> None:
    for equipment in cell.equipment:
        key = f"type:{equipment.type}"
        if key not in meshes:
            if equipment.type not in library:
                raise ExportError(
                    f"equipment {equipment.id!r} ({equipment.name}) is of type {equipment.type!r}, "
                    "which is neither in the library nor in the document's types"
                )
            meshes[key] = _type_mesh(library, equipment.type)
        extras: dict[str, Any] = {"level": "equipment", "id": equipment.id, "type": equipment.type}
        if equipment.mother_id:
            extras["mother_id"] = equipment.mother_id
        extras["parameters"] = {
            p.name: {"value": parameter_value(p), "unit": p.unit} if p.unit else {"value": parameter_value(p)}
            for p in equipment.parameters
        }
        nodes.append(SceneNode("equipment", equipment.id, equipment.name, cell_index, key, extras))
        local.append(None)  # composed for all equipment at once in build_scene
        scales.append(equipment.scale)


def _part_mesh(part: BuildingMesh) -> SceneMesh:
    colors = np.tile(np.asarray(part.color, dtype=np.uint8), (len(part.faces), 1))
    return SceneMesh(part.name, part.vertices, part.faces, colors)


def _add_building(
    nodes: list[SceneNode], local: list[np.ndarray | None], site: Site, site_index: int, meshes: dict[str, SceneMesh]
) -> None:
    parts = building_meshes(site)
    column = grid_column_mesh(site)
    if not parts and column is None:
        return
    building_index = len(nodes)
    nodes.append(SceneNode("building", f"{site.id}.building", "Building", site_index, extras={"level": "building"}))
    local.append(np.eye(4))
    for part in parts:
        key = f"building:{site.id}:{part.id}"
        meshes[key] = _part_mesh(part)
        extras = {"level": "building", "kind": part.kind, "id": part.id}
        nodes.append(SceneNode(part.kind, part.id, part.name, building_index, key, extras))
        local.append(np.eye(4))
    if column is None:
        return
    key = f"column:{site.id}"
    meshes[key] = _part_mesh(column)
    grid = site.column_grid
    grid_index = len(nodes)
    grid_extras = {
        "level": "building",
        "kind": "column grid",
        "spacing": list(grid.spacing),
        "count": list(grid.count),
        "size": grid.size,
        "height": grid.height,
    }
    nodes.append(SceneNode("column grid", f"{site.id}.column_grid", "Column grid", building_index, extras=grid_extras))
    local.append(np.eye(4))
    for i, (x, y) in enumerate(grid.positions()):
        ident = f"{site.id}.column_{i + 1}"
        along_x, along_y = divmod(i, max(grid.count[1], 1))  # the order of ColumnGrid.positions
        extras = {"level": "building", "kind": "column", "grid": [along_x + 1, along_y + 1]}
        nodes.append(SceneNode("column", ident, f"Column {along_x + 1}.{along_y + 1}", grid_index, key, extras))
        matrix = np.eye(4)
        matrix[:2, 3] = (x, y)
        local.append(matrix)

