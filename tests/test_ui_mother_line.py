"""The Mother line menu: the clone wizard adds the child line (one undo step) and opens the compare window."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from viewer.compare import find_line
from viewer.ui.main_window import MainWindow
from viewer.ui.mother_line_menu import CloneDialog, clone_into_session, cloned_lines, open_compare


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
