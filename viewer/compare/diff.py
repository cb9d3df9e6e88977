"""Where a child line differs from its mother: pure functions over the model, no Qt, no VTK.

Equipment are matched by `mother_id`; those never cloned (two sites built independently) by cell name and
type, then by type alone, nearest position first. Positions are compared in each line's own frame, so a line
placed and turned elsewhere at the child site is not "everything moved"; a mirrored clone is un-mirrored.
Every difference is either covered by an approved deviation of the child document, or it is drift. Given the
equipment library, the child line's layout problems at its own site (columns, walls, overlaps, walkways) are
checked too and count in the level (the rule: `LAYOUT_RULE`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from scipy.optimize import linear_sum_assignment

from viewer.compare.layout_problems import LayoutProblem, child_layout_problems
from viewer.model import DeviationStatus, Equipment, EquipmentLibrary, Line, PlantDocument, Signal
from viewer.model.checks import DEFAULT_CLEARANCE
from viewer.model.geometry import pose_matrix, rotation_matrices

MATCH_RADIUS = 10.0  # metres: equipment further apart than this are not the same machine
TERMINAL_PROBLEMS = 20  # layout problems listed one by one in the terminal summary


class Kind(StrEnum):
    MOVED = "moved"
    TYPE_CHANGED = "type changed"
    PARAMETER_CHANGED = "parameter changed"
    SIGNAL_CHANGED = "signal changed"
    ADDED = "added"
    REMOVED = "removed"


class Level(StrEnum):
    """Intel's transfer levels: the yardstick a child line is measured against."""

    MAKE_IT_WORK = "1 - Make it work"
    OUTPUT_MATCHING = "2 - Process output matching"
    COPY_EXACTLY = "3 - Copy exactly"
    SYSTEM_SYNERGY = "4 - System synergy"


@dataclass(frozen=True)
class Tolerances:
    position: float = 0.05  # metres
    rotation: float = 0.5  # degrees
    parameters: dict[str, float] = field(default_factory=dict)  # absolute, per parameter name
    parameter_default: float = 0.0
    walkway: float = DEFAULT_CLEARANCE  # metres: the minimum walkway for types without a clearance zone

    def parameter(self, name: str) -> float:
        return self.parameters.get(name, self.parameter_default)


@dataclass(frozen=True)
class Difference:
    kind: Kind
    mother_id: str | None
    child_id: str | None
    field: str  # "pose", "type", "parameters.NAME", "signals.NAME", "equipment"
    mother_value: str
    child_value: str
    amount: float = 0.0  # metres moved, degrees turned, parameter difference
    deviation: str | None = None  # id of the approved deviation that covers it

    @property
    def is_drift(self) -> bool:
        return self.deviation is None

    @property
    def equipment_id(self) -> str:
        return self.child_id or self.mother_id or ""


@dataclass
class DiffResult:
    mother_line: Line
    child_line: Line
    pairs: list[tuple[Equipment, Equipment]]
    added: list[Equipment]
    removed: list[Equipment]
    differences: list[Difference]
    matched_by_link: int
    matched_by_position: int
    outputs_match: bool | None = None  # set by the process-output comparison when it was run
    layout_problems: list[LayoutProblem] = field(default_factory=list)
    layout_checked: bool = False  # the child's layout was checked (diff_lines was given the library)

    @property
    def drift(self) -> list[Difference]:
        return [d for d in self.differences if d.is_drift]

    @property
    def approved(self) -> list[Difference]:
        return [d for d in self.differences if not d.is_drift]

    def counts(self) -> dict[str, int]:
        return dict(Counter(str(d.kind) for d in self.differences))

    @property
    def conformance(self) -> float:
        """Percent of equipment (matched, added, removed) with no drift: no difference and no layout problem at
        the child site that no deviation covers (a machine standing on a column does not conform)."""
        total = len(self.pairs) + len(self.added) + len(self.removed)
        if total == 0:
            return 100.0
        drifting = {d.child_id or d.mother_id for d in self.drift}
        line_ids = {child.id for _, child in self.pairs} | {e.id for e in self.added}
        drifting |= {i for p in self.layout_problems if p.is_open for i in p.ids if i in line_ids}
        return 100.0 * (total - len(drifting)) / total

    @property
    def blocking(self) -> list[LayoutProblem]:
        return [p for p in self.layout_problems if p.blocking]

    @property
    def open_walkways(self) -> list[LayoutProblem]:
        return [p for p in self.layout_problems if not p.blocking and p.is_open]

    @property
    def level(self) -> Level:
        """Intel's ladder, with the child's layout problems counted as `LAYOUT_RULE` says."""
        open_layout = [p for p in self.layout_problems if p.is_open]
        if not self.differences and not self.layout_problems:
            return Level.SYSTEM_SYNERGY
        if not self.drift and not open_layout:
            return Level.COPY_EXACTLY
        if self.outputs_match:
            return Level.OUTPUT_MATCHING
        return Level.MAKE_IT_WORK

    def level_reasons(self) -> list[str]:
        """Why the level is what it is: what keeps the child from each level above it."""
        level = self.level
        if level == Level.SYSTEM_SYNERGY:
            checked = " and no layout problem at the child site" if self.layout_checked else ""
            return [f"level 4: no difference from the mother{checked}"]
        out = []
        approved_walkways = [p for p in self.layout_problems if not p.blocking and not p.is_open]
        if self.approved or approved_walkways:
            what = [_count(len(self.approved), "approved deviation")] if self.approved else []
            what += [_count(len(approved_walkways), "approved narrow walkway")] if approved_walkways else []
            out.append(f"not level 4: {' and '.join(what)} (level 4 needs no difference at all)")
        if level in (Level.OUTPUT_MATCHING, Level.MAKE_IT_WORK):
            if self.drift:
                ids = _id_list(d.equipment_id for d in self.drift)
                out.append(f"not level 3: {_count(len(self.drift), 'difference')} without an approved deviation "
                           f"(drift): {ids}")  # fmt: skip
            if self.blocking:
                ids = _id_list(p.ids[0] for p in self.blocking)
                out.append(f"not level 3: {_count(len(self.blocking), 'blocking layout problem')} "
                           f"(columns, outside the building, overlaps): {ids}")  # fmt: skip
            if self.open_walkways:
                ids = _id_list(p.ids[0] for p in self.open_walkways)
                out.append(f"not level 3: {_count(len(self.open_walkways), 'walkway')} narrower than the minimum "
                           f"without an approved deviation: {ids}")  # fmt: skip
        if level == Level.MAKE_IT_WORK:
            if self.outputs_match is None:
                out.append("not level 2: process outputs not compared (no recordings given)")
            else:
                out.append("not level 2: the process outputs differ")
        return out

    def summary(self) -> list[str]:
        counts = self.counts()
        mother, child = self.mother_line, self.child_line
        lines = [
            f"mother {mother.name} ({mother.id}) vs child {child.name} ({child.id})",
            f"matched {len(self.pairs)} equipment ({self.matched_by_link} by mother link, "
            f"{self.matched_by_position} by cell, type and position); "
            f"added {len(self.added)}, removed {len(self.removed)}",
            f"differences: {len(self.differences)} ({len(self.approved)} approved deviations, {len(self.drift)} drift)",
        ]
        lines += [f"  {kind}: {count}" for kind, count in sorted(counts.items())]
        if self.layout_checked:
            lines.append(
                f"layout problems at the child site: {len(self.layout_problems)} ({len(self.blocking)} blocking, "
                f"{len(self.open_walkways)} narrow walkways open)"
            )
            shown = self.layout_problems[:TERMINAL_PROBLEMS]
            lines += [f"  {p.what}: {p.message} [{p.status}]" for p in shown]
            if len(self.layout_problems) > len(shown):
                lines.append(f"  ... and {len(self.layout_problems) - len(shown)} more (all in --report and --json)")
        lines.append(f"conformance {self.conformance:.1f} %; Copy Exactly level {self.level}")
        lines += [f"  {reason}" for reason in self.level_reasons()]
        return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _id_list(ids: Iterable[str], most: int = 8) -> str:
    unique = list(dict.fromkeys(ids))
    more = f" and {len(unique) - most} more" if len(unique) > most else ""
    return ", ".join(unique[:most]) + more


# ---------------------------------------------------------------- frames


def _line_frame_poses(line: Line, mirror: bool) -> dict[str, tuple[np.ndarray, float, float, float]]:
    """Equipment id -> (x, y, z in the line's frame, yaw, pitch, roll); numpy over each cell's equipment."""
    out = {}
    for cell in line.cells:
        if not cell.equipment:
            continue
        values = np.array(
            [(e.pose.x, e.pose.y, e.pose.z, e.pose.yaw, e.pose.pitch, e.pose.roll) for e in cell.equipment]
        )
        local = np.zeros((len(values), 4, 4))
        local[:, :3, :3] = rotation_matrices(values[:, 3], values[:, 4], values[:, 5])
        local[:, :3, 3] = values[:, :3]
        local[:, 3, 3] = 1.0
        m = pose_matrix(cell.pose) @ local
        positions = m[:, :3, 3].copy()
        yaw = np.degrees(np.arctan2(m[:, 1, 0], m[:, 0, 0]))
        pitch = np.degrees(np.arcsin(np.clip(-m[:, 2, 0], -1.0, 1.0)))
        roll = np.degrees(np.arctan2(m[:, 2, 1], m[:, 2, 2]))
        if mirror:
            positions[:, 1], yaw, roll = -positions[:, 1], -yaw, -roll
        for i, e in enumerate(cell.equipment):
            out[e.id] = (positions[i], float(yaw[i]), float(pitch[i]), float(roll[i]))
    return out


# ---------------------------------------------------------------- matching


def _match(
    mother_line: Line, child_line: Line, mother_poses: dict, child_poses: dict
) -> tuple[list[tuple[Equipment, Equipment]], int]:
    mothers = {e.id: (cell.name, e) for cell in mother_line.cells for e in cell.equipment}
    pairs = []
    used_mothers: set[str] = set()
    unmatched_children = []
    for cell in child_line.cells:
        for e in cell.equipment:
            if e.mother_id is not None and e.mother_id in mothers and e.mother_id not in used_mothers:
                pairs.append((mothers[e.mother_id][1], e))
                used_mothers.add(e.mother_id)
            else:
                unmatched_children.append((cell.name, e))
    by_link = len(pairs)
    rest = [(cell_name, e) for e_id, (cell_name, e) in mothers.items() if e_id not in used_mothers]
    # Never-cloned equipment: same cell and type first, then same type anywhere, nearest first.
    for key in (lambda cell_name, e: (cell_name, e.type), lambda cell_name, e: e.type):
        groups_m: dict = defaultdict(list)
        groups_c: dict = defaultdict(list)
        for cell_name, e in rest:
            groups_m[key(cell_name, e)].append((cell_name, e))
        for cell_name, e in unmatched_children:
            groups_c[key(cell_name, e)].append((cell_name, e))
        matched_m: set[str] = set()
        matched_c: set[str] = set()
        for group, children in groups_c.items():
            candidates = groups_m.get(group)
            if not candidates:
                continue
            cm = np.array([mother_poses[e.id][0][:2] for _, e in candidates])
            cc = np.array([child_poses[e.id][0][:2] for _, e in children])
            cost = np.linalg.norm(cc[:, None, :] - cm[None, :, :], axis=-1)
            rows, cols = linear_sum_assignment(cost)
            for r, c in zip(rows, cols, strict=True):
                if cost[r, c] <= MATCH_RADIUS:
                    pairs.append((candidates[c][1], children[r][1]))
                    matched_m.add(candidates[c][1].id)
                    matched_c.add(children[r][1].id)
        rest = [(n, e) for n, e in rest if e.id not in matched_m]
        unmatched_children = [(n, e) for n, e in unmatched_children if e.id not in matched_c]
    return pairs, by_link


# ---------------------------------------------------------------- comparing


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def _signal_text(signal: Signal | None) -> str:
    if signal is None:
        return "(none)"
    limits = signal.limits
    parts = [f"{k}={_text(getattr(limits, k))}" for k in ("lolo", "lo", "hi", "hihi") if getattr(limits, k) is not None]
    states = f" states {'/'.join(signal.states)}" if signal.states else ""
    return f"{signal.kind} [{signal.unit}] {' '.join(parts)}{states}".strip()


def _pair_differences(
    mother: Equipment,
    child: Equipment,
    mother_pose: tuple,
    child_pose: tuple,
    move: tuple[float, float],
    tolerances: Tolerances,
) -> list[Difference]:
    out = []
    moved, turned = move
    if moved > tolerances.position or turned > tolerances.rotation:
        m, c = mother_pose, child_pose
        out.append(
            Difference(
                Kind.MOVED,
                mother.id,
                child.id,
                "pose",
                f"x {m[0][0]:.2f} y {m[0][1]:.2f} yaw {m[1]:.1f}",
                f"x {c[0][0]:.2f} y {c[0][1]:.2f} yaw {c[1]:.1f}",
                moved if moved > tolerances.position else turned,
            )
        )
    if mother.type != child.type:
        out.append(Difference(Kind.TYPE_CHANGED, mother.id, child.id, "type", mother.type, child.type))
    mp = {p.name: p for p in mother.parameters}
    cp = {p.name: p for p in child.parameters}
    for name in sorted(set(mp) | set(cp)):
        a, b = mp.get(name), cp.get(name)
        if a is not None and b is not None:
            numeric = isinstance(a.value, int | float) and isinstance(b.value, int | float)
            numeric = numeric and not isinstance(a.value, bool) and not isinstance(b.value, bool)
            if numeric:
                delta = abs(float(b.value) - float(a.value))
                if delta <= tolerances.parameter(name) + 1e-12 and a.unit == b.unit:
                    continue
            elif a.value == b.value and a.unit == b.unit:
                continue
            amount = abs(float(b.value) - float(a.value)) if numeric else 0.0
        else:
            amount = 0.0
        out.append(
            Difference(
                Kind.PARAMETER_CHANGED,
                mother.id,
                child.id,
                f"parameters.{name}",
                f"{_text(a.value)} {a.unit}".strip() if a else "(none)",
                f"{_text(b.value)} {b.unit}".strip() if b else "(none)",
                amount,
            )
        )
    ms = {s.name: s for s in mother.signals}
    cs = {s.name: s for s in child.signals}
    for name in sorted(set(ms) | set(cs)):
        mother_signal, child_signal = ms.get(name), cs.get(name)
        if mother_signal != child_signal:
            out.append(
                Difference(
                    Kind.SIGNAL_CHANGED,
                    mother.id,
                    child.id,
                    f"signals.{name}",
                    _signal_text(mother_signal),
                    _signal_text(child_signal),
                )
            )
    return out


def _approve(differences: list[Difference], child_document: PlantDocument) -> list[Difference]:
    approved = {
        (v.equipment_id, v.field): v.id for v in child_document.deviations if v.status == DeviationStatus.APPROVED
    }
    out = []
    for d in differences:
        key_child = (d.child_id or "", d.field)
        key_mother = (d.mother_id or "", d.field)
        deviation = approved.get(key_child) or approved.get(key_mother)
        out.append(d if deviation is None else Difference(**{**d.__dict__, "deviation": deviation}))
    return out


def diff_lines(
    mother_line: Line,
    child_line: Line,
    child_document: PlantDocument,
    tolerances: Tolerances | None = None,
    library: EquipmentLibrary | None = None,
) -> DiffResult:
    """Match, compare and classify; with `library` (the equipment types' footprints) the child line's layout
    at its site is checked as well."""
    tolerances = tolerances or Tolerances()
    mirror = bool(child_line.clone_record and child_line.clone_record.mirror)
    mother_poses = _line_frame_poses(mother_line, False)
    child_poses = _line_frame_poses(child_line, mirror)
    pairs, by_link = _match(mother_line, child_line, mother_poses, child_poses)
    matched_m = {m.id for m, _ in pairs}
    matched_c = {c.id for _, c in pairs}
    removed = [e for cell in mother_line.cells for e in cell.equipment if e.id not in matched_m]
    added = [e for cell in child_line.cells for e in cell.equipment if e.id not in matched_c]
    differences: list[Difference] = []
    # Distances and turns of all pairs at once; the per-pair loop then only compares parameters and signals.
    if pairs:
        a = [mother_poses[m.id] for m, _ in pairs]
        b = [child_poses[c.id] for _, c in pairs]
        moved = np.linalg.norm(np.array([p[0] for p in b]) - np.array([p[0] for p in a]), axis=1)
        angles_a = np.array([p[1:] for p in a])
        angles_b = np.array([p[1:] for p in b])
        turned = np.abs((angles_b - angles_a + 180.0) % 360.0 - 180.0).max(axis=1)
    for k, (m, c) in enumerate(pairs):
        move = (float(moved[k]), float(turned[k]))
        same = m.parameters == c.parameters and m.signals == c.signals and m.type == c.type
        if same and move[0] <= tolerances.position and move[1] <= tolerances.rotation:
            continue  # identical: the common case, skipped without building text
        differences += _pair_differences(m, c, mother_poses[m.id], child_poses[c.id], move, tolerances)
    differences += [
        Difference(Kind.REMOVED, e.id, None, "equipment", f"{e.name} ({e.type})", "(none)") for e in removed
    ]
    differences += [Difference(Kind.ADDED, None, e.id, "equipment", "(none)", f"{e.name} ({e.type})") for e in added]
    layout = []
    if library is not None:
        layout = child_layout_problems(child_document, child_line, library, tolerances.walkway)
    return DiffResult(
        mother_line,
        child_line,
        pairs,
        added,
        removed,
        _approve(differences, child_document),
        by_link,
        len(pairs) - by_link,
        layout_problems=layout,
        layout_checked=library is not None,
    )


def naive_match_count(mother_line: Line, child_line: Line) -> int:
    """The naive way, for the benchmark: for every child, scan every mother (by link, else nearest same type)."""
    mothers = [(cell, e) for cell in mother_line.cells for e in cell.equipment]
    positions = {e.id: pose_matrix(cell.pose) @ pose_matrix(e.pose) for cell, e in mothers}
    matched = 0
    for cell in child_line.cells:
        for child in cell.equipment:
            where = (pose_matrix(cell.pose) @ pose_matrix(child.pose))[:2, 3]
            best, best_distance = None, MATCH_RADIUS
            for _, mother in mothers:
                if child.mother_id is not None and mother.id == child.mother_id:
                    best = mother
                    break
                if mother.type == child.type:
                    distance = float(np.hypot(*(positions[mother.id][:2, 3] - where)))
                    if distance < best_distance:
                        best, best_distance = mother, distance
            matched += best is not None
    return matched
