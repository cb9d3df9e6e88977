"""The deviation register: Copy Exactly change control for child lines.

Every edit of a cloned (child) equipment is a difference from its mother; the editor asks which deviation
it belongs to (`fields_needing_deviation`), and the register records what, why, who asked and who approved.
Who and when are never typed: they are the logged-in user (`current_user`) and the clock, stamped by the
commands below, which also keep every status change in the deviation's `history`. The one who asked for a
deviation cannot decide it: the commands refuse, whether the window, a script or a test pushes them.
"""

from __future__ import annotations

import copy
import csv
import getpass
import io
import os
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from viewer.model.edit import AddEquipment, DeleteEquipment, EditError, MoveToCell, SetParameter, SetPoses, locate
from viewer.model.plant import Deviation, DeviationChange, DeviationStatus, Equipment, PlantDocument
from viewer.model.undo import Command

CSV_COLUMNS = ("id", "equipment_id", "field", "mother_value", "child_value", "reason", "requested_by",
               "requested_at", "approved_by", "approved_at", "status", "last_change_by", "last_change_at",
               "history")  # fmt: skip
USER_ENV = "MOTHERTWIN_USER"  # who is logged in, when the system's login name is not the one to record


def current_user() -> str:
    """The logged-in user's name: $MOTHERTWIN_USER, else the system login."""
    name = os.environ.get(USER_ENV, "").strip()
    if not name:
        try:
            name = getpass.getuser().strip()
        except (OSError, KeyError, ImportError):  # no login name in this environment (some containers)
            name = ""
    if not name:
        raise EditError(f"cannot tell who is logged in: set {USER_ENV} to your user name")
    return name


def utc_now() -> str:
    """Now, in UTC, ISO 8601 to the second: 2026-12-06T19:44:21Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def same_person(a: str, b: str) -> bool:
    """Login names compared as Windows does (case-insensitively), so JPark cannot approve jpark's request."""
    return bool(a.strip()) and a.strip().casefold() == b.strip().casefold()


def decision_refused(deviation: Deviation, status: DeviationStatus, user: str) -> str | None:
    """Why `user` may not give `deviation` this status, or None when they may."""
    verb = "approve" if status == DeviationStatus.APPROVED else "reject"
    if status not in (DeviationStatus.APPROVED, DeviationStatus.REJECTED):
        return f"a deviation is decided by approving or rejecting it, not by setting it {status.value}"
    if same_person(user, deviation.requested_by):
        return (f"{deviation.id} was requested by {deviation.requested_by}: someone else must approve or reject it "
                f"(you are logged in as {user})")  # fmt: skip
    if deviation.status == status:
        last = deviation.last_change
        who = f" by {last.by} at {last.at}" if last is not None and last.status == status else ""
        return f"{deviation.id} is already {status.value}{who}; nothing to {verb}"
    return None


def next_deviation_id(document: PlantDocument) -> str:
    used = {d.id for d in document.deviations}
    n = len(used) + 1
    while f"DEV-{n:03d}" in used:
        n += 1
    return f"DEV-{n:03d}"


def _is_child(document: PlantDocument, equipment_ids: tuple[str, ...]) -> list[str]:
    """Those of the equipment that belong to a cloned line (they have a mother, or their line was cloned)."""
    out = []
    for path in locate(document, equipment_ids):
        if path.equipment.mother_id is not None or path.line.clone_record is not None:
            out.append(path.equipment.id)
    return out


def fields_needing_deviation(document: PlantDocument, command: Command) -> list[tuple[str, str]]:
    """(equipment id, field) pairs a command would make differ from the mother line, before it is applied."""
    if isinstance(command, SetPoses | MoveToCell):
        return [(i, "pose") for i in _is_child(document, command.ids)]
    if isinstance(command, SetParameter):
        return [(i, f"parameters.{command.name}") for i in _is_child(document, command.ids)]
    if isinstance(command, DeleteEquipment):
        return [(i, "equipment") for i in _is_child(document, command.ids)]
    if isinstance(command, AddEquipment):
        cloned_cell = any(
            cell.id == command.cell_id and line.clone_record is not None
            for site in document.sites
            for area in site.areas
            for line in area.lines
            for cell in line.cells
        )
        return [(e.id, "equipment") for e in command.items] if cloned_cell else []
    return []


@dataclass
class AddDeviation(Command):
    """Record a proposed deviation. Who asks and when are the logged-in user and the clock when the command is
    made (whatever the given deviation says), and they start its history; undo and redo replay the same."""

    deviation: Deviation
    text: str = "Record deviation"

    def __post_init__(self) -> None:
        by, at = current_user(), utc_now()
        self.deviation = replace(self.deviation, requested_by=by, requested_at=at, approved_by="", approved_at="",
                                 status=DeviationStatus.PROPOSED,
                                 history=[DeviationChange(DeviationStatus.PROPOSED, by, at)])  # fmt: skip

    def redo(self, document: PlantDocument) -> set[str]:
        if any(d.id == self.deviation.id for d in document.deviations):
            raise EditError(f"deviation {self.deviation.id} already exists")
        document.deviations.append(copy.deepcopy(self.deviation))
        return set()

    def undo(self, document: PlantDocument) -> set[str]:
        document.deviations[:] = [d for d in document.deviations if d.id != self.deviation.id]
        return set()


@dataclass
class DecideDeviation(Command):
    """Approve or reject a deviation, as the logged-in user, now; the change joins its history.

    Refused (EditError) for the one who requested it, and for a deviation that already has that status.
    Rejecting an approved deviation withdraws the approval: `approved_by` and `approved_at` are cleared, the
    history keeps both steps.
    """

    deviation_id: str
    status: DeviationStatus
    note: str = ""
    text: str = ""
    by: str = field(init=False)
    at: str = field(init=False)
    old: Deviation | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.by, self.at = current_user(), utc_now()
        verb = "Approve" if self.status == DeviationStatus.APPROVED else "Reject"
        self.text = self.text or f"{verb} deviation {self.deviation_id}"

    def redo(self, document: PlantDocument) -> set[str]:
        index = next((i for i, d in enumerate(document.deviations) if d.id == self.deviation_id), None)
        if index is None:
            raise EditError(f"no deviation {self.deviation_id} in this document")
        old = document.deviations[index]
        refused = decision_refused(old, self.status, self.by)
        if refused:
            raise EditError(refused)
        approved = self.status == DeviationStatus.APPROVED
        self.old = copy.deepcopy(old)
        document.deviations[index] = replace(
            copy.deepcopy(old),
            status=self.status,
            approved_by=self.by if approved else "",
            approved_at=self.at if approved else "",
            history=[*copy.deepcopy(old.history), DeviationChange(self.status, self.by, self.at, self.note)],
        )
        return set()

    def undo(self, document: PlantDocument) -> set[str]:
        assert self.old is not None, "undo before redo"
        index = next(i for i, d in enumerate(document.deviations) if d.id == self.deviation_id)
        document.deviations[index] = copy.deepcopy(self.old)
        return set()


def history_text(deviation: Deviation) -> str:
    """The trail on one line, for a CSV cell: 'proposed by jpark at 2026-...Z; approved by klee at ...: note'."""
    return "; ".join(
        f"{c.status.value} by {c.by} at {c.at}" + (f": {c.note}" if c.note else "") for c in deviation.history
    )


def deviations_csv(document: PlantDocument) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for d in document.deviations:
        last = d.last_change
        computed = {"status": d.status.value, "last_change_by": last.by if last else "",
                    "last_change_at": last.at if last else "", "history": history_text(d)}  # fmt: skip
        writer.writerow([computed[c] if c in computed else str(getattr(d, c)) for c in CSV_COLUMNS])
    return buffer.getvalue()


def deviation_values(document: PlantDocument, equipment_id: str, field: str) -> tuple[str, str]:
    """The mother's and the child's value of a field, as text for the register."""
    found = {p.equipment.id: p.equipment for p in document.iter_equipment()}
    child = found.get(equipment_id)
    mother = found.get(child.mother_id) if child is not None and child.mother_id else None

    def text(equipment: Equipment | None) -> str:
        if equipment is None:
            return "(none)"
        if field == "pose":
            pose = equipment.pose
            return f"x {pose.x:.2f} y {pose.y:.2f} yaw {pose.yaw:.1f}"
        if field.startswith("parameters."):
            name = field.split(".", 1)[1]
            parameter = next((p for p in equipment.parameters if p.name == name), None)
            return "(none)" if parameter is None else f"{parameter.value} {parameter.unit}".strip()
        return f"{equipment.name} ({equipment.type})"

    return text(mother), text(child)
