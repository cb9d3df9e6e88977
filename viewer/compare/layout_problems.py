"""Layout problems of a child line at its own site: the floor-plan checks (viewer.model.checks) run over the
child line's equipment where the clone put them. No Qt, no VTK.

An exact copy of a clean mother line can still stand on the child building's columns, outside its walls or on
top of another line, because the child building is not the mother's. Those problems are part of the verdict
(see `LAYOUT_RULE`).
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely

from viewer.model import DeviationStatus, EquipmentLibrary, Line, PlantDocument, Site
from viewer.model.checks import DEFAULT_CLEARANCE, LayoutChecker, Violation

BLOCKING_KINDS = ("column", "wall", "outside", "overlap")  # the line cannot be built as drawn
WALKWAY_FIELD = "layout.clearance"  # the deviation field that approves a narrow walkway
KIND_TEXT = {
    "column": "on a column",
    "wall": "in a wall",
    "outside": "outside the building",
    "overlap": "overlap",
    "clearance": "walkway too narrow",
}

LAYOUT_RULE = (
    "The layout checks run on the child line where it stands at the child site. Equipment on a building column "
    "or in a wall, "
    "outside the building or overlapping other equipment is a blocking problem: the line cannot be built as drawn "
    "and no deviation can approve it, so it counts like drift. A walkway narrower than the minimum is a "
    "difference from the mother's layout like any other: an approved deviation of the child document (field "
    f"'{WALKWAY_FIELD}' on either equipment) covers it, otherwise it counts like drift. Level 4 needs no "
    "difference and no layout problem at all; level 3 needs every difference and every narrow walkway approved "
    "and no blocking problem; otherwise level 2 when the recorded process outputs match, else level 1."
)


@dataclass(frozen=True)
class LayoutProblem:
    kind: str  # "column", "outside", "overlap", "clearance" (as LayoutChecker names them)
    ids: tuple[str, ...]  # one equipment, or a pair; the child line's own first
    message: str  # names and ids of the equipment, and the amount
    value: float  # m2 on the column / outside / overlapping; the walkway width in metres (clearance)
    required: float  # the minimum walkway (clearance), else 0
    places: tuple[tuple[float, float], ...]  # site x, y of the clash: each column hit, the overlap, the gap
    deviation: str | None = None  # the approved deviation that covers a narrow walkway

    @property
    def blocking(self) -> bool:
        return self.kind in BLOCKING_KINDS

    @property
    def is_open(self) -> bool:
        """Counts against the level: blocking ones always, a narrow walkway until a deviation approves it."""
        return self.deviation is None

    @property
    def what(self) -> str:
        return KIND_TEXT.get(self.kind, self.kind)

    @property
    def location(self) -> str:
        """Where to look, in site metres: 'columns at x 24.0 y 12.0, x 36.0 y 12.0'."""
        points = ", ".join(f"x {x:.1f} y {y:.1f}" for x, y in self.places)
        if self.kind == "column":
            return f"column{'s' if len(self.places) > 1 else ''} at {points}"
        return f"at {points}"

    @property
    def status(self) -> str:
        if self.blocking:
            return "blocking"
        return f"approved {self.deviation}" if self.deviation else "open: needs a fix or an approved deviation"


def site_of_line(document: PlantDocument, line: Line) -> Site:
    for site in document.sites:
        if any(li is line for area in site.areas for li in area.lines):
            return site
    raise ValueError(f"line {line.name!r} ({line.id}) is not in the document")


def _places(checker: LayoutChecker, violation: Violation) -> tuple[tuple[float, float], ...]:
    polygons = [checker.polygons[checker.index_of[i]] for i in violation.ids]
    first = polygons[0]
    if violation.kind == "column" and checker.column_tree is not None:
        hits = checker.column_tree.query(first, predicate="intersects")
        shapes = [checker.columns[h] for h in sorted(hits) if first.intersection(checker.columns[h]).area > 0]
    elif violation.kind == "wall" and checker.wall_tree is not None:
        hits = checker.wall_tree.query(first, predicate="intersects")
        shapes = [first.intersection(checker.walls[h]) for h in sorted(hits)]
    elif violation.kind == "outside" and checker.building is not None:
        shapes = [first.difference(checker.building)]
    elif violation.kind == "overlap":
        shapes = [first.intersection(polygons[1])]
    elif violation.kind == "clearance":
        shapes = [shapely.shortest_line(first, polygons[1])]
    else:
        shapes = []
    points = [s.centroid for s in shapes if not s.is_empty] or [first.centroid]
    return tuple((round(float(p.x), 3), round(float(p.y), 3)) for p in points)


def child_layout_problems(
    document: PlantDocument,
    line: Line,
    library: EquipmentLibrary,
    walkway: float = DEFAULT_CLEARANCE,
) -> list[LayoutProblem]:
    """Every layout problem at the line's site that involves one of the line's equipment, blocking ones first.

    Pairs with equipment of other lines at the site count too (a clone placed over another line overlaps it).
    `walkway` is the minimum gap for types without a clearance zone of their own.
    """
    site = site_of_line(document, line)
    checker = LayoutChecker(document, library, site, default_clearance=walkway)
    own = {e.id for cell in line.cells for e in cell.equipment}
    approved = {
        (d.equipment_id, d.field): d.id for d in document.deviations if d.status == DeviationStatus.APPROVED
    }
    out = []
    for violation in checker.current():
        if not own.intersection(violation.ids):
            continue
        ids = tuple(sorted(violation.ids, key=lambda i: i not in own))  # the child line's equipment first
        deviation = None
        if violation.kind == "clearance":
            deviation = next((approved[(i, WALKWAY_FIELD)] for i in ids if (i, WALKWAY_FIELD) in approved), None)
        out.append(
            LayoutProblem(
                violation.kind,
                ids,
                violation.message,
                round(violation.value, 4),
                violation.required,
                _places(checker, violation),
                deviation,
            )
        )
    order = {kind: n for n, kind in enumerate((*BLOCKING_KINDS, "clearance"))}
    return sorted(out, key=lambda p: (order.get(p.kind, len(order)), p.ids))
