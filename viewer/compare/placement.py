"""Where a cloned line stands in the child building: the layout checks of a proposed place, and a search of
the building's free floor for places where the line fits.

A child building rarely has the mother's column grid, so a line copied to the same coordinates can put a
coater on a column. `check_placement` clones the line into a scratch copy of the child site and runs the
layout checks there (the same `LayoutChecker` the window uses), so the answer is the one the Checks dock will
give after the clone. `find_placements` works out, for each turn of the line, the set of origins at which no
footprint touches a column, leaves the building or comes closer to existing equipment than the walkway
minimum: the building minus the Minkowski sums of every obstacle with every (turned) footprint, computed with
shapely in one vectorised batch. It then offers the origin nearest to a preferred one and the nearest origin
at which the columns fall in the same places along the line as at the mother, and checks each offer again.

No Qt, no VTK.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from shapely import STRtree

from viewer.compare.clone import CloneError, clone_line, document_revision, find_line
from viewer.model.checks import DEFAULT_CLEARANCE, TOUCH, LayoutChecker, Violation
from viewer.model.geometry import pose_matrix
from viewer.model.library import EquipmentLibrary
from viewer.model.plant import Line, PlantDocument, Site

# The order clashes are listed in, and what each kind is called in a list of them.
KIND_TITLES = {
    "column": "On a building column",
    "wall": "In a building wall",
    "outside": "Outside the building",
    "overlap": "Overlapping other equipment",
    "clearance": "Walkway narrower than the minimum",
}
TURNS = (0.0, 90.0, 180.0, 270.0)
# Metres kept beyond what the checks demand (from columns, walls and the walkway minimum): a fitted line does
# not stand touching a column, and rounding the origin to a tenth of a metre cannot bring a clash back.
FIT_MARGIN = 0.2
ORIGIN_STEP = 0.1  # metres: offered origins are rounded to this
SEARCH_WINDOWS = (12.0, 48.0)  # half sides (metres) of the squares searched before the whole building


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the cloned line stands: origin (metres, child site coordinates), turn about Z, mirror image."""

    origin: tuple[float, float] = (0.0, 0.0)
    rotate: float = 0.0
    mirror: bool = False

    def text(self) -> str:
        mirror = ", mirror image" if self.mirror else ""
        return f"origin {self.origin[0]:.1f}, {self.origin[1]:.1f} m, turned {self.rotate:g} deg{mirror}"


@dataclass(frozen=True, slots=True)
class PlanFootprint:
    """One equipment's floor rectangle on the plan, for a preview."""

    id: str
    name: str
    corners: tuple[tuple[float, float], ...]
    cloned: bool  # part of the line being cloned (else: already at the site)


@dataclass
class PlacementCheck:
    """The layout checks of the child site with the line at one place."""

    placement: Placement
    line_id: str  # the id the cloned line gets
    clashes: list[Violation]  # every finding that names equipment of the cloned line
    other_problems: list[Violation]  # findings at the site that do not involve the cloned line
    footprints: list[PlanFootprint]
    building: list[tuple[float, float]]
    columns: list[tuple[float, float]]
    column_size: float
    building_outlines: list[list[tuple[float, float]]] = field(default_factory=list)  # columns and walls of its model

    @property
    def clashing_ids(self) -> set[str]:
        return {i for v in self.clashes for i in v.ids}


@dataclass(frozen=True, slots=True)
class FitOption:
    placement: Placement
    clashes: int  # from the layout checks of the line at this place
    distance: float  # metres from the preferred origin
    how: str  # why it is offered: "where asked", "nearest free place", "same column bays as at the mother"

    def text(self) -> str:
        clashes = "no clashes" if self.clashes == 0 else f"{self.clashes} clashes"
        return f"{self.placement.text()}: {clashes}, {self.distance:.1f} m from the asked origin ({self.how})"


@dataclass
class FitResult:
    prefer: Placement
    options: list[FitOption]  # best first: no clashes, then the asked turn, then nearest
    turns: list[float] = field(default_factory=list)  # the turns tried
    no_room: list[tuple[float, bool]] = field(default_factory=list)  # (turn, mirror) where it fits nowhere
    seconds: float = 0.0

    @property
    def best(self) -> FitOption | None:
        return self.options[0] if self.options and self.options[0].clashes == 0 else None


# ---------------------------------------------------------------- the checks of one place


def split_problems(violations: Iterable[Violation], line: Line) -> tuple[list[Violation], list[Violation]]:
    """(clashes of the line, the site's other problems): a pair counts as a clash when one side is the line's."""
    ids = {e.id for cell in line.cells for e in cell.equipment}
    clashes: list[Violation] = []
    others: list[Violation] = []
    for violation in violations:
        (clashes if ids & set(violation.ids) else others).append(violation)
    return clashes, others


def clashes_by_kind(violations: Iterable[Violation]) -> list[tuple[str, list[Violation]]]:
    """(title, findings) per kind, columns first; kinds without findings left out."""
    grouped: dict[str, list[Violation]] = {}
    for violation in violations:
        grouped.setdefault(violation.kind, []).append(violation)
    order = list(KIND_TITLES) + sorted(set(grouped) - set(KIND_TITLES))
    return [(KIND_TITLES.get(kind, kind), grouped[kind]) for kind in order if kind in grouped]


def clash_report(violations: Sequence[Violation], site_name: str) -> list[str]:
    """Lines of text for a terminal: a count, then the findings grouped by kind, each naming the equipment."""
    if not violations:
        return [f"layout checks at {site_name}: the cloned line has no clashes"]
    lines = [f"WARNING: {len(violations)} clashes of the cloned line at {site_name} (layout checks):"]
    for title, found in clashes_by_kind(violations):
        lines.append(f"  {title} ({len(found)}):")
        lines.extend(f"    {v.message}" for v in found)
    return lines


def fit_report(result: FitResult) -> list[str]:
    """Lines of text for a terminal: what was searched, every place considered, the chosen one marked."""
    turns = ", ".join(f"{t:g}" for t in dict.fromkeys(result.turns))
    lines = [f"fit search near {result.prefer.text()}, turns {turns} deg: {len(result.options)} places considered "
             f"in {result.seconds:.2f} s"]  # fmt: skip
    for number, option in enumerate(result.options):
        marker = "chosen:" if number == 0 and option.clashes == 0 else "       "
        lines.append(f"  {marker} {option.text()}")
    for turn, mirror in result.no_room:
        image = ", mirror image" if mirror else ""
        lines.append(f"          turned {turn:g} deg{image}: the line fits nowhere in the building")
    return lines


def _scratch_child(document: PlantDocument, site_name: str) -> tuple[PlantDocument, Site]:
    """A document with only a copy of the child site: cloning into it leaves the open document alone.

    The copy is shallow below the areas (a clone only adds a line, or an area, to the copy's own lists), so
    a big child site is not copied equipment by equipment for every place tried."""
    site = document.site_by_name(site_name)
    areas = [replace(area, lines=list(area.lines)) for area in site.areas]
    scratch = PlantDocument(document.enterprise, [replace(site, areas=areas)], dict(document.types))
    return scratch, scratch.sites[0]


def _checked_site(document: PlantDocument, line_name: str, site_name: str) -> Site:
    """The child site, with the errors `clone_line` gives for a site that is missing or is the mother's own."""
    mother_site, _, _ = find_line(document, line_name)
    try:
        site = document.site_by_name(site_name)
    except KeyError as exc:
        raise CloneError(exc.args[0]) from None
    if site is mother_site:
        raise CloneError(f"the line is already at {site.name!r}: choose another site for the clone")
    return site


def check_placement(
    document: PlantDocument,
    library: EquipmentLibrary,
    line_name: str,
    site_name: str,
    placement: Placement,
    clearance: float = DEFAULT_CLEARANCE,
    revision: str | None = None,
) -> PlacementCheck:
    """The layout checks of the child site as they would be with the line cloned to `placement`.

    `document` is not changed. `revision` (the mother document's revision) saves hashing the document again
    when many places are checked in a row.
    """
    _checked_site(document, line_name, site_name)
    scratch, site = _scratch_child(document, site_name)
    line = clone_line(document, line_name, scratch, site.name, placement.origin, placement.rotate,
                      placement.mirror, revision=revision)  # fmt: skip
    checker = LayoutChecker(scratch, library, site, default_clearance=clearance)
    clashes, others = split_problems(checker.current(), line)
    new_ids = {e.id for cell in line.cells for e in cell.equipment}
    corners = shapely.get_coordinates(checker.polygons).reshape(-1, 5, 2)[:, :4].tolist()
    footprints = [
        PlanFootprint(p.equipment.id, p.equipment.name, tuple(map(tuple, c)), p.equipment.id in new_ids)
        for p, c in zip(checker.paths, corners, strict=True)
    ]
    return PlacementCheck(
        placement=placement,
        line_id=line.id,
        clashes=clashes,
        other_problems=others,
        footprints=footprints,
        building=list(site.footprint),
        columns=site.column_grid.positions(),
        column_size=site.column_grid.size,
        building_outlines=site.column_outlines()[len(site.column_grid.positions()) :] + site.wall_outlines(),
    )


# ---------------------------------------------------------------- the fit search


def _turn(angle: float) -> np.ndarray:
    a = math.radians(angle)
    return np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])


def _octagons(radii: np.ndarray) -> np.ndarray:
    """(n, 8, 2) octagons around the origin that hold a circle of each radius: a walkway minimum or margin
    taken a little wider on the diagonals, never narrower."""
    angles = np.radians(22.5 + 45.0 * np.arange(8))
    unit = np.stack([np.cos(angles), np.sin(angles)], axis=1) / math.cos(math.radians(22.5))
    return radii[:, None, None] * unit[None]


def _minkowski(*shapes: np.ndarray) -> np.ndarray:
    """Minkowski sums of convex polygons, in batches: each argument is (n, k, 2) with counter-clockwise
    vertices (k = 2 for a segment); returns (n, total k, 2). The edges of all shapes sorted by direction,
    laid end to end from the sum of their lowest vertices, trace the sum's outline (no hull needed)."""
    count = len(shapes[0])
    starts = np.zeros((count, 2))
    edges = []
    for shape in shapes:
        if shape.shape[1] >= 3:  # a mirrored (negative) scale turns a footprint clockwise: turn it back
            x, y = shape[..., 0], shape[..., 1]
            area = (x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y).sum(axis=1)
            shape = np.where((area < 0)[:, None, None], shape[:, ::-1], shape)
        lowest = np.lexsort((shape[..., 0], shape[..., 1]), axis=-1)[:, 0]
        starts += shape[np.arange(count), lowest]
        edges.append(np.roll(shape, -1, axis=1) - shape)
    edge = np.concatenate(edges, axis=1)
    order = np.argsort(np.mod(np.arctan2(edge[..., 1], edge[..., 0]), 2 * math.pi), axis=1, kind="stable")
    edge = np.take_along_axis(edge, order[..., None], axis=1)
    return starts[:, None, :] + np.concatenate([np.zeros((count, 1, 2)), np.cumsum(edge, axis=1)[:, :-1]], axis=1)


def _blocked(obstacles: np.ndarray, footprints: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """Shapely polygons: for every footprint (n, 4, 2) and obstacle (m, k, 2), the origins at which the
    footprint comes within `reach` (n, m) of the obstacle."""
    n, m = len(footprints), len(obstacles)
    if n == 0 or m == 0:
        return np.zeros(0, dtype=object)
    obstacle = np.repeat(obstacles[None], n, axis=0).reshape(n * m, *obstacles.shape[1:])
    footprint = np.repeat(-footprints, m, axis=0)  # the footprint mirrored through its origin
    return shapely.polygons(_minkowski(obstacle, footprint, _octagons(reach.reshape(-1))))


def _four_corners(outline: list[tuple[float, float]]) -> list[tuple[float, float]]:
    if len(outline) == 4:
        return outline
    envelope = shapely.oriented_envelope(shapely.Polygon(outline))
    corners = shapely.get_coordinates(envelope)[:4]
    if len(corners) < 4:  # a degenerate outline (a line or a point): its box
        corners = shapely.get_coordinates(shapely.box(*shapely.bounds(envelope)))[:4]
    return [(float(x), float(y)) for x, y in corners]


@dataclass
class _Floor:
    """The child site as the search sees it, in the frame of the area the line goes into."""

    building: shapely.Geometry | None
    walls: np.ndarray  # (k, 2, 2) wall segments
    columns: np.ndarray  # (m, 4, 2)
    equipment: np.ndarray  # (e, 4, 2) footprints of equipment already at the site
    zones: np.ndarray  # (e,) their clearance zones
    to_site: np.ndarray  # 3x3: area frame to site frame
    yaw: float  # the area's turn in the site (degrees)


def _floor(checker: LayoutChecker, cloned_ids: set[str], area_pose_matrix: np.ndarray) -> _Floor:
    to_site = np.eye(3)
    to_site[:2, :2] = area_pose_matrix[:2, :2]
    to_site[:2, 2] = area_pose_matrix[:2, 3]
    to_area = np.linalg.inv(to_site)

    def local(points: np.ndarray) -> np.ndarray:
        return points @ to_area[:2, :2].T + to_area[:2, 2]

    building = None
    walls = np.zeros((0, 2, 2))
    if checker.building is not None:
        building = shapely.transform(checker.building, local)
        rings = [shapely.get_coordinates(r) for r in shapely.get_rings(building)]
        walls = np.concatenate([np.stack([r[:-1], r[1:]], axis=1) for r in rings])
    # Columns and the walls of the building's model, each as four corners (an odd outline by the turned
    # rectangle around it: the search keeps clear of a little more than the outline, never less).
    outlines = [_four_corners(o) for o in checker.site.column_outlines() + checker.site.wall_outlines()]
    columns = local(np.array(outlines, dtype=float).reshape(-1, 2)).reshape(-1, 4, 2)
    keep = [i for i, p in enumerate(checker.paths) if p.equipment.id not in cloned_ids]
    corners = shapely.get_coordinates(checker.polygons[keep]).reshape(-1, 5, 2)[:, :4] if keep else np.zeros((0, 4, 2))
    yaw = math.degrees(math.atan2(to_site[1, 0], to_site[0, 0]))
    equipment = local(corners.reshape(-1, 2)).reshape(-1, 4, 2)
    return _Floor(building, walls, columns, equipment, checker.zones[keep], to_site, yaw)


def _free_origins(
    floor: _Floor, footprints: np.ndarray, zones: np.ndarray, margin: float, window: shapely.Geometry | None = None
) -> shapely.Geometry:
    """Every origin (area frame, inside `window` when given) at which the line, turned as `footprints`
    (n, 4, 2) are, passes the checks with `margin` to spare."""
    if floor.building is not None:
        # Inside the building: one corner inside and no footprint crossing a wall.
        base = shapely.intersection_all([shapely.transform(floor.building, lambda p, c=c: p - c)
                                         for c in footprints[:, 0]])  # fmt: skip
    else:
        reach = np.concatenate([floor.columns.reshape(-1, 2), floor.equipment.reshape(-1, 2), np.zeros((1, 2))])
        span = float(np.abs(footprints).max()) + 50.0
        base = shapely.box(*(reach.min(axis=0) - span), *(reach.max(axis=0) + span))
    if window is not None:
        base = shapely.intersection(base, window)
    if base.is_empty:
        return base
    n = len(footprints)
    walls = _blocked(floor.walls, footprints, np.full((n, len(floor.walls)), margin))
    columns = _blocked(floor.columns, footprints, np.full((n, len(floor.columns)), margin))
    # The walkway minimum between two machines is the larger of their zones (as the checks have it).
    need = np.maximum(floor.zones[None, :], zones[:, None]) + margin
    equipment = _blocked(floor.equipment, footprints, need)
    shapes = np.concatenate([walls, columns, equipment])
    if len(shapes):
        shapes = shapes[shapely.intersects(shapes, base)]
    return shapely.difference(base, shapely.union_all(shapes)) if len(shapes) else base


def _passing(floor: _Floor, footprints: np.ndarray, zones: np.ndarray, origins: np.ndarray) -> np.ndarray:
    """Which of the origins (k, 2) pass the checks exactly as `LayoutChecker` has them (no margin): the
    footprints at every origin in one batch, against spatial indexes of the columns and the equipment."""
    count, n = len(origins), len(footprints)
    if count == 0:
        return np.zeros(0, dtype=bool)
    polygons = shapely.polygons((origins[:, None, None, :] + footprints[None]).reshape(-1, 4, 2))
    owner = np.repeat(np.arange(count), n)
    bad = np.zeros(count * n, dtype=bool)
    if floor.building is not None:
        bad |= shapely.area(shapely.difference(polygons, floor.building)) > TOUCH
    if len(floor.columns):
        columns = shapely.polygons(floor.columns)
        hit, column = STRtree(columns).query(polygons, predicate="intersects")
        area = np.bincount(hit, shapely.area(shapely.intersection(polygons[hit], columns[column])), len(polygons))
        bad |= area > TOUCH
    if len(floor.equipment):
        others = shapely.polygons(floor.equipment)
        need = np.maximum(floor.zones[None, :], zones[:, None])  # (n, e)
        hit, other = STRtree(others).query(polygons, predicate="dwithin", distance=float(need.max()))
        gap = shapely.distance(polygons[hit], others[other])
        overlap = shapely.area(shapely.intersection(polygons[hit], others[other]))
        clash = (overlap > TOUCH) | ((gap > 0.0) & (gap < need[hit % n, other] - 1e-9))
        bad[hit[clash]] = True
    return ~np.bincount(owner, bad, count).astype(bool)


def _rounded(point: np.ndarray) -> tuple[float, float]:
    x, y = (float(round(v / ORIGIN_STEP) * ORIGIN_STEP) + 0.0 for v in point)  # + 0.0: no "-0.0"
    return x, y


def _nearest_free(
    floor: _Floor, footprints: np.ndarray, zones: np.ndarray, margin: float, wanted: np.ndarray
) -> np.ndarray | None:
    """The free origin nearest to `wanted`, looked for in growing squares around it: a point found within
    the square's half side is nearer than anything outside, and a small square has few obstacles."""
    for half in (*SEARCH_WINDOWS, None):
        window = None if half is None else shapely.box(*(wanted - half), *(wanted + half))
        free = _free_origins(floor, footprints, zones, margin, window)
        if free.is_empty:
            continue
        target = shapely.Point(wanted)
        if shapely.contains(free, target):
            return wanted
        # The shortest line from the free floor to the wanted origin starts at the nearest free origin.
        nearest = shapely.get_coordinates(shapely.shortest_line(free, target))[0]
        if half is None or np.hypot(*(nearest - wanted)) <= half:
            return nearest
    return None


def _bay_origins(
    document: PlantDocument, mother_line_id: str, child: Site, floor: _Floor, turn: float, mirror: bool,
    footprints: np.ndarray,
) -> np.ndarray:
    """Origins (area frame) near the building at which the columns stand where they stood along the line at
    the mother.

    At the mother, the columns seen from the line are its grid minus the line's origin, turned back by the
    line's turn. The child grid seen from the clone must be the same set: possible when both grids have the
    same spacing and column size once turned, and then on a lattice of origins with the child grid's spacing.
    Empty otherwise.
    """
    mother_site, mother_area, mother_line = find_line(document, mother_line_id)
    mother_grid, child_grid = mother_site.column_grid, child.column_grid
    if 0 in mother_grid.count or 0 in child_grid.count or abs(mother_grid.size - child_grid.size) > 1e-6:
        return np.zeros((0, 2))
    line_matrix = pose_matrix(mother_area.pose) @ pose_matrix(mother_line.pose)
    mother_origin, mother_yaw = line_matrix[:2, 3], math.degrees(math.atan2(line_matrix[1, 0], line_matrix[0, 0]))
    flip = np.diag([1.0, -1.0]) if mirror else np.eye(2)
    relation = _turn(floor.yaw + turn) @ flip @ _turn(-mother_yaw)  # mother line frame to child site frame
    if not np.allclose(np.round(relation), relation, atol=1e-9):
        return np.zeros((0, 2))  # not a quarter turn relative to the grids
    if not np.allclose(np.abs(np.round(relation)) @ np.array(mother_grid.spacing), child_grid.spacing):
        return np.zeros((0, 2))
    start = np.array(child_grid.origin) - relation @ (np.array(mother_grid.origin) - mother_origin)
    spacing = np.array(child_grid.spacing, dtype=float)
    # Origins that can put the line on the floor at all: the building (or the grid) grown by the line's reach.
    reach = float(np.abs(footprints).max())
    if floor.building is not None:
        floor_points = shapely.get_coordinates(floor.building) @ floor.to_site[:2, :2].T + floor.to_site[:2, 2]
    else:
        floor_points = np.array(child_grid.positions(), dtype=float)
    bounds = np.concatenate([floor_points.min(axis=0) - reach, floor_points.max(axis=0) + reach])
    low = np.floor((bounds[:2] - start) / spacing)
    high = np.ceil((bounds[2:] - start) / spacing)
    i, j = np.meshgrid(np.arange(low[0], high[0] + 1), np.arange(low[1], high[1] + 1), indexing="ij")
    site_points = start + np.stack([i.ravel(), j.ravel()], axis=1) * spacing
    to_area = np.linalg.inv(floor.to_site)
    points = site_points @ to_area[:2, :2].T + to_area[:2, 2]
    if floor.building is not None:
        # Only origins that keep the line's box inside the building's box: the exact test is dearer.
        low_x, low_y, high_x, high_y = shapely.bounds(floor.building)
        corners = footprints.reshape(-1, 2)
        lo, hi = corners.min(axis=0), corners.max(axis=0)
        keep = ((points + lo >= (low_x - 1e-6, low_y - 1e-6)) & (points + hi <= (high_x + 1e-6, high_y + 1e-6))).all(1)
        points = points[keep]
    return points


def find_placements(
    document: PlantDocument,
    library: EquipmentLibrary,
    line_name: str,
    site_name: str,
    prefer: Placement = Placement(),
    turns: Sequence[float] = TURNS,
    mirrors: Sequence[bool] | None = None,
    clearance: float = DEFAULT_CLEARANCE,
    margin: float = FIT_MARGIN,
) -> FitResult:
    """Places in the child building where the line fits, best first.

    `prefer` is where the engineer would like the line (by default where it stands at the mother): turns are
    tried from its turn on, in quarter turns unless `turns` says otherwise (added to the preferred turn), with
    its mirror setting unless `mirrors` lists others. For each turn it offers the preferred origin when the
    line fits there, else the nearest origin where it fits, and the nearest origin at which the columns fall
    where they did along the line at the mother. Every offer is checked by the layout checks; the list is
    sorted by clashes, then whether it keeps the preferred turn and mirror, then distance from the origin.
    """
    started = time.perf_counter()
    _checked_site(document, line_name, site_name)
    _, _, mother_line = find_line(document, line_name)
    revision = document_revision(document)
    mirror_values = [prefer.mirror] if mirrors is None else list(dict.fromkeys(mirrors))
    wanted = np.array(prefer.origin, dtype=float)
    offers: dict[Placement, str] = {}
    no_room: list[tuple[float, bool]] = []
    tried: list[float] = []
    for mirror in mirror_values:
        # The line's footprints with its pose at zero, in the frame of the area it goes into.
        scratch, site = _scratch_child(document, site_name)
        line = clone_line(document, line_name, scratch, site.name, (0.0, 0.0), 0.0, mirror, revision=revision)
        area = next(a for a in site.areas if any(li is line for li in a.lines))
        checker = LayoutChecker(scratch, library, site, default_clearance=clearance)
        cloned = [checker.index_of[e.id] for cell in line.cells for e in cell.equipment]
        floor = _floor(checker, set(checker.paths[i].equipment.id for i in cloned), pose_matrix(area.pose))
        to_area = np.linalg.inv(floor.to_site)
        flat = shapely.get_coordinates(checker.polygons[cloned]).reshape(-1, 5, 2)[:, :4].reshape(-1, 2)
        at_zero = (flat @ to_area[:2, :2].T + to_area[:2, 2]).reshape(-1, 4, 2)
        zones = checker.zones[cloned]
        for step in turns:
            turn = (prefer.rotate + step) % 360.0
            tried.append(turn)
            footprints = at_zero @ _turn(turn).T
            found = []
            if _passing(floor, footprints, zones, wanted[None])[0]:
                found.append((Placement((float(wanted[0]), float(wanted[1])), turn, mirror), "where asked"))
            else:
                nearest = _nearest_free(floor, footprints, zones, margin, wanted)
                if nearest is not None:
                    found.append((Placement(_rounded(nearest), turn, mirror), "nearest free place"))
            bays = _bay_origins(document, mother_line.id, site, floor, turn, mirror, footprints)
            if len(bays):
                # Exact lattice points: checked without the margin, which the mother's own layout may not keep.
                inside = bays[_passing(floor, footprints, zones, bays)]
                if len(inside):
                    best = inside[np.argmin(np.hypot(*(inside - wanted).T))]
                    found.append((Placement(_rounded(best), turn, mirror), "same column bays as at the mother"))
            if not found:
                no_room.append((turn, mirror))
            for placement, how in found:
                offers.setdefault(placement, how)
    options = []
    for placement, how in offers.items():
        check = check_placement(document, library, line_name, site_name, placement, clearance, revision)
        distance = float(np.hypot(*(np.array(placement.origin) - wanted)))
        options.append(FitOption(placement, len(check.clashes), distance, how))

    def rank(option: FitOption) -> tuple:
        kept = option.placement.rotate == prefer.rotate % 360.0 and option.placement.mirror == prefer.mirror
        return option.clashes, not kept, round(option.distance, 3), option.placement.rotate

    options.sort(key=rank)
    return FitResult(prefer, options, tried, no_room, time.perf_counter() - started)
