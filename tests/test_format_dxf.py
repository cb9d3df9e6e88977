"""DXF layout import: drawings the tests write with ezdxf (blocks with known outlines, inserts turned, scaled and
mirrored at known points, in millimetres and metres, attributes, layers, a building outline with walls and
columns) come in with every footprint where the drawing has it, and bad files are named with their place."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

ezdxf = pytest.importorskip("ezdxf")

from viewer.app.importing import import_plant, merge_into, place_files  # noqa: E402
from viewer.app.opening import import_options, open_plant  # noqa: E402
from viewer.io import PlantFileError, builtin_library, dumps_document, save_document  # noqa: E402
from viewer.model.checks import LayoutChecker  # noqa: E402
from viewer.model.edit import footprint_corners  # noqa: E402
from viewer.sensors.plugins import PluginRegistry  # noqa: E402

MM = 0.001
TOLERANCE = 0.001  # metres: 1 mm
# Block outlines in block coordinates (drawing units), as the blocks below are drawn.
PUMP_BOX = ((0.0, 0.0), (1200.0, 800.0))  # a rectangle with a circle inside; base point (100, 50)
TANK_BOX = ((-1000.0, -1000.0), (1000.0, 1000.0))  # a circle, base point at its centre
SKID_BOX = ((-100.0, -1000.0), (4000.0, 1000.0))  # a PUMP at (0, 0) and a TANK at (3000, 0), nested


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    return PluginRegistry.discover()


def _blocks(doc, scale: float = 1.0) -> None:
    """PUMP, TANK, SKID (nested inserts) and COLBLK, drawn in units of `scale` drawing units per millimetre."""
    s = scale
    pump = doc.blocks.new("PUMP", base_point=(100 * s, 50 * s))
    pump.add_lwpolyline([(0, 0), (1200 * s, 0), (1200 * s, 800 * s), (0, 800 * s)], close=True)
    pump.add_circle((600 * s, 400 * s), 300 * s)
    pump.add_attdef("HEIGHT", (0, -5000 * s))  # attribute text far outside: not part of the outline
    pump.add_attdef("NAME", (0, -6000 * s))
    tank = doc.blocks.new("TANK")
    tank.add_arc((0, 0), 1000 * s, 0, 180)
    tank.add_arc((0, 0), 1000 * s, 180, 360)
    skid = doc.blocks.new("SKID")
    skid.add_blockref("PUMP", (0, 0))
    skid.add_blockref("TANK", (3000 * s, 0))
    skid.add_text("SKID", dxfattribs={"insert": (0, 9000 * s), "height": 500 * s})
    column = doc.blocks.new("COLBLK")
    column.add_lwpolyline([(-250 * s, -250 * s), (250 * s, -250 * s), (250 * s, 250 * s), (-250 * s, 250 * s)],
                          close=True)  # fmt: skip


def write_layout(path: Path, units: int = 4, scale: float = 1.0, extra=None) -> Path:
    """A plant layout: equipment on EQUIP-L1 and EQUIP-C1, the building on A-WALL and S-COLS, notes on TEXT.
    `scale` drawing units per millimetre (0.001 for a drawing in metres)."""
    s = scale
    doc = ezdxf.new("R2018")
    doc.header["$INSUNITS"] = units
    _blocks(doc, s)
    for name, colour in (("EQUIP-L1", 3), ("EQUIP-C1", 5), ("A-WALL", 8), ("S-COLS", 1), ("TEXT", 7)):
        doc.layers.add(name, color=colour)
    msp = doc.modelspace()
    pump = msp.add_blockref("PUMP", (5000 * s, 5000 * s), dxfattribs={"layer": "EQUIP-L1", "rotation": 30})
    pump.add_auto_attribs({"HEIGHT": f"{1500 * s:g}", "NAME": "P-101"})
    msp.add_blockref("PUMP", (10000 * s, 5000 * s), dxfattribs={"layer": "EQUIP-L1", "xscale": -1, "rotation": 90})
    msp.add_blockref("PUMP", (14000 * s, 3000 * s), dxfattribs={"layer": "EQUIP-L1", "xscale": 1.5, "yscale": 0.5,
                                                                 "rotation": 200})  # fmt: skip
    tank = msp.add_blockref("TANK", (15000 * s, 8000 * s), dxfattribs={"layer": "EQUIP-C1", "xscale": 2, "yscale": 2})
    tank.add_attrib("VOLUME", "12 m3")
    msp.add_blockref("SKID", (22000 * s, 3000 * s), dxfattribs={"layer": "EQUIP-C1", "rotation": -45})
    msp.add_lwpolyline([(0, 0), (40000 * s, 0), (40000 * s, 20000 * s), (0, 20000 * s)], close=True,
                       dxfattribs={"layer": "A-WALL"})  # fmt: skip
    msp.add_lwpolyline([(0, 10000 * s), (8000 * s, 10000 * s), (8000 * s, 14000 * s)], dxfattribs={"layer": "A-WALL"})
    msp.add_lwpolyline([(20000 * s, 15000 * s), (30000 * s, 15000 * s), (30000 * s, 15300 * s),
                        (20000 * s, 15300 * s)], close=True, dxfattribs={"layer": "A-WALL"})  # fmt: skip
    msp.add_lwpolyline([(12000 * s, 12000 * s), (12600 * s, 12000 * s), (12600 * s, 12600 * s),
                        (12000 * s, 12600 * s)], close=True, dxfattribs={"layer": "S-COLS"})  # fmt: skip
    msp.add_blockref("COLBLK", (24000 * s, 12000 * s), dxfattribs={"layer": "S-COLS"})
    msp.add_circle((30000 * s, 8000 * s), 300 * s, dxfattribs={"layer": "S-COLS"})
    msp.add_text("Line 1 layout", dxfattribs={"layer": "TEXT", "insert": (1000 * s, 1000 * s)})
    msp.add_line((0, 0), (100 * s, 100 * s), dxfattribs={"layer": "EQUIP-L1"})
    if extra is not None:
        extra(doc, msp)
    doc.saveas(path)
    return path


def _run(path: Path, registry: PluginRegistry, **options: str):
    result = import_plant(path, registry=registry, options=options)
    assert result is not None
    return result


def _world_box(insert, box) -> np.ndarray:
    """The drawing's own corners of an insert's block outline, in metres (ezdxf's insert transform)."""
    (x0, y0), (x1, y1) = box
    matrix = insert.matrix44()
    corners = [matrix.transform((x, y, 0.0)) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
    return np.array([(c.x, c.y) for c in corners])


def _same_corners(got: np.ndarray, expected: np.ndarray) -> float:
    """The largest distance from a corner to the nearest corner of the other box (the order may differ)."""
    distances = np.linalg.norm(got[:, None, :] - expected[None, :, :], axis=2)
    return float(max(distances.min(axis=1).max(), distances.min(axis=0).max()))


def _corners_by_id(result) -> dict[str, np.ndarray]:
    library = builtin_library().merged(result.document.types)
    return {p.equipment.id: footprint_corners(result.document, library, p) for p in result.document.iter_equipment()}


BOXES = {"PUMP": PUMP_BOX, "TANK": TANK_BOX, "SKID": SKID_BOX}


@pytest.mark.parametrize(("units", "scale", "unit"), [(4, 1.0, MM), (6, 0.001, 1.0), (5, 0.1, 0.01)])
def test_every_footprint_covers_its_block_outline_as_drawn(tmp_path, registry, units, scale, unit):
    path = write_layout(tmp_path / "hall.dxf", units, scale)
    result = _run(path, registry)
    corners = _corners_by_id(result)
    drawing = ezdxf.readfile(path)
    inserts = [e for e in drawing.modelspace().query("INSERT") if e.dxf.layer.startswith("EQUIP")]
    assert len(inserts) == 5 == len(corners)
    for insert in inserts:
        box = tuple(tuple(v * scale for v in corner) for corner in BOXES[insert.dxf.name])
        expected = _world_box(insert, box) * unit
        got = corners[f"dxf-{insert.dxf.handle}"]
        assert _same_corners(got, expected) < TOLERANCE, insert.dxf.name


def test_pose_scale_height_and_attributes(tmp_path, registry):
    path = write_layout(tmp_path / "hall.dxf")
    result = _run(path, registry)
    by_name = {p.equipment.name: p.equipment for p in result.document.iter_equipment()}
    pump = by_name["P-101"]
    # The pump's outline centre (600, 400) lies 500, 350 mm from its base point, turned 30 degrees.
    angle = np.radians(30)
    assert pump.pose.x == pytest.approx(5.0 + 0.5 * np.cos(angle) - 0.35 * np.sin(angle), abs=1e-6)
    assert pump.pose.y == pytest.approx(5.0 + 0.5 * np.sin(angle) + 0.35 * np.cos(angle), abs=1e-6)
    assert pump.pose.yaw == pytest.approx(30.0)
    kind = result.document.types[pump.type]
    assert (kind.footprint.width, kind.footprint.depth) == (pytest.approx(1.2), pytest.approx(0.8))
    assert kind.footprint.height == pytest.approx(2.0)  # the default; the HEIGHT attribute scales this one
    assert pump.scale[2] * kind.footprint.height == pytest.approx(1.5)
    assert {(p.name, p.value) for p in pump.parameters} == {("HEIGHT", "1500"), ("NAME", "P-101")}
    stretched = next(e for e in by_name.values() if e.type == "dxf:PUMP" and e.scale[0] == pytest.approx(1.5))
    assert stretched.scale == (pytest.approx(1.5), pytest.approx(0.5), 1.0)
    mirrored = next(e for e in by_name.values() if any(p.name == "dxf_mirrored" for p in e.parameters))
    assert mirrored.scale[0] > 0  # the model's scale is positive: the box is symmetric, drawn over the outline
    assert any("mirrored" in p.message and mirrored.id in p.where for p in result.problems)
    tank = next(e for e in by_name.values() if e.type == "dxf:TANK")
    assert tank.scale[:2] == (pytest.approx(2.0), pytest.approx(2.0))
    assert [(p.name, p.value) for p in tank.parameters] == [("VOLUME", "12 m3")]
    assert result.document.types["dxf:SKID"].footprint.width == pytest.approx(4.1)  # nested blocks, text left out


def test_multi_inserts_empty_blocks_and_tilted_inserts(tmp_path, registry):
    def extra(doc, msp):
        array = msp.add_blockref("PUMP", (2000, 15000), dxfattribs={"layer": "EQUIP-L1"})
        array.dxf.column_count, array.dxf.row_count = 3, 2
        array.dxf.column_spacing, array.dxf.row_spacing = 2000, 1500
        doc.blocks.new("NOTE").add_text("only text")
        msp.add_blockref("NOTE", (35000, 2000), dxfattribs={"layer": "EQUIP-L1"})
        msp.add_blockref("TANK", (36000, 9000), dxfattribs={"layer": "EQUIP-C1", "extrusion": (0, 0.6, 0.8)})

    path = write_layout(tmp_path / "hall.dxf", extra=extra)
    result = _run(path, registry)
    corners = _corners_by_id(result)
    msp = ezdxf.readfile(path).modelspace()
    array = next(e for e in msp.query("INSERT") if e.mcount > 1)
    copies = list(array.multi_insert())
    assert len(copies) == 6
    for index, copy in enumerate(copies, 1):
        got = corners[f"dxf-{array.dxf.handle}-{index}"]
        assert _same_corners(got, _world_box(copy, PUMP_BOX) * MM) < TOLERANCE
    note = next(p.equipment for p in result.document.iter_equipment() if p.equipment.type == "dxf:NOTE")
    assert (note.pose.x, note.pose.y) == (pytest.approx(35.0), pytest.approx(2.0))
    assert result.document.types["dxf:NOTE"].footprint.width == pytest.approx(0.05)
    assert any(p.where == "block 'NOTE'" and "0.05 m box" in p.message for p in result.problems)
    assert any("tilted plane" in p.message for p in result.problems)
    assert result.report.count("equipment") == 5 + 6 + 1 + 1


def test_r12_drawing_with_old_style_polylines(tmp_path, registry):
    doc = ezdxf.new("R12")
    block = doc.blocks.new("BOX", base_point=(500, 0))
    block.add_polyline2d([(0, 0), (1000, 0), (1000, 400), (0, 400)], close=True)
    msp = doc.modelspace()
    insert = msp.add_blockref("BOX", (3000, 2000), dxfattribs={"layer": "EQUIP", "rotation": 90})
    msp.add_polyline2d([(0, 0), (10000, 0), (10000, 8000), (0, 8000)], close=True, dxfattribs={"layer": "WALL"})
    msp.add_polyline2d([(5000, 5000), (5400, 5000), (5400, 5400), (5000, 5400)], close=True,
                       dxfattribs={"layer": "WALL"})  # fmt: skip
    path = tmp_path / "old.dxf"
    doc.saveas(path)
    result = _run(path, registry)
    assert "AC1009" in result.report.format or "R12" in result.report.format
    assert any(p.where == "header $INSUNITS" for p in result.problems)  # R12 has no unit: millimetres assumed
    (equipment,) = [p.equipment for p in result.document.iter_equipment()]
    reread = ezdxf.readfile(path).modelspace().query("INSERT")[0]
    assert _same_corners(_corners_by_id(result)[equipment.id], _world_box(reread, ((0, 0), (1000, 400))) * MM) < 1e-3
    assert insert.dxf.rotation == 90
    site = result.document.sites[0]
    assert site.footprint == [(0.0, 0.0), (10.0, 0.0), (10.0, 8.0), (0.0, 8.0)]
    assert [e.kind for e in site.building] == ["column"]

    def only_small(doc, msp):  # squares on a wall layer and no outline: columns all, no footprint
        for x in (1000, 5000):
            square = [(x, 0), (x + 500, 0), (x + 500, 500), (x, 500)]
            msp.add_lwpolyline(square, close=True, dxfattribs={"layer": "WALL"})

    small = ezdxf.new("R2018")
    small.header["$INSUNITS"] = 4
    only_small(small, small.modelspace())
    small.saveas(tmp_path / "small.dxf")
    site = _run(tmp_path / "small.dxf", registry).document.sites[0]
    assert site.footprint == [] and [e.kind for e in site.building] == ["column", "column"]


def test_ids_are_the_insert_handles_and_stable(tmp_path, registry):
    path = write_layout(tmp_path / "hall.dxf")
    first = sorted(p.equipment.id for p in _run(path, registry).document.iter_equipment())
    again = sorted(p.equipment.id for p in _run(path, registry).document.iter_equipment())
    inserts = ezdxf.readfile(path).modelspace().query("INSERT[layer=='EQUIP-L1' | layer=='EQUIP-C1']")
    handles = sorted(f"dxf-{e.dxf.handle}" for e in inserts)
    assert first == again == handles
    prefixed = _run(path, registry, **{"id-prefix": "hall2"})
    assert all(p.equipment.id.startswith("hall2-") for p in prefixed.document.iter_equipment())


def test_height_option_and_named_height_tag(tmp_path, registry):
    def extra(doc, msp):
        doc.blocks.get("TANK").add_attdef("TOP", (0, 0))
        msp.add_blockref("TANK", (30000, 3000), dxfattribs={"layer": "EQUIP-L1"}).add_attrib("TOP", "3.5 m")

    path = write_layout(tmp_path / "hall.dxf", extra=extra)
    result = _run(path, registry, **{"height:TANK": "4", "height-tag": "TOP"})
    tanks = [e for p in result.document.iter_equipment() if (e := p.equipment).type == "dxf:TANK"]
    assert result.document.types["dxf:TANK"].footprint.height == pytest.approx(4.0)
    heights = sorted(e.scale[2] * 4.0 for e in tanks)
    assert heights == [pytest.approx(3.5), pytest.approx(4.0)]  # from TOP with its unit; the block's height
    with pytest.raises(PlantFileError, match="option height:TANK"):
        _run(path, registry, **{"height:TANK": "tall"})


def test_units_unitless_assumed_millimetres_and_the_option_overrides(tmp_path, registry):
    path = write_layout(tmp_path / "hall.dxf", units=0)
    result = _run(path, registry)
    pump = next(p.equipment for p in result.document.iter_equipment() if p.equipment.name == "P-101")
    assert pump.pose.x == pytest.approx(5.258, abs=1e-3)
    assert any(p.where == "header $INSUNITS" and "millimetres" in p.message for p in result.problems)
    in_cm = _run(path, registry, units="cm")
    pump_cm = next(p.equipment for p in in_cm.document.iter_equipment() if p.equipment.name == "P-101")
    assert pump_cm.pose.x == pytest.approx(pump.pose.x * 10)
    assert not any(p.where == "header $INSUNITS" for p in in_cm.problems)
    inches = write_layout(tmp_path / "inches.dxf", units=1)
    kind = _run(inches, registry).document.types["dxf:PUMP"]
    assert kind.footprint.width == pytest.approx(1200 * 0.0254)
    with pytest.raises(PlantFileError, match="option units"):
        _run(path, registry, units="furlong")


def test_default_hierarchy_one_line_per_layer(tmp_path, registry):
    result = _run(write_layout(tmp_path / "hall.dxf"), registry)
    (site,) = result.document.sites
    assert site.name == "hall"
    (area,) = site.areas
    assert {line.name: [c.name for c in line.cells] for line in area.lines} == {
        "EQUIP-L1": ["Layer EQUIP-L1"],
        "EQUIP-C1": ["Layer EQUIP-C1"],
    }
    assert [line.id for line in area.lines] == ["dxf-line-EQUIP-L1", "dxf-line-EQUIP-C1"]
    assert [c.id for line in area.lines for c in line.cells] == ["dxf-cell-EQUIP-L1", "dxf-cell-EQUIP-C1"]
    assert result.report.count("line") == 2
    assert result.report.count("cell") == 2


def test_layer_map_builds_lines_and_cells(tmp_path, registry):
    path = write_layout(tmp_path / "hall.dxf")
    result = _run(path, registry, **{"layer-map": "EQUIP-L1=line:Line 1, EQUIP-C1=cell:Line 1/Cell A,A-WALL=building"})
    (area,) = result.document.sites[0].areas
    (line,) = area.lines
    assert line.name == "Line 1"
    assert {c.name: len(c.equipment) for c in line.cells} == {"Layer EQUIP-L1": 3, "Cell A": 2}
    assert len({line.id, *(c.id for c in line.cells)}) == 3
    assert result.report.count("line") == 1 and result.report.count("cell") == 2
    # A per-layer choice from the dialog; the map, when given, wins over it.
    skipped = _run(path, registry, **{"layer:EQUIP-C1": "skip"})
    assert skipped.document.equipment_count() == 3
    assert any(r.what == "INSERT" and r.count == 2 for r in skipped.report.skipped)
    both = _run(path, registry, **{"layer:EQUIP-C1": "skip", "layer-map": "EQUIP-*=cell:Hall/Station"})
    assert both.document.equipment_count() == 5
    assert [(ln.name, [c.name for c in ln.cells]) for ln in both.document.sites[0].areas[0].lines] == [
        ("Hall", ["Station"])
    ]
    one_line = _run(path, registry, **{"layer-map": "equip-*=line:Hall 1"})  # layer names are case-blind
    (line,) = one_line.document.sites[0].areas[0].lines
    assert (line.name, line.id) == ("Hall 1", "dxf-line-Hall_1")
    assert [(c.name, len(c.equipment)) for c in line.cells] == [("Layer EQUIP-L1", 3), ("Layer EQUIP-C1", 2)]


def test_the_imported_plant_saves_and_opens_again(tmp_path, registry):
    result = _run(write_layout(tmp_path / "hall.dxf"), registry)
    saved = tmp_path / "out" / "hall.mtplant.json"
    saved.parent.mkdir()
    place_files(result.document, result.assets, saved.parent)
    save_document(result.document, saved)
    opened = open_plant(saved)
    assert opened is not None and not opened.problems
    again = opened.document
    assert again.equipment_count() == result.document.equipment_count() == 5
    assert len(again.sites[0].building) == len(result.document.sites[0].building) == 5
    before, after = _corners_by_id(result), _corners_by_id(opened)
    assert all(_same_corners(before[k], after[k]) < 1e-9 for k in before)


def test_layer_map_mistakes_are_named(tmp_path, registry):
    path = write_layout(tmp_path / "hall.dxf")
    with pytest.raises(PlantFileError) as error:
        _run(path, registry, **{"layer-map": "EQUIP-L1=line,EQUIP-C1"})
    assert "entry 2 'EQUIP-C1'" in str(error.value) and "LAYER=ROLE" in str(error.value)
    with pytest.raises(PlantFileError, match="'machine' for layer 'EQUIP-L1': expected one of line, cell"):
        _run(path, registry, **{"layer-map": "EQUIP-L1=machine"})
    with pytest.raises(PlantFileError, match="'cel' for layer 'NO-SUCH-LAYER'"):
        _run(path, registry, **{"layer-map": "NO-SUCH-LAYER=cel"})
    with pytest.raises(PlantFileError, match="option layer:EQUIP-L1"):
        _run(path, registry, **{"layer:EQUIP-L1": "building:Hall"})
    result = _run(path, registry, **{"layer-map": "NO-SUCH-LAYER=line"})
    assert any("no layer is named 'NO-SUCH-LAYER'" in p.message for p in result.problems)


def test_building_outline_walls_and_columns(tmp_path, registry):
    path = write_layout(tmp_path / "hall.dxf")
    result = _run(path, registry, **{"wall-thickness": "0.3", "building-height": "7.5"})
    site = result.document.sites[0]
    assert site.footprint == [(0.0, 0.0), (40.0, 0.0), (40.0, 20.0), (0.0, 20.0)]
    columns = [e for e in site.building if e.kind == "column"]
    walls = [e for e in site.building if e.kind == "wall"]
    assert len(columns) == 3 and len(walls) == 2
    square = next(c for c in columns if min(x for x, _ in c.outline) == pytest.approx(12.0))
    assert sorted(square.outline) == sorted([(12.0, 12.0), (12.6, 12.0), (12.6, 12.6), (12.0, 12.6)])
    block_column = next(c for c in columns if min(x for x, _ in c.outline) == pytest.approx(23.75))
    assert max(y for _, y in block_column.outline) == pytest.approx(12.25)
    round_column = next(c for c in columns if c not in (square, block_column))
    assert all(np.hypot(x - 30, y - 8) == pytest.approx(0.3, abs=0.006) for x, y in round_column.outline)
    open_wall = next(w for w in walls if len(w.outline) > 4)  # the L-shaped open polyline, 0.3 m thick
    xs, ys = [x for x, _ in open_wall.outline], [y for _, y in open_wall.outline]
    assert (min(xs), max(xs), min(ys), max(ys)) == pytest.approx((0.0, 8.15, 9.85, 14.0))
    assert all(e.height == 7.5 for e in site.building)
    # Counts computed independently from the drawing.
    msp = ezdxf.readfile(path).modelspace()
    equipment = msp.query("INSERT[layer=='EQUIP-L1' | layer=='EQUIP-C1']")
    report = result.report
    assert report.count("equipment") == len(equipment) == result.document.equipment_count()
    assert report.count("parameters") == sum(len(e.attribs) for e in equipment)
    assert report.count("equipment types") == len({e.dxf.name for e in equipment})
    closed = [e for e in msp.query("LWPOLYLINE[layer=='A-WALL' | layer=='S-COLS']") if e.closed]
    open_lines = [e for e in msp.query("LWPOLYLINE[layer=='A-WALL']") if not e.closed]
    on_columns = msp.query("*[layer=='S-COLS']")
    others = msp.query("INSERT CIRCLE[layer=='S-COLS']")
    assert report.count("building elements") == len(closed) - 1 + len(open_lines) + len(others) == len(site.building)
    assert sum(r.count for r in report.mapped if r.source == "columns on layer S-COLS") == len(on_columns)
    assert sum(r.count for r in report.mapped if r.source == "walls on layer A-WALL") == len(walls)
    assert report.count("site footprint") == 1
    skipped = {(r.what, r.count) for r in report.skipped}
    assert ("TEXT", len(msp.query("TEXT"))) in skipped and ("LINE", len(msp.query("LINE"))) in skipped


def test_columns_stand_in_the_way_of_equipment(tmp_path, registry):
    def extra(doc, msp):  # a tank over the square column at 12.0..12.6
        msp.add_blockref("TANK", (12300, 12300), dxfattribs={"layer": "EQUIP-L1"})

    result = _run(write_layout(tmp_path / "hall.dxf", extra=extra), registry)
    document = result.document
    checker = LayoutChecker(document, builtin_library(), document.sites[0])
    tank = next(p.equipment for p in document.iter_equipment() if p.equipment.pose.x == pytest.approx(12.3))
    flagged = {v.kind for v in checker.current() if tank.id in v.ids}
    assert "column" in flagged
    assert "outside" not in flagged  # inside the building outline: only the column is in its way
    elsewhere = next(p.equipment for p in document.iter_equipment() if p.equipment.name == "P-101")
    assert not [v for v in checker.current() if elsewhere.id in v.ids and v.kind == "column"]


def test_import_options_list_the_layers_and_blocks(tmp_path, registry):
    path = write_layout(tmp_path / "hall.dxf")
    options = {o.key: o for o in import_options(path, registry)}
    assert options["layer:EQUIP-L1"].default == "line"
    assert options["layer:A-WALL"].default == "building"
    assert options["layer:S-COLS"].default == "building"
    assert options["layer:TEXT"].default == "skip"
    assert options["layer:EQUIP-L1"].choices == ("line", "cell", "building", "skip")
    assert {k for k in options if k.startswith("height:")} == {"height:PUMP", "height:TANK", "height:SKID",
                                                              "height:COLBLK"}  # fmt: skip
    assert options["height:PUMP"].numeric and options["height:PUMP"].default == "2"
    assert "millimetres" in options["units"].title and "m" in options["units"].choices
    assert "layer-map" in options
    from mothertwin_formats.dxf import DxfReader

    reader = DxfReader()
    assert reader.sniff(path.read_bytes()[:512]) and reader.sniff(b"AutoCAD Binary DXF\r\n\x1a\x00")
    assert not reader.sniff(b'{"enterprise": {}}') and not reader.sniff(b"<?xml version='1.0'?>")


def test_options_from_the_quick_scan_equal_those_ezdxf_reads(tmp_path, registry):
    from mothertwin_formats.dxf import _layers_and_blocks, scan_layers

    for units in (4, 0):
        path = write_layout(tmp_path / f"hall{units}.dxf", units)
        binary = tmp_path / f"hall{units}-bin.dxf"
        ezdxf.readfile(path).saveas(binary, fmt="bin")  # a binary file is read with ezdxf, not scanned
        assert scan_layers(binary.read_bytes()) is None
        assert import_options(path, registry) == import_options(binary, registry)
        layers, blocks, code = scan_layers(path.read_bytes())
        assert (layers, blocks) == _layers_and_blocks(ezdxf.readfile(path)) and code == units


def test_binary_dxf_reads_as_the_text_one(tmp_path, registry):
    path = write_layout(tmp_path / "hall.dxf")
    binary = tmp_path / "hall-bin.dxf"
    ezdxf.readfile(path).saveas(binary, fmt="bin")
    assert binary.read_bytes().startswith(b"AutoCAD Binary DXF")
    text, other = _corners_by_id(_run(path, registry)), _corners_by_id(_run(binary, registry))
    assert text.keys() == other.keys()
    assert all(_same_corners(text[k], other[k]) < 1e-6 for k in text)
    cut = tmp_path / "cut-bin.dxf"
    cut.write_bytes(binary.read_bytes()[:3000])
    with pytest.raises(PlantFileError) as error:
        _run(cut, registry)
    assert str(cut) in str(error.value) and "binary DXF" in str(error.value) and "cut short" in str(error.value)


@pytest.mark.parametrize(
    ("content", "where", "words"),
    [
        (b"", "file", "the file is empty"),
        (b"\x00\x9f\xe4\x12" + bytes(range(256)) * 4, "line 1", "not a DXF drawing: found binary data"),
        (b"hello world\nthis is a text file\n", "line 1", "found 'hello world' where a DXF file starts"),
        (b'{"enterprise": {}}', "line 1", "not a DXF drawing"),
        (b"  0\nSECTION\n  2\nHEADER\n", None, None),  # a bare header: an empty drawing, read
        (b"\xef\xbb\xbf  0\r\nSECTION\r\n  2\r\nHEADER\r\n  0\r\nENDSEC\r\n  0\r\nEOF\r\n", None, None),
    ],
)
def test_not_a_dxf_file_is_named(tmp_path, registry, content, where, words):
    path = tmp_path / "bad.dxf"
    path.write_bytes(content)
    if where is None:
        assert _run(path, registry).document.equipment_count() == 0
        return
    with pytest.raises(PlantFileError) as error:
        _run(path, registry)
    (problem,) = error.value.problems
    assert (problem.file, problem.where) == (str(path), where)
    assert words in problem.message


def test_random_bytes_never_crash(tmp_path, registry):
    rng = np.random.default_rng(14)
    for index in range(20):
        path = tmp_path / f"noise{index}.dxf"
        path.write_bytes(b"  0\nSECTION\n" + rng.integers(0, 256, 4000, dtype=np.uint8).tobytes())
        try:
            _run(path, registry)
        except PlantFileError as error:
            assert str(path) in str(error)


def test_broken_group_code_names_its_line(tmp_path, registry):
    path = write_layout(tmp_path / "hall.dxf")
    lines = path.read_bytes().split(b"\n")
    start = lines.index(b"ENTITIES")
    lines[start + 7] = b"xx"
    broken = tmp_path / "broken.dxf"
    broken.write_bytes(b"\n".join(lines))
    with pytest.raises(PlantFileError) as error:
        _run(broken, registry)
    (problem,) = error.value.problems
    assert problem.where == f"line {start + 8}"  # 1-based, the very line that holds "xx"
    assert '"xx"' in problem.message
    lines = path.read_bytes().split(b"\n")
    coordinate = next(i for i in range(start, len(lines)) if lines[i].strip() == b"10")
    lines[coordinate + 1] = b"1.2.3"
    broken.write_bytes(b"\n".join(lines))
    result = _run(broken, registry)  # recover mode reads the number it can ("1.2") and says where
    note = next(p for p in result.problems if "1.2.3" in p.message)
    assert note.where.startswith("line ") and "repaired on reading" in note.message
    # ezdxf counts a point's x, y and z as one: "near" the value's line, within the point's six lines
    assert 0 <= int(note.where.split()[1]) - (coordinate + 2) <= 6


def test_truncated_and_repaired_files(tmp_path, registry):
    path = write_layout(tmp_path / "hall.dxf")
    data = path.read_bytes()
    # Cut at a group boundary before the OBJECTS section: recover mode reads what is there, with a warning.
    cut_at = data.index(b"\n  0\nSECTION\n  2\nOBJECTS")
    cut = tmp_path / "cut.dxf"
    cut.write_bytes(data[: cut_at + 1])
    result = _run(cut, registry)
    assert result.document.equipment_count() == 5
    assert any(p.where == "end of file" and "cut short" in p.message for p in result.problems)
    # Cut in the middle of a line: either read with warnings or a message naming the line and the cut.
    cut.write_bytes(data[: len(data) // 2 + 3])
    try:
        _run(cut, registry)
    except PlantFileError as error:
        (problem,) = error.value.problems
        assert problem.where.startswith("line ") and "cut short" in problem.message
    # A missing ENDSEC after the header: repaired, and said so.
    header_end = data.index(b"ENDSEC")
    repaired = tmp_path / "repaired.dxf"
    repaired.write_bytes(data[: header_end - 4] + data[header_end + len(b"ENDSEC") + 1:])
    result = _run(repaired, registry)
    assert result.document.equipment_count() == 5
    assert any("ENDSEC" in p.message for p in result.problems)


def test_block_reference_cycles_end(tmp_path, registry):
    doc = ezdxf.new("R2018")
    doc.header["$INSUNITS"] = 4
    first, second = doc.blocks.new("A"), doc.blocks.new("B")
    first.add_line((0, 0), (100, 0))
    second.add_line((0, 0), (0, 100))
    for y in (10, 20):
        first.add_blockref("B", (10, y))
        second.add_blockref("A", (5, y))  # A inserts B inserts A...: twice each, level after level
    doc.modelspace().add_blockref("A", (0, 0), dxfattribs={"layer": "EQ"})
    path = tmp_path / "cycle.dxf"
    doc.saveas(path)
    start = time.perf_counter()
    result = _run(path, registry)
    assert time.perf_counter() - start < 5.0
    footprint = result.document.types["dxf:A"].footprint
    assert (footprint.width, footprint.depth) == (pytest.approx(0.1), pytest.approx(0.12))  # A and its two Bs
    assert any("cycle" in p.message for p in result.problems)


def test_a_failed_import_leaves_the_plant_untouched(tmp_path, registry):
    good = _run(write_layout(tmp_path / "hall.dxf"), registry).document
    before = good.equipment_count()
    bad = tmp_path / "bad.dxf"
    bad.write_bytes(os.urandom(2000))
    with pytest.raises(PlantFileError):
        import_plant(bad, registry=registry)
    # The same drawing a second time: its ids are taken, so nothing of it goes in.
    again = _run(write_layout(tmp_path / "again.dxf"), registry)
    text = dumps_document(good)
    with pytest.raises(PlantFileError, match="already used"):
        merge_into(good, again.document, None, again.source)
    assert good.equipment_count() == before and dumps_document(good) == text


def test_cancel_stops_the_import(tmp_path, registry):
    path = write_layout(tmp_path / "hall.dxf")
    stages = []
    assert import_plant(path, registry=registry, cancelled=lambda: True) is None
    import_plant(path, registry=registry, progress=lambda f, s: stages.append(s))
    assert "Placing equipment" in stages


def _write_many(path: Path, count: int) -> None:
    doc = ezdxf.new("R2018")
    doc.header["$INSUNITS"] = 4
    block = doc.blocks.new("M")
    block.add_lwpolyline([(0, 0), (800, 0), (800, 600), (0, 600)], close=True)
    msp = doc.modelspace()
    for i in range(count):
        insert = msp.add_blockref("M", ((i % 250) * 1500, (i // 250) * 1200),
                                  dxfattribs={"layer": f"L{i % 10}", "rotation": (i * 7) % 360})  # fmt: skip
        insert.add_attrib("NAME", f"M{i}")
    doc.saveas(path)


def test_ten_thousand_inserts_in_seconds(tmp_path, registry):
    path = tmp_path / "many.dxf"
    _write_many(path, 10_000)
    start = time.perf_counter()
    result = _run(path, registry)
    elapsed = time.perf_counter() - start
    assert result.document.equipment_count() == 10_000
    assert result.report.count("line") == 10
    assert elapsed < 20.0, f"{elapsed:.1f} s"


@pytest.mark.slow
def test_fifty_thousand_inserts(tmp_path, registry):
    path = tmp_path / "many.dxf"
    _write_many(path, 50_000)
    start = time.perf_counter()
    result = _run(path, registry)
    elapsed = time.perf_counter() - start
    print(f"50,000 inserts ({path.stat().st_size / 1e6:.1f} MB): {elapsed:.1f} s")
    assert result.document.equipment_count() == 50_000
    assert elapsed < 60.0, f"{elapsed:.1f} s"


def test_a_drawing_far_bigger_than_a_plant_layout_is_refused_at_once_unless_asked_for(tmp_path, registry):
    path = write_layout(tmp_path / "hall.dxf")
    text = path.read_bytes()
    padding = b"999\n" + b"x" * 1000 + b"\n"
    huge = tmp_path / "survey.dxf"
    with huge.open("wb") as handle:  # 200 MB of comments after the header
        handle.write(text[: text.index(b"SECTION") + 8])
        for _ in range(200_000):
            handle.write(padding)
        handle.write(text[text.index(b"SECTION") + 8 :])
    start = time.perf_counter()
    with pytest.raises(PlantFileError) as error:
        import_plant(huge, registry=registry)
    assert time.perf_counter() - start < 10
    (problem,) = error.value.problems
    assert problem.file == str(huge) and problem.where == "file"
    assert "201 MB is more than the 100 MB" in problem.message and "--option max_size_mb=202" in problem.message
    huge.unlink()
    with pytest.raises(PlantFileError, match=r"more than the 0\.001 MB"):
        import_plant(path, registry=registry, options={"max_size_mb": "0.001"})
