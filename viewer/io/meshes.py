"""Equipment meshes through trimesh, in metres and Z up, cached by file content.

trimesh reads the geometry; this module adds what it leaves out for us: COLLADA `<unit>` and `<up_axis>`,
3MF model units, glTF's Y-up convention, per-face colours from materials, and a content-addressed cache.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import trimesh

from viewer.io.atomic import atomic_write_bytes
from viewer.paths import cache_dir

log = logging.getLogger(__name__)

MESH_SUFFIXES = (".glb", ".gltf", ".stl", ".obj", ".ply", ".dae", ".3mf", ".step", ".stp")
CAD_SUFFIXES = (".step", ".stp")  # B-rep, tessellated by OpenCASCADE through cascadio
_CACHE_FORMAT = 2  # bump when the conversion below changes

# glTF is Y up with +Z towards the viewer; we are Z up. (x, y, z) -> (x, -z, y).
Y_UP_TO_Z_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])

_THREEMF_UNITS = {
    "micron": 1e-6,
    "millimeter": 1e-3,
    "centimeter": 1e-2,
    "inch": 0.0254,
    "foot": 0.3048,
    "meter": 1.0,
}


class MeshLoadError(Exception):
    """A mesh file that is missing or cannot be read; the message names the file and the reason."""


@dataclass(frozen=True, slots=True)
class MeshData:
    """Triangles in metres, Z up, with one RGB colour per face."""

    vertices: np.ndarray  # (n, 3) float64
    faces: np.ndarray  # (m, 3) int64
    face_colors: np.ndarray  # (m, 3) uint8

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return self.vertices.min(axis=0), self.vertices.max(axis=0)

    @property
    def extents(self) -> np.ndarray:
        lo, hi = self.bounds
        return hi - lo


def collada_unit_and_up(head: bytes) -> tuple[float, str]:
    """Metres per unit and up axis declared in a COLLADA file's <asset> (defaults 1.0 and Y_UP)."""
    unit = re.search(rb"<unit\b[^>]*\bmeter\s*=\s*[\"']([^\"']+)[\"']", head)
    up = re.search(rb"<up_axis>\s*([XYZ]_UP)\s*</up_axis>", head)
    scale = float(unit.group(1)) if unit else 1.0
    return scale, (up.group(1).decode() if up else "Y_UP")


def _threemf_unit(data: bytes) -> float:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.lower().endswith(".model"):
                head = archive.read(name)[:4096]
                found = re.search(rb"<model\b[^>]*\bunit\s*=\s*[\"'](\w+)[\"']", head)
                return _THREEMF_UNITS.get(found.group(1).decode(), 1e-3) if found else 1e-3
    return 1e-3


def _face_colors(geometry: trimesh.Trimesh) -> np.ndarray:
    visual: Any = geometry.visual  # colour or texture visuals, or none: what is missing is caught below
    count = len(geometry.faces)
    try:
        if visual.kind == "texture":
            # Textures are not drawn in a layout view; the material's main colour stands for them.
            return np.tile(np.asarray(visual.material.main_color[:3], dtype=np.uint8), (count, 1))
        return np.asarray(visual.face_colors)[:, :3].astype(np.uint8)
    except (AttributeError, ValueError, IndexError):
        return np.full((count, 3), 170, dtype=np.uint8)


def _flatten(loaded: trimesh.Scene | trimesh.Trimesh) -> MeshData:
    """One triangle soup with node transforms applied and colours kept per face."""
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if isinstance(loaded, trimesh.Trimesh):
        parts.append((np.asarray(loaded.vertices), np.asarray(loaded.faces), _face_colors(loaded)))
    else:
        for node in loaded.graph.nodes_geometry:
            transform, geometry_name = loaded.graph[node]
            geometry = loaded.geometry[geometry_name]
            if not isinstance(geometry, trimesh.Trimesh) or len(geometry.faces) == 0:
                continue
            vertices = trimesh.transform_points(np.asarray(geometry.vertices), transform)
            parts.append((vertices, np.asarray(geometry.faces), _face_colors(geometry)))
    if not parts:
        raise MeshLoadError("the file holds no triangles")
    offsets = np.cumsum([0] + [len(v) for v, _, _ in parts[:-1]])
    return MeshData(
        vertices=np.concatenate([v for v, _, _ in parts]).astype(np.float64),
        faces=np.concatenate([f + o for (_, f, _), o in zip(parts, offsets, strict=True)]).astype(np.int64),
        face_colors=np.concatenate([c for _, _, c in parts]),
    )


def _convert(data: bytes, suffix: str, units: float | None) -> MeshData:
    """Parse bytes with trimesh and bring the result to metres, Z up."""
    file_type = suffix.lstrip(".")
    if suffix in CAD_SUFFIXES:
        import cascadio  # imported here: OpenCASCADE is big and only STEP needs it

        # cascadio writes metres and keeps the CAD file's Z up (no glTF Y-up turn to undo).
        data, file_type = cascadio.load(data, file_type="step"), "glb"
    loaded = trimesh.load(io.BytesIO(data), file_type=file_type, process=False)
    mesh = _flatten(cast(trimesh.Scene | trimesh.Trimesh, loaded))  # what the mesh formats we read load as
    scale, rotation = 1.0, None
    if suffix in (".glb", ".gltf"):
        rotation = Y_UP_TO_Z_UP
    elif suffix in CAD_SUFFIXES:
        rotation = None
    elif suffix == ".dae":
        scale, up = collada_unit_and_up(data[:8192])
        if up == "Y_UP":
            rotation = Y_UP_TO_Z_UP
        elif up == "X_UP":
            rotation = np.array([[0.0, -1.0, 0.0], [0.0, 0.0, -1.0], [1.0, 0.0, 0.0]]).T
    elif suffix == ".3mf":
        scale = _threemf_unit(data)
    if units is not None:
        scale = units
    vertices = mesh.vertices * scale
    if rotation is not None:
        vertices = vertices @ rotation.T
    if not np.isfinite(vertices).all():
        raise MeshLoadError("the file has vertices that are not finite numbers")
    return MeshData(vertices, mesh.faces, mesh.face_colors)


class MeshCache:
    """Meshes by content hash: in memory for this process and as .npz files on disk across runs."""

    def __init__(self, disk_folder: Path | None = None) -> None:
        self._memory: dict[str, MeshData] = {}
        self._lock = threading.Lock()
        self.disk_folder = disk_folder
        self.hits = 0
        self.misses = 0

    def load(self, path: Path, units: float | None = None) -> MeshData:
        """Load a mesh in metres, Z up. Raises MeshLoadError naming the file and the reason."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in MESH_SUFFIXES:
            raise MeshLoadError(
                f"{path}: unsupported mesh format {suffix!r}; expected one of {', '.join(MESH_SUFFIXES)}"
            )
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise MeshLoadError(f"{path}: mesh file not found") from exc
        except OSError as exc:
            raise MeshLoadError(f"{path}: cannot read mesh: {exc.strerror or exc}") from exc
        key = hashlib.sha256(data + f"|{suffix}|{units}|{_CACHE_FORMAT}".encode()).hexdigest()
        with self._lock:
            if key in self._memory:
                self.hits += 1
                return self._memory[key]
        mesh = self._read_disk(key)
        if mesh is None:
            try:
                mesh = _convert(data, suffix, units)
            except MeshLoadError as exc:
                raise MeshLoadError(f"{path}: cannot read mesh: {exc}") from exc
            except Exception as exc:
                raise MeshLoadError(
                    f"{path}: cannot read mesh ({suffix[1:].upper()}): {exc or type(exc).__name__}"
                ) from exc
            self._write_disk(key, mesh)
        with self._lock:
            self.misses += 1
            self._memory[key] = mesh
        return mesh

    def _disk_path(self, key: str) -> Path | None:
        return self.disk_folder / f"{key}.npz" if self.disk_folder else None

    def _read_disk(self, key: str) -> MeshData | None:
        target = self._disk_path(key)
        if target is None or not target.exists():
            return None
        try:
            with np.load(target, allow_pickle=False) as archive:
                return MeshData(archive["vertices"], archive["faces"], archive["face_colors"])
        except (OSError, KeyError, ValueError):
            log.info("ignoring unreadable mesh cache entry %s", target)
            return None

    def _write_disk(self, key: str, mesh: MeshData) -> None:
        target = self._disk_path(key)
        if target is None:
            return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            np.savez(buffer, vertices=mesh.vertices, faces=mesh.faces, face_colors=mesh.face_colors)
            atomic_write_bytes(target, buffer.getvalue())
        except OSError as exc:
            log.info("mesh cache not written (%s); continuing without it", exc)


_default_cache: MeshCache | None = None


def default_mesh_cache() -> MeshCache:
    global _default_cache
    if _default_cache is None:
        _default_cache = MeshCache(cache_dir() / "meshes")
    return _default_cache


def load_mesh(path: Path, units: float | None = None) -> MeshData:
    return default_mesh_cache().load(path, units)
