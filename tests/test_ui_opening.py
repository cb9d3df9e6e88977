"""The window's background open goes through the application's open_plant: with progress and a cancel, the file
read once, a plugin's importer chosen by suffix, and the session the one holder of the document afterwards."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from test_opening import FAKE_IMPORTER
from ui_helpers import open_window, rendered

import viewer.ui.document.loading as loading
from viewer.io import save_document
from viewer.model.synthetic import generate_plant
from viewer.paths import demo_plant_path
from viewer.sensors.plugins import Contribution, PluginManifest
from viewer.ui.document.export_dialog import ExportRequest

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    main = open_window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    yield main
    main.close()


def test_the_background_open_calls_open_plant_once_with_progress_and_cancel(window, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "plant.mtplant.json"
    save_document(generate_plant(window.session.base_library, 120, seed=3), path)
    calls: list[tuple[Path, bool, bool]] = []
    reads: list[Path] = []
    original_open, original_read = loading.open_plant, Path.read_bytes

    def spy(opened_path, library, progress=None, cancelled=None, registry=None):
        calls.append((Path(opened_path), progress is not None, cancelled is not None))
        return original_open(opened_path, library, progress, cancelled, registry)

    def read_bytes(self):
        if self.resolve() == path.resolve():
            reads.append(self)
        return original_read(self)

    monkeypatch.setattr(loading, "open_plant", spy)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    before = window.session.document
    window.start_open(path)
    qtbot.waitUntil(lambda: window.session.document is not before and not window.opening, timeout=30_000)
    assert calls == [(path, True, True)] and len(reads) == 1
    assert window.session.document.equipment_count() == 120 and window.session.path == path
    assert window.tree_dock.model.total == 120  # the tree built in slices, adopted at the hand-over
    assert window.session.prepared is None  # held only while the window took it over
    assert window.editing.recovery.disk is not None and not window.editing.recovery.check_disk()
    # The picture export draws the session's document (the scene keeps no copy of its own).
    picture = tmp_path / "view.png"
    assert window.export_image(ExportRequest(picture, (320, 200), transparent=False)) and picture.is_file()
    assert rendered(window).std() > 5


def test_a_plugins_importer_opens_in_the_window_and_a_bad_file_keeps_the_plant(window, qtbot, tmp_path, monkeypatch):
    (tmp_path / "fake_importer.py").write_text(textwrap.dedent(FAKE_IMPORTER), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    manifest = PluginManifest(
        "fake-formats", "1.0", (Contribution("importer", "fake", "fake_importer:FakeReader", "Fake", (".fake",)),)
    )
    # The window's own plugins (Tools > Plugins), as an installed and enabled importer plugin would be there.
    registry = window.sensor_ui.controller.plugins.registry
    registry.manifests[manifest.name] = manifest
    assert window.session.registry is None and window.session.plugin_registry() is registry
    try:
        bad = tmp_path / "bad.fake"
        bad.write_bytes(b"not it")
        before = window.session.document
        window.start_open(bad)
        qtbot.waitUntil(lambda: not window.opening, timeout=20_000)
        assert window.session.document is before and window.session.path == demo_plant_path()
        assert window.last_error_box.detailedText() == f"{bad}: line 1: expected FAKE at the start"

        good = tmp_path / "copy.fake"
        good.write_bytes(b"FAKE Holland copy")
        window.start_open(good)
        qtbot.waitUntil(lambda: window.session.document is not before and not window.opening, timeout=20_000)
        assert [s.name for s in window.session.document.sites] == ["Holland copy"]
        # Untitled: saving asks where, and never writes a plant document over the file it came from.
        assert window.session.path is None and window.session.imported_from == good
    finally:
        registry.manifests.pop(manifest.name, None)
        sys.modules.pop("fake_importer", None)
