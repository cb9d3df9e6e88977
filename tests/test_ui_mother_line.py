"""The Mother line menu: the clone wizard adds the child line (one undo step) and opens the compare window."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from viewer.compare import find_line
from viewer.ui.compare.mother_line_menu import CloneDialog, clone_into_session, cloned_lines, open_compare
from viewer.ui.main_window import MainWindow


def test_clone_wizard_then_compare(qtbot, tmp_path, demo_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    assert window.open_file(demo_path)
    qtbot.waitUntil(lambda: window.session.document is not None and window.session.path == demo_path, timeout=20000)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Mother line")
    texts = [a.text() for a in menu.actions()]
    assert texts == ["Clone line to a child site...", "Compare child line with its mother..."]
    dialog = CloneDialog(window.session.document, window)
    qtbot.addWidget(dialog)
    assert dialog.site.currentText() == "Holland child plant (US)"
    dialog.line.setCurrentIndex(dialog.line.findData("OC-ELE1"))
    dialog.x.setValue(12.0)
    dialog.y.setValue(30.0)
    command = dialog.command()
    assert clone_into_session(window, command)
    document = window.session.document
    assert [li.id for li in cloned_lines(document)] == ["HM-ELE1"]
    assert document.equipment_count() == 175
    _, _, line = find_line(document, "HM-ELE1")
    compare = open_compare(window, line)
    qtbot.addWidget(compare)
    assert compare.table.rowCount() == 0  # a fresh clone is identical to its mother
    assert "level 4 - System synergy" in compare.summary.text()
    compare.close()
    window.session.undo.undo()
    assert cloned_lines(window.session.document) == []


def test_editing_a_child_line_asks_for_its_deviation(qtbot, tmp_path, demo_path, monkeypatch):
    from viewer.compare.clone import CloneLineCommand
    from viewer.model import DeviationStatus

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    assert window.open_file(demo_path)
    clone_into_session(window, CloneLineCommand("Assembly line 1", "Holland child plant", (20.0, 60.0)))
    document = window.session.document
    edits = window.editing.edits
    sealer = next(p.equipment for p in document.iter_equipment() if p.equipment.mother_id == "OC-ASM1-PKG-01")
    asked = []
    edits.ask_deviation = lambda needs: asked.append(needs)  # declines (returns None): the edit is cancelled
    window.state.select([sealer.id])
    assert edits.set_value("parameter:seal_temperature", "195") is False
    assert asked == [[(sealer.id, "parameters.seal_temperature")]]
    assert next(p for p in sealer.parameters if p.name == "seal_temperature").value == 190
    monkeypatch.setenv("MOTHERTWIN_USER", "jpark")
    edits.ask_deviation = lambda needs: "Local pouch film needs 5 K more"
    edits.nudge(1, 0)  # a move of child equipment: asked, recorded, one undo step with the move
    (deviation,) = document.deviations
    assert (deviation.equipment_id, deviation.field, deviation.status) == (sealer.id, "pose", DeviationStatus.PROPOSED)
    assert deviation.reason == "Local pouch film needs 5 K more" and deviation.requested_by == "jpark"
    assert deviation.mother_value.startswith("x ") and deviation.child_value != deviation.mother_value
    window.session.undo.undo()
    assert document.deviations == []
