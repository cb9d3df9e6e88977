"""Live layout checks on the floor plan: overlapping footprints, clearance below the minimum, equipment outside
the building, equipment on a column or in a wall of the building's model.

Footprints are turned rectangles in site coordinates (shapely polygons in an STRtree). After a move only the
moved equipment and their neighbours are checked again, which keeps a 10,000-equipment plant interactive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree

from viewer.model.geometry import cell_world_matrices, equipment_world_matrices, rotation_matrices
from viewer.model.library import EquipmentLibrary
from viewer.model.plant import PlantDocument, Site

_POSE_KEYS = ("x", "y", "z", "yaw", "pitch", "roll")
DEFAULT_CLEARANCE = 1.0  # metres: a walkway between machines
TOUCH = 0.01  # square metres: overlaps smaller than this are joints (fence corners, touching faces)
REBUILD_AFTER = 256  # moved equipment kept aside before the spatial index is rebuilt


@dataclass(frozen=True, slots=True)
class Violation:
    kind: str  # "overlap", "clearance", "outside", "column", "wall"
    ids: tuple[str, ...]  # one equipment, or a pair in document order
    value: float  # the gap in metres (clearance), overlap area in m2 (overlap, column), area outside (outside)
    required: float = 0.0
    message: str = ""

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.kind, self.ids


def _message(kind: str, names: tuple[str, ...], value: float, required: float) -> str:
    if kind == "overlap":
        return f"{names[0]} and {names[1]} overlap by {value:.2f} m2"
    if kind == "clearance":
        return f"{names[0]} and {names[1]} are {value:.2f} m apart; at least {required:.2f} m is required"
    if kind == "column":
        return f"{names[0]} stands on a building column ({value:.2f} m2)"
    if kind == "wall":
        return f"{names[0]} stands in a building wall ({value:.2f} m2)"
    return f"{names[0]} is outside the building by {value:.2f} m2"


class LayoutChecker:
    """All checks of one site, kept up to date by `update(moved_ids)` after each edit."""

    def __init__(
        self,
        document: PlantDocument,
        library: EquipmentLibrary,
        site: Site,
        default_clearance: float = DEFAULT_CLEARANCE,
    ) -> None:
        self.document = document
        self.library = library.merged(document.types)
        self.site = site
        self.default_clearance = default_clearance
        self.violations: dict[tuple[str, tuple[str, ...]], Violation] = {}
        self.rebuild()

    # ------------------------------------------------------------ geometry

    def clearance_of(self, type_name: str) -> float:
        zone = self.library[type_name].clearance
        return self.default_clearance if zone is None else zone

    def _footprints(self, indices: np.ndarray | None = None) -> np.ndarray:
        """Shapely polygons of the equipment at `indices` (all when None), from their current poses."""
        paths = self.paths if indices is None else [self.paths[i] for i in indices]
        if indices is None:
            matrices = equipment_world_matrices(self.document, self.site)
        else:
            # Only the moved equipment: their parents' transforms are cached, their own poses are read now.
            values = np.array([[getattr(p.equipment.pose, k) for k in _POSE_KEYS] for p in paths], dtype=float)
            local = np.zeros((len(paths), 4, 4))
            local[:, :3, :3] = rotation_matrices(values[:, 3], values[:, 4], values[:, 5])
            local[:, :3, 3] = values[:, :3]
            local[:, 3, 3] = 1.0
            matrices = self.parents[indices] @ local
        half = np.array(
            [
                (
                    self.library[p.equipment.type].footprint.width * p.equipment.scale[0] / 2,
                    self.library[p.equipment.type].footprint.depth * p.equipment.scale[1] / 2,
                )
                for p in paths
            ]
        ).reshape(-1, 2)
        unit = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
        local = unit[None, :, :] * half[:, None, :]
        corners = np.einsum("kij,knj->kni", matrices[:, :2, :2], local) + matrices[:, None, :2, 3]
        return shapely.polygons(corners)

    def rebuild(self) -> None:
        """Index every footprint again and check everything (after structural edits or on open)."""
        self.paths = [p for p in self.document.iter_equipment() if p.site is self.site]
        self.index_of = {p.equipment.id: i for i, p in enumerate(self.paths)}
        self.zones = np.array([self.clearance_of(p.equipment.type) for p in self.paths], dtype=float)
        cells = cell_world_matrices(self.document, self.site)
        self.parents = np.array([cells[p.cell.id] for p in self.paths]).reshape(-1, 4, 4)
        self.polygons = self._footprints()
        self.tree = STRtree(self.polygons)
        self._stale: set[int] = set()  # moved since the tree was built: the tree has them at old places
        building = self.site.footprint
        self.building = shapely.Polygon(building) if len(building) >= 3 else None
        self.columns = [shapely.Polygon(outline) for outline in self.site.column_outlines()]
        self.column_tree = STRtree(self.columns) if self.columns else None
        self.walls = [shapely.Polygon(outline) for outline in self.site.wall_outlines()]
        self.wall_tree = STRtree(self.walls) if self.walls else None
        self.violations = {}
        self._check(np.arange(len(self.paths)))

    # ------------------------------------------------------------ checking

    def update(self, moved_ids: Iterable[str]) -> list[Violation]:
        """Re-check only what moved and its neighbours; returns the full current list."""
        moved = np.array(sorted(self.index_of[i] for i in moved_ids if i in self.index_of), dtype=np.int64)
        if len(moved) == 0:
            return self.current()
        self.polygons[moved] = self._footprints(moved)
        self._stale.update(moved.tolist())
        if len(self._stale) > REBUILD_AFTER:
            self.tree = STRtree(self.polygons)
            self._stale = set()
        moved_ids_set = {self.paths[i].equipment.id for i in moved}
        self.violations = {k: v for k, v in self.violations.items() if not moved_ids_set & set(v.ids)}
        self._check(moved)
        return self.current()

    def current(self) -> list[Violation]:
        return sorted(self.violations.values(), key=lambda v: (v.kind, v.ids))

    def flagged_ids(self) -> set[str]:
        return {i for v in self.violations.values() for i in v.ids}

    def _neighbours(self, subject: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Candidate pairs (subject index, other index) within the largest clearance of each other."""
        reach = float(self.zones.max()) if len(self.zones) else 0.0
        geoms = self.polygons[subject]
        left, right = self.tree.query(geoms, predicate="dwithin", distance=reach)
        pairs_a, pairs_b = subject[left], right
        # The tree holds moved equipment at their old places: drop those hits, test moved ones directly.
        if self._stale:
            stale = np.fromiter(self._stale, dtype=np.int64)
            keep = ~np.isin(pairs_b, stale)
            pairs_a, pairs_b = pairs_a[keep], pairs_b[keep]
            near = shapely.dwithin(self.polygons[subject][:, None], self.polygons[stale][None, :], reach)
            extra_a, extra_b = np.nonzero(near)
            pairs_a = np.concatenate([pairs_a, subject[extra_a]])
            pairs_b = np.concatenate([pairs_b, stale[extra_b]])
        different = pairs_a != pairs_b
        return pairs_a[different], pairs_b[different]

    def _check(self, subject: np.ndarray) -> None:
        if len(subject) == 0:
            return
        a, b = self._neighbours(subject)
        if len(a):
            # Each unordered pair once, in document order.
            lo, hi = np.minimum(a, b), np.maximum(a, b)
            pairs = np.unique(np.stack([lo, hi], axis=1), axis=0)
            lo, hi = pairs[:, 0], pairs[:, 1]
            gaps = shapely.distance(self.polygons[lo], self.polygons[hi])
            required = np.maximum(self.zones[lo], self.zones[hi])
            overlap_area = np.zeros(len(lo))
            touching = gaps <= 0.0
            if touching.any():
                overlap_area[touching] = shapely.area(
                    shapely.intersection(self.polygons[lo[touching]], self.polygons[hi[touching]])
                )
            for i, j, gap, need, area in zip(lo, hi, gaps, required, overlap_area, strict=True):
                if area > TOUCH:
                    self._add("overlap", (i, j), float(area), 0.0)
                elif gap < need - 1e-9 and area <= TOUCH and gap > 0.0:
                    self._add("clearance", (i, j), float(gap), float(need))
        for i in subject:
            polygon = self.polygons[i]
            if self.building is not None:
                outside = float(shapely.area(shapely.difference(polygon, self.building)))
                if outside > TOUCH:
                    self._add("outside", (int(i),), outside, 0.0)
            if self.column_tree is not None:
                hits = self.column_tree.query(polygon, predicate="intersects")
                on_columns = float(sum(shapely.area(shapely.intersection(polygon, self.columns[h])) for h in hits))
                if on_columns > TOUCH:
                    self._add("column", (int(i),), on_columns, 0.0)
            if self.wall_tree is not None:
                hits = self.wall_tree.query(polygon, predicate="intersects")
                on_walls = float(sum(shapely.area(shapely.intersection(polygon, self.walls[h])) for h in hits))
                if on_walls > TOUCH:
                    self._add("wall", (int(i),), on_walls, 0.0)

    def _add(self, kind: str, indices: tuple[int, ...], value: float, required: float) -> None:
        ids = tuple(self.paths[i].equipment.id for i in indices)
        names = tuple(f"{self.paths[i].equipment.name} ({self.paths[i].equipment.id})" for i in indices)
        violation = Violation(kind, ids, value, required, _message(kind, names, value, required))
        self.violations[violation.key] = violation
