"""Reading a CSV recording: its columns' types (decimal commas, text further down than DuckDB looked), its
times (`ReadOptions`: a time column, a fixed rate, a time zone, Excel days), what is wrong with them
(duplicates, times going backwards, rows with no time), and for a big file the one-time conversion into a
Parquet file in the cache, with progress, that seeks without holding the file in memory.

A mix-in of `Recording` (viewer.sensors.recording): it fills the same DuckDB connection, notes and layout.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import duckdb

from viewer.paths import cache_dir
from viewer.sensors.recording_read import (
    EPOCH_MS_FROM,
    EXCEL_DAYS_RANGE,
    EXCEL_EPOCH_DAYS,
    SITE_ZONE,
    ReadOptions,
    RecordingError,
    RecordingInfo,
    bad_value_of,
    count_text,
    is_timestamp,
    quote_ident,
    quote_literal,
    utc_iso,
)

# A CSV this big is converted once into a Parquet file in the cache (sorted by time, row groups), with
# progress, and queried there: seekable without holding it in memory. Smaller ones are read into memory.
BIG_CSV_BYTES = 64 * 1024 * 1024
CACHE_VERSION = 1
CACHE_ROW_GROUP = 100_000
TIME_SAMPLE_ROWS = 1000  # rows looked at to tell Excel days or milliseconds from epoch seconds

Progress = Callable[[float, str], None]  # (fraction done 0..1, what is being done)


class CsvRecording:
    """The CSV half of `Recording`: everything until the table or view `rec` is defined."""

    path: Path
    options: ReadOptions
    notes: list[str]
    info: RecordingInfo
    cache_path: Path | None
    _con: duckdb.DuckDBPyConnection
    _scan: str
    _scan_for_layout: str
    _has_line: bool

    def _describe(self, scan: str) -> list[tuple]:
        raise NotImplementedError

    def _layout(self, columns: list[tuple], layout: str) -> RecordingInfo:
        raise NotImplementedError

    def _define(self, scan: str, columns: list[tuple], materialise: bool) -> None:
        raise NotImplementedError

    def _csv_scan(self, decimal_comma: bool, types: dict[str, str]) -> str:
        args = ["auto_detect = true"]
        if decimal_comma:
            args.append("decimal_separator = ','")
        if types:
            listed = ", ".join(f"{quote_literal(c)}: {quote_literal(t)}" for c, t in types.items())
            args.append(f"types = {{{listed}}}")
        return f"read_csv({quote_literal(str(self.path))}, {', '.join(args)})"

    def _decimal_comma_columns(self, scan: str, columns: list[tuple]) -> list[str]:
        """Text columns whose values all look like numbers with a decimal comma ("12,5"), in the first rows."""
        text = [c[0] for c in columns if str(c[1]) == "VARCHAR"]
        if not text:
            return []
        checks = ", ".join(
            f"count({q}) = count(*) FILTER (WHERE regexp_full_match({q}, '[+-]?[0-9]+(,[0-9]+)?')) "
            f"AND count(*) FILTER (WHERE contains({q}, ',')) > 0"
            for q in (quote_ident(c) for c in text)
        )
        row = self._con.execute(f"SELECT {checks} FROM (SELECT * FROM {scan} LIMIT {TIME_SAMPLE_ROWS})").fetchone()
        return [c for c, found in zip(text, row or (), strict=True) if found]

    def _open_csv(self, layout: str, progress: Progress | None, cache: Path | None, big_csv_bytes: int) -> None:
        options = self.options
        if options.timezone == SITE_ZONE:
            raise RecordingError(f"{self.path}: timezone 'site': no site is known here; name the zone, e.g. Asia/Seoul")
        decimal_comma = options.decimal == ","
        overrides: dict[str, str] = {}
        scan = self._csv_scan(decimal_comma, overrides)
        columns = self._describe(scan)
        if options.decimal is None:
            found = self._decimal_comma_columns(scan, columns)
            if found:
                decimal_comma = True
                scan = self._csv_scan(True, overrides)
                columns = self._describe(scan)
                shown = ", ".join(repr(c) for c in found[:5]) + (" ..." if len(found) > 5 else "")
                self.notes.append(
                    f"{self.path}: decimal commas in {shown}: '12,5' read as 12.5 (--decimal . if ',' separates "
                    "thousands)"
                )
        big = self.path.stat().st_size >= big_csv_bytes
        cached = self._cache_file(layout, cache) if big else None
        if cached is not None and cached.is_file() and cached.with_suffix(".json").is_file():
            self._use_cache(cached, layout)
            return
        while True:
            self._scan_for_layout = scan
            self.info = self._layout(columns, layout)
            body = self._staged_body(scan, columns)
            try:
                if cached is not None:
                    self._convert(body, cached, progress)
                else:
                    self._con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS {body}")
                break
            except duckdb.ConversionException as exc:
                bad = bad_value_of(exc)
                if bad is None or bad.column in overrides:
                    raise RecordingError(f"{self.path}: cannot read recording: {exc}") from None
                at = f", line {bad.line}" if bad.line is not None else ""
                if bad.column == self.info.time_column:
                    raise RecordingError(
                        f"{self.path}{at}: time column {bad.column!r}: {bad.value!r} is no time like the rows "
                        f"before it ({bad.expected})"
                    ) from None
                # Text further down than DuckDB looked to guess the column's type: read the column as text
                # (numbers in it still read as numbers) and say where it began.
                overrides[bad.column] = "VARCHAR"
                self.notes.append(
                    f"{self.path}{at}: column {bad.column!r}: {bad.value!r} is not a {bad.expected} like the values "
                    "before it; the column is read as text"
                )
                scan = self._csv_scan(decimal_comma, overrides)
                columns = self._describe(scan)
        self._scan = scan
        if cached is None:
            self.notes.extend(self._check_times("staged", dedupe_into="staged"))
            self._define("staged", self._staged_columns(columns), materialise=True)
            self._con.execute("DROP TABLE staged")
        else:
            self._use_cache(cached, layout)

    def _staged_columns(self, columns: list[tuple]) -> list[tuple]:
        """The staged table's columns (t, then the value columns; no line) as DESCRIBE gives them."""
        info = self.info
        return [("__t", "DOUBLE")] + [c for c in columns if c[0] != info.time_column]

    def _staged_body(self, scan: str, columns: list[tuple]) -> str:
        """SELECT line, t (epoch seconds), value columns... from the CSV, in file order; notes on how times read."""
        info, options = self.info, self.options
        numbered = f"(SELECT row_number() OVER () + 1 AS __line, * FROM {scan})"  # line 1 is the header
        values = ", ".join(quote_ident(c[0]) for c in columns if c[0] != info.time_column)
        if not info.time_column:
            rate, start = float(options.rate or 1.0), float(options.start_seconds() or 0.0)
            time_expr = f"{start!r} + (__line - 2) / {rate!r}"
        else:
            time_expr = self._time_expr(scan, info.time_column, dict((c[0], str(c[1])) for c in columns))
        return f"SELECT __line, {time_expr} AS __t, {values} FROM {numbered}"

    def _time_expr(self, scan: str, column: str, types: dict[str, str]) -> str:
        """SQL for a time column as epoch seconds (UTC), and a note on how it was read where it was guessed."""
        options, ident, duck_type = self.options, quote_ident(column), types[column].upper()
        zone_name = options.timezone
        if duck_type.startswith("TIMESTAMP WITH TIME ZONE") or duck_type == "TIMESTAMPTZ":
            return f"epoch_us({ident}) / 1e6"
        if is_timestamp(duck_type):
            if zone_name:
                return f"epoch_us(timezone({quote_literal(zone_name)}, CAST({ident} AS TIMESTAMP))) / 1e6"
            self.notes.append(
                f"{self.path}: times in column {column!r} have no UTC offset: read as UTC (--timezone ZONE, "
                "e.g. the site's zone, if they are local times)"
            )
            return f"epoch_us(CAST({ident} AS TIMESTAMP)) / 1e6"
        start = options.start_seconds()
        if start is not None:
            self.notes.append(f"{self.path}: column {column!r} read as seconds since {utc_iso(start)}")
            return f"{start!r} + CAST({ident} AS DOUBLE)"
        low, high = self._con.execute(
            f"SELECT min(CAST({ident} AS DOUBLE)), max(CAST({ident} AS DOUBLE)) FROM "
            f"(SELECT {ident} FROM {scan} LIMIT {TIME_SAMPLE_ROWS})"
        ).fetchone() or (None, None)
        if low is not None and EXCEL_DAYS_RANGE[0] <= low and high <= EXCEL_DAYS_RANGE[1]:
            days = f"(CAST({ident} AS DOUBLE) - {EXCEL_EPOCH_DAYS})"
            where = zone_name or "UTC (--timezone ZONE if they are local times)"
            self.notes.append(
                f"{self.path}: column {column!r} read as Excel serial days (day 0 is 1899-12-30), in {where}"
            )
            if zone_name:
                moment = f"make_timestamp(CAST(round({days} * 86400e6) AS BIGINT))"
                return f"epoch_us(timezone({quote_literal(zone_name)}, {moment})) / 1e6"
            return f"{days} * 86400.0"
        if low is not None and low >= EPOCH_MS_FROM:
            self.notes.append(f"{self.path}: column {column!r} read as epoch milliseconds")
            return f"CAST({ident} AS DOUBLE) / 1000.0"
        return f"CAST({ident} AS DOUBLE)"

    def _check_times(self, table: str, dedupe_into: str | None) -> list[str]:
        """What is wrong with the times of a staged table (line, t, ...): rows with no time (left out), times
        going backwards (read sorted), duplicate time stamps (the last row of each is kept). With
        `dedupe_into`, the table without the left-out rows is written there."""
        notes: list[str] = []
        long = self.info.layout == "long"
        key = "__t, CAST(" + quote_ident(self._tag_name()) + " AS VARCHAR)" if long else "__t"
        partition = f"PARTITION BY CAST({quote_ident(self._tag_name())} AS VARCHAR) " if long else ""
        found = self._con.execute(
            f"""WITH w AS (SELECT __line AS line, __t AS t, lag(__t) OVER ({partition}ORDER BY __line) AS prev,
                    row_number() OVER (PARTITION BY {key} ORDER BY __line) AS k FROM {table})
                SELECT count(*) FILTER (WHERE t IS NULL OR isnan(t)),
                       count(*) FILTER (WHERE t < prev), min(line) FILTER (WHERE t < prev),
                       arg_min(t, line) FILTER (WHERE t < prev), arg_min(prev, line) FILTER (WHERE t < prev),
                       count(*) FILTER (WHERE again), min(line) FILTER (WHERE again),
                       arg_min(t, line) FILTER (WHERE again)
                FROM (SELECT *, k > 1 AND t IS NOT NULL AS again FROM w)"""
        ).fetchone()
        assert found is not None  # an aggregate gives one row
        no_time, backwards, first_back, back_t, back_prev, duplicates, first_dup, dup_t = found
        if no_time:
            notes.append(f"{self.path}: {count_text(no_time, 'row')} with no time: left out")
        if backwards:
            notes.append(
                f"{self.path}, line {first_back}: times go backwards ({utc_iso(back_t)} after {utc_iso(back_prev)}), "
                f"{count_text(backwards, 'time')} in all; the rows are read sorted by time"
            )
        if duplicates:
            per = "tag and time stamp" if long else "time stamp"
            notes.append(
                f"{self.path}, line {first_dup}: {count_text(duplicates, 'row')} with the {per} of an earlier row "
                f"(the first: {utc_iso(dup_t)}); the last row of each {per} is kept"
            )
        if dedupe_into and (no_time or duplicates):
            self._con.execute(
                f"CREATE OR REPLACE TEMP TABLE __kept AS SELECT * FROM {table} "
                "WHERE __t IS NOT NULL AND NOT isnan(__t) "
                f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY __line DESC) = 1"
            )
            self._con.execute(f"CREATE OR REPLACE TEMP TABLE {dedupe_into} AS SELECT * FROM __kept")
            self._con.execute("DROP TABLE __kept")
        return notes

    def _tag_name(self) -> str:
        return next((c for c in self._value_names() if c.lower() == "tag"), "tag")

    def _value_names(self) -> list[str]:
        return [c[0] for c in self._con.execute(f"DESCRIBE SELECT * FROM {self._scan_for_layout}").fetchall()]

    # ------------------------------------------------------------ the cache of a big CSV

    def _cache_file(self, layout: str, cache: Path | None) -> Path:
        stat = self.path.stat()
        key = json.dumps(
            [CACHE_VERSION, str(self.path.resolve()), stat.st_size, stat.st_mtime_ns, layout, self.options.to_options()]
        )
        folder = Path(cache) if cache is not None else cache_dir() / "recordings"
        return folder / f"{self.path.stem}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.parquet"

    def _run(self, sql: str, progress: Progress | None, span: tuple[float, float], what: str) -> None:
        """Run a long query; with `progress`, tell it how far DuckDB says the query has come."""
        if progress is None:
            self._con.execute(sql)
            return
        self._con.execute("SET enable_progress_bar = true")
        self._con.execute("SET enable_progress_bar_print = false")
        failed: list[BaseException] = []
        done = threading.Event()

        def work() -> None:
            try:
                self._con.execute(sql)
            except BaseException as exc:  # handed to the caller's thread
                failed.append(exc)
            finally:
                done.set()

        worker = threading.Thread(target=work, name="recording-convert", daemon=True)
        worker.start()
        progress(span[0], what)
        while not done.wait(0.25):
            percent = self._con.query_progress()
            if percent >= 0:
                progress(span[0] + (span[1] - span[0]) * min(percent, 100.0) / 100.0, what)
        worker.join()
        if failed:
            raise failed[0]
        progress(span[1], what)

    def _convert(self, body: str, cached: Path, progress: Progress | None) -> None:
        """Convert the CSV once into `cached` (Parquet sorted by time, with its lines), then check its times;
        written beside under a temporary name and renamed, so a cache file is never half-written."""
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        self._con.execute(f"SET temp_directory = {quote_literal(str(cached.parent / '.duckdb-spill'))}")
        write = f"(FORMAT parquet, ROW_GROUP_SIZE {CACHE_ROW_GROUP}, COMPRESSION zstd)"
        try:
            what = f"reading {self.path.name} into the cache"
            self._run(
                f"COPY (SELECT * FROM ({body}) ORDER BY __t, __line) TO {quote_literal(str(temporary))} {write}",
                progress,
                (0.0, 0.85),
                what,
            )
            scan = f"read_parquet({quote_literal(str(temporary))})"
            self._con.execute(f"CREATE OR REPLACE TEMP VIEW converted AS SELECT * FROM {scan}")
            self._scan_for_layout = scan
            notes = self._check_times("converted", dedupe_into=None)
            if any(" of an earlier row " in n or " with no time: " in n for n in notes):
                long = self.info.layout == "long"
                key = f"__t, CAST({quote_ident(self._tag_name())} AS VARCHAR)" if long else "__t"
                again = temporary.with_name(temporary.name + "2")
                self._run(
                    f"COPY (SELECT * FROM {scan} WHERE __t IS NOT NULL AND NOT isnan(__t) "
                    f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY __line DESC) = 1 ORDER BY __t, __line) "
                    f"TO {quote_literal(str(again))} {write}",
                    progress,
                    (0.85, 1.0),
                    f"keeping one row per time of {self.path.name}",
                )
                os.replace(again, temporary)
            self._con.execute("DROP VIEW converted")
            self.notes.extend(notes)
            sidecar = {"notes": self.notes, "time_column": self.info.time_column}
            from viewer.io.atomic import atomic_write_text

            if progress is not None:
                progress(1.0, f"{self.path.name} read")  # its times checked too
            os.replace(temporary, cached)
            atomic_write_text(cached.with_suffix(".json"), json.dumps(sidecar, indent=1) + "\n")
        finally:
            for leftover in (temporary, temporary.with_name(temporary.name + "2")):
                if leftover.exists():
                    leftover.unlink()

    def _use_cache(self, cached: Path, layout: str) -> None:
        """Query the converted CSV: Parquet with t in epoch seconds, sorted, so seeks prune row groups."""
        sidecar = json.loads(cached.with_suffix(".json").read_text(encoding="utf-8"))
        self.notes = list(sidecar.get("notes", []))
        scan = f"read_parquet({quote_literal(str(cached))})"
        columns = [c for c in self._describe(scan) if c[0] != "__line"]
        info = self._layout_of_cache(columns, layout, sidecar.get("time_column", ""))
        self.info = info
        self.cache_path = cached
        self._has_line = True
        self._scan = scan
        self._define(scan, columns, materialise=False)

    def _layout_of_cache(self, columns: list[tuple], layout: str, time_column: str) -> RecordingInfo:
        saved, self.options = self.options, ReadOptions(time_column="__t")
        try:
            info = self._layout(columns, layout)
        finally:
            self.options = saved
        return RecordingInfo(self.path, info.layout, time_column, False, info.value_type, info.state_column)
