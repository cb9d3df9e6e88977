"""Never lose work, in the real window: autosave and recovery after a killed process, failed saves, unsaved
prompts, files changed on disk; and the Edit / Arrange commands and mesh import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import trimesh
from PySide6.QtCore import QSettings
from ui_helpers import ANODE_COATER, CATHODE_COATER, open_window, settle

from viewer.app.document import Severity
from viewer.io.recovery import pending_recoveries, recovery_dir
from viewer.model.edit import locate, move_by
from viewer.paths import demo_plant_path
from viewer.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def plant(tmp_path) -> Path:
    """A copy of the demo plant the test may change and save."""
    path = tmp_path / "plant" / "ochang.mtplant.json"
    path.parent.mkdir()
    path.write_bytes(demo_plant_path().read_bytes())
    return path


@pytest.fixture
def window(qtbot, tmp_path, plant):
    main = open_window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert main.open_file(plant)
    settle(main)
    yield main
    main.close()


def x_of(main: MainWindow, equipment_id: str) -> float:
    return locate(main.session.document, [equipment_id])[0].equipment.pose.x


CHILD = """
import sys
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from viewer.model.edit import move_by
from viewer.ui.main_window import MainWindow

app = QApplication([])
window = MainWindow(settings=QSettings(sys.argv[2], QSettings.Format.IniFormat))
window.show()
assert window.open_file(Path(sys.argv[1]))
window.editing.recovery.set_interval(0.2)
window.editing.edits.push(move_by(window.session.document, ["OC-ELE1-COT-01"], 3.0, 0.0))
window.editing.recovery.autosaved.connect(lambda path: print("autosaved", path, flush=True))
app.exec()
"""


def test_killed_mid_edit_then_recovered(qtbot, tmp_path, plant, monkeypatch):
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(CHILD), encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), str(plant), str(tmp_path / "child.ini")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),  # the same DISPLAY and the test's recovery folder
    )
    try:
        deadline = time.monotonic() + 40
        while not list(recovery_dir().glob("*.mtrecovery.json")):
            assert child.poll() is None, child.stdout.read().decode(errors="replace")
            assert time.monotonic() < deadline, "the child never autosaved"
            time.sleep(0.1)
        time.sleep(0.3)  # let the write that made the file finish (it is atomic anyway)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    (entry,) = pending_recoveries()
    assert entry.original == plant.resolve()

    monkeypatch.setenv("MOTHERTWIN_RECOVERY_ANSWER", "recover")
    main = MainWindow(settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    assert main.editing.offer_recovery()
    settle(main)
    try:
        assert main.session.path == plant.resolve()
        assert x_of(main, CATHODE_COATER) == 20.0 + 3.0  # the edit made before the kill is back
        assert main.session.modified and main.windowTitle().startswith("ochang.mtplant.json*")
        assert "recovered unsaved edits" in main.messages.messages[-1].text
        assert main.save()
        assert not list(recovery_dir().glob("*.mtrecovery.json"))  # saved: nothing left to recover
        assert "OC-ELE1-COT-01" in plant.read_text(encoding="utf-8")
        assert not main.session.modified
    finally:
        main.close()


def test_autosave_writes_when_modified_and_is_discarded_on_save(window):
    recovery = window.editing.recovery
    assert recovery.autosave() is None  # nothing to save yet
    window.editing.edits.push(move_by(window.session.document, [CATHODE_COATER], 1.0, 0.0))
    written = recovery.autosave()
    assert written is not None and written.exists()
    assert pending_recoveries() == []  # our own process is alive: not a crash
    assert window.save()
    assert not written.exists()
    assert not window.windowTitle().split(" — ")[0].endswith("*")


def test_failed_save_shows_why_and_keeps_the_document_modified(window, tmp_path, plant):
    window.editing.edits.push(move_by(window.session.document, [CATHODE_COATER], 1.0, 0.0))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file", encoding="utf-8")
    target = blocker / "plant.mtplant.json"  # under a regular file: fails even as root

    assert not window._save_to(target)

    box = window.last_error_box
    assert box is not None and box.isVisible()
    assert str(target) in box.text() and "Not a directory" in box.informativeText()
    error = window.messages.messages[-1]
    assert error.severity == Severity.ERROR and "Not a directory" in error.text and error.file == str(target)
    assert window.session.modified and window.session.path == plant
    assert window.windowTitle().startswith("ochang.mtplant.json*")
    assert x_of(window, CATHODE_COATER) == 21.0
    box.close()


def test_unsaved_prompt_on_close_and_open(window, monkeypatch, plant):
    window.editing.edits.push(move_by(window.session.document, [CATHODE_COATER], 1.0, 0.0))
    monkeypatch.setenv("MOTHERTWIN_UNSAVED_ANSWER", "cancel")
    assert not window.close()
    assert window.isVisible() and x_of(window, CATHODE_COATER) == 21.0
    assert not window.open_file(demo_plant_path())  # Cancel keeps the edited plant open
    assert window.session.path == plant
    monkeypatch.setenv("MOTHERTWIN_UNSAVED_ANSWER", "save")
    assert window.open_file(demo_plant_path())  # saved first, then opened
    assert '"x": 21.0' in plant.read_text(encoding="utf-8")
    assert window.session.path == demo_plant_path() and not window.session.modified


def test_file_changed_on_disk_offers_reload_or_keep(window, plant):
    assert not window.editing.recovery.check_disk()
    text = plant.read_text(encoding="utf-8").replace('"name": "Cathode coater"', '"name": "Coater K"')
    plant.write_text(text, encoding="utf-8")
    assert window.editing.recovery.check_disk()
    bar = window.editing.disk_bar
    assert bar.isVisible() and "changed on disk" in bar.label.text()
    bar.keep_button.click()
    assert not bar.isVisible() and window.session.modified  # kept: it differs from the file now
    assert locate(window.session.document, [CATHODE_COATER])[0].equipment.name == "Cathode coater"

    plant.write_text(text.replace("Coater K", "Coater L"), encoding="utf-8")
    assert window.editing.recovery.check_disk()
    bar.reload_button.click()
    settle(window)
    assert locate(window.session.document, [CATHODE_COATER])[0].equipment.name == "Coater L"
    assert not window.session.modified


def test_delete_duplicate_array_align_and_move_to_cell(window):
    edits, undo = window.editing.edits, window.session.undo
    count = len(window.scene.view.batch)
    window.state.select([CATHODE_COATER])
    window.editing.duplicate_action.trigger()
    (copy,) = window.state.selection
    assert copy != CATHODE_COATER and len(window.scene.view.batch) == count + 1
    assert copy in window.tree_dock.model.equipment_items
    window.editing.delete_action.trigger()
    assert len(window.scene.view.batch) == count and window.state.selection == ()
    window.state.select([CATHODE_COATER])
    edits.array_copy(3, 0.0, 4.0)
    assert len(window.state.selection) == 3 and len(window.scene.view.batch) == count + 3
    window.state.select([CATHODE_COATER, ANODE_COATER])
    window.editing.align_actions["left"].trigger()
    edits.move_to_cell("OC-ELE1-PRS")
    assert locate(window.session.document, [ANODE_COATER])[0].cell.id == "OC-ELE1-PRS"
    assert undo.texts() == ["Duplicate", "Delete", "Array copy × 3", "Align left", "Move to cell"]
    undo.go_to(0)
    assert len(window.scene.view.batch) == count
    assert locate(window.session.document, [ANODE_COATER])[0].cell.id == "OC-ELE1-COT"
    window.state.select([CATHODE_COATER])
    assert not window.editing.align_actions["left"].isEnabled()  # needs two
    edits.align("left")  # asked anyway: refused with the reason
    assert "at least 2" in window.messages.messages[-1].text


def test_import_mesh_asks_units_then_adds_a_type(window, tmp_path, plant):
    source = tmp_path / "Vendor Press.stl"
    source.write_bytes(trimesh.creation.box(extents=(2500, 1200, 1800)).export(file_type="stl"))
    asked = []

    def ask(reason: str) -> float:
        asked.append(reason)
        return 0.001  # millimetres

    name = window.editing.edits.import_mesh(source, ask)
    assert name == "vendor_press" and len(asked) == 1 and "does not say which unit" in asked[0]
    assert (plant.parent / "meshes" / "vendor_press.glb").exists()
    assert window.session.library["vendor_press"].footprint.width == 2.5
    new_id = window.editing.edits.add_at("vendor_press", 30.0, 22.0)
    assert new_id is not None and len(window.scene.view.batch) == 156
    window.session.undo.go_to(0)
    assert "vendor_press" not in window.session.document.types
