"""Times shown in the site's own zone with the UTC offset, UTC on request: the timeline, the jump box, the
alarm list, the trend axes, `render --at` and its legend, and the window following the site shown."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from viewer.model.site_time import TimeDisplay

T0 = 1_735_689_600.0  # 2025-01-01T00:00:00Z: 09:00 in Ochang (Asia/Seoul), 19:00 the day before in Holland
MOMENT = 1_741_011_600.0  # 2025-03-03T14:20:00Z: 23:20 in Seoul
SEOUL, DETROIT, UTC = TimeDisplay("Asia/Seoul"), TimeDisplay("America/Detroit"), TimeDisplay("Asia/Seoul", utc=True)


def test_timeline_cursor_and_range_in_the_site_zone_or_in_utc(qtbot):
    from viewer.ui.sensors.timeline_bar import TimelineBar

    bar = TimelineBar()
    qtbot.addWidget(bar)
    bar.set_time_display(SEOUL)
    bar.set_mode("replay", has_recording=True)
    bar.set_range(T0, T0 + 600)
    bar.set_cursor(T0 + 30)
    assert bar.time_label.text() == "2025-01-01 09:00:30 (UTC+09:00)"
    assert "Recording from 2025-01-01 09:00:00 (UTC+09:00) to 2025-01-01 09:10:00 (UTC+09:00)" in bar.slider.toolTip()
    assert "Asia/Seoul" in bar.jump.placeholderText()
    bar.set_time_display(UTC)  # written again at once, not at the next cursor move
    assert bar.time_label.text() == "2025-01-01 00:00:30 (UTC)"
    assert "(UTC)" in bar.jump.placeholderText()
    bar.set_time_display(DETROIT)
    assert bar.time_label.text() == "2024-12-31 19:00:30 (UTC-05:00)"
    bar.set_mode("live", has_recording=True)
    assert bar.time_label.text() == "LIVE"


def test_jump_box_reads_local_times_in_the_zone_shown_and_refuses_a_skipped_hour(qtbot):
    from viewer.ui.sensors.timeline_bar import TimelineBar

    bar = TimelineBar()
    qtbot.addWidget(bar)
    asked: list[float] = []
    bar.seek_requested.connect(asked.append)

    def jump(text: str) -> None:
        bar.jump.setText(text)
        bar.jump.returnPressed.emit()

    bar.set_time_display(SEOUL)
    for text in ("2025-01-01T09:01:20", "2025-01-01 09:01:20", "2025-01-01T00:01:20Z", "2025-01-01T04:01:20+04:00"):
        jump(text)
    jump(str(T0 + 80))
    assert asked == [T0 + 80] * 5
    bar.set_time_display(UTC)  # times shown in UTC: one typed without an offset is UTC too
    jump("2025-01-01T00:01:20")
    assert asked[-1] == T0 + 80

    bar.set_time_display(DETROIT)
    asked.clear()
    jump("2025-03-09T02:30")  # the clocks go from 02:00 to 03:00 that night
    assert asked == []
    assert "does not exist in America/Detroit" in bar.jump.toolTip() and "c00020" in bar.jump.styleSheet()
    jump("2025-03-09T03:30")
    assert asked == [1_741_505_400.0] and bar.jump.styleSheet() == ""  # 07:30Z: EDT, UTC-04:00
    assert "America/Detroit" in bar.jump.toolTip()


def test_alarm_list_time_column_in_the_site_zone(qtbot):
    from PySide6.QtCore import Qt

    from viewer.sensors.alarms import AlarmEntry
    from viewer.sensors.rules import AlarmLevel
    from viewer.ui.sensors.alarms_dock import AlarmsDock

    dock = AlarmsDock()
    qtbot.addWidget(dock)
    dock.set_time_display(SEOUL)
    oven = AlarmEntry("E1", "temperature", "t1", AlarmLevel.HIHI, 152.0, 150.0, MOMENT, MOMENT)
    older = AlarmEntry("E2", "gap", "t2", AlarmLevel.HIHI, 0.1, 0.2, MOMENT - 3600, MOMENT, started_before=True)
    dock.set_alarms([oven, older], {"E1": "Oven", "E2": "Roll"})
    assert dock.model.headerData(0, Qt.Orientation.Horizontal) == "Raised"  # each time carries its offset
    assert [dock.row_text(row, 0) for row in range(2)] == [
        "before 2025-03-03 22:20:00 (UTC+09:00)",
        "2025-03-03 23:20:00 (UTC+09:00)",
    ]
    dock.set_time_display(UTC)
    assert dock.row_text(1, 0) == "2025-03-03 14:20:00 (UTC)"
    dock.set_time_display(DETROIT)
    assert dock.row_text(1, 0) == "2025-03-03 09:20:00 (UTC-05:00)"


def test_trend_axis_ticks_in_the_site_zone(qtbot):
    from viewer.app.values import SignalValue
    from viewer.model import SignalKind
    from viewer.ui.sensors.docks import TrendDock

    dock = TrendDock()
    qtbot.addWidget(dock)
    dock.resize(900, 260)
    dock.show()
    qtbot.waitExposed(dock)
    dock.set_time_display(SEOUL)  # before the plots exist: those made later take it
    signal = SignalValue("E1", "Coater 1", "a", "degC", SignalKind.ANALOG, "p/E1/a", 1.0, False, (None,) * 4)
    dock.set_signals([signal], "one")
    times = MOMENT + np.arange(-300.0, 300.0, 1.0)
    dock.set_series({"p/E1/a": (times, np.sin(times / 60))}, cursor=MOMENT)
    qtbot.wait(100)  # painted: the axis knows its font

    def tick_texts() -> list[str]:
        axis = dock._pool[0].axis
        low, high = axis.range
        texts = []
        for spacing, values in axis.tickValues(low, high, axis.width()):
            shown = [v for v in values if low <= v <= high]
            texts += axis.tickStrings(shown, 1.0, spacing)
        return texts

    seoul = tick_texts()
    assert "23:20" in seoul and all(t.startswith(("23:1", "23:2")) for t in seoul), seoul
    dock.set_time_display(UTC)
    assert "14:20" in tick_texts()
    summer = TimeDisplay("America/Detroit")
    dock.set_time_display(summer)
    july = MOMENT + 120 * 86400  # daylight saving time: UTC-04:00
    dock.set_series({"p/E1/a": (july + times - MOMENT, np.sin(times / 60))}, cursor=july)
    qtbot.wait(50)
    assert "10:20" in tick_texts()


@pytest.fixture
def oc_recording(tmp_path, demo_path):
    """Two minutes of the Ochang site's states: the electrode line faults 60 s in, the rest runs."""
    from viewer.io import load_document

    document = load_document(demo_path)
    site = document.sites[0]
    rows = ["time,tag,value"]
    for path in document.iter_equipment():
        if path.site is site and any(sig.name == "state" for sig in path.equipment.signals):
            tag = f"{site.id}/{path.line.id}/{path.cell.id}/{path.equipment.id}/state"
            later = "fault" if path.line.id == "OC-ELE1" else "running"
            rows += [f"{T0},{tag},running", f"{T0 + 60},{tag},{later}", f"{T0 + 120},{tag},{later}"]
    recording = tmp_path / "states.csv"
    recording.write_text("\n".join(rows) + "\n")
    return recording


def test_render_at_a_local_time_is_the_same_moment_as_in_utc(demo_path, oc_recording, tmp_path, monkeypatch, capsys):
    from viewer.cli import main
    from viewer.scene.view_overlays import ColorLegend

    titles: list[str] = []
    set_entries = ColorLegend.set_entries

    def keep_title(self, entries, title=""):
        titles.append(title)
        return set_entries(self, entries, title=title)

    monkeypatch.setattr(ColorLegend, "set_entries", keep_title)
    args = ["render", str(demo_path), "--size", "480x270", "--no-labels", "--recording", str(oc_recording)]
    pictures = {}
    for name, at, extra in (
        ("local", "2025-01-01T09:01:05", []),  # Ochang's own time: 00:01:05 UTC
        ("utc", "2025-01-01T00:01:05Z", []),
        ("utc-flag", "2025-01-01T00:01:05", ["--utc"]),  # --utc: shown and read in UTC
    ):
        pictures[name] = tmp_path / f"{name}.png"
        assert main([*args, "--at", at, *extra, "-o", str(pictures[name])]) == 0, capsys.readouterr().err
    local_title = "Sensor state at 2025-01-01 09:01:05 (UTC+09:00)"
    assert titles == [local_title, local_title, "Sensor state at 2025-01-01 00:01:05 (UTC)"]
    local, utc = (np.asarray(Image.open(pictures[n]).convert("RGB")) for n in ("local", "utc"))
    assert np.array_equal(local, utc)  # the same moment, the same picture
    red = (local[..., 0] > 150) & (local[..., 1] < 80) & (local[..., 2] < 80)
    assert red.sum() > 50  # the electrode line's fault at 60 s is in it: not the running state before


def test_render_refuses_a_skipped_local_time_and_a_bad_one(demo_path, oc_recording, tmp_path, capsys):
    from viewer.cli import main

    args = ["render", str(demo_path), "--recording", str(oc_recording), "-o", str(tmp_path / "x.png")]
    assert main([*args, "--site", "Holland child plant", "--at", "2025-03-09T02:30"]) == 2
    error = capsys.readouterr().err
    assert "--at: time '2025-03-09T02:30' does not exist in America/Detroit" in error, error
    assert main([*args, "--at", "tonight"]) == 2
    assert "--at: time 'tonight': expected epoch seconds or ISO 8601" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_an_unknown_site_time_zone_is_a_document_problem(minimal_data, write_json, capsys):
    from viewer.cli import main

    minimal_data["sites"][0]["timezone"] = "Asia/Ochang"
    path = write_json(minimal_data)
    assert main(["validate", str(path)]) == 1
    error = capsys.readouterr().err
    assert f"{path}: $.sites[0].timezone: unknown time zone 'Asia/Ochang': expected an IANA name" in error


@pytest.mark.gui
def test_window_shows_the_site_time_follows_the_site_and_keeps_utc_in_the_settings(qtbot, tmp_path, oc_recording):
    import shlex

    from PySide6.QtCore import QSettings
    from ui_helpers import CATHODE_COATER, open_window

    from viewer.cli import build_parser
    from viewer.model.site_time import parse_site_time
    from viewer.sensors import SourceSettings
    from viewer.ui.sensors.timeline import Mode

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = open_window(qtbot, settings)
    try:
        ui = window.sensor_ui
        timeline = ui.controller.timeline
        ui.controller.connect_source(SourceSettings("recording", "states", str(oc_recording)))
        qtbot.waitUntil(lambda: timeline.mode is Mode.REPLAY, timeout=10000)
        timeline.seek(T0 + 65)
        qtbot.waitUntil(lambda: ui.timeline_bar.time_label.text().startswith("2025-01-01 09:01:05"), timeout=5000)
        assert ui.timeline_bar.time_label.text() == "2025-01-01 09:01:05 (UTC+09:00)"  # Ochang: Asia/Seoul
        window.select_ids([CATHODE_COATER])
        qtbot.waitUntil(lambda: "(Asia/Seoul, UTC+09:00)" in ui.trend_dock.caption.text(), timeout=5000)

        # Copy Link writes the time with its offset: the same moment wherever it is opened.
        args = build_parser().parse_args(shlex.split(ui.copy_share_command())[1:])
        assert args.at == "2025-01-01T09:01:05+09:00" and parse_site_time(args.at) == T0 + 65

        ui.utc_action.trigger()  # Sensors > Show Times in UTC
        assert ui.timeline_bar.time_label.text() == "2025-01-01 00:01:05 (UTC)"
        assert "(UTC)" in ui.trend_dock.caption.text() and ui.trend_dock._pool[0].axis.display.utc
        assert settings.value("sensors/times_in_utc", type=bool) is True
        assert build_parser().parse_args(shlex.split(ui.copy_share_command())[1:]).at == "2025-01-01T00:01:05Z"
        ui.utc_action.trigger()

        holland = window.session.document.sites[1]
        window.state.set_active_site(holland.id)  # the window shows the child site: its zone
        qtbot.waitUntil(lambda: ui.clock.display.zone_name == "America/Detroit", timeout=5000)
        assert ui.timeline_bar.time_label.text() == "2024-12-31 19:01:05 (UTC-05:00)"
        ui.utc_action.trigger()  # left on: the next window starts with it
    finally:
        window.sensor_ui.shutdown()
        window.close()

    # A new window reads the choice back from the settings.
    again = open_window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    try:
        assert again.sensor_ui.utc_action.isChecked() and again.sensor_ui.clock.display == TimeDisplay(
            "Asia/Seoul", utc=True
        )
    finally:
        again.sensor_ui.shutdown()
        again.close()
