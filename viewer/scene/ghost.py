"""Ghosts: equipment drawn see-through at given transforms (the mother line over its child in the overlay)."""

from __future__ import annotations

import numpy as np
import pyvista as pv

from viewer.model import EquipmentPath
from viewer.scene.batch import COLORS, TypeMeshes, _instances

GHOST_OPACITY = 0.3


def ghost_mesh(
    paths: list[EquipmentPath],
    matrices: np.ndarray,
    meshes: TypeMeshes,
    colors: dict[str, tuple[int, int, int]],
    default: tuple[int, int, int] = (150, 150, 150),
) -> pv.PolyData:
    """All given equipment as one mesh, each in its colour (by equipment id): one actor, like the scene."""
    points, faces, cell_colors = [], [], []
    offset = 0
    for type_name in sorted({p.equipment.type for p in paths}):
        members = [i for i, p in enumerate(paths) if p.equipment.type == type_name]
        mesh = meshes.get(type_name)
        scales = np.array([paths[i].equipment.scale for i in members], dtype=float)
        type_points, type_faces = _instances(mesh, matrices[members], scales)
        points.append(type_points)
        faces.append(type_faces + offset)
        offset += len(type_points)
        rgb = np.array([colors.get(paths[i].equipment.id, default) for i in members], dtype=np.uint8)
        cell_colors.append(np.repeat(rgb, len(mesh.faces), axis=0))
    if not points:
        return pv.PolyData()
    ghost = pv.PolyData.from_regular_faces(np.concatenate(points).astype(np.float32), np.concatenate(faces))
    ghost.cell_data[COLORS] = np.concatenate(cell_colors)
    return ghost
