"""A small builder that composes coloured primitives into one mesh (Z up, metres) and writes GLB."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh

from viewer.io.atomic import atomic_write_bytes
from viewer.io.meshes import Y_UP_TO_Z_UP

RGB = tuple[int, int, int]

# A palette shared by the library so the plant reads as one: bodies light, frames dark, accents by process.
BODY = (226, 228, 224)
FRAME = (92, 98, 106)
DARK = (55, 60, 66)
STEEL = (170, 176, 182)
GLASS = (140, 185, 210)
SAFETY_YELLOW = (242, 196, 20)
SIGNAL_RED = (205, 45, 40)
SIGNAL_GREEN = (40, 170, 80)
ROLL = (150, 155, 160)
CONCRETE = (182, 178, 170)


def _axis_transform(axis: str) -> np.ndarray:
    """Rotation taking a primitive's own Z axis onto the named axis."""
    if axis == "x":
        return trimesh.transformations.rotation_matrix(np.pi / 2, (0, 1, 0))
    if axis == "y":
        return trimesh.transformations.rotation_matrix(np.pi / 2, (1, 0, 0))
    return np.eye(4)


class MeshBuilder:
    """Collects coloured parts; `mesh()` returns them as one trimesh with per-face colours."""

    def __init__(self) -> None:
        self._parts: list[trimesh.Trimesh] = []

    def _add(self, mesh: trimesh.Trimesh, color: RGB) -> None:
        if mesh.is_watertight and mesh.volume < 0:
            mesh.invert()  # outward faces (a cone of negative height comes inside out): the view culls back faces
        mesh.visual.face_colors = np.tile([*color, 255], (len(mesh.faces), 1))
        self._parts.append(mesh)

    def box(self, size: tuple[float, float, float], at: tuple[float, float, float], color: RGB) -> None:
        """A box of (dx, dy, dz) whose bottom centre is at `at`."""
        transform = trimesh.transformations.translation_matrix((at[0], at[1], at[2] + size[2] / 2))
        self._add(trimesh.creation.box(extents=size, transform=transform), color)

    def cylinder(
        self,
        radius: float,
        length: float,
        at: tuple[float, float, float],
        color: RGB,
        axis: str = "z",
        sections: int = 16,
    ) -> None:
        """A cylinder centred at `at` along an axis (for "z" its bottom sits at at[2])."""
        centre = (at[0], at[1], at[2] + length / 2) if axis == "z" else at
        transform = trimesh.transformations.translation_matrix(centre) @ _axis_transform(axis)
        mesh = trimesh.creation.cylinder(radius=radius, height=length, sections=sections, transform=transform)
        self._add(mesh, color)

    def cone(
        self, radius: float, height: float, at: tuple[float, float, float], color: RGB, sections: int = 16
    ) -> None:
        transform = trimesh.transformations.translation_matrix(at)
        self._add(trimesh.creation.cone(radius=radius, height=height, sections=sections, transform=transform), color)

    def tower_light(self, at: tuple[float, float, float]) -> None:
        """The red/amber/green stack light every machine carries: the first thing an engineer looks for."""
        x, y, z = at
        self.cylinder(0.02, 0.25, (x, y, z), STEEL, sections=8)
        for i, color in enumerate((SIGNAL_GREEN, SAFETY_YELLOW, SIGNAL_RED)):
            self.cylinder(0.045, 0.07, (x, y, z + 0.25 + i * 0.075), color, sections=10)

    def control_panel(self, at: tuple[float, float, float], facing_y: float = -1.0) -> None:
        """An HMI pedestal with a screen, on the operator side."""
        x, y, z = at
        self.box((0.12, 0.12, 1.1), (x, y, z), FRAME)
        self.box((0.5, 0.08, 0.36), (x, y + facing_y * 0.04, z + 1.1), DARK)
        self.box((0.42, 0.01, 0.28), (x, y + facing_y * 0.085, z + 1.14), GLASS)

    def legs(self, width: float, depth: float, height: float, color: RGB = FRAME, size: float = 0.08) -> None:
        for sx in (-1, 1):
            for sy in (-1, 1):
                self.box((size, size, height), (sx * (width / 2 - size), sy * (depth / 2 - size), 0.0), color)

    def mesh(self) -> trimesh.Trimesh:
        return trimesh.util.concatenate(self._parts)

    def triangle_count(self) -> int:
        return sum(len(p.faces) for p in self._parts)

    def write_glb(self, path: Path) -> None:
        """GLB is Y up by its specification: rotate our Z-up parts before writing."""
        mesh = self.mesh()
        to_y_up = np.eye(4)
        to_y_up[:3, :3] = Y_UP_TO_Z_UP.T
        mesh.apply_transform(to_y_up)
        atomic_write_bytes(Path(path), mesh.export(file_type="glb"))
