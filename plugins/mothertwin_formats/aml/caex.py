"""What the AutomationML reader and writer share: the CAEX namespaces and versions, a parser that never
expands or fetches an entity, CAEX paths, the `Frame` attribute as a pose, and ids the plant document accepts.

AutomationML's `Frame` (IEC 62714-1): x, y, z in metres, rx, ry, rz in degrees, turned first about x, then y,
then z, each about the fixed (parent) axes: R = Rz(rz) @ Ry(ry) @ Rx(rx). MotherTwin's pose is
R = Rz(yaw) @ Ry(pitch) @ Rx(roll) (viewer.model.geometry), so yaw = rz, pitch = ry, roll = rx exactly; only
composed transforms need the matrix and its decomposition below.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
from lxml import etree

from viewer.formats import PlantFileError, Pose

CAEX_NAMESPACE = "http://www.dke.de/CAEX"  # CAEX 3.0; CAEX 2.15 files have no namespace
SUPPORTED_VERSIONS = ("2.15", "3.0")
WRITTEN_VERSION = "3.0"
FRAME_KEYS = ("x", "y", "z", "rx", "ry", "rz")

# The ISA-95 levels as AutomationML's role classes name them (AutomationMLExtendedRoleClassLib, and the ISA-95
# role libraries that use the same names): 0 enterprise, 1 site, 2 area, 3 line, 4 cell.
ENTERPRISE, SITE, AREA, LINE, CELL, EQUIPMENT = range(6)
LEVEL_NAMES = ("enterprise", "site", "area", "line", "cell", "equipment")
LEVEL_ROLES = {
    "Enterprise": ENTERPRISE,
    "Site": SITE,
    "Area": AREA,
    "ProductionLine": LINE,
    "ProcessCell": LINE,
    "ProductionUnit": LINE,
    "StorageZone": LINE,
    "WorkCell": CELL,
    "Unit": CELL,
    "StorageUnit": CELL,
}
# The role classes the writer gives each level, so that a file read back maps by role, not by depth.
LEVEL_ROLE_PATHS = {
    ENTERPRISE: "AutomationMLExtendedRoleClassLib/Enterprise",
    SITE: "AutomationMLExtendedRoleClassLib/Site",
    AREA: "AutomationMLExtendedRoleClassLib/Area",
    LINE: "AutomationMLExtendedRoleClassLib/ProductionLine",
    CELL: "AutomationMLExtendedRoleClassLib/WorkCell",
    EQUIPMENT: "AutomationMLBaseRoleClassLib/AutomationMLBaseRole/Resource",
}
FRAME_ROLE = "Frame"  # AutomationMLBaseRole/Frame: a reference frame (a tool mount point), not a thing
COLLADA_INTERFACE = "AutomationMLInterfaceClassLib/AutomationMLBaseInterface/ExternalDataConnector/COLLADAInterface"
DATA_CONNECTOR = "AutomationMLInterfaceClassLib/AutomationMLBaseInterface/ExternalDataConnector"
BASE_INTERFACE = "AutomationMLInterfaceClassLib/AutomationMLBaseInterface"
MESH_SUFFIXES = (".dae", ".glb", ".gltf", ".stl", ".obj", ".ply", ".3mf", ".step", ".stp")

# Attributes the writer puts on elements for what the plant document holds beside parameters; the reader
# takes them back as what they are, not as parameters.
PARENT_PARAMETER = "AutomationML parent"  # an equipment nested in another one: the id of that one
MOTHER_ID_ATTRIBUTE = "MotherTwinMotherID"
SCALE_ATTRIBUTE = "Scale"
SITE_ATTRIBUTES = ("Country", "Timezone", "Latitude", "Longitude")
TYPE_ATTRIBUTES = ("Footprint", "Title", "Category", "Color", "Clearance", "MotherTwinBuiltin")
TYPE_LIBRARY = "MotherTwinEquipmentTypes"

_ID_CHARS = re.compile(r"[^A-Za-z0-9_.:$-]")
MAX_ID = 128


class CaexFile:
    """A parsed CAEX document: its root, version and the tag names of its namespace."""

    def __init__(self, root: etree._Element, version: str, namespace: str) -> None:
        self.root = root
        self.version = version
        self.namespace = namespace
        prefix = f"{{{namespace}}}" if namespace else ""
        self.prefix = prefix

    def tag(self, local: str) -> str:
        return self.prefix + local


def hardened_parser() -> etree.XMLParser:
    """No entity is expanded, no DTD loaded, nothing fetched; libxml2's size limits stay on (huge_tree off)."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )


_DOCTYPE = re.compile(r"<!DOCTYPE\s[^\[>]*(\[(?P<subset>.*?)\]\s*)?>", re.DOTALL)
_ENTITY = re.compile(r"<!ENTITY\s+(?:%\s*)?(?P<name>[^\s\"'>]+)")


def _declared_entities(data: bytes) -> list[str]:
    """The entities a DOCTYPE before the root element declares (read before libxml2 sees the file, so that
    every file declaring one gets the same clear refusal, whatever libxml2 would have said of it)."""
    head = data[: 1 << 20]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        little = head[:2] == b"\xff\xfe" or head[1:2] == b"\x00"
        text = head.decode("utf-16-le" if little else "utf-16-be", errors="ignore")
    else:
        text = head.decode("latin-1")
    doctype = _DOCTYPE.search(text)
    root = text.find("<CAEXFile")
    if doctype is None or (root != -1 and doctype.start() > root):  # a DOCTYPE comes before the root only
        return []
    return [m.group("name") for m in _ENTITY.finditer(doctype.group("subset") or "")]


def _refuse_entities(path: Path, names: list[str]) -> None:
    if names:
        shown = ", ".join(repr(n) for n in names[:5]) + (" ..." if len(names) > 5 else "")
        raise PlantFileError.single(
            path,
            "line 1, DOCTYPE",
            f"the file declares XML entities ({shown}); MotherTwin never expands or fetches entities "
            "(an entity bomb or an external reference): AutomationML files have no DOCTYPE",
        )


def parse_caex(data: bytes, path: Path) -> CaexFile:
    """Parse a CAEX file or raise PlantFileError naming the file, the line and what was expected."""
    _refuse_entities(path, _declared_entities(data))
    try:
        tree = etree.fromstring(data, hardened_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        column = exc.offset or 0
        text = exc.msg or str(exc)
        if "entit" in text.lower() and ("amplification" in text.lower() or "loop" in text.lower()):
            text = f"entity expansion refused ({text})"
        raise PlantFileError.single(
            path, f"line {line}, column {column}", f"not well-formed XML: {text} (expected an AutomationML file)"
        ) from exc
    except ValueError as exc:  # bytes lxml cannot take at all (e.g. an encoding declaration it refuses)
        raise PlantFileError.single(path, "line 1", f"not an XML file: {exc}") from exc
    dtd = tree.docinfo.internalDTD
    if dtd is not None:  # what the text scan above could not see (another encoding)
        _refuse_entities(path, [str(e.name) for e in dtd.iterentities()])
    root = tree.getroot()
    qname = etree.QName(root)
    if qname.localname != "CAEXFile":
        raise PlantFileError.single(
            path,
            f"line {root.sourceline}",
            f"expected a CAEXFile root element, got <{qname.localname}>: not AutomationML",
        )
    version = (root.get("SchemaVersion") or "").strip()
    namespace = qname.namespace or ""
    if namespace not in ("", CAEX_NAMESPACE):
        raise PlantFileError.single(
            path,
            f"line {root.sourceline}, CAEXFile",
            f"unknown namespace {namespace!r}: expected {CAEX_NAMESPACE!r} (CAEX 3.0) or none (CAEX 2.15)",
        )
    if version not in SUPPORTED_VERSIONS:
        raise PlantFileError.single(
            path,
            f"line {root.sourceline}, CAEXFile SchemaVersion",
            f"unsupported CAEX version {version or 'none'!r}: MotherTwin reads CAEX {' and '.join(SUPPORTED_VERSIONS)}",
        )
    if (version == "3.0") != (namespace == CAEX_NAMESPACE):
        expected = f"namespace {CAEX_NAMESPACE!r}" if version == "3.0" else "no namespace"
        raise PlantFileError.single(
            path,
            f"line {root.sourceline}, CAEXFile",
            f"CAEX {version} with namespace {namespace!r}: expected {expected}",
        )
    return CaexFile(root, version, namespace)


# ---------------------------------------------------------------- paths


def split_path(path: str) -> list[str]:
    """A CAEX path's parts: "Lib/Class/Sub" -> [Lib, Class, Sub]; CAEX 3.0 brackets keep a "/" in a name
    ("Lib/[a/b]")."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in path:
        if char == "[":
            depth += 1
            if depth == 1:
                continue
        elif char == "]" and depth:
            depth -= 1
            if depth == 0:
                continue
        if char == "/" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def join_path(parts: list[str]) -> str:
    return "/".join(f"[{p}]" if "/" in p or "[" in p or "]" in p else p for p in parts)


# ---------------------------------------------------------------- poses


def frame_matrix(values: tuple[float, float, float, float, float, float]) -> np.ndarray:
    """4x4 transform of a Frame (x, y, z, rx, ry, rz): R = Rz @ Ry @ Rx about fixed axes."""
    x, y, z, rx, ry, rz = values
    a, b, c = math.radians(rx), math.radians(ry), math.radians(rz)
    ca, sa, cb, sb, cc, sc = math.cos(a), math.sin(a), math.cos(b), math.sin(b), math.cos(c), math.sin(c)
    return np.array(
        [
            [cc * cb, cc * sb * sa - sc * ca, cc * sb * ca + sc * sa, x],
            [sc * cb, sc * sb * sa + cc * ca, sc * sb * ca - cc * sa, y],
            [-sb, cb * sa, cb * ca, z],
            [0.0, 0.0, 0.0, 1.0],
        ]
    )


def pose_to_frame(pose: Pose) -> tuple[float, float, float, float, float, float]:
    return (pose.x, pose.y, pose.z, pose.roll, pose.pitch, pose.yaw)


def frame_to_pose(values: tuple[float, float, float, float, float, float]) -> Pose:
    x, y, z, rx, ry, rz = values
    return Pose(x, y, z, yaw=rz, pitch=ry, roll=rx)


def matrix_to_frame(matrix: np.ndarray) -> tuple[float, float, float, float, float, float]:
    """The Frame values of a rigid 4x4 transform (rx, ry, rz in degrees; at ry = +-90 all turn goes to rz)."""
    r = matrix[:3, :3]
    horizontal = math.hypot(r[0, 0], r[1, 0])
    ry = math.atan2(-r[2, 0], horizontal)
    if horizontal > 1e-9:
        rz = math.atan2(r[1, 0], r[0, 0])
        rx = math.atan2(r[2, 1], r[2, 2])
    else:  # gimbal lock: rx and rz turn about the same axis; keep rx 0
        rz = math.atan2(-r[0, 1], r[1, 1])
        rx = 0.0
    t = matrix[:3, 3]
    return (float(t[0]), float(t[1]), float(t[2]), math.degrees(rx), math.degrees(ry), math.degrees(rz))


def matrix_to_pose(matrix: np.ndarray) -> Pose:
    return frame_to_pose(matrix_to_frame(matrix))


def pose_to_matrix(pose: Pose) -> np.ndarray:
    return frame_matrix(pose_to_frame(pose))


# ---------------------------------------------------------------- ids and numbers


def clean_id(raw: str) -> str:
    """An AutomationML ID as a plant document id: braces of a GUID dropped ("{ab-12}" -> "ab-12"), other
    characters the document does not take replaced by "_", the length kept within 128."""
    text = raw.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    text = _ID_CHARS.sub("_", text)
    if len(text) > MAX_ID:
        import hashlib

        text = text[: MAX_ID - 13] + "-" + hashlib.sha256(raw.encode()).hexdigest()[:12]
    return text


def number(text: str | None) -> float | None:
    """A finite number from attribute text (xs:double), None when it is not one."""
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None
