"""Placing a new equipment where the engineer points on the floor: which cell it joins, its id and name.

A drop lands in the cell whose equipment cover the point (the smallest such area), else the nearest cell, so
that a machine dropped beside a line joins that line's station instead of some cell across the hall.
"""

from __future__ import annotations

import numpy as np

from viewer.model.edit import AddEquipment, EditError, all_ids, cell_world_matrix, footprint_bounds
from viewer.model.layout_helpers import new_equipment
from viewer.model.library import EquipmentLibrary
from viewer.model.plant import Cell, PlantDocument, Site


def cell_boxes(document: PlantDocument, library: EquipmentLibrary, site: Site) -> list[tuple[Cell, np.ndarray]]:
    """Every cell of a site with the (2, 2) world XY box around its equipment (its origin when empty)."""
    boxes: dict[str, tuple[Cell, list[np.ndarray]]] = {}
    for area in site.areas:
        for line in area.lines:
            for cell in line.cells:
                boxes[cell.id] = (cell, [])
    for path in document.iter_equipment():
        if path.site is site and path.equipment.type in library:
            boxes[path.cell.id][1].append(footprint_bounds(document, library, path))
    out = []
    for cell, members in boxes.values():
        if members:
            stacked = np.stack(members)
            out.append((cell, np.stack([stacked[:, 0].min(axis=0), stacked[:, 1].max(axis=0)])))
        else:
            origin = cell_world_matrix(document, cell)[:2, 3]
            out.append((cell, np.stack([origin, origin])))
    return out


def cell_at(document: PlantDocument, library: EquipmentLibrary, site: Site, x: float, y: float) -> Cell:
    """The cell under (x, y), or the nearest one."""
    boxes = cell_boxes(document, library, site)
    if not boxes:
        raise EditError(f"site {site.name!r} has no cell to put equipment in; add a line and a cell first")
    point = np.array([x, y])
    best: tuple[float, float, Cell] | None = None
    for cell, box in boxes:
        outside = np.maximum(np.maximum(box[0] - point, point - box[1]), 0.0)
        distance = float(np.hypot(*outside))
        area = float(np.prod(box[1] - box[0]))
        if best is None or (distance, area) < best[:2]:
            best = (distance, area, cell)
    assert best is not None
    return best[2]


def new_id(document: PlantDocument, cell: Cell, type_name: str) -> str:
    """Readable and unused: the cell id, three letters of the type and a number (OC-ELE1-COT-COA-01)."""
    taken = all_ids(document)
    stem = f"{cell.id}-{type_name.replace('_', '').upper()[:3]}"
    n = 1
    while f"{stem}-{n:02d}" in taken:
        n += 1
    return f"{stem}-{n:02d}"


def place_new(
    document: PlantDocument, library: EquipmentLibrary, site: Site, type_name: str, x: float, y: float
) -> AddEquipment:
    """The command that adds one equipment of `type_name` standing at world (x, y) of `site`."""
    if type_name not in library:
        raise EditError(f"no equipment type named {type_name!r} in the library")
    cell = cell_at(document, library, site, x, y)
    local = np.linalg.inv(cell_world_matrix(document, cell)) @ np.array([x, y, 0.0, 1.0])
    turn = cell_world_matrix(document, cell)
    yaw = round(-float(np.degrees(np.arctan2(turn[1, 0], turn[0, 0]))), 9) + 0.0  # square to the hall
    same_type = sum(1 for p in document.iter_equipment() if p.site is site and p.equipment.type == type_name)
    name = f"{library[type_name].title} {same_type + 1}"
    equipment = new_equipment(library, type_name, new_id(document, cell, type_name), name, local[0], local[1], yaw)
    return AddEquipment(cell.id, [equipment], f"Add {library[type_name].title}")
