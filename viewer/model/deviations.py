"""The deviation register: Copy Exactly change control for child lines.

Every edit of a cloned (child) equipment is a difference from its mother; the editor asks which deviation
it belongs to (`fields_needing_deviation`), and the register records what, why, who asked and who approved.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from viewer.model.edit import AddEquipment, DeleteEquipment, EditError, MoveToCell, SetParameter, SetPoses, locate
from viewer.model.plant import Deviation, DeviationStatus, PlantDocument
from viewer.model.undo import Command

CSV_COLUMNS = ("id", "equipment_id", "field", "mother_value", "child_value", "reason", "requested_by",
               "approved_by", "date", "status")  # fmt: skip


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
    deviation: Deviation
    text: str = "Record deviation"

    def redo(self, document: PlantDocument) -> set[str]:
        if any(d.id == self.deviation.id for d in document.deviations):
            raise EditError(f"deviation {self.deviation.id} already exists")
        document.deviations.append(replace(self.deviation))
        return set()

    def undo(self, document: PlantDocument) -> set[str]:
        document.deviations[:] = [d for d in document.deviations if d.id != self.deviation.id]
        return set()


@dataclass
class DecideDeviation(Command):
    """Approve or reject a proposed deviation: who decided and when are recorded."""

    deviation_id: str
    status: DeviationStatus
    decided_by: str
    date: str = ""
    text: str = "Decide deviation"
    old: Deviation | None = None

    def redo(self, document: PlantDocument) -> set[str]:
        index = next((i for i, d in enumerate(document.deviations) if d.id == self.deviation_id), None)
        if index is None:
            raise EditError(f"no deviation {self.deviation_id} in this document")
        self.old = document.deviations[index]
        date = self.date or datetime.now(UTC).date().isoformat()
        document.deviations[index] = replace(self.old, status=self.status, approved_by=self.decided_by, date=date)
        return set()

    def undo(self, document: PlantDocument) -> set[str]:
        index = next(i for i, d in enumerate(document.deviations) if d.id == self.deviation_id)
        document.deviations[index] = self.old
        return set()


def deviations_csv(document: PlantDocument) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for d in document.deviations:
        writer.writerow([str(getattr(d, c)) for c in CSV_COLUMNS])
    return buffer.getvalue()


def deviation_values(document: PlantDocument, equipment_id: str, field: str) -> tuple[str, str]:
    """The mother's and the child's value of a field, as text for the register."""
    found = {p.equipment.id: p.equipment for p in document.iter_equipment()}
    child = found.get(equipment_id)
    mother = found.get(child.mother_id) if child is not None and child.mother_id else None

    def text(equipment: object) -> str:
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
