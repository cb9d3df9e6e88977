"""Batched JSON payloads of sensor values: what the simulator sends and the MQTT source reads.

Two shapes, both many values per message (DESIGN.md section 4: 10 values per message fell behind):
  {"t": 1735689600.0, "values": {"tag": 1.5, ...}}                       one time for all values
  {"samples": [{"tag": "a", "t": 1735689600.0, "v": 1.5, "q": "good"}]}   own time (and quality) per value
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from viewer.sensors.samples import _QUALITY_CODE, Quality, Sample

MAX_PAYLOAD = 4 * 1024 * 1024


class PayloadError(ValueError):
    """A message that cannot be read; the source counts it and carries on."""


def encode_json_batches(samples: list[Sample], batch: int = 100) -> Iterator[bytes]:
    for first in range(0, len(samples), batch):
        chunk = samples[first : first + batch]
        times = {s.time for s in chunk}
        if len(times) == 1 and all(s.quality is Quality.GOOD for s in chunk):
            message: dict[str, object] = {"t": chunk[0].time, "values": {s.tag: s.value for s in chunk}}
        else:
            message = {"samples": [{"tag": s.tag, "t": s.time, "v": s.value, "q": str(s.quality)} for s in chunk]}
        yield json.dumps(message, separators=(",", ":")).encode()


def encode_json_values(time: float, tags: list[str], values: list, batch: int = 100) -> list[bytes]:
    """Shared-time messages straight from columns (the simulator's fast path)."""
    return [
        json.dumps(
            {"t": time, "values": dict(zip(tags[i : i + batch], values[i : i + batch], strict=True))},
            separators=(",", ":"),
        ).encode()
        for i in range(0, len(tags), batch)
    ]


def _value(raw: object, where: str) -> float | str | bool:
    if isinstance(raw, bool | str):
        return raw
    if isinstance(raw, int | float) and math.isfinite(raw):
        return float(raw)
    raise PayloadError(f"{where}: expected a number, string or boolean, got {type(raw).__name__}")


def _time(raw: object, where: str) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
        # Milliseconds are common on the wire (Sparkplug, Node-RED); epoch seconds stay below 1e11 until 5138.
        return float(raw) / 1000.0 if raw > 1e11 else float(raw)
    raise PayloadError(f"{where}: expected a time in epoch seconds or milliseconds, got {raw!r}")


def _parse(payload: bytes) -> object:
    if len(payload) > MAX_PAYLOAD:
        raise PayloadError(f"payload of {len(payload)} bytes is over the {MAX_PAYLOAD} byte limit")
    try:
        return json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"not JSON: {exc}") from None


def decode_json(payload: bytes, prefix: str = "", default_time: float | None = None) -> list[Sample]:
    """Samples from one JSON message; PayloadError names what is wrong (never a partial result)."""
    data = _parse(payload)
    if not isinstance(data, dict):
        raise PayloadError(f"expected a JSON object, got {type(data).__name__}")
    if "values" in data:
        values = data["values"]
        if not isinstance(values, dict):
            raise PayloadError("$.values: expected an object of tag: value")
        raw_time = data.get("t", default_time)
        if raw_time is None:
            raise PayloadError("$.t: missing time")
        t = _time(raw_time, "$.t")
        return [Sample(prefix + str(tag), t, _value(v, f"$.values[{tag!r}]")) for tag, v in values.items()]
    if "samples" in data:
        items = data["samples"]
        if not isinstance(items, list):
            raise PayloadError("$.samples: expected a list")
        out = []
        for i, item in enumerate(items):
            where = f"$.samples[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("tag"), str):
                raise PayloadError(f"{where}: expected an object with a string tag")
            try:
                quality = Quality(item.get("q", "good"))
            except ValueError:
                raise PayloadError(f"{where}.q: expected one of good, uncertain, bad") from None
            raw_time = item.get("t", default_time)
            if raw_time is None:
                raise PayloadError(f"{where}.t: missing time")
            out.append(
                Sample(
                    prefix + item["tag"], _time(raw_time, f"{where}.t"), _value(item.get("v"), f"{where}.v"), quality
                )
            )
        return out
    raise PayloadError("expected an object with 'values' or 'samples'")


@dataclass(slots=True)
class DecodedColumns:
    """One message's samples as columns, for `SampleBuffer.put_columns`."""

    tags: list[str]
    times: np.ndarray  # float64 epoch seconds
    values: list[float | str | bool]
    qualities: np.ndarray  # int8 quality codes


_PLAIN = frozenset({float, int, str, bool})


def decode_json_columns(payload: bytes, prefix: str = "", default_time: float | None = None) -> DecodedColumns:
    """`decode_json` without a `Sample` per value: the shared-time shape is checked in bulk, which is what
    keeps one decoder up with 100,000 values a second. Errors are the same as `decode_json`'s."""
    data = _parse(payload)
    values = data.get("values") if isinstance(data, dict) else None
    if isinstance(data, dict) and isinstance(values, dict) and ("t" in data or default_time is not None):
        t = _time(data.get("t", default_time), "$.t")
        raw = list(values.values())
        # Anything but plain JSON scalars, or a NaN/inf (Python's json reads those), takes the checked path.
        if set(map(type, raw)) <= _PLAIN and all(map(math.isfinite, (v for v in raw if type(v) is float))):
            tags = [prefix + tag for tag in values] if prefix else list(values)
            plain = [float(v) if type(v) is int else v for v in raw]
            count = len(tags)
            return DecodedColumns(tags, np.full(count, t), plain, np.zeros(count, np.int8))
    samples = decode_json(payload, prefix, default_time)
    return DecodedColumns(
        [s.tag for s in samples],
        np.array([s.time for s in samples], dtype=float),
        [s.value for s in samples],
        np.array([_QUALITY_CODE[s.quality] for s in samples], dtype=np.int8),
    )
