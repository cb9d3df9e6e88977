"""Signal values as people read them: units in symbols, numbers to four figures, alarm marks. Plain Python:
the Inspector, the value labels, the docks and the command line write values the same way."""

from __future__ import annotations

import math
from dataclasses import dataclass

from viewer.model import Limits, SignalKind
from viewer.sensors.rules import AlarmLevel, alarm_level

UNIT_SYMBOLS = {"degC": "°C", "deg": "°", "um": "µm", "m3": "m³", "m2": "m²", "mg/cm2": "mg/cm²"}

# The marks of an alarm level beside a value, the same shapes as the Alarms dock's icons.
ALARM_MARKS = {AlarmLevel.LOLO: "◆ LOLO", AlarmLevel.LO: "▼ LO", AlarmLevel.HI: "▲ HI", AlarmLevel.HIHI: "◆ HIHI"}


def unit_text(unit: str) -> str:
    return UNIT_SYMBOLS.get(unit, unit)


def with_unit(value: object, unit: str) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text} {unit_text(unit)}".rstrip()


@dataclass(frozen=True, slots=True)
class SignalValue:
    """One signal of a selected equipment as the labels and the trend show it."""

    equipment_id: str
    equipment_name: str
    signal: str
    unit: str
    kind: SignalKind
    tag: str
    value: object | None
    stale: bool
    limits: tuple[float | None, float | None, float | None, float | None]


def finite_number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def format_value(value: object | None, unit: str) -> str:
    """A value for people, with its unit in the Inspector's symbols ("132.4 °C"); "no data" without one."""
    if value is None:
        return "no data"
    symbol = unit_text(unit)
    if isinstance(value, float):
        text = f"{value:.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
        return f"{text} {symbol}".strip()
    return f"{value} {symbol}".strip()


def value_text(v: SignalValue) -> tuple[str, str]:
    """What an Inspector signal row shows: (text, look), the text the value with its unit and an alarm mark
    ("152 °C ◆ HIHI"), the look "alarm", "warning", "stale" or ""."""
    text, look = format_value(v.value, v.unit), ""
    if v.value is not None and v.kind is SignalKind.ANALOG:
        number = finite_number(v.value)
        level = alarm_level(number, Limits(*v.limits)) if number is not None else AlarmLevel.NORMAL
        if level is not AlarmLevel.NORMAL:
            text += f" {ALARM_MARKS[level]}"
            look = "alarm" if level.severe else "warning"
    if v.stale and v.value is not None:
        text += " (stale)"
        look = "stale"
    return text, look


def label_lines(values: list[SignalValue]) -> dict[str, list[str]]:
    """The value label of each equipment among `values` (in their order): its name, then a line per signal."""
    out: dict[str, list[str]] = {}
    for v in values:
        lines = out.setdefault(v.equipment_id, [v.equipment_name])
        mark = " (stale)" if v.stale and v.value is not None else ""
        lines.append(f"{v.signal}: {format_value(v.value, v.unit)}{mark}")
    return out
