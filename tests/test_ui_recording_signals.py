"""A machine export replayed on one equipment in a few clicks, in the real window under Xvfb: a CNC's CSV with
48 columns at 10 Hz and no time column; the window asks for the rate and start, makes the equipment's signals
from the columns (one undo step), binds and replays them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox
from test_recording_shapes import T0, write_cnc
from ui_helpers import CATHODE_COATER, open_window

from viewer.app.document import Severity
from viewer.sensors import SourceSettings
from viewer.sensors.rules import WARNING_COLOR
from viewer.ui.sensors.timeline import Mode

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    main = open_window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    yield main
    main.sensor_ui.shutdown()
    main.close()


def batch_color(main, equipment_id: str) -> tuple[int, int, int] | None:
    batch = main.scene.view.batch
    index = batch.index_of(equipment_id)
    return tuple(int(c) for c in batch.override[index]) if batch.has_override[index] else None


def answer_times(dialog, rate: float, start: str) -> None:
    """Fill in the Recording Times dialog (rows at a fixed rate) and press Read."""
    assert dialog.isVisible() and not dialog.by_column.isChecked()
    dialog.rate.setValue(rate)
    dialog.start.setText(start)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def test_a_cnc_export_becomes_the_equipment_signals_replayed_and_undone(window, qtbot, tmp_path):
    ui = window.sensor_ui
    controller, timeline = ui.controller, ui.controller.timeline
    path, names = write_cnc(tmp_path / "cnc.csv", rows=300, columns=48)
    assert ui.signals_action.text() == "Signals from &Recording…"
    coater = next(p.equipment for p in window.session.document.iter_equipment() if p.equipment.id == CATHODE_COATER)
    before = list(coater.signals)

    # No time column: the window says so and asks, instead of taking the spindle speed for the time.
    assert not ui.signals_from_recording(CATHODE_COATER, SourceSettings("recording", "cnc", str(path)))
    assert any("no time column found" in m.text for m in window.messages.messages if m.severity is Severity.WARNING)
    assert coater.signals == before
    answer_times(ui.last_time_dialog, 10.0, "2025-01-01T09:00:00")  # Ochang's local time: T0

    qtbot.waitUntil(lambda: timeline.mode is Mode.REPLAY, timeout=10000)
    assert [s.tag for s in coater.signals] == sorted(names)
    assert all(s.guessed for s in coater.signals) and len(coater.signals) == 48
    speed = next(s for s in coater.signals if s.tag == "Spindle speed [rpm]")
    assert (speed.name, speed.unit) == ("Spindle speed", "rpm")
    assert (speed.limits.lo, speed.limits.hi) == pytest.approx((2.99, 296.01))  # p1, p99 of 0..299
    assert window.session.undo.undo_text() == "Signals from cnc.csv for " + coater.name
    assert (timeline.start_time, timeline.end_time) == pytest.approx((T0, T0 + 29.9))
    qtbot.waitUntil(lambda: len(controller.binding_report().bound) == 48, timeout=5000)

    timeline.seek(T0 + 29.9)  # the last row: every column above its p99, HI, below HIHI
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) == WARNING_COLOR, timeout=5000)
    timeline.seek(T0 + 15.0)  # within every range
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) not in (WARNING_COLOR, None), timeout=5000)

    window.session.undo.undo()  # one step: the coater's own signals back, bound by the site's template again
    assert coater.signals == before
    qtbot.waitUntil(lambda: "Spindle speed [rpm]" not in (controller.bindings.by_tag if controller.bindings else {}))
    assert len(controller.binding_report().bound) == 0


def test_connecting_a_recording_with_no_time_column_asks_for_its_times(window, qtbot, tmp_path):
    ui = window.sensor_ui
    timeline = ui.controller.timeline
    path, _ = write_cnc(tmp_path / "cnc.csv", rows=100, columns=4)
    ui.controller.connect_source(SourceSettings("recording", "cnc", str(path)))
    qtbot.waitUntil(lambda: ui.last_time_dialog is not None and ui.last_time_dialog.isVisible(), timeout=10000)
    errors = [m.text for m in window.messages.messages if m.severity is Severity.ERROR]
    assert any(f"{path}: no time column found" in text and "'temp_C' (BIGINT)" in text for text in errors)
    assert timeline.mode is Mode.LIVE
    answer_times(ui.last_time_dialog, 10.0, "2025-01-01T00:00:00Z")
    qtbot.waitUntil(lambda: timeline.mode is Mode.REPLAY, timeout=10000)
    assert (timeline.start_time, timeline.end_time) == pytest.approx((T0, T0 + 9.9))
    assert timeline.settings.options == {"rate": 10.0, "start": "2025-01-01T00:00:00Z", "timezone": "Asia/Seoul"}
    command = ui.share_command()  # Copy Link to This Moment reads the file the same way
    assert command[command.index("--rate") :][:6] == ["--rate", "10.0", "--start", "2025-01-01T00:00:00Z", "--timezone",
                                                      "Asia/Seoul"]  # fmt: skip
