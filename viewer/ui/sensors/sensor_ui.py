"""Live and replayed sensor state in the main window: one call, `install_sensor_ui(window)`, at the end of
MainWindow.__init__ adds the Sensors menu, Tools > Plugins, the Sources, Bindings, Alarms and Trend docks,
the timeline toolbar and a status bar field, all driven by one SensorController."""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMainWindow, QMenu

from viewer.app.document import Message, Severity
from viewer.model.site_time import TimeDisplay
from viewer.sensors import NoTimeColumnError, ReadOptions, SourceSettings
from viewer.ui.explore import LiveValue
from viewer.ui.plugins import PluginsDialog
from viewer.ui.sensors.alarms_dock import AlarmsDock
from viewer.ui.sensors.controller import SensorController
from viewer.ui.sensors.dialogs import RECORDING_FILTER, ConnectSourceDialog, RecordingTimeDialog, StateColorsDialog
from viewer.ui.sensors.docks import BindingsDock, SourcesDock, TrendDock
from viewer.ui.sensors.recording_signals import RecordingSignals
from viewer.ui.sensors.site_clock import SiteClock
from viewer.ui.sensors.timeline import Mode
from viewer.ui.sensors.timeline_bar import TimelineBar

DOCK_REFRESH_MS = 500  # sources table and bindings lists: people read them, twice a second is plenty
LIVE_TREND_MS = 1000


class SensorUI(QObject):
    """The widgets of the sensor features and their wiring; the logic is in `controller`."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.controller = SensorController(window.scene, window.session, window.settings, self)
        self.recording_signals = RecordingSignals(self.controller)
        self.sources_dock = SourcesDock(window)
        self.bindings_dock = BindingsDock(window)
        self.alarms_dock = AlarmsDock(window)
        self.trend_dock = TrendDock(window)
        self.timeline_bar = TimelineBar(window)
        self.clock = SiteClock(window, window.settings, self)  # the site's time zone, or UTC on request
        self.status = QLabel("Sensors: no source")
        self.status.setToolTip("Sensor sources and their status (Sensors > Sources)")
        self.last_dialog: ConnectSourceDialog | None = None
        self.last_time_dialog: RecordingTimeDialog | None = None
        self._place_docks()
        self._build_menus()
        self._connect()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(DOCK_REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh_docks)
        self._refresh_timer.start()
        self._trend_timer = QTimer(self)
        self._trend_timer.setInterval(LIVE_TREND_MS)
        self._trend_timer.timeout.connect(self.refresh_trend)
        self._trend_timer.start()
        window.closed.connect(self.shutdown)  # type: ignore[attr-defined]
        self.controller.discover_plugins()
        self.refresh_docks()
        self.alarms_dock.set_alarms([], {})
        self._on_time_display(self.clock.display)

    # ------------------------------------------------------------ building

    def _place_docks(self) -> None:
        w = self.window
        w.addToolBar(Qt.ToolBarArea.BottomToolBarArea, self.timeline_bar)
        # The trend beside the messages and alarms: both are read together, and a time axis wants the width.
        # Beside the whole bottom tab group: splitting one of its tabbed docks would only add another tab.
        w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.trend_dock, Qt.Orientation.Horizontal)
        w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.alarms_dock)
        w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.sources_dock)
        w.tabifyDockWidget(w.messages, self.alarms_dock)
        w.tabifyDockWidget(self.alarms_dock, self.sources_dock)
        w.messages.raise_()
        w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.bindings_dock)
        w.tabifyDockWidget(w.viewpoints, self.bindings_dock)
        w.inspector.raise_()
        w.resizeDocks([w.messages, self.trend_dock], [650, 950], Qt.Orientation.Horizontal)
        w.resizeDocks([w.messages], [220], Qt.Orientation.Vertical)

    def _build_menus(self) -> None:
        w = self.window
        menu = self._menu("&Sensors")
        self.connect_action = menu.addAction("&Connect Source…", self.choose_source)
        self.connect_action.setStatusTip("Connect MQTT, Sparkplug B, OPC UA, a recording or the simulator")
        self.simulator_action = menu.addAction("Start &Simulator", self.start_simulator)
        self.simulator_action.setStatusTip("Believable values for every signal of the site shown")
        self.signals_action = menu.addAction("Signals from &Recording…", self.choose_signals_recording)
        self.signals_action.setStatusTip(
            "Make the selected equipment's signals from a recording's columns (units and limits guessed), "
            "bound to them, and replay it"
        )
        menu.addSeparator()
        self.ack_action = menu.addAction("&Acknowledge All Alarms", lambda: self.controller.acknowledge(None))
        self.ack_action.setShortcut("Ctrl+Shift+A")
        self.colors_action = menu.addAction("State &Colours…", self.choose_colors)
        self.share_action = menu.addAction("Copy &Link to This Moment", self.copy_share_command)
        self.share_action.setStatusTip(
            "Copy a command line that opens this plant with this recording at the cursor, this selection framed"
        )
        self.utc_action = menu.addAction("Show Times in &UTC")
        self.utc_action.setCheckable(True)
        self.utc_action.setChecked(self.clock.utc)
        self.utc_action.setStatusTip("Write and read times in UTC instead of the time zone of the site shown")
        self.utc_action.toggled.connect(self.clock.set_utc)
        menu.addSeparator()
        for dock in (self.sources_dock, self.bindings_dock, self.alarms_dock, self.trend_dock):
            menu.addAction(dock.toggleViewAction())
        menu.addAction(self.timeline_bar.toggleViewAction())
        tools = self._menu("&Tools")
        self.plugins_action = tools.addAction("&Plugins…", self.show_plugins)
        w.statusBar().addPermanentWidget(self.status)

    def _menu(self, title: str) -> QMenu:
        bar = self.window.menuBar()
        for action in bar.actions():
            if action.menu() is not None and action.text().replace("&", "") == title.replace("&", ""):
                return action.menu()
        return bar.addMenu(title)

    def _connect(self) -> None:
        c, t = self.controller, self.controller.timeline
        c.status_changed.connect(self.status.setText)
        c.message.connect(self._report)
        c.alarms_changed.connect(self.refresh_alarms)
        c.bindings_changed.connect(self.refresh_docks)
        c.bindings_changed.connect(lambda: self.refresh_trend(layout=True))  # a selection made while binding
        c.sources.sources_changed.connect(self.refresh_docks)  # queued: emitted by connecting threads
        c.values_changed.connect(c.update_labels)
        c.values_changed.connect(self.refresh_inspector)
        c.scene.state.selection_changed.connect(lambda *_: self.refresh_trend(layout=True))
        self.sources_dock.connect_requested.connect(self.choose_source)
        self.sources_dock.disconnect_requested.connect(self._disconnect)
        self.bindings_dock.template_submitted.connect(c.set_template)
        self.bindings_dock.auto_bind_requested.connect(c.auto_bind)
        self.alarms_dock.acknowledge_requested.connect(lambda keys: c.acknowledge(keys or None))
        self.alarms_dock.focus_requested.connect(lambda i: self.window.focus_ids([i]))
        bar = self.timeline_bar
        bar.mode_requested.connect(t.set_mode)
        bar.play_requested.connect(t.set_playing)
        bar.speed_requested.connect(t.set_speed)
        bar.seek_requested.connect(t.seek)
        bar.color_by_requested.connect(self._color_by)
        c.bindings_changed.connect(self._refresh_color_choices)
        t.mode_changed.connect(self._on_mode)
        t.range_changed.connect(bar.set_range)
        t.marks_changed.connect(bar.set_marks)
        t.playing_changed.connect(bar.set_playing)
        t.cursor_changed.connect(self._on_cursor)
        t.error.connect(bar.show_error)
        t.progress.connect(self._on_progress)
        t.time_column_needed.connect(lambda settings, columns: self.ask_recording_times(settings, columns))
        t.trend_ready.connect(lambda series: self.trend_dock.set_series(series, t.cursor))
        self.clock.changed.connect(self._on_time_display)

    # ------------------------------------------------------------ actions

    def _color_by(self, signal: str) -> None:
        self.controller.set_color_by(signal or None)

    def set_color_by(self, signal: str | None) -> None:
        """Colour by one analog signal (None: by state), and say so in the timeline bar's Colour by box."""
        self.controller.set_color_by(signal)
        self.timeline_bar.set_color_choices(self.controller.colorable_signals(), self.controller.color_by)

    def _refresh_color_choices(self, *_: object) -> None:
        signals = self.controller.colorable_signals()
        if self.controller.color_by not in signals:
            self.controller.set_color_by(None)  # the signal left with the bindings: back to the states
        self.timeline_bar.set_color_choices(signals, self.controller.color_by)

    def share_command(self) -> list[str] | None:
        """`mothertwin open` arguments that show what is on screen now: the plant file, the recording at the
        cursor (in replay), the signal coloured by, the selection. None when the plant has no file yet."""
        session = self.window.session
        if session.path is None:
            return None
        command = ["mothertwin", "open", str(Path(session.path).resolve())]
        timeline = self.controller.timeline
        settings = timeline.settings
        if timeline.mode is Mode.REPLAY and settings is not None:
            # The time with its offset: the same moment wherever the link is opened.
            at = self.clock.display.iso(timeline.cursor)
            command += ["--recording", str(Path(settings.url).resolve()), "--at", at]
            for key, value in ReadOptions.from_options(settings.options).to_options().items():
                command += [f"--{key.replace('_', '-')}", str(value)]  # how its times were read
            if self.controller.color_by:
                command += ["--color-by", self.controller.color_by]
        selection = list(self.window.state.selection)
        if selection:
            command += ["--select", ",".join(selection)]
        return command

    def copy_share_command(self) -> str:
        """Put `share_command` on the clipboard, quoted for this system's shell; returns the text."""
        command = self.share_command()
        if command is None:
            self._report(Message(Severity.WARNING, "save the plant first: a link names its file"))
            return ""
        text = subprocess.list2cmdline(command) if sys.platform == "win32" else shlex.join(command)
        QApplication.clipboard().setText(text)
        note = " (the plant has unsaved changes: the link opens the saved file)" if self.window.session.modified else ""
        self.window.statusBar().showMessage(f"Copied: {text}{note}", 8000)
        return text

    def choose_source(self, kind: str | None = None) -> None:
        dialog = ConnectSourceDialog(self.controller.plugins.source_kinds(), self.window)
        if kind:
            dialog.set_kind(kind)
        self.last_dialog = dialog
        dialog.accepted.connect(lambda: self._connect_settings(dialog.result_settings))
        dialog.open()  # not exec(): the window keeps running (and tests can fill the dialog in)

    def _connect_settings(self, settings: SourceSettings | None) -> None:
        if settings is not None:
            self.controller.connect_source(settings)
            self.sources_dock.show()
            self.sources_dock.raise_()

    def choose_signals_recording(self) -> None:
        """Sensors > Signals from Recording: a recording file for the one selected equipment."""
        selection = list(self.window.state.selection)
        if len(selection) != 1:
            self._report(Message(Severity.WARNING, "signals from recording: select one equipment first"))
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "Signals from recording", "", RECORDING_FILTER)
        if path:
            self.signals_from_recording(selection[0], SourceSettings("recording", Path(path).stem, path))

    def signals_from_recording(self, equipment_id: str, settings: SourceSettings) -> bool:
        """Signals of one equipment from a recording, bound and replayed; asks for the times (dialog) when
        the file has no time column, then goes on. True when done now."""
        self.window.setCursor(Qt.CursorShape.WaitCursor)
        try:
            return self.recording_signals.make(equipment_id, settings)
        except NoTimeColumnError as exc:
            self._report(Message(Severity.WARNING, str(exc)))
            self.ask_recording_times(settings, exc.columns, equipment_id)
            return False
        finally:
            self.window.unsetCursor()

    def ask_recording_times(
        self, settings: SourceSettings, columns: list[str], equipment_id: str | None = None
    ) -> RecordingTimeDialog:
        """The recording has no time column: ask which column, or the rows' rate and start; then read it
        again (for the equipment's signals, when `equipment_id` is given, else for replay)."""
        dialog = RecordingTimeDialog(settings.url, list(columns), settings.options, self.window)
        self.last_time_dialog = dialog

        def read_again() -> None:
            if dialog.result_options is None:
                return
            again = SourceSettings("recording", settings.name, settings.url, options=dict(dialog.result_options))
            if equipment_id is not None:
                self.signals_from_recording(equipment_id, again)
            else:
                self._connect_settings(again)

        dialog.accepted.connect(read_again)
        dialog.open()
        return dialog

    def _on_progress(self, fraction: float, what: str) -> None:
        self.window.statusBar().showMessage(f"{what[:1].upper()}{what[1:]}: {fraction * 100:.0f} %", 5000)

    def start_simulator(self) -> None:
        self._connect_settings(SourceSettings("simulator", "simulator", options={"rate": 1.0}))

    def _disconnect(self, name: str) -> None:
        if self.controller.timeline.settings is not None and name == self.controller.timeline.settings.name:
            self.controller.timeline.close_recording()
        else:
            self.controller.sources.disconnect_source(name)

    def choose_colors(self) -> None:
        dialog = StateColorsDialog(self.controller.state_colors, self.window)
        if dialog.exec():
            self.controller.set_palette(dialog.colors)

    def show_plugins(self) -> PluginsDialog:
        dialog = PluginsDialog(self.controller.plugins, self.window)
        dialog.changed.connect(self.controller.report_plugin_problems)
        dialog.open()
        return dialog

    def _report(self, message: Message) -> None:
        messages = self.window.messages
        messages.add_messages([message])
        if message.severity is not Severity.INFO:
            messages.show()
            messages.raise_()

    # ------------------------------------------------------------ refreshing the widgets

    def refresh_docks(self) -> None:
        c = self.controller
        rows = c.sources.rows()
        timeline = c.timeline
        if timeline.source is not None and timeline.settings is not None:
            from viewer.ui.sensors.sources import SourceRow

            counters = timeline.source.counters
            rows.append(
                SourceRow(
                    timeline.settings.name,
                    "recording",
                    timeline.settings.url,
                    f"replay ({timeline.mode})",
                    counters.messages,
                    counters.values,
                    counters.malformed,
                    0,
                    "",
                )
            )
        self.sources_dock.set_rows(rows)
        if c.alarms():
            self.refresh_alarms()  # the latest values of standing alarms
        site = c.site
        self.bindings_dock.set_template(c.template())
        self.bindings_dock.setEnabled(site is not None)
        self.bindings_dock.set_report(c.binding_report(), site.name if site else "no site")

    def refresh_alarms(self) -> None:
        c = self.controller
        entries = c.alarms()
        names = {e.equipment_id: c.equipment_name(e.equipment_id) for e in entries}
        units = {e.key: c.unit_of(e.tag) for e in entries}
        self.alarms_dock.set_palette(c.state_colors)
        self.alarms_dock.set_alarms(entries, names, units)

    def refresh_inspector(self) -> None:
        """The current values in the Inspector's signal rows (the selection's, live or at the replay cursor)."""
        live = {key: LiveValue(text, look) for key, (text, look) in self.controller.live_values().items()}
        self.window.inspector.set_live_values(live)

    def refresh_trend(self, layout: bool = False) -> None:
        c = self.controller
        signals = c.trend_tags()
        names = list(dict.fromkeys(v.equipment_name for v in signals))
        if not c.scene.state.selection:
            caption = "Select equipment to see its signals over time"
        elif not signals and c.bindings is None:  # the site's signals are still being bound (after an open)
            caption = "Reading the selected equipment's signals…"
        elif not signals:
            caption = "The selected equipment has no analog signals"
        else:
            where = "last 5 minutes" if c.timeline.mode is Mode.LIVE else "±5 minutes around the replay cursor"
            zone = self.clock.display.zone_text(c.timeline.cursor if c.timeline.mode is Mode.REPLAY else time.time())
            caption = f"{', '.join(names[:3])}{' …' if len(names) > 3 else ''}: {where} ({zone})"
        self.trend_dock.set_signals(signals, caption)
        tags = self.trend_dock.plotted_tags()
        if c.timeline.mode is Mode.REPLAY:
            if layout:
                c.timeline.request_trend(tags)
        elif tags:
            self.trend_dock.set_series(c.live_series(tags), None)

    def _on_time_display(self, display: TimeDisplay) -> None:
        """The site shown changed, or UTC was asked for: every time on screen is written again."""
        self.timeline_bar.set_time_display(display)
        self.alarms_dock.set_time_display(display)
        self.trend_dock.set_time_display(display)
        self.controller.timeline.display = display
        self.refresh_trend()

    def _on_mode(self, mode: str) -> None:
        self.timeline_bar.set_mode(mode, self.controller.timeline.source is not None)
        self.refresh_trend(layout=True)
        self.refresh_docks()

    def _on_cursor(self, at: float) -> None:
        self.timeline_bar.set_cursor(at)
        self.refresh_trend(layout=True)

    # ------------------------------------------------------------ closing

    def shutdown(self) -> None:
        self._refresh_timer.stop()
        self._trend_timer.stop()
        self.controller.shutdown()


def install_sensor_ui(window: QMainWindow) -> SensorUI:
    """Add the sensor features to the main window; kept as `window.sensor_ui`."""
    ui = SensorUI(window)
    window.sensor_ui = ui
    return ui
