"""AutomationML (CAEX 2.15 and 3.0) as a plant: the InternalElement hierarchy onto site > area > line > cell >
equipment.

How elements map:
- By role class where the file has level roles (ISA-95 names: Enterprise, Site, Area, ProductionLine,
  WorkCell..., also through a role class derived from one): such an element becomes that level. An element
  without a level role that holds level elements is a grouping element: it is not kept, its Frame is composed
  into its children. Any other element becomes equipment; where a level is missing above it (equipment right
  in a line), that level is made ("<parent> (cell)") so the document's fixed depth holds.
- By depth where the file has no level roles at all: top elements are sites, then areas, lines, cells; an
  element without children is equipment at any depth.
- Elements below an equipment are equipment too, in the same cell, their world pose composed; the parameter
  "AutomationML parent" keeps the id of the one they sit in, so the export nests them again.
- Elements whose only role is Frame (tool mount points, reference frames) are not things: skipped, their
  Frame composed into any children. Mirror objects (RefBaseSystemUnitPath naming another element's ID) are
  the same object as their master: skipped, links to them go to the master.
- Attributes with a value become parameters (with their unit; nested attributes as "Outer.Inner"); a
  SystemUnitClass reference becomes the equipment's type, else a type per mesh file, else per role class.
  COLLADAInterface / ExternalDataConnector refURIs are meshes relative to the .aml file. InternalLinks are
  kept as the document's links.
"""

from __future__ import annotations

import math
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from lxml import etree

from mothertwin_formats.aml.caex import (
    AREA,
    ENTERPRISE,
    EQUIPMENT,
    FRAME_KEYS,
    FRAME_ROLE,
    LEVEL_NAMES,
    LEVEL_ROLES,
    LINE,
    MESH_SUFFIXES,
    MOTHER_ID_ATTRIBUTE,
    PARENT_PARAMETER,
    SCALE_ATTRIBUTE,
    SITE,
    SITE_ATTRIBUTES,
    TYPE_ATTRIBUTES,
    CaexFile,
    clean_id,
    frame_matrix,
    frame_to_pose,
    join_path,
    matrix_to_pose,
    number,
    parse_caex,
    split_path,
)
from viewer.formats import (
    Area,
    Cell,
    Enterprise,
    Equipment,
    EquipmentType,
    Footprint,
    ImportOption,
    Line,
    MappingReport,
    MappingRow,
    MaterialLink,
    OpenCancelledError,
    Parameter,
    PlantDocument,
    PlantFileError,
    Pose,
    Problem,
    ReadRequest,
    ReadResult,
    Site,
)

DEFAULT_MAX_MB = 150  # a 10,000-equipment plant is about 15 MB of CAEX; more is refused unless asked for
DEFAULT_FOOTPRINT = (1.0, 1.0, 1.0)
# A box the size of the thing a role class names, for elements whose geometry is not in the file.
ROLE_FOOTPRINTS = {
    "Robot": (1.2, 1.2, 2.0),
    "ControlCabinet": (1.2, 0.6, 2.0),
    "Conveyor": (2.0, 0.8, 0.9),
    "Machine": (2.0, 1.5, 1.8),
    "Storage": (2.0, 1.0, 2.0),
    "Transport": (2.0, 0.8, 0.9),
    "HMI": (0.5, 0.3, 1.5),
    "PLC": (0.4, 0.2, 0.3),
    "Controller": (0.4, 0.2, 0.3),
    "Sensor": (0.1, 0.1, 0.1),
}
LENGTH_UNITS = {"": 1.0, "m": 1.0, "mm": 0.001, "cm": 0.01, "dm": 0.1, "km": 1000.0}
ANGLE_UNITS = {"": 1.0, "deg": 1.0, "°": 1.0, "degree": 1.0, "rad": 180.0 / math.pi}
INTEGER_TYPES = {"xs:int", "xs:integer", "xs:long", "xs:short", "xs:byte", "xs:unsignedint", "xs:unsignedlong",
                 "xs:unsignedshort", "xs:nonnegativeinteger", "xs:positiveinteger"}  # fmt: skip
FLOAT_TYPES = {"xs:double", "xs:float", "xs:decimal"}
WARNINGS_SHOWN = 20  # of one kind; the rest are counted in one more warning
Frame6 = tuple[float, float, float, float, float, float]
GENERIC_TYPE = "AutomationML element"


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


class AmlReader:
    """The `aml` importer: AutomationML files (CAEX 2.15 and 3.0)."""

    name = "aml"
    suffixes = (".aml",)
    title = "AutomationML (CAEX)"

    def sniff(self, head: bytes) -> bool:
        return b"CAEXFile" in head

    def import_options(self, path: Path, head: bytes) -> list[ImportOption]:
        return [ImportOption("max_size_mb", "Largest file to read (MB)", str(DEFAULT_MAX_MB), numeric=True)]

    def read(self, request: ReadRequest) -> ReadResult:
        limit = number(request.options.get("max_size_mb", str(DEFAULT_MAX_MB)))
        if limit is None or limit <= 0:
            raise PlantFileError.single(request.path, "option max_size_mb", "expected a positive number of MB")
        size_mb = len(request.data) / 1e6
        if size_mb > limit:
            raise PlantFileError.single(
                request.path,
                "file",
                f"{size_mb:.0f} MB is more than the {limit:g} MB this importer reads by default "
                f"(about {int(limit * 650):,} equipment); to read it anyway: --option max_size_mb={math.ceil(size_mb)}",
            )
        request.progress(0.02, "Parsing XML")
        caex = parse_caex(request.data, request.path)
        if request.cancelled():
            raise OpenCancelledError
        return _Mapper(caex, request).run()


class _Mapper:
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
        self.roles = self._index("RoleClassLib", "RoleClass")
        self.interfaces = self._index("InterfaceClassLib", "InterfaceClass")
        self.units = self._index("SystemUnitClassLib", "SystemUnitClass")
        self.role_cache: dict[str, tuple[int | None, bool, str]] = {}
        self.interface_cache: dict[str, tuple[bool, bool]] = {}
        self.ids: set[str] = set()
        self.placed: set[str] = set()  # ids of the elements that became a level or equipment
        self.by_raw_id: dict[str, _Node] = {}
        self.interface_owner: dict[str, tuple[_Node, str]] = {}
        self.links: list[etree._Element] = []
        self.counts: dict[str, int] = {}
        self.types: dict[str, EquipmentType] = {}
        self.type_keys: dict[tuple[str, str, str], str] = {}
        self.type_sources: dict[str, str] = {}
        self.builtin_used: set[str] = set()
        self.mesh_found: dict[Path, bool] = {}
        self.synthesized: dict[tuple[str, int], _Chain] = {}
        self.enterprise: Enterprise | None = None
        self.sites: list[Site] = []
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
        base, n = ident, 1
        while ident in self.ids:
            n += 1
            ident = f"{base}-{n}"
        self.ids.add(ident)
        return ident

    def _index(self, lib_tag: str, class_tag: str) -> dict[tuple[str, ...], etree._Element]:
        """Every class of the file's libraries of one kind by its path (library, class, subclass...)."""
        out: dict[tuple[str, ...], etree._Element] = {}
        lib_t, class_t = self.caex.tag(lib_tag), self.caex.tag(class_tag)

        def walk(element: etree._Element, path: tuple[str, ...]) -> None:
            for child in element.iterchildren(class_t):
                sub = (*path, child.get("Name") or "")
                out[sub] = child
                walk(child, sub)

        for lib in self.caex.root.iterchildren(lib_t):
            walk(lib, (lib.get("Name") or "",))
        return out

    @staticmethod
    def _resolve(index: dict[tuple[str, ...], etree._Element], ref: str, near: tuple[str, ...]) -> tuple[str, ...]:
        """A class reference as a path of `index`: absolute, else relative to the referring class's library
        or parent (CAEX 2.15 files name a base class of the same library by its name alone)."""
        parts = tuple(split_path(ref))
        if parts in index or not near:
            return parts
        for start in range(len(near) - 1, 0, -1):
            candidate = near[:start] + parts
            if candidate in index:
                return candidate
        return parts

    def _chain(self, index: dict[tuple[str, ...], etree._Element], ref: str, what: str) -> Iterator[tuple[str, ...]]:
        """A class and its bases (RefBaseClassPath), most derived first; a cycle ends the chain with a warning."""
        path = self._resolve(index, ref, ())
        visited: list[tuple[str, ...]] = []
        while path:
            if path in visited:
                names = " -> ".join("/".join(p) for p in [*visited, path])
                self.warn(f"cycle:{what}", f"{what} {'/'.join(path)!r}",
                          f"reference cycle through RefBaseClassPath ({names}): the chain is cut there")  # fmt: skip
                return
            visited.append(path)
            yield path
            element = index.get(path)
            base = element.get("RefBaseClassPath") if element is not None else None
            if not base:
                return
            path = self._resolve(index, base, path)

    def role_info(self, ref: str) -> tuple[int | None, bool, str]:
        """(ISA-95 level, is a Frame role, own name) of a role class reference."""
        known = self.role_cache.get(ref)
        if known is None:
            names = [path[-1] for path in self._chain(self.roles, ref, "RoleClass") if path]
            level = next((LEVEL_ROLES[n] for n in names if n in LEVEL_ROLES), None)
            known = (level, FRAME_ROLE in names and level is None, names[0] if names else "")
            self.role_cache[ref] = known
        return known

    def interface_info(self, ref: str) -> tuple[bool, bool]:
        """(is COLLADA geometry, is an external data connector) of an interface class reference."""
        known = self.interface_cache.get(ref)
        if known is None:
            names = [path[-1] for path in self._chain(self.interfaces, ref, "InterfaceClass") if path]
            collada = "COLLADAInterface" in names
            known = (collada, collada or "ExternalDataConnector" in names)
            self.interface_cache[ref] = known
        return known

    def progress(self) -> None:
        self.seen += 1
        if self.seen % 512 == 0:
            if self.request.cancelled():
                raise OpenCancelledError
            self.request.progress(0.1 + 0.8 * self.seen / self.total, "Mapping AutomationML")

    # ------------------------------------------------------------ reading elements

    def _frame(self, attribute: etree._Element, where: str) -> Frame6:
        values = [0.0] * 6
        for child in attribute.iterchildren(self.T_ATTR):
            key = child.get("Name")
            if key not in FRAME_KEYS:
                continue
            text = child.findtext(self.T_VALUE)
            value = number(text)
            if value is None:
                if text is not None and text.strip():
                    self.warn("frame", where, f"Frame {key}: expected a number, got {text.strip()!r}; 0 taken")
                continue
            unit = (child.get("Unit") or "").strip().lower()
            scales = ANGLE_UNITS if key.startswith("r") else LENGTH_UNITS
            values[FRAME_KEYS.index(key)] = value * scales.get(unit, 1.0)
        return (values[0], values[1], values[2], values[3], values[4], values[5])

    def _node(self, element: etree._Element) -> _Node:
        self.progress()
        raw_id = element.get("ID") or ""
        name = element.get("Name") or raw_id or "unnamed"
        attributes: list[etree._Element] = []
        roles: list[str] = []
        meshes: list[str] = []
        child_elements: list[etree._Element] = []
        frame: Frame6 | None = None
        suc = element.get("RefBaseSystemUnitPath") or ""
        node = _Node(element, name, "", raw_id, roles, None, attributes, meshes, suc)
        for child in element:
            tag = child.tag
            if tag == self.T_IE:
                child_elements.append(child)
            elif tag == self.T_ATTR:
                if child.get("Name") == "Frame":
                    frame = self._frame(child, node.where())
                else:
                    attributes.append(child)
            elif tag == self.T_EI:
                self._interface(child, node)
            elif tag == self.T_RR:
                roles.append(child.get("RefBaseRoleClassPath") or child.get("RefRoleClassPath") or "")
            elif tag == self.T_SRC:
                roles.append(child.get("RefRoleClassPath") or child.get("RefBaseRoleClassPath") or "")
            elif tag == self.T_LINK:
                self.links.append(child)
        node.frame = frame
        wanted = clean_id(raw_id) or f"aml-line{element.sourceline}"
        node.ident = self.unique(wanted)
        if node.ident != wanted:
            self.warn("duplicate id", node.where(), f"ID used before in the file: imported as {node.ident!r}")
        if raw_id:
            self.by_raw_id.setdefault(raw_id.strip().strip("{}"), node)
        infos = [self.role_info(r) for r in roles if r]
        levels = [level for level, _, _ in infos if level is not None]
        node.level = levels[0] if levels else None
        node.frame_only = bool(infos) and all(is_frame for _, is_frame, _ in infos)
        node.roles = [own for _, _, own in infos if own]
        node.children = [self._node(c) for c in child_elements]
        for child in node.children:
            child.parent = node
        node.level_below = any(c.level is not None or c.level_below for c in node.children)
        return node

    def _interface(self, interface: etree._Element, node: _Node, instance: bool = True) -> None:
        for each in interface.iter(self.T_EI):
            if instance and each.get("ID"):
                self.interface_owner[each.get("ID", "").strip().strip("{}")] = (node, each.get("Name") or "")
            collada, connector = self.interface_info(each.get("RefBaseClassPath") or "")
            if not connector:
                continue
            uri = ""
            for attribute in each.iterchildren(self.T_ATTR):
                if attribute.get("Name") == "refURI":
                    uri = (attribute.findtext(self.T_VALUE) or "").strip()
            if not uri:
                continue
            target = uri.split("#", 1)[0]
            if collada or Path(urllib.parse.urlparse(target).path).suffix.lower() in MESH_SUFFIXES:
                node.meshes.append(target)
            elif instance:
                self.count("other data")

    # ------------------------------------------------------------ mapping

    def run(self) -> ReadResult:
        hierarchies = list(self.caex.root.iterchildren(self.caex.tag("InstanceHierarchy")))
        trees = [(h, [self._node(e) for e in h.iterchildren(self.T_IE)]) for h in hierarchies]
        self._mark_mirrors(trees)
        for hierarchy, roots in trees:
            by_role = any(n.level is not None or n.level_below for n in roots)
            hierarchy_id = self.unique(clean_id(hierarchy.get("ID") or "") or "aml-hierarchy")
            chain = _Chain(anchor=hierarchy_id, anchor_name=hierarchy.get("Name") or "AutomationML")
            if self.enterprise is None and not any(n.level == ENTERPRISE for n in roots):
                self.enterprise = Enterprise(hierarchy_id, hierarchy.get("Name") or "AutomationML")
            for node in roots:
                self._place(node, ENTERPRISE if by_role else SITE, None, chain, None, by_role)
        if self.enterprise is None:
            self.enterprise = Enterprise(self.unique("aml"), self.request.path.stem)
        document = PlantDocument(self.enterprise, self.sites, dict(self.types))
        document.links = self._links()
        self.request.progress(0.95, "Mapping AutomationML")
        return ReadResult(document, self.problems + self._summaries(), self._report(document))

    def _mark_mirrors(self, trees: list[tuple[etree._Element, list[_Node]]]) -> None:
        """A RefBaseSystemUnitPath that is another element's ID makes a mirror object of that element."""

        def walk(nodes: list[_Node]) -> Iterator[_Node]:
            for n in nodes:
                yield n
                yield from walk(n.children)

        for _, roots in trees:
            for node in walk(roots):
                key = node.suc.strip().strip("{}")
                if key and "/" not in key and key in self.by_raw_id and tuple(split_path(node.suc)) not in self.units:
                    node.mirror_of = key

    def master_of(self, node: _Node) -> _Node | None:
        """The element a mirror object stands for, None for a cycle of mirrors (warned)."""
        visited = [node]
        while node.mirror_of:
            nxt = self.by_raw_id[node.mirror_of]
            if nxt in visited:
                names = " -> ".join(repr(n.name) for n in [*visited, nxt])
                self.warn("cycle:mirror", visited[0].where(), f"reference cycle of mirror objects ({names}): skipped")
                return None
            visited.append(nxt)
            node = nxt
        return node

    def _place(
        self, node: _Node, expected: int, acc: np.ndarray | None, chain: _Chain, parent: Equipment | None, by_role: bool
    ) -> None:
        """Map one element and what is below it. `acc`: the transform from the model container the element
        lands in (or the parent equipment's cell) to the element's parent, None for identity."""
        if node.mirror_of:
            self.master_of(node)
            self.count("mirrors")
            return
        if node.frame_only:
            self.count("frames")
            self._attributes_dropped(node)
            inner = self._compose(acc, node.frame)
            for child in node.children:
                self._place(child, expected, inner, chain, parent, by_role)
            return
        level = node.level if by_role else None
        if level is not None and (level < expected or expected == EQUIPMENT):
            level = None
        if level is None and expected < EQUIPMENT and node.children:
            if not by_role:
                level = expected
            elif node.level_below:
                self.count("groups")
                self._attributes_dropped(node)
                inner = self._compose(acc, node.frame)
                for child in node.children:
                    self._place(child, expected, inner, chain, None, by_role)
                return
        if level is None:
            self._equipment(node, expected, acc, chain, parent, by_role)
            return
        if level == ENTERPRISE:
            if self.enterprise is None:
                self.enterprise = Enterprise(node.ident, node.name)
                self.placed.add(node.ident)
                self.count("enterprise")
            else:
                self.count("groups")
            self._attributes_dropped(node)
            inner = self._compose(acc, node.frame)
            for child in node.children:
                self._place(child, SITE, inner, chain, None, by_role)
            return
        chain = self._made_levels(chain, expected, level)
        source = "role" if by_role else "depth"
        if level == SITE:
            site = Site(node.ident, node.name)
            self.placed.add(node.ident)
            self._site_attributes(site, node)
            self.sites.append(site)
            self.count(f"site:{source}")
            inner = self._compose(acc, node.frame)  # a site has no pose: its frame goes to its areas
            inside = _Chain(site=site, anchor=node.ident, anchor_name=node.name)
            for child in node.children:
                self._place(child, AREA, inner, inside, None, by_role)
            return
        self._attributes_dropped(node)
        pose = self._pose(acc, node.frame)
        inside = self._add_level(chain, level, node.ident, node.name, pose)
        self.placed.add(node.ident)
        self.count(f"{LEVEL_NAMES[level]}:{source}")
        for child in node.children:
            self._place(child, level + 1, None, inside, None, by_role)

    def _compose(self, acc: np.ndarray | None, frame: Frame6 | None) -> np.ndarray | None:
        if frame is None or not any(frame):
            return acc
        matrix = frame_matrix(frame)
        return matrix if acc is None else acc @ matrix

    def _pose(self, acc: np.ndarray | None, frame: Frame6 | None) -> Pose:
        if acc is None:
            return frame_to_pose(frame) if frame is not None else Pose()
        return matrix_to_pose(acc if frame is None else acc @ frame_matrix(frame))

    def _add_level(self, chain: _Chain, level: int, ident: str, name: str, pose: Pose) -> _Chain:
        if level == AREA:
            assert chain.site is not None
            area = Area(ident, name, pose)
            chain.site.areas.append(area)
            return _Chain(chain.site, area, anchor=ident, anchor_name=name)
        if level == LINE:
            assert chain.area is not None
            line = Line(ident, name, pose)
            chain.area.lines.append(line)
            return _Chain(chain.site, chain.area, line, anchor=ident, anchor_name=name)
        assert chain.line is not None
        cell = Cell(ident, name, pose)
        chain.line.cells.append(cell)
        return _Chain(chain.site, chain.area, chain.line, cell, anchor=ident, anchor_name=name)

    def _made_levels(self, chain: _Chain, expected: int, level: int) -> _Chain:
        """The levels from `expected` down to above `level` that the file lacks, made once per container."""
        for missing in range(max(expected, SITE), level):
            key = (chain.anchor, missing)
            made = self.synthesized.get(key)
            if made is None:
                ident = self.unique(f"{chain.anchor}.{LEVEL_NAMES[missing]}")
                name = f"{chain.anchor_name} ({LEVEL_NAMES[missing]})"
                if missing == SITE:
                    site = Site(ident, name)
                    self.sites.append(site)
                    made = _Chain(site=site, anchor=chain.anchor, anchor_name=chain.anchor_name)
                else:
                    made = self._add_level(chain, missing, ident, name, Pose())
                    made.anchor, made.anchor_name = chain.anchor, chain.anchor_name
                self.synthesized[key] = made
                self.count(f"{LEVEL_NAMES[missing]}:made")
            chain = made
        return chain

    def _equipment(
        self, node: _Node, expected: int, acc: np.ndarray | None, chain: _Chain, parent: Equipment | None, by_role: bool
    ) -> None:
        if expected < EQUIPMENT:
            chain = self._made_levels(chain, expected, EQUIPMENT)
        assert chain.cell is not None
        if acc is None:
            pose = frame_to_pose(node.frame) if node.frame is not None else Pose()
            matrix = None
        else:
            matrix = self._compose(acc, node.frame)
            assert matrix is not None
            pose = matrix_to_pose(matrix)
        equipment = Equipment(node.ident, node.name, self._type_of(node), pose)
        self.placed.add(node.ident)
        self._equipment_attributes(equipment, node)
        if parent is not None:
            equipment.parameters.append(Parameter(PARENT_PARAMETER, parent.id))
            self.count("equipment:nested")
        else:
            self.count("equipment:cell")
        chain.cell.equipment.append(equipment)
        if node.children:
            inner = matrix if matrix is not None else self._compose(None, node.frame)
            for child in node.children:
                self._place(child, EQUIPMENT, inner, chain, equipment, by_role)

    # ------------------------------------------------------------ attributes

    def _values(self, attribute: etree._Element, prefix: str) -> Iterator[Parameter]:
        """Every attribute with a value, nested ones named "Outer.Inner"."""
        name = prefix + (attribute.get("Name") or "")
        value_element = attribute.find(self.T_VALUE)
        if value_element is not None:
            unit = (attribute.get("Unit") or "").strip()
            yield Parameter(name, _typed(value_element.text or "", attribute.get("AttributeDataType") or ""), unit)
        for child in attribute.iterchildren(self.T_ATTR):
            yield from self._values(child, name + ".")

    def _equipment_attributes(self, equipment: Equipment, node: _Node) -> None:
        for attribute in node.attributes:
            key = attribute.get("Name")
            if key == SCALE_ATTRIBUTE:
                scale = [number(attribute.findtext(f"{self.T_ATTR}[@Name='{k}']/{self.T_VALUE}")) for k in "xyz"]
                if all(s is not None and s > 0 for s in scale):
                    equipment.scale = (float(scale[0] or 1), float(scale[1] or 1), float(scale[2] or 1))
                    continue
            if key == MOTHER_ID_ATTRIBUTE:
                mother = clean_id(attribute.findtext(self.T_VALUE) or "")
                if mother:
                    equipment.mother_id = mother
                    continue
            for parameter in self._values(attribute, ""):
                equipment.parameters.append(parameter)
                self.count("parameters:unit" if parameter.unit else "parameters:plain")

    def _site_attributes(self, site: Site, node: _Node) -> None:
        for attribute in node.attributes:
            key = attribute.get("Name") or ""
            text = (attribute.findtext(self.T_VALUE) or "").strip()
            if key in SITE_ATTRIBUTES and text:
                if key == "Country":
                    site.country = text
                elif key == "Timezone":
                    site.timezone = text
                elif number(text) is not None:
                    setattr(site, key.lower(), number(text))
                continue
            self.count("level attributes", sum(1 for _ in self._values(attribute, "")))

    def _attributes_dropped(self, node: _Node) -> None:
        self.count("level attributes", sum(1 for a in node.attributes for _ in self._values(a, "")))

    # ------------------------------------------------------------ types

    def _type_of(self, node: _Node) -> str:
        reference = node.meshes[0] if node.meshes else ""
        mesh = self._mesh(reference, node) if reference else ""
        if node.suc:
            return self._suc_type(node, mesh)
        role = node.roles[0] if node.roles else ""
        if reference:  # a missing file still names the type: a box now, the mesh once the file is there
            stem = Path(urllib.parse.urlparse(reference).path).stem or GENERIC_TYPE
            return self._make_type(("mesh", reference, ""), stem, mesh, role, "from mesh references")
        source = "from role classes (no class, no mesh)"
        return self._make_type(("role", role, ""), role or GENERIC_TYPE, "", role, source)

    def _make_type(self, key: tuple[str, str, str], name: str, mesh: str, role: str, source: str,
                   footprint: Footprint | None = None, title: str = "", category: str = "automationml",
                   color: tuple[int, int, int] | None = None, clearance: float | None = None,
                   parameters: list[Parameter] | None = None) -> str:  # fmt: skip
        known = self.type_keys.get(key)
        if known is not None:
            return known
        base = name if name not in self.request.library else f"{name} (AML)"
        unique, n = base, 1
        while unique in self.types:
            n += 1
            unique = f"{base} ({n})"
        size = ROLE_FOOTPRINTS.get(role, DEFAULT_FOOTPRINT)
        kind = EquipmentType(
            unique,
            title or name,
            category,
            footprint or Footprint(*size),
            mesh=mesh,
            base_dir=self.folder if mesh else None,
            parameters=parameters or [],
            clearance=clearance,
        )
        if color is not None:
            kind.color = color
        self.types[unique] = kind
        self.type_keys[key] = unique
        self.type_sources[unique] = source
        return unique

    def _mesh(self, uri: str, node: _Node) -> str:
        """A refURI as a mesh path relative to the .aml file's folder ("" when it cannot be used)."""
        parsed = urllib.parse.urlparse(uri)
        network = parsed.netloc not in ("", "localhost") or uri.startswith(("//", "\\\\"))  # a host, a UNC share
        if network or (parsed.scheme and len(parsed.scheme) > 1 and parsed.scheme != "file"):
            self.warn("remote", node.where(), f"mesh {uri!r} is not a local file: not fetched (a box instead)")
            self.count("remote meshes")
            return ""
        if parsed.scheme == "file":
            path = Path(urllib.request.url2pathname(parsed.path))
        else:
            path = Path(urllib.parse.unquote(uri))
        full = path if path.is_absolute() else (self.folder / path)
        full = Path(str(full))
        found = self.mesh_found.get(full)
        if found is None:
            found = full.is_file()
            self.mesh_found[full] = found
            if not found:  # one warning per missing file, however many elements use it
                message = f"mesh file {uri!r} not found ({full}): a footprint box instead"
                self.problems.append(Problem(self.file, node.where(), message))
        if not found:
            return ""
        return full.as_posix() if path.is_absolute() else path.as_posix()

    def _suc_type(self, node: _Node, mesh: str) -> str:
        path = tuple(split_path(node.suc))
        element = self.units.get(path)
        name = path[-1] if path else GENERIC_TYPE
        role = node.roles[0] if node.roles else ""
        if element is None:
            if ("suc", node.suc, mesh) not in self.type_keys:
                self.warn("missing class", node.where(), f"unknown SystemUnitClass {node.suc!r} "
                          "(RefBaseSystemUnitPath): imported, with a footprint box as its type")  # fmt: skip
            self.count("missing classes")
            return self._make_type(("suc", node.suc, mesh), name, mesh, role, "named by unknown SystemUnitClasses")
        info = self._class_info(path)
        own_mesh = info.mesh
        if own_mesh is None:
            own_mesh = ""
        if mesh and own_mesh and mesh != own_mesh:
            return self._class_type(("suc", node.suc, mesh), f"{name} {Path(mesh).stem}", mesh, role, info)
        if info.builtin and name in self.request.library:
            self.count("builtin types", 0 if name in self.builtin_used else 1)
            self.builtin_used.add(name)
            return name
        return self._class_type(("suc", node.suc, ""), name, own_mesh or mesh, role, info)

    def _class_type(self, key: tuple[str, str, str], name: str, mesh: str, role: str, info: _ClassInfo) -> str:
        return self._make_type(key, name, mesh, role, "SystemUnitClasses", info.footprint, info.title,
                               info.category, info.color, info.clearance, info.parameters)  # fmt: skip

    def _class_info(self, path: tuple[str, ...]) -> _ClassInfo:
        """What a SystemUnitClass and its bases say of the type: the most derived class wins per item."""
        info = _ClassInfo()
        dummy = _Node(self.units[path], path[-1], "", "", [], None, [], [], "")
        for each in self._chain(self.units, join_path(list(path)), "SystemUnitClass"):
            element = self.units.get(each)
            if element is None:
                break
            for child in element:
                if child.tag == self.T_ATTR:
                    self._class_attribute(info, child)
                elif child.tag == self.T_EI and info.mesh is None:
                    before = len(dummy.meshes)
                    self._interface(child, dummy, instance=False)
                    if len(dummy.meshes) > before:
                        info.mesh = self._mesh(dummy.meshes[-1], dummy)
        return info

    def _class_attribute(self, info: _ClassInfo, attribute: etree._Element) -> None:
        key = attribute.get("Name") or ""
        text = (attribute.findtext(self.T_VALUE) or "").strip()
        if key == "Footprint" and info.footprint is None:
            sizes = {}
            for child in attribute.iterchildren(self.T_ATTR):
                value = number(child.findtext(self.T_VALUE))
                unit = LENGTH_UNITS.get((child.get("Unit") or "").strip().lower(), 1.0)
                if value is not None and value > 0:
                    sizes[(child.get("Name") or "").lower()] = value * unit
            if {"width", "depth", "height"} <= sizes.keys():
                info.footprint = Footprint(sizes["width"], sizes["depth"], sizes["height"])
        elif key == "Title" and not info.title:
            info.title = text
        elif key == "Category" and info.category == "automationml" and text:
            info.category = text
        elif key == "Color" and info.color is None:
            parts = [number(p) for p in text.replace(",", " ").split()]
            if len(parts) == 3 and all(p is not None and 0 <= p <= 255 for p in parts):
                info.color = (int(parts[0] or 0), int(parts[1] or 0), int(parts[2] or 0))
        elif key == "Clearance" and info.clearance is None:
            info.clearance = number(text)
        elif key == "MotherTwinBuiltin":
            info.builtin = info.builtin or text.lower() in ("true", "1")
        elif key not in TYPE_ATTRIBUTES and key.lower() in ("width", "depth", "length", "height"):
            value = number(text)
            if value is not None and value > 0:
                info.sizes.setdefault(key.lower(), value * LENGTH_UNITS.get((attribute.get("Unit") or "").lower(), 1.0))
                sizes = info.sizes
                depth = sizes.get("depth", sizes.get("length"))
                if info.footprint is None and "width" in sizes and depth is not None and "height" in sizes:
                    info.footprint = Footprint(sizes["width"], depth, sizes["height"])
        elif key not in TYPE_ATTRIBUTES:
            info.parameters.extend(self._values(attribute, ""))

    # ------------------------------------------------------------ links and the report

    def _side(self, text: str) -> str | None:
        """A link partner as "element id:interface name": the interface's ID (CAEX 3.0) or "ElementID:Name"."""
        key = text.strip()
        owner = self.interface_owner.get(key.strip("{}"))
        if owner is not None:
            node, interface = owner
        else:
            found = None
            for position in (i for i, char in enumerate(key) if char == ":"):
                candidate = self.by_raw_id.get(key[:position].strip().strip("{}"))
                if candidate is not None:
                    found = (candidate, key[position + 1 :])
            if found is None:
                return None
            node, interface = found
        master = self.master_of(node) if node.mirror_of else node
        # An interface of an element that is not kept (a Frame, a group) goes to the nearest one kept above it.
        while master is not None and master.ident not in self.placed:
            interface = f"{master.name}/{interface}"
            master = master.parent
        if master is None:
            return None
        return f"{master.ident}:{interface}"

    def _links(self) -> list[MaterialLink]:
        links: list[MaterialLink] = []
        taken: set[str] = set()
        for element in self.links:
            a, b = element.get("RefPartnerSideA") or "", element.get("RefPartnerSideB") or ""
            side_a, side_b = self._side(a), self._side(b)
            name = element.get("Name") or ""
            if side_a is None or side_b is None:
                missing = a if side_a is None else b
                self.warn("link", f"line {element.sourceline}, InternalLink {name!r}",
                          f"partner {missing!r} is no interface of the file: link skipped")  # fmt: skip
                self.count("broken links")
                continue
            ident = clean_id(element.get("ID") or "") or f"link-{len(links) + 1}"
            base, n = ident, 1
            while ident in taken:
                n += 1
                ident = f"{base}-{n}"
            taken.add(ident)
            links.append(MaterialLink(ident, name, side_a, side_b))
        return links

    def _summaries(self) -> list[Problem]:
        return [
            Problem(self.file, "file", f"{count - WARNINGS_SHOWN} more warnings like the ones above ({kind})")
            for kind, count in self.warned.items()
            if count > WARNINGS_SHOWN
        ]

    def _report(self, document: PlantDocument) -> MappingReport:
        c = self.counts.get
        mapped: list[MappingRow] = []
        sources = {
            "role": "InternalElements with that role class",
            "depth": "InternalElements by depth (no level roles)",
            "made": "made to hold elements that had none above them",
        }
        for level in ("site", "area", "line", "cell"):
            for key, text in sources.items():
                if c(f"{level}:{key}"):
                    mapped.append(MappingRow(level, c(f"{level}:{key}", 0), text))
        if c("equipment:cell"):
            mapped.append(MappingRow("equipment", c("equipment:cell", 0), "InternalElements in cells"))
        if c("equipment:nested"):
            text = f"InternalElements inside equipment (parameter {PARENT_PARAMETER!r})"
            mapped.append(MappingRow("equipment", c("equipment:nested", 0), text))
        kept: list[MappingRow] = []
        if c("parameters:unit"):
            kept.append(MappingRow("parameters", c("parameters:unit", 0), "attributes with a unit"))
        if c("parameters:plain"):
            kept.append(MappingRow("parameters", c("parameters:plain", 0), "attributes with a value, no unit"))
        by_source: dict[str, int] = {}
        for source in self.type_sources.values():
            by_source[source] = by_source.get(source, 0) + 1
        kept += [MappingRow("equipment types", n, s) for s, n in by_source.items()]
        if c("builtin types"):
            builtin = "SystemUnitClasses of the built-in library"
            kept.append(MappingRow("equipment types", c("builtin types", 0), builtin))
        if document.links:
            kept.append(MappingRow("links", len(document.links), "InternalLinks"))
        meshes = sum(1 for found in self.mesh_found.values() if found)
        if meshes:
            kept.append(MappingRow("meshes", meshes, "COLLADA / external geometry files found"))
        skipped: list[MappingRow] = []
        reasons = {
            "frames": ("InternalElements", "role class Frame: reference frames, no geometry (frames composed)"),
            "groups": ("InternalElements", "grouping elements above levels (their frames composed into children)"),
            "mirrors": ("InternalElements", "mirror objects: the same element as their master"),
            "level attributes": ("attributes", "of sites, areas, lines, cells and groups: no place in the model"),
            "missing classes": ("InternalElements", "with an unknown SystemUnitClass (imported, a box as type)"),
            "remote meshes": ("mesh references", "not local files: never fetched"),
            "other data": ("external data references", "not geometry (PLCopen XML, documents...)"),
            "broken links": ("InternalLinks", "a partner interface not in the file"),
        }
        missing = sum(1 for found in self.mesh_found.values() if not found)
        if missing:
            skipped.append(MappingRow("mesh files", missing, "referenced but not found: footprint boxes instead"))
        for key, (what, why) in reasons.items():
            if c(key):
                skipped.append(MappingRow(what, c(key, 0), why))
        return MappingReport(self.file, f"AutomationML (CAEX {self.caex.version})", mapped, kept, skipped)


@dataclass
class _ClassInfo:
    footprint: Footprint | None = None
    mesh: str | None = None
    title: str = ""
    category: str = "automationml"
    color: tuple[int, int, int] | None = None
    clearance: float | None = None
    builtin: bool = False
    parameters: list[Parameter] = field(default_factory=list)
    sizes: dict[str, float] = field(default_factory=dict)


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
