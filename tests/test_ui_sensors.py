"""Live and replayed sensor state in the real window under Xvfb, against a real Mosquitto and real files."""

from __future__ import annotations

import json
import time
from importlib.metadata import EntryPoint, entry_points

import numpy as np
import paho.mqtt.client as mqtt
import pytest
import sensor_fixtures
from PySide6.QtCore import QSettings
from ui_helpers import CATHODE_COATER, display_of, open_window, pixel_at, rendered, top_centre

from viewer.app.document import Severity
from viewer.sensors.plugins import ENTRY_POINT_GROUP
from viewer.sensors.rules import ALARM_COLOR, STATE_COLORS, WITHOUT_SIGNAL_COLOR
from viewer.ui.sensors.controller import FLASH_OFF_COLOR
from viewer.ui.sensors.dialogs import source_settings
from viewer.ui.sensors.timeline import Mode

pytestmark = pytest.mark.gui
mosquitto_broker = sensor_fixtures.mosquitto_broker  # the real broker fixture, by name

COATER_TAG = "OC/OC-ELE1/OC-ELE1-COT/OC-ELE1-COT-01/{}"


@pytest.fixture
def window(qtbot, tmp_path):
    main = open_window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    yield main
    main.sensor_ui.shutdown()
    main.close()


def coater_pixel(main) -> np.ndarray:
    return pixel_at(rendered(main), display_of(main, top_centre(main, CATHODE_COATER)))


def is_green(rgb: np.ndarray) -> bool:
    r, g, b = (int(v) for v in rgb)
    return g > r + 40 and g > b + 40


def is_greyish(rgb: np.ndarray) -> bool:
    return int(rgb.max()) - int(rgb.min()) < 45


def batch_color(main, equipment_id: str) -> tuple[int, int, int]:
    batch = main.scene.view.batch
    index = batch.index_of(equipment_id)
    assert batch.has_override[index]
    return tuple(int(c) for c in batch.override[index])


def publish(port: int, payload: dict) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        client.publish("plant/values", json.dumps(payload).encode(), qos=1).wait_for_publish(timeout=5)
    finally:
        client.disconnect()
        client.loop_stop()


def test_mqtt_state_colours_then_stale_when_broker_dies_and_back(window, qtbot, mosquitto_broker):
    controller = window.sensor_ui.controller
    before = coater_pixel(window)
    assert not is_green(before), before
    settings = source_settings("mqtt", {"url": mosquitto_broker.url, "topics": "plant/#"})
    settings.options.update(reconnect_min=0.1, reconnect_max=0.5)
    name = controller.connect_source(settings)
    qtbot.waitUntil(lambda: str(getattr(controller.sources.source(name), "status", "")) == "connected", timeout=5000)

    publish(mosquitto_broker.port, {"t": time.time(), "values": {COATER_TAG.format("state"): "running"}})
    qtbot.waitUntil(lambda: is_green(coater_pixel(window)), timeout=5000)
    assert "connected" in window.sensor_ui.status.text()

    mosquitto_broker.kill()
    qtbot.waitUntil(lambda: "reconnecting" in window.sensor_ui.status.text(), timeout=5000)
    qtbot.waitUntil(lambda: is_greyish(coater_pixel(window)), timeout=3000)
    assert any("reconnecting" in m.text for m in window.messages.messages if m.severity is Severity.WARNING)

    mosquitto_broker.start()
    qtbot.waitUntil(
        lambda: "simulator" not in window.sensor_ui.status.text() and ": connected" in window.sensor_ui.status.text(),
        timeout=8000,
    )
    publish(mosquitto_broker.port, {"t": time.time(), "values": {COATER_TAG.format("state"): "running"}})
    qtbot.waitUntil(lambda: is_green(coater_pixel(window)), timeout=5000)


def write_recording(path, start: float = 1_735_689_600.0) -> float:
    """100 s of one coater: running, a fault from 50 s, oven temperature beyond HIHI (150) from 70 s."""
    lines = ["time,tag,value"]
    for second in range(101):
        t = start + second
        lines.append(f"{t},{COATER_TAG.format('state')},{'running' if second < 50 else 'fault'}")
        lines.append(f"{t},{COATER_TAG.format('oven_temperature')},{130.0 if second < 70 else 160.0}")
    path.write_text("\n".join(lines) + "\n")
    return start


def replay_coater_recording(window, qtbot, tmp_path) -> float:
    """Connect the coater recording (write_recording) and wait for replay mode; returns its start time."""
    start = write_recording(tmp_path / "coater.csv")
    window.sensor_ui.controller.connect_source(source_settings("recording", {"path": str(tmp_path / "coater.csv")}))
    qtbot.waitUntil(lambda: window.sensor_ui.controller.timeline.mode is Mode.REPLAY, timeout=10000)
    return start


def test_replay_scrub_follows_cursor_alarm_flashes_until_acknowledged(window, qtbot, tmp_path):
    ui = window.sensor_ui
    controller, timeline = ui.controller, ui.controller.timeline
    start = replay_coater_recording(window, qtbot, tmp_path)
    assert ui.timeline_bar.replay.isChecked() and ui.timeline_bar.slider.isEnabled()
    assert ui.timeline_bar.slider.marks, "alarm marks on the scrub bar"
    assert min(ui.timeline_bar.slider.marks) == pytest.approx(0.7, abs=0.01)
    assert max(ui.timeline_bar.slider.weights) == 1.0  # heights relative to the busiest slice

    def scrub_to(second: float) -> None:
        slider = ui.timeline_bar.slider
        slider.setValue(round(second / 100 * slider.maximum()))  # as a drag of the scrub bar does
        qtbot.waitUntil(lambda: timeline.idle() and abs(timeline.cursor - (start + second)) < 0.5, timeout=5000)
        qtbot.waitUntil(lambda: controller.colors is not None and not controller._dirty, timeout=3000)

    scrub_to(20)
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) == STATE_COLORS["running"], timeout=3000)
    scrub_to(60)
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) == STATE_COLORS["fault"], timeout=3000)
    assert ui.alarms_dock.row_count() == 0
    scrub_to(30)  # back in time: the state follows the cursor backwards too
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) == STATE_COLORS["running"], timeout=3000)
    assert ui.timeline_bar.time_label.text() == "2025-01-01 09:00:30 (UTC+09:00)"  # Ochang's time, Asia/Seoul

    ui.timeline_bar.jump.setText("2025-01-01T00:01:20Z")  # jump to a time: 80 s, beyond HIHI
    ui.timeline_bar.jump.returnPressed.emit()
    qtbot.waitUntil(lambda: ui.alarms_dock.row_count() == 1, timeout=5000)
    row = [ui.alarms_dock.row_text(0, column) for column in range(7)]
    assert row[2] == "oven_temperature" and row[3] == "160 °C" and row[4] == "150 °C"
    assert "Cathode coater" in row[1] and row[6] == "NEW"
    # Raised when the oven went beyond its limits (70 s), as the recording tells, not at the jump (80 s).
    qtbot.waitUntil(lambda: ui.alarms_dock.row_text(0, 0) == "2025-01-01 09:01:10 (UTC+09:00)", timeout=5000)

    seen = set()
    qtbot.waitUntil(lambda: seen.add(batch_color(window, CATHODE_COATER)) or len(seen) >= 2, timeout=3000)
    assert seen == {ALARM_COLOR, FLASH_OFF_COLOR}, "the alarm flashes between two colours"

    ui.alarms_dock.acknowledge_requested.emit([])  # Acknowledge All
    assert ui.alarms_dock.row_text(0, 6) == "acknowledged"
    steady = set()
    deadline = time.monotonic() + 1.0  # four flash periods
    while time.monotonic() < deadline:
        qtbot.wait(60)
        steady.add(batch_color(window, CATHODE_COATER))
    assert steady == {ALARM_COLOR}, "acknowledged: steady alarm colour until it clears"

    scrub_to(20)  # the alarm clears
    qtbot.waitUntil(lambda: ui.alarms_dock.row_count() == 0, timeout=3000)


def test_colour_legend_shows_while_sensor_data_colour_the_view(window, qtbot, tmp_path):
    legend = window.scene.legend
    assert not legend.visible  # no source: no colours to explain
    replay_coater_recording(window, qtbot, tmp_path)
    qtbot.waitUntil(lambda: legend.visible, timeout=5000)
    names = [entry[0] for entry in legend.entries]
    assert names[:4] == ["running", "idle", "fault", "offline"] and "stale: no recent data (pale, two-tone)" in names
    view = window.scene.view
    assert view._label_obstacles == [legend]  # the names keep clear of it
    left, bottom, right, top = legend.placed_boxes()[0]
    for box in view._label_layers[0].placed_boxes().tolist():
        assert box[2] <= left or box[0] >= right or box[3] <= bottom or box[1] >= top, box
    image = rendered(window)
    for index, (_, rgb) in enumerate(legend.entries[:4]):
        assert np.abs(pixel_at(image, legend.swatch_centre(index)) - rgb).max() <= 3, legend.entries[index]
    stale = names.index("stale: no recent data (pale, two-tone)")  # a two-tone swatch, as the equipment
    for tone in (0, 1):
        want = legend.entries[stale][1 + tone]
        assert np.abs(pixel_at(image, legend.swatch_centre(stale, tone)) - want).max() <= 3, (tone, want)
    window.sensor_ui.controller.timeline.set_mode(Mode.LIVE)  # live with no source: nothing coloured
    qtbot.waitUntil(lambda: not legend.visible, timeout=5000)
    assert np.abs(pixel_at(rendered(window), legend.swatch_centre(0)) - STATE_COLORS["running"]).max() > 30


def test_colour_by_an_analog_signal_maps_it_over_its_limits_and_back_to_states(window, qtbot, tmp_path):
    from viewer.sensors.rules import colormap

    ui = window.sensor_ui
    controller, timeline, combo = ui.controller, ui.controller.timeline, ui.timeline_bar.color_by
    start = replay_coater_recording(window, qtbot, tmp_path)
    timeline.seek(start + 20)  # running, oven at 130: half-way between LO 120 and HI 140
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) == STATE_COLORS["running"], timeout=5000)
    choices = [combo.itemText(i) for i in range(combo.count())]
    assert choices[0] == "State" and "oven_temperature" in choices and "state" not in choices
    assert choices[1:] == sorted(choices[1:]) == controller.colorable_signals()

    combo.activated.emit(choices.index("oven_temperature"))  # as picking it in the list does
    middle = tuple(int(c) for c in colormap(np.array([130.0]), 120.0, 140.0)[0])
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) == middle, timeout=3000)
    assert controller.color_by == "oven_temperature"
    batch = window.scene.view.batch
    other = next(p.equipment.id for p in batch.paths if all(s.name != "oven_temperature" for s in p.equipment.signals))
    assert batch_color(window, other) == WITHOUT_SIGNAL_COLOR  # without the signal: greyed, not its own blue
    assert window.scene.legend.title == "Colour: oven_temperature"
    assert window.scene.legend.entries[1] == ("half-way from LO to HI", middle)
    timeline.seek(start + 80)  # 160: beyond HIHI, the alarm colours win on the map too
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) in {ALARM_COLOR, FLASH_OFF_COLOR}, timeout=3000)

    combo.activated.emit(0)  # back to the states
    timeline.seek(start + 20)
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) == STATE_COLORS["running"], timeout=3000)
    assert controller.color_by is None and window.scene.legend.entries[0][0] == "running"
    assert not batch.has_override[batch.index_of(other)]  # no data of its own: its own colour again
    with pytest.raises(ValueError, match="no analog signal 'state'"):
        controller.set_color_by("state")
    # Asked for from outside the box (`open --color-by`): the box says what the view is coloured by.
    ui.set_color_by("oven_temperature")
    assert controller.color_by == "oven_temperature" and combo.currentText() == "oven_temperature"


def test_copy_link_to_this_moment_is_a_command_that_opens_the_same_view(window, qtbot, tmp_path):
    import shlex

    from PySide6.QtWidgets import QApplication

    from viewer.cli import build_parser
    from viewer.sensors.recording import parse_time

    ui = window.sensor_ui
    live = shlex.split(ui.copy_share_command())  # live, nothing selected: the plant alone
    assert live == ["mothertwin", "open", str(window.session.path.resolve())]
    start = replay_coater_recording(window, qtbot, tmp_path)
    timeline = ui.controller.timeline
    timeline.seek(start + 80)
    qtbot.waitUntil(lambda: timeline.idle() and timeline.source.cursor == start + 80, timeout=5000)
    window.select_ids([CATHODE_COATER])
    ui.controller.set_color_by("oven_temperature")
    ui.share_action.trigger()
    text = QApplication.clipboard().text()
    assert text.startswith("mothertwin open ") and "Copied: " + text in window.statusBar().currentMessage()
    args = build_parser().parse_args(shlex.split(text)[1:])  # what `mothertwin` will read from it
    assert args.file == window.session.path.resolve() and args.recording == (tmp_path / "coater.csv").resolve()
    assert parse_time(args.at) == start + 80 and args.at == "2025-01-01T09:01:20+09:00"  # with its offset
    assert args.select == CATHODE_COATER and args.color_by == "oven_temperature"
    from viewer.sensors.recording import utc_iso

    assert utc_iso(start + 80.25) == "2025-01-01T00:01:20.250Z" and parse_time(utc_iso(start + 80.25)) == start + 80.25


def test_scrub_bar_handle_drags_above_its_strip_of_alarm_marks(window, qtbot, tmp_path):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtGui import QImage

    ui = window.sensor_ui
    replay_coater_recording(window, qtbot, tmp_path)
    slider = ui.timeline_bar.slider
    qtbot.waitUntil(lambda: bool(slider.marks), timeout=5000)
    image = slider.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    strip_top = slider.height() - slider.MARKS_HEIGHT
    marked_x = round(slider.width() * 0.85)  # the alarm starts at 70 % and lasts to the end

    def violet(x: int, y: int) -> bool:  # the alarm colour
        colour = image.pixelColor(x, y)
        return colour.red() > 100 and colour.green() < 100 and colour.blue() > 150

    assert any(violet(marked_x + dx, y) for dx in (-1, 0, 1) for y in range(strip_top, slider.height()))
    assert not any(violet(marked_x, y) for y in range(0, strip_top - 1))  # marks stay out of the groove
    # The handle is where it is drawn: pressing it and dragging moves the cursor.
    option_handle = slider.style().subControlRect(
        slider.style().ComplexControl.CC_Slider,
        _slider_option(slider),
        slider.style().SubControl.SC_SliderHandle,
        slider,
    )
    assert option_handle.bottom() < strip_top
    start = option_handle.center()
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(slider, QPoint(start.x() + slider.width() // 2, start.y()))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=QPoint(start.x() + slider.width() // 2, start.y()))
    assert slider.value() > slider.maximum() * 0.4


def _slider_option(slider):
    from PySide6.QtWidgets import QStyleOptionSlider

    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    return option


def test_a_seek_is_shown_at_once_whatever_the_update_cadence(window, qtbot, tmp_path):
    controller = window.sensor_ui.controller
    timeline = controller.timeline
    start = replay_coater_recording(window, qtbot, tmp_path)
    timeline.seek(start + 20)
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) == STATE_COLORS["running"], timeout=3000)
    # Frames measured as slow as 10 s: live updates would now wait 15 s; the user's seek does not.
    controller._render_cost = 10.0
    controller._applied_at = time.perf_counter()
    rendered = []
    window.scene.rendered.connect(lambda: rendered.append(batch_color(window, CATHODE_COATER)))
    timeline.seek(start + 60)
    qtbot.waitUntil(lambda: STATE_COLORS["fault"] in rendered, timeout=2000)


def test_play_advances_the_cursor(window, qtbot, tmp_path):
    timeline = window.sensor_ui.controller.timeline
    start = replay_coater_recording(window, qtbot, tmp_path)
    timeline.set_speed(60.0)
    window.sensor_ui.timeline_bar.play.setChecked(True)
    qtbot.waitUntil(lambda: timeline.cursor > start + 30, timeout=5000)
    window.sensor_ui.timeline_bar.play.setChecked(False)
    assert not timeline.playing
    window.sensor_ui.timeline_bar.live.click()
    assert timeline.mode is Mode.LIVE


def test_simulator_source_colours_equipment_and_status_bar(window, qtbot):
    ui = window.sensor_ui
    ui.start_simulator()
    qtbot.waitUntil(lambda: "simulator: connected" in ui.status.text(), timeout=5000)
    qtbot.waitUntil(lambda: window.scene.view.batch.has_override.sum() > 100, timeout=5000)
    window.select_ids([CATHODE_COATER])
    qtbot.waitUntil(lambda: "sensor-values" in window.plotter.actors, timeout=3000)
    assert ui.trend_dock.plotted_tags() == [
        COATER_TAG.format(s) for s in ("oven_temperature", "web_speed", "coating_weight")
    ]
    qtbot.waitUntil(
        lambda: (
            ui.sources_dock.table.topLevelItemCount() == 1
            and ui.sources_dock.table.topLevelItem(0).text(2) == "connected"
        ),
        timeout=3000,
    )


def test_bindings_dock_auto_bind_sets_an_undoable_template(window, qtbot):
    controller = window.sensor_ui.controller
    now = time.time()
    from viewer.sensors import Sample

    controller.store.put(
        [Sample(f"plant1/{e}/state", now, "running") for e in ("OC-ELE1-COT-01", "OC-ELE1-COT-02", "UNKNOWN-9")],
        source="test",
    )
    window.sensor_ui.refresh_docks()
    assert controller.binding_report().unknown == [
        "plant1/OC-ELE1-COT-01/state",
        "plant1/OC-ELE1-COT-02/state",
        "plant1/UNKNOWN-9/state",
    ]
    window.sensor_ui.bindings_dock.auto_bind_requested.emit()
    assert controller.template() == "plant1/{equipment}/{signal}"
    window.sensor_ui.refresh_docks()
    assert window.sensor_ui.bindings_dock.bound.count() == 2
    assert window.sensor_ui.bindings_dock.unknown.count() == 1
    assert window.session.modified
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) == STATE_COLORS["running"], timeout=3000)
    window.session.undo.undo()
    assert controller.template() == ""
    window.sensor_ui.bindings_dock.template.setText("{site}/{nope}/{signal}")
    window.sensor_ui.bindings_dock.template_submitted.emit("{site}/{nope}/{signal}")
    assert controller.template() == ""  # refused, with a message naming the unknown field
    assert "nope" in window.messages.messages[-1].text


def test_plugins_dialog_lists_builtin_and_a_broken_plugin_is_reported_and_disabled(window, qtbot):
    from PySide6.QtCore import Qt

    ui = window.sensor_ui
    dialog = ui.show_plugins()
    names = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert "mothertwin-builtin-sources" in names
    builtin = dialog.tree.topLevelItem(names.index("mothertwin-builtin-sources"))
    assert "source mqtt" in builtin.text(3) and builtin.text(2) in ("available", "loaded")
    dialog.close()

    # A plugin from another package is listed, not read, until the user enables it: it is code.
    broken = EntryPoint("broken-plugin", "no_such_module_for_mothertwin:manifest", ENTRY_POINT_GROUP)
    ui.controller.discover_plugins([*entry_points(group=ENTRY_POINT_GROUP), broken])
    notes = [m.text for m in window.messages.messages if m.severity is Severity.INFO]
    assert any("'broken-plugin'" in text and "not enabled" in text for text in notes)
    assert not [m for m in window.messages.messages if m.severity is Severity.ERROR]
    dialog = ui.show_plugins()

    def rows():
        tree = dialog.tree
        return {tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(tree.topLevelItemCount())}

    assert rows()["broken-plugin"].text(2) == "not enabled"
    assert rows()["broken-plugin"].checkState(0) == Qt.CheckState.Unchecked
    rows()["broken-plugin"].setCheckState(0, Qt.CheckState.Checked)  # enabled: read now, and it fails
    errors = [m for m in window.messages.messages if m.severity is Severity.ERROR]
    assert any("broken-plugin" in m.text and "disabled" in m.text for m in errors)
    assert "broken-plugin" in ui.controller.plugins.registry.disabled
    assert ui.controller.plugins.user_enabled() == {"broken-plugin"}
    assert rows()["broken-plugin"].text(2).startswith("failed: ")

    # Switching the built-in plugin off is kept in the settings and takes its sources off the list.
    rows()["mothertwin-builtin-sources"].setCheckState(0, Qt.CheckState.Unchecked)
    assert ui.controller.plugins.user_disabled() == {"mothertwin-builtin-sources"}
    assert ui.controller.plugins.source_kinds() == []
    dialog.close()


def test_connect_dialog_keeps_secrets_out_and_checks_addresses(window, qtbot, monkeypatch, tmp_path):
    settings = source_settings(
        "mqtt", {"url": "mqtt://broker:1883", "sparkplug": True, "username": "eng", "password_env": "MT_PW"}
    )
    assert settings.options["topics"] == ["spBv1.0/#"]
    monkeypatch.setenv("MT_PW", "s3cret")
    assert settings.password() == "s3cret" and "s3cret" not in json.dumps(settings.to_dict())
    window.sensor_ui.choose_source("opcua")
    dialog = window.sensor_ui.last_dialog
    dialog.fields["opcua"]["url"].setText("http://not-opc")
    dialog._accept()
    assert "opc.tcp://" in dialog.error.text() and dialog.isVisible()
    dialog.reject()
    # MQTT over TLS: the CA file is checked in the dialog, and only for mqtts://.
    window.sensor_ui.choose_source("mqtt")
    dialog = window.sensor_ui.last_dialog
    fields = dialog.fields["mqtt"]
    fields["url"].setText("mqtt://broker:1883")
    fields["tls_ca"].setText(str(tmp_path / "ca.pem"))
    dialog._accept()
    assert "mqtts://" in dialog.error.text() and dialog.isVisible()
    fields["url"].setText("mqtts://broker:8883")
    dialog._accept()
    assert "ca.pem: no such file" in dialog.error.text()
    dialog.reject()
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    settings = source_settings("mqtt", {"url": "mqtts://broker:8883", "tls_ca": str(tmp_path / "ca.pem")})
    assert settings.options["tls_ca"] == str(tmp_path / "ca.pem")
    document_text = json.dumps(window.session.document.sites[0].tag_template)
    assert "s3cret" not in document_text


def test_status_bar_shows_a_new_status_at_once_and_message_counts_once_a_second(window, monkeypatch):
    from viewer.ui.sensors.sources import SourceRow

    controller = window.sensor_ui.controller
    shown = []
    controller.status_changed.connect(shown.append)
    rows = [SourceRow("plant", "mqtt", "mqtt://x", "connected", 1, 1, 0, 0, "")]
    monkeypatch.setattr(controller.sources, "rows", lambda: rows)
    controller._update_status()
    assert shown[-1] == "Sensors: plant: connected (1 msgs)"
    rows[0] = SourceRow("plant", "mqtt", "mqtt://x", "connected", 2, 2, 0, 0, "")
    controller._update_status()
    assert len(shown) == 1  # only the counter moved: no repaint yet
    rows[0] = SourceRow("plant", "mqtt", "mqtt://x", "reconnecting", 3, 3, 0, 0, "")
    controller._update_status()
    assert shown[-1] == "Sensors: plant: reconnecting (3 msgs)"  # a new status: at once
    rows[0] = SourceRow("plant", "mqtt", "mqtt://x", "reconnecting", 9, 9, 0, 0, "")
    controller._status_at -= 1.0  # a second later
    controller._update_status()
    assert shown[-1] == "Sensors: plant: reconnecting (9 msgs)"


def test_inspector_shows_the_replayed_value_with_unit_and_alarm_mark(window, qtbot, tmp_path):
    from viewer.ui.explore.inspector import LIVE_ROLE

    def oven_row() -> str:
        tree = window.inspector.tree
        for i in range(tree.topLevelItemCount()):
            item = tree.topLevelItem(i)
            if item.text(0).strip() == "oven_temperature" and item.data(1, LIVE_ROLE) is not None:
                return item.text(1)
        return ""

    timeline = window.sensor_ui.controller.timeline
    window.select_ids([CATHODE_COATER])
    qtbot.waitUntil(lambda: oven_row() == "lolo 110, lo 120, hi 140, hihi 150 °C", timeout=3000)  # no source yet
    start = replay_coater_recording(window, qtbot, tmp_path)
    timeline.seek(start + 20)
    qtbot.waitUntil(lambda: oven_row() == "130 °C  ·  lolo 110, lo 120, hi 140, hihi 150 °C", timeout=5000)
    timeline.seek(start + 80)  # 160: beyond HIHI
    qtbot.waitUntil(lambda: oven_row().startswith("160 °C ◆ HIHI  ·  "), timeout=5000)
    assert "fault" in window.inspector.text()  # the state row has its value too
    # The trend reads out the value at the replay cursor, with the unit.
    trend = window.sensor_ui.trend_dock
    tag = COATER_TAG.format("oven_temperature")
    qtbot.waitUntil(lambda: trend.readout(tag) == "160 °C at 09:01:20 (UTC+09:00)", timeout=5000)


def test_colour_blind_safe_palette_colours_the_view_and_legend_and_is_kept(window, qtbot, tmp_path):
    from viewer.sensors.rules import OKABE_ITO, PALETTE_PRESETS

    okabe = PALETTE_PRESETS[OKABE_ITO]
    controller = window.sensor_ui.controller
    start = replay_coater_recording(window, qtbot, tmp_path)
    controller.timeline.seek(start + 20)
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) == STATE_COLORS["running"], timeout=5000)
    controller.set_palette(okabe)
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) == okabe["running"], timeout=3000)
    legend = window.scene.legend
    qtbot.waitUntil(lambda: legend.entries[0] == ("running", okabe["running"]), timeout=3000)
    assert [e[1] for e in legend.entries[5:7]] == [okabe["warning"], okabe["alarm"]]
    image = rendered(window)
    assert np.abs(pixel_at(image, legend.swatch_centre(0)) - okabe["running"]).max() <= 3
    controller.timeline.seek(start + 80)  # beyond HIHI: the preset's alarm colour (reddish purple)
    qtbot.waitUntil(lambda: batch_color(window, CATHODE_COATER) == okabe["alarm"], timeout=5000)
    # Kept: a window opened later with the same settings starts with it.
    again = open_window(qtbot, window.settings)
    try:
        assert again.sensor_ui.controller.state_colors == okabe
    finally:
        again.sensor_ui.shutdown()
        again.close()
