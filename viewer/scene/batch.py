"""All equipment of a site as one batched mesh: one VTK actor, whatever the plant size.

Every triangle carries the index of its equipment (for picking) and every point its colour; recolouring or
hiding equipment writes arrays, never touches actors. A box per equipment is kept as the level of detail
drawn while the camera moves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyvista as pv
import trimesh

from viewer.io.meshes import MeshData, MeshLoadError, load_mesh
from viewer.model import EquipmentLibrary, EquipmentPath, EquipmentType, PlantDocument, Site
from viewer.model.geometry import equipment_world_matrices

EQUIPMENT_INDEX = "equipment_index"
COLORS = "rgb"

MeshLoader = Callable[[Path], MeshData]


def footprint_box(equipment_type: EquipmentType) -> MeshData:
    """The stand-in drawn when a type's mesh is missing or unreadable: its footprint as a box."""
    fp = equipment_type.footprint
    box = trimesh.creation.box(extents=(fp.width, fp.depth, fp.height))
    vertices = np.asarray(box.vertices) + np.array([0.0, 0.0, fp.height / 2])
    faces = np.asarray(box.faces, dtype=np.int64)
    colors = np.tile(np.asarray(equipment_type.color, dtype=np.uint8), (len(faces), 1))
    return MeshData(vertices, faces, colors)


@dataclass
class TypeMeshes:
    """Meshes per type, loaded once; failures become footprint boxes and a warning naming the file."""

    library: EquipmentLibrary
    loader: MeshLoader = load_mesh
    warnings: list[str] = field(default_factory=list)
    _meshes: dict[str, MeshData] = field(default_factory=dict)
    _closed: dict[str, bool] = field(default_factory=dict)

    def closed(self, type_name: str) -> bool:
        """closed_outward of a type's mesh, worked out once."""
        if type_name not in self._closed:
            self._closed[type_name] = closed_outward(self.get(type_name))
        return self._closed[type_name]

    def get(self, type_name: str) -> MeshData:
        if type_name not in self._meshes:
            equipment_type = self.library[type_name]
            path = equipment_type.mesh_path()
            if path is None:
                mesh = footprint_box(equipment_type)
            else:
                try:
                    mesh = self.loader(path)
                except MeshLoadError as exc:
                    fp = equipment_type.footprint
                    self.warnings.append(
                        f"{exc}; equipment of type {type_name!r} drawn as their "
                        f"{fp.width:g} x {fp.depth:g} x {fp.height:g} m footprint box"
                    )
                    mesh = footprint_box(equipment_type)
            self._meshes[type_name] = mesh
        return self._meshes[type_name]


def closed_outward(mesh: MeshData) -> bool:
    """Whether every body of the mesh (connected piece, by vertex index) is closed with its faces turned
    outward: then no back face can be seen from outside, and culling them is invisible."""
    if not len(mesh.faces):
        return True
    shape = trimesh.Trimesh(mesh.vertices, mesh.faces, process=False)
    return all(body.is_volume for body in shape.split(only_watertight=False, repair=False))


def split_by_color(mesh: MeshData) -> tuple[MeshData, np.ndarray]:
    """The mesh with its vertices copied where faces of different colours meet, and a colour per vertex.

    Colours per point draw a third faster than per triangle in software OpenGL (no per-fragment lookup of
    the triangle's colour), and are exact once no vertex is shared by two colours. Most meshes need no copy."""
    corners = mesh.faces.ravel().astype(np.int64)
    rgb = np.repeat(mesh.face_colors.astype(np.int64), 3, axis=0)
    keys = corners << 24 | rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2]
    unique_keys, inverse = np.unique(keys, return_inverse=True)
    vertex_of_key = unique_keys >> 24
    if len(unique_keys) == len(mesh.vertices) and np.array_equal(vertex_of_key, np.arange(len(mesh.vertices))):
        colors = np.zeros((len(mesh.vertices), 3), np.uint8)
        colors[corners] = rgb
        return mesh, colors  # every vertex used, each by one colour: the mesh as it is
    colors = np.stack([(unique_keys >> 16) & 255, (unique_keys >> 8) & 255, unique_keys & 255], axis=1)
    split = MeshData(mesh.vertices[vertex_of_key], inverse.reshape(-1, 3).astype(np.int64), mesh.face_colors)
    return split, colors.astype(np.uint8)


def _instances(mesh: MeshData, matrices: np.ndarray, scales: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and faces of `len(matrices)` copies of a mesh, in one numpy pass."""
    linear = matrices[:, :3, :3] * scales[:, None, :]
    points = np.einsum("kij,nj->kni", linear, mesh.vertices) + matrices[:, None, :3, 3]
    offsets = (np.arange(len(matrices)) * len(mesh.vertices))[:, None, None]
    faces = mesh.faces[None, :, :] + offsets
    return points.reshape(-1, 3), faces.reshape(-1, 3)


# Light for the level-of-detail boxes, baked into their colours: drawing them unlit is much cheaper
# with software OpenGL, and a fixed world light reads well while the camera moves.
LIGHT_DIRECTION = np.array([-0.35, -0.55, 0.76]) / np.linalg.norm([-0.35, -0.55, 0.76])


def _unit_box() -> tuple[MeshData, np.ndarray]:
    """A 1 m box standing on the floor, 4 corners per face so each face has its own shade, no bottom face
    (never seen in a plant view): 20 points, 10 triangles. Returns the mesh and the point normals."""
    faces_by_normal = {
        (1, 0, 0): [(0.5, -0.5, 0), (0.5, 0.5, 0), (0.5, 0.5, 1), (0.5, -0.5, 1)],
        (-1, 0, 0): [(-0.5, 0.5, 0), (-0.5, -0.5, 0), (-0.5, -0.5, 1), (-0.5, 0.5, 1)],
        (0, 1, 0): [(0.5, 0.5, 0), (-0.5, 0.5, 0), (-0.5, 0.5, 1), (0.5, 0.5, 1)],
        (0, -1, 0): [(-0.5, -0.5, 0), (0.5, -0.5, 0), (0.5, -0.5, 1), (-0.5, -0.5, 1)],
        (0, 0, 1): [(-0.5, -0.5, 1), (0.5, -0.5, 1), (0.5, 0.5, 1), (-0.5, 0.5, 1)],
    }
    vertices, faces, normals = [], [], []
    for normal, corners in faces_by_normal.items():
        base = len(vertices)
        vertices += corners
        normals += [normal] * 4
        faces += [(base, base + 1, base + 2), (base, base + 2, base + 3)]
    mesh = MeshData(np.array(vertices, float), np.array(faces, np.int64), np.zeros((len(faces), 3), np.uint8))
    return mesh, np.array(normals, float)


def baked_shade(normals: np.ndarray) -> np.ndarray:
    """Brightness per point for a fixed world light: ambient plus diffuse."""
    return 0.62 + 0.38 * np.clip(normals @ LIGHT_DIRECTION, 0.0, 1.0)


def shaded_boxes(matrices: np.ndarray, sizes: np.ndarray) -> tuple[pv.PolyData, np.ndarray]:
    """Boxes (standing on their origin) as one unlit mesh; returns it and the baked shade per point."""
    box, normals = _unit_box()
    points, faces = _instances(box, matrices, sizes)
    world_normals = np.einsum("kij,nj->kni", matrices[:, :3, :3], normals).reshape(-1, 3)
    mesh = pv.PolyData.from_regular_faces(points.astype(np.float32), faces)
    return mesh, baked_shade(world_normals)


def second_tone_points(points: np.ndarray) -> np.ndarray:
    """Which points of a two-tone equipment take its second colour: the parity of the low three bits of the
    point index, so that the corners of a box (bits x, y, z) and the four points of a quad alternate like a
    checkerboard and every face shows both tones."""
    points = np.asarray(points, dtype=np.int64)
    return ((points ^ (points >> 1) ^ (points >> 2)) & 1).astype(bool)


def _polydata(points: np.ndarray, faces: np.ndarray, owner: np.ndarray, point_colors: np.ndarray) -> pv.PolyData:
    mesh = pv.PolyData.from_regular_faces(points.astype(np.float32), faces)
    if len(faces) == 0:
        return mesh  # pyvista refuses empty arrays; an empty site has nothing to colour or pick
    mesh.cell_data[EQUIPMENT_INDEX] = owner.astype(np.int32)
    mesh.point_data[COLORS] = point_colors
    return mesh


@dataclass
class EquipmentBatch:
    """The batched geometry of one site, and the per-equipment state written into its arrays."""

    paths: list[EquipmentPath]
    detail: pv.PolyData
    proxy: pv.PolyData  # colours per point: every box has its own 8 corners, and point colours draw faster
    proxy_point_owner: np.ndarray
    proxy_shade: np.ndarray  # baked light per proxy point
    base_colors: np.ndarray  # per point of `detail`, from the meshes' materials
    point_ranges: np.ndarray  # (n, 2): equipment i owns the points [start, end) of `detail` (one run each)
    detail_point_owner: np.ndarray  # equipment index per point of `detail`
    proxy_base_colors: np.ndarray  # per equipment, the type colour
    bounds: np.ndarray  # (n, 2, 3) world axis-aligned box per equipment
    warnings: list[str]
    # Every equipment is a closed body seen from outside (closed meshes, no mirroring): the view may cull
    # back faces, which takes a third off a frame in software OpenGL.
    closed: bool = False
    override: np.ndarray = field(init=False)  # (n, 3) uint8 colour per equipment
    has_override: np.ndarray = field(init=False)  # (n,) bool
    # A second colour on every other point of an equipment (`has_alt`): a two-tone, mottled look that a flat
    # colour never has (stale sensor data), still one colour array write.
    override_alt: np.ndarray = field(init=False)  # (n, 3) uint8
    has_alt: np.ndarray = field(init=False)  # (n,) bool, only where has_override
    visible: np.ndarray = field(init=False)  # (n,) bool

    def __post_init__(self) -> None:
        count = len(self.paths)
        self.override = np.zeros((count, 3), dtype=np.uint8)
        self.has_override = np.zeros(count, dtype=bool)
        self.override_alt = np.zeros((count, 3), dtype=np.uint8)
        self.has_alt = np.zeros(count, dtype=bool)
        self.visible = np.ones(count, dtype=bool)
        self._index = {p.equipment.id: i for i, p in enumerate(self.paths)}
        # Full topology, kept so that hidden equipment can come back: the meshes show a subset of it.
        self._all_faces = {id(m): m.regular_faces.copy() for m in (self.detail, self.proxy)}
        self._all_owner = {
            id(m): np.asarray(m.cell_data[EQUIPMENT_INDEX]).copy() if m.n_cells else np.zeros(0, np.int32)
            for m in (self.detail, self.proxy)
        }

    def __len__(self) -> int:
        return len(self.paths)

    def index_of(self, equipment_id: str) -> int:
        return self._index[equipment_id]

    def has_id(self, equipment_id: str) -> bool:
        return equipment_id in self._index

    def indices(self, equipment_ids: list[str]) -> np.ndarray:
        return np.fromiter((self._index[i] for i in equipment_ids), dtype=np.int64, count=len(equipment_ids))

    def set_colors(self, indices: np.ndarray, rgb: np.ndarray | tuple[int, int, int]) -> None:
        """Colour equipment (one colour, or one per index); the mesh's own colours elsewhere."""
        self.override[indices] = rgb
        self.has_override[indices] = True
        self._apply_colors()

    def update_colors(
        self,
        indices: np.ndarray,
        rgb: np.ndarray,
        cleared: np.ndarray | None = None,
        alt_rgb: np.ndarray | None = None,
    ) -> int:
        """Like set_colors (plus clear_colors for `cleared`), writing only the points of equipment whose
        colour really changes: a live feed recolours a few equipment per update, and rewriting a million
        point colours every time costs tens of milliseconds. `alt_rgb` (one per index; equal to `rgb` for a
        flat colour) goes on every other point. Returns how many equipment changed."""
        indices = np.asarray(indices, dtype=np.int64)
        rgb = np.broadcast_to(np.asarray(rgb, dtype=np.uint8), (len(indices), 3))
        alt = rgb if alt_rgb is None else np.broadcast_to(np.asarray(alt_rgb, dtype=np.uint8), (len(indices), 3))
        two_tone = np.any(alt != rgb, axis=1)
        targets = []
        if cleared is not None and len(cleared):
            cleared = np.asarray(cleared, dtype=np.int64)
            cleared = cleared[self.has_override[cleared]]
            self.has_override[cleared] = False
            self.has_alt[cleared] = False
            targets.append(cleared)
        changed = (
            ~self.has_override[indices]
            | np.any(self.override[indices] != rgb, axis=1)
            | (self.has_alt[indices] != two_tone)
            | (two_tone & np.any(self.override_alt[indices] != alt, axis=1))
        )
        targets.append(indices[changed])
        self.override[indices[changed]] = rgb[changed]
        self.override_alt[indices[changed]] = alt[changed]
        self.has_alt[indices[changed]] = two_tone[changed]
        self.has_override[indices[changed]] = True
        targets_all = np.unique(np.concatenate(targets))
        if len(targets_all):
            self._write_colors(targets_all)
        return len(targets_all)

    def _write_colors(self, targets: np.ndarray) -> None:
        """Effective colours of some equipment into both meshes; everything when that is most of them."""
        if len(targets) * 4 > len(self.paths) or COLORS not in self.detail.point_data:
            self._apply_colors()
            return
        starts, ends = self.point_ranges[targets, 0], self.point_ranges[targets, 1]
        lengths = ends - starts
        points = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        owner = self.detail_point_owner[points]
        colors = self.detail.point_data[COLORS]
        own = self._override_at(owner, points)
        colors[points] = np.where(self.has_override[owner][:, None], own, self.base_colors[points])
        self.detail.GetPointData().GetArray(COLORS).Modified()
        self.detail.Modified()
        per_box = len(self.proxy_point_owner) // max(1, len(self.paths))
        points = (targets[:, None] * per_box + np.arange(per_box)[None, :]).ravel()
        owner = self.proxy_point_owner[points]
        own = self._override_at(owner, points)
        base = np.where(self.has_override[owner][:, None], own, self.proxy_base_colors[owner])
        proxy_colors = self.proxy.point_data[COLORS]
        proxy_colors[points] = (base * self.proxy_shade[points][:, None]).astype(np.uint8)
        self.proxy.GetPointData().GetArray(COLORS).Modified()
        self.proxy.Modified()

    def _second_tones(self, mesh: str, count: int) -> np.ndarray:
        """second_tone_points over all `count` points of a mesh, worked out once (the point count of a batch
        never changes)."""
        cache = self.__dict__.setdefault("_second_tone_cache", {})
        if mesh not in cache or len(cache[mesh]) != count:
            cache[mesh] = second_tone_points(np.arange(count))
        return cache[mesh]

    def _override_at(self, owner: np.ndarray, points: np.ndarray) -> np.ndarray:
        """The override colour of each point (its owner's, or on odd points of a two-tone one the second)."""
        colors = self.override[owner]
        if self.has_alt.any():
            odd = self.has_alt[owner] & second_tone_points(points)
            colors[odd] = self.override_alt[owner[odd]]
        return colors

    def clear_colors(self, indices: np.ndarray | None = None) -> None:
        if indices is None:
            self.has_override[:] = False
            self.has_alt[:] = False
        else:
            self.has_override[indices] = False
            self.has_alt[indices] = False
        self._apply_colors()

    def set_visible(self, visible: np.ndarray) -> None:
        """Per-equipment visibility: the meshes keep only the visible triangles (one numpy pass each).

        VTK's hidden-cell ghost flag would avoid this, but the OpenGL poly-data mapper does not honour it.
        """
        self.visible = np.asarray(visible, dtype=bool).copy()
        if not self.paths:
            return
        for mesh in (self.detail, self.proxy):
            owner = self._all_owner[id(mesh)]
            shown = self.visible[owner]
            faces = self._all_faces[id(mesh)][shown]
            if not len(faces):
                # pyvista refuses empty arrays: keep one zero-area triangle, which draws and picks nothing.
                shown = np.zeros(len(owner), dtype=bool)
                shown[0] = True
                faces = np.zeros((1, 3), dtype=np.int64)
            mesh.regular_faces = faces
            mesh.cell_data[EQUIPMENT_INDEX] = owner[shown].astype(np.int32)
        self._apply_colors()

    def _apply_colors(self) -> None:
        if not self.paths:
            return
        if len(self.base_colors):
            colors = self._point_colors()
            if COLORS in self.detail.point_data:  # written in place: no new VTK array to wrap
                self.detail.point_data[COLORS][:] = colors
                self.detail.GetPointData().GetArray(COLORS).Modified()
            else:
                self.detail.point_data[COLORS] = colors
            self.detail.Modified()
        self.proxy.point_data[COLORS] = self.proxy_colors()
        self.proxy.Modified()

    def _point_colors(self) -> np.ndarray:
        """Effective colour of every detail point, a run of points per equipment: the overridden colours are
        repeated over their runs (a gather through a per-point owner took twice as long)."""
        runs = self.__dict__.get("_runs_in_point_order")
        if runs is None:
            order = np.argsort(self.point_ranges[:, 0], kind="stable")
            runs = self.__dict__["_runs_in_point_order"] = (order, np.diff(self.point_ranges[order], axis=1)[:, 0])
        order, lengths = runs
        overridden = self.has_override[order]
        if not overridden.any():
            return self.base_colors.copy()
        repeated = np.repeat(self.override[order], lengths, axis=0)
        two_tone = np.flatnonzero(self.has_alt & self.has_override)
        if len(two_tone) * 4 > len(self.paths):  # many (a source lost): one pass over all points
            odd = np.repeat(self.has_alt[order] & overridden, lengths) & self._second_tones("detail", len(repeated))
            np.copyto(repeated, np.repeat(self.override_alt[order], lengths, axis=0), where=odd[:, None])
        elif len(two_tone):  # their second colour on every other point: only their points are touched
            starts, ends = self.point_ranges[two_tone, 0], self.point_ranges[two_tone, 1]
            counts = ends - starts
            points = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
            points = points[self._second_tones("detail", len(repeated))[points]]
            repeated[points] = self.override_alt[self.detail_point_owner[points]]
        if overridden.all():
            return repeated
        return np.where(np.repeat(overridden, lengths)[:, None], repeated, self.base_colors)

    def proxy_colors(self) -> np.ndarray:
        per_box = len(self.proxy_point_owner) // max(1, len(self.paths))
        colors = np.where(self.has_override[:, None], self.override, self.proxy_base_colors)  # per equipment
        per_point = np.repeat(colors, per_box, axis=0)
        two_tone = np.flatnonzero(self.has_alt & self.has_override)
        if len(two_tone):
            points = (two_tone[:, None] * per_box + np.arange(per_box)[None, :]).ravel()
            points = points[self._second_tones("proxy", len(per_point))[points]]
            per_point[points] = self.override_alt[points // per_box]
        return (per_point * self.proxy_shade[:, None]).astype(np.uint8)

    def move(self, indices: np.ndarray, matrices: np.ndarray) -> None:
        """New world transforms for some equipment (a drag): rewrite only their points, no rebuild."""
        indices = np.asarray(indices, dtype=np.int64)
        points = self.detail.points
        proxy_points = self.proxy.points
        per_box = len(proxy_points) // max(1, len(self.paths))
        box_matrices = np.zeros((len(indices), 4, 4))
        box_sizes = np.zeros((len(indices), 3))
        for k, (i, matrix) in enumerate(zip(indices, matrices, strict=True)):
            mesh = self._type_meshes[self.paths[i].equipment.type]
            linear = matrix[:3, :3] * self._scales[i]
            start = self._vertex_start[i]
            points[start : start + len(mesh.vertices)] = mesh.vertices @ linear.T + matrix[:3, 3]
            lo, hi = mesh.bounds
            box_sizes[k] = self._scales[i] * np.maximum(hi - lo, 1e-3)
            box_matrices[k] = matrix
            origin = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]]) * self._scales[i]
            box_matrices[k, :3, 3] += matrix[:3, :3] @ origin
        boxes, shade = shaded_boxes(box_matrices, box_sizes)
        corners = np.asarray(boxes.points).reshape(len(indices), per_box, 3)
        for k, i in enumerate(indices):
            proxy_points[i * per_box : (i + 1) * per_box] = corners[k]
            self.proxy_shade[i * per_box : (i + 1) * per_box] = shade[k * per_box : (k + 1) * per_box]
            self.bounds[i, 0] = corners[k].min(axis=0)
            self.bounds[i, 1] = corners[k].max(axis=0)
        self.detail.points = points
        self.proxy.points = proxy_points
        self.detail.Modified()
        self.proxy.Modified()
        self._apply_colors()

    def mesh_of(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """World vertices (m, 3) and triangles (k, 3, indices into those vertices) of one equipment."""
        mesh = self._type_meshes[self.paths[index].equipment.type]
        start = self._vertex_start[index]
        return np.asarray(self.detail.points[start : start + len(mesh.vertices)]), mesh.faces

    def visible_bounds(self) -> np.ndarray | None:
        """(2, 3) box around the visible equipment, or None."""
        if not self.visible.any():
            return None
        shown = self.bounds[self.visible]
        return np.stack([shown[:, 0].min(axis=0), shown[:, 1].max(axis=0)])

    def copy_state_from(self, other: EquipmentBatch) -> None:
        """Take over another batch's colours and visibility (same site, same equipment order)."""
        if len(other) != len(self):
            raise ValueError(f"batches differ: {len(other)} equipment, expected {len(self)}")
        self.override[:] = other.override
        self.has_override[:] = other.has_override
        self.override_alt[:] = other.override_alt
        self.has_alt[:] = other.has_alt
        self._apply_colors()
        self.set_visible(other.visible)


def build_batch(document: PlantDocument, library: EquipmentLibrary, site: Site, meshes: TypeMeshes) -> EquipmentBatch:
    """Batch all equipment of `site`: per type, transform its mesh for every instance at once."""
    paths = [p for p in document.iter_equipment() if p.site is site]
    matrices = equipment_world_matrices(document, site)
    scales = np.array([p.equipment.scale for p in paths], dtype=float).reshape(-1, 3)
    type_of = np.array([p.equipment.type for p in paths], dtype=object)
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    bounds = np.zeros((len(paths), 2, 3))
    type_colors = np.zeros((len(paths), 3), dtype=np.uint8)
    vertex_offset = 0
    box_matrices = np.zeros((len(paths), 4, 4))
    box_sizes = np.zeros((len(paths), 3))
    vertex_start = np.zeros(len(paths), dtype=np.int64)
    vertex_count = np.zeros(len(paths), dtype=np.int64)
    type_meshes: dict[str, MeshData] = {}
    for type_name in sorted(set(type_of)):
        members = np.flatnonzero(type_of == type_name)
        mesh, point_colors = split_by_color(meshes.get(type_name))
        equipment_type = library[type_name]
        points, faces = _instances(mesh, matrices[members], scales[members])
        owner = np.repeat(members, len(mesh.faces))
        colors = np.tile(point_colors, (len(members), 1))
        pieces.append((points, faces + vertex_offset, owner, colors, np.repeat(members, len(mesh.vertices))))
        vertex_count[members] = len(mesh.vertices)
        vertex_start[members] = vertex_offset + np.arange(len(members)) * len(mesh.vertices)
        type_meshes[type_name] = mesh
        vertex_offset += len(points)
        # Level of detail: the mesh's own bounding box per instance.
        lo, hi = mesh.bounds
        box_sizes[members] = scales[members] * np.maximum(hi - lo, 1e-3)
        box_matrices[members] = matrices[members]
        box_origin = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]]) * scales[members]
        box_matrices[members, :3, 3] += np.einsum("kij,kj->ki", matrices[members][:, :3, :3], box_origin)
        type_colors[members] = equipment_type.color
    proxy, shade = shaded_boxes(box_matrices, box_sizes)
    per_box = proxy.n_points // len(paths) if len(paths) else 0
    if len(paths):
        corners = np.asarray(proxy.points).reshape(len(paths), per_box, 3)
        bounds[:, 0] = corners.min(axis=1)
        bounds[:, 1] = corners.max(axis=1)
    if len(paths):
        proxy.cell_data[EQUIPMENT_INDEX] = np.repeat(np.arange(len(paths), dtype=np.int32), proxy.n_cells // len(paths))
    point_owner = np.repeat(np.arange(len(paths)), per_box)
    if pieces:
        base_colors = np.concatenate([p[3] for p in pieces])
        detail = _polydata(
            np.concatenate([p[0] for p in pieces]),
            np.concatenate([p[1] for p in pieces]),
            np.concatenate([p[2] for p in pieces]),
            base_colors.copy(),  # the mesh's colours change; the base colours stay
        )
    else:
        base_colors = np.zeros((0, 3), np.uint8)
        detail = _polydata(np.zeros((0, 3)), np.zeros((0, 3), np.int64), np.zeros(0), base_colors)
    # Points are laid out type by type, instance after instance: each equipment owns one run of them.
    point_ranges = np.stack([vertex_start, vertex_start + vertex_count], axis=1)
    detail_point_owner = np.concatenate([p[4] for p in pieces]) if pieces else np.zeros(0, np.int64)
    linear = matrices[:, :3, :3] * scales[:, None, :] if len(paths) else np.zeros((0, 3, 3))
    closed = bool(all(meshes.closed(t) for t in type_meshes) and (np.linalg.det(linear) > 0).all())
    batch = EquipmentBatch(
        paths,
        detail,
        proxy,
        point_owner,
        shade,
        base_colors,
        point_ranges,
        detail_point_owner,
        type_colors,
        bounds,
        meshes.warnings,
        closed=closed,
    )
    if len(paths):
        proxy.point_data[COLORS] = batch.proxy_colors()
    batch._vertex_start = vertex_start
    batch._type_meshes = type_meshes
    batch._scales = scales
    return batch
