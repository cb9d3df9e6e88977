"""Turning a drawing's modelspace entities into the plant: block inserts into equipment and their types, in the
lines and cells their layers name; entities on building layers into walls, columns and the site's footprint."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mothertwin_formats.dxf.layers import WALL_WORDS, LayerRole, _words, is_column_name
from mothertwin_formats.dxf.outlines import BlockOutline, _across, _area, _flat_points, _thick_outline, block_outline
from mothertwin_formats.dxf.reading import _fail, _number, parse_length, safe_id
from viewer.formats import (
    Area,
    BuildingElement,
    BuildingKind,
    Cell,
    Equipment,
    EquipmentType,
    Footprint,
    Line,
    Parameter,
    PlantDocument,
    Pose,
    Problem,
    unique_name,
)

DEFAULT_HEIGHT = 2.0  # metres: an equipment block without a height attribute or option
DEFAULT_BUILDING_HEIGHT = 6.0  # metres: walls and columns of the drawing
DEFAULT_WALL_THICKNESS = 0.2  # metres: an open polyline or line on a wall layer
COLUMN_MAX_SIZE = 2.0  # metres across: a closed outline no larger than this is a column
MIN_FOOTPRINT = 0.05  # metres: a block outline thinner than this (a single line) is widened to it
HEIGHT_TAGS = ("HEIGHT", "H")
NAME_TAGS = ("NAME", "TAG", "ID")


@dataclass
class _Mapping:
    """What the read made, for the report."""

    lines: dict[str, Line] = field(default_factory=dict)
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    layers_of_line: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    equipment: int = 0
    parameters: int = 0
    building: Counter[tuple[str, str]] = field(default_factory=Counter)  # (column or wall, layer) -> count
    footprint: bool = False
    mirrored: list[str] = field(default_factory=list)
    tilted: list[str] = field(default_factory=list)  # inserts whose plane is not the plan: laid flat
    skipped: Counter[tuple[str, str]] = field(default_factory=Counter)
    no_outline: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class _Settings:
    unit: float
    heights: dict[str, float]  # block name (upper case) -> metres
    height_tags: tuple[str, ...]
    wall_thickness: float
    building_height: float
    prefix: str

    @classmethod
    def of(cls, options: Mapping[str, str], unit: float, path: Path, prefix: str) -> _Settings:
        def positive(key: str, default: float) -> float:
            text = options.get(key, "").strip()
            if not text:
                return default
            value = _number(text)
            if value is None or value <= 0:
                raise _fail(path, f"option {key}", f"{text!r}: expected a positive number of metres")
            return value

        heights = {k.partition(":")[2].upper(): positive(k, DEFAULT_HEIGHT)
                   for k in options if k.lower().startswith("height:")}  # fmt: skip
        tag = options.get("height-tag", "").strip().upper()
        return cls(
            unit,
            heights,
            (tag,) if tag else HEIGHT_TAGS,
            positive("wall-thickness", DEFAULT_WALL_THICKNESS),
            positive("building-height", DEFAULT_BUILDING_HEIGHT),
            prefix,
        )


class _Builder:
    """Turns the modelspace's entities into equipment, types and building elements."""

    def __init__(
        self,
        doc: Any,
        path: Path,
        settings: _Settings,
        document: PlantDocument,
        area: Area,
        made: _Mapping,
        problems: list[Problem],
    ) -> None:
        self.doc, self.path, self.settings = doc, path, settings
        self.document, self.area, self.made, self.problems = document, area, made, problems
        self.outlines: dict[str, BlockOutline | None] = {}
        self.closed: list[tuple[list[tuple[float, float]], str, str, float]] = []  # outline, layer, handle, z
        self.bad_heights: Counter[str] = Counter()
        self.taken: set[str] = set()  # line and cell ids given out

    # ------------------------------------------------------------ blocks and inserts

    def outline(self, block_name: str) -> BlockOutline | None:
        if block_name not in self.outlines:
            block = self.doc.blocks.get(block_name)
            self.outlines[block_name] = block_outline(block) if block is not None else None
        return self.outlines[block_name]

    def placements(self, insert: Any) -> Iterator[tuple[Any, str]]:
        """The insert itself, or each copy of a multi-insert (MINSERT rows and columns), with its id."""
        handle = insert.dxf.get("handle") or f"n{id(insert)}"
        if insert.mcount > 1:
            for index, copy in enumerate(insert.multi_insert()):
                yield copy, f"{self.settings.prefix}-{safe_id(handle)}-{index + 1}"
        else:
            yield insert, f"{self.settings.prefix}-{safe_id(handle)}"

    def placed_box(self, insert: Any) -> tuple[tuple[float, float, float], float, tuple[float, float], bool] | None:
        """Where a block insert's outline lands, in metres: centre, yaw (degrees), X and Y scale, mirrored.
        The outline box's corners c +- w/2 ux +- d/2 uy (ux, uy: the insert's block axes in the plan) are
        the same four points as the equipment's centred, turned, scaled box."""
        outline = self.outline(insert.dxf.name)
        if outline is None:
            return None
        matrix = insert.matrix44()
        centre = matrix.transform(outline.centre)
        ux = matrix.transform_direction((1.0, 0.0, 0.0))
        uy = matrix.transform_direction((0.0, 1.0, 0.0))
        sx, sy = math.hypot(ux.x, ux.y), math.hypot(uy.x, uy.y)
        if sx < 1e-12 or sy < 1e-12:
            return None
        yaw = math.degrees(math.atan2(ux.y, ux.x))
        mirrored = ux.x * uy.y - ux.y * uy.x < 0
        unit = self.settings.unit
        return (centre.x * unit, centre.y * unit, centre.z * unit), yaw, (sx, sy), mirrored

    def equipment_type(self, block_name: str, layer: str) -> str:
        name = f"dxf:{block_name}"
        if name not in self.document.types:
            outline = self.outline(block_name)
            unit = self.settings.unit
            width = max(outline.width * unit, MIN_FOOTPRINT) if outline else MIN_FOOTPRINT
            depth = max(outline.depth * unit, MIN_FOOTPRINT) if outline else MIN_FOOTPRINT
            height = self.settings.heights.get(block_name.upper(), DEFAULT_HEIGHT)
            self.document.types[name] = EquipmentType(
                name, block_name, "DXF block", Footprint(width, depth, height), color=self.layer_colour(layer)
            )
        return name

    def layer_colour(self, layer: str) -> tuple[int, int, int]:
        from ezdxf import colors

        entry = self.doc.layers.get(layer) if self.doc.layers.has_entry(layer) else None
        if entry is None:
            return (170, 170, 170)
        if entry.rgb is not None:
            return tuple(int(c) for c in entry.rgb)  # type: ignore[return-value]
        aci = abs(int(entry.dxf.get("color", 7)))
        if aci in (0, 7, 256) or aci > 255:
            return (170, 170, 170)  # white/black on paper: the model's neutral grey
        r, g, b = colors.aci2rgb(aci)
        return (int(r), int(g), int(b))

    def cell_for(self, role: LayerRole, layer: str) -> Cell:
        """The cell a layer's inserts go in: the one it names, or for a line layer a cell of its own named
        after the layer ("Layer EQUIP-L1"), so two layers of one line stay apart and each says where it came
        from."""
        made = self.made
        line_name = role.line
        cell_name = role.cell if role.kind == "cell" else f"Layer {layer}"
        line = made.lines.get(line_name)
        if line is None:
            line = Line(self.new_id(f"line-{safe_id(line_name)}"), line_name)
            made.lines[line_name] = line
            self.area.lines.append(line)
        made.layers_of_line[line_name].add(layer)
        key = (line_name, cell_name)
        cell = made.cells.get(key)
        if cell is None:
            own = safe_id(role.cell if role.kind == "cell" else layer)
            tail = own if own == safe_id(line_name) else f"{safe_id(line_name)}-{own}"
            cell = Cell(self.new_id(f"cell-{tail}"), cell_name)
            made.cells[key] = cell
            line.cells.append(cell)
        return cell

    def new_id(self, tail: str) -> str:
        """A line's or cell's id, unique among them (names that differ only in characters ids leave out)."""
        return unique_name(f"{self.settings.prefix}-{tail}"[:120], self.taken)

    def equipment(self, insert: Any, layer: str, role: LayerRole) -> None:
        block_name = insert.dxf.name
        block = self.doc.blocks.get(block_name)
        if block is None:
            self.made.skipped[("INSERT", "of blocks the drawing does not define")] += 1
            return
        if block.block is not None and block.block.is_xref:
            self.made.skipped[("INSERT", "of external references (xrefs): their drawings are not read")] += 1
            return
        cell = self.cell_for(role, layer)
        type_name = self.equipment_type(block_name, layer)
        kind = self.document.types[type_name]
        attributes = [(a.dxf.get("tag", ""), a.dxf.get("text", "")) for a in insert.attribs]
        for placed, equipment_id in self.placements(insert):
            box = self.placed_box(placed)
            if box is None:
                self.made.no_outline.add(block_name)
                point = placed.dxf.insert
                unit = self.settings.unit
                box = ((point.x * unit, point.y * unit, point.z * unit), placed.dxf.rotation, (1.0, 1.0), False)
            (x, y, z), yaw, (sx, sy), mirrored = box
            parameters = [Parameter(tag, text) for tag, text in attributes if tag]
            sz = 1.0
            height_text = next((text for tag, text in attributes if tag.upper() in self.settings.height_tags), None)
            if height_text is not None:
                height = parse_length(height_text, self.settings.unit)
                if height is None or height <= 0:
                    self.bad_heights[height_text] += 1
                else:
                    sz = height / kind.footprint.height
            if abs(placed.dxf.get("extrusion", (0.0, 0.0, 1.0))[2]) < 0.999:
                self.made.tilted.append(equipment_id)
            if mirrored:
                parameters.append(Parameter("dxf_mirrored", True))
                self.made.mirrored.append(equipment_id)
            name = next((text for tag, text in attributes if tag.upper() in NAME_TAGS and text.strip()), "")
            handle = equipment_id.removeprefix(f"{self.settings.prefix}-")
            cell.equipment.append(
                Equipment(
                    equipment_id,
                    name.strip() or f"{block_name} {handle}",
                    type_name,
                    Pose(x, y, z, yaw),
                    (sx, sy, sz),
                    parameters,
                )
            )
            self.made.equipment += 1
            self.made.parameters += len(parameters) - int(mirrored)

    # ------------------------------------------------------------ the building

    def building_entity(self, entity: Any, layer: str) -> None:
        kind = entity.dxftype()
        handle = entity.dxf.get("handle") or f"n{id(entity)}"
        unit = self.settings.unit
        tolerance = 0.005 / unit  # 5 mm chords along arcs and bulges
        z = 0.0
        if kind in ("LWPOLYLINE", "POLYLINE"):
            if kind == "POLYLINE" and not (entity.is_2d_polyline or entity.is_3d_polyline):
                self.made.skipped[(kind, "meshes and faces on building layers")] += 1
                return
            points = [(x * unit, y * unit) for x, y in _flat_points(entity, tolerance)]
            z = float(entity.dxf.get("elevation", 0.0) or 0.0) * unit if kind == "LWPOLYLINE" else 0.0
            if entity.is_closed and len(points) >= 3:
                self.closed.append((points, layer, handle, z))
            else:
                self.open_wall(points, layer, handle, kind)
        elif kind == "LINE":
            start, end = entity.dxf.start, entity.dxf.end
            self.open_wall([(start.x * unit, start.y * unit), (end.x * unit, end.y * unit)], layer, handle, kind)
        elif kind == "CIRCLE":
            points = [(x * unit, y * unit) for x, y in _flat_points(entity, tolerance)]
            if len(points) >= 3 and (is_column_name(layer) or _across(points) <= COLUMN_MAX_SIZE):
                self.add_element(BuildingKind.COLUMN, points, handle, f"Column {handle}", 0.0, layer)
            else:
                self.made.skipped[(kind, f"wider than {COLUMN_MAX_SIZE:g} m on a building layer: not a column")] += 1
        elif kind == "INSERT":
            for placed, element_id in self.placements(entity):
                box = self.placed_box(placed)
                outline = self.outline(placed.dxf.name)
                if box is None or outline is None:
                    self.made.skipped[(kind, "of empty blocks on building layers")] += 1
                    continue
                (x, y, _z), yaw, (sx, sy), _mirrored = box
                c, s = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
                hw, hd = outline.width * sx * unit / 2, outline.depth * sy * unit / 2
                corners = ((-hw, -hd), (hw, -hd), (hw, hd), (-hw, hd))
                points = [(x + c * u - s * v, y + s * u + c * v) for u, v in corners]
                column = is_column_name(layer) or is_column_name(placed.dxf.name) or _across(points) <= COLUMN_MAX_SIZE
                name = f"{'Column' if column else 'Wall'} {placed.dxf.name}"
                element_id = element_id.removeprefix(f"{self.settings.prefix}-")
                kind_of = BuildingKind.COLUMN if column else BuildingKind.WALL
                self.add_element(kind_of, points, element_id, name, 0.0, layer)
        else:
            self.made.skipped[(kind, "on building layers: only polylines, lines, circles and blocks are building")] += 1

    def open_wall(self, points: list[tuple[float, float]], layer: str, handle: str, kind: str) -> None:
        if is_column_name(layer) and not _words(layer) & WALL_WORDS:
            self.made.skipped[(kind, "open outlines on column layers")] += 1
            return
        outline = _thick_outline(points, self.settings.wall_thickness) if len(points) >= 2 else []
        if len(outline) < 3:
            self.made.skipped[(kind, "zero-length lines on building layers")] += 1
            return
        self.add_element(BuildingKind.WALL, outline, handle, f"Wall {handle}", 0.0, layer)

    def add_element(
        self, kind: BuildingKind, outline: list[tuple[float, float]], handle: str, name: str, z: float, layer: str
    ) -> None:
        element_id = f"{self.settings.prefix}-{safe_id(handle)}"
        height = self.settings.building_height
        self.document.sites[0].building.append(BuildingElement(element_id, kind, outline, z, height, name))
        self.made.building[("columns" if kind == BuildingKind.COLUMN else "walls", layer)] += 1

    def finish_building(self) -> None:
        """The largest closed outline is the site's footprint; small ones and those on column layers columns,
        the rest walls."""
        if self.bad_heights:
            shown = ", ".join(repr(t) for t in list(self.bad_heights)[:5])
            count = sum(self.bad_heights.values())
            message = f"{count} heights are not lengths ({shown}): the block's height is used"
            self.problems.append(Problem(str(self.path), "height attributes", message))
        if not self.closed:
            return
        candidates = [
            i
            for i, (points, layer, _h, _z) in enumerate(self.closed)
            if not is_column_name(layer) and _across(points) > COLUMN_MAX_SIZE
        ]
        largest = max(candidates, key=lambda i: _area(self.closed[i][0]), default=-1)
        for index, (points, layer, handle, z) in enumerate(self.closed):
            if index == largest:
                self.document.sites[0].footprint = points
                self.made.footprint = True
            elif is_column_name(layer) or _across(points) <= COLUMN_MAX_SIZE:
                self.add_element(BuildingKind.COLUMN, points, handle, f"Column {handle}", z, layer)
            else:
                self.add_element(BuildingKind.WALL, points, handle, f"Wall {handle}", z, layer)
