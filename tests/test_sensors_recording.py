"""Recordings through DuckDB: layouts and formats, seeking, replay of the real SKAB pump rig, render at a time."""

from __future__ import annotations

import copy
import csv

import duckdb
import numpy as np
import pytest
import pyvista as pv
from mothertwin_builtin_sources.replay import RecordingSource
from PIL import Image

from viewer.cli import main
from viewer.io import load_document
from viewer.model import Limits, Signal
from viewer.scene.view_overlays import ColorLegend
from viewer.sensors import AlarmLevel, Bindings, Recording, RecordingError, SampleBuffer, equipment_colors, parse_time
from viewer.sensors.recording import make_synthetic_recording
from viewer.sensors.rules import legend_entries

T0 = 1_735_689_600.0  # 2025-01-01T00:00:00Z


def write_long_csv(path, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["time", "tag", "value"])
        writer.writerows(rows)
    return path


def test_long_csv_state_at_uses_the_latest_value_in_the_window(tmp_path):
    path = write_long_csv(
        tmp_path / "rec.csv",
        [
            (T0 + 0, "a", 1.0),
            (T0 + 5, "a", 2.0),
            (T0 + 20, "a", 3.0),
            (T0 + 2, "b", 10.0),
            (T0 + 50, "b", 11.0),
        ],
    )
    with Recording(path) as rec:
        assert rec.info.layout == "long"
        assert rec.tags() == ["a", "b"]
        assert rec.time_range() == (T0, T0 + 50)
        state = rec.state_at(T0 + 10)
        assert {t: (s.time, s.value) for t, s in state.items()} == {"a": (T0 + 5, 2.0), "b": (T0 + 2, 10.0)}
        # b's last value is 48 s before: outside a 30 s window, within an unbounded one.
        assert set(rec.state_at(T0 + 50 - 0.5, window=30)) == {"a"}
        assert rec.state_at(T0 + 49.5, window=None)["b"].value == 10.0
        assert rec.state_at(T0 + 50, tags=["b"])["b"].value == 11.0
        assert [s.value for s in rec.samples(T0, T0 + 20)] == [10.0, 2.0, 3.0]
        times, values = rec.series("a", T0, T0 + 30, bucket=10)
        assert list(times) == [T0, T0 + 20] and list(values) == [1.5, 3.0]


def test_wide_parquet_with_timestamps_and_string_states(tmp_path):
    path = tmp_path / "wide.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT TIMESTAMP '2025-01-01 00:00:00' + INTERVAL (i) SECOND AS timestamp, "
        f"CASE WHEN i < 30 THEN 'running' ELSE 'fault' END AS \"press/state\", 80.0 + i AS \"press/temp\" "
        f"FROM range(60) r(i)) TO '{path}' (FORMAT parquet)"
    )
    con.close()
    with Recording(path) as rec:
        assert rec.info.layout == "wide" and rec.info.time_is_timestamp
        assert rec.tags() == ["press/state", "press/temp"]
        state = rec.state_at(parse_time("2025-01-01T00:00:45Z"))
        assert state["press/state"].value == "fault"
        assert state["press/temp"].value == 125.0  # strings kept, numbers read back as numbers
        assert state["press/temp"].time == T0 + 45
        # Play steps read columns: the same samples as Sample objects give, states and numbers alike.
        tags, times, values = rec.sample_columns(T0 + 20, T0 + 40)
        as_columns = sorted(zip(tags, times.tolist(), values, strict=True))
        expected = sorted((s.tag, s.time, s.value) for s in rec.samples(T0 + 20, T0 + 40))
        assert as_columns == expected and len(expected) == 40
        assert {type(v) for v in values} == {str, float}


def test_numeric_play_steps_read_float_columns(tmp_path):
    path = write_long_csv(tmp_path / "rec.csv", [(T0 + i, f"t{i % 3}", float(i)) for i in range(30)])
    with Recording(path) as rec:
        tags, times, values = rec.sample_columns(T0 + 9, T0 + 15)
        assert isinstance(values, np.ndarray) and values.dtype == float
        assert sorted(zip(times.tolist(), tags, values.tolist(), strict=True)) == [
            (T0 + i, f"t{i % 3}", float(i)) for i in range(10, 16)
        ]
        store = SampleBuffer()
        source = RecordingSource(store, rec, drive_clock=True)
        source.seek(T0 + 9)
        assert source.advance(6.0) == 6
        assert store.latest("t0").value == 15.0 and store.latest("t2").value == 14.0


def test_bad_recordings_are_clear_errors(tmp_path):
    with pytest.raises(RecordingError, match="not found"):
        Recording(tmp_path / "none.parquet")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(RecordingError, match="unknown recording format"):
        Recording(tmp_path / "x.json")
    (tmp_path / "names.csv").write_text("name,tag,value\nx,a,1\n")
    with pytest.raises(RecordingError, match="time column 'name'"):
        Recording(tmp_path / "names.csv")
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_time("yesterday")
    assert parse_time("2025-01-01T09:00:00+09:00") == T0


def test_synthetic_recording_is_sorted_with_row_groups(tmp_path):
    path = tmp_path / "syn.parquet"
    rows = make_synthetic_recording(path, tags=50, seconds=400, row_group_size=5_000)
    assert rows == 20_000
    meta = duckdb.sql(f"SELECT count(DISTINCT row_group_id), max(row_group_num_rows) FROM parquet_metadata('{path}')")
    ((groups, largest),) = meta.fetchall()
    assert groups >= 3 and 5_000 <= largest < 5_000 + 2048  # DuckDB rounds up to whole 2048-row vectors
    with Recording(path) as rec:
        assert rec.row_count() == 20_000
        times = np.array([s.time for s in rec.samples(T0 - 1, T0 + 400)])
        assert (np.diff(times) >= 0).all()
        state = rec.state_at(T0 + 200.5)
        assert len(state) == 50 and all(s.time == T0 + 200 for s in state.values())


# ------------------------------------------------------------ real data: the SKAB pump test rig


SKAB_SIGNALS = {"Temperature": "pump_temperature", "Thermocouple": "fluid_temperature", "Current": "motor_current"}


def skab_equipment(demo_path, library, rec: Recording, reference_end: float):
    """A demo chiller with pump signals whose limits are learned from the rig's normal run before `reference_end`."""
    document = load_document(demo_path, library)
    path = next(p for p in document.iter_equipment() if p.equipment.type == "chiller")
    start, _ = rec.time_range()
    signals = []
    for column, name in SKAB_SIGNALS.items():
        _, values = rec.series(column, start, reference_end)
        lo, hi = np.percentile(values, [0.5, 99.5])
        span = hi - lo
        signals.append(
            Signal(name, limits=Limits(lo - 0.5 * span, lo - 0.25 * span, hi + 0.25 * span, hi + 0.5 * span))
        )
    path = copy.copy(path)
    path.equipment = copy.deepcopy(path.equipment)
    path.equipment.signals = signals
    overrides = {(path.equipment.id, name): column for column, name in SKAB_SIGNALS.items()}
    return Bindings.build([path], overrides=overrides)


def test_skab_replay_raises_alarms_at_the_labelled_anomaly(shared_data, demo_path, library):
    recording = Recording(shared_data / "timeseries-skab" / "data" / "valve1" / "0.csv")
    assert recording.info.layout == "wide"  # ;-separated, detected by DuckDB
    start, end = recording.time_range()
    labels_t, labels = recording.series("anomaly", start, end)
    anomaly_start = labels_t[np.argmax(labels > 0.5)]
    bindings = skab_equipment(demo_path, library, recording, anomaly_start - 1)
    store = SampleBuffer(stale_after=5.0)
    source = RecordingSource(store, recording)
    source.seek(start)
    first_alarm = None
    alarm_seconds_before = 0
    severe_seen = False
    while source.cursor < end:
        source.advance(5.0)
        colors = equipment_colors(bindings, store)
        assert not colors.stale.any()  # 1 Hz data, 5 s staleness: always fresh while replaying
        if colors.alarms:
            if source.cursor < anomaly_start:
                alarm_seconds_before += 5
            elif first_alarm is None:
                first_alarm = source.cursor
            severe_seen |= any(a.level >= AlarmLevel.HI for a in colors.alarms)
    assert alarm_seconds_before == 0
    assert first_alarm is not None
    assert first_alarm - anomaly_start < 180.0  # within three minutes of the labelled anomaly
    assert severe_seen
    assert source.counters.values == recording.row_count()
    # Seeking back re-reads the state: no "late" samples left over from the end.
    source.seek(start + 60)
    assert store.latest("Temperature").time == start + 60
    assert equipment_colors(bindings, store).alarms == []
    recording.close()


def test_replay_goes_stale_in_a_gap(tmp_path):
    path = write_long_csv(tmp_path / "gap.csv", [(T0 + t, "a", 1.0) for t in (0, 1, 2, 30, 31)])
    store = SampleBuffer(stale_after=5.0)
    source = RecordingSource(store, path)
    source.seek(T0 + 2)
    assert not store.is_stale("a")
    source.advance(10.0)
    assert store.is_stale("a")  # judged in recording time, not wall clock
    source.advance(20.0)
    assert not store.is_stale("a")


def test_replay_thread_plays_and_stops(tmp_path):
    path = write_long_csv(tmp_path / "play.csv", [(T0 + t, "a", float(t)) for t in range(100)])
    store = SampleBuffer(stale_after=5.0)
    source = RecordingSource(store, path, speed=200.0)
    source.seek(T0)
    source.start()
    try:
        import time

        deadline = time.monotonic() + 5
        while store.latest("a").value < 99.0 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        source.stop()
    assert store.latest("a").value == 99.0
    assert str(source.status) == "stopped"


# ------------------------------------------------------------ headless render at a time


def test_render_colours_equipment_by_recorded_state(demo_path, library, tmp_path, capsys):
    document = load_document(demo_path, library)
    site = document.sites[0]
    rows = []
    for path in document.iter_equipment():
        if path.site is not site or not any(sig.name == "state" for sig in path.equipment.signals):
            continue
        tag = f"{site.id}/{path.line.id}/{path.cell.id}/{path.equipment.id}/state"
        state = "fault" if path.line.id == "OC-ELE1" else "running"
        rows += [(T0, tag, "running"), (T0 + 60, tag, state)]
    recording = write_long_csv(tmp_path / "states.csv", rows)
    plain, coloured = tmp_path / "plain.png", tmp_path / "state.png"
    args = [str(demo_path), "--size", "640x360", "--no-labels"]
    assert main(["render", *args, "-o", str(plain)]) == 0
    assert (
        main(["render", *args, "-o", str(coloured), "--recording", str(recording), "--at", "2025-01-01T00:01:05Z"]) == 0
    )
    out = capsys.readouterr().out
    assert "equipment coloured" in out and "0 unknown" in out

    def red(r, g, b):
        return (r > 120) & (g < 0.45 * r) & (b < 0.45 * r)

    def green(r, g, b):
        return (g > 90) & (r < 0.6 * g) & (b < 0.8 * g)

    # The picture explains its colours: a legend with the time in the top-left corner.
    legend = ColorLegend(pv.Plotter(off_screen=True, window_size=(640, 360)), font_size=9)  # as render sizes it
    legend.set_entries(legend_entries(), title="Sensor state at 2025-01-01 09:01:05 (UTC+09:00)")
    legend.show()
    image = np.asarray(Image.open(coloured).convert("RGB")).astype(int)
    for index, (_, rgb) in enumerate(legend.entries[:3]):  # running, idle, fault
        x, y = legend.swatch_centre(index)
        assert np.abs(image[360 - 1 - y, x] - rgb).max() <= 3, legend.entries[index]
    left, bottom, right, top = legend.box()
    legend.plotter.close()
    # A small picture: a small legend (its widest row is the title, with the site's time and UTC offset).
    assert right - left < 240 and top - bottom < 140

    def share(image_path, test):  # the plant's pixels: those outside the legend's corner
        rgb = np.asarray(Image.open(image_path).convert("RGB")).astype(int)
        rgb[: 360 - int(bottom), : int(right) + 1] = 255
        return test(rgb[..., 0], rgb[..., 1], rgb[..., 2]).mean()

    assert share(coloured, red) > share(plain, red) + 0.002
    # The whole building is framed in a small picture with a legend and a title block: the plant is small.
    assert share(coloured, green) > share(plain, green) + 0.002
    # --at alone is a usage error.
    assert main(["render", *args, "-o", str(coloured), "--at", "0"]) == 2


def test_simulate_records_a_shift_that_replays_and_renders(demo_path, library, tmp_path, capsys):
    """`mothertwin simulate --record`: a recording of the demo's own tags, to try replay without a plant."""
    from viewer.sensors.simulator import STATES

    document = load_document(demo_path, library)
    tags = set(Bindings.build([p for p in document.iter_equipment() if p.site.id == "OC"]).tags())
    shift = tmp_path / "shift.parquet"
    common = [str(demo_path), "--site", "OC", "--seed", "2", "--start", "2025-01-01T06:00:00Z"]
    assert main(["simulate", *common, "--record", str(shift), "--duration", "600"]) == 0
    assert "wrote 195,000 rows" in capsys.readouterr().out  # 325 tags x 600 s at 1 Hz
    with Recording(shift) as recording:
        assert recording.info.layout == "long" and recording.info.time_is_timestamp
        assert set(recording.tags()) == tags and len(tags) == 325
        assert recording.time_range() == (T0 + 6 * 3600 + 1, T0 + 6 * 3600 + 600)
        state = recording.state_at(T0 + 6 * 3600 + 300)
    assert len(state) == 325 and all(s.time == T0 + 6 * 3600 + 300 for s in state.values())
    states = [s.value for tag, s in state.items() if tag.endswith("/state")]
    assert states and set(states) <= set(STATES) and "running" in states
    assert all(isinstance(s.value, float) for tag, s in state.items() if not tag.endswith("/state"))
    assert list(tmp_path.iterdir()) == [shift]  # written aside and moved in place: no partial file left

    csv_shift = tmp_path / "shift.csv"  # the same simulation (same seed) as CSV
    assert main(["simulate", *common, "--record", str(csv_shift), "--duration", "60", "--rate", "0.5"]) == 0
    with Recording(csv_shift) as recording:
        assert recording.row_count() == 30 * 325 and recording.time_range() == (T0 + 6 * 3600 + 2, T0 + 6 * 3600 + 60)

    picture = tmp_path / "at.png"
    args = ["render", str(demo_path), "--size", "480x270", "--no-labels", "-o", str(picture)]
    assert main([*args, "--recording", str(shift), "--at", "2025-01-01T06:05:00Z"]) == 0
    assert "325 bound, 0 unbound, 0 unknown tags" in capsys.readouterr().out

    # Coloured by one analog signal: its legend says so; a name the site lacks is refused with the choices.
    assert (
        main([*args, "--recording", str(shift), "--at", "2025-01-01T06:05:00Z", "--color-by", "rack_temperature"]) == 0
    )
    assert "rack_temperature at 2025-01-01 15:05:00 (UTC+09:00): 16 equipment coloured" in capsys.readouterr().out
    assert main([*args, "--recording", str(shift), "--at", "2025-01-01T06:05:00Z", "--color-by", "state"]) == 2
    error = capsys.readouterr().err
    assert "--color-by state: no analog signal" in error and "rack_temperature" in error
    assert main([*args, "--color-by", "rack_temperature"]) == 2
    assert "--color-by needs --recording" in capsys.readouterr().err

    # Either a broker or a file, and a recording needs its length.
    assert main(["simulate", str(demo_path), "--record", str(shift), "--mqtt", "mqtt://127.0.0.1:1"]) == 2
    assert "either --mqtt URL" in capsys.readouterr().err
    assert main(["simulate", str(demo_path), "--record", str(tmp_path / "x.parquet")]) == 2
    assert "--record needs --duration" in capsys.readouterr().err
    assert main(["simulate", str(demo_path), "--record", str(shift), "--duration", "5", "--start", "yesterday"]) == 2
    assert "--start: time 'yesterday'" in capsys.readouterr().err
    assert main(["simulate", str(demo_path), "--record", str(tmp_path / "no" / "x.csv"), "--duration", "5"]) == 2
    assert str(tmp_path / "no" / "x.csv") in capsys.readouterr().err


def test_excursion_starts_say_when_an_alarm_began_before_a_jump(tmp_path):
    # "hot" leaves its limits at 70 s and stays out; "cold" dips below at 20-30 s, is back, dips again
    # from 90 s; "fine" never leaves them; "text" is a state, never a number.
    rows = []
    for i in range(120):
        rows += [
            (T0 + i, "hot", 160.0 if i >= 70 else 130.0),
            (T0 + i, "cold", 5.0 if 20 <= i < 30 or i >= 90 else 50.0),
            (T0 + i, "fine", 50.0),
            (T0 + i, "text", "running"),
        ]
    limits = {"hot": (120.0, 140.0), "cold": (10.0, None), "fine": (0.0, 100.0), "text": (0.0, 1.0)}
    for path in (write_long_csv(tmp_path / "rec.csv", rows), tmp_path / "rec.parquet"):
        if path.suffix == ".parquet":
            with duckdb.connect() as con:
                con.execute(
                    f"COPY (SELECT make_timestamp(CAST(time * 1e6 AS BIGINT)) AS time, tag, value "
                    f"FROM read_csv('{tmp_path / 'rec.csv'}', all_varchar = true, "
                    f"columns = {{'time': 'DOUBLE', 'tag': 'VARCHAR', 'value': 'VARCHAR'}}, header = true)) "
                    f"TO '{path}' (FORMAT parquet)"
                )
        with Recording(path) as recording:
            assert recording.excursion_starts(limits, T0 + 100) == {"hot": (T0 + 70, False), "cold": (T0 + 90, False)}
            assert recording.excursion_starts(limits, T0 + 25) == {"cold": (T0 + 20, False)}
            # A window shorter than the excursion: its first sample, marked as maybe later than the start.
            assert recording.excursion_starts(limits, T0 + 100, lookback=10) == {
                "hot": (T0 + 91, True),
                "cold": (T0 + 91, True),
            }
            assert recording.excursion_starts({}, T0 + 100) == {}


def test_a_seek_finds_slow_tags_further_back_with_states_and_numbers_mixed(tmp_path):
    # "temp" is sampled every second; "state" (text) changed 10 minutes before: beyond the first, short look.
    rows = [(T0 + i, "line/temp", float(i)) for i in range(600, 700)] + [(T0 + 50, "line/state", "fault")]
    path = write_long_csv(tmp_path / "rec.csv", rows)
    store = SampleBuffer()
    source = RecordingSource(store, path)
    assert source.seek(T0 + 650) == 2
    assert store.latest("line/state").value == "fault" and store.latest("line/state").time == T0 + 50
    assert store.latest("line/temp").value == 650.0
    assert source.seek(T0 + 655) == 2  # a play step: only what changed is read
    assert store.latest("line/temp").value == 655.0 and store.latest("line/state").value == "fault"
    source.stop()
