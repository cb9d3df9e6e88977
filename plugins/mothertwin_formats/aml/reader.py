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
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from lxml import etree

from mothertwin_formats.aml.caex import (
    AREA,
    ENTERPRISE,
    EQUIPMENT,
    FRAME_KEYS,
    LEVEL_NAMES,
    LINE,
    MOTHER_ID_ATTRIBUTE,
    PARENT_PARAMETER,
    SCALE_ATTRIBUTE,
    SITE,
    SITE_ATTRIBUTES,
    CaexFile,
    clean_id,
    frame_matrix,
    frame_to_pose,
    matrix_to_pose,
    number,
    parse_caex,
    split_path,
)
from mothertwin_formats.aml.classes import _ClassHandling
from mothertwin_formats.aml.elements import LENGTH_UNITS, Frame6, _Chain, _Node
from mothertwin_formats.aml.links import _LinkHandling
from viewer.formats import (
    Area,
    Cell,
    Enterprise,
    Equipment,
    ImportOption,
    Line,
    MappingReport,
    MappingRow,
    OpenCancelledError,
    Parameter,
    PlantDocument,
    PlantFileError,
    Pose,
    ReadRequest,
    ReadResult,
    Site,
)

DEFAULT_MAX_MB = 150  # a 10,000-equipment plant is about 15 MB of CAEX; more is refused unless asked for
ANGLE_UNITS = {"": 1.0, "deg": 1.0, "°": 1.0, "degree": 1.0, "rad": 180.0 / math.pi}


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


class _Mapper(_ClassHandling, _LinkHandling):
    """One file's InternalElement hierarchies onto the plant's levels (the classes and links: the bases)."""

    def __init__(self, caex: CaexFile, request: ReadRequest) -> None:
        super().__init__(caex, request)
        self.synthesized: dict[tuple[str, int], _Chain] = {}
        self.enterprise: Enterprise | None = None
        self.sites: list[Site] = []

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

    # ------------------------------------------------------------ the report

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
