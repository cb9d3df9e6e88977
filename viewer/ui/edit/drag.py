"""One drag of selected equipment across the floor: grid snap, then edges pulled onto a neighbour's edges.

No Qt and no VTK: the window feeds it floor points under the cursor and pushes the move it computes, so the
same arithmetic is what a test checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import count

import numpy as np

from viewer.model import EquipmentLibrary, PlantDocument
from viewer.model.edit import SetPoses, footprint_bounds, locate, move_by
from viewer.model.plant import Site
from viewer.model.snapping import EdgeSnap, snap_to_edges, snapped_drag
from viewer.model.values import Pose

EDGE_TOLERANCE = 0.3  # metres: an edge this close to a neighbour's edge lines up with it
NEIGHBOURHOOD = 3.0  # metres: only equipment this close count as neighbours (not a machine across the hall)
GUIDE_OVERHANG = 1.0  # metres a guide line reaches past the two footprints it lines up
_drag_ids = count(1)

Segment = tuple[tuple[float, float, float], tuple[float, float, float]]


def _union(boxes: Sequence[np.ndarray]) -> np.ndarray:
    stacked = np.stack(boxes)
    return np.stack([stacked[:, 0].min(axis=0), stacked[:, 1].max(axis=0)])


@dataclass
class DragSession:
    """Started where the mouse went down on the floor; `step(cursor)` gives the move for any later point."""

    document: PlantDocument
    ids: tuple[str, ...]
    start: tuple[float, float]
    grid_step: float
    moving: np.ndarray  # (2, 2) XY box around the dragged footprints at the start
    neighbours: np.ndarray  # (n, 2, 2) XY boxes of the other equipment of the site
    origin: list[Pose]
    edge_tolerance: float = EDGE_TOLERANCE
    key: int = field(default_factory=lambda: next(_drag_ids))  # merges this drag's moves into one undo step
    guides: list[Segment] = field(default_factory=list)
    offset: tuple[float, float] = (0.0, 0.0)

    @classmethod
    def begin(
        cls,
        document: PlantDocument,
        library: EquipmentLibrary,
        site: Site,
        ids: Sequence[str],
        start: tuple[float, float],
        grid_step: float,
        edge_tolerance: float = EDGE_TOLERANCE,
    ) -> DragSession:
        moved = set(ids)
        paths = locate(document, ids)
        others = [p for p in document.iter_equipment() if p.site is site and p.equipment.id not in moved]
        neighbours = [footprint_bounds(document, library, p) for p in others if p.equipment.type in library]
        return cls(
            document,
            tuple(ids),
            (float(start[0]), float(start[1])),
            grid_step,
            _union([footprint_bounds(document, library, p) for p in paths]),
            np.stack(neighbours) if neighbours else np.zeros((0, 2, 2)),
            [replace(p.equipment.pose) for p in paths],
            edge_tolerance,
        )

    def step(self, cursor: tuple[float, float]) -> SetPoses:
        """The move (from the start poses) for the cursor at `cursor` on the floor; sets `guides`."""
        dx, dy = snapped_drag(self.start, cursor, self.grid_step)
        box = self.moving + np.array([dx, dy])
        shift, snaps = np.zeros(2), []
        if self.edge_tolerance > 0 and len(self.neighbours):
            gaps = np.maximum(np.maximum(self.neighbours[:, 0] - box[1], box[0] - self.neighbours[:, 1]), 0.0)
            near = np.flatnonzero(np.hypot(gaps[:, 0], gaps[:, 1]) <= NEIGHBOURHOOD)
            shift, snaps = snap_to_edges(box, self.neighbours[near], self.edge_tolerance)
            snaps = [replace(snap, neighbour=int(near[snap.neighbour])) for snap in snaps]
        dx, dy = round(dx + float(shift[0]), 9), round(dy + float(shift[1]), 9)
        self.offset = (dx, dy)
        self.guides = [self._guide(snap, box + shift) for snap in snaps]
        return move_by(self.document, self.ids, dx, dy, group_key=self.key, origin=self.origin)

    def _guide(self, snap: EdgeSnap, box: np.ndarray) -> Segment:
        """A line on the floor along the shared edge, over both footprints."""
        other = self.neighbours[snap.neighbour]
        across = 1 - snap.axis
        lo = min(box[0, across], other[0, across]) - GUIDE_OVERHANG
        hi = max(box[1, across], other[1, across]) + GUIDE_OVERHANG
        z = 0.03  # just above the floor so it is not hidden in it
        if snap.axis == 0:
            return (snap.coordinate, lo, z), (snap.coordinate, hi, z)
        return (lo, snap.coordinate, z), (hi, snap.coordinate, z)
