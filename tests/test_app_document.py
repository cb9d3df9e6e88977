"""The open document without a window: viewer.app.document opens, edits, undoes, saves and closes a plant."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

HEADLESS_SESSION = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path

    from viewer.app.document import DocumentSession
    from viewer.model.edit import RenameEquipment
    from viewer.paths import demo_plant_path

    target = Path(sys.argv[1])
    session = DocumentSession()
    seen = []
    session.document_changed.connect(lambda document: seen.append("changed"))
    session.saved.connect(lambda path: seen.append("saved " + Path(path).name))
    session.document_closed.connect(lambda: seen.append("closed"))
    assert session.open(demo_plant_path())
    assert session.disk_on_open is not None and session.library is not None
    first = next(session.document.iter_equipment()).equipment
    old_name = first.name
    session.undo.push(RenameEquipment(first.id, "renamed"))
    renamed, modified = first.name, session.modified
    session.undo.undo()
    undone, clean_again = first.name, not session.modified
    session.undo.push(RenameEquipment(first.id, "kept"))
    written = session.save(target)
    after_save = session.modified
    session.close()
    print(json.dumps({
        "old": old_name, "renamed": renamed, "modified": modified, "undone": undone, "clean": clean_again,
        "written": str(written), "path_after_save": after_save, "seen": seen,
        "closed": [session.document, session.path, session.undo, session.library],
        "gui": sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "vtkmodules", "vtk", "pyvista")),
    }))
    """
)


def test_a_document_opens_edits_undoes_saves_and_closes_without_qt(tmp_path):
    target = tmp_path / "saved.mtplant.json"
    run = subprocess.run(
        [sys.executable, "-c", HEADLESS_SESSION, str(target)], capture_output=True, text=True, check=True
    )
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["gui"] == []  # no PySide6, no VTK was imported on the way
    assert out["renamed"] == "renamed" and out["modified"] is True
    assert out["undone"] == out["old"] and out["clean"] is True
    assert out["written"] == str(target) and out["path_after_save"] is False
    assert out["seen"] == ["changed", "saved saved.mtplant.json", "closed"]
    assert out["closed"] == [None, None, None, None]
    saved = target.read_text(encoding="utf-8")
    assert '"kept"' in saved and '"renamed"' not in saved


def test_a_file_that_cannot_be_opened_keeps_the_open_document(tmp_path):
    from viewer.app.document import DocumentSession, Severity
    from viewer.paths import demo_plant_path

    session = DocumentSession()
    assert session.open(demo_plant_path())
    before = session.document
    bad = tmp_path / "bad.mtplant.json"
    bad.write_text("{not json", encoding="utf-8")
    failures, reported = [], []
    session.open_failed.connect(lambda path, problems: failures.append((path, problems)))
    session.messages_reported.connect(reported.extend)
    assert not session.open(bad)
    assert session.document is before and session.path == demo_plant_path()
    assert failures and failures[0][0] == str(bad) and failures[0][1]
    assert reported and all(m.severity is Severity.ERROR and m.file == str(bad) for m in reported)
    assert json.loads(demo_plant_path().read_text(encoding="utf-8"))  # the open file itself is untouched
