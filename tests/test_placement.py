"""A clone that checks its own placement: the layout checks after `mothertwin clone`, and the fit search of the
child building's free floor (viewer.compare.placement). No Qt."""

from __future__ import annotations

import pytest

from viewer.cli import main
from viewer.compare import CloneError, clone_line, find_line
from viewer.compare.placement import Placement, check_placement, find_placements, split_problems
from viewer.io import builtin_library, load_document
from viewer.io.plant_json import dumps_document
from viewer.model import Area, Cell, Equipment, Line, PlantDocument, Pose, Site
from viewer.model.checks import LayoutChecker
from viewer.model.library import EquipmentLibrary, EquipmentType, Footprint
from viewer.model.plant import ColumnGrid, Enterprise

CHILD = "Holland child plant"
ELECTRODE = "Electrode line 1"
# The cathode side of the electrode line stands on Holland's columns when copied to the mother's coordinates.
ON_COLUMNS = {
    "HM-ELE1-COT-01": "Cathode coater",
    "HM-ELE1-PRS-01": "Cathode roll press",
    "HM-ELE1-SLT-01": "Cathode slitter",
    "HM-ELE1-DRY-02": "Electrode vacuum dryer 2",
}


def _line_clashes(path, line_id="HM-ELE1"):
    """The layout checks of the child site in a written file, split into the line's clashes and the rest."""
    document = load_document(path, builtin_library())
    _, _, line = find_line(document, line_id)
    site = document.site_by_name(CHILD)
    return split_problems(LayoutChecker(document, builtin_library(), site).current(), line), line


def test_cli_clone_lists_the_column_clashes_by_name_and_fails_unless_allowed(demo_path, tmp_path, capsys):
    out_file = tmp_path / "child.mtplant.json"
    args = ["clone", str(demo_path), "--line", ELECTRODE, "--to-site", CHILD, "-o", str(out_file)]
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert out_file.exists()  # written all the same, for the engineer to open and move the equipment
    assert "WARNING: 4 clashes of the cloned line at Holland child plant (layout checks):" in out
    assert "  On a building column (4):" in out
    for ident, name in ON_COLUMNS.items():
        assert f"    {name} ({ident}) stands on a building column" in out
    assert "Overlapping" not in out and "Outside" not in out
    assert "4 clashes at Holland child plant" in err and "--fit" in err and "--allow-clashes" in err
    (clashes, others), _ = _line_clashes(out_file)
    assert {v.ids[0] for v in clashes} == set(ON_COLUMNS) and others == []

    assert main([*args, "--allow-clashes"]) == 0
    out, err = capsys.readouterr()
    assert "WARNING: 4 clashes" in out and err == ""


def test_cli_clone_fit_writes_a_place_without_clashes(demo_path, tmp_path, capsys):
    out_file = tmp_path / "child.mtplant.json"
    assert main(["clone", str(demo_path), "--line", ELECTRODE, "--to-site", CHILD, "--fit", "-o", str(out_file)]) == 0
    out = capsys.readouterr().out
    assert "fit search near origin 0.0, 0.0 m, turned 0 deg, turns 0, 90, 180, 270 deg" in out
    chosen = next(line for line in out.splitlines() if line.startswith("  chosen: "))
    alternatives = [line for line in out.splitlines() if line.startswith("          origin ")]
    assert "turned 0 deg: no clashes" in chosen and len(alternatives) >= 3
    assert any("turned 90 deg" in line for line in alternatives)
    assert "the cloned line has no clashes" in out
    (clashes, others), line = _line_clashes(out_file)
    assert clashes == [] and others == []
    # The line moved as little as it had to: the chosen origin is the one written.
    assert chosen.startswith(f"  chosen: origin {line.pose.x:.1f}, {line.pose.y:.1f} m")
    assert line.clone_record.origin == (line.pose.x, line.pose.y)
    assert 0 < abs(line.pose.x) + abs(line.pose.y) < 5.0


def test_cli_fit_with_origin_finds_the_nearest_place_to_it(demo_path, tmp_path, capsys):
    out_file = tmp_path / "child.mtplant.json"
    args = ["clone", str(demo_path), "--line", ELECTRODE, "--to-site", CHILD, "--fit", "--origin", "100,50",
            "-o", str(out_file)]  # fmt: skip
    assert main(args) == 0
    (clashes, _), line = _line_clashes(out_file)
    assert clashes == []
    assert line.pose.yaw == 0.0
    assert ((line.pose.x - 100) ** 2 + (line.pose.y - 50) ** 2) ** 0.5 < 6.0
    assert "fit search near origin 100.0, 50.0 m" in capsys.readouterr().out


def test_fit_search_on_the_demo_offers_the_mothers_column_bays_and_leaves_the_document_alone(demo_path, library):
    document = load_document(demo_path, library)
    before = dumps_document(document)
    result = find_placements(document, library, ELECTRODE, CHILD)
    assert dumps_document(document) == before
    assert result.seconds < 5.0
    assert result.best is not None and result.best.placement.rotate == 0.0
    assert sorted(set(result.turns)) == [0.0, 90.0, 180.0, 270.0] and result.no_room == []
    assert all(option.clashes == 0 for option in result.options)
    # Ochang's grid starts at (6, 6), Holland's at (0, 0), both 12 m: the same bays are 6 m off Holland's grid.
    bays = [o for o in result.options if o.how == "same column bays as at the mother" and o.placement.rotate == 0]
    assert bays and all(v % 12.0 == pytest.approx(6.0) for o in bays for v in o.placement.origin)
    for option in result.options:  # every offer passes the window's own checks
        check = check_placement(document, library, ELECTRODE, CHILD, option.placement)
        assert check.clashes == []
    # A second copy goes into the area the first one made: trying places still changes nothing there.
    clone_line(document, ELECTRODE, document, CHILD, result.best.placement.origin)
    before = dumps_document(document)
    again = find_placements(document, library, "OC-ELE1", CHILD)  # the name now means two lines
    assert dumps_document(document) == before
    assert again.best is not None and again.best.placement != result.best.placement


def test_check_placement_names_the_clashes_and_refuses_the_mother_site(demo_path, library):
    document = load_document(demo_path, library)
    check = check_placement(document, library, ELECTRODE, CHILD, Placement())
    assert check.line_id == "HM-ELE1"
    assert {v.ids[0]: v.kind for v in check.clashes} == dict.fromkeys(ON_COLUMNS, "column")
    assert sum(f.cloned for f in check.footprints) == 20 and check.clashing_ids == set(ON_COLUMNS)
    with pytest.raises(CloneError, match="already at 'Ochang mother plant'"):
        check_placement(document, library, ELECTRODE, "Ochang mother plant", Placement())
    with pytest.raises(CloneError, match="no site named 'Mars'"):
        find_placements(document, library, ELECTRODE, "Mars")


# ---------------------------------------------------------------- a small synthetic building


def _machine_type(name: str, width: float, depth: float, clearance: float | None = None) -> EquipmentType:
    return EquipmentType(name, name, "test", Footprint(width, depth, 1.0), clearance=clearance)


def _synthetic(building: list[tuple[float, float]], grid: ColumnGrid, machines: list[tuple[str, float, float]],
               existing: list[tuple[str, float, float]] = ()) -> PlantDocument:  # fmt: skip
    """A mother site with a one-cell line of `machines` (type, x, y); a child site with `building`, `grid`
    and, in another line, the `existing` equipment."""

    def line(ident: str, items: list[tuple[str, float, float]]) -> Line:
        equipment = [Equipment(f"{ident}-E{i}", f"Machine {i}", t, Pose(x=x, y=y)) for i, (t, x, y) in
                     enumerate(items, 1)]  # fmt: skip
        return Line(ident, ident, cells=[Cell(f"{ident}-C", "Cell", equipment=equipment)])

    mother = Site("M", "Mother", footprint=[(-50, -50), (50, -50), (50, 50), (-50, 50)],
                  areas=[Area("M-A", "Area", lines=[line("M-L", machines)])])  # fmt: skip
    child = Site("C", "Child", footprint=building, column_grid=grid,
                 areas=[Area("C-A", "Area", lines=[line("C-OLD", existing)])] if existing else [])  # fmt: skip
    types = {t.name: t for t in (_machine_type("box4x2", 4, 2), _machine_type("long10x2", 10, 2),
                                 _machine_type("zoned", 2, 2, clearance=1.5))}  # fmt: skip
    return PlantDocument(Enterprise("E", "Test"), [mother, child], types)


def test_fit_moves_a_machine_off_a_column_the_shortest_way():
    # One 4 x 2 m machine at the origin; a 1 m column at (10, 5.2): at origin (10, 5) the machine is on it.
    grid = ColumnGrid(origin=(10.0, 5.2), count=(1, 1), size=1.0)
    document = _synthetic([(0, 0), (30, 0), (30, 10), (0, 10)], grid, [("box4x2", 0.0, 0.0)])
    library = EquipmentLibrary({})
    asked = Placement((10.0, 5.0))
    (clash,) = check_placement(document, library, "M-L", "Child", asked).clashes
    assert clash.kind == "column" and clash.ids == ("C-L-E1",) and "Machine 1 (C-L-E1)" in clash.message
    result = find_placements(document, library, "M-L", "Child", asked, turns=(0.0,))
    best = result.best
    # Down is shorter than up (the column sits 0.2 m above the asked line): clear by the 0.2 m margin.
    assert best.placement == Placement((10.0, 3.5), 0.0) and best.how == "nearest free place"
    assert best.distance == pytest.approx(1.5)
    assert check_placement(document, library, "M-L", "Child", best.placement).clashes == []
    # Where the machine already fits, the asked place is kept.
    result = find_placements(document, library, "M-L", "Child", Placement((20.0, 5.0)), turns=(0.0,))
    assert result.best.placement == Placement((20.0, 5.0)) and result.best.how == "where asked"


def test_fit_turns_a_line_that_only_fits_across_and_keeps_walkways_to_existing_equipment():
    # A 10 m machine in a building 4 m wide and 30 m long: it fits only turned a quarter.
    grid = ColumnGrid(count=(0, 0))
    document = _synthetic([(0, 0), (4, 0), (4, 30), (0, 30)], grid, [("long10x2", 0.0, 0.0)],
                          existing=[("zoned", 2.0, 15.0)])  # fmt: skip
    library = EquipmentLibrary({})
    result = find_placements(document, library, "M-L", "Child", Placement((2.0, 15.0)))
    assert sorted(result.no_room) == [(0.0, False), (180.0, False)]
    best = result.best
    assert best.placement.rotate in (90.0, 270.0) and best.placement.origin[0] == pytest.approx(2.0)
    # The existing 2 x 2 m machine's own zone of 1.5 m plus the 0.2 m margin: the long machine's near end
    # (5 m from its origin) keeps 1.7 m from the existing machine's side at y 16 (or 14).
    assert abs(best.placement.origin[1] - 15.0) == pytest.approx(1.0 + 1.5 + 0.2 + 5.0)
    check = check_placement(document, library, "M-L", "Child", best.placement)
    assert check.clashes == [] and check.other_problems == []
    # Asked along the building's length, the clash list says why: outside the building and too close.
    kinds = {v.kind for v in check_placement(document, library, "M-L", "Child", Placement((2.0, 15.0))).clashes}
    assert kinds == {"outside", "overlap"}


def test_a_line_that_fits_nowhere_gives_no_best_place():
    grid = ColumnGrid(count=(0, 0))
    document = _synthetic([(0, 0), (3, 0), (3, 3), (0, 3)], grid, [("long10x2", 0.0, 0.0)])
    result = find_placements(document, EquipmentLibrary({}), "M-L", "Child")
    assert result.best is None and result.options == []
    assert sorted(result.no_room) == [(t, False) for t in (0.0, 90.0, 180.0, 270.0)]


def test_clone_line_takes_a_known_revision(demo_path):
    document = load_document(demo_path)
    line = clone_line(document, ELECTRODE, document, CHILD, revision="abc")
    assert line.clone_record.mother_revision == "abc"


def test_minkowski_sums_by_edge_merging_match_the_hull_of_vertex_sums():
    import numpy as np
    import shapely

    from viewer.compare.placement import _minkowski

    rng = np.random.default_rng(1)

    def rectangles(count: int) -> np.ndarray:
        unit = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float)
        half = rng.uniform(0.25, 1.5, (count, 1, 2))
        angle = rng.uniform(0, 2 * np.pi, count)
        turn = np.stack([np.cos(angle), -np.sin(angle), np.sin(angle), np.cos(angle)], axis=1).reshape(-1, 2, 2)
        return np.einsum("nij,nkj->nki", turn, unit * half) + rng.normal(size=(count, 1, 2))

    a, b = rectangles(200), rectangles(200)
    b[::2] = b[::2, ::-1]  # clockwise ones too (a negative scale)
    merged = shapely.polygons(_minkowski(a, b))
    hull = shapely.convex_hull(shapely.multipoints((a[:, :, None] + b[:, None]).reshape(200, -1, 2)))
    assert shapely.is_valid(merged).all()
    assert shapely.area(shapely.symmetric_difference(merged, hull)).max() < 1e-9


def test_placement_imports_no_qt_or_vtk():
    import subprocess
    import sys

    code = (
        "import sys, viewer.compare.placement;"
        "bad=[m for m in ('PySide6','vtk','vtkmodules','pyvista','pyvistaqt') if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
