"""Pose maths: rotation matrices and world transforms of the hierarchy, vectorised with numpy."""

from __future__ import annotations

import numpy as np

from viewer.model.plant import Cell, PlantDocument, Site
from viewer.model.values import Pose


def rotation_matrices(yaw: np.ndarray, pitch: np.ndarray, roll: np.ndarray) -> np.ndarray:
    """(n, 3, 3) rotations R = Rz(yaw) @ Ry(pitch) @ Rx(roll), angles in degrees."""
    y, p, r = (np.radians(np.asarray(a, dtype=float)) for a in (yaw, pitch, roll))
    cy, sy, cp, sp, cr, sr = np.cos(y), np.sin(y), np.cos(p), np.sin(p), np.cos(r), np.sin(r)
    out = np.empty((*y.shape, 3, 3))
    out[..., 0, 0] = cy * cp
    out[..., 0, 1] = cy * sp * sr - sy * cr
    out[..., 0, 2] = cy * sp * cr + sy * sr
    out[..., 1, 0] = sy * cp
    out[..., 1, 1] = sy * sp * sr + cy * cr
    out[..., 1, 2] = sy * sp * cr - cy * sr
    out[..., 2, 0] = -sp
    out[..., 2, 1] = cp * sr
    out[..., 2, 2] = cp * cr
    return out


def pose_matrix(pose: Pose) -> np.ndarray:
    """4x4 homogeneous transform of one pose."""
    m = np.eye(4)
    m[:3, :3] = rotation_matrices(np.array(pose.yaw), np.array(pose.pitch), np.array(pose.roll))
    m[:3, 3] = (pose.x, pose.y, pose.z)
    return m


def equipment_world_matrices(document: PlantDocument, site: Site | None = None) -> np.ndarray:
    """(n, 4, 4) world transforms of every equipment, in `iter_equipment` order (one site if given).

    Parents (few) are composed one by one; equipment (many) in one batch.
    """
    parent_of: list[int] = []
    parents: list[tuple[np.ndarray, Cell]] = []
    poses: list[Pose] = []
    for path in document.iter_equipment():
        if site is not None and path.site is not site:
            continue
        if not parents or parents[-1][1] is not path.cell:
            matrix = pose_matrix(path.area.pose) @ pose_matrix(path.line.pose) @ pose_matrix(path.cell.pose)
            parents.append((matrix, path.cell))
        parent_of.append(len(parents) - 1)
        poses.append(path.equipment.pose)
    if not poses:
        return np.zeros((0, 4, 4))
    local = np.zeros((len(poses), 4, 4))
    values = np.array([(p.x, p.y, p.z, p.yaw, p.pitch, p.roll) for p in poses], dtype=float)
    local[:, :3, :3] = rotation_matrices(values[:, 3], values[:, 4], values[:, 5])
    local[:, :3, 3] = values[:, :3]
    local[:, 3, 3] = 1.0
    parent_stack = np.stack([m for m, _ in parents])
    return parent_stack[np.asarray(parent_of)] @ local


def transform_points(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return points @ matrix[:3, :3].T + matrix[:3, 3]


def cell_world_matrices(document: PlantDocument, site: Site | None = None) -> dict[str, np.ndarray]:
    """World transform of every cell (by cell id): area, line and cell poses composed."""
    out = {}
    for s in document.sites:
        if site is not None and s is not site:
            continue
        for area in s.areas:
            area_matrix = pose_matrix(area.pose)
            for line in area.lines:
                line_matrix = area_matrix @ pose_matrix(line.pose)
                for cell in line.cells:
                    out[cell.id] = line_matrix @ pose_matrix(cell.pose)
    return out
