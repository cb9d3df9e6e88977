"""Clone a mother line to a child site and find every difference, with deviations kept apart from drift."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from viewer.compare import CloneError, Kind, Level, Tolerances, clone_line, diff_lines, document_revision, find_line
from viewer.io import load_document, save_document
from viewer.model import Deviation, DeviationStatus, edit
from viewer.model.undo import UndoStack

CHILD = "Holland child plant"


@pytest.fixture
def cloned(demo_path):
    """The demo with Assembly line 1 cloned to the child site, placed elsewhere and turned."""
    document = load_document(demo_path)
    child_line = clone_line(document, "Assembly line 1", document, CHILD, origin=(30.0, 70.0), rotate=90.0,
                            now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # fmt: skip
    _, _, mother_line = find_line(document, "OC-ASM1")
    return document, mother_line, child_line


def child_equipment(child_line, mother_id):
    return next(e for c in child_line.cells for e in c.equipment if e.mother_id == mother_id)


def test_clone_copies_everything_with_new_ids_and_links(cloned, demo_path):
    document, mother_line, child_line = cloned
    mothers = [e for c in mother_line.cells for e in c.equipment]
    children = [e for c in child_line.cells for e in c.equipment]
    assert len(children) == len(mothers) == 59
    assert child_line.id == "HM-ASM1"
    assert children[0].id == "HM-ASM1-NOT-01" and children[0].mother_id == "OC-ASM1-NOT-01"
    for mother, child in zip(mothers, children, strict=True):
        assert (child.parameters, child.signals, child.type, child.pose) == (
            mother.parameters, mother.signals, mother.type, mother.pose)  # fmt: skip
    record = child_line.clone_record
    assert (record.mother_site, record.mother_line, record.cloned_at) == ("OC", "OC-ASM1", "2026-11-25T09:00:00+00:00")
    assert record.mother_revision == document_revision(load_document(demo_path))
    area = document.site_by_name(CHILD).areas[0]
    assert area.name == "Cell assembly (dry room)" and area.lines == [child_line]


def test_clone_then_diff_finds_nothing_even_placed_and_turned(cloned):
    document, mother_line, child_line = cloned
    result = diff_lines(mother_line, child_line, document)
    assert result.differences == []
    assert (result.matched_by_link, result.level, result.conformance) == (59, Level.SYSTEM_SYNERGY, 100.0)


def test_mirrored_clone_reports_no_moves(demo_path):
    document = load_document(demo_path)
    child_line = clone_line(document, "OC-ELE1", document, CHILD, origin=(0, 90), mirror=True)
    _, _, mother_line = find_line(document, "OC-ELE1")
    assert diff_lines(mother_line, child_line, document).differences == []


def test_clone_survives_save_and_reload(cloned, tmp_path):
    document, mother_line, child_line = cloned
    path = tmp_path / "with-child.mtplant.json"
    save_document(document, path)
    again = load_document(path)
    _, _, reloaded_child = find_line(again, "HM-ASM1")
    assert reloaded_child.clone_record == child_line.clone_record
    assert diff_lines(mother_line, reloaded_child, again).differences == []


def test_each_kind_of_change_found_once_with_its_numbers(cloned, library):
    document, mother_line, child_line = cloned
    stack = UndoStack(document)
    stacker = child_equipment(child_line, "OC-ASM1-STK-01")
    stack.push(edit.move_by(document, [stacker.id], 0.0, 1.5))  # world y = line x after the 90 degree turn
    stack.push(edit.rotate_by(document, [child_equipment(child_line, "OC-ASM1-WLD-01").id], 15.0))
    sealer = child_equipment(child_line, "OC-ASM1-PKG-01")
    stack.push(edit.SetParameter((sealer.id,), "seal_temperature", 195))
    filler = child_equipment(child_line, "OC-ASM1-FIL-01")
    filler.signals[1].limits.hi = 59.2  # fill_mass hi limit
    notcher = child_equipment(child_line, "OC-ASM1-NOT-02")
    notcher.type = "tab_welder"
    stack.push(edit.DeleteEquipment((child_equipment(child_line, "OC-ASM1-CNV-16").id,)))
    stack.push(edit.AddEquipment(child_line.cells[0].id, [edit.new_equipment_for(library, "labeler", "HM-NEW-01")]))
    result = diff_lines(mother_line, child_line, document)
    by_kind = {}
    for d in result.differences:
        by_kind.setdefault(d.kind, []).append(d)
    assert {k: len(v) for k, v in by_kind.items()} == {
        Kind.MOVED: 2, Kind.PARAMETER_CHANGED: 1, Kind.SIGNAL_CHANGED: 1, Kind.TYPE_CHANGED: 1,
        Kind.REMOVED: 1, Kind.ADDED: 1,
    }  # fmt: skip
    moved = {d.mother_id: d for d in by_kind[Kind.MOVED]}
    assert moved["OC-ASM1-STK-01"].amount == pytest.approx(1.5)
    assert moved["OC-ASM1-WLD-01"].amount == pytest.approx(15.0)
    (parameter,) = by_kind[Kind.PARAMETER_CHANGED]
    assert (parameter.field, parameter.mother_value, parameter.child_value, parameter.amount) == (
        "parameters.seal_temperature", "190 degC", "195 degC", 5.0)  # fmt: skip
    (signal,) = by_kind[Kind.SIGNAL_CHANGED]
    assert signal.field == "signals.fill_mass" and "hi=59.2" in signal.child_value and "hi=59" in signal.mother_value
    (type_change,) = by_kind[Kind.TYPE_CHANGED]
    assert (type_change.mother_value, type_change.child_value) == ("notching_press", "tab_welder")
    assert by_kind[Kind.REMOVED][0].mother_id == "OC-ASM1-CNV-16"
    assert by_kind[Kind.ADDED][0].child_id == "HM-NEW-01"
    assert result.level == Level.MAKE_IT_WORK
    assert result.conformance == pytest.approx(100 * (60 - 7) / 60)


def test_tolerances_are_respected(cloned):
    document, mother_line, child_line = cloned
    stack = UndoStack(document)
    stack.push(edit.move_by(document, [child_equipment(child_line, "OC-ASM1-STK-01").id], 0.0, 0.04))
    stack.push(edit.SetParameter((child_equipment(child_line, "OC-ASM1-PKG-01").id,), "seal_temperature", 191))
    assert [d.kind for d in diff_lines(mother_line, child_line, document).differences] == [Kind.PARAMETER_CHANGED]
    loose = Tolerances(parameters={"seal_temperature": 2.0})
    assert diff_lines(mother_line, child_line, document, loose).differences == []
    strict = Tolerances(position=0.01)
    assert {d.kind for d in diff_lines(mother_line, child_line, document, strict).differences} == {
        Kind.MOVED, Kind.PARAMETER_CHANGED}  # fmt: skip


def test_approved_deviation_covers_a_difference_proposed_does_not(cloned):
    document, mother_line, child_line = cloned
    sealer = child_equipment(child_line, "OC-ASM1-PKG-01")
    UndoStack(document).push(edit.SetParameter((sealer.id,), "seal_temperature", 195))
    deviation = Deviation("DEV-001", sealer.id, "parameters.seal_temperature", "190 degC", "195 degC",
                          "US pouch film supplier needs 5 K more", "J. Park",
                          requested_at="2026-11-20T08:00:00Z")  # fmt: skip
    document.deviations.append(deviation)
    result = diff_lines(mother_line, child_line, document)
    assert [d.is_drift for d in result.differences] == [True]
    deviation.status = DeviationStatus.APPROVED
    deviation.approved_by = "Mother line process owner"
    result = diff_lines(mother_line, child_line, document)
    assert [d.deviation for d in result.differences] == ["DEV-001"]
    assert result.drift == []
    assert (result.level, result.conformance) == (Level.COPY_EXACTLY, 100.0)


def test_independently_built_sites_are_matched_by_cell_type_and_position(cloned):
    document, mother_line, child_line = cloned
    independent = copy.deepcopy(child_line)
    for cell in independent.cells:
        for n, e in enumerate(cell.equipment):
            e.mother_id = None
            e.id = f"US-{cell.name[:3]}-{n}"
    # The US team built the stacking cell 0.3 m further along, and shuffled its list order.
    stacking = next(c for c in independent.cells if c.name == "Stacking")
    stacking.pose.x += 0.3
    stacking.equipment.reverse()
    result = diff_lines(mother_line, independent, document)
    assert (result.matched_by_link, result.matched_by_position, result.added, result.removed) == (0, 59, [], [])
    moved = [d for d in result.differences if d.kind == Kind.MOVED]
    assert sorted(d.mother_id for d in moved) == sorted(e.mother_id for e in next(
        c for c in child_line.cells if c.name == "Stacking").equipment)  # fmt: skip
    assert all(d.amount == pytest.approx(0.3) for d in moved)
    assert len(result.differences) == len(moved)


def test_clone_errors_are_clear(demo_path):
    document = load_document(demo_path)
    with pytest.raises(CloneError, match="no line named 'Line 7'; lines in the document: Electrode line 1, "):
        clone_line(document, "Line 7", document, CHILD)
    with pytest.raises(CloneError, match="no site named 'Mars'"):
        clone_line(document, "Assembly line 1", document, "Mars")
    with pytest.raises(CloneError, match="the line is already at 'Ochang mother plant'"):
        clone_line(document, "Assembly line 1", document, "Ochang mother plant")


def test_cli_clone_then_diff_writes_reports_with_the_numbers_they_claim(demo_path, tmp_path, capsys, library):
    import base64
    import csv
    import json
    import re

    from viewer.cli import main

    child_file = tmp_path / "child.mtplant.json"
    # At 20,60 three assembly machines stand on Holland's columns: accepted here, the diff is what is tested.
    assert main(["clone", str(demo_path), "--line", "Assembly line 1", "--to-site", CHILD, "--origin", "20,60",
                 "--allow-clashes", "-o", str(child_file)]) == 0  # fmt: skip
    assert "Assembly line 1 cloned to Holland child plant as HM-ASM1 (59 equipment)" in capsys.readouterr().out
    document = load_document(child_file)
    _, _, child_line = find_line(document, "HM-ASM1")
    stack = UndoStack(document)
    stack.push(edit.move_by(document, [child_equipment(child_line, "OC-ASM1-STK-01").id], 1.5, 0.0))
    sealer = child_equipment(child_line, "OC-ASM1-PKG-01")
    stack.push(edit.SetParameter((sealer.id,), "seal_temperature", 195))
    deviation = Deviation("DEV-001", sealer.id, "parameters.seal_temperature", "190 degC", "195 degC", "Local film",
                          "J. Park", approved_by="K. Lee", approved_at="2026-11-20T08:00:00Z",
                          status=DeviationStatus.APPROVED)  # fmt: skip
    document.deviations.append(deviation)
    save_document(document, child_file)
    report, as_json, as_csv = tmp_path / "r.html", tmp_path / "r.json", tmp_path / "r.csv"
    args = [
        "diff",
        str(child_file),
        str(child_file),
        "--report",
        str(report),
        "--json",
        str(as_json),
        "--csv",
        str(as_csv),
    ]
    assert main(args) == 1  # one drift: the child does not conform
    out = capsys.readouterr().out
    assert "differences: 2 (1 approved deviations, 1 drift)" in out
    assert "conformance 91.5 %; Copy Exactly level 1 - Make it work" in out
    data = json.loads(as_json.read_text())
    assert data["summary"]["drift"] == 1 and data["summary"]["approved"] == 1
    assert data["summary"]["conformance_percent"] == pytest.approx(91.53, abs=0.01)
    assert data["deviations"][0]["covers_a_difference"] is True
    rows = list(csv.DictReader(as_csv.open()))
    assert [(r["kind"], r["status"]) for r in rows] == [("moved", "drift"), ("parameter changed", "approved deviation")]
    page = report.read_text()
    assert re.search(r'id="level">3 - Copy exactly|id="level">1 - Make it work', page)
    assert '<b id="conformance">91.5 %</b>' in page and '<b id="drift">1</b>' in page
    assert page.count("<tr class='drift'>") == 1 and page.count("<tr class='ok'>") == 1
    assert "Local film" in page and "DEV-001" in page
    pictures = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(pictures) == 2 and all(base64.b64decode(p)[:4] == b"\x89PNG" for p in pictures)
    assert "http" not in page.replace("http://www.w3.org", "")  # self-contained: nothing fetched


def test_process_outputs_match_and_differ(cloned):
    import numpy as np

    from viewer.compare.outputs import compare_outputs

    document, mother_line, child_line = cloned
    result = diff_lines(mother_line, child_line, document)
    rng = np.random.default_rng(1)
    sealer_child = child_equipment(child_line, "OC-ASM1-PKG-01").id

    def mother_series(equipment_id, signal):
        return rng.normal(190.0, 2.0, 600) if signal == "seal_temperature" else np.zeros(0)

    def child_series(equipment_id, signal, shift=0.0):
        if signal != "seal_temperature":
            return np.zeros(0)
        return rng.normal(190.0 + (shift if equipment_id == sealer_child else 0.0), 2.0, 600)

    same = compare_outputs(result, mother_series, child_series)
    assert len(same) == 2 and not any(c.significant for c in same)
    assert result.outputs_match is True
    assert same[0].mother.cpk == pytest.approx((198 - 190) / (3 * 2), abs=0.15)  # hi 198, sigma 2
    shifted = compare_outputs(result, mother_series, lambda e, s: child_series(e, s, shift=3.0))
    flagged = [c for c in shifted if c.significant]
    assert [c.child_id for c in flagged] == [sealer_child]
    assert flagged[0].welch_p < 1e-6 and flagged[0].effect == pytest.approx(1.5, abs=0.3)
    assert result.outputs_match is False


def test_deviation_register_asks_records_decides_and_exports(cloned, library, monkeypatch):
    import csv
    import io

    from viewer.model import deviations
    from viewer.model.deviations import (
        AddDeviation,
        DecideDeviation,
        deviations_csv,
        fields_needing_deviation,
        next_deviation_id,
    )

    document, mother_line, child_line = cloned
    stack = UndoStack(document)
    sealer = child_equipment(child_line, "OC-ASM1-PKG-01")
    change = edit.SetParameter((sealer.id,), "seal_temperature", 195)
    assert fields_needing_deviation(document, change) == [(sealer.id, "parameters.seal_temperature")]
    mother_sealer = "OC-ASM1-PKG-01"
    assert fields_needing_deviation(document, edit.SetParameter((mother_sealer,), "seal_temperature", 195)) == []
    move = edit.move_by(document, [sealer.id], 1.0, 0.0)
    assert fields_needing_deviation(document, move) == [(sealer.id, "pose")]
    add = edit.AddEquipment(child_line.cells[0].id, [edit.new_equipment_for(library, "labeler", "HM-X-1")])
    assert fields_needing_deviation(document, add) == [("HM-X-1", "equipment")]
    stack.push(change)
    deviation = Deviation(next_deviation_id(document), sealer.id, "parameters.seal_temperature", "190 degC",
                          "195 degC", "Local pouch film", "J. Park")  # fmt: skip
    assert deviation.id == "DEV-001" and deviation.status == DeviationStatus.PROPOSED
    clock = iter(["2026-11-24T01:00:00Z", "2026-11-25T06:30:00Z"])
    monkeypatch.setattr(deviations, "utc_now", lambda: next(clock))
    monkeypatch.setenv("MOTHERTWIN_USER", "jpark")
    stack.push(AddDeviation(deviation))  # the logged-in user asks, not the name typed into the record
    assert diff_lines(mother_line, child_line, document).drift != []
    monkeypatch.setenv("MOTHERTWIN_USER", "klee")
    stack.push(DecideDeviation("DEV-001", DeviationStatus.APPROVED, "film spec ECN-7"))
    assert diff_lines(mother_line, child_line, document).drift == []
    rows = list(csv.DictReader(io.StringIO(deviations_csv(document))))
    expected = {"id": "DEV-001", "equipment_id": sealer.id, "field": "parameters.seal_temperature",
                "mother_value": "190 degC", "child_value": "195 degC", "reason": "Local pouch film",
                "requested_by": "jpark", "requested_at": "2026-11-24T01:00:00Z", "approved_by": "klee",
                "approved_at": "2026-11-25T06:30:00Z", "status": "approved", "last_change_by": "klee",
                "last_change_at": "2026-11-25T06:30:00Z",
                "history": "proposed by jpark at 2026-11-24T01:00:00Z; "
                           "approved by klee at 2026-11-25T06:30:00Z: film spec ECN-7"}  # fmt: skip
    assert rows == [expected]
    stack.undo()
    assert document.deviations[0].status == DeviationStatus.PROPOSED
    assert next_deviation_id(document) == "DEV-002"


def test_clone_as_an_undoable_edit(demo_path):
    from viewer.compare.clone import CloneLineCommand

    document = load_document(demo_path)
    stack = UndoStack(document)
    stack.push(CloneLineCommand("Electrode line 1", CHILD, (10.0, 20.0), 0.0))
    assert document.equipment_count() == 155 + 20
    assert stack.texts() == ["Clone line"]
    done = copy.deepcopy(document)
    stack.undo()
    assert document == load_document(demo_path)
    stack.redo()
    assert document == done
    _, _, line = find_line(document, "HM-ELE1")
    assert line.pose.x == 10.0 and line.clone_record.mother_line == "OC-ELE1"


def test_clone_rebinds_its_signals_through_the_child_sites_tag_template(demo_path):
    from viewer.sensors.bindings import Bindings

    document = load_document(demo_path)
    document.site_by_name(CHILD).tag_template = "holland/{line}/{equipment}/{signal}"
    clone_line(document, "Electrode line 1", document, CHILD)
    tags = Bindings.for_site(document, "HM").tags()
    assert "holland/HM-ELE1/HM-ELE1-COT-01/oven_temperature" in tags
    assert all(t.startswith("holland/HM-ELE1/") for t in tags)
    mother_tags = Bindings.for_site(document, "OC").tags()
    assert "OC/OC-ELE1/OC-ELE1-COT/OC-ELE1-COT-01/oven_temperature" in mother_tags
