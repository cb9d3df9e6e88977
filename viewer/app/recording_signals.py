"""Signals from a recording: an equipment's signals made from a machine export's columns and bound to them.

A CNC, a press or a test rig writes its own CSV: one column per quantity, named by whoever wrote the
export ("Spindle speed [rpm]", "temp_C", "pressure_bar"). Each column becomes a signal of the equipment:
its name without the unit, the unit read from the name where it can be, alarm limits from the data's
percentiles (LO/HI at p1/p99, LOLO/HIHI a quarter of that range beyond), bound to the column through the
signal's own tag, and marked `guessed` so nobody takes the limits for the process engineer's. One undoable
edit (`SetSignals`). No Qt: the window's Sensors menu and tests run the same code.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

from viewer.app.history import History
from viewer.model import Limits, PlantDocument, Signal, SignalKind
from viewer.model.edit import locate
from viewer.model.undo import Command
from viewer.sensors.recording import ReadOptions, Recording, RecordingError

LOW_PERCENTILE, HIGH_PERCENTILE = 0.01, 0.99
BEYOND = 0.25  # LOLO / HIHI this share of the LO..HI range beyond LO and HI
MOST_STATES = 24  # a text column with more distinct values than this is no machine state

# Units written in column names, as the plant documents write them ("degC", "rpm", "bar"); matched exactly
# after a separator, so that "temp_C" is degC but "speed_factor" has no unit.
UNITS = {
    "c": "degC",
    "°c": "degC",
    "degc": "degC",
    "celsius": "degC",
    "k": "K",
    "f": "degF",
    "°f": "degF",
    "rpm": "rpm",
    "1/min": "rpm",
    "u/min": "rpm",
    "bar": "bar",
    "mbar": "mbar",
    "pa": "Pa",
    "kpa": "kPa",
    "mpa": "MPa",
    "psi": "psi",
    "a": "A",
    "ma": "mA",
    "v": "V",
    "mv": "mV",
    "kv": "kV",
    "w": "W",
    "kw": "kW",
    "kwh": "kWh",
    "hz": "Hz",
    "khz": "kHz",
    "nm": "N*m",
    "n": "N",
    "kn": "kN",
    "mm": "mm",
    "um": "um",
    "µm": "um",
    "m": "m",
    "cm": "cm",
    "mm/s": "mm/s",
    "mm/min": "mm/min",
    "m/min": "m/min",
    "m/s": "m/s",
    "m/s2": "m/s2",
    "m/s^2": "m/s2",
    "g": "g",
    "kg": "kg",
    "s": "s",
    "ms": "ms",
    "min": "min",
    "h": "h",
    "%": "%",
    "pct": "%",
    "percent": "%",
    "l/min": "l/min",
    "m3/h": "m3/h",
    "deg": "deg",
    "°": "deg",
    "rad": "rad",
    "db": "dB",
    "ppm": "ppm",
    "mm2/s": "mm2/s",
}
_BRACKETED = re.compile(r"^(?P<name>.*?)\s*[\[(](?P<unit>[^\])]+)[\])]\s*$")
_IN_UNIT = re.compile(r"^(?P<name>.*?)\s+in\s+(?P<unit>\S+)$", re.IGNORECASE)
_SUFFIX = re.compile(r"^(?P<name>.+?)[_\s\-.](?P<unit>[^_\s\-.]+)$")


def guess_unit(column: str) -> tuple[str, str]:
    """(signal name, unit) from a column's name: 'Spindle speed [rpm]' -> ('Spindle speed', 'rpm'),
    'temp_C' -> ('temp', 'degC'), 'pressure_bar' -> ('pressure', 'bar'); ('speed_factor', '') when no
    unit is written in it."""
    text = column.strip()
    for pattern in (_BRACKETED, _IN_UNIT, _SUFFIX):
        found = pattern.match(text)
        if found:
            unit = UNITS.get(found.group("unit").strip().lower())
            name = found.group("name").strip()
            if unit and name:
                return name, unit
    return text, ""


@dataclass(frozen=True, slots=True)
class ColumnSummary:
    """What a recording holds in one column (tag): numbers' percentiles, or a text column's values."""

    tag: str
    count: int
    numeric: int  # values that are numbers
    low: float | None  # p1
    high: float | None  # p99
    states: tuple[str, ...] = ()  # a text column's distinct values (at most MOST_STATES + 1)


def summarise_columns(history: History, tags: list[str] | None = None) -> list[ColumnSummary]:
    """Per tag of the recording: how many values, how many numbers, their p1 and p99, text values."""
    summarise = getattr(history, "value_summary", None)
    if summarise is None:
        raise ValueError(f"{history.path}: signals are made from a recording file (CSV or Parquet)")
    wanted = tags if tags is not None else history.tags()
    found = {
        tag: ColumnSummary(tag, n, numbers, low, high, texts)
        for tag, n, numbers, low, high, texts in summarise(wanted, (LOW_PERCENTILE, HIGH_PERCENTILE), MOST_STATES + 1)
    }
    return [found[t] for t in wanted if t in found]


def signal_from(summary: ColumnSummary, taken: set[str]) -> Signal | None:
    """The signal a column becomes (None for an empty column): a number column analog with limits from its
    percentiles, a text column with few values a state; bound to the column, marked guessed."""
    if summary.count == 0:
        return None
    name, unit = guess_unit(summary.tag)
    if name in taken or not name:
        name = summary.tag  # two columns would give one name ("temp_C", "temp_F"): the column's own
    taken.add(name)
    if summary.numeric >= summary.count * 0.5 and summary.low is not None and summary.high is not None:
        limits = Limits()
        span = summary.high - summary.low
        if span > 0:  # a constant (a flag never set) has no range to alarm on
            limits = Limits(
                _round(summary.low - BEYOND * span), _round(summary.low), _round(summary.high),
                _round(summary.high + BEYOND * span),
            )  # fmt: skip
        return Signal(name, unit, SignalKind.ANALOG, limits, [], tag=summary.tag, guessed=True)
    if summary.states and len(summary.states) <= MOST_STATES:
        return Signal(name, "", SignalKind.STATE, Limits(), list(summary.states), tag=summary.tag, guessed=True)
    return None


def _round(value: float) -> float:
    """Six significant digits: limits people read, not float noise."""
    return float(f"{value:.6g}")


def signals_from_recording(history: History, tags: list[str] | None = None) -> tuple[list[Signal], list[str]]:
    """Signals for a recording's columns (all, or `tags`), and the columns left out with why."""
    signals: list[Signal] = []
    skipped: list[str] = []
    taken: set[str] = set()
    for summary in summarise_columns(history, tags):
        signal = signal_from(summary, taken)
        if signal is None:
            skipped.append(f"{summary.tag!r}: text with more than {MOST_STATES} values, neither numbers nor states")
        else:
            signals.append(signal)
    return signals, skipped


@dataclass
class SetSignals(Command):
    """Replace an equipment's signals (Signals from Recording); undo puts the old ones back."""

    equipment_id: str
    signals: list[Signal]
    text: str = "Signals from recording"
    old: list[Signal] | None = None

    def redo(self, document: PlantDocument) -> set[str]:
        (path,) = locate(document, [self.equipment_id])
        self.old = path.equipment.signals
        path.equipment.signals = copy.deepcopy(self.signals)
        return {self.equipment_id}

    def undo(self, document: PlantDocument) -> set[str]:
        (path,) = locate(document, [self.equipment_id])
        if self.old is not None:
            path.equipment.signals = self.old
        return {self.equipment_id}


@dataclass(frozen=True, slots=True)
class SignalsFromRecording:
    """What Signals from Recording makes for one equipment: the edit, and what to tell about it."""

    command: SetSignals
    equipment_name: str
    notes: list[str]  # how the recording's times were read, what was wrong in it
    skipped: list[str]  # columns left out, with why

    def summary(self, url: str) -> str:
        return (
            f"{self.equipment_name}: {len(self.command.signals)} signals from the columns of {url}, bound to them; "
            "units and limits (LO/HI at the data's 1st/99th percentile) are guessed: check them in the inspector"
        )


def make_signals_from_recording(
    document: PlantDocument, equipment_id: str, path: Path, options: ReadOptions
) -> SignalsFromRecording:
    """The edit that gives an equipment the signals of a recording's columns. Raises NoTimeColumnError (ask
    which column holds the time), RecordingError or EditError (say why)."""
    (where,) = locate(document, [equipment_id])
    with Recording(path, options=options) as recording:
        signals, skipped = signals_from_recording(recording)
        notes = list(recording.notes)
    if not signals:
        raise RecordingError(f"{path}: no column holds numbers or a few states to make a signal of")
    name = where.equipment.name
    command = SetSignals(equipment_id, signals, text=f"Signals from {path.name} for {name}")
    return SignalsFromRecording(command, name, notes, [f"{name}: left out {text}" for text in skipped])
