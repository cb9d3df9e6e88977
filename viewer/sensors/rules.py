"""Visual rules: sensor state -> one colour per equipment, as numpy arrays for `EquipmentBatch.set_colors`.

State signals pick the colour (running green, idle amber, fault red, offline grey); an analog alarm beyond
lo/hi tints orange, beyond lolo/hihi red; stale values are desaturated towards grey. In "signal" mode one
analog signal is drawn through a colour map over its limits instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from viewer.model import Limits, SignalKind
from viewer.sensors.bindings import Bindings, SignalBinding
from viewer.sensors.samples import SampleBuffer, TagState

RGB = tuple[int, int, int]
STATE_COLORS: dict[str, RGB] = {
    "running": (46, 170, 70),
    "idle": (240, 180, 20),
    "fault": (215, 40, 40),
    "offline": (128, 128, 128),
}
UNKNOWN_STATE_COLOR: RGB = (150, 110, 190)  # a state name the signal does not list: visible, not alarming
WARNING_COLOR: RGB = (255, 120, 0)
ALARM_COLOR: RGB = (215, 40, 40)
STALE_GREY: RGB = (150, 150, 150)
STALE_MIX = 0.7  # share of grey mixed into a stale colour: still tells the last state apart, clearly dim

# Blue -> teal -> green -> yellow: low to high within the limits; beyond them the alarm colours take over.
_RAMP = np.array([(49, 104, 142), (33, 145, 140), (53, 183, 121), (144, 215, 67), (253, 231, 37)], float)


class AlarmLevel(IntEnum):
    NORMAL = 0
    LO = 1
    HI = 2
    LOLO = 3
    HIHI = 4

    @property
    def severe(self) -> bool:
        return self in (AlarmLevel.LOLO, AlarmLevel.HIHI)


def alarm_level(value: float, limits: Limits) -> AlarmLevel:
    if limits.lolo is not None and value <= limits.lolo:
        return AlarmLevel.LOLO
    if limits.hihi is not None and value >= limits.hihi:
        return AlarmLevel.HIHI
    if limits.lo is not None and value < limits.lo:
        return AlarmLevel.LO
    if limits.hi is not None and value > limits.hi:
        return AlarmLevel.HI
    return AlarmLevel.NORMAL


def colormap(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """(n, 3) uint8 colours of values over [low, high] (clipped)."""
    span = high - low if high > low else 1.0
    position = np.clip((np.asarray(values, float) - low) / span, 0.0, 1.0) * (len(_RAMP) - 1)
    below = np.minimum(np.floor(position).astype(int), len(_RAMP) - 2)
    frac = (position - below)[:, None]
    return np.round(_RAMP[below] * (1 - frac) + _RAMP[below + 1] * frac).astype(np.uint8)


def colormap_range(limits: Limits) -> tuple[float, float] | None:
    low = limits.lo if limits.lo is not None else limits.lolo
    high = limits.hi if limits.hi is not None else limits.hihi
    return (low, high) if low is not None and high is not None else None


def desaturate(rgb: np.ndarray, mix: float = STALE_MIX) -> np.ndarray:
    grey = np.asarray(STALE_GREY, float)
    return np.round(np.asarray(rgb, float) * (1 - mix) + grey * mix).astype(np.uint8)


@dataclass(frozen=True, slots=True)
class Alarm:
    equipment_id: str
    signal: str
    tag: str
    level: AlarmLevel
    value: float
    time: float


@dataclass(slots=True)
class EquipmentColors:
    """Colours for the equipment that have data; the rest keep their own colours."""

    indices: np.ndarray  # (k,) int64 positions in the bound equipment list
    rgb: np.ndarray  # (k, 3) uint8
    stale: np.ndarray  # (k,) bool
    alarms: list[Alarm]


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _state_name(binding: SignalBinding, value: object) -> str:
    """State values arrive as names or as indices into the signal's state list (OPC UA enums, Parquet)."""
    if isinstance(value, str) and not value.lstrip("-").isdigit():
        return value.strip().lower()
    number = _number(value)
    states = binding.signal.states
    if number is not None and number.is_integer() and 0 <= number < len(states):
        return states[int(number)]
    return str(value).lower()


def equipment_colors(
    bindings: Bindings,
    store: SampleBuffer,
    now: float | None = None,
    signal: str | None = None,
    state_colors: dict[str, RGB] | None = None,
) -> EquipmentColors:
    """Colour every equipment that has data. `signal` names an analog signal to map instead of states;
    `state_colors` replaces some or all of STATE_COLORS (a user's own palette)."""
    palette = {**STATE_COLORS, **(state_colors or {})}
    snapshot = store.snapshot()
    stale_tags = store.stale_tags(now)
    indices: list[int] = []
    colors: list[RGB] = []
    stale: list[bool] = []
    alarms: list[Alarm] = []
    for index, own in enumerate(bindings.by_equipment):
        with_data = [(b, snapshot[b.tag]) for b in own if b.tag in snapshot]
        if not with_data:
            continue
        color, equipment_alarms = _equipment_color(with_data, signal, palette)
        alarms += equipment_alarms
        if color is None:
            continue
        indices.append(index)
        colors.append(color)
        # Judged on the signals that set the colour: the state signal, or all of them.
        stale.append(all(b.tag in stale_tags for b, _ in with_data))
    rgb = np.array(colors, dtype=np.uint8).reshape(-1, 3)
    stale_mask = np.array(stale, dtype=bool)
    if stale_mask.any():
        rgb[stale_mask] = desaturate(rgb[stale_mask])
    return EquipmentColors(np.array(indices, dtype=np.int64), rgb, stale_mask, alarms)


def _equipment_color(
    with_data: list[tuple[SignalBinding, TagState]], mapped_signal: str | None, palette: dict[str, RGB]
) -> tuple[RGB | None, list[Alarm]]:
    alarms: list[Alarm] = []
    state_color: RGB | None = None
    mapped: RGB | None = None
    analog_ok = False
    for binding, state in with_data:
        sig = binding.signal
        value = state.sample.value
        if sig.kind is SignalKind.STATE:
            name = _state_name(binding, value)
            state_color = palette.get(name, UNKNOWN_STATE_COLOR)
            continue
        number = _number(value)
        if number is None or sig.kind is SignalKind.COUNTER:
            continue
        analog_ok = True
        level = alarm_level(number, sig.limits)
        if level is not AlarmLevel.NORMAL:
            alarms.append(Alarm(binding.equipment_id, sig.name, binding.tag, level, number, state.sample.time))
        if mapped_signal is not None and sig.name == mapped_signal:
            span = colormap_range(sig.limits)
            mapped = tuple(colormap(np.array([number]), *span)[0]) if span else None  # type: ignore[assignment]
    # Equipment with measurements but no state signal: green while within limits.
    fallback = palette["running"] if analog_ok else None
    color = mapped if mapped_signal is not None else (state_color or fallback)
    if alarms and (mapped_signal is None or mapped is not None):
        worst = max(a.level for a in alarms)
        color = ALARM_COLOR if worst.severe else (WARNING_COLOR if color != palette["fault"] else color)
    return color, alarms
