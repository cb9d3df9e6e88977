"""The plant document: ISA-95 hierarchy Enterprise > Site > Area > Line > Cell > Equipment.

Plain dataclasses, no Qt and no VTK, so that loading, validating, cloning and diffing run anywhere.
Poses are relative to the parent level; `viewer.model.geometry` composes them into world transforms.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import KW_ONLY, dataclass, field
from enum import StrEnum

from viewer.model.library import EquipmentType
from viewer.model.review import ReviewBook
from viewer.model.values import Parameter, Pose, Signal
from viewer.model.views import Viewpoint

FORMAT_NAME = "mothertwin-plant"
FORMAT_VERSION = 1


@dataclass(slots=True)
class Equipment:
    id: str
    name: str
    type: str
    pose: Pose = field(default_factory=Pose)
    scale: tuple[float, float, float] = (1.0, 1.0, 1.0)
    parameters: list[Parameter] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    mother_id: str | None = None


@dataclass(slots=True)
class Cell:
    """A station: a group of equipment doing one process step."""

    id: str
    name: str
    pose: Pose = field(default_factory=Pose)
    equipment: list[Equipment] = field(default_factory=list)


@dataclass(slots=True)
class CloneRecord:
    """Where a child line came from: the mother line, the mother document's revision, how it was placed."""

    mother_site: str
    mother_line: str
    mother_revision: str  # sha256 of the mother document's saved text
    cloned_at: str  # ISO 8601 UTC
    origin: tuple[float, float] = (0.0, 0.0)
    rotate: float = 0.0
    mirror: bool = False


@dataclass(slots=True)
class Line:
    id: str
    name: str
    pose: Pose = field(default_factory=Pose)
    cells: list[Cell] = field(default_factory=list)
    clone_record: CloneRecord | None = None


@dataclass(slots=True)
class Area:
    id: str
    name: str
    pose: Pose = field(default_factory=Pose)
    lines: list[Line] = field(default_factory=list)


@dataclass(slots=True)
class ColumnGrid:
    """Building columns on a regular grid, in site coordinates."""

    origin: tuple[float, float] = (0.0, 0.0)
    spacing: tuple[float, float] = (12.0, 12.0)
    count: tuple[int, int] = (0, 0)
    size: float = 0.6
    height: float = 8.0

    def positions(self) -> list[tuple[float, float]]:
        ox, oy = self.origin
        sx, sy = self.spacing
        return [(ox + i * sx, oy + j * sy) for i in range(self.count[0]) for j in range(self.count[1])]


class BuildingKind(StrEnum):
    """What a part of the building is: walls and columns stand in the way of equipment, slabs and spaces not."""

    WALL = "wall"
    COLUMN = "column"
    SLAB = "slab"
    SPACE = "space"


OBSTACLE_KINDS = (BuildingKind.WALL, BuildingKind.COLUMN)


@dataclass(slots=True)
class BuildingElement:
    """A part of the site's building as its BIM model or layout drawing has it (an IFC wall, a column drawn
    in a DXF): its plan outline in site coordinates, extruded from `base` by `height` metres."""

    id: str
    kind: BuildingKind
    outline: list[tuple[float, float]]
    base: float = 0.0
    height: float = 3.0
    name: str = ""


@dataclass(slots=True)
class MaterialLink:
    """A connection between two elements' interfaces as a plant-engineering tool wrote it (an AutomationML
    InternalLink: material flow, a signal), kept so the layout goes back with it."""

    id: str
    name: str
    side_a: str  # "element id:interface name"
    side_b: str


@dataclass(slots=True)
class Site:
    id: str
    name: str
    country: str = ""
    latitude: float = 0.0
    longitude: float = 0.0
    timezone: str = "UTC"
    footprint: list[tuple[float, float]] = field(default_factory=list)
    column_grid: ColumnGrid = field(default_factory=ColumnGrid)
    areas: list[Area] = field(default_factory=list)
    # How this site's tags are named, e.g. "{site}/{line}/{cell}/{equipment}/{signal}"; empty: the default.
    tag_template: str = ""
    # Walls, columns, slabs and spaces imported from the building's model (beside the regular column grid).
    building: list[BuildingElement] = field(default_factory=list)

    def column_outlines(self) -> list[list[tuple[float, float]]]:
        """Every column's plan outline: the grid's squares and the building's own columns."""
        half = self.column_grid.size / 2
        grid = [
            [(x - half, y - half), (x + half, y - half), (x + half, y + half), (x - half, y + half)]
            for x, y in self.column_grid.positions()
        ]
        return grid + [list(e.outline) for e in self.building if e.kind == BuildingKind.COLUMN]

    def wall_outlines(self) -> list[list[tuple[float, float]]]:
        """The plan outlines of the building's walls (the outline's own edges aside)."""
        return [list(e.outline) for e in self.building if e.kind == BuildingKind.WALL]


class DeviationStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(slots=True)
class DeviationChange:
    """One step of a deviation's audit trail: the status it took, who changed it and when (UTC, ISO 8601)."""

    status: DeviationStatus
    by: str  # the logged-in user who made the change
    at: str  # e.g. "2026-12-06T19:44:21Z"
    note: str = ""  # what the approver or rejecter wrote with the decision


@dataclass(slots=True)
class Deviation:
    """An intentional, recorded difference of a child equipment from its mother (Copy Exactly change control).

    `field` names what differs: "pose", "type", "parameters.NAME", "signals.NAME" or "equipment" (added or
    removed). Values are kept as text, as they were shown to the approvers. Who asked, who approved and when
    are the logged-in users and the clock at the time (set by the register's commands, never typed); `history`
    keeps every status change in order. A rejected deviation has no `approved_by`: its rejecter is in `history`.
    """

    id: str
    equipment_id: str  # the child's equipment (or the mother's, for a removed one)
    field: str
    mother_value: str
    child_value: str
    reason: str
    requested_by: str = ""
    _: KW_ONLY
    requested_at: str = ""  # UTC, ISO 8601
    approved_by: str = ""
    approved_at: str = ""  # UTC, ISO 8601
    status: DeviationStatus = DeviationStatus.PROPOSED
    history: list[DeviationChange] = dataclasses.field(default_factory=list)  # `field` above is an attribute here

    @property
    def date(self) -> str:
        """When it was approved, under the name older readers of the register use."""
        return self.approved_at

    @property
    def last_change(self) -> DeviationChange | None:
        return self.history[-1] if self.history else None


@dataclass(slots=True)
class Enterprise:
    id: str
    name: str


@dataclass(slots=True)
class EquipmentPath:
    """Where an equipment sits in the hierarchy; handy for labels, filters and diffs."""

    site: Site
    area: Area
    line: Line
    cell: Cell
    equipment: Equipment


@dataclass(slots=True)
class PlantDocument:
    enterprise: Enterprise
    sites: list[Site] = field(default_factory=list)
    types: dict[str, EquipmentType] = field(default_factory=dict)
    viewpoints: list[Viewpoint] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    links: list[MaterialLink] = field(default_factory=list)
    review: ReviewBook = field(default_factory=ReviewBook)  # the layout review's topics

    def iter_equipment(self) -> Iterator[EquipmentPath]:
        for site in self.sites:
            for area in site.areas:
                for line in area.lines:
                    for cell in line.cells:
                        for equipment in cell.equipment:
                            yield EquipmentPath(site, area, line, cell, equipment)

    def site_by_name(self, name: str) -> Site:
        """Find a site by name or id."""
        for site in self.sites:
            if name in (site.name, site.id):
                return site
        known = ", ".join(s.name for s in self.sites) or "none"
        raise KeyError(f"no site named {name!r}; sites in this document: {known}")

    def equipment_count(self) -> int:
        return sum(1 for _ in self.iter_equipment())
