"""The window's desktop parts under Xvfb: layout checks of every site in the site box and the Checks dock,
opening on a site, Help (About, Keyboard Shortcuts, User Guide) and File > New / Close."""

from __future__ import annotations

import platform

import PySide6
import pytest
import pyvista
from PySide6.QtCore import QPoint, QSettings, Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from ui_helpers import CATHODE_COATER, open_window, settle
from vtkmodules.vtkCommonCore import vtkVersion

import viewer
from viewer.compare.clone import CloneLineCommand, clone_line
from viewer.io import load_document, save_document
from viewer.paths import demo_plant_path
from viewer.ui.app import StartupRequest, _Startup
from viewer.ui.compare.mother_line_menu import clone_into_session
from viewer.ui.edit.checks_dock import IDS_ROLE
from viewer.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

CHILD = "Holland child plant"


@pytest.fixture
def window(qtbot, tmp_path):
    main = open_window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    yield main
    main.close()


def wait_opened(qtbot, main: MainWindow) -> None:
    qtbot.waitUntil(lambda: not main.opening and main.session.document is not None, timeout=30000)
    settle(main)


def test_site_box_counts_the_problems_of_a_site_that_is_not_shown(window, qtbot):
    """The electrode line cloned to the child site's origin stands on four of its columns (its grid starts
    at 0, 0, the mother's at 6, 6): counted while the mother site is the one on screen."""
    assert window.state.active_site == "OC"
    assert window.site_box.text_of("HM") == f"{CHILD} (0 equipment)"
    assert clone_into_session(window, CloneLineCommand("OC-ELE1", CHILD, (0.0, 0.0)))
    qtbot.waitUntil(lambda: "problems" in window.site_box.text_of("HM"), timeout=20000)
    assert window.state.active_site == "OC"  # nobody went to the child site to look
    assert window.site_box.text_of("HM") == f"{CHILD} (20 equipment) — 4 problems"
    assert window.site_box.text_of("OC") == "Ochang mother plant (155 equipment)"
    index = window.site_combo.findData("HM")
    assert "4 problems" in window.site_combo.itemData(index, 3)  # the tooltip says so too
    assert not window.site_combo.itemIcon(index).isNull()  # and a warning sign marks it

    dock = window.editing.checks_dock
    assert dock.headings() == ["Ochang mother plant — no problems  (shown)", f"{CHILD} — 4 problems"]
    messages = dock.messages("HM")
    assert len(messages) == 4 and all("stands on a building column" in m for m in messages), messages
    assert "Cathode coater (HM-ELE1-COT-01) stands on a building column (1.08 m2)" in messages
    assert dock.messages("OC") == []
    assert f"Elsewhere: {CHILD} 4 problems" in dock.summary.text()
    assert dock.windowTitle() == "Checks (4)"

    # A move at the mother site checks the mother site again, not the child site.
    checks, submitted = window.editing.checks, []
    submit = checks._submit
    checks._submit = lambda site: (submitted.append(site.id if site else None), submit(site))[1]
    window.state.select([CATHODE_COATER])
    window.editing.edits.nudge(1, 0, False)
    settle(window)
    assert window.session.undo.index == 2  # the clone, then the nudge
    assert submitted == [] and window.site_box.text_of("HM").endswith("— 4 problems")
    checks._submit = submit

    # A real click on one of them goes to the child site and selects it (the list is refilled meanwhile).
    item = dock.violation_items("HM")[0]
    ids = tuple(item.data(0, IDS_ROLE))
    dock.raise_()
    settle(window)
    dock.list.scrollToItem(item)
    QTest.mouseClick(dock.list.viewport(), Qt.MouseButton.LeftButton, pos=dock.list.visualItemRect(item).center())
    settle(window)
    assert window.state.active_site == "HM" and window.scene.view.site.id == "HM"
    assert window.state.selection == ids and ids[0].startswith("HM-")
    assert dock.headings() == ["Ochang mother plant — no problems", f"{CHILD} — 4 problems  (shown)"]
    assert window.site_box.text_of("HM").endswith("— 4 problems")

    # Undo takes the clone, and its problems, away again.
    window.editing.undo_action.trigger()  # the nudge
    window.editing.undo_action.trigger()  # the clone
    qtbot.waitUntil(lambda: window.site_box.text_of("HM") == f"{CHILD} (0 equipment)", timeout=20000)
    assert dock.messages() == []


def test_open_shows_the_site_asked_for_else_the_mother(qtbot, tmp_path, demo_path, library):
    document = load_document(demo_path, library)
    clone_line(document, "OC-ELE1", document, CHILD, (30.0, 30.0))
    document.sites.reverse()  # the child site, with equipment now, is the first site of the file
    path = tmp_path / "two sites.mtplant.json"
    save_document(document, path)
    main = MainWindow(settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(main)
    main.show()
    main.start_open(path)
    wait_opened(qtbot, main)
    assert main.state.active_site == "OC" and main.scene.view.site.id == "OC"  # the mother, not the first
    assert len(main.scene.view.batch) == 155
    for asked in (CHILD, "HM"):
        main.start_open(path, site=asked)
        wait_opened(qtbot, main)
        assert main.state.active_site == "HM" and main.scene.view.site.id == "HM"
        assert main.site_combo.currentData() == "HM" and len(main.scene.view.batch) == 20
    main.close()


def test_open_site_from_the_command_line(qtbot, tmp_path, demo_path, monkeypatch, capsys):
    import viewer.ui.app as app
    from viewer.cli import main as cli_main

    asked = []
    monkeypatch.setattr(app, "run_app", lambda request: asked.append(request) or 0)
    assert cli_main(["open", str(demo_path), "--site", CHILD]) == 0
    assert asked[0].site == CHILD and asked[0].path == demo_path

    # What the window does with it: a site the plant does not have is said, and the mother site is shown.
    main = MainWindow(settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(main)
    main.show()
    request = StartupRequest(demo_path, site="Nowhere")
    main.start_open(demo_path, request.site)
    startup = _Startup(QApplication.instance(), main, request)
    startup.start()
    qtbot.waitUntil(lambda: startup.step == "done", timeout=30000)
    assert main.state.active_site == "OC"
    error = capsys.readouterr().err
    assert "--site: no site named 'Nowhere' in this plant; its sites: Ochang mother plant (OC)" in error
    assert any("no site named 'Nowhere'" in m.text for m in main.messages.messages)  # the window says it too
    main.close()


def test_about_names_the_versions(window):
    window.help_menu.about_action.trigger()
    box = window.help_menu.about_box
    assert box is not None and box.isVisible() and box.windowTitle() == "About MotherTwin"
    text = box.text()
    for part, version in (
        ("MotherTwin", viewer.__version__),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("VTK", vtkVersion.GetVTKVersion()),
        ("pyvista", pyvista.__version__),
        ("Python", platform.python_version()),
    ):
        assert f"<td>{part}&nbsp;&nbsp;</td><td>{version}" in text, (part, version, text)
    assert window.plotter.renderer_name and window.plotter.renderer_name in text  # which OpenGL draws
    box.close()


def test_keyboard_shortcuts_come_from_the_actions(window):
    window.help_menu.shortcuts_action.trigger()
    dialog = window.help_menu.shortcuts_dialog
    assert dialog is not None and dialog.isVisible()
    texts = dialog.texts()
    undo = QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText)
    assert undo == "Ctrl+Z"
    assert "Ctrl+Z: Undo" in texts
    assert "Ctrl+Y, Ctrl+Shift+Z: Redo" in texts
    assert "F: Fit Selection" in texts and "Ctrl+N: New" in texts and "Ctrl+W: Close" in texts
    assert "Mouse wheel: Zoom towards the point under the cursor (equipment, else the floor)" in texts
    assert "Left / Right / Up / Down: Nudge the selection one grid step along world x / y" in texts
    dialog.filter.setText("ctrl+z")
    assert dialog.texts() == ["Ctrl+Z: Undo"]
    dialog.filter.setText("REDO")
    assert dialog.texts() == ["Ctrl+Y, Ctrl+Shift+Z: Redo"]
    dialog.close()

    # A key added later is listed the next time: the list is made from the actions, never written out.
    edit_menu = window.editing.edit_menu
    extra = QAction("Lock Layout", window)
    extra.setShortcut(QKeySequence("Ctrl+Alt+L"))
    edit_menu.addAction(extra)
    window.help_menu.shortcuts_action.trigger()
    assert "Ctrl+Alt+L: Lock Layout" in window.help_menu.shortcuts_dialog.texts()
    window.help_menu.shortcuts_dialog.close()


def test_user_guide_opens_the_readme_at_its_user_guide(window, qtbot):
    window.help_menu.guide_action.trigger()
    dialog = window.help_menu.guide_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.browser.toPlainText()
    assert "The desktop window" in text and "mothertwin render FILE -o OUT.png" in text
    # Scrolled down to it once laid out: the heading is the first line in sight.
    qtbot.waitUntil(lambda: dialog.browser.verticalScrollBar().value() > 0, timeout=5000)
    assert dialog.browser.textCursor().block().text() == "User guide"
    assert dialog.browser.cursorForPosition(QPoint(20, 10)).block().text() == "User guide"
    assert dialog.find_text("Never lose work")
    assert dialog.browser.textCursor().selectedText() == "Never lose work"
    dialog.close()


def test_file_new_gives_an_empty_plant_to_drop_equipment_into(window, monkeypatch):
    window.file_actions.new_action.trigger()
    settle(window)
    assert window.windowTitle() == "Untitled — MotherTwin"
    model = window.tree_dock.model
    assert model.rowCount() == 1 and model.item(0, 0).text() == "New site"
    assert model.item(0, 1).text() == "0 equipment"
    assert window.scene.view.site.name == "New site" and window.scene.view.batch is None
    assert window.session.path is None and not window.session.modified
    assert not window.site_combo_action.isVisible()  # one site: no chooser
    new_id = window.editing.edits.add_at("slurry_mixer", 12.0, 10.0)  # what a drop from the Library does
    assert new_id is not None and window.session.document.equipment_count() == 1
    settle(window)
    assert window.windowTitle() == "Untitled* — MotherTwin" and len(window.scene.view.batch) == 1
    monkeypatch.setenv("MOTHERTWIN_UNSAVED_ANSWER", "cancel")  # New again, and Cancel when asked
    assert window.file_actions.new_document() is False
    assert window.session.document.equipment_count() == 1 and window.session.modified


def test_file_close_with_unsaved_edits_asks_and_cancel_keeps_them(window, qtbot, monkeypatch):
    window.editing.edits.add_at("workbench", 20.0, 20.0)
    assert window.session.modified
    title = window.windowTitle()
    monkeypatch.delenv("MOTHERTWIN_UNSAVED_ANSWER")  # the window's own question, answered Cancel
    asked = []

    # The box the window builds, answered without a nested event loop: a modal exec() with the 3D view and
    # worker threads running under it crashed the test process now and then (software OpenGL, Xvfb).
    def answer(box: QMessageBox) -> QMessageBox.StandardButton:
        asked.append((box.text(), box.informativeText()))
        assert box.standardButtons() & QMessageBox.StandardButton.Cancel
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "exec", answer)
    assert window.file_actions.close_action.isEnabled()
    assert window.file_actions.close_document() is False
    assert asked == [("battery-plant.mtplant.json has unsaved changes.", "Save them before closing it?")]
    assert window.session.document is not None and window.session.modified and window.windowTitle() == title
    assert len(window.scene.view.batch) == 156

    monkeypatch.setenv("MOTHERTWIN_UNSAVED_ANSWER", "discard")
    window.file_actions.close_action.trigger()
    settle(window)
    assert window.session.document is None and window.windowTitle() == "MotherTwin"
    assert window.tree_dock.model.rowCount() == 0 and window.scene.view.batch is None
    assert window.scene.view.site is None and window.state.active_site is None
    assert not window.save_action.isEnabled() and not window.file_actions.close_action.isEnabled()
    assert window.site_combo.count() == 0 and window.editing.checks_dock.messages() == []
    assert "No plant open" in window.status_label.text()
    window.start_open(demo_plant_path())
    wait_opened(qtbot, window)  # and a plant opens in it again
    assert len(window.scene.view.batch) == 155 and window.equipment_site(CATHODE_COATER) == "OC"


def test_user_guide_without_a_checkout_comes_from_the_installed_package(monkeypatch, tmp_path):
    """Installed from a wheel there is no README.md beside the code: the package's own copy is shown."""
    import viewer.ui.help.menu as help_menu

    monkeypatch.setattr(help_menu, "README", tmp_path / "README.md")
    text, base = help_menu.user_guide()
    assert base is None and "## User guide" in text and "Copy Exactly" in text
