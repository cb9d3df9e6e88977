"""What each layer of a drawing becomes (line, cell, building or skip): the layer-map and per-layer options, the
naming rule; and the quick scan of a text DXF's layers and blocks for the import options."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mothertwin_formats.dxf.reading import BINARY_SENTINEL
from viewer.formats import PlantFileError, Problem

LAYER_ROLES = ("line", "cell", "building", "skip")
DEFAULT_CELL_LINE = "Cells"  # the line of a cell layer that names no line
LAYERS_NAMED = 20  # layers listed in a message; the rest counted
BUILDING_WORDS = frozenset({"WALL", "WALLS", "COL", "COLS", "COLUMN", "COLUMNS", "BUILDING", "BLDG"})
COLUMN_WORDS = frozenset({"COL", "COLS", "COLUMN", "COLUMNS"})
WALL_WORDS = BUILDING_WORDS - COLUMN_WORDS


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[-_ .$|]+", name.upper()) if w}


def is_building_layer(name: str) -> bool:
    """A layer named like a building part: A-WALL, S-COLS, WALL, COLUMN, BUILDING, BLDG-OUTLINE."""
    return bool(_words(name) & BUILDING_WORDS)


def is_column_name(name: str) -> bool:
    return bool(_words(name) & COLUMN_WORDS)


@dataclass(frozen=True, slots=True)
class LayerRole:
    """What a layer becomes: `kind` one of LAYER_ROLES; `line` and `cell` name where its inserts go."""

    kind: str
    line: str = ""
    cell: str = ""


def parse_role(text: str, layer: str, where: str, path: Path) -> LayerRole:
    """`line`, `line:NAME`, `cell`, `cell:CELL`, `cell:LINE/CELL`, `building`, `skip`, as the user wrote it."""
    kind, _, name = text.strip().partition(":")
    kind, name = kind.strip().lower(), name.strip()
    if kind not in LAYER_ROLES:
        raise PlantFileError.single(
            path, where, f"{text.strip()!r} for layer {layer!r}: expected one of {', '.join(LAYER_ROLES)}"
        )
    if kind == "line":
        return LayerRole("line", name or layer)
    if kind == "cell":
        line, slash, cell = name.rpartition("/")
        if not slash:
            line, cell = DEFAULT_CELL_LINE, name
        return LayerRole("cell", line.strip() or DEFAULT_CELL_LINE, cell.strip() or layer)
    if name:
        raise PlantFileError.single(path, where, f"{text.strip()!r}: {kind} takes no name (write {kind!r})")
    return LayerRole(kind)


def parse_layer_map(text: str, path: Path) -> list[tuple[str, str]]:
    """The compact form `LAYER=ROLE,LAYER=ROLE...` as (layer pattern, role text) pairs, in order."""
    pairs = []
    for number, entry in enumerate(text.split(","), 1):
        if not entry.strip():
            continue
        pattern, equals, role = entry.partition("=")
        if not equals or not pattern.strip():
            raise PlantFileError.single(
                path,
                f"option layer-map, entry {number} {entry.strip()!r}",
                "expected LAYER=ROLE, e.g. EQUIP-L1=line:Line 1, EQUIP-C1=cell:Line 1/Cell A, A-WALL=building",
            )
        pairs.append((pattern.strip(), role.strip()))
    return pairs


def default_role(layer: str, has_inserts: bool) -> str:
    if is_building_layer(layer):
        return "building"
    return "line" if has_inserts else "skip"


def layer_roles(
    layers: Mapping[str, bool], options: Mapping[str, str], path: Path
) -> tuple[dict[str, LayerRole], list[Problem]]:
    """The role of each layer (name -> has inserts): the layer-map first (the first entry whose pattern, case-
    blind with * and ?, fits), then the per-layer option, then the naming rule."""
    problems = []
    mapped = parse_layer_map(options.get("layer-map", ""), path)
    for pattern, text in mapped:  # every entry checked, those that fit no layer too
        parse_role(text, pattern, f"option layer-map, entry {pattern!r}", path)
    used = [False] * len(mapped)
    by_upper = {k.upper(): v for k, v in options.items() if k.lower().startswith("layer:")}
    roles = {}
    for layer, has_inserts in layers.items():
        role = None
        for index, (pattern, text) in enumerate(mapped):
            if fnmatch.fnmatchcase(layer.upper(), pattern.upper()):
                role = parse_role(text, layer, f"option layer-map, entry {pattern!r}", path)
                used[index] = True
                break
        if role is None:
            chosen = by_upper.get(f"LAYER:{layer.upper()}", "")
            if chosen.strip():
                role = parse_role(chosen, layer, f"option layer:{layer}", path)
        roles[layer] = role or parse_role(default_role(layer, has_inserts), layer, "layer", path)
    for (pattern, _text), hit in zip(mapped, used, strict=True):
        if not hit:
            names = sorted(layers)
            known = ", ".join(names[:LAYERS_NAMED]) or "none"
            if len(names) > LAYERS_NAMED:
                known += f" and {len(names) - LAYERS_NAMED} more"
            problems.append(
                Problem(str(path), "option layer-map", f"no layer is named {pattern!r} (the layers: {known})")
            )
    return roles, problems


SCAN_SKIPPED = frozenset({b"ATTRIB", b"SEQEND", b"VERTEX"})  # parts of the entity before them


def scan_layers(data: bytes) -> tuple[dict[str, bool], set[str], int] | None:
    """What the import options need of a text DXF, from one pass over its group codes (a 50,000-insert drawing
    in a second, where reading it with ezdxf takes ten): the layers (the table's and those modelspace entities
    name) -> whether they hold inserts, the inserted block names, $INSUNITS. None when the file is not plain
    ASCII text DXF as expected (binary, another code page, damaged): the caller reads it with ezdxf then."""
    if data.startswith(BINARY_SENTINEL) or b"\x00" in data[:4096]:
        return None
    lines = data.split(b"\n")
    if len(lines) % 2:
        lines.pop()  # the text after the last line break (usually empty)
    layers: dict[str, bool] = {}
    blocks: set[str] = set()
    units = 0
    section = b""
    entity = b""
    layer, block, paper = b"0", b"", False
    seen_entities = False

    def flush() -> None:
        if section == b"ENTITIES" and entity and entity not in SCAN_SKIPPED and not paper:
            name = layer.decode("ascii")
            if entity == b"INSERT":
                layers[name] = True
                blocks.add(block.decode("ascii"))
            else:
                layers.setdefault(name, False)

    try:
        pairs = zip(lines[0::2], lines[1::2], strict=True)
        header_variable = b""
        for raw_code, raw_value in pairs:
            code, value = int(raw_code), raw_value.strip()
            if code == 0:
                flush()
                entity, layer, block, paper = value, b"0", b"", False
                if value == b"ENDSEC":
                    section = b""
                continue
            if code == 2 and entity == b"SECTION":
                section, entity = value, b""  # header variables name styles with code 2 too
                seen_entities |= value == b"ENTITIES"
            elif section == b"HEADER":
                if code == 9:
                    header_variable = value
                elif header_variable == b"$INSUNITS" and code == 70:
                    units = int(value)
            elif section == b"TABLES" and entity == b"LAYER" and code == 2:
                layers.setdefault(value.decode("ascii"), False)
            elif section == b"ENTITIES":
                if code == 8:
                    layer = value
                elif code == 2 and entity == b"INSERT":
                    block = value
                elif code == 67:
                    paper = value == b"1"
        flush()
    except (ValueError, UnicodeDecodeError):
        return None
    return (layers, blocks, units) if seen_entities else None


def _layers_and_blocks(doc: Any) -> tuple[dict[str, bool], set[str]]:
    """Every layer (the table's and those entities name) -> whether it holds block inserts; the inserted blocks."""
    layers: dict[str, bool] = {layer.dxf.name: False for layer in doc.layers}
    blocks: set[str] = set()
    for entity in doc.modelspace():
        name = entity.dxf.get("layer", "0")
        if entity.dxftype() == "INSERT":
            layers[name] = True
            blocks.add(entity.dxf.name)
        else:
            layers.setdefault(name, False)
    return layers, blocks
