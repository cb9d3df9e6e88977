"""Loading a DXF drawing with ezdxf: text DXF in recover mode (its repairs as warnings), binary DXF with the binary
tag loader and an audit, a clear error for what is no drawing; the drawing's unit, lengths and ids read from it."""

from __future__ import annotations

import contextlib
import io
import logging
import math
import re
import struct
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from viewer.formats import PlantFileError, Problem

BINARY_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"
WARNINGS_SHOWN = 40  # repair notes listed one by one; the rest counted
ID_PATTERN = re.compile(r"[^A-Za-z0-9_.:$-]+")

# Metres per drawing unit, by $INSUNITS (0, unitless, is asked for or assumed millimetres).
METRES_PER_UNIT: dict[int, float] = {
    1: 0.0254,
    2: 0.3048,
    3: 1609.344,
    4: 0.001,
    5: 0.01,
    6: 1.0,
    7: 1000.0,
    8: 2.54e-8,
    9: 2.54e-5,
    10: 0.9144,
    11: 1e-10,
    12: 1e-9,
    13: 1e-6,
    14: 0.1,
    15: 10.0,
    16: 100.0,
    21: 1200 / 3937,
    22: 1 / 39.37,
    23: 3600 / 3937,
    24: 6336000 / 3937,
}
UNIT_NAMES: dict[int, str] = {1: "inches", 2: "feet", 4: "millimetres", 5: "centimetres", 6: "metres"}
UNIT_CHOICES: dict[str, float] = {"mm": 0.001, "cm": 0.01, "m": 1.0, "inch": 0.0254, "foot": 0.3048}
UNIT_SUFFIXES: dict[str, float] = UNIT_CHOICES | {"in": 0.0254, "ft": 0.3048, '"': 0.0254, "'": 0.3048}


def _fail(path: Path, where: str, message: str) -> PlantFileError:
    return PlantFileError.single(path, where, message)


def _check_text_start(data: bytes, path: Path) -> None:
    """A text DXF starts with group code 0 and SECTION (after comments); anything else is not a drawing."""
    stream = io.BytesIO(data.removeprefix(b"\xef\xbb\xbf"))  # a UTF-8 byte order mark, as some editors save
    line = 0
    while True:
        code = stream.readline()
        value = stream.readline()
        line += 2
        if not code:
            raise _fail(path, "file", "the file holds no DXF sections: expected a DXF drawing (0 / SECTION)")
        if code.strip() == b"999":
            continue
        if code.strip() == b"0" and value.strip().upper() == b"SECTION":
            return
        text = code.strip()[:40]
        shown = repr(text.decode("ascii")) if text.isascii() and text.decode("ascii").isprintable() else "binary data"
        raise _fail(
            path,
            f"line {line - 1}",
            f"not a DXF drawing: found {shown} where a DXF file starts with group code 0 and SECTION",
        )


@contextlib.contextmanager
def _quiet_ezdxf() -> Iterator[None]:
    """ezdxf logs each repair as a warning to the console as well; they come back as the import's warnings."""
    logger = logging.getLogger("ezdxf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _load(data: bytes, path: Path) -> tuple[Any, Any, str]:
    """The ezdxf drawing, its auditor and what kind of file it was. Raises PlantFileError."""
    with _quiet_ezdxf():
        return _load_drawing(data, path)


def _load_drawing(data: bytes, path: Path) -> tuple[Any, Any, str]:
    from ezdxf import recover
    from ezdxf.lldxf.const import DXFError

    if not data.strip():
        raise _fail(path, "file", "the file is empty: expected a DXF drawing")
    try:
        if data.startswith(BINARY_SENTINEL):
            from ezdxf.document import Drawing
            from ezdxf.lldxf.tagger import binary_tags_loader

            doc = Drawing.load(binary_tags_loader(data))
            return doc, doc.audit(), "binary DXF"
        if data[:22].startswith(BINARY_SENTINEL[:18]):
            raise _fail(path, "file header", "a damaged binary DXF header: expected 'AutoCAD Binary DXF' CR LF SUB NUL")
        _check_text_start(data, path)
        doc, auditor = recover.read(io.BytesIO(data))
        return doc, auditor, "DXF"
    except PlantFileError:
        raise
    except DXFError as exc:
        text = str(exc).rstrip(".")
        found = re.search(r"line:?\s*(\d+)", text)
        where = f"line {found.group(1)}" if found else "file"
        raise _fail(path, where, f"not a readable DXF drawing: {text}{_cut_short(data)}") from exc
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, UnicodeError, EOFError, struct.error) as exc:
        # ezdxf's loaders raise plain Python errors on some damaged files (a binary file cut short).
        kind = "binary DXF" if data.startswith(BINARY_SENTINEL) else "DXF drawing"
        raise _fail(
            path, "file", f"not a readable {kind} ({type(exc).__name__}: {exc}){_cut_short(data)}"
        ) from exc


def _cut_short(data: bytes) -> str:
    """A note for a file that does not end as a DXF file ends (EOF): it may have been cut short."""
    if data.startswith(BINARY_SENTINEL):
        return "" if data.rstrip(b"\x00").endswith(b"EOF") else "; the file does not end with EOF: is it cut short?"
    return "" if data.rstrip().endswith(b"EOF") else "; the file does not end with EOF: is it cut short?"


def _repair_notes(auditor: Any, path: Path) -> list[Problem]:
    notes = []
    entries = list(auditor.fixes) + list(auditor.errors)
    for entry in entries[:WARNINGS_SHOWN]:
        entity = getattr(entry, "entity", None)
        handle = getattr(getattr(entity, "dxf", None), "handle", None) if entity is not None else None
        found = re.search(r"line:?\s*(\d+)", str(entry.message))
        where = f"entity {handle}" if handle else f"line {found.group(1)}" if found else "DXF repair"
        notes.append(Problem(str(path), where, f"repaired on reading: {entry.message}"))
    if len(entries) > WARNINGS_SHOWN:
        notes.append(Problem(str(path), "DXF repair", f"and {len(entries) - WARNINGS_SHOWN} more repairs"))
    return notes


def drawing_unit(doc: Any, options: Mapping[str, str], path: Path) -> tuple[float, str, list[Problem]]:
    """Metres per drawing unit, its name, and a warning when it was assumed."""
    chosen = options.get("units", "auto").strip().lower() or "auto"
    if chosen != "auto":
        if chosen not in UNIT_CHOICES:
            raise _fail(path, "option units", f"{chosen!r}: expected auto or one of {', '.join(UNIT_CHOICES)}")
        return UNIT_CHOICES[chosen], chosen, []
    try:
        code = int(doc.header.get("$INSUNITS", 0))
    except (TypeError, ValueError):
        code = 0
    if code in METRES_PER_UNIT:
        return METRES_PER_UNIT[code], _unit_name(code), []
    note = Problem(
        str(path),
        "header $INSUNITS",
        f"the drawing has no unit ($INSUNITS {code}): read as millimetres, the plant-layout default "
        "(choose another with the option units=m, cm, inch or foot)",
    )
    return 0.001, _unit_name(code), [note]


def _unit_name(code: int) -> str:
    if code not in METRES_PER_UNIT:
        return "millimetres (assumed)"
    return UNIT_NAMES.get(code, f"$INSUNITS {code}")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def parse_length(text: str, unit: float) -> float | None:
    """A length attribute in metres: a bare number is in drawing units, or a unit follows (2.5 m, 2500mm)."""
    found = re.fullmatch(r"\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(mm|cm|m|in|ft|inch|foot|\"|')?\s*", text)
    if not found:
        return None
    value = float(found.group(1))
    return value * (UNIT_SUFFIXES[found.group(2)] if found.group(2) else unit)


def safe_id(text: str) -> str:
    return ID_PATTERN.sub("_", text).strip("_")[:100] or "x"
