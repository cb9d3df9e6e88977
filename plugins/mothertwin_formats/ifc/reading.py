"""Reading an IFC building model into a plant document.

What becomes what:
- site: the IfcSite (the IfcProject when the file has no site); area: each IfcBuildingStorey;
- line: the IfcSystem an element is assigned to (a duct or piping system: a connected run, as a line is), else
  the IfcSpace it stands in (a room), else one "Equipment" line per storey;
- cell: the elements of one IFC class in that line (all flow segments of a system, all proxies of a room), so
  the cells group alike things as a station groups one process step;
- equipment: IfcBuildingElementProxy, IfcFurnishingElement and IfcDistributionElement (every flow and control
  element) occurrences, posed where their placement says, meshed from their own geometry, their property and
  quantity sets as parameters ("Pset/Property");
- building: IfcWall, IfcCurtainWall (outline from its members and plates), IfcSlab, IfcColumn and IfcSpace as
  plan outlines (the footprint of the meshed shape) with base and height; the site's footprint from their union.
Heights: zero is the lowest storey's floor unless the "z_origin" option keeps the file's own heights.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from mothertwin_formats.ifc import Z_ORIGIN_FILE, Z_ORIGIN_KEY
from mothertwin_formats.ifc.checking import check_bytes, parse
from mothertwin_formats.ifc.geometry import (
    LocalMesh,
    PlacedShape,
    building_outline,
    glb_bytes,
    iterate_shapes,
    main_color,
    normalised,
    outline_points,
    plan_polygons,
    wall_polygons,
    yaw_frame,
)
from mothertwin_formats.ifc.properties import Properties
from mothertwin_formats.ifc.structure import Structure, _latitude, _placement_matrix
from viewer.formats import (
    Area,
    BuildingElement,
    BuildingKind,
    Cell,
    Enterprise,
    Equipment,
    EquipmentType,
    Footprint,
    Line,
    MappingReport,
    MappingRow,
    MaterialLink,
    OpenCancelledError,
    PlantDocument,
    Pose,
    Problem,
    ReadRequest,
    ReadResult,
    Site,
)

BUILDING_CLASSES = {
    "IfcWall": BuildingKind.WALL,  # with IfcWallStandardCase
    "IfcCurtainWall": BuildingKind.WALL,
    "IfcSlab": BuildingKind.SLAB,
    "IfcColumn": BuildingKind.COLUMN,
    "IfcSpace": BuildingKind.SPACE,
}
EQUIPMENT_CLASSES = ("IfcBuildingElementProxy", "IfcFurnishingElement", "IfcDistributionElement")
SKIP_REASONS = {
    "IfcOpeningElement": "openings: already cut out of their walls",
    "IfcDoor": "doors: part of the walls' openings",
    "IfcWindow": "windows: part of the walls' openings",
    "IfcCovering": "coverings: finishes on walls, floors and ceilings",
    "IfcAnnotation": "annotations: drawing marks, no building part",
    "IfcGrid": "grids: drawing aids",
    "IfcPort": "ports: connection points (their connections are kept as links)",
}
OTHER_REASON = "not a wall, slab, column, space or equipment-like element"
BOX_SIZE = 0.5  # metres: the footprint of equipment without geometry
MIN_EXTENT = 0.01  # metres: a flat mesh still gets a footprint the schema accepts
_ID_CHARS = re.compile(r"[^A-Za-z0-9_.:$-]")
_WORDS = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def safe_id(text: str) -> str:
    return _ID_CHARS.sub("_", text)[:128] or "_"


def class_title(ifc_class: str) -> str:
    """'IfcFlowSegment' -> 'Flow segment'."""
    words = _WORDS.sub(" ", ifc_class.removeprefix("Ifc")).split()
    return " ".join([words[0]] + [w.lower() for w in words[1:]]) if words else ifc_class


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60].strip("_") or "shape"


def _describe(element: Any) -> str:
    name = f" {element.Name!r}" if getattr(element, "Name", None) else ""
    return f"entity #{element.id()} ({element.is_a()}{name})"


# ---------------------------------------------------------------- the import


class IdMaker:
    """Document-wide unique ids from IFC GlobalIds (already in the id alphabet) and names."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def __call__(self, wanted: str) -> str:
        base = safe_id(wanted)
        ident, n = base, 2
        while ident in self.taken:
            ident, n = f"{base[:120]}.{n}", n + 1
        self.taken.add(ident)
        return ident


@dataclass
class Mapping:
    """The parts of the document as they are made, and what the report says about them."""

    ids: IdMaker
    site: Site
    areas: dict[int, Area] = field(default_factory=dict)  # by storey step id (0: none)
    lines: dict[tuple[int, int], Line] = field(default_factory=dict)  # (storey, group) step ids
    cells: dict[tuple[int, int, str], Cell] = field(default_factory=dict)
    line_sources: Counter[str] = field(default_factory=Counter)


def read_ifc(request: ReadRequest) -> ReadResult:
    path = request.path
    request.progress(0.01, "Checking")
    schema = check_bytes(path, request.data)
    request.progress(0.03, "Parsing")
    model = parse(path, request.data)
    if request.cancelled():
        raise OpenCancelledError
    return Importer(request, model, schema).run()


class Importer:
    """One IFC file's model made into a plant document, its mapping report and its mesh files."""

    def __init__(self, request: ReadRequest, model: Any, schema: str) -> None:
        import ifcopenshell.util.unit

        self.request = request
        self.path = request.path
        self.model = model
        self.schema = schema
        self.length_scale = float(ifcopenshell.util.unit.calculate_unit_scale(model, "LENGTHUNIT"))
        self.problems: list[Problem] = []
        self.structure = Structure.of(model)
        self.properties = Properties(model)
        self.stem = slug(self.path.stem)
        self.ids = IdMaker()
        self._type_keys: dict[str, tuple[str, np.ndarray]] = {}
        self.without_geometry: set[int] = set()  # building elements left out

    def warn(self, where: str, message: str) -> None:
        self.problems.append(Problem(str(self.path), where, message))

    # ------------------------------------------------------------ what is read

    def _elements(self, classes: Iterable[str]) -> list[Any]:
        seen: dict[int, Any] = {}
        for ifc_class in classes:
            try:
                found = self.model.by_type(ifc_class)
            except RuntimeError:  # a class this schema does not have
                continue
            for element in found:
                seen.setdefault(element.id(), element)
        return [seen[k] for k in sorted(seen)]

    def _datum(self) -> tuple[float, str]:
        """The height taken as zero, and the report's words for it."""
        storeys = self.model.by_type("IfcBuildingStorey")
        if self.request.options.get(Z_ORIGIN_KEY) == Z_ORIGIN_FILE or not storeys:
            return 0.0, "heights as in the file"
        levels = [(float(_placement_matrix(s, self.length_scale)[2, 3]), s) for s in storeys]
        level, lowest = min(levels, key=lambda item: item[0])
        if abs(level) < 1e-9:
            return 0.0, f"heights as in the file (lowest storey {lowest.Name or ''!r} at 0)"
        return level, f"height 0 = floor of the lowest storey {lowest.Name or ''!r} ({level:.3f} m in the file)"

    def run(self) -> ReadResult:
        request = self.request
        model = self.model
        building = {ifc_class: self._elements([ifc_class]) for ifc_class in BUILDING_CLASSES}
        building_elements = {e.id(): e for elements in building.values() for e in elements}
        equipment = [e for e in self._elements(EQUIPMENT_CLASSES) if e.id() not in building_elements]
        # Aggregated parts (a curtain wall's members and plates) give their whole its outline.
        owner_of: dict[int, int] = {}
        parts = []
        for part_id, whole in self.structure.parent.items():
            if whole.id() in building_elements and part_id not in building_elements:
                owner_of[part_id] = whole.id()
                parts.append(model.by_id(part_id))
        meshed = [*building_elements.values(), *parts, *equipment]
        placed, meshes = iterate_shapes(
            model,
            meshed,
            lambda fraction: request.progress(0.05 + 0.8 * fraction, "Meshing"),
            request.cancelled,
        )
        request.progress(0.86, "Mapping")
        datum, datum_words = self._datum()

        project = model.by_type("IfcProject")[0]
        sites = model.by_type("IfcSite")
        ids = self.ids
        enterprise = Enterprise(ids(f"ifc-{project.GlobalId}"), project.Name or project.LongName or self.path.stem)
        ifc_site = sites[0] if sites else None
        site = Site(
            ids(ifc_site.GlobalId if ifc_site else f"{project.GlobalId}.site"),
            (ifc_site.Name if ifc_site else None) or project.Name or self.path.stem,
        )
        if ifc_site is not None:
            latitude, longitude = _latitude(ifc_site.RefLatitude), _latitude(ifc_site.RefLongitude)
            if latitude is not None and longitude is not None and abs(latitude) <= 90 and abs(longitude) <= 180:
                site.latitude, site.longitude = latitude, longitude
        mapping = Mapping(ids, site)
        self._areas(mapping)

        building_rows = self._building(building, building_elements, owner_of, placed, meshes, datum, mapping)
        types: dict[str, EquipmentType] = {}
        assets: dict[str, bytes] = {}
        imported: dict[int, str] = {}
        counts = Counter[str]()
        parameters = 0
        for index, element in enumerate(equipment):
            if index % 256 == 0 and request.cancelled():
                raise OpenCancelledError
            item = self._equipment(element, placed, meshes, datum, types, assets)
            parameters += len(item.parameters)
            self._cell_for(element, mapping).equipment.append(item)
            imported[element.id()] = item.id
            counts[element.is_a()] += 1
        links = self._links(imported, ids)
        request.progress(0.97, "Report")

        document = PlantDocument(enterprise, sites=[site], types=types, links=links)
        report = MappingReport(str(self.path), self.schema)
        site_words = f"IfcSite {site.name!r}" if ifc_site else f"IfcProject {site.name!r} (no IfcSite)"
        if len(sites) > 1:
            site_words += f"; the file's {len(sites)} IfcSites all in this one"
        report.mapped.append(MappingRow("site", 1, site_words))
        report.mapped.append(MappingRow("area", len(mapping.areas), "IfcBuildingStorey (one area per storey)"))
        line_words = ", ".join(f"{n} {what}" for what, n in sorted(mapping.line_sources.items()))
        report.mapped.append(MappingRow("line", len(mapping.lines), line_words))
        report.mapped.append(MappingRow("cell", len(mapping.cells), "one per IFC class in a line"))
        report.mapped.append(MappingRow("equipment", len(imported), _class_counts(counts)))
        report.mapped.extend(building_rows)
        mesh_count = sum(1 for t in types.values() if t.mesh)
        report.kept.append(MappingRow("parameters", parameters, "property and quantity set values, 'Pset/Property'"))
        report.kept.append(MappingRow("equipment types", len(types), "one per distinct shape"))
        report.kept.append(MappingRow("meshes", mesh_count, "GLB from each shape's own geometry"))
        if links:
            report.kept.append(MappingRow("links", len(links), "IfcRelConnectsPorts between imported equipment"))
        report.kept.append(MappingRow("heights", 1, datum_words))
        report.skipped.extend(self._skipped(building_elements, owner_of, imported))
        request.progress(1.0, "Done")
        return ReadResult(document, self.problems, report, assets)

    # ------------------------------------------------------------ building

    def _building(
        self,
        building: dict[str, list[Any]],
        elements: dict[int, Any],
        owner_of: dict[int, int],
        placed: dict[int, PlacedShape],
        meshes: dict[str, LocalMesh],
        datum: float,
        mapping: Mapping,
    ) -> list[MappingRow]:
        triangles: dict[int, list[np.ndarray]] = {}
        for step_id, shape in placed.items():
            owner = step_id if step_id in elements else owner_of.get(step_id)
            if owner is not None:
                triangles.setdefault(owner, []).append(meshes[shape.key].triangles(shape.matrix))
        rows = []
        outlines_for_footprint: list[shapely.Polygon] = []
        for ifc_class, kind in BUILDING_CLASSES.items():
            made: Counter[str] = Counter()
            for element in building[ifc_class]:
                found = triangles.get(element.id())
                if not found or not sum(len(t) for t in found):
                    self.warn(_describe(element), f"no geometry to take a plan outline from: the {kind} is left out")
                    self.without_geometry.add(element.id())
                    continue
                tris = np.concatenate(found)
                low, high = float(tris[:, :, 2].min()), float(tris[:, :, 2].max())
                polygons = wall_polygons(tris) if kind == BuildingKind.WALL else plan_polygons(tris)
                for n, polygon in enumerate(polygons):
                    mapping.site.building.append(
                        BuildingElement(
                            mapping.ids(element.GlobalId if n == 0 else f"{element.GlobalId}.part{n + 1}"),
                            kind,
                            outline_points(polygon),
                            round(low - datum, 4),
                            round(high - low, 4),
                            _name_of(element),
                        )
                    )
                    if kind != BuildingKind.SPACE:
                        outlines_for_footprint.append(polygon)
                made[element.is_a()] += 1
            if made:
                rows.append(MappingRow("building elements", sum(made.values()), f"{_class_counts(made)} as {kind}s"))
        has_floor = any(e.kind == BuildingKind.SLAB for e in mapping.site.building)
        mapping.site.footprint = building_outline(outlines_for_footprint, has_floor)
        return rows

    # ------------------------------------------------------------ hierarchy

    def _areas(self, mapping: Mapping) -> None:
        """An area per storey, lowest first (named with its building's name where the file has several)."""
        buildings = self.model.by_type("IfcBuilding")
        storeys = sorted(
            self.model.by_type("IfcBuildingStorey"),
            key=lambda s: (float(_placement_matrix(s, self.length_scale)[2, 3]), s.id()),
        )
        for storey in storeys:
            name = (storey.Name or storey.LongName or "").strip() or f"Storey #{storey.id()}"
            if len(buildings) > 1:
                building = self.structure.parent.get(storey.id())
                if building is not None and building.is_a("IfcBuilding") and building.Name:
                    name = f"{building.Name} / {name}"
            area = Area(mapping.ids(storey.GlobalId), name)
            mapping.areas[storey.id()] = area
            mapping.site.areas.append(area)

    def _cell_for(self, element: Any, mapping: Mapping) -> Cell:
        storey = self.structure.storey(element)
        storey_key = storey.id() if storey is not None else 0
        area = mapping.areas.get(storey_key)
        if area is None:
            area = Area(mapping.ids(f"{mapping.site.id}.unassigned"), "Not in a storey")
            mapping.areas[storey_key] = area
            mapping.site.areas.append(area)
        group = self.structure.system.get(element.id())
        words = "IfcSystem"
        if group is None:
            group, words = self.structure.space(element), "IfcSpace"
        group_key = group.id() if group is not None else 0
        line = mapping.lines.get((storey_key, group_key))
        if line is None:
            if group is not None:
                name = group.Name or class_title(group.is_a())
                if group.is_a("IfcSpace") and getattr(group, "LongName", None):
                    name = f"{group.Name} {group.LongName}" if group.Name else group.LongName
                line = Line(mapping.ids(f"{area.id}.{group.GlobalId}"), name)
            else:
                line, words = Line(mapping.ids(f"{area.id}.equipment"), "Equipment"), "'Equipment' line of a storey"
            mapping.lines[(storey_key, group_key)] = line
            mapping.line_sources[words] += 1
            area.lines.append(line)
        ifc_class = element.is_a()
        cell = mapping.cells.get((storey_key, group_key, ifc_class))
        if cell is None:
            cell = Cell(mapping.ids(f"{line.id}.{ifc_class}"), plural(class_title(ifc_class)))
            mapping.cells[(storey_key, group_key, ifc_class)] = cell
            line.cells.append(cell)
        return cell

    # ------------------------------------------------------------ equipment

    def _equipment(
        self,
        element: Any,
        placed: dict[int, PlacedShape],
        meshes: dict[str, LocalMesh],
        datum: float,
        types: dict[str, EquipmentType],
        assets: dict[str, bytes],
    ) -> Equipment:
        shape = placed.get(element.id())
        matrix = shape.matrix if shape is not None else _placement_matrix(element, self.length_scale)
        yaw, rest = yaw_frame(matrix[:3, :3])
        type_name, offset = self._type_for(element, shape, meshes, rest, types, assets)
        turn = math.radians(yaw)
        c, s = math.cos(turn), math.sin(turn)
        x = matrix[0, 3] + c * offset[0] - s * offset[1]
        y = matrix[1, 3] + s * offset[0] + c * offset[1]
        z = matrix[2, 3] + offset[2] - datum
        return Equipment(
            self.ids(element.GlobalId),
            (element.Name or "").strip() or f"{class_title(element.is_a())} #{element.id()}",
            type_name,
            Pose(round(x, 6), round(y, 6), round(z, 6), round(yaw, 6) % 360.0),
            parameters=self.properties.of(element),
        )

    def _type_for(
        self,
        element: Any,
        shape: PlacedShape | None,
        meshes: dict[str, LocalMesh],
        rest: np.ndarray,
        types: dict[str, EquipmentType],
        assets: dict[str, bytes],
    ) -> tuple[str, np.ndarray]:
        """The equipment type of an element's shape (made once per distinct shape and tilt) and the offset
        from the element's frame to the type's origin (footprint centre on the floor)."""
        if shape is None or not len(meshes[shape.key].faces):
            key = f"box:{element.is_a()}"
            if key not in self._type_keys:
                name = self._type_name(f"{element.is_a()}_box", types)
                types[name] = EquipmentType(
                    name, f"{class_title(element.is_a())} (no geometry)", class_title(element.is_a()),
                    Footprint(BOX_SIZE, BOX_SIZE, BOX_SIZE),
                )  # fmt: skip
                self._type_keys[key] = (name, np.zeros(3))
                if shape is None and getattr(element, "Representation", None) is not None:
                    self.warn(_describe(element), "its geometry could not be meshed: drawn as a box")
            return self._type_keys[key]
        key = f"{shape.key}|{np.round(rest, 5).tobytes().hex()}"
        if key not in self._type_keys:
            mesh, offset = normalised(meshes[shape.key], rest)
            element_type = self.properties.type_of.get(element.id())
            label = ((element_type.Name if element_type is not None else None) or element.Name or "").strip()
            label = label or class_title(element.is_a())
            name = self._type_name(label, types)
            extents = np.maximum(mesh.vertices.max(axis=0) - mesh.vertices.min(axis=0), MIN_EXTENT)
            asset = f"meshes/{name}.glb"
            assets[asset] = glb_bytes(mesh)
            types[name] = EquipmentType(
                name,
                label,
                class_title(element.is_a()),
                Footprint(*(round(float(v), 4) for v in extents)),
                mesh=asset,
                color=main_color(mesh),
            )
            self._type_keys[key] = (name, offset)
        return self._type_keys[key]

    def _type_name(self, label: str, types: dict[str, EquipmentType]) -> str:
        base = f"ifc_{self.stem}_{slug(label)}"
        name, n = base, 2
        while name in types:
            name, n = f"{base}_{n}", n + 1
        return name

    # ------------------------------------------------------------ links and what was left out

    def _links(self, imported: dict[int, str], ids: IdMaker) -> list[MaterialLink]:
        port_owner: dict[int, Any] = {}
        for rel_class, port_attr, owner_attr in (
            ("IfcRelConnectsPortToElement", "RelatingPort", "RelatedElement"),
            ("IfcRelNests", None, "RelatingObject"),
        ):
            try:
                rels = self.model.by_type(rel_class)
            except RuntimeError:
                continue
            for rel in rels:
                owner = getattr(rel, owner_attr)
                ports = [getattr(rel, port_attr)] if port_attr else list(rel.RelatedObjects or ())
                for port in ports:
                    if port is not None and port.is_a("IfcPort") and owner is not None:
                        port_owner.setdefault(port.id(), owner)
        links = []
        for rel in self.model.by_type("IfcRelConnectsPorts"):
            sides = []
            for port in (rel.RelatingPort, rel.RelatedPort):
                owner = port_owner.get(port.id()) if port is not None else None
                if owner is None or owner.id() not in imported:
                    break
                sides.append(f"{imported[owner.id()]}:{port.Name or port.GlobalId}")
            if len(sides) == 2:
                links.append(MaterialLink(ids(rel.GlobalId), rel.Name or "", sides[0], sides[1]))
        return links

    def _skipped(
        self, building: dict[int, Any], owner_of: dict[int, int], imported: dict[int, str]
    ) -> list[MappingRow]:
        counts: Counter[tuple[str, str]] = Counter()
        for element in self.model.by_type("IfcProduct"):
            key = element.id()
            if key in self.without_geometry:
                counts[(element.is_a(), "no geometry to take a plan outline from")] += 1
                continue
            if key in building or key in owner_of or key in imported:
                continue
            if element.is_a("IfcSpatialStructureElement") and not element.is_a("IfcSpace"):
                continue  # sites, buildings and storeys became the hierarchy
            reason = next((r for c, r in SKIP_REASONS.items() if element.is_a(c)), OTHER_REASON)
            counts[(element.is_a(), reason)] += 1
        return [MappingRow(cls, n, reason) for (cls, reason), n in sorted(counts.items())]


def _name_of(element: Any) -> str:
    """A building element's name: its own, its long name (spaces), else what it is."""
    for attr in ("Name", "LongName"):
        text = (getattr(element, attr, None) or "").strip()
        if text:
            return text
    return class_title(element.is_a())


UNCOUNTED = ("furniture", "equipment")  # no plural: "Furniture", not "Furnitures"


def plural(title: str) -> str:
    if title.endswith("s") or title.lower().endswith(UNCOUNTED):
        return title
    if title.endswith("y") and not title.endswith(("ay", "ey", "oy")):
        return title[:-1] + "ies"
    return title + "s"


def _class_counts(counts: Counter[str]) -> str:
    return ", ".join(f"{n} {cls}" for cls, n in sorted(counts.items()))
