"""JSON of an equipment type (a library manifest, or a type a plant document defines) and of the parameters
and signals that equipment share with their type. Both the plant document and the library read and write
these, so they live here rather than in either."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

from viewer.io.jsonfmt import SchemaCheck, load_schema
from viewer.model import EquipmentType, Footprint, Limits, Parameter, Signal, SignalKind

LIMIT_KEYS = ("lolo", "lo", "hi", "hihi")


@cache
def type_manifest_schema_check() -> SchemaCheck:
    """Manifest of one library type: the document's type entry plus its own name and header."""
    # A copy under the plant schema's $id: compiling a schema rewrites its "$ref"s in place (fastjsonschema).
    plant = copy.deepcopy(load_schema("plant.schema.json"))
    entry = plant["$defs"]["equipmentType"]
    schema = {
        "$id": plant["$id"],
        "$defs": plant["$defs"],
        "type": "object",
        "required": ["format", "version", "name", *entry["required"]],
        "additionalProperties": False,
        "properties": {
            "format": {"const": "mothertwin-equipment-type"},
            "version": {"const": 1},
            "name": {"type": "string", "pattern": "^[a-z0-9_-]+$"},
            **entry["properties"],
        },
    }
    return SchemaCheck(schema)


# ---------------------------------------------------------------- dict -> model


def parameters_from(items: list[dict[str, Any]] | None) -> list[Parameter]:
    return [Parameter(p["name"], p["value"], p.get("unit", "")) for p in items or []]


_KINDS = {kind.value: kind for kind in SignalKind}  # a dict lookup is much cheaper than SignalKind(value)


def _limit(limits: dict[str, Any], key: str) -> float | None:
    value = limits.get(key)
    return None if value is None else float(value)


def signals_from(items: list[dict[str, Any]] | None) -> list[Signal]:
    signals = []
    for s in items or ():
        limits = s.get("limits")
        signals.append(
            Signal(
                s["name"],
                s.get("unit", ""),
                _KINDS[s.get("kind", "analog")],
                Limits(_limit(limits, "lolo"), _limit(limits, "lo"), _limit(limits, "hi"), _limit(limits, "hihi"))
                if limits
                else Limits(),
                list(s.get("states", ())),
                s.get("tag", ""),
                bool(s.get("guessed", False)),
            )
        )
    return signals


def equipment_type_from(name: str, data: dict[str, Any], base_dir: Path | None) -> EquipmentType:
    fp = data["footprint"]
    return EquipmentType(
        name=name,
        title=data["title"],
        category=data["category"],
        footprint=Footprint(float(fp["width"]), float(fp["depth"]), float(fp["height"])),
        mesh=data.get("mesh", ""),
        color=tuple(data.get("color", (170, 170, 170))),
        parameters=parameters_from(data.get("parameters")),
        signals=signals_from(data.get("signals")),
        clearance=None if data.get("clearance") is None else float(data["clearance"]),
        base_dir=base_dir,
    )


# ---------------------------------------------------------------- model -> dict


def parameters_to(parameters: list[Parameter]) -> list[dict[str, Any]]:
    return [{"name": p.name, "value": p.value, "unit": p.unit} for p in parameters]


def signals_to(signals: list[Signal]) -> list[dict[str, Any]]:
    out = []
    for s in signals:
        item: dict[str, Any] = {"name": s.name, "unit": s.unit, "kind": str(s.kind)}
        limits = {k: getattr(s.limits, k) for k in LIMIT_KEYS if getattr(s.limits, k) is not None}
        if limits:
            item["limits"] = limits
        if s.states:
            item["states"] = list(s.states)
        if s.tag:
            item["tag"] = s.tag
        if s.guessed:
            item["guessed"] = True
        out.append(item)
    return out


def equipment_type_to(t: EquipmentType) -> dict[str, Any]:
    out: dict[str, Any] = {"title": t.title, "category": t.category}
    if t.mesh:
        out["mesh"] = t.mesh
    out["color"] = list(t.color)
    out["footprint"] = {"width": t.footprint.width, "depth": t.footprint.depth, "height": t.footprint.height}
    if t.clearance is not None:
        out["clearance"] = t.clearance
    if t.parameters:
        out["parameters"] = parameters_to(t.parameters)
    if t.signals:
        out["signals"] = signals_to(t.signals)
    return out
