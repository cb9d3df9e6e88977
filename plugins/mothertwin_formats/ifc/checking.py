"""An IFC file's bytes checked before and after ifcopenshell parses them: ifcopenshell reads a truncated file or
one with a broken entity without raising (it logs and leaves entities out), so the checks here say what is
wrong, with the line, instead of importing half a building."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mothertwin_formats.ifc import STEP_MAGIC
from viewer.formats import PlantFileError, Problem

SUPPORTED_SCHEMAS = ("IFC2X3", "IFC4")  # IFC4X3 reads like IFC4 for what is imported here
HEAD_BYTES = 1 << 16
LOG_ERRORS_SHOWN = 5
_SCHEMA = re.compile(rb"FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'", re.IGNORECASE)
_OFFSET = re.compile(r"at offset (\d+)")
_INSTANCE = re.compile(r"#(\d+)")
_END = b"END-ISO-10303-21;"
_ENTITY = re.compile(rb"(?m)^\s*#(\d+)\s*=")


def line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, max(0, min(offset, len(data)))) + 1


def _describe_start(data: bytes) -> str:
    """What the file is instead of an IFC STEP file, in a few words."""
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"PK\x03\x04"):
        return "a ZIP archive (ifcZIP?); unpack the .ifc file inside it and import that"
    if start.startswith(b"<"):
        if b"ifcXML" in start[:4096] or b"iso_10303_28" in start[:4096] or b"ifc" in start[:4096].lower():
            return "an XML file (ifcXML); only IFC STEP files (ISO 10303-21) are read: save it as .ifc in the BIM tool"
        return "an XML file, not an IFC STEP file (ISO 10303-21)"
    if start.startswith(b"\x89HDF") or b"\x00" in start[:1024]:
        return "binary data, not an IFC STEP file (ISO 10303-21)"
    first = start.split(b"\n", 1)[0][:40].decode("utf-8", "replace").strip()
    return f"not an IFC STEP file: expected {STEP_MAGIC.decode()!r} on line 1, found {first!r}"


def check_bytes(path: Path, data: bytes) -> str:
    """The schema name of a usable IFC STEP file; raises PlantFileError naming the file and what is wrong."""
    if not data.strip():
        raise PlantFileError.single(path, "file", "the file is empty; expected an IFC STEP file (ISO 10303-21)")
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(STEP_MAGIC):
        raise PlantFileError.single(path, "line 1", _describe_start(data))
    head = data[:HEAD_BYTES]
    found = _SCHEMA.search(head)
    if found is None:
        raise PlantFileError.single(
            path, "HEADER", "no FILE_SCHEMA in the header; expected FILE_SCHEMA(('IFC2X3')) or FILE_SCHEMA(('IFC4'))"
        )
    schema = found.group(1).decode("ascii", "replace").strip().upper()
    if not schema.startswith(SUPPORTED_SCHEMAS):
        raise PlantFileError.single(
            path,
            f"line {line_of(data, found.start())}",
            f"unknown IFC schema {schema!r}; expected one of {', '.join(SUPPORTED_SCHEMAS)}",
        )
    if not data.rstrip().endswith(_END):
        tail = data.rstrip()
        entities = list(_ENTITY.finditer(tail, max(0, len(tail) - HEAD_BYTES)))
        where = f"line {line_of(data, len(tail))}"
        what = f" in entity #{entities[-1].group(1).decode()}" if entities else ""
        raise PlantFileError.single(
            path, where, f"the file is truncated: it ends{what} without {_END.decode()!r} (saved or copied in part?)"
        )
    return schema


def parse(path: Path, data: bytes) -> Any:
    """The ifcopenshell file of checked bytes; errors ifcopenshell logged while parsing raise PlantFileError with
    the line and entity they name."""
    import ifcopenshell

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # STEP is ASCII; some exporters write raw Latin-1 names
    ifcopenshell.get_log()  # forget what earlier parses logged
    try:
        model = ifcopenshell.file.from_string(text)
    except RuntimeError as exc:
        raise PlantFileError.single(path, "file", f"ifcopenshell cannot read it: {exc}") from exc
    errors = [line for line in ifcopenshell.get_log().splitlines() if line.startswith("[error]")]
    if errors:
        # The ones that say where come first: a mangled C++ type name alone helps nobody.
        errors.sort(key=lambda line: (_OFFSET.search(line) is None, _INSTANCE.search(line) is None))
        problems = []
        for line in errors[:LOG_ERRORS_SHOWN]:
            message = re.sub(r"^\[error\]\s*(\[[^\]]*\]\s*)?", "", line).strip()
            offset = _OFFSET.search(message)
            instance = _INSTANCE.search(message)
            if offset:
                where = f"line {line_of(data, int(offset.group(1)))}"
                message = _OFFSET.sub("", message).strip()
            elif instance:
                where = f"entity #{instance.group(1)}"
            else:
                where = "file"
            problems.append(Problem(str(path), where, f"not valid IFC STEP: {message}"))
        if len(errors) > LOG_ERRORS_SHOWN:
            problems.append(Problem(str(path), "file", f"and {len(errors) - LOG_ERRORS_SHOWN} more errors"))
        raise PlantFileError(problems)
    if not model.by_type("IfcProject"):
        raise PlantFileError.single(path, "DATA", "the file has no IfcProject; expected an IFC building model")
    return model
