"""Recordings as plants write them: no time column, a time column under another name, local time, Excel
days, `;` with decimal commas, duplicates, times going backwards, text past DuckDB's type guess, a big CSV
read through a Parquet cache with progress; and the signals an equipment gets from a recording's columns."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pytest

from viewer.app.recording_signals import SetSignals, guess_unit, make_signals_from_recording, signals_from_recording
from viewer.cli import main
from viewer.io import load_document, save_document
from viewer.model import SignalKind
from viewer.sensors import Bindings, NoTimeColumnError, ReadOptions, Recording, RecordingError, parse_time
from viewer.sensors.config import SourceSettings, resolve_site_zone

T0 = 1_735_689_600.0  # 2025-01-01T00:00:00Z
CNC_START = "2025-01-01T09:00:00+09:00"  # T0, written as Ochang's local time


def write_cnc(path, rows: int = 200, columns: int = 48):
    """A CNC export: `columns` columns at 10 Hz, no time column. Column k holds k * 1000 + row."""
    names = ["Spindle speed [rpm]", "temp_C", "pressure_bar", "spindle_load_pct"]
    names += [f"axis_{k:02d}_mm" for k in range(len(names), columns)]
    lines = [",".join(names)]
    lines += [",".join(str(k * 1000 + row) for k in range(columns)) for row in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path, names


def test_a_csv_with_no_time_column_is_refused_with_its_columns_and_the_way_out(tmp_path):
    path, names = write_cnc(tmp_path / "cnc.csv", rows=20, columns=4)
    with pytest.raises(NoTimeColumnError) as caught:
        Recording(path)  # before: the spindle speed was taken as the time, silently
    text = str(caught.value)
    assert text.startswith(f"{path}: no time column found")
    assert "'Spindle speed [rpm]' (BIGINT), 'temp_C' (BIGINT), 'pressure_bar' (BIGINT)" in text
    assert "--time-column NAME" in text and "--rate HZ --start T" in text
    assert caught.value.columns == names
    with pytest.raises(RecordingError, match=r"no column 'Zeit' \(the time column asked for\); columns: 'Spindle"):
        Recording(path, options=ReadOptions(time_column="Zeit"))


def test_rows_at_a_fixed_rate_from_a_start_in_local_time(tmp_path):
    path, _ = write_cnc(tmp_path / "cnc.csv", rows=50, columns=4)
    options = ReadOptions(rate=10, start="2025-01-01T09:00:00", timezone="Asia/Seoul")
    with Recording(path, options=options) as rec:
        assert rec.time_range() == pytest.approx((T0, T0 + 4.9))
        state = rec.state_at(T0 + 1.25)  # row 12 is at 1.2 s
        assert state["temp_C"].value == 1012.0 and state["temp_C"].time == pytest.approx(T0 + 1.2)
        assert state["Spindle speed [rpm]"].value == 12.0
        assert rec.notes == []  # nothing was guessed
    with pytest.raises(RecordingError, match="need the time of the first row: --start T"):
        ReadOptions(rate=10)
    with pytest.raises(RecordingError, match="either a time column or a rate"):
        ReadOptions(rate=10, start="0", time_column="x")
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        ReadOptions(timezone="Mars/Olympus")


def test_a_time_column_under_another_name_in_local_time_with_decimal_commas(tmp_path):
    path = tmp_path / "historian.csv"
    path.write_text(
        "Zeitstempel;Temperatur [°C];Druck_bar\n"
        "2025-01-01 09:00:00;12,5;1,25\n"
        "2025-01-01 09:00:10;13,5;1,5\n"
    )
    with Recording(path, options=ReadOptions(timezone="Asia/Seoul")) as rec:
        assert rec.info.time_column == "Zeitstempel"
        assert rec.time_range() == (T0, T0 + 10)
        state = rec.state_at(T0 + 5)
        assert state["Temperatur [°C]"].value == 12.5 and state["Druck_bar"].value == 1.25
        assert rec.notes == [
            f"{path}: decimal commas in 'Temperatur [°C]', 'Druck_bar': '12,5' read as 12.5 (--decimal . if ',' "
            "separates thousands)"
        ]
    with Recording(path) as rec:  # no zone given: read as UTC, and said
        assert rec.time_range()[0] == T0 + 9 * 3600
        assert any("have no UTC offset: read as UTC (--timezone ZONE" in note for note in rec.notes)
    # A time column found by its type, whatever its name.
    other = tmp_path / "press.csv"
    other.write_text("force_kN,Aufgezeichnet\n1.5,2025-01-01T00:00:00Z\n2.5,2025-01-01T00:00:01Z\n")
    with Recording(other) as rec:
        assert rec.info.time_column == "Aufgezeichnet" and rec.state_at(T0 + 1)["force_kN"].value == 2.5


def test_excel_serial_days_are_read_as_such_and_said(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("Date,level\n45658.25,1\n45658.5,2\n")  # 2025-01-01 06:00 and 12:00
    with Recording(path) as rec:
        assert rec.time_range() == (T0 + 6 * 3600, T0 + 12 * 3600)
        assert "read as Excel serial days (day 0 is 1899-12-30), in UTC" in rec.notes[0]
    with Recording(path, options=ReadOptions(timezone="Europe/Berlin")) as rec:
        assert rec.time_range() == (T0 + 5 * 3600, T0 + 11 * 3600)  # local times, UTC+01:00 in winter


def test_duplicates_and_times_going_backwards_are_said_and_read_the_same_every_time(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text(
        "time,a\n"
        f"{T0},1\n"
        f"{T0 + 2},2\n"
        f"{T0 + 2},3\n"  # line 4: the same time as line 3; the later row wins
        f"{T0 + 1},4\n"  # line 5: back in time
        f"{T0 + 3},5\n"
        f"{T0 + 3},6\n"
    )
    for big in (False, True):  # in memory, and through the Parquet cache
        kwargs = {"big_csv_bytes": 1, "cache": tmp_path / "cache"} if big else {}
        with Recording(path, **kwargs) as rec:
            assert (rec.cache_path is not None) is big
            assert [s.value for s in rec.samples(T0 - 1, T0 + 10)] == [1.0, 4.0, 3.0, 6.0]
            assert rec.state_at(T0 + 2)["a"].value == 3.0
            assert rec.notes == [
                f"{path}, line 5: times go backwards (2025-01-01T00:00:01Z after 2025-01-01T00:00:02Z), 1 time in "
                "all; the rows are read sorted by time",
                f"{path}, line 4: 2 rows with the time stamp of an earlier row (the first: 2025-01-01T00:00:02Z); "
                "the last row of each time stamp is kept",
            ]


def test_text_in_a_number_column_past_the_rows_duckdb_looked_at(tmp_path):
    path = tmp_path / "mixed.csv"
    rows = [f"{T0 + i},{i * 0.5},{i}" for i in range(30_000)]
    rows[25_000] = f"{T0 + 25_000},ERR,25000"  # line 25002 (the header is line 1)
    path.write_text("time,load,count\n" + "\n".join(rows) + "\n")
    with Recording(path) as rec:
        assert rec.notes == [
            f"{path}, line 25002: column 'load': 'ERR' is not a DOUBLE like the values before it; the column is "
            "read as text"
        ]
        (found,) = rec.text_values()
        assert (found.column, found.first_line, found.example, found.count) == ("load", 25002, "ERR", 1)
        assert rec.state_at(T0 + 25_001)["load"].value == 12_500.5  # the numbers still read as numbers
    bad_time = tmp_path / "bad_time.csv"
    bad_time.write_text("time,a\n" + "".join(f"{T0 + i},1\n" for i in range(30_000)) + "soon,1\n")
    with pytest.raises(RecordingError, match=r"bad_time.csv, line 30002: time column 'time': 'soon' is no time"):
        Recording(bad_time)


def test_a_big_csv_is_converted_once_with_progress_and_seeks_in_the_cache(tmp_path):
    path = tmp_path / "line.csv"
    duckdb.sql(
        f"COPY (SELECT {T0} + i / 10.0 AS time, i % 97 AS a, (i * 7) % 89 AS b FROM range(400000) r(i)) "
        f"TO '{path}' (HEADER)"
    )
    seen: list[tuple[float, str]] = []
    cache = tmp_path / "cache"
    rec = Recording(path, big_csv_bytes=1_000_000, cache=cache, progress=lambda f, what: seen.append((f, what)))
    assert seen[0] == (0.0, "reading line.csv into the cache") and seen[-1][0] == 1.0
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    assert rec.cache_path is not None and rec.cache_path.parent == cache and rec.cache_path.suffix == ".parquet"
    # `rec` is a view over the Parquet file, not a table in memory.
    assert rec._query("SELECT count(*) FROM duckdb_views() WHERE view_name = 'rec'")[0][0] == 1
    assert rec._query("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'rec'")[0][0] == 0
    assert rec.time_range() == pytest.approx((T0, T0 + 39_999.9))
    state = rec.state_at(T0 + 12_345.6)
    assert (state["a"].value, state["b"].value) == (123_456 % 97, (123_456 * 7) % 89)
    rec.close()
    again: list[float] = []
    with Recording(path, big_csv_bytes=1_000_000, cache=cache, progress=lambda f, w: again.append(f)) as rec:
        assert again == []  # the cache is read, not made again
        assert rec.state_at(T0 + 1.0)["a"].value == 10.0
    assert sorted(p.suffix for p in cache.iterdir() if p.is_file()) == [".json", ".parquet"]  # nothing half-written
    assert json.loads(rec.cache_path.with_suffix(".json").read_text())["notes"] == []


def test_a_60_mb_csv_reads_through_the_cache_within_seconds(tmp_path):
    import time

    path = tmp_path / "cnc-big.csv"
    columns = ", ".join(f"round(50 + 10 * sin(i / 100.0 + {k}), 3) AS c{k:02d}_C" for k in range(48))
    duckdb.sql(f"COPY (SELECT {columns} FROM range(180000) r(i)) TO '{path}' (HEADER)")
    assert path.stat().st_size > 50e6
    started = time.perf_counter()
    options = ReadOptions(rate=10, start="2025-01-01T00:00:00Z")
    with Recording(path, options=options, cache=tmp_path / "cache") as rec:
        opened = time.perf_counter() - started
        seek_started = time.perf_counter()
        state = rec.state_at(T0 + 9_000.05)
        seek = time.perf_counter() - seek_started
    assert state["c00_C"].value == pytest.approx(round(50 + 10 * np.sin(90_000 / 100.0), 3))
    assert opened < 30.0 and seek < 1.0, (opened, seek)


def test_render_says_what_is_missing_and_reads_a_cnc_export_with_rate_and_start(demo_path, tmp_path, capsys):
    path, _ = write_cnc(tmp_path / "cnc.csv", rows=50, columns=4)
    png = tmp_path / "x.png"
    code = main(["render", str(demo_path), "-o", str(png), "--recording", str(path), "--at", CNC_START])
    assert code == 2 and not png.exists()
    assert "no time column found" in capsys.readouterr().err
    code = main(
        ["render", str(demo_path), "-o", str(png), "--recording", str(path), "--at", CNC_START, "--rate", "10",
         "--start", "2025-01-01T09:00:00", "--timezone", "site"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1  # read: its columns are no tag of the demo plant, so nothing to colour
    assert "the recording runs from 2025-01-01 09:00:00 (UTC+09:00) to 2025-01-01 09:00:04 (UTC+09:00)" in err
    assert main(["render", str(demo_path), "-o", str(png), "--decimal", ","]) == 2
    assert "need --recording" in capsys.readouterr().err


def test_units_are_read_from_column_names():
    assert guess_unit("Spindle speed [rpm]") == ("Spindle speed", "rpm")
    assert guess_unit("temp_C") == ("temp", "degC")
    assert guess_unit("pressure_bar") == ("pressure", "bar")
    assert guess_unit("Feed (mm/min)") == ("Feed", "mm/min")
    assert guess_unit("Load in %") == ("Load", "%")
    assert guess_unit("spindle_load_pct") == ("spindle_load", "%")
    assert guess_unit("speed_factor") == ("speed_factor", "")
    assert guess_unit("Temperature") == ("Temperature", "")


def test_signals_from_a_recording_have_percentile_limits_are_bound_and_one_undo_step(demo_path, library, tmp_path):
    path = tmp_path / "rig.csv"
    lines = ["time,temp_C,mode"]
    lines += [f"{T0 + i},{i},{'auto' if i % 2 else 'manual'}" for i in range(101)]  # temp 0..100
    path.write_text("\n".join(lines) + "\n")
    with Recording(path) as rec:
        signals, skipped = signals_from_recording(rec)
    assert skipped == []
    mode, temp = signals  # in the order of the tags
    assert (temp.name, temp.unit, temp.kind, temp.tag) == ("temp", "degC", SignalKind.ANALOG, "temp_C")
    assert temp.guessed and mode.guessed
    limits = temp.limits
    assert (limits.lo, limits.hi) == (1.0, 99.0)  # p1 and p99 of 0..100
    assert (limits.lolo, limits.hihi) == (1.0 - 0.25 * 98, 99.0 + 0.25 * 98)
    assert (mode.kind, mode.states, mode.tag) == (SignalKind.STATE, ["auto", "manual"], "mode")

    document = load_document(demo_path, library)
    equipment = next(p.equipment for p in document.iter_equipment() if p.equipment.id == "OC-ELE1-COT-01")
    before = list(equipment.signals)
    made = make_signals_from_recording(document, equipment.id, path, ReadOptions())
    assert isinstance(made.command, SetSignals) and "Signals from rig.csv" in made.command.text
    made.command.redo(document)
    assert [s.tag for s in equipment.signals] == ["mode", "temp_C"]
    bindings = Bindings.for_site(document, "OC")
    assert {"mode", "temp_C"} <= set(bindings.by_tag)  # the columns themselves, not the site's template
    saved = tmp_path / "plant.mtplant.json"
    save_document(document, saved)
    reread = next(p.equipment for p in load_document(saved, library).iter_equipment() if p.equipment.id == equipment.id)
    assert [(s.name, s.tag, s.guessed, s.limits) for s in reread.signals] == [
        (s.name, s.tag, s.guessed, s.limits) for s in equipment.signals
    ]
    made.command.undo(document)
    assert equipment.signals == before


def test_timezone_site_is_the_zone_of_the_site_shown():
    settings = SourceSettings("recording", "r", "x.csv", options={"timezone": "site", "rate": 10})
    assert resolve_site_zone(settings, "America/Detroit").options == {"timezone": "America/Detroit", "rate": 10}
    assert resolve_site_zone(settings, None).options["timezone"] == "UTC"
    with pytest.raises(RecordingError, match="timezone 'site': no site is known here"):
        ReadOptions(timezone="site", start="2025-01-01T00:00:00").start_seconds()
    assert parse_time(CNC_START) == T0
