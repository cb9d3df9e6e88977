"""The compare window: side by side with cameras in step, overlay with the ghosted mother, the differences
table and the deviation register, on a real window under Xvfb."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from viewer.compare import clone_line, find_line
from viewer.compare.report import DRIFT
from viewer.io import builtin_library, load_document
from viewer.model import DeviationStatus, deviations, edit
from viewer.model.undo import UndoStack
from viewer.ui.compare.controller import REGISTER_COLUMNS
from viewer.ui.compare.window import CompareWindow


@pytest.fixture
def clock(monkeypatch):
    """The register's clock: 01:15 UTC on 7 December 2026, then 25 minutes later, 60, 110..."""
    moments = iter(["2026-12-07T01:15:00Z", "2026-12-07T01:40:00Z", "2026-12-07T02:40:00Z", "2026-12-07T03:30:00Z",
                    "2026-12-07T04:00:00Z", "2026-12-07T04:30:00Z"])  # fmt: skip
    monkeypatch.setattr(deviations, "utc_now", lambda: next(moments))


@pytest.fixture
def compare(qtbot, demo_path):
    document = load_document(demo_path)
    # A place where the turned line fits the child building (`clone --fit` finds it): its layout checks pass.
    child_line = clone_line(document, "Assembly line 1", document, "Holland child plant", origin=(42, 6), rotate=90)
    _, _, mother_line = find_line(document, "OC-ASM1")
    stack = UndoStack(document)

    def child(mother_id):
        return next(e for c in child_line.cells for e in c.equipment if e.mother_id == mother_id).id

    stack.push(edit.move_by(document, [child("OC-ASM1-STK-01")], 0.0, -1.5))
    stack.push(edit.SetParameter((child("OC-ASM1-PKG-01"),), "seal_temperature", 195))
    stack.push(edit.DeleteEquipment((child("OC-ASM1-CNV-16"),)))
    library = builtin_library()
    stack.push(
        edit.AddEquipment(child_line.cells[0].id, [edit.new_equipment_for(library, "labeler", "HM-LBL-1", 8, 19)])
    )
    window = CompareWindow(document, mother_line, document, child_line, undo=stack)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window, stack
    window.close()


def test_differences_are_listed_and_filtered(compare):
    window, _ = compare
    assert [r.kind for r in window.rows] == ["moved", "parameter changed", "removed", "added"]
    assert window.table.rowCount() == 4
    window.kind_filter.setCurrentText("moved")
    assert window.table.rowCount() == 1 and window.table.item(0, 1).text() == "OC-ASM1-STK-01"
    assert "conformance 93.3 %" in window.summary.text() and "4 differences: 4 drift" in window.summary.text()


def test_drift_is_coloured_in_both_views(compare):
    window, _ = compare
    mother, child = window.mother_view.batch, window.child_view.batch
    assert tuple(mother.override[mother.index_of("OC-ASM1-STK-01")]) == DRIFT
    stacker = next(i for i, p in enumerate(child.paths) if p.equipment.mother_id == "OC-ASM1-STK-01")
    assert tuple(child.override[stacker]) == DRIFT


def test_selecting_a_row_focuses_the_pair_with_cameras_in_step(compare, qtbot):
    window, _ = compare
    window.select_row(0)
    child_index = next(
        i for i, p in enumerate(window.child_view.batch.paths) if p.equipment.mother_id == "OC-ASM1-STK-01"
    )
    assert list(window.child_view._highlighted) == [child_index]
    mother_camera = window.mother_view.camera_state()
    expected = window.controller.child_camera(mother_camera)
    actual = window.child_view.camera_state()
    np.testing.assert_allclose(actual.focal_point, expected.focal_point, atol=1e-6)
    np.testing.assert_allclose(actual.position, expected.position, atol=1e-6)
    # Both look at the stacker: its centre projects near the middle of each view.
    for view, ident in ((window.mother_view, "OC-ASM1-STK-01"), (window.child_view, None)):
        index = view.batch.index_of(ident) if ident else child_index
        centre = view.batch.bounds[index].mean(axis=0)
        x, y = view.display_position(centre)
        width, height = view.plotter.window_size
        assert abs(x - width / 2) < width * 0.3 and abs(y - height / 2) < height * 0.3


def test_overlay_shows_the_mother_as_a_ghost(compare):
    window, _ = compare
    window.mode.setCurrentIndex(1)
    assert window.stack.currentIndex() == 1
    ghost = window.overlay_plotter.actors["mother-ghost"]
    assert ghost.prop.opacity == pytest.approx(0.3)
    # The ghost is the mother line moved into the child's line frame: it covers the child line's floor area.
    ghost_bounds = np.array(ghost.mapper.dataset.bounds).reshape(3, 2).T
    np.testing.assert_allclose(ghost_bounds[:, :2], window.overlay_view.batch.visible_bounds()[:, :2], atol=2.0)


def test_deviation_proposed_approved_and_exported(compare, tmp_path, clock, monkeypatch):
    window, stack = compare
    monkeypatch.setenv("MOTHERTWIN_USER", "jpark")
    window.select_row(1)  # the parameter change
    deviation = window.propose_deviation(reason="Local pouch film")
    assert deviation.id == "DEV-001" and deviation.field == "parameters.seal_temperature"
    assert (deviation.requested_by, deviation.requested_at) == ("jpark", "2026-12-07T01:15:00Z")
    status = REGISTER_COLUMNS.index("Status")
    assert window.deviations.rowCount() == 1 and window.deviations.item(0, status).text() == "proposed"
    assert window.rows[1].status == "drift"
    window.deviations.selectRow(0)
    monkeypatch.setenv("MOTHERTWIN_USER", "klee")
    assert window.decide(DeviationStatus.APPROVED, note="")
    row = [window.deviations.item(0, c).text() for c in range(len(REGISTER_COLUMNS))]
    assert row[status] == "approved" and row[REGISTER_COLUMNS.index("Approved by")] == "klee"
    # Times in the child site's own time (Detroit, UTC-05:00 in December), the document keeps UTC.
    assert row[REGISTER_COLUMNS.index("Requested at")] == "2026-12-06 20:15:00 (UTC-05:00)"
    assert row[REGISTER_COLUMNS.index("Last change")] == "approved by klee, 2026-12-06 20:40:00 (UTC-05:00)"
    assert window.rows[1].status == "approved DEV-001"
    assert "3 drift, 1 approved" in window.summary.text()
    assert stack.texts()[-2:] == ["Record deviation", "Approve deviation DEV-001"]
    out = tmp_path / "deviations.csv"
    window.export_deviations(out)
    assert out.read_text().splitlines()[1].startswith("DEV-001,")
    report = tmp_path / "report.html"
    window.write_report(report)
    page = report.read_text()
    assert '<b id="approved">1</b>' in page
    assert "Layout not checked" not in page and "Approval" in page  # the same report to sign as `diff --report`
    signed = tmp_path / "report.pdf"
    window.write_report(signed)
    assert signed.read_bytes()[:5] == b"%PDF-"


def test_process_outputs_from_two_recordings(compare, tmp_path):
    window, _ = compare
    c = window.controller
    mother = next(p for p in c.mother.iter_equipment() if p.equipment.id == "OC-ASM1-PKG-01")
    child = next(p for p in c.child.iter_equipment() if p.equipment.mother_id == "OC-ASM1-PKG-01")
    rng = np.random.default_rng(7)
    for path, shift in ((mother, 0.0), (child, 4.0)):
        tag = f"{path.site.id}/{path.line.id}/{path.cell.id}/{path.equipment.id}/seal_temperature"
        rows = [f"{1_764_000_000 + i},{tag},{190.0 + shift + rng.normal(0, 1.5):.3f}" for i in range(300)]
        (tmp_path / f"{path.site.id}.csv").write_text("time,tag,value\n" + "\n".join(rows) + "\n")
    panel = window.outputs
    panel.mother_file.setText(str(tmp_path / "OC.csv"))
    panel.child_file.setText(str(tmp_path / "HM.csv"))
    (result,) = panel.run()
    assert result.child_id == child.equipment.id and result.significant
    assert result.child.mean - result.mother.mean == pytest.approx(4.0, abs=0.5)
    assert panel.table.rowCount() == 1 and panel.table.item(0, 7).text() == "differs"
    assert panel.verdict.text() == "1 signals compared: 1 differ significantly; process outputs differ"
    panel.table.selectRow(0)
    assert panel.plotted[1:] == (300, 300)  # both trends and histograms drawn from all samples
    assert len(panel.trend.listDataItems()) == 2 and len(panel.histogram.listDataItems()) == 2


def test_process_outputs_from_live_data(qtbot, demo_path):
    from viewer.sensors.samples import Sample, SampleBuffer

    document = load_document(demo_path)
    child_line = clone_line(document, "Electrode line 1", document, "Holland child plant", origin=(0, 60))
    _, _, mother_line = find_line(document, "OC-ELE1")
    store = SampleBuffer(stale_after=10.0)
    rng = np.random.default_rng(3)
    now = 1_764_000_000.0
    for path in document.iter_equipment():
        if path.equipment.id in ("OC-ELE1-COT-01", "HM-ELE1-COT-01"):
            tag = f"{path.site.id}/{path.line.id}/{path.cell.id}/{path.equipment.id}/oven_temperature"
            store.put([Sample(tag, now - 300 + i, 130.0 + rng.normal(0, 1.0)) for i in range(300)], received_at=now)
    window = CompareWindow(document, mother_line, document, child_line, live_store=store)
    qtbot.addWidget(window)
    (result,) = window.outputs.run_live(600.0, now=now)
    assert (result.mother_id, result.child_id, result.signal) == (
        "OC-ELE1-COT-01",
        "HM-ELE1-COT-01",
        "oven_temperature",
    )
    assert result.mother.count == result.child.count == 300 and not result.significant
    assert window.outputs.verdict.text().endswith("process outputs match")
    window.close()


def _button(window, text):
    from PySide6.QtWidgets import QPushButton

    return next(b for b in window.findChildren(QPushButton) if b.text() == text)


def _action(window, text):
    from PySide6.QtGui import QAction

    return next(a for a in window.findChildren(QAction) if a.text() == text)


def test_register_buttons_ask_and_the_saved_child_loads_again(compare, tmp_path, clock, monkeypatch):
    """The buttons as engineers click them: each asks its question (who and when are never asked), the one who
    asked for a deviation is refused its approval, and the child document saved after propose, approve and
    reject loads again with the register and its history as it was."""
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

    from viewer.io import save_document

    window, stack = compare
    asked, warned = [], []

    def answer(parent, title, text, *args, **kw):
        asked.append((title, text))
        return answers.pop(0), True

    monkeypatch.setattr(QInputDialog, "getText", answer)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warned.append(text))
    saved = {"csv": tmp_path / "register.csv", "pdf": tmp_path / "conformance.pdf"}
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, title, name, kinds: (str(saved[name.rsplit(".", 1)[1]]), kinds))  # fmt: skip
    monkeypatch.setenv("MOTHERTWIN_USER", "jpark")
    answers = ["Local pouch film", "Shorter hall at the child site"]
    window.select_row(1)
    _button(window, "Propose for selected difference...").click()
    window.select_row(2)
    _button(window, "Propose for selected difference...").click()
    assert "Requested by jpark (logged in)" in asked[0][1] and len(asked) == 2
    window.deviations.selectRow(0)
    _button(window, "Approve").click()  # jpark asked for it: refused before any question
    assert warned == ["DEV-001 was requested by jpark: someone else must approve or reject it "
                      "(you are logged in as jpark)"]  # fmt: skip
    assert len(asked) == 2 and window.controller.child.deviations[0].status == DeviationStatus.PROPOSED
    monkeypatch.setenv("MOTHERTWIN_USER", "klee")
    answers = ["film spec ECN-7", "take the conveyor up with the US layout team"]
    _button(window, "Approve").click()
    assert asked[2][0] == "Approve DEV-001" and "as klee" in asked[2][1]
    window.deviations.selectRow(1)
    _button(window, "Reject").click()
    assert window.trail.text().splitlines() == [
        "DEV-002 (equipment of OC-ASM1-CNV-16), times in America/Detroit:",
        "  1. proposed by jpark, 2026-12-06 20:40:00 (UTC-05:00)",
        "  2. rejected by klee, 2026-12-06 22:30:00 (UTC-05:00): take the conveyor up with the US layout team",
    ]
    assert window.deviations.item(1, 0).toolTip() == window.trail.text()
    _button(window, "Export CSV...").click()
    _action(window, "Write report...").trigger()
    assert len(warned) == 1 and stack.texts()[-2:] == ["Approve deviation DEV-001", "Reject deviation DEV-002"]
    rows = list(csv.DictReader(saved["csv"].open()))
    assert [(r["id"], r["requested_by"], r["requested_at"], r["approved_by"], r["approved_at"], r["status"],
             r["last_change_by"], r["last_change_at"]) for r in rows] == [
        ("DEV-001", "jpark", "2026-12-07T01:15:00Z", "klee", "2026-12-07T02:40:00Z", "approved", "klee",
         "2026-12-07T02:40:00Z"),
        ("DEV-002", "jpark", "2026-12-07T01:40:00Z", "", "", "rejected", "klee", "2026-12-07T03:30:00Z"),
    ]  # fmt: skip
    import pypdfium2

    pdf = pypdfium2.PdfDocument(saved["pdf"])
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    pdf.close()
    approved = text[text.index("Approved deviations") :]
    assert "DEV-001" in approved and "klee" in approved and "DEV-002" not in approved
    path = tmp_path / "child.mtplant.json"
    save_document(window.controller.child, path)
    first, second = load_document(path).deviations
    assert (first.reason, first.requested_by, first.approved_by, first.approved_at, str(first.status)) == (
        "Local pouch film", "jpark", "klee", "2026-12-07T02:40:00Z", "approved")  # fmt: skip
    assert [(str(c.status), c.by, c.at, c.note) for c in first.history] == [
        ("proposed", "jpark", "2026-12-07T01:15:00Z", ""),
        ("approved", "klee", "2026-12-07T02:40:00Z", "film spec ECN-7"),
    ]
    assert (second.reason, str(second.status), second.approved_by) == (
        "Shorter hall at the child site", "rejected", "")  # fmt: skip
    assert load_document(path) == window.controller.child
    stack.undo()  # the rejection is one undo step, and the register shows it (undone here or in the main window)
    assert window.controller.child.deviations[1].history == second.history[:1]
    assert window.deviations.item(1, REGISTER_COLUMNS.index("Status")).text() == "proposed"
    assert window.trail.text().splitlines()[-1] == "  1. proposed by jpark, 2026-12-06 20:40:00 (UTC-05:00)"


def test_editing_a_child_line_asks_only_why_the_login_asks(qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from viewer.ui.edit.editing_ui import ask_deviation

    asked = []
    monkeypatch.setattr(QInputDialog, "getText", lambda parent, title, text: asked.append(text) or (" Film ", True))
    monkeypatch.setenv("MOTHERTWIN_USER", "jpark")
    assert ask_deviation(None, [("HM-ASM1-PKG-01", "pose")]) == "Film"
    assert len(asked) == 1 and "HM-ASM1-PKG-01: pose" in asked[0] and "Requested by jpark (logged in)." in asked[0]
