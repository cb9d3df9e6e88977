"""JSON reading and writing shared by every MotherTwin file: exact errors in, reviewable text out."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from viewer.io.errors import PlantFileError, Problem

_JSON_TYPE_NAMES = {
    "number": "a number",
    "integer": "an integer",
    "string": "a string",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


def read_json(path: Path) -> tuple[Any, str]:
    """Parse a JSON file; syntax errors name the line and column."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise PlantFileError.single(path, "file", f"cannot read: {exc.strerror or exc}") from exc
    return json_from_bytes(raw, path)


def json_from_bytes(raw: bytes, path: Path | str, loads: Callable[[str], Any] = json.loads) -> tuple[Any, str]:
    """Parse a JSON file's content as read (`loads` parses the text); errors name the byte, line and column."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlantFileError.single(path, f"byte {exc.start}", "expected UTF-8 text") from exc
    try:
        return loads(text), text
    except json.JSONDecodeError as exc:
        hint = " (the file ends too early: is it truncated?)" if exc.pos >= len(text.rstrip()) else ""
        where = f"line {exc.lineno}, column {exc.colno}"
        raise PlantFileError.single(path, where, f"invalid JSON: {exc.msg}{hint}") from exc


def describe(value: Any) -> str:
    """How a JSON value reads in an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return "an object"


def _expected_types(spec: str | list[str]) -> str:
    names = [spec] if isinstance(spec, str) else list(spec)
    return " or ".join(_JSON_TYPE_NAMES.get(n, n) for n in names)


def _schema_message(error: jsonschema.ValidationError) -> tuple[str, str]:
    """Turn a jsonschema error into (json path, plain message)."""
    path = error.json_path
    kind, spec, value = error.validator, error.validator_value, error.instance
    if kind == "type":
        return path, f"expected {_expected_types(spec)}, got {describe(value)}"
    if kind == "required":
        missing = [key for key in spec if isinstance(value, dict) and key not in value]
        return path, f"missing required key {missing[0]!r}" if missing else error.message
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extra = [key for key in value if key not in allowed]
        key = extra[0] if extra else "?"
        return f"{path}.{key}", f"unexpected key {key!r}; expected one of: {', '.join(allowed)}"
    if kind == "const":
        return path, f"expected {spec!r}, got {describe(value)}"
    if kind == "enum":
        return path, f"expected one of {', '.join(repr(v) for v in spec)}, got {describe(value)}"
    if kind == "exclusiveMinimum":
        return path, f"expected a number greater than {spec}, got {describe(value)}"
    if kind == "minimum":
        return path, f"expected a number of at least {spec}, got {describe(value)}"
    if kind == "maximum":
        return path, f"expected a number of at most {spec}, got {describe(value)}"
    if kind in ("minItems", "maxItems"):
        return path, f"expected {spec} items here ({kind}), got {describe(value)}"
    if kind == "minLength":
        return path, "expected a non-empty string"
    if kind == "pattern":
        return path, f"expected letters, digits, '_', '.', ':' or '-' only, got {describe(value)}"
    return path, error.message


@cache
def load_schema(name: str) -> dict[str, Any]:
    text = resources.files("viewer.io").joinpath("schema", name).read_text(encoding="utf-8")
    return json.loads(text)


class SchemaCheck:
    """Validate against a JSON Schema: a compiled fast path, and every error with its path on failure."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self._schema = schema
        self._fast: Callable[[Any], Any] | None = None  # compiled on first use

    def problems(self, data: Any, file: str) -> list[Problem]:
        if self._fast is None:
            # The schema is ours, shipped in the package, so compiling it to Python is safe.
            self._fast = fastjsonschema.compile(self._schema)
        try:
            self._fast(data)
            return []
        except fastjsonschema.JsonSchemaException:
            pass
        validator = jsonschema.Draft202012Validator(self._schema)
        errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
        return [Problem(file, *_schema_message(e)) for e in _leaf_errors(errors)]


def _leaf_errors(errors: list[jsonschema.ValidationError]) -> Iterator[jsonschema.ValidationError]:
    for error in errors:
        if error.context:
            yield from _leaf_errors(list(error.context))
        else:
            yield error


def non_finite_numbers(data: Any, path: str = "$") -> Iterator[tuple[str, float]]:
    """Every NaN or infinity in a parsed JSON tree (Python's json accepts them; we do not)."""
    if isinstance(data, float):
        if not math.isfinite(data):
            yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from non_finite_numbers(value, f"{path}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from non_finite_numbers(value, f"{path}[{index}]")


def _json_constant(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def check_finite(data: Any, text: str, file: str) -> list[Problem]:
    if "NaN" not in text and "Infinity" not in text:
        return []
    return [
        Problem(file, where, f"expected a finite number, got {_json_constant(value)}")
        for where, value in non_finite_numbers(data)
    ]


def _is_flat(value: Any) -> bool:
    scalar = (str, int, float, bool, type(None))
    if isinstance(value, list):
        return all(isinstance(v, scalar) or (isinstance(v, list) and _is_flat(v)) for v in value)
    if isinstance(value, dict):
        return len(value) <= 6 and all(isinstance(v, scalar) for v in value.values())
    return True


def dumps_pretty(value: Any, indent: int = 0) -> str:
    """Pretty JSON where small flat things (a pose, a parameter, a point) stay on one line.

    Key order is the caller's (we build dicts in a fixed order), so `git diff` of two saves reads well.
    """
    if _is_flat(value) and len(json.dumps(value, ensure_ascii=False)) <= 100:
        return json.dumps(value, ensure_ascii=False)
    pad = "  " * (indent + 1)
    end = "  " * indent
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {dumps_pretty(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + end + "}" if items else "{}"
    if isinstance(value, list):
        items = [pad + dumps_pretty(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + end + "]" if items else "[]"
    return json.dumps(value, ensure_ascii=False)
