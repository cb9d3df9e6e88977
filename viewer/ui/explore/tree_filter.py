"""What the plant tree's filter box matches: pure functions, testable without a window."""

from __future__ import annotations

from viewer.model import Equipment, EquipmentLibrary


def equipment_search_text(equipment: Equipment, library: EquipmentLibrary | None = None) -> str:
    """Everything an engineer might type to find an equipment: id, name, type, type title, parameter values."""
    parts = [equipment.id, equipment.name, equipment.type]
    if library is not None and equipment.type in library:
        parts.append(library[equipment.type].title)
    for parameter in equipment.parameters:
        parts += [parameter.name, str(parameter.value), f"{parameter.name}={parameter.value}"]
    return "\n".join(parts).casefold()


def group_search_text(ident: str, name: str) -> str:
    return f"{ident}\n{name}".casefold()


def matches(search_text: str, query: str) -> bool:
    """Every whitespace-separated word of the query occurs in the text (case-insensitive)."""
    return all(word in search_text for word in query.casefold().split())
