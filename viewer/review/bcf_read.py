"""BCF import: the topics of a BCF 2.0, 2.1 or 3.0 zip as review topics of the open plant, with what was left out.

Nothing of the plant is changed here (`viewer.review.bcf_merge` turns the result into one undoable edit). What
cannot be read is skipped with its place (member, line) and the reason, and the rest is kept: a topic whose
markup.bcf is not well-formed is left out and the others come in; a viewpoint naming components the plant does
not have keeps the ones it has; a missing snapshot leaves the viewpoint without one. Only a file that is no BCF
at all (not a zip, no or an unknown bcf.version, over a size limit) fails as a whole, with a BcfError.

Where the topic carries our extension (`mothertwin.xml`), it gives what BCF cannot say: the pin, equipment,
exact camera, hidden groups, markup. Otherwise the equipment are the selected components and the pin stands at
their centre, or at the camera's focal point.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree
from PIL import Image

from viewer.model import PlantDocument
from viewer.model.review import (
    Comment,
    MarkupShape,
    Measurement,
    Priority,
    ReviewViewpoint,
    Topic,
    TopicStatus,
    TopicType,
    Vec3,
)
from viewer.model.views import CameraState
from viewer.review.bcf_archive import BcfArchive, BcfError, BcfLimits, open_archive, unsafe_name_reason
from viewer.review.bcf_camera import (
    DEFAULT_FOCAL_DISTANCE,
    BcfCamera,
    camera_from_bcf,
    distance_along,
    floor_distance,
    same_view,
)
from viewer.review.bcf_components import PlantIndex
from viewer.review.bcf_extension import FILE_NAME as EXTENSION_FILE
from viewer.review.bcf_extension import TopicExtension, ViewpointExtension, read_extension
from viewer.review.bcf_terms import (
    READ_VERSIONS,
    bcf_guid,
    due_from_bcf,
    is_bcf_guid,
    is_xs_datetime,
    priority_from_bcf,
    status_from_bcf,
    type_from_bcf,
)
from viewer.review.bcf_xml import children, parse_xml, place, raw_text, text
from viewer.review.snapshot_png import PNG_SIGNATURE

MAX_SNAPSHOT_PIXELS = 50_000_000  # a JPEG snapshot is turned into PNG: no bigger than this
SHOWN_UNKNOWN = 5  # unknown component ids named in one skip line


@dataclass
class BcfImport:
    path: Path
    version: str
    project: str = ""
    topics: list[Topic] = field(default_factory=list)
    snapshots: dict[str, bytes] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (place in the file, why)
    extended: set[str] = field(default_factory=set)  # guids of topics that carried our extension

    def skipped_lines(self) -> list[str]:
        return [f"{self.path}: {where}: {why}" for where, why in self.skipped]


def read_bcf(path: Path, document: PlantDocument, limits: BcfLimits | None = None) -> BcfImport:
    """Read a BCF file against `document` (to find its equipment); raises BcfError when it is no BCF."""
    archive = open_archive(Path(path), limits)
    try:
        return _Reader(archive, document).read()
    finally:
        archive.close()


def _float(element: etree._Element | None, name: str, member: str) -> float:
    found = element.find(name) if element is not None else None
    if found is None:
        return float("nan")
    try:
        return float((found.text or "").strip())
    except ValueError:
        raise ValueError(f"{place(member, found)}: {name}: expected a number, got {found.text!r}") from None


def _triple(element: etree._Element | None, name: str, member: str) -> Vec3:
    found = element.find(name) if element is not None else None
    if found is None:
        raise ValueError(f"{place(member, element)}: expected a <{name}> with X, Y and Z")
    values = (_float(found, "X", member), _float(found, "Y", member), _float(found, "Z", member))
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"{place(member, found)}: {name}: expected X, Y and Z numbers")
    return values


class _Reader:
    def __init__(self, archive: BcfArchive, document: PlantDocument) -> None:
        self.archive = archive
        self.file = str(archive.path)
        self.document = document
        self.plant = PlantIndex.of(document)
        self.result = BcfImport(archive.path, "")
        self.result.skipped.extend(archive.skipped)
        self._lines: dict[str, Measurement] = {}  # a topic folder's one measured line (BCF Lines)

    def skip(self, where: str, why: str) -> None:
        self.result.skipped.append((where, why))

    # ------------------------------------------------------------ the archive

    def read(self) -> BcfImport:
        self.result.version = self._version()
        if self.archive.has("project.bcfp"):
            try:
                expected = "ProjectInfo" if self.result.version == "3.0" else "ProjectExtension"
                root = self._xml("project.bcfp", expected)
                project = root.find("Project")
                self.result.project = text(project, "Name") or (project.get("ProjectId", "") if project is not None
                                                                else "")  # fmt: skip
            except BcfError as exc:
                self._skip_error(exc)
        folders = [n.split("/")[0] for n in self.archive.names() if n.count("/") == 1 and n.endswith("/markup.bcf")]
        for folder in folders:
            try:
                topic = self._topic(folder)
            except BcfError as exc:
                self._skip_error(exc, "topic left out")
                continue
            except ValueError as exc:
                self.skip(f"{folder}/markup.bcf", f"{exc}; topic left out")
                continue
            if topic is not None and any(bcf_guid(t.guid) == bcf_guid(topic.guid) for t in self.result.topics):
                self.skip(f"{folder}/markup.bcf", f"a second topic with GUID {topic.guid}; left out")
            elif topic is not None:
                self.result.topics.append(topic)
        return self.result

    def _skip_error(self, error: BcfError, outcome: str = "") -> None:
        for problem in error.problems:
            self.skip(problem.where, f"{problem.message}; {outcome}" if outcome else problem.message)

    def _xml(self, member: str, expected: str, *, strip: bool = True) -> etree._Element:
        return parse_xml(self.archive.read(member), self.file, member, expected, strip=strip)

    def _version(self) -> str:
        if not self.archive.has("bcf.version"):
            raise BcfError.single(self.file, "bcf.version", "missing: a BCF file has bcf.version at the top of the "
                                  "zip (expected BCF 2.0, 2.1 or 3.0)")  # fmt: skip
        root = self._xml("bcf.version", "Version")
        found = (root.get("VersionId") or text(root, "DetailedVersion")).strip()
        for prefix, version in READ_VERSIONS.items():
            if found == prefix or found.startswith(prefix + "."):
                return version
        raise BcfError.single(self.file, f"bcf.version, line {root.sourceline}, VersionId",
                              f"BCF version {found!r} is not read: expected 2.0, 2.1 or 3.0")  # fmt: skip

    # ------------------------------------------------------------ a topic

    def _extension(self, folder: str) -> TopicExtension | None:
        member = f"{folder}/{EXTENSION_FILE}"
        if not self.archive.has(member):
            return None
        try:
            return read_extension(self._xml(member, "TopicExtension", strip=False))
        except BcfError as exc:
            self._skip_error(exc, "the MotherTwin extension is left out")
        except ValueError as exc:
            self.skip(member, f"{exc}; the MotherTwin extension is left out")
        return None

    def _topic(self, folder: str) -> Topic | None:
        member = f"{folder}/markup.bcf"
        root = self._xml(member, "Markup")
        element = root.find("Topic")
        if element is None:
            self.skip(place(member, root), "expected a <Topic> element; topic left out")
            return None
        guid = (element.get("Guid") or "").strip().lower()
        if not is_bcf_guid(guid):
            self.skip(place(member, element), f"Topic Guid {element.get('Guid')!r}: expected a GUID; topic left out")
            return None
        extension = self._extension(folder)
        topic_type = self._word(element, "TopicType", type_from_bcf, TopicType.ISSUE, member)
        status = self._word(element, "TopicStatus", status_from_bcf, TopicStatus.OPEN, member)
        priority_word = text(element, "Priority")
        priority = priority_from_bcf(priority_word) if priority_word else Priority.NORMAL
        if priority is None:
            self.skip(place(member, element.find("Priority")), f"Priority {priority_word!r} is none of ours "
                      "(low, normal, high, critical): read as normal")  # fmt: skip
            priority = Priority.NORMAL
        viewpoints = self._viewpoints(folder, root, element, extension)
        comments = self._comments(member, root, element, {v.guid for v in viewpoints})
        topic = Topic(
            guid=guid,
            title=raw_text(element, "Title") or "(untitled)",
            number=extension.number if extension else 0,
            description=raw_text(element, "Description"),
            type=topic_type,  # type: ignore[arg-type]
            status=status,  # type: ignore[arg-type]
            priority=priority,
            labels=self._labels(element),
            assignee=text(element, "AssignedTo"),
            due_date=due_from_bcf(text(element, "DueDate")),
            author=text(element, "CreationAuthor"),
            created=self._date(element, "CreationDate", member),
            modified_author=text(element, "ModifiedAuthor"),
            modified=self._date(element, "ModifiedDate", member),
            comments=comments,
            viewpoints=viewpoints,
            related=self._related(element),
        )
        if extension is not None and extension.guid and bcf_guid(extension.guid) == guid:
            topic = replace(topic, guid=extension.guid)
        if extension is not None:
            self.result.extended.add(topic.guid)
        return self._placed(topic, extension, folder)

    def _placed(self, topic: Topic, extension: TopicExtension | None, folder: str) -> Topic:
        """Site, equipment, pin, decision and measurement: from our extension, else from the first viewpoint."""
        lines = self._lines.pop(folder, None)
        if extension is not None:
            return replace(topic, site=extension.site, equipment=extension.equipment, pin=extension.pin,
                           decision=extension.decision, measurement=extension.measurement)  # fmt: skip
        first = topic.viewpoints[0] if topic.viewpoints else None
        equipment = first.selection if first else ()
        pin = self.plant.centre(equipment)
        if pin is None and first is not None and first.camera is not None:
            pin = first.camera.focal_point
        site = first.site if first else ""
        return replace(topic, site=site, equipment=equipment, pin=pin, measurement=lines)

    def _word(self, element: etree._Element, name: str, mapping: Callable[[str], object | None], default: object,
              member: str) -> object:  # fmt: skip
        word = (element.get(name) or "").strip()
        if not word:
            return default
        found = mapping(word)
        if found is None:
            self.skip(f"{place(member, element)}, {name}",
                      f"{word!r} is none of MotherTwin's; read as {default}")  # fmt: skip
            return default
        return found

    def _date(self, element: etree._Element, name: str, member: str) -> str:
        value = text(element, name)
        if value and not is_xs_datetime(value):
            self.skip(place(member, element.find(name)), f"{name} {value!r}: expected a date and time "
                      "(xs:dateTime); left out")  # fmt: skip
            return ""
        return value

    def _labels(self, element: etree._Element) -> tuple[str, ...]:
        labels: list[str] = []
        for holder in children(element, "Labels"):
            inner = holder.findall("Label")
            labels.extend((e.text or "").strip() for e in (inner or [holder]))
        return tuple(dict.fromkeys(label for label in labels if label))

    def _related(self, element: etree._Element) -> tuple[str, ...]:
        nodes = [*element.findall("RelatedTopic"), *element.findall("RelatedTopics/RelatedTopic")]
        guids = ((n.get("Guid") or "").strip().lower() for n in nodes)
        return tuple(dict.fromkeys(g for g in guids if is_bcf_guid(g)))

    def _comments(self, member: str, root: etree._Element, element: etree._Element,
                  viewpoints: set[str]) -> tuple[Comment, ...]:  # fmt: skip
        comments: list[Comment] = []
        known = {bcf_guid(v): v for v in viewpoints}
        seen: set[str] = set()
        for node in [*root.findall("Comment"), *element.findall("Comments/Comment")]:
            guid = (node.get("Guid") or "").strip().lower()
            if not is_bcf_guid(guid) or guid in seen:
                what = "expected a GUID" if guid not in seen else "a second comment of this GUID"
                self.skip(place(member, node), f"Comment Guid {node.get('Guid')!r}: {what}; comment left out")
                continue
            seen.add(guid)
            about = node.find("Viewpoint")
            viewpoint = (about.get("Guid") or "").strip().lower() if about is not None else ""
            comments.append(
                Comment(
                    guid=guid,
                    author=text(node, "Author"),
                    date=self._date(node, "Date", member),
                    text=raw_text(node, "Comment"),
                    viewpoint=known.get(viewpoint, ""),
                    modified_author=text(node, "ModifiedAuthor"),
                    modified_date=self._date(node, "ModifiedDate", member),
                )
            )
        return tuple(comments)

    # ------------------------------------------------------------ viewpoints

    def _viewpoints(self, folder: str, root: etree._Element, element: etree._Element,
                    extension: TopicExtension | None) -> tuple[ReviewViewpoint, ...]:  # fmt: skip
        member = f"{folder}/markup.bcf"
        nodes = [*root.findall("Viewpoints"), *element.findall("Viewpoints/ViewPoint")]
        nodes.sort(key=lambda n: int(text(n, "Index", "0")) if text(n, "Index", "0").lstrip("-").isdigit() else 0)
        viewpoints: list[ReviewViewpoint] = []
        seen: set[str] = set()
        for node in nodes:
            guid = (node.get("Guid") or "").strip().lower()
            if not is_bcf_guid(guid) or guid in seen:
                what = "expected a GUID" if guid not in seen else "a second viewpoint of this GUID"
                self.skip(place(member, node), f"Viewpoint Guid {node.get('Guid')!r}: {what}; left out")
                continue
            seen.add(guid)
            extra = extension.viewpoints.get(guid) if extension else None
            viewpoint = self._viewpoint(folder, member, node, guid, extra)
            if viewpoint is not None:
                viewpoints.append(viewpoint)
        return tuple(viewpoints)

    def _member(self, folder: str, member: str, node: etree._Element, name: str) -> str | None:
        """The member a markup entry names, or None (skipped) when it is unsafe or missing."""
        reference = text(node, name)
        if not reference:
            return None
        reason = unsafe_name_reason(reference)
        if reason:
            self.skip(place(member, node.find(name)), f"{name} {reference!r}: {reason}; not read")
            return None
        target = f"{folder}/{reference}"
        if not self.archive.has(target):
            self.skip(place(member, node.find(name)), f"{name} {reference!r} is not in the archive; the viewpoint "
                      f"is kept without it")  # fmt: skip
            return None
        return target

    def _viewpoint(self, folder: str, member: str, node: etree._Element, guid: str,
                   extra: ViewpointExtension | None) -> ReviewViewpoint | None:  # fmt: skip
        viewpoint = ReviewViewpoint(guid=extra.guid if extra and extra.guid else guid)
        target = self._member(folder, member, node, "Viewpoint")
        if target is not None:
            try:
                viewpoint = self._visinfo(target, viewpoint, extra, folder)
            except BcfError as exc:
                self._skip_error(exc, "the viewpoint's camera and components are left out")
            except ValueError as exc:
                self.skip(target, f"{exc}; the viewpoint's camera and components are left out")
        snapshot = self._snapshot(folder, member, node, extra)
        if snapshot is not None:
            key, markup = snapshot
            viewpoint = replace(viewpoint, snapshot=key, markup=markup)
        if extra is not None:
            viewpoint = replace(viewpoint, site=extra.site or viewpoint.site, hidden=extra.hidden,
                                isolated=extra.isolated, xray=extra.xray, clip_box=extra.clip_box,
                                color_by=extra.color_by, replay_time=extra.replay_time)  # fmt: skip
        return viewpoint

    def _snapshot(self, folder: str, member: str, node: etree._Element,
                  extra: ViewpointExtension | None) -> tuple[str, tuple[MarkupShape, ...]] | None:  # fmt: skip
        if extra is not None and extra.clean_snapshot:
            clean = f"{folder}/{extra.clean_snapshot}"
            if not unsafe_name_reason(extra.clean_snapshot) and self.archive.has(clean):
                png = self._picture(clean)
                if png is not None:
                    return self._keep(png), extra.markup
        target = self._member(folder, member, node, "Snapshot")
        if target is None:
            return None
        png = self._picture(target)
        if png is None:
            return None
        if extra is not None and extra.markup:
            if extra.snapshot_key in self.document.review.snapshots:
                return extra.snapshot_key, extra.markup
            self.skip(target, "the markup is drawn into this snapshot and its strokes cannot be edited")
        return self._keep(png), ()

    def _keep(self, png: bytes) -> str:
        key = hashlib.sha256(png).hexdigest()
        self.result.snapshots[key] = png
        return key

    def _picture(self, member: str) -> bytes | None:
        try:
            data = self.archive.read(member)
        except BcfError as exc:
            self._skip_error(exc, "the viewpoint is kept without a snapshot")
            return None
        if data.startswith(PNG_SIGNATURE):
            return data
        if data.startswith(b"\xff\xd8\xff"):
            try:
                with Image.open(io.BytesIO(data)) as image:
                    if image.width * image.height > MAX_SNAPSHOT_PIXELS:
                        raise ValueError(f"{image.width} x {image.height} pixels, more than a snapshot needs")
                    out = io.BytesIO()
                    image.convert("RGB").save(out, format="PNG")
                return out.getvalue()
            except (OSError, ValueError, Image.DecompressionBombError) as exc:
                self.skip(member, f"a JPEG snapshot that cannot be read ({exc}); the viewpoint is kept without it")
                return None
        self.skip(member, "expected a PNG or JPEG snapshot; the viewpoint is kept without it")
        return None

    def _visinfo(self, member: str, viewpoint: ReviewViewpoint, extra: ViewpointExtension | None,
                 folder: str) -> ReviewViewpoint:  # fmt: skip
        root = self._xml(member, "VisualizationInfo")
        components = root.find("Components")
        selection, unknown = self._components(components, "Selection/Component")
        visibility = components.find("Visibility") if components is not None else None
        exceptions, unknown_exceptions = self._components(visibility, "Exceptions/Component")
        unknown = list(dict.fromkeys([*unknown, *unknown_exceptions]))
        if unknown:
            shown = ", ".join(unknown[:SHOWN_UNKNOWN]) + (f" and {len(unknown) - SHOWN_UNKNOWN} more"
                                                        if len(unknown) > SHOWN_UNKNOWN else "")  # fmt: skip
            self.skip(place(member, components), f"{len(unknown)} component(s) this plant has no equipment for: "
                      f"{shown}; left out, the known ones kept")  # fmt: skip
        site = next((self.plant.site_of[self.plant.ids[i]] for i in (*selection, *exceptions)), "")
        hidden: tuple[str, ...] = ()
        if visibility is not None:
            default = (visibility.get("DefaultVisibility") or "false").strip() in ("true", "1")
            if default:
                hidden = tuple(exceptions)
            elif exceptions:
                shown_ids = set(exceptions)
                hidden = tuple(i for i in self.plant.site_ids(site) if i not in shown_ids)
            else:
                self.skip(place(member, visibility), "DefaultVisibility false and none of the components shown is in "
                          "this plant: nothing would be shown, everything is kept visible")  # fmt: skip
        camera = self._camera(root, member, selection, extra)
        clip_box = self._clip_box(root, member)
        lines = root.findall("Lines/Line")
        if len(lines) == 1 and folder not in self._lines:
            self._lines[folder] = Measurement(_triple(lines[0], "StartPoint", member),
                                              _triple(lines[0], "EndPoint", member))  # fmt: skip
        elif len(lines) > 1:
            self.skip(place(member, lines[0].getparent()), f"{len(lines)} lines: MotherTwin keeps one measured line "
                      "per topic; left out")  # fmt: skip
        return replace(viewpoint, camera=camera, site=site, selection=tuple(selection), hidden=tuple(sorted(hidden)),
                       clip_box=clip_box)  # fmt: skip

    def _components(self, parent: etree._Element | None, path: str) -> tuple[list[str], list[str]]:
        known: list[str] = []
        unknown: list[str] = []
        for node in parent.findall(path) if parent is not None else ():
            authoring = text(node, "AuthoringToolId")
            ifc = (node.get("IfcGuid") or "").strip()
            found = next((i for i in (authoring, ifc) if i and i in self.plant.ids), None)
            if found is not None:
                known.append(found)
            else:
                unknown.append(authoring or ifc or "(no id)")
        return list(dict.fromkeys(known)), unknown

    def _camera(self, root: etree._Element, member: str, selection: list[str],
                extra: ViewpointExtension | None) -> CameraState | None:  # fmt: skip
        node = root.find("PerspectiveCamera")
        orthogonal = node is None
        if orthogonal:
            node = root.find("OrthogonalCamera")
        if node is None:
            return None
        aspect = node.find("AspectRatio")
        bcf = BcfCamera(
            orthogonal=orthogonal,
            viewpoint=_triple(node, "CameraViewPoint", member),
            direction=_triple(node, "CameraDirection", member),
            up=_triple(node, "CameraUpVector", member),
            field_of_view=60.0 if orthogonal else _float(node, "FieldOfView", member),
            view_to_world_scale=_float(node, "ViewToWorldScale", member) if orthogonal else 1.0,
            aspect_ratio=_float(node, "AspectRatio", member) if aspect is not None else 1.6,
        )
        if orthogonal and not 0 < bcf.view_to_world_scale < math.inf:
            raise ValueError(f"{place(member, node)}: ViewToWorldScale: expected a positive number")
        if not orthogonal and not 0 < bcf.field_of_view < 180:
            raise ValueError(f"{place(member, node)}: FieldOfView: expected an angle between 0 and 180 degrees")
        centre = self.plant.centre(selection)
        distance = (distance_along(bcf, centre) if centre else None) or floor_distance(bcf) or DEFAULT_FOCAL_DISTANCE
        camera = camera_from_bcf(bcf, distance)
        if extra is not None and extra.camera is not None and same_view(extra.camera, camera):
            return extra.camera  # ours, exactly: the focal point and view angle BCF cannot hold
        return camera

    def _clip_box(self, root: etree._Element, member: str) -> tuple[Vec3, Vec3] | None:
        planes = root.findall("ClippingPlanes/ClippingPlane")
        if not planes:
            return None
        sides: dict[tuple[int, float], float] = {}
        for plane in planes:
            location = _triple(plane, "Location", member)
            direction = _triple(plane, "Direction", member)
            axis = max(range(3), key=lambda a: abs(direction[a]))
            others = [abs(direction[a]) for a in range(3) if a != axis]
            if abs(abs(direction[axis]) - 1.0) > 1e-6 or max(others) > 1e-6:
                break
            sides[(axis, 1.0 if direction[axis] > 0 else -1.0)] = location[axis]
        else:
            if len(planes) == 6 and len(sides) == 6:
                low = (sides[(0, -1.0)], sides[(1, -1.0)], sides[(2, -1.0)])
                high = (sides[(0, 1.0)], sides[(1, 1.0)], sides[(2, 1.0)])
                if all(a < b for a, b in zip(low, high, strict=True)):
                    return (low, high)
        self.skip(place(member, planes[0].getparent()), f"{len(planes)} clipping plane(s) that do not form a box: "
                  "MotherTwin clips with a box; left out")  # fmt: skip
        return None
