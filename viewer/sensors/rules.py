"""Visual rules: sensor state -> one colour per equipment, as numpy arrays for `EquipmentBatch.set_colors`.

State signals pick the colour (running green, idle amber, fault red, offline dark grey); equipment measured
but without a state signal are a light neutral while their values are within limits. A value beyond LO/HI
turns the equipment orange (a warning), beyond LOLO/HIHI violet (an alarm): a process alarm is not a
machine fault, so it never borrows the fault's red, nor the selection's magenta. Stale values are the last
colour paled and drawn two-tone (every other point near white), which no live colour is. In "signal" mode
one analog signal is drawn through a colour map over its limits instead.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from viewer.model import Limits, SignalKind
from viewer.sensors.bindings import Bindings, SignalBinding
from viewer.sensors.samples import BOOLEAN, TEXT, SampleBuffer

RGB = tuple[int, int, int]
STATE_COLORS: dict[str, RGB] = {
    "running": (46, 170, 70),
    "idle": (240, 180, 20),
    "fault": (215, 40, 40),
    "offline": (84, 88, 94),  # dark: switched off reads as "nothing there", unlike a pale stale colour
}
UNKNOWN_STATE_COLOR: RGB = (70, 130, 180)  # a state name the signal does not list: visible, not alarming
WARNING_COLOR: RGB = (255, 120, 0)
ALARM_COLOR: RGB = (140, 50, 215)  # violet: unlike the fault's red and the selection's magenta (255, 0, 200)
# Measured, within limits, no state signal: known to be fine, not known to run, so not "running" green.
NO_STATE_COLOR: RGB = (226, 226, 218)
STALE_GREY: RGB = (200, 200, 200)
STALE_PALE: RGB = (250, 250, 250)  # the second tone of a stale equipment, on every other point
# Coloured by one signal: equipment without it step back, so that their own colours (often blue) are not
# read as values on the map.
WITHOUT_SIGNAL_COLOR: RGB = (214, 214, 210)
STALE_MIX = 0.6  # share of pale grey mixed into a stale colour: still tells the last state apart, clearly dim
ALERT_KEYS = ("warning", "alarm")  # palette entries that are not machine states
DEFAULT_PALETTE: dict[str, RGB] = {**STATE_COLORS, "warning": WARNING_COLOR, "alarm": ALARM_COLOR}
OKABE_ITO = "Colour-blind safe (Okabe-Ito)"
# Presets of Sensors > State Colours. Okabe & Ito's eight colours stay apart for red-green and blue-yellow
# colour blindness: the fault (vermillion), the warning (orange) and the alarm (reddish purple) included.
PALETTE_PRESETS: dict[str, dict[str, RGB]] = {
    "Default": DEFAULT_PALETTE,
    OKABE_ITO: {
        "running": (0, 158, 115),  # bluish green
        "idle": (86, 180, 233),  # sky blue
        "fault": (213, 94, 0),  # vermillion
        "offline": (70, 70, 70),  # near the set's black, light enough to show the shape
        "warning": (230, 159, 0),  # orange
        "alarm": (204, 121, 167),  # reddish purple
    },
}

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


def palette_of(colors: dict[str, RGB] | None) -> dict[str, RGB]:
    """A user's palette (some or all of DEFAULT_PALETTE's entries) over the defaults."""
    return {**DEFAULT_PALETTE, **(colors or {})}


def preset_of(colors: dict[str, RGB] | None) -> str:
    """The name of the preset these colours are, or "" for the user's own."""
    palette = palette_of(colors)
    return next((name for name, preset in PALETTE_PRESETS.items() if palette_of(preset) == palette), "")


LegendEntry = tuple[str, RGB] | tuple[str, RGB, RGB]  # a name and its colour, or its two tones


def legend_entries(
    state_colors: dict[str, RGB] | None = None, flashing: bool = False, signal: str | None = None
) -> list[LegendEntry]:
    """What each colour of the sensor view means, in the order a legend lists them; `state_colors` is the
    user's palette over DEFAULT_PALETTE, `flashing` says that alarms flash (the window, not a still picture),
    `signal` the analog signal the equipment are coloured by instead of their state (see equipment_colors).
    The stale entry has two colours: stale equipment are drawn two-tone."""
    palette = palette_of(state_colors)
    kinds: list[LegendEntry]
    if signal is None:
        kinds = [(name, tuple(palette[name])) for name in ("running", "idle", "fault", "offline")]  # type: ignore[misc]
        kinds.append(("measured, no state signal", NO_STATE_COLOR))
        stale_base = np.asarray(palette["running"])
    else:
        ramp = colormap(np.array([0.0, 0.5, 1.0]), 0.0, 1.0)
        names = (f"{signal} at LO", "half-way from LO to HI", "at HI")
        kinds = [(name, tuple(int(c) for c in rgb)) for name, rgb in zip(names, ramp, strict=True)]  # type: ignore[misc]
        kinds.append((f"no {signal}", WITHOUT_SIGNAL_COLOR))
        stale_base = ramp[1]
    stale = tuple(int(c) for c in desaturate(stale_base))
    return [
        *kinds,
        ("beyond LO / HI: warning" + (", flashes" if flashing else ""), tuple(palette["warning"])),  # type: ignore[list-item]
        ("beyond LOLO / HIHI: alarm" + (", flashes" if flashing else ""), tuple(palette["alarm"])),  # type: ignore[list-item]
        ("stale: no recent data (pale, two-tone)", stale, STALE_PALE),  # type: ignore[list-item]
    ]


def colorable_signals(bindings: Bindings) -> list[str]:
    """Names of the analog signals that a colour map can show (those with a LO..HI range), sorted."""
    names = {
        b.signal.name
        for own in bindings.by_equipment
        for b in own
        if b.signal.kind is SignalKind.ANALOG and colormap_range(b.signal.limits) is not None
    }
    return sorted(names)


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

    @property
    def alt_rgb(self) -> np.ndarray:
        """The second tone per equipment (every other point): STALE_PALE for stale ones, else their colour."""
        alt = self.rgb.reshape(-1, 3).copy()
        alt[self.stale] = STALE_PALE
        return alt


# Signal kinds as small codes for the per-tag arrays; anything that is neither a state nor a counter is analog,
# as the per-equipment rule read it.
_ANALOG, _STATE, _COUNTER = 0, 1, 2
_PLAN_CACHE_SIZE = 8


@dataclass(frozen=True, slots=True)
class _Plan:
    """What `equipment_colors` needs from a Bindings, as arrays in flat order (equipment, then binding)."""

    count: int  # equipment
    bindings: list[SignalBinding]  # flat; read only for the few tags in alarm
    tags: list[str]
    owner: np.ndarray  # int64 equipment index per tag
    kind: np.ndarray  # int8 _ANALOG, _STATE or _COUNTER
    limits: np.ndarray  # (4, n) lolo, lo, hi, hihi; NaN where absent (compares False, as a None limit)
    span: np.ndarray  # (2, n) colour map low, high; NaN where the signal has no range
    has_span: np.ndarray  # bool
    by_name: dict[str, np.ndarray]  # analog signal name -> its tag positions
    names: list[str]  # distinct state names over all state lists
    state_start: np.ndarray  # int64 start of a tag's state list in `state_names`
    state_count: np.ndarray  # int64 length of that list (0 for other kinds)
    state_names: np.ndarray  # int64 positions in `names`


# id(bindings) -> (weak reference, size signature, plan). Bindings is an unhashable dataclass, hence no
# WeakKeyDictionary; the weak reference tells a reused id apart, the signature a list grown in place.
_plans: dict[int, tuple[weakref.ref, tuple[int, int], _Plan]] = {}


def _plan(bindings: Bindings) -> _Plan:
    by_equipment = bindings.by_equipment
    signature = (len(by_equipment), sum(map(len, by_equipment)))
    cached = _plans.get(id(bindings))
    if cached is not None and cached[0]() is bindings and cached[1] == signature:
        return cached[2]
    plan = _make_plan(by_equipment)
    if cached is None or cached[0]() is not bindings:
        # The plan holds the bindings' signals: let it go with them, not only when the cache is full.
        weakref.finalize(bindings, _plans.pop, id(bindings), None)
    if len(_plans) >= _PLAN_CACHE_SIZE:
        _plans.pop(next(iter(_plans)), None)
    _plans[id(bindings)] = (weakref.ref(bindings), signature, plan)
    return plan


def prepare_colors(bindings: Bindings) -> None:
    """Work out what `equipment_colors` needs of these bindings now (a worker thread can, for a big site),
    rather than on the first colour update."""
    _plan(bindings)


def _make_plan(by_equipment: list[list[SignalBinding]]) -> _Plan:
    flat = [b for own in by_equipment for b in own]
    n = len(flat)
    kind = np.zeros(n, np.int8)
    limits = np.full((4, n), np.nan)
    span = np.full((2, n), np.nan)
    by_name: dict[str, list[int]] = {}
    names: dict[str, int] = {}
    state_start = np.zeros(n, np.int64)
    state_count = np.zeros(n, np.int64)
    state_names: list[int] = []
    for i, binding in enumerate(flat):
        sig = binding.signal
        if sig.kind is SignalKind.STATE:
            kind[i] = _STATE
            state_start[i], state_count[i] = len(state_names), len(sig.states)
            state_names += [names.setdefault(s, len(names)) for s in sig.states]
            continue
        if sig.kind is SignalKind.COUNTER:
            kind[i] = _COUNTER
            continue
        lim = sig.limits
        limits[:, i] = [np.nan if x is None else x for x in (lim.lolo, lim.lo, lim.hi, lim.hihi)]
        low_high = colormap_range(lim)
        if low_high is not None:
            span[:, i] = low_high
        by_name.setdefault(sig.name, []).append(i)
    return _Plan(
        count=len(by_equipment),
        bindings=flat,
        tags=[b.tag for b in flat],
        owner=np.repeat(np.arange(len(by_equipment), dtype=np.int64), [len(own) for own in by_equipment]),
        kind=kind,
        limits=limits,
        span=span,
        has_span=~np.isnan(span).any(axis=0),
        by_name={name: np.array(positions, np.int64) for name, positions in by_name.items()},
        names=list(names),
        state_start=state_start,
        state_count=state_count,
        state_names=np.array(state_names, np.int64),
    )


def _text_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _last_per_owner(owners: np.ndarray) -> np.ndarray:
    """Mask of the last entry of each run of equal owners (owners sorted): the binding that wins, as the
    per-equipment loop let the last one overwrite."""
    return np.append(owners[1:] != owners[:-1], True) if len(owners) else np.zeros(0, bool)


def equipment_colors(
    bindings: Bindings,
    store: SampleBuffer,
    now: float | None = None,
    signal: str | None = None,
    state_colors: dict[str, RGB] | None = None,
) -> EquipmentColors:
    """Colour every equipment that has data. `signal` names an analog signal to map instead of states;
    `state_colors` replaces some or all of DEFAULT_PALETTE (a user's own palette: states, warning, alarm).

    Runs every GUI update over all tags: numpy over the store's columns, Python only per distinct text and
    per tag in alarm. A Bindings' signals (kinds, limits, states) are read once and cached: re-bind after
    editing them."""
    palette = palette_of(state_colors)
    state_palette = {name: rgb for name, rgb in palette.items() if name not in ALERT_KEYS}
    plan = _plan(bindings)
    columns = store.columns(plan.tags, now)
    present, kind, value = columns.present, columns.kind, columns.value
    owner = plan.owner
    count = plan.count

    has_data = np.zeros(count, bool)
    has_data[owner[present]] = True
    fresh = np.zeros(count, bool)
    fresh[owner[present & ~columns.stale]] = True

    # Analog numbers: finite numbers and booleans; a text counts when float() reads it (even "nan", "inf").
    analog = np.flatnonzero(present & (plan.kind == _ANALOG))
    numbers = value[analog]
    akind = kind[analog]
    measured = np.isfinite(numbers) & (akind != TEXT)
    text = np.flatnonzero(akind == TEXT)
    if len(text):
        codes, inverse = np.unique(numbers[text].astype(np.int64), return_inverse=True)
        read = [_text_number(columns.texts[c]) for c in codes.tolist()]
        numbers[text] = np.array([math.nan if r is None else r for r in read])[inverse]
        measured[text] = np.array([r is not None for r in read])[inverse]
    analog, numbers = analog[measured], numbers[measured]
    analog_ok = np.zeros(count, bool)
    analog_ok[owner[analog]] = True

    # alarm_level's order: later assignments win, so the most important test goes last.
    lolo, lo, hi, hihi = plan.limits[:, analog]
    level = np.zeros(len(analog), np.int8)
    with np.errstate(invalid="ignore"):  # a text "nan" compares False everywhere: NORMAL, as before
        level[numbers > hi] = AlarmLevel.HI
        level[numbers < lo] = AlarmLevel.LO
        level[numbers >= hihi] = AlarmLevel.HIHI
        level[numbers <= lolo] = AlarmLevel.LOLO
    in_alarm = np.flatnonzero(level)
    worst = np.zeros(count, np.int8)
    np.maximum.at(worst, owner[analog[in_alarm]], level[in_alarm])
    alarms: list[Alarm] = []
    for i in in_alarm.tolist():
        position = int(analog[i])
        binding = plan.bindings[position]
        alarms.append(
            Alarm(
                binding.equipment_id,
                binding.signal.name,
                binding.tag,
                AlarmLevel(int(level[i])),
                float(numbers[i]),
                float(columns.time[position]),
            )
        )

    rgb = np.zeros((count, 3), np.uint8)
    if signal is None:
        rgb[analog_ok] = NO_STATE_COLOR  # measurements but no state signal: neutral while within limits
        colored = analog_ok.copy()
        states = np.flatnonzero(present & (plan.kind == _STATE))
        last = _last_per_owner(owner[states])
        states = states[last]
        rgb[owner[states]] = _state_colors(plan, states, value[states], kind[states], columns.texts, state_palette)
        colored[owner[states]] = True
        tinted = worst > 0
    else:
        mapped = plan.by_name.get(signal, np.zeros(0, np.int64))
        mapped = mapped[np.isin(mapped, analog, assume_unique=True)]
        mapped = mapped[_last_per_owner(owner[mapped])]
        mapped = mapped[plan.has_span[mapped]]  # the last one wins even without a range: no colour then
        mapped_values = numbers[np.searchsorted(analog, mapped)]
        mapped_values_ok = ~np.isnan(mapped_values)  # a text "nan" has no place on the map: no colour
        mapped = mapped[mapped_values_ok]
        low, high = plan.span[:, mapped]
        rgb[owner[mapped]] = _colormap_each(mapped_values[mapped_values_ok], low, high)
        colored = np.zeros(count, bool)
        colored[owner[mapped]] = True
        tinted = (worst > 0) & colored
    severe = tinted & (worst >= AlarmLevel.LOLO)
    # A warning does not hide a fault: the fault colour already says more.
    warning = tinted & ~severe & ~(rgb == np.asarray(palette["fault"])).all(axis=1)
    rgb[severe] = palette["alarm"]
    rgb[warning] = palette["warning"]

    indices = np.flatnonzero(colored & has_data)
    out_rgb = rgb[indices]
    # Judged on every signal with data: stale when none of them is fresh.
    stale = ~fresh[indices]
    if stale.any():
        out_rgb[stale] = desaturate(out_rgb[stale])
    return EquipmentColors(indices.astype(np.int64), out_rgb, stale, alarms)


def with_the_rest_grey(colors: EquipmentColors, count: int) -> EquipmentColors:
    """`colors` plus every other of `count` equipment in WITHOUT_SIGNAL_COLOR: what a view coloured by one
    signal shows, so that the equipment without it step back."""
    rest = np.setdiff1d(np.arange(count, dtype=np.int64), colors.indices)
    indices = np.concatenate([colors.indices, rest])
    order = np.argsort(indices, kind="stable")
    grey = np.tile(np.array(WITHOUT_SIGNAL_COLOR, np.uint8), (len(rest), 1))
    return EquipmentColors(
        indices[order],
        np.concatenate([colors.rgb.reshape(-1, 3), grey])[order],
        np.concatenate([colors.stale, np.zeros(len(rest), bool)])[order],
        colors.alarms,
    )


def _colormap_each(values: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """`colormap` with a range per value: the same arithmetic element by element."""
    span = np.where(high > low, high - low, 1.0)
    position = np.clip((values - low) / span, 0.0, 1.0) * (len(_RAMP) - 1)
    below = np.minimum(np.floor(position).astype(int), len(_RAMP) - 2)
    frac = (position - below)[:, None]
    return np.round(_RAMP[below] * (1 - frac) + _RAMP[below + 1] * frac).astype(np.uint8)


def _state_colors(
    plan: _Plan,
    positions: np.ndarray,
    values: np.ndarray,
    kinds: np.ndarray,
    texts: list[str],
    palette: dict[str, RGB],
) -> np.ndarray:
    """Colours of state values, which arrive as names or as indices into the signal's state list (OPC UA
    enums, Parquet). Names are case- and space-insensitive; a list entry is taken as written."""
    out = np.zeros((len(positions), 3), np.uint8)
    number = np.where(kinds == TEXT, np.nan, values)  # NaN: no index (a name, or a text that is no number)
    number[~np.isfinite(number)] = np.nan
    done = np.zeros(len(positions), bool)
    text = np.flatnonzero(kinds == TEXT)
    if len(text):
        codes, inverse = np.unique(values[text].astype(np.int64), return_inverse=True)
        by_code = np.zeros((len(codes), 3), np.uint8)
        is_name = np.zeros(len(codes), bool)
        code_number = np.full(len(codes), np.nan)
        for j, code in enumerate(codes.tolist()):
            name = texts[code]
            if not name.lstrip("-").isdigit():
                is_name[j] = True
                by_code[j] = palette.get(name.strip().lower(), UNKNOWN_STATE_COLOR)
            else:
                read = _text_number(name)  # digits, or digits float() refuses ("²")
                code_number[j] = math.nan if read is None or not math.isfinite(read) else read
        out[text] = by_code[inverse]
        done[text] = is_name[inverse]
        number[text] = code_number[inverse]
    count = plan.state_count[positions]
    with np.errstate(invalid="ignore"):
        indexed = ~done & (number == np.floor(number)) & (number >= 0) & (number < count)
    if indexed.any():
        names = plan.state_names[plan.state_start[positions[indexed]] + number[indexed].astype(np.int64)]
        table = [palette.get(name, UNKNOWN_STATE_COLOR) for name in plan.names]
        out[indexed] = np.array(table, np.uint8).reshape(-1, 3)[names]
    # The rest (an index beyond the list, 2.5, a huge digit string) is rare: its text, as a name.
    for i in np.flatnonzero(~done & ~indexed).tolist():
        k = int(kinds[i])
        raw = texts[int(values[i])] if k == TEXT else bool(values[i]) if k == BOOLEAN else float(values[i])
        out[i] = palette.get(str(raw).lower(), UNKNOWN_STATE_COLOR)
    return out
