"""The `mothertwin` command without a screen, the shipped library, the demo plant and the generator."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from viewer.cli import main
from viewer.io import load_document
from viewer.model.synthetic import generate_plant

REQUIRED_TYPES = {
    "slurry_mixer", "coater", "roll_press", "slitter", "notching_press", "stacker", "winder", "tab_welder",
    "cell_assembly", "electrolyte_filler", "formation_rack", "aging_rack", "eol_tester", "conveyor", "agv",
    "robot_6axis", "safety_fence", "building_column",
}  # fmt: skip


def test_library_has_the_battery_plant_types_with_parameters_and_signals(library):
    assert set(library.names()) >= REQUIRED_TYPES
    assert len(library.names()) >= 36
    coater = library["coater"]
    assert coater.footprint.width == 36.0
    assert {p.name: (p.value, p.unit) for p in coater.parameters}["coating_speed"] == (60, "m/min")
    oven = {s.name: s for s in coater.signals}["oven_temperature"]
    assert (oven.unit, oven.limits.lo, oven.limits.hi) == ("degC", 120, 140)
    for name in library.names():
        equipment_type = library[name]
        assert equipment_type.mesh_path().is_file(), name
        if equipment_type.category not in ("building", "safety", "logistics", "utility"):
            assert equipment_type.parameters and equipment_type.signals, name


def test_demo_plant_follows_the_cell_process_flow(demo_path):
    document = load_document(demo_path)
    mother, child = document.sites
    assert (mother.country, mother.timezone, child.country, child.areas) == ("KR", "Asia/Seoul", "US", [])
    assert document.equipment_count() >= 80
    cells = [c for a in mother.areas for li in a.lines for c in li.cells]
    assert len(cells) >= 8
    names = [c.name for c in cells]
    flow = ["Mixing", "Coating", "Pressing", "Slitting", "Notching", "Stacking", "Tab welding", "Pouch packaging",
            "Electrolyte filling", "Formation", "Aging", "EOL test"]  # fmt: skip
    assert [n for n in names if n in flow] == flow
    assert len(mother.column_grid.positions()) == 18 * 8
    # Equipment carry their type's parameters, copied (Copy Exactly compares instances).
    coater = next(p.equipment for p in document.iter_equipment() if p.equipment.type == "coater")
    assert {p.name for p in coater.parameters} >= {"coating_speed", "oven_temperature"}


def test_validate_good_file(demo_path, capsys):
    assert main(["validate", str(demo_path)]) == 0
    assert capsys.readouterr().out.strip() == f"{demo_path}: valid (155 equipment, 2 sites)"


def test_validate_lists_every_problem_and_exits_1(minimal_data, write_json, capsys):
    eq = minimal_data["sites"][0]["areas"][0]["lines"][0]["cells"][0]["equipment"]
    eq[1]["id"] = "E1"
    eq[0]["type"] = "teleporter"
    path = write_json(minimal_data)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"{path}: $.sites[0].areas[0].lines[0].cells[0].equipment[0].type: unknown equipment type 'teleporter': "
        "not in the document's types nor the equipment library",
        f"{path}: $.sites[0].areas[0].lines[0].cells[0].equipment[1].id: duplicate id 'E1' "
        "(first used at $.sites[0].areas[0].lines[0].cells[0].equipment[0].id)",
        "2 problems found",
    ]


def test_validate_warns_about_a_missing_mesh_but_passes(minimal_data, write_json, tmp_path, capsys):
    minimal_data["types"] = {"custom": {"title": "Custom", "category": "test", "mesh": "meshes/custom.stl",
                                        "footprint": {"width": 2, "depth": 1, "height": 1}}}  # fmt: skip
    minimal_data["sites"][0]["areas"][0]["lines"][0]["cells"][0]["equipment"][0]["type"] = "custom"
    path = write_json(minimal_data)
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == (
        f"warning: {tmp_path / 'meshes/custom.stl'}: mesh file not found; equipment of type 'custom' drawn as "
        "their 2 x 1 x 1 m footprint box"
    )


def test_info_counts_and_extent(demo_path, capsys):
    assert main(["info", str(demo_path)]) == 0
    out = capsys.readouterr().out
    assert "site Ochang mother plant (OC, KR, Asia/Seoul): 5 areas, 5 lines, 20 cells, 155 equipment" in out
    assert "site Holland child plant (HM, US, America/Detroit): 0 areas, 0 lines, 0 cells, 0 equipment" in out
    assert "building 216.0 x 96.0 m, 144 columns" in out
    assert re.search(r"^  conveyor\s+23$", out, re.MULTILINE)
    assert re.search(r"equipment origins span x 6\.0\.\.19\d\.\d m", out)


def test_generate_exact_count_deterministic_and_valid(library, tmp_path, capsys):
    out = tmp_path / "g.json"
    assert main(["generate", "--equipment", "1234", "--seed", "7", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}: 1234 equipment in 1 sites"
    document = load_document(out)
    assert document.equipment_count() == 1234
    assert generate_plant(library, 1234, seed=7) == document
    assert generate_plant(library, 1234, seed=8) != document
    types = {p.equipment.type for p in document.iter_equipment()}
    assert len(types) >= 30
    site = document.sites[0]
    cells = [c for a in site.areas for li in a.lines for c in li.cells]
    assert all(6 <= len(c.equipment) <= 13 for c in cells[:-1])
    ids = [p.equipment.id for p in document.iter_equipment()]
    assert len(set(ids)) == len(ids)
    assert json.loads(out.read_text())["format"] == "mothertwin-plant"


def test_help_lists_every_command():
    result = subprocess.run([sys.executable, "-m", "viewer.cli", "--help"], capture_output=True, text=True, check=True)
    for command in ("render", "validate", "info", "generate", "bench", "build-assets", "open"):
        assert command in result.stdout


def test_bench_prints_figures_and_ratios(capsys):
    from viewer.bench.load import run_benchmark

    figures = run_benchmark(equipment=300, size=(320, 200), naive=True, frames=4)
    out = capsys.readouterr().out
    for label in ("load + build + first frame", "orbit frame / floor", "build speed-up vs naive"):
        assert label in out
    assert figures["build"] > 0 and figures["naive_build"] > 0 and figures["orbit_one_box"] > 0
