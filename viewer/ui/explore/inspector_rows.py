"""What the inspector shows for a selection, as plain rows; the dock only lays them out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from viewer.app.values import unit_text, with_unit
from viewer.model import EquipmentLibrary, EquipmentPath, Limits, PlantDocument, Signal, SignalKind


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    value: str
    tooltip: str = ""
    edit: str = ""  # what typing a new value changes: "name", "x", "y", "z", "yaw", "parameter:NAME"
    live: tuple[str, str] | None = None  # (equipment id, signal): the row shows that signal's current value


@dataclass(slots=True)
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)


def limits_text(limits: Limits, unit: str) -> str:
    names = ("lolo", "lo", "hi", "hihi")
    shown = [f"{name} {getattr(limits, name):g}" for name in names if getattr(limits, name) is not None]
    return f"{', '.join(shown)} {unit_text(unit)}".rstrip() if shown else "no limits"


def signal_text(signal: Signal) -> str:
    if signal.kind == SignalKind.STATE:
        return "state: " + (" / ".join(signal.states) or "no states listed")
    if signal.kind == SignalKind.COUNTER:
        return f"counter {unit_text(signal.unit)}".rstrip()
    return limits_text(signal.limits, signal.unit)


def _find(document: PlantDocument, equipment_id: str) -> EquipmentPath | None:
    return next((p for p in document.iter_equipment() if p.equipment.id == equipment_id), None)


def equipment_sections(path: EquipmentPath, library: EquipmentLibrary, document: PlantDocument) -> list[Section]:
    equipment = path.equipment
    equipment_type = library.types.get(equipment.type)
    type_text = f"{equipment_type.title} ({equipment.type})" if equipment_type else f"{equipment.type} (not in library)"
    general = Section(
        "Equipment",
        [
            Row("Name", equipment.name, edit="name"),
            Row("Id", equipment.id),
            Row("Type", type_text, equipment_type.category if equipment_type else ""),
            # One row per level: a single "site › area › line › cell" row is too long for a dock.
            *(
                Row(level, f"{group.name} ({group.id})")
                for level, group in (("Site", path.site), ("Area", path.area), ("Line", path.line), ("Cell", path.cell))
            ),
        ],
    )
    pose = equipment.pose
    # One row per editable value: type an exact position or angle (double-click the value).
    pose_section = Section(
        "Pose (relative to cell)",
        [
            Row("x", f"{pose.x:g} m", "position along the cell's x axis", edit="x"),
            Row("y", f"{pose.y:g} m", "position along the cell's y axis", edit="y"),
            Row("z", f"{pose.z:g} m", "height above the cell's floor", edit="z"),
            Row("yaw", f"{pose.yaw:g}°", "turn about the vertical axis, counter-clockwise", edit="yaw"),
        ],
    )
    if pose.pitch or pose.roll:
        pose_section.rows.append(Row("Tilt", f"pitch {pose.pitch:g}°, roll {pose.roll:g}°"))
    if equipment.scale != (1.0, 1.0, 1.0):
        pose_section.rows.append(Row("Scale", " × ".join(f"{s:g}" for s in equipment.scale)))
    parameters = Section(
        f"Parameters ({len(equipment.parameters)})",
        [Row(p.name, with_unit(p.value, p.unit), edit=f"parameter:{p.name}") for p in equipment.parameters]
        or [Row("-", "none")],
    )
    signals = Section(
        f"Signals ({len(equipment.signals)})",
        [
            Row(s.name, signal_text(s), f"{s.kind.value}, unit {unit_text(s.unit) or '-'}", live=(equipment.id, s.name))
            for s in equipment.signals
        ]
        or [Row("-", "none")],
    )
    return [general, pose_section, parameters, signals, mother_section(equipment.mother_id, document)]


def mother_section(mother_id: str | None, document: PlantDocument) -> Section:
    if mother_id is None:
        return Section("Mother link", [Row("Mother", "none: not cloned from a mother line")])
    mother = _find(document, mother_id)
    if mother is None:
        return Section("Mother link", [Row("Mother", f"{mother_id} (not in this document)")])
    return Section(
        "Mother link",
        [
            Row("Mother", f"{mother.equipment.name} ({mother_id})"),
            Row("Mother site", f"{mother.site.name} › {mother.line.name} › {mother.cell.name}"),
        ],
    )


def selection_sections(
    paths: Sequence[EquipmentPath], library: EquipmentLibrary, document: PlantDocument
) -> list[Section]:
    """One equipment in full; several as a count by type."""
    if not paths:
        return []
    if len(paths) == 1:
        return equipment_sections(paths[0], library, document)
    by_type = Counter(p.equipment.type for p in paths)
    return [
        Section("Selection", [Row("Equipment", str(len(paths)))]),
        Section("By type", [Row(name, str(count)) for name, count in sorted(by_type.items())]),
    ]
