"""How a recording's times are read: which column holds them (or a fixed rate from a start), in which time
zone, in which unit; and what is said about them (duplicates, times going backwards, Excel days).

Plants write their exports every way: a CNC with no time column at 10 Hz, a historian's `Zeitstempel` in
local time, Excel serial days, `;` with decimal commas. Nothing is guessed silently: a file with no column
that can be the time is refused with its columns listed and the way out (`time_column`, or `rate` with
`start`), and every guess that was made is kept as a note that the window and the commands show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from viewer.model.site_time import parse_site_time, zone

# Column names taken as the time, compared lower-case with a unit in brackets and spaces/underscores removed.
TIME_NAMES = frozenset(
    {
        "time",
        "timestamp",
        "datetime",
        "ts",
        "t",
        "date",
        "timestamputc",
        "utctime",
        "timeutc",
        "localtime",
        "zeit",
        "zeitstempel",
        "datum",
        "datumzeit",
        "epoch",
        "epochs",
        "unixtime",
        "sampletime",
    }
)
EXCEL_EPOCH_DAYS = 25569  # 1970-01-01 as an Excel serial day (day 0 is 1899-12-30)
EXCEL_DAYS_RANGE = (20_000.0, 80_000.0)  # 1954 to 2119: serial days, never epoch seconds of a real plant
EPOCH_MS_FROM = 1e11  # epoch seconds this large are the year 5138: such times are milliseconds
OPTION_KEYS = ("time_column", "rate", "start", "timezone", "decimal")
SITE_ZONE = "site"  # timezone: the zone of the site the recording is shown on (`ReadOptions.for_site`)


class RecordingError(ValueError):
    pass


class NoTimeColumnError(RecordingError):
    """No column of the file can be taken as the time; `columns` are the file's columns, to choose from."""

    def __init__(self, message: str, columns: list[str]) -> None:
        super().__init__(message)
        self.columns = columns


def time_name_key(name: str) -> str:
    """'Time [s]' -> 'time', 'Timestamp (UTC)' -> 'timestamputc', 'date_time' -> 'datetime'."""
    text = re.sub(r"\[[^\]]*\]", "", name).replace("(", "").replace(")", "")
    return re.sub(r"[\s_\-.]", "", text).lower()


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read a recording's times; the settings of the recording source (`SourceSettings.options`), so
    the window and the command line read a file the same way.

    time_column: the column holding the time (else one named like a time, else one holding timestamps).
    rate, start: no time column; the rows are `rate` per second from `start` (every column is a value).
    start alone, with a numeric time column: the times are seconds since `start` (a CNC's relative time).
    timezone: the IANA zone of times written without an offset (and of `start`); None: UTC, said as a note.
    decimal: "," for decimal commas ("12,5"); None: found from the values.
    """

    time_column: str | None = None
    rate: float | None = None
    start: str | None = None
    timezone: str | None = None
    decimal: str | None = None

    def __post_init__(self) -> None:
        if self.rate is not None and not self.rate > 0:
            raise RecordingError(f"rate {self.rate!r}: expected rows per second above 0 (e.g. --rate 10)")
        if self.rate is not None and self.time_column:
            raise RecordingError("give either a time column or a rate with a start, not both")
        if self.rate is not None and self.start is None:
            raise RecordingError("rows at a fixed rate need the time of the first row: --start T")
        if self.decimal not in (None, ",", "."):
            raise RecordingError(f"decimal separator {self.decimal!r}: expected ',' or '.'")
        if self.timezone and self.timezone != SITE_ZONE:
            zone(self.timezone)  # ValueError naming the zone
        if self.start is not None and self.timezone != SITE_ZONE:
            self.start_seconds()

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ReadOptions:
        """The read options among a source's settings (other keys, such as `speed`, are left alone)."""
        rate = options.get("rate")
        start = options.get("start")
        try:
            return cls(
                time_column=options.get("time_column") or None,
                rate=None if rate in (None, "") else float(rate),
                start=None if start in (None, "") else str(start),
                timezone=options.get("timezone") or None,
                decimal=options.get("decimal") or None,
            )
        except ValueError as exc:
            raise RecordingError(str(exc)) from None

    def to_options(self) -> dict[str, Any]:
        """The options that are set, for `SourceSettings.options`."""
        return {key: getattr(self, key) for key in OPTION_KEYS if getattr(self, key) is not None}

    def for_site(self, site_zone: str | None) -> ReadOptions:
        """These options with timezone "site" made the site's zone (UTC for a site without one)."""
        if self.timezone != SITE_ZONE:
            return self
        return replace(self, timezone=site_zone or "UTC")

    def start_seconds(self) -> float | None:
        """`start` as epoch seconds: an ISO 8601 time (in `timezone` unless it has an offset) or epoch seconds."""
        if self.start is None:
            return None
        if self.timezone == SITE_ZONE:
            raise RecordingError("timezone 'site': no site is known here; name the zone, e.g. --timezone Asia/Seoul")
        try:
            return parse_site_time(self.start, self.timezone)
        except ValueError as exc:
            raise RecordingError(f"start {self.start!r}: {exc}") from None

    def is_default(self) -> bool:
        return not self.to_options()


def find_time_column(types: dict[str, str], options: ReadOptions, where: str) -> str | None:
    """The column holding the time; None with a fixed rate. NoTimeColumnError when none can be (listing the
    columns and the way out); RecordingError for a time column asked for that is not there."""
    if options.rate is not None:
        return None
    if options.time_column:
        if options.time_column in types:
            return options.time_column
        by_lower = {c.lower(): c for c in types}
        if options.time_column.lower() in by_lower:
            return by_lower[options.time_column.lower()]
        raise RecordingError(
            f"{where}: no column {options.time_column!r} (the time column asked for); columns: {_listed(types)}"
        )
    named = [c for c in types if time_name_key(c) in TIME_NAMES]
    if named:
        # The first time-like name that holds times wins; else the first one (its type is then reported).
        return next((c for c in named if is_time_type(types[c])), named[0])
    stamped = [c for c in types if is_timestamp(types[c])]
    if stamped:
        return stamped[0]
    first = next(iter(types))
    raise NoTimeColumnError(
        f"{where}: no time column found: no column is named like a time (time, timestamp, datetime, date, ts, "
        f"t) or holds timestamps, and the first is not taken as the time column {first!r} unasked. "
        f"Columns: {_listed(types)}. Say which column holds the time (--time-column NAME), or give the rows a "
        "fixed rate (--rate HZ --start T)",
        list(types),
    )


def _listed(types: dict[str, str], most: int = 30) -> str:
    names = list(types)
    shown = ", ".join(f"{n!r} ({types[n]})" for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def is_numeric(duck_type: str) -> bool:
    return duck_type.upper().split("(")[0] in {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "FLOAT",
        "DOUBLE",
        "REAL",
        "DECIMAL",
        "BOOLEAN",
    }


def is_timestamp(duck_type: str) -> bool:
    return duck_type.upper().startswith(("TIMESTAMP", "DATE"))


def is_time_type(duck_type: str) -> bool:
    return is_timestamp(duck_type) or (is_numeric(duck_type) and duck_type.upper() != "BOOLEAN")


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ------------------------------------------------------------ DuckDB's CSV conversion errors

_BAD_LINE = re.compile(r"CSV Error on Line: (\d+)")
_BAD_VALUE = re.compile(r'converting column "((?:[^"]|"")*)"\. Could not convert string "((?:[^"]|"")*)" to \'?(\w+)')


@dataclass(frozen=True, slots=True)
class BadValue:
    """A value DuckDB could not read as its column's type (found after the rows it guessed the type from)."""

    column: str
    line: int | None
    value: str
    expected: str


def bad_value_of(error: Exception) -> BadValue | None:
    """The column, line and value of a CSV conversion error; None for any other error."""
    text = str(error)
    value = _BAD_VALUE.search(text)
    if value is None:
        return None
    line = _BAD_LINE.search(text)
    return BadValue(
        value.group(1).replace('""', '"'),
        int(line.group(1)) if line else None,
        value.group(2).replace('""', '"'),
        value.group(3),
    )


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    path: Path
    layout: str  # "long" or "wide"
    time_column: str
    time_is_timestamp: bool
    value_type: str
    state_column: str | None = None  # long layout: text states beside a numeric value column


def utc_iso(seconds: float) -> str:
    """ISO 8601 in UTC that `parse_time` reads back: 2025-01-01T06:05:00Z (milliseconds when not whole)."""
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(seconds, UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


def count_text(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
