"""Our own BCF extension: what a MotherTwin topic holds and BCF has no element for, in `mothertwin.xml` in the
topic's folder, in our namespace. Other BCF readers ignore a file the markup does not name.

BCF 2.1's and 3.0's schemas allow no foreign element anywhere (no xs:any), so the extension cannot go inside
markup.bcf or a viewpoint file without making them invalid; a file beside them can. It holds the topic's number,
its exact status, type and priority, pin, site, equipment, decision, measurement and due day, and per viewpoint
the exact camera (focal point, view angle), hidden groups, isolation, X-ray, clipping box, colour-by, replayed
time, markup strokes and the snapshot without its markup (a picture in the same folder).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from viewer.model.review import (
    MarkupKind,
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
from viewer.review.bcf_terms import bcf_guid

NAMESPACE = "https://mothertwin.example/bcf-extension/1"
PREFIX = "mt"
FILE_NAME = "mothertwin.xml"
_NS = f"{{{NAMESPACE}}}"


@dataclass(frozen=True, slots=True)
class ViewpointExtension:
    guid: str
    camera: CameraState | None = None
    site: str = ""
    hidden: tuple[str, ...] = ()
    isolated: str | None = None
    xray: bool = False
    clip_box: tuple[Vec3, Vec3] | None = None
    color_by: str = ""
    replay_time: str = ""
    snapshot_key: str = ""  # SHA-256 of the snapshot without markup
    clean_snapshot: str = ""  # the member (in the topic folder) holding that picture
    markup: tuple[MarkupShape, ...] = ()


@dataclass(frozen=True, slots=True)
class TopicExtension:
    guid: str  # the topic's own id, when BCF's GUID had to be derived from it
    number: int = 0
    type: TopicType | None = None
    status: TopicStatus | None = None
    priority: Priority | None = None
    due_date: str = ""
    site: str = ""
    equipment: tuple[str, ...] = ()
    pin: Vec3 | None = None
    decision: str = ""
    measurement: Measurement | None = None
    viewpoints: dict[str, ViewpointExtension] = field(default_factory=dict)  # by BCF GUID


# ---------------------------------------------------------------- writing


def _triple(values: Vec3) -> str:
    return " ".join(repr(float(v)) for v in values)


def _sub(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, _NS + name, {k: v for k, v in attributes.items() if v != ""})
    if text:
        element.text = text
    return element


def _color(rgb: tuple[int, int, int]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def _viewpoint(parent: etree._Element, viewpoint: ReviewViewpoint, clean_snapshot: str) -> None:
    element = _sub(parent, "Viewpoint", Guid=viewpoint.guid, Site=viewpoint.site, Isolated=viewpoint.isolated or "",
                   XRay="true" if viewpoint.xray else "", ColorBy=viewpoint.color_by,
                   ReplayTime=viewpoint.replay_time, SnapshotKey=viewpoint.snapshot,
                   CleanSnapshot=clean_snapshot)  # fmt: skip
    camera = viewpoint.camera
    if camera is not None:
        _sub(element, "Camera", Position=_triple(camera.position), FocalPoint=_triple(camera.focal_point),
             Up=_triple(camera.up), Parallel="true" if camera.parallel else "false",
             ParallelScale=repr(float(camera.parallel_scale)), ViewAngle=repr(float(camera.view_angle)))  # fmt: skip
    for group in viewpoint.hidden:
        _sub(element, "Hidden", group)
    if viewpoint.clip_box is not None:
        _sub(element, "ClipBox", Min=_triple(viewpoint.clip_box[0]), Max=_triple(viewpoint.clip_box[1]))
    for shape in viewpoint.markup:
        stroke = _sub(element, "Shape", Kind=shape.kind.value, Color=_color(shape.color), Width=repr(shape.width),
                      Text=shape.text)  # fmt: skip
        for x, y in shape.points:
            _sub(stroke, "Point", X=repr(float(x)), Y=repr(float(y)))


def extension_xml(topic: Topic, clean_snapshots: dict[str, str]) -> etree._Element:
    """The extension of one topic; `clean_snapshots` names the picture without markup of each viewpoint."""
    root = etree.Element(_NS + "TopicExtension", nsmap={PREFIX: NAMESPACE})
    for name, value in (("Guid", topic.guid), ("Number", str(topic.number)), ("Type", topic.type.value),
                        ("Status", topic.status.value), ("Priority", topic.priority.value),
                        ("DueDate", topic.due_date), ("Site", topic.site)):  # fmt: skip
        if value:
            root.set(name, value)
    for equipment in topic.equipment:
        _sub(root, "Equipment", equipment)
    if topic.pin is not None:
        _sub(root, "Pin", Point=_triple(topic.pin))
    if topic.decision:
        _sub(root, "Decision", topic.decision)
    if topic.measurement is not None:
        _sub(root, "Measurement", Start=_triple(topic.measurement.start), End=_triple(topic.measurement.end))
    for viewpoint in topic.viewpoints:
        _viewpoint(root, viewpoint, clean_snapshots.get(viewpoint.guid, ""))
    return root


# ---------------------------------------------------------------- reading


def _vec3(text: str | None, what: str) -> Vec3:
    try:
        x, y, z = (float(v) for v in (text or "").split())
    except ValueError:
        raise ValueError(f"{what}: expected three numbers, got {text!r}") from None
    return (x, y, z)


def _enum(kind: type[TopicType] | type[TopicStatus] | type[Priority], text: str | None) -> object:
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{kind.__name__} {text!r}: expected one of {', '.join(m.value for m in kind)}") from None


def _shape(element: etree._Element) -> MarkupShape:
    color = (element.get("Color") or "#E62828").lstrip("#")
    try:
        rgb = (int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16))
        points = tuple((float(p.get("X", "")), float(p.get("Y", ""))) for p in element.iterchildren(_NS + "Point"))
        width = float(element.get("Width", "4"))
        kind = MarkupKind(element.get("Kind", ""))
    except ValueError as exc:
        raise ValueError(f"markup shape on line {element.sourceline}: {exc}") from None
    return MarkupShape(kind, points, rgb, width, element.get("Text", ""))


def _camera(element: etree._Element) -> CameraState:
    return CameraState(
        position=_vec3(element.get("Position"), "Camera Position"),
        focal_point=_vec3(element.get("FocalPoint"), "Camera FocalPoint"),
        up=_vec3(element.get("Up"), "Camera Up"),
        parallel=element.get("Parallel") == "true",
        parallel_scale=float(element.get("ParallelScale", "1")),
        view_angle=float(element.get("ViewAngle", "30")),
    )


def _read_viewpoint(element: etree._Element) -> ViewpointExtension:
    camera = element.find(_NS + "Camera")
    box = element.find(_NS + "ClipBox")
    return ViewpointExtension(
        guid=element.get("Guid") or "",
        camera=_camera(camera) if camera is not None else None,
        site=element.get("Site", ""),
        hidden=tuple(sorted((e.text or "") for e in element.iterchildren(_NS + "Hidden") if e.text)),
        isolated=element.get("Isolated") or None,
        xray=element.get("XRay") == "true",
        clip_box=(_vec3(box.get("Min"), "ClipBox Min"), _vec3(box.get("Max"), "ClipBox Max")) if box is not None
        else None,
        color_by=element.get("ColorBy", ""),
        replay_time=element.get("ReplayTime", ""),
        snapshot_key=element.get("SnapshotKey", ""),
        clean_snapshot=element.get("CleanSnapshot", ""),
        markup=tuple(_shape(s) for s in element.iterchildren(_NS + "Shape")),
    )


def _measurement(element: etree._Element) -> Measurement:
    return Measurement(_vec3(element.get("Start"), "Measurement Start"), _vec3(element.get("End"), "Measurement End"))


def read_extension(root: etree._Element) -> TopicExtension:
    """Our extension of one topic; raises ValueError saying which value is wrong."""
    if root.tag != _NS + "TopicExtension":
        raise ValueError(f"expected <{PREFIX}:TopicExtension> in namespace {NAMESPACE}, got <{root.tag}>")
    pin = root.find(_NS + "Pin")
    measured = root.find(_NS + "Measurement")
    try:
        number = int(root.get("Number", "0"))
    except ValueError:
        raise ValueError(f"Number {root.get('Number')!r}: expected a whole number") from None
    viewpoints = (_read_viewpoint(e) for e in root.iterchildren(_NS + "Viewpoint"))
    return TopicExtension(
        guid=root.get("Guid", ""),
        number=number,
        type=_enum(TopicType, root.get("Type")),  # type: ignore[arg-type]
        status=_enum(TopicStatus, root.get("Status")),  # type: ignore[arg-type]
        priority=_enum(Priority, root.get("Priority")),  # type: ignore[arg-type]
        due_date=root.get("DueDate", ""),
        site=root.get("Site", ""),
        equipment=tuple((e.text or "") for e in root.iterchildren(_NS + "Equipment") if e.text),
        pin=_vec3(pin.get("Point"), "Pin") if pin is not None else None,
        decision=root.findtext(_NS + "Decision") or "",
        measurement=_measurement(measured) if measured is not None else None,
        viewpoints={bcf_guid(v.guid): v for v in viewpoints},
    )
