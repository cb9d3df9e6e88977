"""The equipment library: one JSON manifest per type, beside its mesh."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from viewer.io.errors import PlantFileError
from viewer.io.jsonfmt import check_finite, dumps_pretty, read_json
from viewer.io.type_json import equipment_type_from, equipment_type_to, type_manifest_schema_check
from viewer.model import EquipmentLibrary, EquipmentType
from viewer.paths import library_dir

MANIFEST_SUFFIX = ".type.json"


def load_type_manifest(path: Path) -> EquipmentType:
    data, text = read_json(path)
    problems = type_manifest_schema_check().problems(data, str(path)) or check_finite(data, text, str(path))
    if problems:
        raise PlantFileError(problems)
    return equipment_type_from(data["name"], data, path.parent.resolve())


def type_manifest_text(equipment_type: EquipmentType) -> str:
    body = {"format": "mothertwin-equipment-type", "version": 1, "name": equipment_type.name}
    return dumps_pretty(body | equipment_type_to(equipment_type)) + "\n"


def load_library(folder: Path) -> EquipmentLibrary:
    """Every `*.type.json` in a folder. One bad manifest fails the whole library, naming the file."""
    types = {}
    for path in sorted(Path(folder).glob(f"*{MANIFEST_SUFFIX}")):
        equipment_type = load_type_manifest(path)
        types[equipment_type.name] = equipment_type
    return EquipmentLibrary(types)


@cache
def builtin_library() -> EquipmentLibrary:
    return load_library(library_dir())
