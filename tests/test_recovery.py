"""Never lose work: a process killed mid-edit leaves a recovery file the next start finds and restores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from viewer.io import dumps_document, load_document
from viewer.io.recovery import DiskState, RecoveryWriter, load_recovery, pending_recoveries

EDITOR_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from viewer.io import load_document
    from viewer.io.recovery import RecoveryWriter
    from viewer.model import edit
    from viewer.model.undo import UndoStack

    path, folder, expected = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    document = load_document(path)
    stack = UndoStack(document)
    stack.push(edit.move_by(document, ["OC-ELE1-COT-01"], 3.0, 0.0))
    stack.push(edit.RenameEquipment("OC-ELE1-PRS-01", "Cathode press (rebuilt)"))
    RecoveryWriter(path, folder).write(document)
    from viewer.io import dumps_document
    expected.write_text(dumps_document(document))
    os.kill(os.getpid(), signal.SIGKILL)  # a crash: no clean-up code runs
    """
)


def test_killed_mid_edit_then_recovered(demo_path, tmp_path, library):
    work = tmp_path / "plant.mtplant.json"
    work.write_bytes(demo_path.read_bytes())
    folder = tmp_path / "recovery"
    expected = tmp_path / "expected.json"
    result = subprocess.run([sys.executable, "-c", EDITOR_SCRIPT, str(work), str(folder), str(expected)], timeout=60)
    assert result.returncode == -signal.SIGKILL
    (entry,) = pending_recoveries(folder)
    assert entry.original == work.resolve()
    assert entry.equipment == 155
    assert entry.describe().startswith(f"{work.resolve()}, 155 equipment, last autosaved 20")
    recovered = load_recovery(entry, library)
    assert dumps_document(recovered) == expected.read_text()
    # The file on disk was never touched by the crashed editor.
    assert work.read_bytes() == demo_path.read_bytes()


def test_live_process_recovery_is_not_offered_and_discard_removes_it(demo_path, tmp_path):
    folder = tmp_path / "recovery"
    writer = RecoveryWriter(demo_path, folder)
    writer.write(load_document(demo_path))
    assert pending_recoveries(folder) == []  # this process is alive: nothing crashed
    writer.discard()
    assert list(folder.iterdir()) == []


def test_unreadable_recovery_files_are_skipped(tmp_path):
    folder = tmp_path / "recovery"
    folder.mkdir()
    (folder / "junk.mtrecovery.json").write_text("{ not json")
    assert pending_recoveries(folder) == []


def test_changed_on_disk(tmp_path):
    path = tmp_path / "f.json"
    path.write_text("one")
    state = DiskState.of(path)
    assert not state.changed(path)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert not state.changed(path)  # touched, same content
    path.write_text("two")
    assert state.changed(path)
    path.unlink()
    assert state.changed(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_failed_save_into_read_only_folder_keeps_the_old_file(demo_path, tmp_path):
    from viewer.io import save_document

    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "plant.json"
    target.write_text("old")
    folder.chmod(0o555)
    try:
        with pytest.raises(PermissionError):
            save_document(load_document(demo_path), target)
        assert target.read_text() == "old"
    finally:
        folder.chmod(0o755)


def test_failed_save_names_the_reason_even_as_root(demo_path, tmp_path):
    from viewer.io import save_document

    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    with pytest.raises(NotADirectoryError):
        save_document(load_document(demo_path), not_a_folder / "plant.json")
    assert not_a_folder.read_text() == "x"
