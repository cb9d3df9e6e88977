"""Recordings of sensor values, read through DuckDB: CSV or Parquet, long or wide, seek and range queries.

Long layout: columns (time, tag, value), optionally with a text column `state` for the rows whose value is
a state (then `value` may be numeric, as `mothertwin simulate --record` writes it). Wide layout: a time
column plus one column per tag. Times are UTC: epoch seconds, or timestamps (naive timestamps are taken as
UTC). "State at t" is every tag's latest value in a window before t, `arg_max(value, time)`; on Parquet
sorted by time the window lets row-group statistics skip almost the whole file (DESIGN.md section 4: 10 ms
over 21.6 M rows).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from viewer.model.site_time import parse_site_time
from viewer.sensors.recording_csv import BIG_CSV_BYTES, CsvRecording, Progress
from viewer.sensors.recording_read import (  # the errors, options and times are taken from here too
    NoTimeColumnError,  # noqa: F401
    ReadOptions,
    RecordingError,
    RecordingInfo,
    find_time_column,
    is_numeric,
    is_timestamp,
    quote_ident,
    quote_literal,
    utc_iso,
)
from viewer.sensors.samples import Sample, SampleBuffer, Value

PARQUET_SUFFIXES = (".parquet", ".pq")
CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz")
DEFAULT_WINDOW = 30.0

_quote_literal = quote_literal
_quote_ident = quote_ident
_is_numeric = is_numeric
_is_timestamp = is_timestamp

Columns = tuple[list[str], np.ndarray, "np.ndarray | list[Value]"]  # tags, times, values (see Recording._columns)


def _python_value(value: object) -> Value:
    """Numbers as floats, also where a mixed column made them text (states and numbers in one table)."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return number if math.isfinite(number) else value
    if isinstance(value, bool):
        return value
    return float(value)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class TextValues:
    """Text where a tag's values should be numbers ("n/a", "ERR"): no measurement, so nothing is drawn for it."""

    tag: str
    column: str  # the file's column: the tag's own (wide layout) or the value column (long layout)
    count: int
    first: float
    last: float
    example: str  # the first of them
    first_line: int | None = None  # CSV: the file line of the first (line 1 is the header); None for Parquet


class Recording(CsvRecording):
    """A recording file opened for seeking. Safe to share between threads (queries are serialised).

    `options` say how its times are read (see `ReadOptions`); `notes` are what was found while reading that
    a person should know (times without an offset read as UTC, Excel days, duplicates, times going
    backwards, text in a column of numbers): the commands print them, the window shows them. `progress`
    hears how far a big CSV's conversion into the cache has come."""

    def __init__(
        self,
        path: Path,
        layout: str = "auto",
        threads: int | None = None,
        options: ReadOptions | None = None,
        progress: Progress | None = None,
        cache: Path | None = None,
        big_csv_bytes: int = BIG_CSV_BYTES,
    ) -> None:
        self.path = Path(path)
        self.options = options or ReadOptions()
        self.notes: list[str] = []
        self.cache_path: Path | None = None  # the Parquet file a big CSV is read from
        self._has_line = False  # the table has the CSV's line numbers (a converted CSV)
        if not self.path.is_file():
            raise RecordingError(f"{self.path}: recording not found")
        self._lock = threading.Lock()
        self._con = duckdb.connect(":memory:")
        self._con.execute("SET TimeZone = 'UTC'")
        # Seeking reads the footer of a big file again for every query unless it is cached.
        self._con.execute("SET parquet_metadata_cache = true")
        if threads:
            self._con.execute(f"SET threads = {int(threads)}")
        name = self.path.name.lower()
        try:
            if name.endswith(PARQUET_SUFFIXES):
                self._open_parquet(layout)
            elif name.endswith(CSV_SUFFIXES):
                self._open_csv(layout, progress, cache, big_csv_bytes)
            else:
                raise RecordingError(f"{self.path}: unknown recording format; expected .parquet or .csv")
        except BaseException:
            self._con.close()
            raise

    # ------------------------------------------------------------ set-up

    def _describe(self, scan: str) -> list[tuple]:
        try:
            return self._con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
        except duckdb.Error as exc:
            raise RecordingError(f"{self.path}: cannot read recording: {exc}") from None

    def _open_parquet(self, layout: str) -> None:
        extra = self.options.to_options().keys() - {"time_column"}
        if extra:
            raise RecordingError(
                f"{self.path}: {', '.join(sorted(extra))}: for CSV recordings only; a Parquet file has typed times"
            )
        scan = f"read_parquet({_quote_literal(str(self.path))})"
        columns = self._describe(scan)
        self._scan_for_layout = scan
        self.info = self._layout(columns, layout)
        self._scan = scan
        self._define(scan, columns, materialise=False)

    def _layout(self, columns: list[tuple], layout: str) -> RecordingInfo:
        types = {c[0]: str(c[1]) for c in columns}
        lower = {c.lower(): c for c in types}
        time_column = find_time_column(types, self.options, str(self.path))
        if time_column is not None:
            time_type = types[time_column]
            if not (_is_numeric(time_type) or _is_timestamp(time_type)):
                raise RecordingError(
                    f"{self.path}: time column {time_column!r} has type {time_type}; expected epoch seconds or "
                    f"timestamps{self._first_value_text(time_column)}. Choose another (--time-column NAME) or give "
                    "the rows a fixed rate (--rate HZ --start T)"
                )
        others = {c: t for c, t in types.items() if c != time_column}
        is_long = "tag" in {c.lower() for c in others} and "value" in {c.lower() for c in others}
        if layout == "auto":
            layout = "long" if is_long else "wide"
        if layout == "long" and not is_long:
            raise RecordingError(f"{self.path}: a long recording needs columns time, tag and value")
        state_column = None
        if layout == "long":
            value_type = types[lower["value"]]
            # States in a text column beside the numbers (`mothertwin simulate --record`): a row's state, where
            # it has one, is its value.
            if "state" in lower and not (_is_numeric(types[lower["state"]]) or _is_timestamp(types[lower["state"]])):
                state_column, value_type = lower["state"], "VARCHAR"
        else:
            if not others:
                raise RecordingError(f"{self.path}: a wide recording needs at least one value column")
            value_type = "DOUBLE" if all(_is_numeric(t) for t in others.values()) else "VARCHAR"
        is_stamp = time_column is not None and _is_timestamp(types[time_column])
        return RecordingInfo(self.path, layout, time_column or "", is_stamp, value_type, state_column)

    def _first_value_text(self, column: str) -> str:
        try:
            row = self._con.execute(
                f"SELECT CAST({_quote_ident(column)} AS VARCHAR) FROM {self._scan_for_layout} "
                f"WHERE {_quote_ident(column)} IS NOT NULL LIMIT 1"
            ).fetchone()
        except (duckdb.Error, AttributeError):
            return ""
        return f" (the first: {row[0]!r})" if row else ""

    def _define(self, scan: str, columns: list[tuple], materialise: bool) -> None:
        """The table or view `rec` (t, tag, value) over `scan`: a Parquet file (its own time column, or `t`
        in epoch seconds for a converted CSV) or the staged table of a CSV (`t` in epoch seconds)."""
        info = self.info
        if materialise or self.cache_path is not None:
            time_name, is_stamp = "__t", False
        else:
            time_name, is_stamp = info.time_column, info.time_is_timestamp
        time_ident = _quote_ident(time_name)
        time_expr = f"epoch_us({time_ident}) / 1e6" if is_stamp else f"CAST({time_ident} AS DOUBLE)"
        lower = {c[0].lower(): c[0] for c in columns}
        self._value_column = info.state_column or lower.get("value", "value")
        self._tag_column = lower.get("tag", "tag")
        if info.layout == "long":
            value = _quote_ident(lower["value"])
            if info.state_column is not None:
                # One value column for every query: a state's text, else the number (read back as a float).
                value = f"coalesce(CAST({_quote_ident(info.state_column)} AS VARCHAR), CAST({value} AS VARCHAR))"
            body = (
                f"SELECT {time_ident} AS t_raw, CAST({_quote_ident(lower['tag'])} AS VARCHAR) AS tag, "
                f"{value} AS value FROM {scan}"
            )
        else:
            value_columns = [c[0] for c in columns if c[0] not in (time_name, "__line")]
            casts = ", ".join(
                f"CAST({_quote_ident(c)} AS {info.value_type}) AS {_quote_ident(c)}" for c in value_columns
            )
            body = (
                f"UNPIVOT (SELECT {time_ident} AS t_raw, {casts} FROM {scan}) "
                f"ON {', '.join(_quote_ident(c) for c in value_columns)} INTO NAME tag VALUE value"
            )
        if materialise:
            # Table with epoch-second times: every later query filters a plain DOUBLE column.
            self._con.execute(
                f"CREATE TABLE rec AS SELECT {time_expr.replace(time_ident, 't_raw')} AS t, tag, value "
                f"FROM ({body}) ORDER BY t"
            )
            self._time_param = "?"
            self._time_out = "{}"
        else:
            self._con.execute(f"CREATE VIEW rec AS SELECT t_raw AS t, tag, value FROM ({body})")
            if is_stamp:
                # Compare raw timestamps so that Parquet statistics still prune row groups.
                self._time_param = "make_timestamp(CAST(? * 1e6 AS BIGINT))"
                self._time_out = "epoch_us({}) / 1e6"
            else:
                self._time_param = "?"
                self._time_out = "CAST({} AS DOUBLE)"

    def _query(self, sql: str, params: list[object] | None = None) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, params or []).fetchall()

    # ------------------------------------------------------------ queries

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tags(self) -> list[str]:
        return [r[0] for r in self._query("SELECT DISTINCT tag FROM rec ORDER BY tag")]

    def time_range(self) -> tuple[float, float]:
        if self.cache_path is not None:  # a converted CSV: from the row groups' statistics, not a scan
            row = self._query(f"SELECT min(__t), max(__t) FROM {self._scan}")[0]
        else:
            time_out = self._time_out.format("t")
            row = self._query(f"SELECT min({time_out}), max({time_out}) FROM rec")[0]
        if row[0] is None:
            raise RecordingError(f"{self.path}: the recording is empty")
        return float(row[0]), float(row[1])

    def row_count(self) -> int:
        return int(self._query("SELECT count(*) FROM rec")[0][0])

    def text_values(self, numeric_tags: list[str] | None = None) -> list[TextValues]:
        """Text that is no number among the values of `numeric_tags` (tags of analog signals and counters),
        or, when None, in tags that also hold numbers. Such a value is no measurement: callers say so rather
        than draw nothing without a word. One pass over the file; nothing to do for a numeric value column."""
        if self.info.value_type != "VARCHAR" or self.info.state_column is not None or numeric_tags == []:
            return []  # a numeric value column (states, if any, in a column of their own) holds no text
        is_text = "TRY_CAST(value AS DOUBLE) IS NULL"
        where, having = "value IS NOT NULL", ""
        params: list[object] = []
        if numeric_tags is not None:
            where += " AND tag IN (SELECT unnest(?))"
            params.append(list(numeric_tags))
        else:
            having = f" AND count(*) FILTER (WHERE NOT {is_text}) > 0"
        text_time = f"t) FILTER (WHERE {is_text}"
        found = self._query(
            f"SELECT tag, count(*) FILTER (WHERE {is_text}), {self._time_out.format(f'min({text_time})')}, "
            f"{self._time_out.format(f'max({text_time})')}, arg_min(CAST(value AS VARCHAR), {text_time}) "
            f"FROM rec WHERE {where} GROUP BY tag HAVING count(*) FILTER (WHERE {is_text}) > 0{having} ORDER BY tag",
            params,
        )
        csv = self.path.name.lower().endswith(CSV_SUFFIXES)
        return [
            TextValues(
                tag,
                tag if self.info.layout == "wide" else self._value_column,
                int(count),
                float(first),
                float(last),
                str(example),
                self._first_text_line(tag) if csv else None,
            )
            for tag, count, first, last, example in found
        ]

    def _first_text_line(self, tag: str) -> int | None:
        """The CSV line of a tag's first value that is text, not a number (the header is line 1)."""
        if self._has_line:  # a converted CSV keeps its lines
            if self.info.layout == "wide":
                sql = f"SELECT min(__line) FROM {self._scan} WHERE {_quote_ident(tag)} IS NOT NULL AND "
                rows = self._query(sql + f"TRY_CAST({_quote_ident(tag)} AS DOUBLE) IS NULL")
            else:
                value, tag_column = _quote_ident(self._value_column), _quote_ident(self._tag_column)
                rows = self._query(
                    f"SELECT min(__line) FROM {self._scan} WHERE CAST({tag_column} AS VARCHAR) = ? AND "
                    f"{value} IS NOT NULL AND TRY_CAST({value} AS DOUBLE) IS NULL",
                    [tag],
                )
            return None if rows[0][0] is None else int(rows[0][0])
        if self.info.layout == "wide":
            column = _quote_ident(tag)
            sql = f"SELECT {column} AS v, true AS mine FROM {self._scan}"
        else:
            column = _quote_ident(self._value_column)
            tag_column = _quote_ident(self._tag_column)
            sql = f"SELECT {column} AS v, CAST({tag_column} AS VARCHAR) = ? AS mine FROM {self._scan}"
        rows = self._query(
            f"SELECT min(n) FROM (SELECT row_number() OVER () AS n, v, mine FROM ({sql})) "
            "WHERE mine AND v IS NOT NULL AND TRY_CAST(v AS DOUBLE) IS NULL",
            [] if self.info.layout == "wide" else [tag],
        )
        return None if rows[0][0] is None else int(rows[0][0]) + 1

    def state_at(
        self, at: float, window: float | None = DEFAULT_WINDOW, tags: list[str] | None = None
    ) -> dict[str, Sample]:
        """Every tag's latest value at or before `at`, looking back at most `window` seconds (None: all)."""
        names, times, values = self.state_columns(at, window, tags)
        return {tag: Sample(tag, time, value) for tag, time, value in zip(names, times.tolist(), values, strict=True)}

    def state_columns(self, at: float, window: float | None = DEFAULT_WINDOW, tags: list[str] | None = None) -> Columns:
        """`state_at` as columns (tags, times, values; see `sample_columns`): what a seek puts into the store,
        without a Sample per tag."""
        p = self._time_param
        where = [f"t <= {p}"]
        params: list[object] = [at]
        if window is not None:
            where.append(f"t > {p}")
            params.append(at - window)
        if tags is not None:
            where.append("tag IN (SELECT unnest(?))")
            params.append(list(tags))
        return self._columns(
            f"SELECT tag, arg_max(value, t) AS value, {self._time_out.format('max(t)')} AS time "
            f"FROM rec WHERE {' AND '.join(where)} AND value IS NOT NULL GROUP BY tag",
            params,
        )

    def _columns(self, sql: str, params: list[object]) -> Columns:
        """A query's tag, time and value columns: times as floats, values a float array for a numeric column,
        else Python values as `_python_value` makes them."""
        with self._lock:
            columns = self._con.execute(sql, params).fetchnumpy()
        tags, times, values = columns["tag"], columns["time"], columns["value"]
        times = np.asarray(times, dtype=float)
        if np.ma.isMaskedArray(values):  # DuckDB masks NULLs; none are selected
            values = values.filled(np.nan) if values.dtype.kind in "fiu" else values.filled(None)
        if values.dtype.kind in "fiu":
            return tags.tolist(), times, values.astype(float)
        return tags.tolist(), times, [_python_value(v) for v in values.tolist()]

    def samples(self, start: float, end: float, tags: list[str] | None = None) -> list[Sample]:
        """Samples with start < time <= end, in time order (replay steps)."""
        p = self._time_param
        params: list[object] = [start, end]
        extra = ""
        if tags is not None:
            extra = " AND tag IN (SELECT unnest(?))"
            params.append(list(tags))
        rows = self._query(
            f"SELECT tag, {self._time_out.format('t')}, value FROM rec WHERE t > {p} AND t <= {p}{extra} "
            f"AND value IS NOT NULL ORDER BY t, tag",
            params,
        )
        return [Sample(tag, float(time), _python_value(value)) for tag, time, value in rows]

    def sample_columns(self, start: float, end: float) -> Columns:
        """`samples` as columns (tags, times, values), in no particular order: a play step at 600x reads tens
        of thousands of rows, and a Sample object per row cost more than the query."""
        p = self._time_param
        return self._columns(
            f"SELECT tag, {self._time_out.format('t')} AS time, value FROM rec "
            f"WHERE t > {p} AND t <= {p} AND value IS NOT NULL",
            [start, end],
        )

    def series(self, tag: str, start: float, end: float, bucket: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Times and values of one numeric tag; averaged per `bucket` seconds when given (downsampling). Text
        that is no number ("n/a") is NaN, a gap, not an error (`text_values` says where it is)."""
        p = self._time_param
        if bucket:
            sql = (
                f"SELECT floor(({self._time_out.format('t')}) / ?) * ? AS b, avg(TRY_CAST(value AS DOUBLE)) FROM rec "
                f"WHERE tag = ? AND t >= {p} AND t <= {p} GROUP BY b ORDER BY b"
            )
            rows = self._query(sql, [bucket, bucket, tag, start, end])
        else:
            sql = (
                f"SELECT {self._time_out.format('t')}, TRY_CAST(value AS DOUBLE) FROM rec "
                f"WHERE tag = ? AND t >= {p} AND t <= {p} ORDER BY t"
            )
            rows = self._query(sql, [tag, start, end])
        if not rows:
            return np.zeros(0), np.zeros(0)
        data = np.array(rows, dtype=float)
        return data[:, 0], data[:, 1]

    def value_summary(
        self, tags: list[str], percentiles: tuple[float, float], most_texts: int
    ) -> list[tuple[str, int, int, float | None, float | None, tuple[str, ...]]]:
        """Per tag: values, numbers among them, two percentiles of the numbers, and up to `most_texts` of
        its distinct text values (sorted). One pass over the recording, whatever its size."""
        low, high = (float(p) for p in percentiles)
        number = "TRY_CAST(value AS DOUBLE)"
        rows = self._query(
            f"SELECT tag, count(value), count({number}), quantile_cont({number}, {low!r}), "
            f"quantile_cont({number}, {high!r}), "
            f"list(DISTINCT CAST(value AS VARCHAR) ORDER BY CAST(value AS VARCHAR)) FILTER (WHERE {number} IS NULL) "
            "FROM rec WHERE value IS NOT NULL AND tag IN (SELECT unnest(?)) GROUP BY tag",
            [list(tags)],
        )
        return [
            (tag, int(n), int(numbers), lo, hi, tuple((texts or [])[: int(most_texts)]))
            for tag, n, numbers, lo, hi, texts in rows
        ]

    def _fill_limits(self, limits: dict[str, tuple[float | None, float | None]]) -> bool:
        """Put (tag, low, high) into the temporary table `_limits` for a query to join (under the lock); False
        when no tag has a limit."""
        rows = [(tag, low, high) for tag, (low, high) in limits.items() if low is not None or high is not None]
        if rows:
            self._con.execute("CREATE OR REPLACE TEMP TABLE _limits (tag VARCHAR, low DOUBLE, high DOUBLE)")
            self._con.executemany("INSERT INTO _limits VALUES (?, ?, ?)", rows)
        return bool(rows)

    def excursion_starts(
        self, limits: dict[str, tuple[float | None, float | None]], at: float, lookback: float = 3600.0
    ) -> dict[str, tuple[float, bool]]:
        """When each tag's current excursion beyond its (low, high) limits began, looking back from `at`:
        tag -> (time of its first sample beyond them since it was last within, True when that is the first
        sample of the look-back window, so the excursion may have begun earlier). Tags within their limits at
        `at` are left out. An alarm list after a jump shows when each alarm was raised, not the jump's time."""
        p = self._time_param
        with self._lock:
            if not self._fill_limits(limits):
                return {}
            found = self._con.execute(
                f"""WITH w AS (
                    SELECT r.tag, r.t, coalesce(TRY_CAST(r.value AS DOUBLE) < l.low, false)
                        OR coalesce(TRY_CAST(r.value AS DOUBLE) > l.high, false) AS beyond
                    FROM rec r JOIN _limits l USING (tag)
                    WHERE r.t <= {p} AND r.t > {p} AND r.value IS NOT NULL),
                ok AS (SELECT tag, max(t) AS last_ok FROM w WHERE NOT beyond GROUP BY tag),
                latest AS (SELECT tag, arg_max(beyond, t) AS beyond_now FROM w GROUP BY tag)
                SELECT w.tag, {self._time_out.format("min(w.t)")}, ok.last_ok IS NULL
                FROM w JOIN latest USING (tag) LEFT JOIN ok USING (tag)
                WHERE latest.beyond_now AND (ok.last_ok IS NULL OR w.t > ok.last_ok)
                GROUP BY w.tag, ok.last_ok IS NULL""",
                [at, at - lookback],
            ).fetchall()
        return {tag: (float(start), bool(before)) for tag, start, before in found}

    def beyond_limits(
        self, limits: dict[str, tuple[float | None, float | None]], buckets: int = 400
    ) -> list[tuple[float, int]]:
        """Where in time values go beyond their limits: (bucket start time, count) over `buckets` equal
        slices of the recording, for a scrub bar's alarm marks. `limits` maps tag -> (low, high)."""
        start, end = self.time_range()
        width = max(end - start, 1e-9) / buckets
        time_expr = self._time_out.format("r.t")
        with self._lock:
            if not self._fill_limits(limits):
                return []
            found = self._con.execute(
                f"SELECT least(floor(({time_expr} - ?) / ?), ?) AS b, count(*) FROM rec r JOIN _limits l USING (tag) "
                "WHERE TRY_CAST(r.value AS DOUBLE) < l.low OR TRY_CAST(r.value AS DOUBLE) > l.high "
                "GROUP BY b ORDER BY b",
                [start, width, buckets - 1],
            ).fetchall()
        return [(start + float(b) * width, int(n)) for b, n in found]


def make_synthetic_recording(
    path: Path,
    tags: int = 1000,
    seconds: int = 86_400,
    rate: float = 1.0,
    start: float = 1_735_689_600.0,  # 2025-01-01T00:00:00Z
    row_group_size: int = 100_000,
    tag_prefix: str = "SYN/T",
) -> int:
    """Write a long Parquet recording sorted by time (tags x seconds x rate rows); returns the row count.

    Values are smooth per-tag waves plus a deterministic hash "noise", so the file is the same every time.
    """
    rows = int(tags * seconds * rate)
    digits = max(4, len(str(tags - 1)))
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")
        con.execute(
            f"""COPY (
                SELECT {float(start)} + (i // {int(tags)}) / {float(rate)} AS time,
                       {_quote_literal(tag_prefix)} || lpad(CAST(i % {int(tags)} AS VARCHAR), {digits}, '0') AS tag,
                       50.0 + 10.0 * sin((i // {int(tags)}) / 600.0 + (i % {int(tags)})) +
                           (hash(i) % 1000) / 500.0 AS value
                FROM range({rows}) r(i)
            ) TO {_quote_literal(str(path))} (FORMAT parquet, ROW_GROUP_SIZE {int(row_group_size)}, COMPRESSION zstd)"""
        )
    finally:
        con.close()
    return rows


def parse_time(text: str) -> float:
    """Epoch seconds from a number or an ISO 8601 time (UTC if no offset is given)."""
    return parse_site_time(text, None)


# Messages about a recording, built in one place; `moment` writes a time for people (ISO 8601 in UTC by
# default, a site's local time with its offset where the caller knows the site).


def outside_message(
    path: Path, at: float, start: float, end: float, moment: Callable[[float], str] = utc_iso
) -> str | None:
    """What to say when `at` lies outside a recording's time range; None when it lies within."""
    if start <= at <= end:
        return None
    side = "before the recording begins" if at < start else "after the recording ends"
    return f"{path}: {moment(at)} is {side}; it runs from {moment(start)} to {moment(end)}"


def nothing_at_message(
    path: Path,
    where: str,
    at: float,
    start: float,
    end: float,
    tags: str,
    signal: str | None = None,
    moment: Callable[[float], str] = utc_iso,
) -> str:
    """What to say when no equipment of `where` has a value (of `signal`, when given) at `at`; `tags` says how
    many tags were bound and unknown."""
    value = f"a {signal} value" if signal else "a value"
    return (
        f"{path}: no equipment of {where} has {value} at {moment(at)} (the recording runs from {moment(start)} "
        f"to {moment(end)}; tags: {tags})"
    )


def text_values_message(path: Path | str, found: TextValues, moment: Callable[[float], str] = utc_iso) -> str:
    """One line on text among a tag's numbers: the file, column (and tag), count, when, and the first one."""
    where = f"column {found.column!r}" if found.column == found.tag else f"column {found.column!r}, tag {found.tag!r}"
    if found.count == 1:
        what = f"1 value is text, not a number: {found.example!r} at {moment(found.first)}"
    else:
        what = (
            f"{found.count} values are text, not numbers, from {moment(found.first)} to {moment(found.last)} "
            f"(the first: {found.example!r})"
        )
    line = f", line {found.first_line}" if found.first_line is not None else ""
    return f"{path}{line}: {where}: {what}; no measurement there, so no value is shown for it"


def utc_text(seconds: float, with_date: bool = True) -> str:
    """A time for people to read, in UTC: 2025-01-01 06:05:00 (or 06:05:00)."""
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


def state_store_at(
    recording: Recording, at: float, stale_after: float = 10.0, lookback: float = 3600.0
) -> SampleBuffer:
    """A state store holding every tag's state at `at` (for a still picture), judged stale in recording time."""
    store = SampleBuffer(stale_after=stale_after, clock=lambda: at)
    store.put(recording.state_at(at, window=lookback).values(), source="recording", arrival_is_sample_time=True)
    return store
