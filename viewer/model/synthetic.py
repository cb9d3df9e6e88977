"""Synthetic plants of any size for benchmarks: realistic site > area > line > cell structure.

Deterministic for a seed. Equipment stand in rows inside their cells, spaced by their footprints, so the
layout looks like a plant (and overlap checks have real work to do), not like random points.
"""

from __future__ import annotations

import math

import numpy as np

from viewer.model.layout_helpers import new_equipment
from viewer.model.library import EquipmentLibrary
from viewer.model.plant import Area, Cell, ColumnGrid, Enterprise, Line, PlantDocument, Site
from viewer.model.values import Pose

EQUIPMENT_PER_CELL = (6, 14)
CELLS_PER_LINE = (8, 12)
LINES_PER_AREA = 10
AREAS_PER_SITE = 12  # up to about 12,000 equipment per site, a gigafactory
AISLE = 4.0


def generate_plant(library: EquipmentLibrary, equipment: int, seed: int = 0) -> PlantDocument:
    """A plant with exactly `equipment` equipment drawn from every type except building columns."""
    rng = np.random.default_rng(seed)
    type_names = [n for n in library.names() if library[n].category != "building"]
    # Process machines are common, big utilities rare: weight by inverse footprint area.
    areas = np.array([library[n].footprint.width * library[n].footprint.depth for n in type_names])
    weights = 1.0 / np.sqrt(areas)
    weights /= weights.sum()
    document = PlantDocument(Enterprise("SYN", f"Synthetic plant ({equipment} equipment, seed {seed})"))
    remaining = equipment
    site_index = 0
    while remaining > 0:
        site_index += 1
        site = Site(id=f"S{site_index}", name=f"Site {site_index}", country="KR", timezone="Asia/Seoul")
        document.sites.append(site)
        area_y, site_width = 0.0, 0.0
        for area_index in range(1, AREAS_PER_SITE + 1):
            if remaining <= 0:
                break
            area = Area(f"S{site_index}-A{area_index}", f"Area {area_index}", Pose(y=area_y))
            site.areas.append(area)
            line_y = 0.0
            for line_index in range(1, LINES_PER_AREA + 1):
                if remaining <= 0:
                    break
                line_id = f"{area.id}-L{line_index}"
                line = Line(line_id, f"Line {area_index}.{line_index}", Pose(y=line_y))
                area.lines.append(line)
                cell_x, line_depth = 0.0, 0.0
                for cell_index in range(1, int(rng.integers(*CELLS_PER_LINE)) + 1):
                    if remaining <= 0:
                        break
                    count = min(remaining, int(rng.integers(*EQUIPMENT_PER_CELL)))
                    remaining -= count
                    cell = Cell(f"{line_id}-C{cell_index}", f"Cell {cell_index}", Pose(x=cell_x))
                    line.cells.append(cell)
                    x = 0.0
                    for k in range(count):
                        name = type_names[int(rng.choice(len(type_names), p=weights))]
                        fp = library[name].footprint
                        ident = f"{cell.id}-E{k + 1}"
                        cell.equipment.append(
                            new_equipment(library, name, ident, f"{name} {ident}", x + fp.width / 2, 0.0)
                        )
                        x += fp.width + 1.0
                        line_depth = max(line_depth, fp.depth)
                    cell_x += x + AISLE
                site_width = max(site_width, cell_x)
                line_y += line_depth + AISLE
            area_y += line_y + 2 * AISLE
        _fit_building(site, site_width, area_y)
    return document


def _fit_building(site: Site, width: float, depth: float) -> None:
    """Building outline and a 12 m column grid around what was placed."""
    margin = 6.0
    width = math.ceil(max(width, 60.0) / 12.0) * 12.0
    depth = math.ceil(max(depth, 24.0) / 12.0) * 12.0
    origin = (-margin, -margin - 6.0)
    site.footprint = [origin, (width, origin[1]), (width, depth), (origin[0], depth)]
    count = (int((width - origin[0]) / 12.0) + 1, int((depth - origin[1]) / 12.0) + 1)
    site.column_grid = ColumnGrid(origin=origin, spacing=(12.0, 12.0), count=count)
