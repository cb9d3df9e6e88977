"""A plant as AutomationML (CAEX 3.0) that the importer reads back to the same plant.

What is written: one InstanceHierarchy with the enterprise, its sites, areas, lines, cells and equipment as
InternalElements, each level with its ISA-95 role class (AutomationMLExtendedRoleClassLib: Enterprise, Site,
Area, ProductionLine, WorkCell; equipment: AutomationMLBaseRole/Resource) so the import maps by role, not by
depth. Ids and names as they are; poses as `Frame` attributes (x, y, z in m, rx = roll, ry = pitch, rz = yaw
in degrees, relative to the parent element); parameters as attributes with AttributeDataType and Unit;
equipment nested again where the import recorded a parent ("AutomationML parent"). Every type the exported
equipment uses is one SystemUnitClass of the MotherTwinEquipmentTypes library (footprint, title, category,
colour, default parameters, mesh as an interface whose refURI is relative to the written file: a
COLLADAInterface for .dae, an ExternalDataConnector for other formats); equipment refer to it by
RefBaseSystemUnitPath. Links are InternalLinks between ExternalInterfaces of the elements they join. The role
and interface classes used are defined in the file, so it stands alone.

Not written: signals, deviations, viewpoints, clone records, the site's footprint, column grid and building.
"""

from __future__ import annotations

import datetime
import os
import urllib.parse
import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from lxml import etree

from mothertwin_formats.aml.caex import (
    AREA,
    BASE_INTERFACE,
    CAEX_NAMESPACE,
    CELL,
    COLLADA_INTERFACE,
    DATA_CONNECTOR,
    ENTERPRISE,
    EQUIPMENT,
    FRAME_KEYS,
    LEVEL_ROLE_PATHS,
    LINE,
    MOTHER_ID_ATTRIBUTE,
    PARENT_PARAMETER,
    SCALE_ATTRIBUTE,
    SITE,
    TYPE_LIBRARY,
    WRITTEN_VERSION,
    join_path,
    matrix_to_frame,
    pose_to_frame,
    pose_to_matrix,
)
from viewer.formats import (
    Cell,
    Equipment,
    EquipmentType,
    ExportError,
    Footprint,
    Line,
    MaterialLink,
    Parameter,
    PlantDocument,
    Pose,
    Site,
    WriteRequest,
)

XSI = "http://www.w3.org/2001/XMLSchema-instance"
ID_NAMESPACE = uuid.UUID("8a3c1f0e-5b2d-4c69-9e4f-6d7a2b1c0e93")  # stable GUIDs for what has no id of its own
N = f"{{{CAEX_NAMESPACE}}}"


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, "\x1f".join(parts)))


def _text(value: float | int | bool | str) -> tuple[str, str]:
    """(AttributeDataType, Value text) of a parameter value, so the import gets the same Python type back."""
    if isinstance(value, bool):
        return "xs:boolean", "true" if value else "false"
    if isinstance(value, int):
        return "xs:int", str(value)
    if isinstance(value, float):
        return "xs:double", repr(value)
    return "xs:string", str(value)


class _Builder:
    def __init__(self, request: WriteRequest, ids: set[str], total: int) -> None:
        self.request = request
        self.ids = ids  # of the elements exported
        self.total = total  # equipment to write, for the progress
        self.folder = Path(request.path).parent.resolve()
        self.used_types: dict[str, None] = {}
        self.interfaces: dict[str, dict[str, str]] = {}  # element id -> interface name -> interface ID
        self.written = 0

    # ------------------------------------------------------------ small pieces

    def attribute(
        self, parent: etree._Element, name: str, value: str | None, data_type: str = "", unit: str = ""
    ) -> etree._Element:
        element = etree.SubElement(parent, N + "Attribute", Name=name)
        if data_type:
            element.set("AttributeDataType", data_type)
        if unit:
            element.set("Unit", unit)
        if value is not None:
            etree.SubElement(element, N + "Value").text = value
        return element

    def frame(self, parent: etree._Element, values: Iterable[float]) -> None:
        frame = self.attribute(parent, "Frame", None)
        for key, value in zip(FRAME_KEYS, values, strict=True):
            self.attribute(frame, key, repr(float(value)), "xs:double", "m" if len(key) == 1 else "deg")

    def pose(self, parent: etree._Element, pose: Pose) -> None:
        if not pose.is_identity():
            self.frame(parent, pose_to_frame(pose))

    def element(self, parent: etree._Element, ident: str, name: str, suc: str = "") -> etree._Element:
        element = etree.SubElement(parent, N + "InternalElement", ID=ident, Name=name)
        if suc:
            element.set("RefBaseSystemUnitPath", suc)
        return element

    def ports(self, element: etree._Element) -> None:
        """The interfaces links join at this element: after its attributes, before its children (CAEX 3.0)."""
        for name, ident in self.interfaces.get(element.get("ID") or "", {}).items():
            etree.SubElement(element, N + "ExternalInterface", Name=name, ID=ident, RefBaseClassPath=BASE_INTERFACE)

    def roles(self, element: etree._Element, level: int) -> None:
        """The element's role class: last, after its children and links (CAEX 3.0 order)."""
        etree.SubElement(element, N + "RoleRequirements", RefBaseRoleClassPath=LEVEL_ROLE_PATHS[level])

    # ------------------------------------------------------------ the hierarchy

    def hierarchy(self, root: etree._Element, document: PlantDocument, sites: list[Site], line: Line | None) -> None:
        enterprise = document.enterprise
        hierarchy = etree.SubElement(root, N + "InstanceHierarchy", Name=enterprise.name, ID=_guid("ih", enterprise.id))
        top = self.element(hierarchy, enterprise.id, enterprise.name)
        links = self.links(document.links)
        self.ports(top)
        for site in sites:
            self.site(top, site, line)
        for link in links:
            etree.SubElement(
                top,
                N + "InternalLink",
                Name=link.name or link.id,
                ID=link.id,
                RefPartnerSideA=self.interface_id(link.side_a),
                RefPartnerSideB=self.interface_id(link.side_b),
            )
        self.roles(top, ENTERPRISE)

    def site(self, parent: etree._Element, site: Site, only: Line | None) -> None:
        element = self.element(parent, site.id, site.name)
        if site.country:
            self.attribute(element, "Country", site.country, "xs:string")
        self.attribute(element, "Timezone", site.timezone, "xs:string")
        if site.latitude or site.longitude:
            self.attribute(element, "Latitude", repr(float(site.latitude)), "xs:double", "deg")
            self.attribute(element, "Longitude", repr(float(site.longitude)), "xs:double", "deg")
        self.ports(element)
        for area in site.areas:
            lines = [li for li in area.lines if only is None or li is only]
            if not lines:
                continue
            area_element = self.element(element, area.id, area.name)
            self.pose(area_element, area.pose)
            self.ports(area_element)
            for line in lines:
                line_element = self.element(area_element, line.id, line.name)
                self.pose(line_element, line.pose)
                self.ports(line_element)
                for cell in line.cells:
                    self.cell(line_element, cell)
                self.roles(line_element, LINE)
            self.roles(area_element, AREA)
        self.roles(element, SITE)

    def cell(self, parent: etree._Element, cell: Cell) -> None:
        element = self.element(parent, cell.id, cell.name)
        self.pose(element, cell.pose)
        self.ports(element)
        by_id = {e.id: e for e in cell.equipment}
        children: dict[str, list[Equipment]] = {}
        top: list[Equipment] = []
        for equipment in cell.equipment:
            parent_id = self.parent_of(equipment, by_id)
            if parent_id is None:
                top.append(equipment)
            else:
                children.setdefault(parent_id, []).append(equipment)
        for equipment in top:
            self.equipment(element, equipment, None, children)
        self.roles(element, CELL)

    @staticmethod
    def parent_of(equipment: Equipment, by_id: dict[str, Equipment]) -> str | None:
        """The equipment this one sits in (same cell, no cycle of parents), None for one right in the cell."""

        def parent(e: Equipment) -> str | None:
            value = next((p.value for p in e.parameters if p.name == PARENT_PARAMETER), None)
            return value if isinstance(value, str) and value in by_id else None

        first = parent(equipment)
        seen = {equipment.id}
        current = first
        while current is not None:
            if current in seen:
                return None
            seen.add(current)
            current = parent(by_id[current])
        return first

    def equipment(
        self,
        parent: etree._Element,
        equipment: Equipment,
        parent_matrix: np.ndarray | None,
        children: dict[str, list[Equipment]],
    ) -> None:
        self.written += 1
        if self.written % 1000 == 0:
            if self.request.cancelled():
                raise ExportError("the export was cancelled: nothing was written")
            self.request.progress(min(0.9, self.written / max(1, self.total)), "Writing AutomationML")
        self.used_types[equipment.type] = None
        element = self.element(parent, equipment.id, equipment.name, join_path([TYPE_LIBRARY, equipment.type]))
        if parent_matrix is None:
            self.pose(element, equipment.pose)
        else:  # relative to the equipment it sits in
            self.frame(element, matrix_to_frame(np.linalg.inv(parent_matrix) @ pose_to_matrix(equipment.pose)))
        if equipment.scale != (1.0, 1.0, 1.0):
            scale = self.attribute(element, SCALE_ATTRIBUTE, None)
            for key, value in zip("xyz", equipment.scale, strict=True):
                self.attribute(scale, key, repr(float(value)), "xs:double")
        if equipment.mother_id:
            self.attribute(element, MOTHER_ID_ATTRIBUTE, equipment.mother_id, "xs:string")
        for parameter in equipment.parameters:
            if parameter.name != PARENT_PARAMETER:
                self.parameter(element, parameter)
        self.ports(element)
        inside = children.get(equipment.id, [])
        if inside:
            matrix = pose_to_matrix(equipment.pose)
            for child in inside:
                self.equipment(element, child, matrix, children)
        self.roles(element, EQUIPMENT)

    def parameter(self, parent: etree._Element, parameter: Parameter) -> None:
        data_type, text = _text(parameter.value)
        self.attribute(parent, parameter.name, text, data_type, parameter.unit)

    # ------------------------------------------------------------ links

    def links(self, links: list[MaterialLink]) -> list[MaterialLink]:
        """The links whose both ends are exported; their interfaces are noted for the elements."""
        exported = []
        for link in links:
            a, b = link.side_a.rpartition(":"), link.side_b.rpartition(":")
            if a[0] in self.ids and b[0] in self.ids:
                exported.append(link)
                for owner, _, name in (a, b):
                    self.interfaces.setdefault(owner, {}).setdefault(name, _guid("if", owner, name))
        return exported

    def interface_id(self, side: str) -> str:
        owner, _, name = side.rpartition(":")
        return self.interfaces[owner][name]

    # ------------------------------------------------------------ types

    def type_library(self, root: etree._Element) -> None:
        lib = etree.SubElement(root, N + "SystemUnitClassLib", Name=TYPE_LIBRARY)
        library = self.request.library
        for name in sorted(self.used_types):
            kind = library.types.get(name)
            suc = etree.SubElement(lib, N + "SystemUnitClass", Name=name, ID=_guid("type", name))
            if kind is None:  # a type nobody defines: its name is all there is to write
                kind = EquipmentType(name, name, "", Footprint(1.0, 1.0, 1.0))
            footprint = self.attribute(suc, "Footprint", None)
            for key in ("width", "depth", "height"):
                self.attribute(footprint, key, repr(float(getattr(kind.footprint, key))), "xs:double", "m")
            self.attribute(suc, "Title", kind.title, "xs:string")
            self.attribute(suc, "Category", kind.category, "xs:string")
            self.attribute(suc, "Color", " ".join(str(int(c)) for c in kind.color), "xs:string")
            if kind.clearance is not None:
                self.attribute(suc, "Clearance", repr(float(kind.clearance)), "xs:double", "m")
            if name not in self.request.document.types:
                self.attribute(suc, "MotherTwinBuiltin", "true", "xs:boolean")
            for parameter in kind.parameters:
                self.parameter(suc, parameter)
            mesh = kind.mesh_path()
            if mesh is not None:
                self.mesh(suc, name, mesh)
            etree.SubElement(suc, N + "SupportedRoleClass", RefRoleClassPath=LEVEL_ROLE_PATHS[EQUIPMENT])

    def mesh(self, parent: etree._Element, name: str, mesh: Path) -> None:
        target = mesh if mesh.is_absolute() else Path.cwd() / mesh
        try:
            uri = urllib.parse.quote(Path(os.path.relpath(target, self.folder)).as_posix())
        except ValueError:  # another drive (Windows)
            uri = target.as_uri()
        path = COLLADA_INTERFACE if mesh.suffix.lower() == ".dae" else DATA_CONNECTOR
        interface = etree.SubElement(parent, N + "ExternalInterface", Name="Representation",
                                     ID=_guid("mesh", name), RefBaseClassPath=path)  # fmt: skip
        self.attribute(interface, "refURI", uri, "xs:anyURI")
        self.attribute(interface, "refType", "explicit", "xs:string")


def _class_libraries(root: etree._Element) -> None:
    """The interface and role classes the file refers to, defined in it (paths as AutomationML names them)."""
    interfaces = etree.SubElement(root, N + "InterfaceClassLib", Name="AutomationMLInterfaceClassLib")
    base = etree.SubElement(interfaces, N + "InterfaceClass", Name="AutomationMLBaseInterface")
    connector = etree.SubElement(
        base, N + "InterfaceClass", Name="ExternalDataConnector", RefBaseClassPath=BASE_INTERFACE
    )
    etree.SubElement(connector, N + "Attribute", Name="refURI", AttributeDataType="xs:anyURI")
    etree.SubElement(connector, N + "InterfaceClass", Name="COLLADAInterface", RefBaseClassPath=DATA_CONNECTOR)
    roles = etree.SubElement(root, N + "RoleClassLib", Name="AutomationMLBaseRoleClassLib")
    base_role = etree.SubElement(roles, N + "RoleClass", Name="AutomationMLBaseRole")
    root_path = "AutomationMLBaseRoleClassLib/AutomationMLBaseRole"
    etree.SubElement(base_role, N + "RoleClass", Name="Resource", RefBaseClassPath=root_path)
    structure = etree.SubElement(base_role, N + "RoleClass", Name="Structure", RefBaseClassPath=root_path)
    etree.SubElement(structure, N + "RoleClass", Name="ResourceStructure", RefBaseClassPath=f"{root_path}/Structure")
    levels = etree.SubElement(root, N + "RoleClassLib", Name="AutomationMLExtendedRoleClassLib")
    for level in (ENTERPRISE, SITE, AREA, LINE, CELL):
        etree.SubElement(levels, N + "RoleClass", Name=LEVEL_ROLE_PATHS[level].rsplit("/", 1)[1],
                         RefBaseClassPath=f"{root_path}/Structure/ResourceStructure")  # fmt: skip


class AmlWriter:
    """The `aml` exporter: CAEX 3.0."""

    name = "aml"
    suffixes = (".aml",)
    title = "AutomationML (CAEX 3.0)"

    def write(self, request: WriteRequest) -> dict[str, bytes]:
        document = request.document
        if request.line is not None:
            site = request.site or next(
                (s for s in document.sites for a in s.areas if any(li is request.line for li in a.lines)), None
            )
            if site is None:
                raise ExportError(f"line {request.line.name!r} is in no site of the document")
            sites = [site]
        else:
            sites = [request.site] if request.site is not None else list(document.sites)
        total = sum(len(c.equipment) for s in sites for a in s.areas for li in a.lines for c in li.cells)
        builder = _Builder(request, _exported_ids(sites, request.line) | {document.enterprise.id}, total)
        root = etree.Element(N + "CAEXFile", nsmap={None: CAEX_NAMESPACE, "xsi": XSI})
        root.set("FileName", Path(request.path).name)
        root.set("SchemaVersion", WRITTEN_VERSION)
        root.set(f"{{{XSI}}}schemaLocation", f"{CAEX_NAMESPACE} CAEX_ClassModel_V.3.0.xsd")
        etree.SubElement(root, N + "SuperiorStandardVersion").text = "AutomationML 2.10"
        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        information = {"OriginName": "MotherTwin", "OriginID": "MotherTwin", "OriginVersion": "1",
                       "LastWritingDateTime": now, "OriginVendor": "MotherTwin",
                       "OriginProjectTitle": document.enterprise.name, "OriginProjectID": document.enterprise.id}
        etree.SubElement(root, N + "SourceDocumentInformation", information)
        builder.hierarchy(root, document, sites, request.line)
        _class_libraries(root)
        builder.type_library(root)
        request.progress(0.95, "Writing AutomationML")
        data = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
        return {Path(request.path).name: data}


def _exported_ids(sites: list[Site], only: Line | None) -> set[str]:
    ids: set[str] = set()
    for site in sites:
        ids.add(site.id)
        for area in site.areas:
            lines = [li for li in area.lines if only is None or li is only]
            if lines:
                ids.add(area.id)
            for line in lines:
                ids.add(line.id)
                for cell in line.cells:
                    ids.add(cell.id)
                    ids.update(e.id for e in cell.equipment)
    return ids
