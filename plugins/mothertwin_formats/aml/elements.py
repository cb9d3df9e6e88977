"""What every part of the AutomationML mapping shares: the InternalElements as read (`_Node`), the containers
an element is placed in (`_Chain`), and `_MapperBase`: the file, its tags, warnings and counts, the ids given
out, what was recorded of elements and interfaces, attribute values as parameters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from mothertwin_formats.aml.caex import CaexFile, number
from viewer.formats import (
    Area,
    Cell,
    Line,
    OpenCancelledError,
    Parameter,
    Problem,
    ReadRequest,
    Site,
    unique_name,
)

LENGTH_UNITS = {"": 1.0, "m": 1.0, "mm": 0.001, "cm": 0.01, "dm": 0.1, "km": 1000.0}
INTEGER_TYPES = {"xs:int", "xs:integer", "xs:long", "xs:short", "xs:byte", "xs:unsignedint", "xs:unsignedlong",
                 "xs:unsignedshort", "xs:nonnegativeinteger", "xs:positiveinteger"}  # fmt: skip
FLOAT_TYPES = {"xs:double", "xs:float", "xs:decimal"}
WARNINGS_SHOWN = 20  # of one kind; the rest are counted in one more warning
Frame6 = tuple[float, float, float, float, float, float]


@dataclass
class _Node:
    """An InternalElement as read, before it is mapped."""

    element: etree._Element
    name: str
    ident: str  # the document id it gets
    raw_id: str
    roles: list[str]
    frame: Frame6 | None
    attributes: list[etree._Element]
    meshes: list[str]  # refURIs of geometry
    suc: str
    children: list[_Node] = field(default_factory=list)
    level: int | None = None  # by role class
    frame_only: bool = False  # its only role is Frame
    level_below: bool = False  # some element below it has a level role
    mirror_of: str = ""  # the master's raw ID
    parent: _Node | None = None

    def where(self) -> str:
        return f"line {self.element.sourceline}, InternalElement {self.name!r} (ID {self.raw_id or 'none'})"


@dataclass
class _Chain:
    """The model containers an element is placed in."""

    site: Site | None = None
    area: Area | None = None
    line: Line | None = None
    cell: Cell | None = None
    anchor: str = ""  # the id and name of the innermost real container, for the levels made below it
    anchor_name: str = ""


class _MapperBase:
    """The state of one file's mapping that its parts share (`_Mapper` in reader.py is all of them in one)."""

    def __init__(self, caex: CaexFile, request: ReadRequest) -> None:
        self.caex = caex
        self.request = request
        self.file = str(request.path)
        self.folder = request.path.parent.resolve()
        self.problems: list[Problem] = []
        self.warned: dict[str, int] = {}
        t = caex.tag
        self.T_IE, self.T_ATTR, self.T_EI = t("InternalElement"), t("Attribute"), t("ExternalInterface")
        self.T_RR, self.T_SRC, self.T_LINK = t("RoleRequirements"), t("SupportedRoleClass"), t("InternalLink")
        self.T_VALUE = t("Value")
        self.ids: set[str] = set()
        self.placed: set[str] = set()  # ids of the elements that became a level or equipment
        self.by_raw_id: dict[str, _Node] = {}
        self.interface_owner: dict[str, tuple[_Node, str]] = {}
        self.links: list[etree._Element] = []
        self.counts: dict[str, int] = {}
        self.seen = 0
        self.total = max(1, sum(1 for _ in caex.root.iter(self.T_IE)))

    # ------------------------------------------------------------ small tools

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def warn(self, kind: str, where: str, message: str) -> None:
        shown = self.warned.get(kind, 0)
        self.warned[kind] = shown + 1
        if shown < WARNINGS_SHOWN:
            self.problems.append(Problem(self.file, where, message))

    def unique(self, ident: str) -> str:
        return unique_name(ident, self.ids)

    def progress(self) -> None:
        self.seen += 1
        if self.seen % 512 == 0:
            if self.request.cancelled():
                raise OpenCancelledError
            self.request.progress(0.1 + 0.8 * self.seen / self.total, "Mapping AutomationML")

    def _values(self, attribute: etree._Element, prefix: str) -> Iterator[Parameter]:
        """Every attribute with a value, nested ones named "Outer.Inner"."""
        name = prefix + (attribute.get("Name") or "")
        value_element = attribute.find(self.T_VALUE)
        if value_element is not None:
            unit = (attribute.get("Unit") or "").strip()
            yield Parameter(name, _typed(value_element.text or "", attribute.get("AttributeDataType") or ""), unit)
        for child in attribute.iterchildren(self.T_ATTR):
            yield from self._values(child, name + ".")

    def _summaries(self) -> list[Problem]:
        return [
            Problem(self.file, "file", f"{count - WARNINGS_SHOWN} more warnings like the ones above ({kind})")
            for kind, count in self.warned.items()
            if count > WARNINGS_SHOWN
        ]


def _typed(text: str, data_type: str) -> float | int | bool | str:
    """An attribute's value as its AttributeDataType says (text when it says nothing or does not parse)."""
    kind = data_type.strip().lower()
    value = text.strip()
    if kind in FLOAT_TYPES:
        parsed = number(value)
        return parsed if parsed is not None else text
    if kind in INTEGER_TYPES:
        try:
            return int(value)
        except ValueError:
            return text
    if kind == "xs:boolean" and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return text
