"""BCF 2.1 and 3.0 export and import of review topics (viewer.review.bcf_*): files that validate against the
official XSDs, the real BCF files of other tools, merging by GUID, and bad input (climbing paths, zip and XML
bombs, missing snapshots, unknown components and versions, broken markup)."""

from __future__ import annotations

import io
import math
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from lxml import etree
from PIL import Image

from viewer.io import builtin_library, dumps_document, load_document
from viewer.model import Equipment
from viewer.model.review import (
    Comment,
    MarkupKind,
    MarkupShape,
    Measurement,
    Priority,
    ReviewViewpoint,
    Topic,
    TopicStatus,
    TopicType,
    snapshot_key,
)
from viewer.model.undo import UndoStack
from viewer.model.views import CameraState
from viewer.paths import demo_plant_path
from viewer.review.bcf_archive import BcfError, BcfLimits
from viewer.review.bcf_merge import merge_bcf
from viewer.review.bcf_read import read_bcf
from viewer.review.bcf_write import export_bcf

ROOT = Path(__file__).resolve().parents[1]
BCF_DATA = next(
    (p / "shared" / "data" / "bcf" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared/data/bcf").is_dir()),
    ROOT.parent / "shared" / "data" / "bcf",
)
IFC_ID = "2O2Fr$t4X7Zf8NOew3FNr2"  # an IFC GlobalId, as equipment imported from IFC keep it
TOPIC_GUID = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
VIEW_GUID = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d"
SECOND_VIEW_GUID = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
PLAIN_VIEW_GUID = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f"


def needs(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared BCF test data is not on this machine)")
    return path


def _png(size: tuple[int, int] = (320, 200)) -> bytes:
    pixels = np.zeros((size[1], size[0], 3), dtype=np.uint8)
    pixels[:, :, 1] = np.linspace(60, 160, size[0], dtype=np.uint8)[None, :]
    pixels[:, :, 2] = 90
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, format="PNG")
    return out.getvalue()


ARROW = MarkupShape(MarkupKind.ARROW, ((0.1, 0.5), (0.9, 0.5)), (230, 40, 40), 6.0)


@pytest.fixture
def document():
    document = load_document(demo_plant_path(), builtin_library())
    cell = document.sites[0].areas[0].lines[0].cells[0]
    cell.equipment.append(Equipment(IFC_ID, "Pump from IFC", "slurry_mixer"))
    png = _png()
    key = document.review.add_snapshot(png)
    camera = CameraState((30.0, -20.0, 18.0), (10.0, 5.0, 1.0), (0.0, 0.0, 1.0), view_angle=30.0)
    first = ReviewViewpoint(
        guid=VIEW_GUID, camera=camera, site="OC", selection=("OC-ELE1-MIX-01", IFC_ID), hidden=("OC-ELE1-COT",),
        xray=True, clip_box=((-5.0, -4.0, 0.0), (40.0, 30.0, 6.5)), color_by="state",
        replay_time="2026-12-01T10:00:00+09:00", snapshot=key, markup=(ARROW,),
    )  # fmt: skip
    second = ReviewViewpoint(
        guid=SECOND_VIEW_GUID, camera=CameraState((10.0, 5.0, 80.0), (10.0, 5.0, 0.0), (0.0, 1.0, 0.0), True, 12.5),
        site="OC", isolated="OC-ELE1-PRS", snapshot=key,
    )  # fmt: skip
    topic = Topic(
        guid=TOPIC_GUID, title="Mixer too close to the coater", number=7, description="Needs 1.2 m access.",
        type=TopicType.REQUEST, status=TopicStatus.IN_PROGRESS, priority=Priority.HIGH, labels=("layout", "safety"),
        assignee="kim.minjun", due_date="2026-12-20", author="lee.seoyeon", created="2026-12-01T09:00:00+09:00",
        modified_author="lee.seoyeon", modified="2026-12-02T09:00:00+09:00", site="OC",
        equipment=("OC-ELE1-MIX-01",), pin=(12.5, 4.25, 2.5), decision="Move the mixer 0.5 m west",
        comments=(
            Comment("c0000000-0000-4000-8000-000000000001", "kim.minjun", "2026-12-01T10:00:00+09:00",
                    "Measured on site: 0.9 m.", viewpoint=VIEW_GUID),
            Comment("c0000000-0000-4000-8000-000000000002", "j.miller", "2026-12-01T11:00:00+09:00", "Agreed."),
        ),
        viewpoints=(first, second), related=("5019d939-62a4-45d9-b205-fab602c98fe8",),
        measurement=Measurement((10.0, 4.0, 0.0), (10.0, 5.2, 0.0)),
    )  # fmt: skip
    plain = Topic(guid="4a5b6c7d-8e9f-4a0b-8c1d-2e3f4a5b6c7d", title="Is the AGV route wide enough?", number=8,
                  type=TopicType.QUESTION, author="a.novak", created="2026-12-03T08:00:00+09:00",
                  viewpoints=(ReviewViewpoint(PLAIN_VIEW_GUID, camera=camera, site="OC"),))  # fmt: skip
    document.review.topics[:] = [topic, plain]
    return document


def _schemas(version: str) -> dict[str, etree.XMLSchema]:
    folder = needs(BCF_DATA / f"schemas-{version}")
    names = ("markup", "visinfo", "project", "version") + (("extensions",) if version == "3.0" else ())
    return {name: etree.XMLSchema(etree.parse(str(folder / f"{name}.xsd"))) for name in names}


def _kind(name: str) -> str | None:
    fixed = {"bcf.version": "version", "project.bcfp": "project", "extensions.xml": "extensions"}
    if name in fixed:
        return fixed[name]
    return "markup" if name.endswith(".bcf") else "visinfo" if name.endswith(".bcfv") else None


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rewrite(source: Path, target: Path, changes: dict[str, bytes | None]) -> Path:
    """A copy of a zip with members replaced, added or (None) left out."""
    members = _members(source)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name in changes:
                continue
            archive.writestr(name, data)
        for name, data in changes.items():
            if data is not None:
                archive.writestr(name, data)
    return target


# ---------------------------------------------------------------- export


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_every_xml_file_written_validates_against_the_official_schema(document, tmp_path, version):
    schemas = _schemas(version)
    path = tmp_path / "review.bcf"
    summary = export_bcf(document, path, version)
    assert (summary.topics, summary.viewpoints, summary.snapshots) == (2, 3, 2)
    checked = 0
    for name, data in _members(path).items():
        kind = _kind(name)
        if kind is None:
            continue
        schema = schemas[kind]
        assert schema.validate(etree.fromstring(data)), f"{name}: {schema.error_log.last_error}"
        checked += 1
    assert checked == 2 + (1 if version == "3.0" else 0) + 2 + 3  # root files, two markups, three viewpoints
    version_root = etree.fromstring(_members(path)["bcf.version"])
    assert version_root.get("VersionId") == version


def test_bcf21_layout_first_viewpoint_as_viewpoint_bcfv_and_snapshot_png(document, tmp_path):
    path = tmp_path / "review.bcf"
    export_bcf(document, path, "2.1")
    names = set(_members(path))
    folder = TOPIC_GUID
    assert {f"{folder}/markup.bcf", f"{folder}/viewpoint.bcfv", f"{folder}/snapshot.png",
            f"{folder}/{SECOND_VIEW_GUID}.bcfv", f"{folder}/{SECOND_VIEW_GUID}.png",
            f"{folder}/mothertwin.xml"} <= names  # fmt: skip
    markup = etree.fromstring(_members(path)[f"{folder}/markup.bcf"])
    entries = markup.findall("Viewpoints")
    assert [e.findtext("Viewpoint") for e in entries] == ["viewpoint.bcfv", f"{SECOND_VIEW_GUID}.bcfv"]
    assert [e.findtext("Snapshot") for e in entries] == ["snapshot.png", f"{SECOND_VIEW_GUID}.png"]
    # The markup names no file of ours: other readers never see the extension.
    assert b"mothertwin" not in _members(path)[f"{folder}/markup.bcf"]


def test_topic_fields_in_bcf_words(document, tmp_path):
    path = tmp_path / "review.bcf"
    export_bcf(document, path, "3.0")
    topic = etree.fromstring(_members(path)[f"{TOPIC_GUID}/markup.bcf"]).find("Topic")
    assert (topic.get("TopicType"), topic.get("TopicStatus")) == ("Request", "In Progress")
    assert topic.findtext("Priority") == "High"
    assert [e.text for e in topic.findall("Labels/Label")] == ["layout", "safety"]
    assert topic.findtext("DueDate") == "2026-12-20T12:00:00Z"
    assert topic.findtext("AssignedTo") == "kim.minjun"
    assert topic.find("RelatedTopics/RelatedTopic").get("Guid") == "5019d939-62a4-45d9-b205-fab602c98fe8"
    comments = topic.findall("Comments/Comment")
    assert [c.findtext("Comment") for c in comments] == ["Measured on site: 0.9 m.", "Agreed."]
    assert comments[0].find("Viewpoint").get("Guid") == VIEW_GUID
    assert comments[1].find("Viewpoint") is None


def test_snapshot_has_its_markup_drawn_in_and_the_clean_picture_beside_it(document, tmp_path):
    path = tmp_path / "review.bcf"
    export_bcf(document, path, "2.1")
    members = _members(path)
    original = document.review.snapshots[document.review.topics[0].viewpoints[0].snapshot]
    drawn = np.asarray(Image.open(io.BytesIO(members[f"{TOPIC_GUID}/snapshot.png"])).convert("RGB")).astype(int)
    clean = np.asarray(Image.open(io.BytesIO(original)).convert("RGB")).astype(int)
    assert members[f"{TOPIC_GUID}/mothertwin-{VIEW_GUID}.png"] == original
    assert tuple(drawn[100, 160]) == (230, 40, 40)  # the arrow runs across the middle
    assert np.array_equal(drawn[20], clean[20])  # far from it the picture is as it was
    # The second viewpoint has no markup: its snapshot is the picture itself, and no clean copy is needed.
    assert members[f"{TOPIC_GUID}/{SECOND_VIEW_GUID}.png"] == original
    assert f"{TOPIC_GUID}/mothertwin-{SECOND_VIEW_GUID}.png" not in members


def _visinfo(path: Path, member: str) -> etree._Element:
    return etree.fromstring(_members(path)[member])


def test_components_selection_visibility_and_ifc_guids(document, tmp_path):
    path = tmp_path / "review.bcf"
    export_bcf(document, path, "3.0")
    first = _visinfo(path, f"{TOPIC_GUID}/viewpoint.bcfv")
    selected = first.findall("Components/Selection/Component")
    assert [c.findtext("AuthoringToolId") for c in selected] == ["OC-ELE1-MIX-01", IFC_ID]
    assert [c.get("IfcGuid") for c in selected] == [None, IFC_ID]  # IfcGuid only for an IFC GlobalId
    visibility = first.find("Components/Visibility")
    coater = [e.id for e in document.sites[0].areas[0].lines[0].cells[1].equipment]
    assert visibility.get("DefaultVisibility") == "true"
    assert [c.findtext("AuthoringToolId") for c in visibility.findall("Exceptions/Component")] == coater
    # Isolating the press cell: the shorter list is the two presses shown, everything else hidden.
    second = _visinfo(path, f"{TOPIC_GUID}/{SECOND_VIEW_GUID}.bcfv")
    visibility = second.find("Components/Visibility")
    assert visibility.get("DefaultVisibility") == "false"
    assert [c.findtext("AuthoringToolId") for c in visibility.findall("Exceptions/Component")] == [
        "OC-ELE1-PRS-01", "OC-ELE1-PRS-02"]  # fmt: skip
    # Everything visible and nothing selected: no component listed at all.
    plain = _visinfo(path, "4a5b6c7d-8e9f-4a0b-8c1d-2e3f4a5b6c7d/viewpoint.bcfv")
    assert plain.findall(".//Component") == []
    assert plain.find("Components/Visibility").get("DefaultVisibility") == "true"


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_cameras_clipping_planes_and_measurement(document, tmp_path, version):
    path = tmp_path / "review.bcf"
    export_bcf(document, path, version)
    first = _visinfo(path, f"{TOPIC_GUID}/viewpoint.bcfv")
    camera = first.find("PerspectiveCamera")
    point = [float(camera.findtext(f"CameraViewPoint/{a}")) for a in "XYZ"]
    direction = [float(camera.findtext(f"CameraDirection/{a}")) for a in "XYZ"]
    assert point == [30.0, -20.0, 18.0]
    expected = np.array([-20.0, 25.0, -17.0]) / np.linalg.norm([-20.0, 25.0, -17.0])
    assert np.allclose(direction, expected, atol=1e-12)
    up = [float(camera.findtext(f"CameraUpVector/{a}")) for a in "XYZ"]
    assert abs(np.dot(up, direction)) < 1e-12 and up[2] > 0.8
    # BCF 2.1's schema allows 45..60 degrees only; 3.0 holds the angle as it is, and the picture's shape.
    assert float(camera.findtext("FieldOfView")) == (45.0 if version == "2.1" else 30.0)
    if version == "3.0":
        assert float(camera.findtext("AspectRatio")) == pytest.approx(320 / 200)
    ortho = _visinfo(path, f"{TOPIC_GUID}/{SECOND_VIEW_GUID}.bcfv").find("OrthogonalCamera")
    assert float(ortho.findtext("ViewToWorldScale")) == 25.0  # the view's height: twice VTK's parallel scale
    planes = first.findall("ClippingPlanes/ClippingPlane")
    assert len(planes) == 6
    top = planes[5]
    assert [float(top.findtext(f"Location/{a}")) for a in "XYZ"] == [40.0, 30.0, 6.5]
    assert [float(top.findtext(f"Direction/{a}")) for a in "XYZ"] == [0.0, 0.0, 1.0]
    line = first.find("Lines/Line")
    assert [float(line.findtext(f"EndPoint/{a}")) for a in "XYZ"] == [10.0, 5.2, 0.0]


def test_export_is_atomic_and_leaves_the_old_file_on_failure(document, tmp_path, monkeypatch):
    path = tmp_path / "review.bcf"
    path.write_bytes(b"the old file")

    def broken(png, shapes):
        raise OSError("disk full")

    monkeypatch.setattr("viewer.review.bcf_write.drawn_snapshot", broken)
    with pytest.raises(OSError, match="disk full"):
        export_bcf(document, path, "2.1")
    assert path.read_bytes() == b"the old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review.bcf"]


def test_unknown_version_is_not_written(document, tmp_path):
    with pytest.raises(ValueError, match=r"BCF version '4\.0' is not written: expected one of 2\.1, 3\.0"):
        export_bcf(document, tmp_path / "x.bcf", "4.0")
    assert not (tmp_path / "x.bcf").exists()


# ---------------------------------------------------------------- round trip and merge


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_round_trip_gives_the_same_topics_and_a_second_import_changes_nothing(document, tmp_path, version):
    path = tmp_path / "review.bcf"
    export_bcf(document, path, version)
    imported = read_bcf(path, document)
    assert imported.skipped == []
    assert imported.topics == document.review.topics  # every field, exactly: camera, markup, pin, groups
    assert merge_bcf(document, imported).command is None  # the same file into the same plant: no edit

    fresh = load_document(demo_plant_path(), builtin_library())
    fresh.sites[0].areas[0].lines[0].cells[0].equipment.append(Equipment(IFC_ID, "Pump from IFC", "slurry_mixer"))
    merged = merge_bcf(fresh, read_bcf(path, fresh))
    stack = UndoStack(fresh)
    stack.push(merged.command)
    assert fresh.review.topics == document.review.topics
    assert fresh.review.snapshots == {k: document.review.snapshots[k] for k in document.review.used_snapshots()}
    again = merge_bcf(fresh, read_bcf(path, fresh))
    assert again.command is None and again.unchanged == 2


def _markup_with(path: Path, old: bytes, new: bytes) -> bytes:
    data = _members(path)[f"{TOPIC_GUID}/markup.bcf"]
    assert old in data
    return data.replace(old, new)


def test_a_changed_comment_updates_and_a_new_one_is_added_in_one_undo_step(document, tmp_path):
    path = tmp_path / "review.bcf"
    export_bcf(document, path, "2.1")
    before = dumps_document(document)
    new_comment = (b'<Comment Guid="d0000000-0000-4000-8000-000000000003"><Date>2026-12-04T09:00:00+09:00</Date>'
                   b"<Author>park.jihoon</Author><Comment>Moved on Friday.</Comment></Comment>")  # fmt: skip
    markup = _markup_with(path, b"<Comment>Agreed.</Comment>",
                          b"<Comment>Agreed, 0.5 m.</Comment><ModifiedDate>2026-12-03T10:00:00+09:00</ModifiedDate>")
    markup = markup.replace(b"<Viewpoints ", new_comment + b"<Viewpoints ", 1)
    changed = _rewrite(path, tmp_path / "changed.bcf", {f"{TOPIC_GUID}/markup.bcf": markup})
    merged = merge_bcf(document, read_bcf(changed, document))
    assert (len(merged.added), len(merged.updated), merged.unchanged) == (0, 1, 1)
    assert (merged.comments_updated, merged.comments_added) == (1, 1)
    stack = UndoStack(document)
    stack.push(merged.command)
    comments = document.review.topics[0].comments
    assert [c.text for c in comments] == ["Measured on site: 0.9 m.", "Agreed, 0.5 m.", "Moved on Friday."]
    assert comments[1].modified_date == "2026-12-03T10:00:00+09:00"
    assert document.review.topics[0].number == 7 and document.review.topics[0].pin == (12.5, 4.25, 2.5)
    stack.undo()
    assert dumps_document(document) == before


def test_merge_numbers_new_topics_after_the_last_and_keeps_ours(document, tmp_path):
    path = tmp_path / "review.bcf"
    export_bcf(document, path, "3.0")
    other = load_document(demo_plant_path(), builtin_library())
    other.review.topics.append(Topic(guid="7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b", title="Ours", number=7))
    merged = merge_bcf(other, read_bcf(path, other))
    assert [t.number for t in merged.added] == [8, 9]  # 7 is taken here: the next free numbers


# ---------------------------------------------------------------- the real files of other tools


CASES = {
    # file: (topics, comments, viewpoints with a camera, (bcfv member, camera element, value read), labels)
    "v2.1-maximum-information.bcf": (2, 4, 3, ("Viewpoint_8dc86298-9737-40b4-a448-98a9e953293a.bcfv",
                                               "PerspectiveCamera"), ("Structural", "IT Development")),
    "v3.0-component-selection.bcf": (1, 0, 1, ("viewpoint-7b2c1bf5-5854-433d-8136-981c957ed910.bcfv",
                                               "OrthogonalCamera"), ()),
    "v3.0-labels.bcf": (1, 1, 1, ("Viewpoint_064ad3a0-f778-4b7a-b928-614ab5e27d90.bcfv", "PerspectiveCamera"),
                        ("Architects",)),
    "v3.0-perspective-camera.bcf": (1, 0, 1, ("viewpoint-f99eb1ed-6bd2-46da-95f1-663a86d5a38d.bcfv",
                                              "PerspectiveCamera"), ()),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_bcf_files_import_with_every_topic_comment_and_camera(name, tmp_path):
    path = needs(BCF_DATA / "cases" / name)
    topics, comments, cameras, (member, kind), labels = CASES[name]
    document = load_document(demo_plant_path(), builtin_library())
    before = dumps_document(document)
    imported = read_bcf(path, document)
    assert len(imported.topics) == topics
    assert sum(len(t.comments) for t in imported.topics) == comments
    assert sum(1 for t in imported.topics for v in t.viewpoints if v.camera is not None) == cameras
    assert len(imported.snapshots) == cameras
    assert labels in {t.labels for t in imported.topics}
    # The camera as the file has it, read here from its XML.
    with zipfile.ZipFile(path) as archive:
        bcfv = next(n for n in archive.namelist() if n.endswith("/" + member))
        xml = etree.fromstring(archive.read(bcfv))
    element = xml.find(kind)
    position = tuple(float(element.findtext(f"CameraViewPoint/{a}")) for a in "XYZ")
    guid = xml.get("Guid").lower()
    viewpoint = next(v for t in imported.topics for v in t.viewpoints if v.guid == guid)
    assert viewpoint.camera.position == position
    direction = np.array([float(element.findtext(f"CameraDirection/{a}")) for a in "XYZ"])
    looked = np.subtract(viewpoint.camera.focal_point, viewpoint.camera.position)
    assert np.allclose(looked / np.linalg.norm(looked), direction / np.linalg.norm(direction))
    if kind == "OrthogonalCamera":
        assert viewpoint.camera.parallel
        assert viewpoint.camera.parallel_scale == float(element.findtext("ViewToWorldScale")) / 2
    else:
        assert viewpoint.camera.view_angle == float(element.findtext("FieldOfView"))
    # Their components are IFC elements this plant has not: each viewpoint says so, and nothing else is lost.
    assert any("component(s) this plant has no equipment for" in why for _, why in imported.skipped)
    assert dumps_document(document) == before  # reading changes nothing
    # Imported once, then again: the second time nothing changes.
    merged = merge_bcf(document, imported)
    merged.command.redo(document)
    assert merge_bcf(document, read_bcf(path, document)).command is None
    # And they go out again as files that validate (as BCF 3.0).
    schemas = _schemas("3.0")
    out = tmp_path / "again.bcf"
    export_bcf(document, out, "3.0")
    for member_name, data in _members(out).items():
        kind_name = _kind(member_name)
        if kind_name:
            assert schemas[kind_name].validate(etree.fromstring(data)), member_name


def test_real_21_file_details(tmp_path):
    path = needs(BCF_DATA / "cases" / "v2.1-maximum-information.bcf")
    document = load_document(demo_plant_path(), builtin_library())
    imported = read_bcf(path, document)
    topic = next(t for t in imported.topics if t.title == "Maximum Content")
    assert (topic.priority, topic.status, topic.assignee) == (Priority.HIGH, TopicStatus.OPEN, "linhard@iabi.eu")
    assert topic.related == ("5019d939-62a4-45d9-b205-fab602c98fe8",)
    assert topic.comments[2].viewpoint == "8dc86298-9737-40b4-a448-98a9e953293a"
    assert topic.comments[3].modified_date == "2015-08-31T16:07:11Z"
    assert topic.comments[0].text.startswith("This is an unmodified topic at the uppermost hierarchical level.\n")
    assert imported.project == "BCF API Implementation"
    assert ("63E78882-7C6A-4BF7-8982-FC478AFB9C97/markup.bcf, line 11, TopicType",
            "'Structural' is none of MotherTwin's; read as issue") in imported.skipped  # fmt: skip


# ---------------------------------------------------------------- bad input


@pytest.fixture
def exported(document, tmp_path) -> Path:
    path = tmp_path / "good.bcf"
    export_bcf(document, path, "2.1")
    return path


def test_climbing_and_absolute_member_names_are_refused_by_name(document, exported, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    markup = _markup_with(exported, b"<Snapshot>snapshot.png</Snapshot>", b"<Snapshot>../../escaped.png</Snapshot>")
    bad = _rewrite(exported, folder / "bad.bcf", {
        "../evil.txt": b"climbs out", "/etc/cron.d/evil": b"absolute", "C:\\Windows\\evil.dll": b"a drive",
        f"{TOPIC_GUID}/markup.bcf": markup, f"{TOPIC_GUID}/mothertwin.xml": None,
    })  # fmt: skip
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    imported = read_bcf(bad, document)
    assert len(imported.topics) == 2  # the good parts are read
    reasons = dict(imported.skipped)
    assert "climbs out of the archive" in reasons["member '../evil.txt'"]
    assert "an absolute path" in reasons["member '/etc/cron.d/evil'"]
    assert "an absolute path" in reasons["member 'C:\\\\Windows\\\\evil.dll'"]
    assert any("'../../escaped.png'" in why and "climbs out" in why for why in reasons.values())
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # nothing written anywhere


def test_zip_bomb_member_is_refused_quickly_without_inflating_it(document, exported, tmp_path):
    # A markup.bcf of 288 MiB of zeros (under 300 kB in the zip): over the limits of size and compression ratio.
    bomb = tmp_path / "bomb.bcf"
    _rewrite(exported, bomb, {})
    name = "11111111-2222-4333-8444-555555555555/markup.bcf"
    with (zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
          archive.open(name, "w", force_zip64=True) as handle):  # fmt: skip
        zeros = bytes(16 << 20)
        for _ in range(18):
            handle.write(zeros)
    start = time.perf_counter()
    imported = read_bcf(bomb, document)
    assert time.perf_counter() - start < 2.0
    assert len(imported.topics) == 2
    where, why = next((w, y) for w, y in imported.skipped if "11111111" in w)
    assert where == "member 11111111-2222-4333-8444-555555555555/markup.bcf"
    assert "over the limit" in why and "zip bomb" in why and why.endswith("topic left out")


def test_member_inflating_past_what_its_header_says_is_stopped(document, exported, tmp_path):
    # The header claims 64 bytes; the data inflates to 40 MB: reading stops at the claim, nothing more.
    liar = tmp_path / "liar.bcf"
    _rewrite(exported, liar, {"22222222-2222-4333-8444-555555555555/markup.bcf": bytes(40 << 20)})
    data = bytearray(liar.read_bytes())
    name = b"22222222-2222-4333-8444-555555555555/markup.bcf"
    for start in (i for i in range(len(data)) if data.startswith(name, i)):
        signature = data[start - 30:start - 26] if data[start - 30:start - 26] == b"PK\x03\x04" else None
        if signature:  # local header: uncompressed size at offset 22
            data[start - 8:start - 4] = (64).to_bytes(4, "little")
        elif data[start - 46:start - 42] == b"PK\x01\x02":  # central directory: at offset 24
            data[start - 22:start - 18] = (64).to_bytes(4, "little")
    liar.write_bytes(bytes(data))
    start = time.perf_counter()
    imported = read_bcf(liar, document)
    assert time.perf_counter() - start < 1.0
    assert len(imported.topics) == 2
    assert any(w.startswith("member 22222222") and "damaged" in why for w, why in imported.skipped)


def test_limits_on_member_count_refuse_the_whole_file(document, exported):
    with pytest.raises(BcfError, match=r"zip directory: \d+ members, over the limit of 5"):
        read_bcf(exported, document, BcfLimits(max_members=5))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Markup [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Markup><Topic Guid="33333333-2222-4333-8444-555555555555"><Title>&lol9;</Title>
<CreationDate>2026-12-01T00:00:00Z</CreationDate><CreationAuthor>x</CreationAuthor></Topic></Markup>
"""


def test_xml_entity_bomb_is_refused_and_the_other_topics_read(document, exported, tmp_path):
    bad = _rewrite(exported, tmp_path / "laughs.bcf", {"33333333-2222-4333-8444-555555555555/markup.bcf":
                                                       BILLION_LAUGHS})  # fmt: skip
    imported = read_bcf(bad, document)
    assert len(imported.topics) == 2
    where, why = next((w, y) for w, y in imported.skipped if "33333333" in w)
    assert where == "33333333-2222-4333-8444-555555555555/markup.bcf, line 1, DOCTYPE"
    assert "declares XML entities ('lol', 'lol2', 'lol3', 'lol9')" in why and "never expanded" in why


def test_external_entity_naming_a_local_file_is_not_read(document, exported, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PASSWORD")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE Markup [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<Markup><Topic Guid="44444444-2222-4333-8444-555555555555"><Title>&x;</Title></Topic>'
           "</Markup>")  # fmt: skip
    bad = _rewrite(exported, tmp_path / "xxe.bcf", {"44444444-2222-4333-8444-555555555555/markup.bcf": xxe.encode()})
    imported = read_bcf(bad, document)
    assert len(imported.topics) == 2
    assert any(w.startswith("44444444") and "'x'" in why for w, why in imported.skipped)
    assert "TOP-SECRET" not in repr(imported.topics) + repr(imported.skipped)


def test_not_well_formed_markup_skips_that_topic_with_its_line(document, exported, tmp_path):
    markup = _members(exported)[f"{TOPIC_GUID}/markup.bcf"]
    broken = markup.replace(b"</Title>", b"</Titel>", 1)
    bad = _rewrite(exported, tmp_path / "broken.bcf", {f"{TOPIC_GUID}/markup.bcf": broken})
    imported = read_bcf(bad, document)
    assert [t.title for t in imported.topics] == ["Is the AGV route wide enough?"]
    where, why = next((w, y) for w, y in imported.skipped if w.startswith(TOPIC_GUID))
    assert where.startswith(f"{TOPIC_GUID}/markup.bcf, line 4, column")
    assert "not well-formed XML" in why and "expected a Markup document" in why and "topic left out" in why


def test_missing_snapshot_keeps_the_topic_and_says_so(document, exported, tmp_path):
    bad = _rewrite(exported, tmp_path / "nosnap.bcf", {f"{TOPIC_GUID}/snapshot.png": None,
                                                        f"{TOPIC_GUID}/mothertwin-{VIEW_GUID}.png": None})  # fmt: skip
    imported = read_bcf(bad, document)
    topic = imported.topics[0]
    assert topic.title == "Mixer too close to the coater"
    assert topic.viewpoints[0].snapshot == "" and topic.viewpoints[0].camera is not None
    assert topic.viewpoints[1].snapshot != ""
    where, why = next((w, y) for w, y in imported.skipped if "snapshot.png" in y)
    assert where.startswith(f"{TOPIC_GUID}/markup.bcf, line ")
    assert "Snapshot 'snapshot.png' is not in the archive; the viewpoint is kept without it" in why


def test_viewpoint_naming_unknown_components_keeps_the_known_ones(document, exported, tmp_path):
    member = f"{TOPIC_GUID}/viewpoint.bcfv"
    data = _members(exported)[member].replace(b"<AuthoringToolId>OC-ELE1-MIX-01</AuthoringToolId>",
                                              b"<AuthoringToolId>NOT-IN-THIS-PLANT</AuthoringToolId>")
    bad = _rewrite(exported, tmp_path / "unknown.bcf", {member: data, f"{TOPIC_GUID}/mothertwin.xml": None})
    imported = read_bcf(bad, document)
    viewpoint = imported.topics[0].viewpoints[0]
    assert viewpoint.selection == (IFC_ID,)  # found by its IfcGuid / AuthoringToolId
    where, why = next((w, y) for w, y in imported.skipped if w.startswith(member))
    assert where == f"{member}, line 3"
    assert why == "1 component(s) this plant has no equipment for: NOT-IN-THIS-PLANT; left out, the known ones kept"
    # Without our extension the equipment are the selected ones and the pin stands at their centre.
    assert imported.topics[0].equipment == (IFC_ID,)


def test_without_the_extension_a_bcf_viewpoint_still_gives_camera_clip_box_and_measurement(document, exported,
                                                                                           tmp_path):  # fmt: skip
    bad = _rewrite(exported, tmp_path / "plain.bcf", {f"{TOPIC_GUID}/mothertwin.xml": None})
    topic = read_bcf(bad, document).topics[0]
    first, second = topic.viewpoints
    assert first.clip_box == ((-5.0, -4.0, 0.0), (40.0, 30.0, 6.5))
    assert topic.measurement == Measurement((10.0, 4.0, 0.0), (10.0, 5.2, 0.0))
    assert first.camera.position == (30.0, -20.0, 18.0) and first.camera.view_angle == 45.0  # as 2.1 holds it
    assert second.camera.parallel and second.camera.parallel_scale == 12.5
    assert set(first.hidden) == {e.id for e in document.sites[0].areas[0].lines[0].cells[1].equipment}
    assert topic.pin is not None and math.isfinite(topic.pin[0])
    # Another tool's copy: the snapshot is the picture as they see it, with the markup drawn in.
    drawn = _members(exported)[f"{TOPIC_GUID}/snapshot.png"]
    assert first.markup == () and first.snapshot == snapshot_key(drawn)


@pytest.mark.parametrize(("version_xml", "message"), [
    (b'<Version VersionId="4.0"/>', "bcf.version, line 1, VersionId: BCF version '4.0' is not read: expected 2.0, "
                                    "2.1 or 3.0"),
    (b"<Version", "bcf.version, line 1, column "),
    (None, "bcf.version: missing: a BCF file has bcf.version at the top of the zip"),
])  # fmt: skip
def test_unknown_or_missing_version_fails_with_a_clear_message(document, exported, tmp_path, version_xml, message):
    bad = _rewrite(exported, tmp_path / "version.bcf", {"bcf.version": version_xml})
    before = dumps_document(document)
    with pytest.raises(BcfError) as caught:
        read_bcf(bad, document)
    assert str(caught.value).startswith(f"{bad}: {message}")
    assert dumps_document(document) == before


def test_not_a_zip_fails_with_a_clear_message(document, tmp_path):
    path = tmp_path / "notes.bcf"
    path.write_text("just some text, not a zip")
    with pytest.raises(BcfError, match=r"notes\.bcf: file: not a zip archive .*expected a BCF file"):
        read_bcf(path, document)


def test_snapshot_keys_are_content_hashes(document, exported):
    imported = read_bcf(exported, document)
    assert all(snapshot_key(png) == key for key, png in imported.snapshots.items())
    assert len(imported.snapshots) == 1  # both viewpoints show the same picture: held once


def test_ids_that_are_no_lower_case_guid_keep_their_spelling_and_merge(document, tmp_path):
    plain = document.review.topics[1]
    odd = replace(plain, guid="TOPIC-42", related=(TOPIC_GUID.upper(),),
                  comments=(Comment("C-1", "a.novak", "2026-12-03T09:00:00+09:00", "Checked."),),
                  viewpoints=(replace(plain.viewpoints[0], guid=PLAIN_VIEW_GUID.upper()),))  # fmt: skip
    document.review.topics[1] = odd
    path = tmp_path / "odd.bcf"
    export_bcf(document, path, "3.0")
    schema = _schemas("3.0")["markup"]
    folders = [n for n in _members(path) if n.endswith("/markup.bcf")]
    assert all(schema.validate(etree.fromstring(_members(path)[n])) for n in folders)  # GUIDs as BCF wants them
    imported = read_bcf(path, document)
    assert imported.topics[1].guid == "TOPIC-42"  # our extension keeps the id
    merged = merge_bcf(document, imported)
    assert merged.command is None and merged.unchanged == 2  # matched by GUID whatever the spelling


def test_bcf_20_is_read_as_21(document, exported, tmp_path):
    old = _rewrite(exported, tmp_path / "old.bcf", {"bcf.version": b'<Version VersionId="2.0"/>'})
    imported = read_bcf(old, document)
    assert imported.version == "2.1"
    assert imported.topics == document.review.topics


def test_fast_png_encoder_gives_back_the_same_pixels():
    from viewer.review.snapshot_png import encode_rgb_png, png_size

    pixels = np.random.default_rng(5).integers(0, 256, size=(37, 53, 3), dtype=np.uint8)
    png = encode_rgb_png(pixels)
    assert png_size(png) == (53, 37)
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "RGB" and np.array_equal(np.asarray(image), pixels)


def test_a_topic_guid_twice_keeps_the_first_and_says_so(document, exported, tmp_path):
    copy = _members(exported)[f"{TOPIC_GUID}/markup.bcf"]
    bad = _rewrite(exported, tmp_path / "twice.bcf", {"55555555-2222-4333-8444-555555555555/markup.bcf": copy})
    imported = read_bcf(bad, document)
    assert [t.guid for t in imported.topics] == [TOPIC_GUID, "4a5b6c7d-8e9f-4a0b-8c1d-2e3f4a5b6c7d"]
    assert ("55555555-2222-4333-8444-555555555555/markup.bcf",
            f"a second topic with GUID {TOPIC_GUID}; left out") in imported.skipped  # fmt: skip
    assert merge_bcf(document, imported).command is None


def test_a_camera_of_impossible_numbers_is_left_out_and_the_topic_kept(document, exported, tmp_path):
    member = f"{TOPIC_GUID}/viewpoint.bcfv"
    data = _members(exported)[member].replace(b"<X>30.0</X>", b"<X>INF</X>", 1)
    bad = _rewrite(exported, tmp_path / "inf.bcf", {member: data, f"{TOPIC_GUID}/mothertwin.xml": None})
    imported = read_bcf(bad, document)
    assert imported.topics[0].viewpoints[0].camera is None
    why = next(y for w, y in imported.skipped if w == member)
    assert why.startswith(f"{member}, line ") and "CameraViewPoint: expected X, Y and Z numbers" in why
