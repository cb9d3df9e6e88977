"""A selected equipment's signal values as the value labels, the inspector and the trend show them. No Qt."""

from __future__ import annotations

import math
from dataclasses import dataclass

from viewer.model import SignalKind
from viewer.sensors.rules import AlarmLevel
from viewer.ui.explore.inspector_rows import unit_text


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


# The marks of an alarm level beside a value, the same shapes as the Alarms dock's icons.
ALARM_MARKS = {AlarmLevel.LOLO: "◆ LOLO", AlarmLevel.LO: "▼ LO", AlarmLevel.HI: "▲ HI", AlarmLevel.HIHI: "◆ HIHI"}


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
