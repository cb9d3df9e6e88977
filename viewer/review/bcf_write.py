"""BCF export: a plant's review topics as a BCF 2.1 or 3.0 zip that BIMcollab, Solibri and other BCF tools read.

Layout of the zip: `bcf.version`, `project.bcfp` (and for 3.0 `extensions.xml`, listing our types, statuses,
priorities, labels and users), then one folder per topic GUID with `markup.bcf`, its viewpoints and snapshots
(the first as `viewpoint.bcfv` and `snapshot.png`, which BCF 2.1 readers look for; the others as `<guid>.bcfv`
and `<guid>.png`) and our extension `mothertwin.xml` (viewer.review.bcf_extension). Snapshots carry their markup
drawn in; the picture without it is kept beside (`mothertwin-<guid>.png`) so that MotherTwin reads the markup
back as strokes. Every XML file written validates against the official XSDs.

Components are equipment ids (AuthoringToolId; IfcGuid too when the id is an IFC GlobalId, e.g. equipment
imported from IFC). A view with everything visible lists no components; hidden groups are expanded to their
equipment, and the shorter list is written (the hidden ones, or the visible ones with DefaultVisibility false).
"""

from __future__ import annotations

import os
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from viewer.io.atomic import atomic_writer
from viewer.model import PlantDocument
from viewer.model.review import ReviewViewpoint, Topic, Vec3, now_iso
from viewer.review.bcf_camera import DEFAULT_ASPECT, bcf21_field_of_view, camera_to_bcf
from viewer.review.bcf_components import PlantIndex
from viewer.review.bcf_extension import FILE_NAME as EXTENSION_FILE
from viewer.review.bcf_extension import extension_xml
from viewer.review.bcf_terms import (
    BCF_VERSIONS,
    ORIGINATING_SYSTEM,
    PRIORITY_WORDS,
    STATUS_WORDS,
    TYPE_WORDS,
    bcf_guid,
    due_to_bcf,
    is_ifc_guid,
    is_xs_datetime,
)
from viewer.review.bcf_xml import xml_bytes
from viewer.review.snapshot_png import drawn_snapshot, png_size

UNKNOWN_AUTHOR = "unknown"
_PROJECT_NAMESPACE = uuid.UUID("0c7f1d52-8a3e-4b6f-9d21-5e4a7c3b2f90")


@dataclass
class BcfExportSummary:
    path: Path
    version: str
    topics: int = 0
    viewpoints: int = 0
    snapshots: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0


def _el(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, name, attributes)
    if text is not None:
        element.text = text
    return element


def _point(parent: etree._Element, name: str, values: Vec3) -> None:
    element = etree.SubElement(parent, name)
    for axis, value in zip(("X", "Y", "Z"), values, strict=True):
        etree.SubElement(element, axis).text = repr(float(value))


def _datetime(text: str, fallback: str) -> str:
    return text if is_xs_datetime(text) else fallback


# ---------------------------------------------------------------- root files


def version_xml(version: str) -> bytes:
    root = etree.Element("Version", VersionId=version)
    if version == "2.1":
        _el(root, "DetailedVersion", "2.1")
    return xml_bytes(root)


def project_xml(document: PlantDocument, version: str) -> bytes:
    project_id = str(uuid.uuid5(_PROJECT_NAMESPACE, document.enterprise.id))
    root = etree.Element("ProjectExtension" if version == "2.1" else "ProjectInfo")
    project = _el(root, "Project", ProjectId=project_id)
    if document.enterprise.name.strip():
        _el(project, "Name", document.enterprise.name)
    if version == "2.1":
        _el(root, "ExtensionSchema", "")
    return xml_bytes(root)


def extensions_xml(topics: Sequence[Topic]) -> bytes:
    """BCF 3.0's extensions.xml: the values our topics use, so a 3.0 tool offers them."""
    root = etree.Element("Extensions")
    lists = (
        ("TopicTypes", "TopicType", list(TYPE_WORDS.values())),
        ("TopicStatuses", "TopicStatus", list(STATUS_WORDS.values())),
        ("Priorities", "Priority", list(PRIORITY_WORDS.values())),
        ("TopicLabels", "TopicLabel", sorted({label for t in topics for label in t.labels if label.strip()})),
        ("Users", "User", sorted({u for t in topics for u in _users(t) if u.strip()})),
    )
    for group, item, values in lists:
        parent = _el(root, group)
        for value in values:
            _el(parent, item, value)
    return xml_bytes(root)


def _users(topic: Topic) -> Iterator[str]:
    yield from (topic.author, topic.modified_author, topic.assignee)
    for comment in topic.comments:
        yield from (comment.author, comment.modified_author)


# ---------------------------------------------------------------- markup.bcf


@dataclass(frozen=True, slots=True)
class _Files:
    """Member names (inside the topic folder) of one viewpoint."""

    viewpoint: str
    snapshot: str
    clean: str


def _viewpoint_files(topic: Topic, has_snapshot: dict[str, bool], markup_kept: dict[str, bool]) -> list[_Files]:
    files = []
    for index, viewpoint in enumerate(topic.viewpoints):
        guid = bcf_guid(viewpoint.guid)
        first = index == 0
        files.append(
            _Files(
                viewpoint="viewpoint.bcfv" if first else f"{guid}.bcfv",
                snapshot=("snapshot.png" if first else f"{guid}.png") if has_snapshot[viewpoint.guid] else "",
                clean=f"mothertwin-{guid}.png" if markup_kept[viewpoint.guid] else "",
            )
        )
    return files


def markup_xml(topic: Topic, version: str, files: Sequence[_Files], cameras: Sequence[bool]) -> bytes:
    v3 = version == "3.0"
    now = now_iso()
    root = etree.Element("Markup")
    element = _el(root, "Topic", Guid=bcf_guid(topic.guid), TopicType=TYPE_WORDS[topic.type],
                  TopicStatus=STATUS_WORDS[topic.status])  # fmt: skip
    _el(element, "Title", topic.title if topic.title.strip() else "(untitled)")
    _el(element, "Priority", PRIORITY_WORDS[topic.priority])
    if topic.number:
        _el(element, "Index", str(topic.number))
    labels = [label for label in topic.labels if label.strip()]
    if v3 and labels:
        holder = _el(element, "Labels")
        for label in labels:
            _el(holder, "Label", label)
    elif labels:
        for label in labels:
            _el(element, "Labels", label)
    created = _datetime(topic.created, now)
    _el(element, "CreationDate", created)
    _el(element, "CreationAuthor", topic.author if topic.author.strip() else UNKNOWN_AUTHOR)
    if is_xs_datetime(topic.modified):
        _el(element, "ModifiedDate", topic.modified)
    if topic.modified_author.strip():
        _el(element, "ModifiedAuthor", topic.modified_author)
    due = due_to_bcf(topic.due_date)
    if due:
        _el(element, "DueDate", due)
    if topic.assignee.strip():
        _el(element, "AssignedTo", topic.assignee)
    if topic.description.strip() or (topic.description and not v3):
        _el(element, "Description", topic.description)
    related = [bcf_guid(g) for g in topic.related]
    if v3 and related:
        holder = _el(element, "RelatedTopics")
        for guid in related:
            _el(holder, "RelatedTopic", Guid=guid)
    elif related:
        for guid in related:
            _el(element, "RelatedTopic", Guid=guid)
    viewpoint_guids = {v.guid for v in topic.viewpoints}
    comment_parent = _el(element, "Comments") if v3 and topic.comments else root
    for comment in topic.comments:
        node = _el(comment_parent, "Comment", Guid=bcf_guid(comment.guid))
        _el(node, "Date", _datetime(comment.date, created))
        _el(node, "Author", comment.author if comment.author.strip() else UNKNOWN_AUTHOR)
        if comment.text.strip() or not v3:
            _el(node, "Comment", comment.text)
        if comment.viewpoint and comment.viewpoint in viewpoint_guids:
            _el(node, "Viewpoint", Guid=bcf_guid(comment.viewpoint))
        if is_xs_datetime(comment.modified_date):
            _el(node, "ModifiedDate", comment.modified_date)
        if comment.modified_author.strip():
            _el(node, "ModifiedAuthor", comment.modified_author)
    viewpoint_parent = _el(element, "Viewpoints") if v3 and topic.viewpoints else root
    for index, (viewpoint, names, has_camera) in enumerate(zip(topic.viewpoints, files, cameras, strict=True)):
        node = _el(viewpoint_parent, "ViewPoint" if v3 else "Viewpoints", Guid=bcf_guid(viewpoint.guid))
        if has_camera or not v3:
            _el(node, "Viewpoint", names.viewpoint)
        if names.snapshot:
            _el(node, "Snapshot", names.snapshot)
        _el(node, "Index", str(index))
    return xml_bytes(root)


# ---------------------------------------------------------------- viewpoint files


def _component(parent: etree._Element, equipment_id: str) -> None:
    attributes = {"IfcGuid": equipment_id} if is_ifc_guid(equipment_id) else {}
    element = _el(parent, "Component", **attributes)
    _el(element, "OriginatingSystem", ORIGINATING_SYSTEM)
    _el(element, "AuthoringToolId", equipment_id)


def _camera(parent: etree._Element, viewpoint: ReviewViewpoint, version: str, aspect: float) -> None:
    assert viewpoint.camera is not None
    camera = camera_to_bcf(viewpoint.camera, aspect)
    element = _el(parent, "OrthogonalCamera" if camera.orthogonal else "PerspectiveCamera")
    _point(element, "CameraViewPoint", camera.viewpoint)
    _point(element, "CameraDirection", camera.direction)
    _point(element, "CameraUpVector", camera.up)
    if camera.orthogonal:
        _el(element, "ViewToWorldScale", repr(camera.view_to_world_scale))
    else:
        angle = camera.field_of_view if version == "3.0" else bcf21_field_of_view(camera.field_of_view)
        _el(element, "FieldOfView", repr(float(angle)))
    if version == "3.0":
        _el(element, "AspectRatio", repr(camera.aspect_ratio))


def visinfo_xml(topic: Topic, viewpoint: ReviewViewpoint, version: str, plant: _LazyIndex, aspect: float) -> bytes:
    root = etree.Element("VisualizationInfo", Guid=bcf_guid(viewpoint.guid))
    components = _el(root, "Components")
    if viewpoint.selection:
        selection = _el(components, "Selection")
        for equipment_id in viewpoint.selection:
            _component(selection, equipment_id)
    default_visible, exceptions = True, list[str]()
    if viewpoint.hidden or viewpoint.isolated:
        site = viewpoint.site or topic.site or plant.first_site
        hidden, shown = plant.get().visibility(site, viewpoint.hidden, viewpoint.isolated)
        if hidden:
            default_visible, exceptions = (True, hidden) if len(hidden) <= len(shown) else (False, shown)
    visibility = _el(components, "Visibility", DefaultVisibility="true" if default_visible else "false")
    if exceptions:
        holder = _el(visibility, "Exceptions")
        for equipment_id in exceptions:
            _component(holder, equipment_id)
    if viewpoint.camera is not None:
        _camera(root, viewpoint, version, aspect)
    measurement = topic.measurement
    if measurement is not None and topic.viewpoints and viewpoint is topic.viewpoints[0]:
        line = _el(_el(root, "Lines"), "Line")
        _point(line, "StartPoint", measurement.start)
        _point(line, "EndPoint", measurement.end)
    if viewpoint.clip_box is not None:
        planes = _el(root, "ClippingPlanes")
        low, high = viewpoint.clip_box
        for axis in range(3):
            for location, sign in ((low, -1.0), (high, 1.0)):
                plane = _el(planes, "ClippingPlane")
                _point(plane, "Location", location)
                direction = [0.0, 0.0, 0.0]
                direction[axis] = sign  # BCF: the normal points to the side that is cut away
                _point(plane, "Direction", (direction[0], direction[1], direction[2]))
    return xml_bytes(root)


class _LazyIndex:
    """The plant index, built only when a viewpoint hides something."""

    def __init__(self, document: PlantDocument) -> None:
        self.document = document
        self.first_site = document.sites[0].id if document.sites else ""
        self._index: PlantIndex | None = None

    def get(self) -> PlantIndex:
        if self._index is None:
            self._index = PlantIndex.of(self.document)
        return self._index


# ---------------------------------------------------------------- the archive


def _check_version(version: str) -> None:
    if version not in BCF_VERSIONS:
        raise ValueError(f"BCF version {version!r} is not written: expected one of {', '.join(BCF_VERSIONS)}")


def export_bcf(
    document: PlantDocument,
    path: Path,
    version: str = "2.1",
    topics: Sequence[Topic] | None = None,
    *,
    workers: int | None = None,
) -> BcfExportSummary:
    """Write the topics (all of the document's by default) as a BCF zip, atomically."""
    _check_version(version)
    path = Path(path)
    chosen = list(document.review.topics if topics is None else topics)
    book = document.review
    summary = BcfExportSummary(path, version, topics=len(chosen))
    plant = _LazyIndex(document)
    jobs: list[tuple[bytes, ReviewViewpoint]] = []
    for topic in chosen:
        for viewpoint in topic.viewpoints:
            if viewpoint.snapshot and viewpoint.snapshot not in book.snapshots:
                summary.notes.append(f"topic #{topic.number} {topic.title!r}: viewpoint {viewpoint.guid}: its "
                                     "snapshot is not in the document; written without one")  # fmt: skip
            elif viewpoint.snapshot:
                jobs.append((book.snapshots[viewpoint.snapshot], viewpoint))
    pool = ThreadPoolExecutor(max_workers=workers or min(4, os.cpu_count() or 1))
    drawn = pool.map(lambda job: drawn_snapshot(job[0], job[1].markup), jobs)
    stamp = (2000, 1, 1, 0, 0, 0)
    try:
        with atomic_writer(path) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:

            def put(name: str, data: bytes, compress: bool = True) -> None:
                info = zipfile.ZipInfo(name, stamp)
                info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data, compresslevel=6 if compress else None)

            put("bcf.version", version_xml(version))
            put("project.bcfp", project_xml(document, version))
            if version == "3.0":
                put("extensions.xml", extensions_xml(chosen))
            pictures = iter(drawn)
            for topic in chosen:
                _write_topic(put, topic, version, plant, book.snapshots, pictures, summary)
    finally:
        pool.shutdown(cancel_futures=True)
    return summary


def _write_topic(
    put: Callable[..., None],
    topic: Topic,
    version: str,
    plant: _LazyIndex,
    snapshots: dict[str, bytes],
    pictures: Iterator[bytes],
    summary: BcfExportSummary,
) -> None:
    folder = bcf_guid(topic.guid)
    has_snapshot = {v.guid: bool(v.snapshot and v.snapshot in snapshots) for v in topic.viewpoints}
    kept = {v.guid: has_snapshot[v.guid] and bool(v.markup) for v in topic.viewpoints}
    files = _viewpoint_files(topic, has_snapshot, kept)
    cameras = [v.camera is not None for v in topic.viewpoints]
    put(f"{folder}/markup.bcf", markup_xml(topic, version, files, cameras))
    clean_names: dict[str, str] = {}
    for viewpoint, names, has_camera in zip(topic.viewpoints, files, cameras, strict=True):
        summary.viewpoints += 1
        aspect = DEFAULT_ASPECT
        if has_snapshot[viewpoint.guid]:
            png = snapshots[viewpoint.snapshot]
            size = png_size(png)
            aspect = size[0] / size[1] if size else DEFAULT_ASPECT
            put(f"{folder}/{names.snapshot}", next(pictures), compress=False)
            summary.snapshots += 1
            if names.clean:
                put(f"{folder}/{names.clean}", png, compress=False)
                clean_names[viewpoint.guid] = names.clean
        if has_camera or version == "2.1":
            put(f"{folder}/{names.viewpoint}", visinfo_xml(topic, viewpoint, version, plant, aspect))
    put(f"{folder}/{EXTENSION_FILE}", xml_bytes(extension_xml(topic, clean_names)))

