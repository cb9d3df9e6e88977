"""File > Import and File > Export Plant As in the real window: the import dialog, the import added to the open
plant as one undoable edit with its mapping report in Messages, a crashing importer reported with the open plant
untouched, and an export that fails leaving nothing behind."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QPushButton
from test_import_host import install_lines_plugin
from ui_helpers import open_window

from viewer.io import dumps_document
from viewer.paths import cache_dir, demo_plant_path

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    registry = install_lines_plugin(tmp_path, monkeypatch)
    main = open_window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    main.session.registry = registry
    yield main
    main.close()
    sys.modules.pop("lines_format", None)


def test_file_import_adds_a_site_undoably_and_reports_the_mapping(window, qtbot, tmp_path):
    assert window.formats.import_action in window.menuBar().actions()[0].menu().actions()
    source = tmp_path / "annex.ilines"
    source.write_text("N1 press 4 5\nN2 oven 9 5\n", encoding="utf-8")
    before = dumps_document(window.session.document)
    sites_before = window.site_combo.count()
    dialog = window.formats.ask_and_import(source)
    assert dialog is not None and dialog.into.itemText(0) == "A new site"
    dialog.site_name.setText("Annex hall")
    dialog.accept()
    qtbot.waitUntil(lambda: any(s.name == "Annex hall" for s in window.session.document.sites), timeout=30_000)
    assert not window.formats.busy
    document = window.session.document
    ids = {p.equipment.id for p in document.iter_equipment() if p.site.name == "Annex hall"}
    assert ids == {"N1", "N2"}
    table = window.messages.table
    texts = [table.topLevelItem(i).text(1) for i in range(table.topLevelItemCount())]
    assert any("Imported annex.ilines (Lines):" in t for t in texts)
    assert any("became       2 equipment (rows)" in t for t in texts)
    qtbot.waitUntil(lambda: window.site_combo.count() == sites_before + 1, timeout=10_000)
    # The meshes it made wait in the cache until the plant is saved: nothing is written beside the open document.
    kind = document.types["lines_box"]
    assert (kind.base_dir / kind.mesh).read_bytes() == b"GLB bytes"
    assert kind.base_dir.is_relative_to(cache_dir()) and not (demo_plant_path().parent / "meshes").exists()
    window.session.undo.undo()
    assert dumps_document(window.session.document) == before
    qtbot.waitUntil(lambda: window.site_combo.count() == sites_before, timeout=10_000)


def test_a_crashing_importer_is_a_message_and_the_open_plant_stays(window, qtbot, tmp_path):
    source = tmp_path / "bad.ilines"
    source.write_text("CRASH\n", encoding="utf-8")
    before = dumps_document(window.session.document)
    dialog = window.formats.ask_and_import(source)
    dialog.accept()
    qtbot.waitUntil(lambda: bool(window.formats.last_error), timeout=30_000)
    assert "crashed (SIGABRT)" in window.formats.last_error
    assert window.formats.error_box.isVisible() and "bad.ilines was not imported" in window.formats.error_box.text()
    assert "The open plant is unchanged." in window.formats.error_box.informativeText()
    assert dumps_document(window.session.document) == before


def test_export_plant_as_writes_the_exporters_file_or_nothing(window, tmp_path):
    target = tmp_path / "plant.lines"
    written = window.formats.export_to(target)
    assert written == [target.resolve()]
    equipment = next(window.session.document.iter_equipment()).equipment
    assert target.read_text().splitlines()[0].startswith(f"{equipment.id} ")
    assert window.formats.export_to(tmp_path / "plant.step") == []
    assert "no exporter writes '.step'" in window.formats.last_error
    assert not (tmp_path / "plant.step").exists()


def test_cancel_stops_a_long_import_and_keeps_the_open_plant(window, qtbot, tmp_path):
    source = tmp_path / "slow.ilines"
    source.write_text("SLOW\n", encoding="utf-8")
    before = dumps_document(window.session.document)
    window.formats.start_import(source, None, {})
    qtbot.waitUntil(lambda: window.formats.progress is not None and window.formats.progress.value() > 0, timeout=30_000)
    assert window.formats.busy
    button = window.formats.progress.findChild(QPushButton)
    assert button.text() == "Cancel"
    button.click()
    assert not window.formats.busy
    qtbot.wait(300)
    assert dumps_document(window.session.document) == before
    table = window.messages.table
    assert table.topLevelItem(table.topLevelItemCount() - 1).text(1) == "import cancelled; the open plant is unchanged"


def test_file_open_of_another_format_opens_it_untitled_with_its_report(window, qtbot, tmp_path):
    source = tmp_path / "hall.ilines"
    source.write_text("P1 press 3 4\n", encoding="utf-8")
    before = window.session.document
    window.start_open(source)
    qtbot.waitUntil(lambda: window.session.document is not before and not window.opening, timeout=30_000)
    assert window.session.path is None and window.session.imported_from == source
    assert window.windowTitle().startswith("hall.ilines (imported, not saved)")
    assert [p.equipment.id for p in window.session.document.iter_equipment()] == ["P1"]
    table = window.messages.table
    texts = [table.topLevelItem(i).text(1) for i in range(table.topLevelItemCount())]
    assert "Imported hall.ilines (Lines):" in texts
    assert window._save_to(tmp_path / "hall.mtplant.json")
    assert window.session.imported_from is None and window.windowTitle().startswith("hall.mtplant.json")
    assert source.read_text() == "P1 press 3 4\n"


def test_a_dxf_drawing_comes_in_through_the_dialog_with_a_layer_left_out(qtbot, tmp_path):
    from test_format_dxf import write_layout

    main = open_window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    try:
        drawing = write_layout(tmp_path / "hall.dxf")
        dialog = main.formats.ask_and_import(drawing)  # the shipped DXF importer, through the window's plugins
        layer = dialog.fields["layer:EQUIP-C1"]
        assert layer.currentText() == "line"
        layer.setCurrentText("skip")
        dialog.fields["height:PUMP"].setValue(3.5)
        dialog.accept()
        qtbot.waitUntil(lambda: any(s.name == "hall" for s in main.session.document.sites), timeout=60_000)
        site = next(s for s in main.session.document.sites if s.name == "hall")
        equipment = [e for a in site.areas for li in a.lines for c in li.cells for e in c.equipment]
        assert len(equipment) == 3  # the three pumps of EQUIP-L1; the tank and skid's layer was left out
        assert main.session.document.types["dxf:PUMP"].footprint.height == 3.5
        assert {str(e.kind) for e in site.building} == {"wall", "column"} and main.state.active_site == site.id
    finally:
        main.close()
