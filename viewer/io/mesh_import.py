"""Import an external mesh (glTF, STL, OBJ, PLY, DAE, 3MF, STEP) as a new equipment type of a document.

The mesh is converted once into the library's convention (metres, Z up, origin at the footprint centre on
the floor, GLB) and written next to the document, so the type behaves like every built-in one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

import numpy as np
import trimesh

from viewer.io.atomic import atomic_write_bytes
from viewer.io.meshes import CAD_SUFFIXES, MESH_SUFFIXES, Y_UP_TO_Z_UP, MeshCache, MeshData
from viewer.model import EquipmentType, Footprint

# Units offered when a file does not say (STL, OBJ, PLY; COLLADA without <unit>).
UNIT_CHOICES = {"millimetre": 0.001, "centimetre": 0.01, "metre": 1.0, "inch": 0.0254, "foot": 0.3048}
MESH_FOLDER = "meshes"


class UnitsRequiredError(ValueError):
    """The file does not declare its units: ask the user, then import again with `units`."""


def declared_units(path: Path) -> bool:
    """True when the format or the file itself fixes the unit (glTF and STEP by definition, 3MF by default)."""
    suffix = path.suffix.lower()
    if suffix in (".glb", ".gltf", ".3mf", *CAD_SUFFIXES):
        return True
    if suffix == ".dae":
        return re.search(rb"<unit\b", path.read_bytes()[:8192]) is not None
    return False


def type_name_for(path: Path, taken: set[str]) -> str:
    """A library-style name from the file name (lower case, digits, '_'), unique among `taken`."""
    stem = re.sub(r"[^a-z0-9_]+", "_", path.stem.lower()).strip("_") or "imported"
    name, n = stem, 2
    while name in taken:
        name, n = f"{stem}_{n}", n + 1
    return name


def _normalised(mesh: MeshData) -> MeshData:
    """Centre the footprint on the origin and stand the mesh on the floor."""
    lo, hi = mesh.bounds
    offset = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]])
    return MeshData(mesh.vertices - offset, mesh.faces, mesh.face_colors)


def _write_glb(mesh: MeshData, target: Path) -> None:
    out = trimesh.Trimesh(mesh.vertices @ Y_UP_TO_Z_UP, mesh.faces, process=False)  # Z up -> glTF's Y up
    visual = cast(trimesh.visual.ColorVisuals, out.visual)  # a new mesh has colour visuals
    visual.face_colors = np.column_stack([mesh.face_colors, np.full(len(mesh.faces), 255)])
    atomic_write_bytes(target, cast(bytes, out.export(file_type="glb")))


def import_mesh_type(
    source: Path,
    document_dir: Path,
    taken_names: set[str],
    units: float | None = None,
    title: str | None = None,
    category: str = "imported",
) -> EquipmentType:
    """Convert `source` into `document_dir/meshes/NAME.glb` and describe it as a new type.

    Raises UnitsRequiredError when the file has no units and none were given, MeshLoadError when it is unreadable.
    """
    source = Path(source)
    suffix = source.suffix.lower()
    if suffix not in MESH_SUFFIXES:
        raise ValueError(f"{source}: cannot import {suffix!r} files; expected one of {', '.join(MESH_SUFFIXES)}")
    declared = declared_units(source)
    if not declared and units is None:
        raise UnitsRequiredError(f"{source.name} does not say which unit its coordinates are in; choose one")
    # A declared unit always wins over a chosen one; a chosen one replaces the readers' metre default.
    mesh = _normalised(MeshCache().load(source, units=None if declared else units))
    name = type_name_for(source, taken_names)
    folder = Path(document_dir) / MESH_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    _write_glb(mesh, folder / f"{name}.glb")
    extents = np.maximum(mesh.extents, 0.01)
    colors, counts = np.unique(mesh.face_colors, axis=0, return_counts=True)
    red, green, blue = (int(c) for c in colors[int(np.argmax(counts))])
    return EquipmentType(
        name=name,
        title=title or source.stem,
        category=category,
        footprint=Footprint(*(round(float(v), 4) for v in extents)),
        mesh=f"{MESH_FOLDER}/{name}.glb",
        color=(red, green, blue),
        base_dir=Path(document_dir).resolve(),
    )
