"""The demo: a pouch-cell mother line at Ochang (KR) and an empty child site in Michigan (US).

Flow follows a real cell plant: electrode (mixing > coating > pressing > slitting > drying), assembly in the
dry room (notching > stacking > tab welding > packaging > filling), formation and aging, end-of-line test,
with utilities and a warehouse. The building has a 12 m column grid and a 5 m main aisle at y = 46..51.
"""

from __future__ import annotations

from viewer.model import Area, Cell, ColumnGrid, Enterprise, EquipmentLibrary, Line, PlantDocument, Pose, Site
from viewer.model.layout_helpers import new_equipment

BUILDING = [(0.0, 0.0), (216.0, 0.0), (216.0, 96.0), (0.0, 96.0)]


class _CellFiller:
    """Adds numbered equipment to one cell: ids like OC-ASM1-STK-03 or OC-ASM1-STK-ROB-01."""

    def __init__(self, library: EquipmentLibrary, cell: Cell) -> None:
        self.library = library
        self.cell = cell
        self.counts: dict[str, int] = {}

    def add(self, type_name: str, code: str, x: float, y: float, yaw: float = 0.0, name: str = "") -> None:
        number = self.counts.get(code, 0) + 1
        self.counts[code] = number
        title = name or f"{self.library[type_name].title} {number}"
        cell_code = self.cell.id.rsplit("-", 1)[-1]
        ident = f"{self.cell.id}-{number:02d}" if code == cell_code else f"{self.cell.id}-{code}-{number:02d}"
        self.cell.equipment.append(new_equipment(self.library, type_name, ident, title, x, y, yaw))

    def row(self, type_name: str, code: str, x0: float, y: float, count: int, pitch: float, yaw: float = 0.0) -> None:
        for i in range(count):
            self.add(type_name, code, x0 + i * pitch, y, yaw)

    def fence(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """A rectangular guard of 2 m panels (opening left on the -Y side for the operator)."""
        for i in range(round((x1 - x0) / 2)):
            self.add("safety_fence", "FEN", x0 + 1 + 2 * i, y1)
        for i in range(round((y1 - y0) / 2)):
            self.add("safety_fence", "FEN", x0, y0 + 1 + 2 * i, yaw=90.0)
            self.add("safety_fence", "FEN", x1, y0 + 1 + 2 * i, yaw=90.0)


def _cell(line: Line, ident: str, name: str, x: float, y: float) -> Cell:
    cell = Cell(ident, name, Pose(x=x, y=y))
    line.cells.append(cell)
    return cell


def _electrode_area(lib: EquipmentLibrary) -> Area:
    line = Line("OC-ELE1", "Electrode line 1")
    area = Area("OC-A-ELE", "Electrode", Pose(x=0.0, y=0.0), [line])
    f = _CellFiller(lib, _cell(line, "OC-ELE1-MIX", "Mixing", 6.0, 0.0))
    f.add("slurry_mixer", "MIX", 4.0, 12.0, name="Cathode mixer")
    f.add("slurry_mixer", "MIX", 4.0, 32.0, name="Anode mixer")
    f.add("solvent_tank", "TNK", 0.0, 7.5, name="NMP tank")
    f.add("solvent_tank", "TNK", 0.0, 27.5, name="Water tank")
    f.add("dust_collector", "DST", 4.0, 22.0)
    f = _CellFiller(lib, _cell(line, "OC-ELE1-COT", "Coating", 14.0, 0.0))
    f.add("coater", "COT", 20.0, 12.0, name="Cathode coater")
    f.add("coater", "COT", 20.0, 32.0, name="Anode coater")
    f.add("nmp_recovery", "NMP", 20.0, 22.0)
    f.add("control_cabinet", "CAB", 2.0, 6.5)
    f.add("control_cabinet", "CAB", 2.0, 26.5)
    f = _CellFiller(lib, _cell(line, "OC-ELE1-PRS", "Pressing", 54.0, 0.0))
    f.add("roll_press", "PRS", 5.0, 12.0, name="Cathode roll press")
    f.add("roll_press", "PRS", 5.0, 32.0, name="Anode roll press")
    f = _CellFiller(lib, _cell(line, "OC-ELE1-SLT", "Slitting", 66.0, 0.0))
    f.add("slitter", "SLT", 4.0, 12.0, name="Cathode slitter")
    f.add("slitter", "SLT", 4.0, 32.0, name="Anode slitter")
    f = _CellFiller(lib, _cell(line, "OC-ELE1-DRY", "Vacuum drying", 76.0, 0.0))
    f.row("vacuum_dryer", "DRY", 4.0, 12.0, 3, 4.0)
    f.row("vacuum_dryer", "DRY", 4.0, 32.0, 3, 4.0)
    return area


def _assembly_area(lib: EquipmentLibrary) -> Area:
    line = Line("OC-ASM1", "Assembly line 1", Pose(x=0.0, y=0.0))
    area = Area("OC-A-ASM", "Cell assembly (dry room)", Pose(x=96.0, y=0.0), [line])
    f = _CellFiller(lib, _cell(line, "OC-ASM1-NOT", "Notching", 2.0, 0.0))
    f.add("notching_press", "NOT", 4.0, 12.0, name="Cathode notching")
    f.add("notching_press", "NOT", 4.0, 34.0, name="Anode notching")
    f.add("robot_6axis", "ROB", 4.0, 17.0)
    f.add("robot_6axis", "ROB", 4.0, 28.5)
    f = _CellFiller(lib, _cell(line, "OC-ASM1-STK", "Stacking", 12.0, 0.0))
    for i, y in enumerate((9.0, 14.5, 32.5, 38.0)):
        f.add("stacker", "STK", 4.0, y)
        f.add("robot_6axis", "ROB", 8.0, y + (1.5 if i % 2 else -1.5))
    f = _CellFiller(lib, _cell(line, "OC-ASM1-WLD", "Tab welding", 26.0, 0.0))
    for y in (13.0, 34.0):
        f.add("tab_welder", "WLD", 3.0, y)
        f.add("robot_6axis", "ROB", 6.5, y)
        f.fence(0.5, y - 3.0, 8.5, y + 3.0)
    f = _CellFiller(lib, _cell(line, "OC-ASM1-PKG", "Pouch packaging", 38.0, 0.0))
    f.add("cell_assembly", "PKG", 4.0, 13.0)
    f.add("cell_assembly", "PKG", 4.0, 34.0)
    f = _CellFiller(lib, _cell(line, "OC-ASM1-FIL", "Electrolyte filling", 48.0, 0.0))
    f.add("electrolyte_filler", "FIL", 4.0, 13.0)
    f.add("electrolyte_filler", "FIL", 4.0, 34.0)
    f.add("solvent_tank", "TNK", 9.5, 26.0, name="Electrolyte tank")
    f = _CellFiller(lib, _cell(line, "OC-ASM1-CNV", "Transfer conveyors", 0.0, 0.0))
    f.row("conveyor", "CNV", 10.0, 22.0, 16, 3.0)
    f.add("dry_room_ahu", "AHU", 62.0, 4.0)
    f.add("dry_room_ahu", "AHU", 62.0, 40.0)
    return area


def _formation_area(lib: EquipmentLibrary) -> Area:
    line = Line("OC-FOR1", "Formation line 1")
    area = Area("OC-A-FOR", "Formation and aging", Pose(x=0.0, y=52.0), [line])
    f = _CellFiller(lib, _cell(line, "OC-FOR1-FRM", "Formation", 4.0, 0.0))
    for y in (6.0, 12.0, 28.0, 34.0):
        f.row("formation_rack", "FRM", 6.0, y, 4, 8.0)
    f.add("lifter", "LFT", 38.0, 19.0)
    f = _CellFiller(lib, _cell(line, "OC-FOR1-DGS", "Degassing", 46.0, 0.0))
    f.add("degassing_press", "DGS", 4.0, 12.0)
    f.add("degassing_press", "DGS", 4.0, 26.0)
    f.row("conveyor", "CNV", 2.5, 19.0, 3, 3.0)
    f = _CellFiller(lib, _cell(line, "OC-FOR1-AGE", "Aging", 58.0, 0.0))
    for y in (6.0, 16.0, 28.0, 36.0):
        f.row("aging_rack", "AGE", 6.0, y, 3, 10.0)
    return area


def _test_area(lib: EquipmentLibrary) -> Area:
    line = Line("OC-EOL1", "End-of-line 1")
    area = Area("OC-A-EOL", "Test and shipping", Pose(x=96.0, y=52.0), [line])
    f = _CellFiller(lib, _cell(line, "OC-EOL1-GRD", "Grading", 2.0, 0.0))
    f.add("grader", "GRD", 4.0, 12.0)
    f.add("grader", "GRD", 4.0, 30.0)
    f = _CellFiller(lib, _cell(line, "OC-EOL1-TST", "EOL test", 12.0, 0.0))
    f.add("eol_tester", "TST", 4.0, 12.0)
    f.add("eol_tester", "TST", 4.0, 30.0)
    f.add("xray_inspector", "XRY", 10.0, 12.0)
    f.add("vision_inspection", "VIS", 10.0, 30.0)
    f.add("labeler", "LBL", 15.0, 19.0)
    f.row("conveyor", "CNV", 0.0, 19.0, 4, 3.0)
    f = _CellFiller(lib, _cell(line, "OC-EOL1-SHP", "Packing and shipping", 34.0, 0.0))
    f.row("pallet", "PAL", 2.0, 8.0, 4, 1.6)
    f.add("module_assembly", "MOD", 5.0, 30.0)
    f.add("workbench", "WBN", 12.0, 8.0)
    return area


def _utility_area(lib: EquipmentLibrary) -> Area:
    line = Line("OC-UTL1", "Utilities and warehouse")
    area = Area("OC-A-UTL", "Utilities and warehouse", Pose(x=164.0, y=0.0), [line])
    f = _CellFiller(lib, _cell(line, "OC-UTL1-WHS", "Warehouse", 4.0, 56.0))
    for y in (4.0, 12.0, 20.0, 28.0):
        f.row("storage_rack", "RCK", 6.0, y, 2, 10.0)
    f.add("forklift", "FLT", 26.0, 8.0, yaw=90.0)
    f.add("forklift", "FLT", 26.0, 24.0, yaw=-90.0)
    f = _CellFiller(lib, _cell(line, "OC-UTL1-AGV", "AGV fleet", 4.0, 46.0))
    f.row("agv", "AGV", -2.0, 2.5, 6, 1.5)
    f = _CellFiller(lib, _cell(line, "OC-UTL1-PWR", "Power and cooling", 4.0, 4.0))
    f.row("transformer", "TRF", 4.0, 6.0, 2, 4.0)
    f.row("chiller", "CHL", 16.0, 6.0, 2, 4.5)
    f.row("control_cabinet", "CAB", 4.0, 18.0, 4, 2.2)
    f.add("workbench", "WBN", 20.0, 18.0)
    return area


def build_demo_plant(library: EquipmentLibrary) -> PlantDocument:
    mother = Site(
        id="OC",
        name="Ochang mother plant",
        country="KR",
        latitude=36.7160,
        longitude=127.4330,
        timezone="Asia/Seoul",
        footprint=list(BUILDING),
        column_grid=ColumnGrid(origin=(6.0, 6.0), spacing=(12.0, 12.0), count=(18, 8), size=0.6, height=10.0),
        areas=[
            _electrode_area(library),
            _assembly_area(library),
            _formation_area(library),
            _test_area(library),
            _utility_area(library),
        ],
    )
    child = Site(
        id="HM",
        name="Holland child plant",
        country="US",
        latitude=42.7875,
        longitude=-86.1089,
        timezone="America/Detroit",
        footprint=[(0.0, 0.0), (240.0, 0.0), (240.0, 108.0), (0.0, 108.0)],
        column_grid=ColumnGrid(origin=(0.0, 0.0), spacing=(12.0, 12.0), count=(21, 10), size=0.6, height=11.0),
    )
    return PlantDocument(Enterprise("MT-CELLS", "MotherTwin Cells Co."), [mother, child])


def build_library_showcase(library: EquipmentLibrary) -> PlantDocument:
    """Every library type once, in rows by category: a catalogue page to look at in 3D."""
    line = Line("LIB-L1", "Equipment library")
    site = Site(id="LIB", name="Library showcase", areas=[Area("LIB-A", "Library", Pose(), [line])])
    by_category: dict[str, list[str]] = {}
    for name in library.names():
        by_category.setdefault(library[name].category, []).append(name)
    y = 0.0
    for category, names in sorted(by_category.items()):
        cell = Cell(f"LIB-{category}", category.capitalize(), Pose(y=y))
        line.cells.append(cell)
        x = 0.0
        depth = 0.0
        for name in names:
            fp = library[name].footprint
            if x > 0 and x + fp.width > 60.0:  # wrap long rows
                x, y = 0.0, y + depth + 3.0
                depth = 0.0
            cell.equipment.append(
                new_equipment(library, name, f"LIB-{name}", library[name].title, x + fp.width / 2, y - cell.pose.y)
            )
            x += fp.width + 2.5
            depth = max(depth, fp.depth)
        y += depth + 5.0
    return PlantDocument(Enterprise("LIB", "MotherTwin equipment library"), [site])
