"""What recordings hold and what is said about it: text among numbers, times outside a recording, and the
numbers `simulate --record` writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pytest

from viewer.cli import main
from viewer.io import load_document
from viewer.sensors import Recording
from viewer.sensors.simulator import STATES

T0 = 1_735_689_600.0  # 2025-01-01T00:00:00Z
OVEN = "OC/OC-ELE1/OC-ELE1-COAT/OC-ELE1-COT-01/oven_temperature"


def coater_oven_tag(demo_path: Path) -> str:
    document = load_document(demo_path)
    path = next(p for p in document.iter_equipment() if p.equipment.id == "OC-ELE1-COT-01")
    return f"{path.site.id}/{path.line.id}/{path.cell.id}/{path.equipment.id}/oven_temperature"


def test_text_among_numbers_is_said_with_file_line_column_count_and_times(tmp_path):
    from viewer.sensors.recording import text_values_message

    wide = tmp_path / "wide.csv"
    wide.write_text(
        "time,A/temp,A/state\n"
        "2025-01-01T00:00:00Z,12.5,running\n"
        "2025-01-01T00:00:01Z,n/a,idle\n"
        "2025-01-01T00:00:02Z,13.0,running\n"
        "2025-01-01T00:00:03Z,ERR,running\n",
        encoding="utf-8",
    )
    with Recording(wide) as rec:
        found = rec.text_values()  # only the column that also holds numbers: states are text by nature
        assert [(f.tag, f.column, f.count, f.first, f.last, f.example, f.first_line) for f in found] == [
            ("A/temp", "A/temp", 2, T0 + 1, T0 + 3, "n/a", 3)
        ]
        assert text_values_message(wide, found[0]) == (
            f"{wide}, line 3: column 'A/temp': 2 values are text, not numbers, from 2025-01-01T00:00:01Z to "
            "2025-01-01T00:00:03Z (the first: 'n/a'); no measurement there, so no value is shown for it"
        )
        times, values = rec.series("A/temp", T0, T0 + 3)  # a gap in a trend, not an error
        assert times.tolist() == [T0, T0 + 1, T0 + 2, T0 + 3] and np.isnan(values[[1, 3]]).all()

    long = tmp_path / "long.csv"
    long.write_text(
        f"time,tag,value\n{T0},A/temp,12.5\n{T0},A/state,running\n{T0 + 1},A/temp,--\n", encoding="utf-8"
    )
    with Recording(long) as rec:
        (found,) = rec.text_values(["A/temp"])  # the tags of analog signals and counters, as callers know them
        assert text_values_message(long, found) == (
            f"{long}, line 4: column 'value', tag 'A/temp': 1 value is text, not a number: '--' at "
            "2025-01-01T00:00:01Z; no measurement there, so no value is shown for it"
        )


def test_a_time_outside_the_recording_is_said_with_its_range():
    from viewer.sensors.recording import outside_message

    assert outside_message(Path("shift.parquet"), T0 + 30, T0, T0 + 60) is None
    assert outside_message(Path("shift.parquet"), T0 - 3600, T0, T0 + 60) == (
        "shift.parquet: 2024-12-31T23:00:00Z is before the recording begins; it runs from 2025-01-01T00:00:00Z "
        "to 2025-01-01T00:01:00Z"
    )
    assert "is after the recording ends" in outside_message(Path("x.csv"), T0 + 61, T0, T0 + 60)


def oven_recording(tmp_path: Path, tag: str) -> Path:
    path = tmp_path / "oven.csv"
    rows = [f"{T0 + i},{tag},{'n/a' if i == 30 else 130 + i / 10}" for i in range(61)]  # n/a on line 32
    path.write_text("time,tag,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_render_says_what_it_cannot_colour_and_exits_1_when_nothing_is(demo_path, tmp_path, capsys):
    recording = oven_recording(tmp_path, coater_oven_tag(demo_path))
    picture = tmp_path / "state.png"
    args = ["render", str(demo_path), "--size", "320x200", "--no-labels", "-o", str(picture)]

    # Before the recording: nothing to colour, exit 1, the range said, no picture.
    assert main([*args, "--recording", str(recording), "--at", "2024-12-31T23:00:00Z"]) == 1
    err = capsys.readouterr().err
    assert f"{recording}: 2025-01-01 08:00:00 (UTC+09:00) is before the recording begins; it runs from " in err
    assert (
        f"mothertwin render: {recording}: no equipment of site 'Ochang mother plant' has a value at "
        "2025-01-01 08:00:00 (UTC+09:00) (the recording runs from 2025-01-01 09:00:00 (UTC+09:00) to "
        "2025-01-01 09:01:00 (UTC+09:00); tags: 0 bound,"
    ) in err
    assert err.rstrip().endswith("; no picture written") and not picture.exists()

    # After the end, the last values are held and shown: said, and the text among the numbers too.
    assert main([*args, "--recording", str(recording), "--at", "2025-01-01T00:01:30Z"]) == 0
    err = capsys.readouterr().err
    assert (
        "is after the recording ends; it runs from 2025-01-01 09:00:00 (UTC+09:00) to 2025-01-01 09:01:00 (UTC+09:00)"
    ) in err
    assert f"warning: {recording}, line 32: column 'value', tag '{coater_oven_tag(demo_path)}': 1 value is text" in err
    assert picture.is_file()


def test_simulate_records_numbers_as_doubles_and_states_as_text(demo_path, tmp_path, capsys):
    shift = tmp_path / "shift.parquet"
    start = ["--start", "2025-01-01T06:00:00Z", "--site", "OC", "--duration", "30"]
    assert main(["simulate", str(demo_path), "--record", str(shift), *start]) == 0
    con = duckdb.connect()
    columns = {name: kind for name, kind, *_ in con.execute(f"DESCRIBE SELECT * FROM '{shift}'").fetchall()}
    assert columns == {"time": "TIMESTAMP", "tag": "VARCHAR", "value": "DOUBLE", "state": "VARCHAR"}
    rows = con.execute(
        f"SELECT count(*) FILTER (WHERE state IS NULL AND value IS NOT NULL), "
        f"count(*) FILTER (WHERE state IS NOT NULL AND value IS NULL), count(*), "
        f"count(*) FILTER (WHERE tag LIKE '%/state' AND state IS NULL), list(DISTINCT state) FROM '{shift}'"
    ).fetchone()
    numbers, states, total, state_tags_without_text, names = rows
    assert numbers + states == total and numbers > states > 0 and state_tags_without_text == 0
    assert set(names) - {None} <= set(STATES)
    # Counters are whole numbers that only grow.
    low, high = con.execute(f"SELECT min(value), max(value) FROM '{shift}' WHERE tag LIKE '%/coated_length'").fetchone()
    assert 0 <= low < high and high == int(high)

    with Recording(shift) as rec:  # replay reads it: states as words, analog values and counters as floats
        state = rec.state_at(rec.time_range()[1])
        oven = state[coater_oven_tag(demo_path)].value
        assert isinstance(oven, float) and 100 < oven < 200
        assert {s.value for tag, s in state.items() if tag.endswith("/state")} <= set(STATES)
        assert rec.text_values([coater_oven_tag(demo_path)]) == []

    # The same as CSV: an empty value where a row is a state.
    as_csv = tmp_path / "shift.csv"
    assert main(["simulate", str(demo_path), "--record", str(as_csv), *start]) == 0
    header, first = as_csv.read_text().splitlines()[:2]
    assert header == "time,tag,value,state" and first.endswith(",") and float(first.split(",")[2]) >= 0
    with Recording(as_csv) as rec:
        assert isinstance(rec.state_at(rec.time_range()[1])[coater_oven_tag(demo_path)].value, float)


def test_old_recordings_with_text_values_still_read(tmp_path):
    old = tmp_path / "old.parquet"
    duckdb.execute(
        "COPY (SELECT * FROM (VALUES (TIMESTAMP '2025-01-01 00:00:00', 'A/state', 'running'), "
        f"(TIMESTAMP '2025-01-01 00:00:00', 'A/temp', '131.5')) t(time, tag, value)) TO '{old}' (FORMAT parquet)"
    )
    with Recording(old) as rec:
        assert rec.info.state_column is None and rec.info.value_type == "VARCHAR"
        assert {tag: s.value for tag, s in rec.state_at(T0).items()} == {"A/state": "running", "A/temp": 131.5}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="runs the window under the test's X display")
def test_open_says_a_time_outside_the_recording_in_site_time_and_the_text_among_numbers(demo_path, tmp_path):
    recording = oven_recording(tmp_path, coater_oven_tag(demo_path))
    env = os.environ | {"MOTHERTWIN_RECOVERY": str(tmp_path / "recovery"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    result = subprocess.run(
        [sys.executable, "-m", "viewer.cli", "open", str(demo_path), "--recording", str(recording), "--at",
         "2025-01-01T02:00:00Z", "--screenshot", str(tmp_path / "w.png")],
        capture_output=True, text=True, env=env, timeout=240,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (
        f"mothertwin: --at: {recording}: 2025-01-01 11:00:00 (UTC+09:00) is after the recording ends; it runs from "
        "2025-01-01 09:00:00 (UTC+09:00) to 2025-01-01 09:01:00 (UTC+09:00): shown at its nearest end"
    ) in result.stderr
    assert f"mothertwin: {recording}, line 32: column 'value', tag '{coater_oven_tag(demo_path)}'" in result.stderr
