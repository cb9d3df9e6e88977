"""A small plant with everything the 3D exports (glTF, OpenUSD) map: turned and tilted poses at every level,
a scaled equipment, a type without a mesh, a parameter that deviates from its type and one that is missing,
ids that are not valid prim names, non-ASCII names, two lines, two sites, and a building with a wall, a
column, a slab, a space and a column grid."""

from __future__ import annotations

import numpy as np

from viewer.model import (
    Area,
    BuildingElement,
    BuildingKind,
    Cell,
    ColumnGrid,
    Enterprise,
    Equipment,
    EquipmentLibrary,
    EquipmentType,
    Footprint,
    Line,
    Parameter,
    PlantDocument,
    Pose,
    Site,
)
from viewer.model.layout_helpers import new_equipment

CRATE = EquipmentType("crate", "Crate without a mesh", "logistics", Footprint(1.2, 0.8, 1.5), color=(200, 120, 40))


def rich_document(library: EquipmentLibrary) -> PlantDocument:
    full = library.merged({"crate": CRATE})
    mixer = new_equipment(full, "slurry_mixer", "S-1.E/1", "Mischer Süd", 0, 0)
    mixer.pose = Pose(3.0, 4.0, 0.5, yaw=45.0, pitch=10.0, roll=5.0)
    mixer.scale = (1.0, 2.0, 1.5)
    press = new_equipment(full, "roll_press", "S-1.E/2", "Press 2", 12.0, 1.0, yaw=-90.0)
    press.parameters[0].value = 999.5  # deviates from the type's default
    del press.parameters[1]  # and lacks one of the type's parameters
    press.parameters.append(Parameter("rate (1/s)", 2.5, "1/s"))
    press.parameters.append(Parameter("cleanroom", True))
    press.parameters.append(Parameter("vendor", "Kim & Co"))
    press.mother_id = "OC-ELE1-PRS-01"
    crates = [Equipment(f"S-1.K{i}", f"Crate {i}", "crate", Pose(20.0 + 2 * i, 2.0)) for i in range(3)]
    robot = new_equipment(full, "robot_6axis", "S-1.R1", "Robot", 2.0, 2.0, yaw=180.0)
    cell_a = Cell("S-1.C1", "Cell 1", Pose(1.0, 2.0, yaw=90.0), [mixer, press, *crates])
    cell_b = Cell("S-1.C2", "Empty cell", Pose(30.0, 0.0))
    line_1 = Line("S-1.L1", "Line 1", Pose(5.0, 2.0, roll=2.0), [cell_a, cell_b])
    line_2 = Line("S-1.L2", "Line 2", Pose(0.0, 15.0), [Cell("S-1.C3", "Cell 3", equipment=[robot])])
    area = Area("S-1.A1", "Area 1", Pose(10.0, 0.0, yaw=30.0), [line_1, line_2])
    site = Site(
        "S-1",
        "Test site",
        footprint=[(0, 0), (60, 0), (60, 30), (30, 30), (30, 40), (0, 40)],  # an L-shaped hall
        column_grid=ColumnGrid(origin=(0.0, 0.0), spacing=(12.0, 10.0), count=(3, 2), size=0.5, height=7.0),
        areas=[area],
        building=[
            BuildingElement("W1", BuildingKind.WALL, [(0, 0), (60, 0), (60, 0.3), (0, 0.3)], 0.0, 6.0, "South wall"),
            BuildingElement("C9", BuildingKind.COLUMN, [(40, 20), (40.6, 20), (40.6, 20.6), (40, 20.6)], 0.0, 6.0),
            BuildingElement("SL1", BuildingKind.SLAB, [(0, 0), (10, 0), (10, 10), (0, 10)], 4.0, 0.3, "Mezzanine"),
            BuildingElement("SP1", BuildingKind.SPACE, [(0, 0), (10, 0), (10, 10)], 0.0, 4.0, "Dry room"),
        ],
    )
    other = Cell("S-2.C1", "U", equipment=[new_equipment(full, "chiller", "S-2.E1", "Chiller", 4.0, 4.0)])
    utilities = Area("S-2.A1", "Utilities", lines=[Line("S-2.L1", "Line U", cells=[other])])
    site_2 = Site("S-2", "Second site", footprint=[(0, 0), (20, 0), (20, 20), (0, 20)], areas=[utilities])
    return PlantDocument(Enterprise("ENT-1", "Werk Süd"), [site, site_2], types={"crate": CRATE})


def quaternion_matrix(q: list[float]) -> np.ndarray:
    """3x3 rotation of a unit quaternion (x, y, z, w)."""
    x, y, z, w = q
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )
