"""A sample layout drawing to try `mothertwin import` and File > Import on: a cell-assembly hall drawn the way
an AutoCAD plant layout is (millimetres, one layer per line, equipment as blocks with HEIGHT and NAME
attributes, the walls and the column grid on their own layers). Written to assets/demo/cell-hall.dxf."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HALL_WIDTH, HALL_DEPTH = 72_000, 36_000  # mm
COLUMN_SPACING = 12_000  # mm
LAYERS = (("EQUIP-L1", 3), ("EQUIP-L2", 4), ("EQUIP-C1", 6), ("A-WALL", 8), ("S-COLS", 1), ("A-ANNO", 7))
# block name: width, depth (mm), base point, drawn with a circle inside (a press's rolls, a robot's base)
BLOCKS: dict[str, tuple[int, int, tuple[int, int], bool]] = {
    "COATER": (9000, 2500, (0, 0), False),
    "DRYER": (6000, 3000, (0, 0), False),
    "PRESS": (3000, 2200, (0, 0), True),
    "SLITTER": (4000, 2000, (0, 0), False),
    "ROBOT": (1200, 1200, (600, 600), True),
    "CONV": (5000, 800, (0, 0), False),
}


def write_demo_drawing(path: Path) -> Path:
    import ezdxf

    doc = ezdxf.new("R2018")
    doc.header["$INSUNITS"] = 4  # millimetres
    for name, colour in LAYERS:
        doc.layers.add(name, color=colour)
    for name, (width, depth, base, circle) in BLOCKS.items():
        block = doc.blocks.new(name, base_point=base)
        block.add_lwpolyline([(0, 0), (width, 0), (width, depth), (0, depth)], close=True)
        if circle:
            block.add_circle((width / 2, depth / 2), min(width, depth) / 2 - 100)
        block.add_attdef("HEIGHT", (0, 0))
        block.add_attdef("NAME", (0, 0))
    column = doc.blocks.new("COL600")
    column.add_lwpolyline([(-300, -300), (300, -300), (300, 300), (-300, 300)], close=True)
    space = doc.modelspace()
    wall: dict[str, Any] = {"layer": "A-WALL"}
    space.add_lwpolyline([(0, 0), (HALL_WIDTH, 0), (HALL_WIDTH, HALL_DEPTH), (0, HALL_DEPTH)], close=True,
                         dxfattribs=wall)  # fmt: skip
    space.add_lwpolyline([(0, 24_000), (20_000, 24_000), (20_000, HALL_DEPTH)], dxfattribs=wall)  # dry room
    space.add_lwpolyline([(60_000, 0), (60_000, 10_000)], dxfattribs=wall)
    for i in range(1, 6):
        for j in range(1, 3):
            space.add_blockref("COL600", (i * COLUMN_SPACING, j * COLUMN_SPACING), dxfattribs={"layer": "S-COLS"})

    def put(block: str, x: int, y: int, layer: str, name: str, height: int, **attributes: float) -> None:
        insert = space.add_blockref(block, (x, y), dxfattribs={"layer": layer, **attributes})
        insert.add_auto_attribs({"HEIGHT": str(height), "NAME": name})

    put("COATER", 3000, 4000, "EQUIP-L1", "Coater 1", 3500)
    put("DRYER", 14_000, 3800, "EQUIP-L1", "Dryer 1", 2800)
    put("PRESS", 24_000, 4200, "EQUIP-L1", "Roll press 1", 2500)
    put("SLITTER", 30_000, 4300, "EQUIP-L1", "Slitter 1", 1800)
    put("COATER", 3000, 16_000, "EQUIP-L2", "Coater 2", 3500)
    put("DRYER", 14_000, 15_800, "EQUIP-L2", "Dryer 2", 2800)
    put("PRESS", 27_000, 16_000, "EQUIP-L2", "Roll press 2", 2500, rotation=90)
    put("SLITTER", 34_000, 20_000, "EQUIP-L2", "Slitter 2", 1800, xscale=-1)  # drawn mirrored
    for k in range(4):
        put("ROBOT", 40_000 + k * 5000, 28_000, "EQUIP-C1", f"Robot {k + 1}", 1600, rotation=45 * k)
        put("CONV", 38_000 + k * 5500, 25_000, "EQUIP-C1", f"Conveyor {k + 1}", 900)
    space.add_text("CELL ASSEMBLY HALL", dxfattribs={"layer": "A-ANNO", "insert": (2000, 33_000), "height": 800})
    doc.saveas(path)
    return path
