"""Edit commands on a plant document: each one undoes exactly what it did.

Poses are stored relative to the cell; moves, rotations, alignment and distribution are asked for in world
(site) coordinates, as an engineer sees the floor, and converted into each equipment's parent frame.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np

from viewer.model.geometry import pose_matrix
from viewer.model.library import EquipmentLibrary, EquipmentType
from viewer.model.plant import Cell, Equipment, EquipmentPath, PlantDocument
from viewer.model.undo import Command
from viewer.model.values import Parameter, ParameterValue, Pose
from viewer.model.views import Viewpoint


class EditError(ValueError):
    """An edit that cannot be applied; the message says why in the user's terms."""


# ---------------------------------------------------------------- locating


def locate(document: PlantDocument, ids: Iterable[str]) -> list[EquipmentPath]:
    wanted = list(ids)
    found = {p.equipment.id: p for p in document.iter_equipment() if p.equipment.id in set(wanted)}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise EditError(f"no equipment with id {', '.join(repr(m) for m in missing)} in this document")
    return [found[i] for i in wanted]


def find_cell(document: PlantDocument, cell_id: str) -> Cell:
    for site in document.sites:
        for area in site.areas:
            for line in area.lines:
                for cell in line.cells:
                    if cell.id == cell_id:
                        return cell
    raise EditError(f"no cell with id {cell_id!r} in this document")


def cell_world_matrix(document: PlantDocument, cell: Cell) -> np.ndarray:
    for site in document.sites:
        for area in site.areas:
            for line in area.lines:
                if any(c is cell for c in line.cells):
                    return pose_matrix(area.pose) @ pose_matrix(line.pose) @ pose_matrix(cell.pose)
    raise EditError(f"cell {cell.id!r} is not part of this document")


def all_ids(document: PlantDocument) -> set[str]:
    ids = {e.id for e in (document.enterprise,)}
    for site in document.sites:
        ids.add(site.id)
        for area in site.areas:
            ids.add(area.id)
            for line in area.lines:
                ids.add(line.id)
                for cell in line.cells:
                    ids.add(cell.id)
                    ids.update(e.id for e in cell.equipment)
    return ids


def unique_name(base: str, taken: set[str], separator: str = "-") -> str:
    """`base`, or `base-2`, `base-3`... when taken; the one returned is added to `taken`."""
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}{separator}{number}"
    taken.add(candidate)
    return candidate


def unique_ids(document: PlantDocument, bases: Sequence[str]) -> list[str]:
    """New ids like COT-01-2, COT-01-3: stable, readable and unused anywhere in the document."""
    taken = all_ids(document)
    out = []
    for base in bases:
        stem = base
        n = 2
        candidate = f"{stem}-{n}"
        while candidate in taken:
            n += 1
            candidate = f"{stem}-{n}"
        taken.add(candidate)
        out.append(candidate)
    return out


def pose_from_matrix(matrix: np.ndarray) -> Pose:
    """Inverse of pose_matrix for R = Rz(yaw) Ry(pitch) Rx(roll); angles in degrees, rounded to 1e-9."""
    r = matrix[:3, :3]
    pitch = math.asin(max(-1.0, min(1.0, -r[2, 0])))
    if abs(r[2, 0]) < 1.0 - 1e-12:
        yaw = math.atan2(r[1, 0], r[0, 0])
        roll = math.atan2(r[2, 1], r[2, 2])
    else:  # gimbal lock: put all the turn into yaw
        yaw = math.atan2(-r[0, 1], r[1, 1])
        roll = 0.0
    values = (*matrix[:3, 3], *(math.degrees(a) for a in (yaw, pitch, roll)))
    return Pose(*(round(float(v), 9) + 0.0 for v in values))


# ---------------------------------------------------------------- commands


@dataclass
class SetPoses(Command):
    """New cell-relative poses for some equipment (move, rotate, align, distribute, nudge, typed values)."""

    ids: tuple[str, ...]
    poses: list[Pose]
    text: str = "Move"
    old: list[Pose] | None = None
    group_key: object | None = None

    def redo(self, document: PlantDocument) -> set[str]:
        paths = locate(document, self.ids)
        if self.old is None:
            self.old = [replace(p.equipment.pose) for p in paths]
        for path, pose in zip(paths, self.poses, strict=True):
            path.equipment.pose = replace(pose)
        return set(self.ids)

    def undo(self, document: PlantDocument) -> set[str]:
        for path, pose in zip(locate(document, self.ids), self.old or [], strict=True):
            path.equipment.pose = replace(pose)
        return set(self.ids)

    def merge_key(self) -> object | None:
        return ("poses", self.ids, self.group_key) if self.group_key is not None else None

    def merge(self, later: Command) -> bool:
        # A drag sends many moves of the same equipment: keep the first old poses and the last new ones.
        if not isinstance(later, SetPoses) or later.ids != self.ids:
            return False
        self.poses = [replace(p) for p in later.poses]
        return True


@dataclass
class AddEquipment(Command):
    """Add equipment to a cell (new, duplicated or array-copied)."""

    structural: ClassVar[bool] = True
    cell_id: str
    items: list[Equipment]
    text: str = "Add equipment"

    def redo(self, document: PlantDocument) -> set[str]:
        cell = find_cell(document, self.cell_id)
        taken = all_ids(document)
        clash = [e.id for e in self.items if e.id in taken]
        if clash:
            raise EditError(f"id {clash[0]!r} is already used in this document")
        cell.equipment.extend(copy.deepcopy(self.items))
        return {e.id for e in self.items}

    def undo(self, document: PlantDocument) -> set[str]:
        cell = find_cell(document, self.cell_id)
        ids = {e.id for e in self.items}
        cell.equipment[:] = [e for e in cell.equipment if e.id not in ids]
        return ids


@dataclass
class DeleteEquipment(Command):
    structural: ClassVar[bool] = True
    ids: tuple[str, ...]
    text: str = "Delete"
    removed: list[tuple[str, int, Equipment]] = field(default_factory=list)

    def redo(self, document: PlantDocument) -> set[str]:
        paths = locate(document, self.ids)
        self.removed = []
        for path in paths:
            position = next(i for i, e in enumerate(path.cell.equipment) if e is path.equipment)
            self.removed.append((path.cell.id, position, path.equipment))
        for path in paths:
            path.cell.equipment[:] = [e for e in path.cell.equipment if e is not path.equipment]
        return set(self.ids)

    def undo(self, document: PlantDocument) -> set[str]:
        # Reinsert at the original positions, lowest first, so every index is right when it is used.
        for cell_id, position, equipment in sorted(self.removed, key=lambda r: (r[0], r[1])):
            find_cell(document, cell_id).equipment.insert(position, equipment)
        return set(self.ids)


@dataclass
class RenameEquipment(Command):
    equipment_id: str
    name: str
    text: str = "Rename"
    old: str | None = None

    def redo(self, document: PlantDocument) -> set[str]:
        (path,) = locate(document, [self.equipment_id])
        self.old = path.equipment.name
        path.equipment.name = self.name
        return {self.equipment_id}

    def undo(self, document: PlantDocument) -> set[str]:
        (path,) = locate(document, [self.equipment_id])
        path.equipment.name = self.old if self.old is not None else path.equipment.name
        return {self.equipment_id}


@dataclass
class SetParameter(Command):
    """Set (or add) a process parameter of some equipment."""

    ids: tuple[str, ...]
    name: str
    value: ParameterValue
    unit: str | None = None
    text: str = "Set parameter"
    old: list[list[Parameter]] = field(default_factory=list)

    def redo(self, document: PlantDocument) -> set[str]:
        paths = locate(document, self.ids)
        self.old = [copy.deepcopy(p.equipment.parameters) for p in paths]
        for path in paths:
            parameters = path.equipment.parameters
            existing = next((p for p in parameters if p.name == self.name), None)
            if existing is None:
                parameters.append(Parameter(self.name, self.value, self.unit or ""))
            else:
                existing.value = self.value
                if self.unit is not None:
                    existing.unit = self.unit
        return set(self.ids)

    def undo(self, document: PlantDocument) -> set[str]:
        for path, parameters in zip(locate(document, self.ids), self.old, strict=True):
            path.equipment.parameters = copy.deepcopy(parameters)
        return set(self.ids)


@dataclass
class MoveToCell(Command):
    """Re-parent equipment to another cell, keeping where they stand on the floor."""

    structural: ClassVar[bool] = True
    ids: tuple[str, ...]
    cell_id: str
    text: str = "Move to cell"
    origins: list[tuple[str, int, Pose]] = field(default_factory=list)

    def redo(self, document: PlantDocument) -> set[str]:
        paths = locate(document, self.ids)
        target = find_cell(document, self.cell_id)
        to_target = np.linalg.inv(cell_world_matrix(document, target))
        self.origins = []
        for path in paths:
            position = next(i for i, e in enumerate(path.cell.equipment) if e is path.equipment)
            self.origins.append((path.cell.id, position, replace(path.equipment.pose)))
            world = cell_world_matrix(document, path.cell) @ pose_matrix(path.equipment.pose)
            path.equipment.pose = pose_from_matrix(to_target @ world)
        for path in paths:
            path.cell.equipment[:] = [e for e in path.cell.equipment if e is not path.equipment]
            target.equipment.append(path.equipment)
        return set(self.ids)

    def undo(self, document: PlantDocument) -> set[str]:
        target = find_cell(document, self.cell_id)
        moved = {e.id: e for e in target.equipment if e.id in set(self.ids)}
        target.equipment[:] = [e for e in target.equipment if e.id not in moved]
        for equipment_id, (cell_id, position, pose) in sorted(
            zip(self.ids, self.origins, strict=True), key=lambda item: (item[1][0], item[1][1])
        ):
            equipment = moved[equipment_id]
            equipment.pose = replace(pose)
            find_cell(document, cell_id).equipment.insert(position, equipment)
        return set(self.ids)


@dataclass
class AddEquipmentType(Command):
    """A new type in the document's own library (an imported mesh), available to place from then on."""

    structural: ClassVar[bool] = True
    equipment_type: EquipmentType
    text: str = "Import equipment type"

    def redo(self, document: PlantDocument) -> set[str]:
        if self.equipment_type.name in document.types:
            raise EditError(f"the document already has a type named {self.equipment_type.name!r}")
        document.types[self.equipment_type.name] = copy.deepcopy(self.equipment_type)
        return set()

    def undo(self, document: PlantDocument) -> set[str]:
        document.types.pop(self.equipment_type.name, None)
        return set()


@dataclass
class AddViewpoint(Command):
    """Save a named camera position in the document (replacing one of the same name)."""

    viewpoint: Viewpoint
    text: str = "Save viewpoint"
    replaced: tuple[int, Viewpoint] | None = None

    def redo(self, document: PlantDocument) -> set[str]:
        names = [v.name for v in document.viewpoints]
        if self.viewpoint.name in names:
            index = names.index(self.viewpoint.name)
            self.replaced = (index, document.viewpoints[index])
            document.viewpoints[index] = self.viewpoint
        else:
            self.replaced = None
            document.viewpoints.append(self.viewpoint)
        return set()

    def undo(self, document: PlantDocument) -> set[str]:
        if self.replaced is None:
            document.viewpoints.pop()
        else:
            index, old = self.replaced
            document.viewpoints[index] = old
        return set()


@dataclass
class RemoveViewpoint(Command):
    name: str
    text: str = "Delete viewpoint"
    removed: tuple[int, Viewpoint] | None = None

    def redo(self, document: PlantDocument) -> set[str]:
        names = [v.name for v in document.viewpoints]
        if self.name not in names:
            raise EditError(f"no viewpoint named {self.name!r}")
        index = names.index(self.name)
        self.removed = (index, document.viewpoints.pop(index))
        return set()

    def undo(self, document: PlantDocument) -> set[str]:
        if self.removed is not None:
            document.viewpoints.insert(*self.removed)
        return set()


def new_equipment_for(
    library: EquipmentLibrary, type_name: str, ident: str, x: float = 0.0, y: float = 0.0
) -> Equipment:
    """A new equipment of a library type, named after the type, with its default parameters and signals."""
    from viewer.model.layout_helpers import new_equipment

    return new_equipment(library, type_name, ident, library[type_name].title, x, y)


# ---------------------------------------------------------------- commands from intents


def _parent_rotation(document: PlantDocument, path: EquipmentPath) -> np.ndarray:
    return cell_world_matrix(document, path.cell)[:3, :3]


def move_by(document: PlantDocument, ids: Sequence[str], dx: float, dy: float, dz: float = 0.0,
            group_key: object | None = None, origin: Sequence[Pose] | None = None) -> SetPoses:  # fmt: skip
    """Translate in world coordinates (metres), from the current poses or from `origin` (the poses when a
    drag started: each mouse move then gives the whole displacement, and no rounding error piles up)."""
    poses = []
    paths = locate(document, ids)
    starts = list(origin) if origin is not None else [p.equipment.pose for p in paths]
    for path, pose in zip(paths, starts, strict=True):
        local = _parent_rotation(document, path).T @ np.array([dx, dy, dz])
        poses.append(
            replace(
                pose,
                x=round(pose.x + float(local[0]), 9) + 0.0,
                y=round(pose.y + float(local[1]), 9) + 0.0,
                z=round(pose.z + float(local[2]), 9) + 0.0,
            )
        )
    return SetPoses(tuple(ids), poses, "Move", group_key=group_key)


def rotate_by(document: PlantDocument, ids: Sequence[str], degrees: float, group_key: object | None = None) -> SetPoses:
    """Turn about the vertical axis through the centre of the selection (each machine turns with it)."""
    paths = locate(document, ids)
    worlds = [cell_world_matrix(document, p.cell) @ pose_matrix(p.equipment.pose) for p in paths]
    centre = np.mean([w[:3, 3] for w in worlds], axis=0)
    turn = pose_matrix(Pose(yaw=degrees))
    about = np.eye(4)
    about[:2, 3] = centre[:2]
    back = np.eye(4)
    back[:2, 3] = -centre[:2]
    poses = []
    for path, world in zip(paths, worlds, strict=True):
        new_world = about @ turn @ back @ world
        local = np.linalg.inv(cell_world_matrix(document, path.cell)) @ new_world
        poses.append(pose_from_matrix(local))
    return SetPoses(tuple(ids), poses, f"Rotate {degrees:g} deg", group_key=group_key)


def footprint_bounds(document: PlantDocument, library: EquipmentLibrary, path: EquipmentPath) -> np.ndarray:
    """(2, 2) world XY box around an equipment's (scaled, turned) footprint rectangle."""
    corners = footprint_corners(document, library, path)
    return np.stack([corners.min(axis=0), corners.max(axis=0)])


def footprint_corners(document: PlantDocument, library: EquipmentLibrary, path: EquipmentPath) -> np.ndarray:
    fp = library[path.equipment.type].footprint
    sx, sy, _ = path.equipment.scale
    half = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * [fp.width * sx / 2, fp.depth * sy / 2]
    world = cell_world_matrix(document, path.cell) @ pose_matrix(path.equipment.pose)
    return half @ world[:2, :2].T + world[:2, 3]


ALIGN_EDGES = ("left", "right", "front", "back", "centre_x", "centre_y")


def align(document: PlantDocument, library: EquipmentLibrary, ids: Sequence[str], edge: str) -> SetPoses:
    """Line up footprints on the first selected equipment's edge (left = min x, front = min y)."""
    if edge not in ALIGN_EDGES:
        raise EditError(f"unknown edge {edge!r}; expected one of {', '.join(ALIGN_EDGES)}")
    paths = locate(document, ids)
    if len(paths) < 2:
        raise EditError("align needs at least two equipment")
    boxes = [footprint_bounds(document, library, p) for p in paths]
    axis = 0 if edge in ("left", "right", "centre_x") else 1

    def coordinate(box: np.ndarray) -> float:
        if edge in ("left", "front"):
            return float(box[0, axis])
        if edge in ("right", "back"):
            return float(box[1, axis])
        return float(box[:, axis].mean())

    reference = coordinate(boxes[0])
    poses = []
    for path, box in zip(paths, boxes, strict=True):
        delta = np.zeros(3)
        delta[axis] = reference - coordinate(box)
        local = _parent_rotation(document, path).T @ delta
        pose = path.equipment.pose
        poses.append(replace(pose, x=pose.x + float(local[0]), y=pose.y + float(local[1])))
    return SetPoses(tuple(ids), poses, f"Align {edge.replace('_', ' ')}")


def distribute(document: PlantDocument, library: EquipmentLibrary, ids: Sequence[str], axis: str) -> SetPoses:
    """Equal gaps between footprints along x or y, keeping the outermost two where they are."""
    if axis not in ("x", "y"):
        raise EditError(f"unknown axis {axis!r}; expected 'x' or 'y'")
    paths = locate(document, ids)
    if len(paths) < 3:
        raise EditError("distribute needs at least three equipment")
    k = 0 if axis == "x" else 1
    boxes = [footprint_bounds(document, library, p) for p in paths]
    order = sorted(range(len(paths)), key=lambda i: boxes[i][0, k])
    sizes = [boxes[i][1, k] - boxes[i][0, k] for i in order]
    start, end = boxes[order[0]][0, k], boxes[order[-1]][1, k]
    gap = (end - start - sum(sizes)) / (len(paths) - 1)
    targets = {}
    cursor = start
    for i, size in zip(order, sizes, strict=True):
        targets[i] = cursor
        cursor += size + gap
    poses = []
    for i, path in enumerate(paths):
        delta = np.zeros(3)
        delta[k] = targets[i] - boxes[i][0, k]
        local = _parent_rotation(document, path).T @ delta
        pose = path.equipment.pose
        poses.append(replace(pose, x=pose.x + float(local[0]), y=pose.y + float(local[1])))
    return SetPoses(tuple(ids), poses, f"Distribute along {axis}")


def duplicate(document: PlantDocument, ids: Sequence[str], dx: float = 1.0, dy: float = 1.0) -> list[AddEquipment]:
    """Copies offset on the floor, with new ids; one command per cell (one undo step when grouped)."""
    return array_copy(document, ids, count=1, dx=dx, dy=dy, text="Duplicate")


def array_copy(document: PlantDocument, ids: Sequence[str], count: int, dx: float, dy: float,
               text: str = "Array copy") -> list[AddEquipment]:  # fmt: skip
    """`count` copies of the selection, the i-th offset by i * (dx, dy) metres in world coordinates."""
    if count < 1:
        raise EditError(f"array copy needs at least 1 copy, got {count}")
    paths = locate(document, ids)
    bases = [p.equipment.id for _ in range(count) for p in paths]
    new_ids = iter(unique_ids(document, bases))
    by_cell: dict[str, list[Equipment]] = {}
    for i in range(1, count + 1):
        for path in paths:
            local = _parent_rotation(document, path).T @ np.array([dx * i, dy * i, 0.0])
            item = copy.deepcopy(path.equipment)
            item.id = next(new_ids)
            item.name = f"{path.equipment.name} ({i + 1})" if count > 1 else f"{path.equipment.name} (copy)"
            item.pose = replace(item.pose, x=item.pose.x + float(local[0]), y=item.pose.y + float(local[1]))
            item.mother_id = None  # a copy is new here: it has no counterpart at the mother line
            by_cell.setdefault(path.cell.id, []).append(item)
    return [AddEquipment(cell_id, items, text) for cell_id, items in by_cell.items()]
