"""The logic behind the compare window, without widgets: what to show, which rows, camera sync maths.

Mother and child lines are shown each in its own line frame; a camera move on one side is mapped through
T_child_line * inverse(T_mother_line) to the other, so both look at the same machines.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from viewer.compare import DiffResult, Kind, Tolerances, diff_lines
from viewer.compare.report import difference_colors
from viewer.io import builtin_library
from viewer.model import Deviation, DeviationChange, EquipmentLibrary, Line, PlantDocument, Site
from viewer.model.geometry import pose_matrix
from viewer.model.site_time import TimeDisplay, parse_site_time
from viewer.model.views import CameraState

ALL_KINDS = "all kinds"
STATUS_FILTERS = ("drift and approved", "drift only", "approved only")
REGISTER_COLUMNS = ("Id", "Equipment", "Field", "Status", "Mother value", "Child value", "Reason", "Requested by",
                    "Requested at", "Approved by", "Approved at", "Last change")  # fmt: skip


def line_world_matrix(document: PlantDocument, line: Line) -> np.ndarray:
    for site in document.sites:
        for area in site.areas:
            if any(li is line for li in area.lines):
                return pose_matrix(area.pose) @ pose_matrix(line.pose)
    raise ValueError(f"line {line.id} is not in this document")


def line_site(document: PlantDocument, line: Line) -> Site:
    return next(s for s in document.sites if any(li is line for a in s.areas for li in a.lines))


def map_camera(camera: CameraState, transform: np.ndarray) -> CameraState:
    """A camera moved rigidly by a 4x4 transform (positions moved, the up vector turned)."""

    def point(p: tuple[float, float, float]) -> tuple[float, float, float]:
        x, y, z = transform[:3, :3] @ np.asarray(p) + transform[:3, 3]
        return (float(x), float(y), float(z))

    ux, uy, uz = transform[:3, :3] @ np.asarray(camera.up)
    return replace(camera, position=point(camera.position), focal_point=point(camera.focal_point),
                   up=(float(ux), float(uy), float(uz)))  # fmt: skip


@dataclass(frozen=True)
class Row:
    kind: str
    mother_id: str
    child_id: str
    field: str
    mother_value: str
    child_value: str
    status: str  # "drift" or "approved DEV-..."


class CompareController:
    """Holds the two lines and the diff; the window asks it for colours, rows and camera mappings."""

    def __init__(
        self,
        mother: PlantDocument,
        mother_line: Line,
        child: PlantDocument,
        child_line: Line,
        library: EquipmentLibrary | None = None,
    ) -> None:
        self.mother, self.mother_line = mother, mother_line
        self.child, self.child_line = child, child_line
        self.tolerances = Tolerances()
        # With the library, the child's layout problems at its site are checked and count in the verdict.
        self.library = library if library is not None else builtin_library()
        self.result: DiffResult = diff_lines(mother_line, child_line, child, self.tolerances, library=self.library)
        # mother line frame -> child line frame, in world coordinates of each site
        self.mother_to_child = line_world_matrix(child, child_line) @ np.linalg.inv(
            line_world_matrix(mother, mother_line)
        )
        # The register's times in the child site's own time, where its deviations are asked for and decided.
        self.time_display = TimeDisplay(line_site(child, child_line).timezone)

    def refresh(self) -> None:
        """After deviations changed: classify again (matching is cheap)."""
        self.result = diff_lines(self.mother_line, self.child_line, self.child, self.tolerances, library=self.library)

    def colors(self) -> tuple[dict[str, tuple[int, int, int]], dict[str, tuple[int, int, int]]]:
        return difference_colors(self.result)

    def kinds(self) -> list[str]:
        return [ALL_KINDS, *(str(k) for k in Kind)]

    def rows(self, kind: str = ALL_KINDS, status: str = STATUS_FILTERS[0]) -> list[Row]:
        out = []
        for d in self.result.differences:
            if kind != ALL_KINDS and str(d.kind) != kind:
                continue
            if status == "drift only" and not d.is_drift:
                continue
            if status == "approved only" and d.is_drift:
                continue
            out.append(
                Row(
                    str(d.kind),
                    d.mother_id or "",
                    d.child_id or "",
                    d.field,
                    d.mother_value,
                    d.child_value,
                    "drift" if d.is_drift else f"approved {d.deviation}",
                )
            )
        return out

    def summary(self) -> str:
        r = self.result
        return (
            f"Copy Exactly level {r.level} | conformance {r.conformance:.1f} % | {len(r.differences)} differences: "
            f"{len(r.drift)} drift, {len(r.approved)} approved | matched {len(r.pairs)}, added {len(r.added)}, "
            f"removed {len(r.removed)}"
        )

    def child_camera(self, mother_camera: CameraState) -> CameraState:
        return map_camera(mother_camera, self.mother_to_child)

    def mother_camera(self, child_camera: CameraState) -> CameraState:
        return map_camera(child_camera, np.linalg.inv(self.mother_to_child))

    def ghost_matrices(self, mother_world: np.ndarray) -> np.ndarray:
        """Mother equipment world transforms placed into the child's line frame (the overlay's ghosts)."""
        return self.mother_to_child[None, :, :] @ mother_world

    # ------------------------------------------------------------ deviation register

    def time_text(self, at: str) -> str:
        """A register time (UTC ISO 8601 in the file) in the child site's time; a bare date stays as it is."""
        if not at or "T" not in at:
            return at
        try:
            return self.time_display.text(parse_site_time(at))
        except ValueError:
            return at

    def change_text(self, change: DeviationChange) -> str:
        """'approved by klee, 2026-12-06 14:44:21 (UTC-05:00): film spec ECN-7'."""
        note = f": {change.note}" if change.note else ""
        return f"{change.status.value} by {change.by}, {self.time_text(change.at)}{note}"

    def register_row(self, d: Deviation) -> tuple[str, ...]:
        """One deviation as the register's columns (REGISTER_COLUMNS)."""
        last = d.last_change
        return (d.id, d.equipment_id, d.field, str(d.status), d.mother_value, d.child_value, d.reason, d.requested_by,
                self.time_text(d.requested_at), d.approved_by, self.time_text(d.approved_at),
                self.change_text(last) if last else "")  # fmt: skip

    def trail(self, d: Deviation) -> str:
        """The whole audit trail of a deviation, oldest first, one change a line."""
        if not d.history:
            return f"{d.id}: no recorded changes (written before MotherTwin kept a history); status {d.status}"
        lines = [f"{d.id} ({d.field} of {d.equipment_id}), times in {self.time_display.label}:"]
        lines += [f"  {n}. {self.change_text(c)}" for n, c in enumerate(d.history, 1)]
        return "\n".join(lines)
