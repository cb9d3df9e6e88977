"""`mothertwin review export|import|list`: the real commands on a plant with review topics and on bad BCF files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from viewer.cli import main
from viewer.io import builtin_library, load_document, save_document
from viewer.model.review import TopicStatus
from viewer.paths import demo_plant_path
from viewer.review.synthetic import synthetic_topics

ROOT = Path(__file__).resolve().parents[1]
BCF_CASES = next(
    (p / "shared/data/bcf/cases" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared/data/bcf").is_dir()),
    ROOT.parent / "shared" / "data" / "bcf" / "cases",
)


@pytest.fixture
def plant(tmp_path) -> Path:
    """The demo plant with six review topics (synthetic, with snapshots), saved."""
    document = load_document(demo_plant_path(), builtin_library())
    topics, snapshots = synthetic_topics(document, 6, seed=3)
    document.review.topics[:] = topics
    document.review.snapshots.update(snapshots)
    path = tmp_path / "plant.mtplant.json"
    save_document(document, path)
    return path


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_export_writes_a_bcf_of_every_topic(plant, tmp_path, capsys):
    out = tmp_path / "review.bcf"
    status, stdout, _ = _run(capsys, "review", "export", plant, "-o", out)
    assert status == 0
    assert stdout.startswith(f"wrote {out}: BCF 2.1, 6 topics, 6 viewpoints, 6 snapshots, ")
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        version = etree.fromstring(archive.read("bcf.version")).get("VersionId")
    assert version == "2.1"
    assert sum(n.endswith("/markup.bcf") for n in names) == 6
    assert sum(n.endswith("/snapshot.png") for n in names) == 6


def test_export_by_status_and_as_bcf_30(plant, tmp_path, capsys):
    document = load_document(plant, builtin_library())
    wanted = [t for t in document.review.topics if t.status in (TopicStatus.OPEN, TopicStatus.IN_PROGRESS)]
    out = tmp_path / "open.bcf"
    status, stdout, _ = _run(capsys, "review", "export", plant, "-o", out, "--bcf-version", "3.0",
                             "--status", "open", "--status", "in_progress")  # fmt: skip
    assert status == 0
    assert f"BCF 3.0, {len(wanted)} topics" in stdout
    with zipfile.ZipFile(out) as archive:
        folders = sorted(n.split("/")[0] for n in archive.namelist() if n.endswith("/markup.bcf"))
        assert etree.fromstring(archive.read("bcf.version")).get("VersionId") == "3.0"
        assert "extensions.xml" in archive.namelist()
    assert folders == sorted(t.guid for t in wanted)


def test_export_with_an_unknown_status_is_a_usage_error(plant, tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["review", "export", str(plant), "-o", str(tmp_path / "x.bcf"), "--status", "pending"])
    assert caught.value.code == 2
    assert "unknown status 'pending': expected one of open, in progress, resolved, closed" in capsys.readouterr().err


def test_import_merges_by_guid_and_a_second_import_changes_nothing(plant, tmp_path, capsys):
    bcf = tmp_path / "review.bcf"
    _run(capsys, "review", "export", plant, "-o", bcf)
    empty = tmp_path / "empty.mtplant.json"
    save_document(load_document(demo_plant_path(), builtin_library()), empty)
    merged = tmp_path / "merged.mtplant.json"
    status, stdout, _ = _run(capsys, "review", "import", empty, bcf, "-o", merged)
    assert status == 0
    assert stdout.count("added #") == 6
    assert "6 topics read: 6 added, 0 updated, 0 unchanged" in stdout
    library = builtin_library()
    assert load_document(merged, library).review.topics == load_document(plant, library).review.topics
    again = tmp_path / "again.mtplant.json"
    status, stdout, _ = _run(capsys, "review", "import", merged, bcf, "-o", again)
    assert status == 0
    assert "added #" not in stdout and "updated #" not in stdout
    assert "6 topics read: 0 added, 0 updated, 6 unchanged; 0 comments added, 0 updated; 0 skipped" in stdout
    assert again.read_text() == merged.read_text()


def test_import_of_a_real_file_lists_what_was_skipped(tmp_path, capsys):
    source = BCF_CASES / "v2.1-maximum-information.bcf"
    if not source.is_file():
        pytest.skip(f"{source} is absent (the shared BCF test data is not on this machine)")
    out = tmp_path / "with-topics.mtplant.json"
    status, stdout, _ = _run(capsys, "review", "import", "demo", source, "-o", out)
    assert status == 0
    assert "added #1 Referenced topic" in stdout and "added #2 Maximum Content" in stdout
    assert (f"skipped: {source}: 63E78882-7C6A-4BF7-8982-FC478AFB9C97/markup.bcf, line 11, TopicType: 'Structural' "
            "is none of MotherTwin's; read as issue") in stdout  # fmt: skip
    assert "2 topics read: 2 added" in stdout
    assert len(load_document(out, builtin_library()).review.topics) == 2


def test_import_of_bad_input_fails_clearly_and_writes_nothing(plant, tmp_path, capsys):
    not_zip = tmp_path / "notes.bcf"
    not_zip.write_text("meeting notes")
    out = tmp_path / "out.mtplant.json"
    status, _, stderr = _run(capsys, "review", "import", plant, not_zip, "-o", out)
    assert status == 1
    assert f"{not_zip}: file: not a zip archive" in stderr and "expected a BCF file" in stderr
    assert not out.exists()
    unknown = tmp_path / "future.bcf"
    with zipfile.ZipFile(unknown, "w") as archive:
        archive.writestr("bcf.version", '<Version VersionId="9.1"/>')
    status, _, stderr = _run(capsys, "review", "import", plant, unknown, "-o", out)
    assert status == 1
    assert f"{unknown}: bcf.version, line 1, VersionId: BCF version '9.1' is not read: expected 2.0" in stderr
    assert not out.exists()
    status, _, stderr = _run(capsys, "review", "import", plant, unknown, "-o", tmp_path / "out.aml")
    assert status == 2 and "the output is a plant document" in stderr


def test_list_prints_topics_with_status_equipment_and_camera(plant, capsys):
    document = load_document(plant, builtin_library())
    first = document.review.topics[0]
    status, stdout, _ = _run(capsys, "review", "list", plant)
    assert status == 0
    lines = stdout.splitlines()
    assert lines[0].startswith(f"#{first.number:<4d} {first.status.value:<11s} {first.title}")
    x, y, z = first.viewpoints[0].camera.position
    assert lines[1] == (f"      equipment {first.equipment[0]}; assignee {first.assignee}; due {first.due_date}; "
                        f"camera ({x:.1f}, {y:.1f}, {z:.1f}) -> "
                        + ", ".join(f"{v:.1f}" for v in first.viewpoints[0].camera.focal_point).join("()")
                        + ", 30 deg")  # fmt: skip
    assert lines[-1] == "6 topics"


def test_list_json(plant, capsys):
    document = load_document(plant, builtin_library())
    status, stdout, _ = _run(capsys, "review", "list", plant, "--json")
    assert status == 0
    rows = json.loads(stdout)
    assert [r["number"] for r in rows] == [t.number for t in document.review.topics]
    first, topic = rows[0], document.review.topics[0]
    assert (first["status"], first["title"], first["equipment"], first["assignee"], first["due_date"]) == (
        topic.status.value, topic.title, list(topic.equipment), topic.assignee, topic.due_date)  # fmt: skip
    assert first["camera"] == topic.viewpoints[0].camera.to_dict()


def test_review_without_an_action_says_what_to_choose(capsys):
    status, _, stderr = _run(capsys, "review")
    assert status == 2 and "choose an action: export, import or list" in stderr


def test_the_installed_command_runs(plant, tmp_path):
    """The same through `python -m viewer.cli`, as a user runs it."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "plugins"), *filter(None, [env.get("PYTHONPATH")])])
    out = tmp_path / "cli.bcf"
    result = subprocess.run([sys.executable, "-m", "viewer.cli", "review", "export", str(plant), "-o", str(out),
                             "--bcf-version", "3.0"], capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out}: BCF 3.0, 6 topics")
    assert zipfile.is_zipfile(out)
