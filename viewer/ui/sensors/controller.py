"""Live and replayed sensor state on the 3D view: bindings, colours, alarms, value labels, trend data.

No widgets. Sources write into a thread-safe store from their own threads and only raise a flag; a 10 Hz
timer on the GUI thread reads the store, computes every equipment's colour through the application layer's
SensorView (as `render --recording` does), writes them in one batch call and asks for one render. A 4 Hz
flash timer toggles the colour of equipment with an unacknowledged alarm (2 flashes a second). The GUI
thread never waits on a socket or a file.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from PySide6.QtCore import QObject, QSettings, QTimer, Signal

from viewer.app.document import Message, Severity
from viewer.app.sensor_view import FLASH_OFF_COLOR, SensorView, bind_site, numeric_tags, tag_limits
from viewer.app.values import SignalValue, label_lines, value_text
from viewer.model import EquipmentPath, SignalKind, Site
from viewer.scene.plant_view import LabelSpec
from viewer.sensors import BindingReport, Bindings, EquipmentColors, SampleBuffer, SourceSettings, TemplateError
from viewer.sensors.alarms import AlarmBook, AlarmEntry, AlarmKey
from viewer.sensors.bindings import SetTagTemplate, TemplateSuggestion, check_template, suggest_template
from viewer.sensors.rules import ALARM_COLOR, DEFAULT_PALETTE, RGB
from viewer.sensors.samples import TEXT
from viewer.ui.plugins import PluginError, PluginsController
from viewer.ui.sensors.binding import bind_in_background
from viewer.ui.sensors.sources import SourceManager
from viewer.ui.sensors.timeline import Mode, TimelineController

if TYPE_CHECKING:
    from viewer.app.view_state import ViewState
    from viewer.model import PlantDocument
    from viewer.model.undo import UndoStack
    from viewer.scene.plant_view import PlantView

TICK_MS = 100  # colour updates: 10 a second, whatever the message rate
STATUS_COUNTS_S = 1.0  # the status bar's message counters change at most this often
FLASH_MS = 250  # alarm flashing: on/off every 250 ms, i.e. 2 Hz
STALE_CHECK_S = 1.0  # recolour at least this often while nothing arrives, so silence turns into "stale"
LIVE_TREND_SECONDS = 300.0
MAX_LABELLED = 12  # value labels on at most this many selected equipment
ALARM_STARTS_DELAY_MS = 300  # after a jump, ask when its alarms began once the cursor has rested this long
COLOR_KEY = "sensors/colors/"
BACKGROUND_BINDING = 2000  # equipment: a bigger site's tags are bound on a worker thread
RENDER_SHARE = 1.5  # colour updates wait at least this many measured frame times apart


class SensorScene(Protocol):
    """What the sensor state needs of the 3D scene (the window's SceneController)."""

    view: PlantView
    state: ViewState
    rendered: Any  # a signal with no arguments: a frame with everything requested so far is on screen

    @property
    def busy(self) -> bool: ...  # a big site is being drawn in steps

    def path_of(self, equipment_id: str) -> EquipmentPath | None: ...

    def request_render(self) -> None: ...

    def render_if_quick(self) -> None: ...

    def set_legend(self, entries: list[tuple[str, tuple[int, int, int]]] | None, title: str = "") -> None: ...


class SensorSession(Protocol):
    """What the sensor state needs of the open document (the window's DocumentSession). An `undo`
    (UndoStack) is optional: without one a tag template is set directly."""

    document: PlantDocument | None


def session_undo(session: SensorSession) -> UndoStack | None:
    undo: UndoStack | None = getattr(session, "undo", None)
    return undo


class SensorController(QObject):
    status_changed = Signal(str)  # one line for the status bar
    alarms_changed = Signal()
    bindings_changed = Signal()
    values_changed = Signal()  # the selected equipment's values may have changed (labels, trend)
    message = Signal(object)  # Message
    colors_applied = Signal(float)  # wall time the colours were written (benchmarks, tests)
    _woken = Signal()  # new data, from any thread: queued to the GUI thread
    _bindings_ready = Signal(object)  # (key, bindings, limits, problem) from the binding thread

    def __init__(
        self,
        scene: SensorScene,
        session: SensorSession,
        settings: QSettings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.scene = scene
        self.session = session
        self.settings = settings
        self.store = SampleBuffer(stale_after=10.0)
        self.plugins = PluginsController(settings)
        self.sources = SourceManager(self.store, self.plugins, self)
        self.timeline = TimelineController(self)
        self.book = AlarmBook()
        # The bindings, the colour-by choice and the palette, and the colours they give (no Qt).
        self.sensor_view = SensorView(None, self._load_state_colors())
        self.colors: EquipmentColors | None = None
        self.colored_count = 0  # equipment the last update coloured from their data
        self.flash_on = True
        self.ticks = 0
        self._bound_key: tuple[int, str] | None = None
        self._binding_key: tuple[int, str] | None = None  # being bound on a worker thread
        self._colored = np.zeros(0, np.int64)
        self._dirty = True
        self._last_full = 0.0
        self._limits_of: dict[AlarmKey, object] = {}
        self._status_text = ""
        self._status_key: tuple = ()
        self._status_at = 0.0
        self._label_text: tuple = ()
        self._applied_at = 0.0
        self._render_cost = 0.0  # seconds from asking for a frame to having it, measured
        self._render_requested_at: float | None = None
        # What the batch holds from us: indices, colours, the marked equipment, second tones.
        self._applied: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._wake_pending = False
        self._seeked = False  # the user moved the replay cursor: shown at once, not at the update cadence
        self._woken.connect(self._on_woken)
        self._bindings_ready.connect(self._on_bindings_ready)
        self.store.updated.connect(self._mark_dirty)  # from source threads: a flag and at most one wake-up
        self.sources.message.connect(self.message.emit)
        self.sources.sources_changed.connect(self._mark_dirty)
        self.timeline.cursor_changed.connect(self._on_cursor)
        self.timeline.seeking.connect(self._on_seeking)
        self.timeline.alarm_starts_ready.connect(self._on_alarm_starts)
        self.timeline.mode_changed.connect(self._on_mode)
        self.timeline.error.connect(lambda text: self.message.emit(Message(Severity.ERROR, text)))
        self.timeline.warning.connect(lambda text: self.message.emit(Message(Severity.WARNING, text)))
        self.scene.state.selection_changed.connect(self._on_selection)
        self.scene.rendered.connect(self._on_rendered)
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(TICK_MS)
        self._tick_timer.timeout.connect(self.tick)
        self._tick_timer.start()
        # The look-back query would hold up the next seek on the worker: it waits until the cursor rests.
        self._alarm_starts_timer = QTimer(self)
        self._alarm_starts_timer.setSingleShot(True)
        self._alarm_starts_timer.setInterval(ALARM_STARTS_DELAY_MS)
        self._alarm_starts_timer.timeout.connect(self._request_alarm_starts)
        self._flash_timer = QTimer(self)
        self._flash_timer.setInterval(FLASH_MS)
        self._flash_timer.timeout.connect(self.flash)
        self._flash_timer.start()

    @property
    def bindings(self) -> Bindings | None:
        return self.sensor_view.bindings

    @bindings.setter
    def bindings(self, bindings: Bindings | None) -> None:
        self.sensor_view.bindings = bindings

    @property
    def color_by(self) -> str | None:
        """The analog signal shown on a colour map instead of the states (None: by state)."""
        return self.sensor_view.color_by

    @property
    def state_colors(self) -> dict[str, RGB]:
        return self.sensor_view.state_colors

    # ------------------------------------------------------------ plugins and sources

    def discover_plugins(self, points: object = None) -> None:
        for message in self.plugins.discover(points):  # type: ignore[arg-type]
            self.message.emit(message)

    def connect_source(self, settings: SourceSettings) -> str | None:
        """Start a live source, or open a recording for replay. Returns the source's name."""
        if settings.kind == "recording":
            try:
                cls = self.plugins.load_source("recording")
            except PluginError as exc:
                self.message.emit(Message(Severity.ERROR, str(exc)))
                return None
            finally:
                self.report_plugin_problems()
            self.timeline.open_recording(settings, cls, self.tag_limits(), self.numeric_tags(), self.site)
            return settings.name
        bindings = self.bindings or Bindings.build([])
        name = self.sources.connect_source(settings, bindings)
        return name

    def report_plugin_problems(self) -> None:
        for message in self.plugins.new_problems():
            self.message.emit(message)

    def active_store(self) -> SampleBuffer:
        return self.timeline.store if self.timeline.mode is Mode.REPLAY else self.store

    def seen_tags(self) -> set[str]:
        if self.timeline.mode is Mode.REPLAY:
            return set(self.timeline.recording_tags) | set(self.timeline.store.tags())
        return set(self.store.tags())

    # ------------------------------------------------------------ bindings

    @property
    def site(self) -> Site | None:
        return self.scene.view.site

    def _sync_bindings(self) -> bool:
        """Re-bind when the shown batch (a new site or plant) or the site's tag template changed. A big site
        is bound on a worker thread (10,000 equipment take a quarter of a second); no colours meanwhile."""
        batch, site = self.scene.view.batch, self.site
        key = (id(batch), site.tag_template if site is not None else "")
        if key in (self._bound_key, self._binding_key):
            return False
        if self.scene.busy:  # a big site is being drawn in steps: binding it would slow every step
            self.bindings = None  # the old ones index another batch
            self._bound_key = None
            return False
        paths: list[EquipmentPath] = list(batch.paths) if batch is not None else []
        if len(paths) <= BACKGROUND_BINDING:
            self._install_bindings(key, *bind_site(paths, site))
            return True
        self._binding_key = key
        self.bindings = None  # the old ones index another batch
        self._bound_key = None
        thread = threading.Thread(
            target=lambda: self._bindings_ready.emit((key, *bind_in_background(paths, site))),
            name="bind-tags",
            daemon=True,
        )
        thread.start()
        return False

    def _on_bindings_ready(self, result: tuple) -> None:
        key = result[0]
        if key != self._binding_key:
            return  # a newer batch or template is being bound
        self._binding_key = None
        batch, site = self.scene.view.batch, self.site
        if key == (id(batch), site.tag_template if site is not None else ""):
            self._install_bindings(*result)  # coloured on the next tick, in a turn of its own

    def _install_bindings(
        self, key: tuple[int, str], bindings: Bindings, limits_of: dict[AlarmKey, object], problem: str
    ) -> None:
        if problem:
            self.message.emit(Message(Severity.ERROR, problem))
        self._bound_key = key
        self._colored = np.zeros(0, np.int64)
        self._applied = None
        self.bindings = bindings
        self._limits_of = limits_of
        self.book.clear()
        if self.timeline.source is not None:  # marks are drawn for a recording only
            self.timeline.refresh_marks(self.tag_limits())
        self._dirty = True
        self.bindings_changed.emit()
        self.alarms_changed.emit()

    def numeric_tags(self) -> list[str] | None:
        """Bound tags whose values are numbers (analog signals and counters): text among them is no value.
        None while the site is being bound (no tags yet): then any tag that holds numbers and text is one."""
        if self.bindings is None or not self.bindings.by_tag:
            return None
        return numeric_tags(self.bindings)

    def tag_limits(self) -> dict[str, tuple[float | None, float | None]]:
        """(low, high) alarm thresholds per bound analog tag, for the scrub bar's marks."""
        return tag_limits(self.bindings) if self.bindings is not None else {}

    def binding_report(self) -> BindingReport:
        bindings = self.bindings or Bindings.build([])
        return bindings.report(self.seen_tags())

    def template(self) -> str:
        site = self.site
        return site.tag_template if site is not None else ""

    def set_template(self, template: str) -> bool:
        """Set the active site's tag template: an undoable edit when the session has an undo stack."""
        site, document = self.site, self.session.document
        if site is None or document is None:
            return False
        template = template.strip()
        if template == site.tag_template:
            return True
        try:
            if template:
                check_template(template)
        except TemplateError as exc:
            self.message.emit(Message(Severity.ERROR, str(exc)))
            return False
        undo = session_undo(self.session)
        if undo is not None:
            undo.push(SetTagTemplate(site.id, template))
        else:
            site.tag_template = template
        self.tick()
        return True

    def suggest(self) -> TemplateSuggestion | None:
        return suggest_template(self.bindings.paths if self.bindings else [], self.seen_tags())

    def auto_bind(self) -> TemplateSuggestion | None:
        """Choose the template that binds the most seen tags and set it (undoable)."""
        suggestion = self.suggest()
        if suggestion is None:
            self.message.emit(Message(Severity.WARNING, "auto-bind: no tag template binds any of the tags seen"))
            return None
        if self.set_template(suggestion.template):
            self.message.emit(
                Message(
                    Severity.INFO,
                    f"auto-bind: template {suggestion.template} binds {suggestion.matched} of "
                    f"{suggestion.seen} tags seen",
                )
            )
        return suggestion

    # ------------------------------------------------------------ the update loop

    def colorable_signals(self) -> list[str]:
        """The analog signals the equipment can be coloured by (set_color_by)."""
        return self.sensor_view.colorable_signals()

    def set_color_by(self, signal: str | None) -> None:
        """Colour the equipment by one analog signal over its limits (None: by state), from the next update."""
        signal = signal or None
        if signal is not None and signal not in self.colorable_signals():
            raise ValueError(f"no analog signal {signal!r} with LO and HI limits to colour by")
        if signal == self.color_by:
            return
        self.sensor_view.color_by = signal
        self._applied = None
        self._seeked = True  # the user asked: shown at once, like a seek
        self._mark_dirty()

    def _mark_dirty(self, *_: object) -> None:
        self._dirty = True
        if not self._wake_pending:  # one queued wake-up at a time, however fast data comes
            self._wake_pending = True
            self._woken.emit()

    def _on_seeking(self, *_: object) -> None:
        # The state read for a seek reaches the store before the cursor signal: show it as soon as it does.
        self._seeked = True

    def _on_cursor(self, *_: object) -> None:
        if not self.timeline.playing:  # a seek, not a play step
            self._seeked = True
            # Its alarms are all "raised" at the cursor: ask when they began, once the cursor rests (a drag
            # of the scrub bar asks once); by then the update has put them in the book.
            self._alarm_starts_timer.start()
        self._mark_dirty()

    def _request_alarm_starts(self) -> None:
        if self.timeline.mode is not Mode.REPLAY or self.timeline.playing:
            return
        limits = self.tag_limits()
        self.timeline.request_alarm_starts({e.tag: limits[e.tag] for e in self.book.entries() if e.tag in limits})

    def _on_alarm_starts(self, at: float, starts: dict[str, tuple[float, bool]]) -> None:
        if self.timeline.mode is Mode.REPLAY and at == self.timeline.cursor and self.book.set_starts(starts):
            self.alarms_changed.emit()

    def _on_woken(self) -> None:
        """New data: show it now rather than at the next tick, unless the last frame was too recent."""
        self._wake_pending = False
        if not self._throttled():
            self.tick()

    def _on_mode(self, mode: str) -> None:
        self.book.clear()
        self._dirty = True
        self.alarms_changed.emit()

    def _on_selection(self, *_: object) -> None:
        # The scene wrote the selection colour and restored the old one: our colours go back on next tick.
        self._applied = None
        self._dirty = True
        self.values_changed.emit()

    def tick(self) -> None:
        """One coalesced update: statuses, then colours and alarms when anything changed."""
        self.ticks += 1
        for message in self.sources.poll_transitions():
            self.message.emit(message)
        self._update_status()
        rebound = self._sync_bindings()
        now = time.monotonic()
        if not (self._dirty or rebound or now - self._last_full >= STALE_CHECK_S) or self._throttled():
            return
        self._dirty = False
        seeked, self._seeked = self._seeked, False
        self._last_full = now
        if self.bindings is None or self.scene.view.batch is None or not len(self.scene.view.batch):
            return
        colors = self.sensor_view.colors(self.active_store())
        self.colors = colors.shown
        self.colored_count = colors.colored  # with data to show (the greyed rest not counted)
        if self.book.update(self.colors.alarms, self._limits_of):  # type: ignore[arg-type]
            self.alarms_changed.emit()
        self.apply_colors(urgent=seeked)
        self.values_changed.emit()

    def _on_rendered(self) -> None:
        if self._render_requested_at is not None:
            measured = time.perf_counter() - self._render_requested_at
            # Smoothed, so that one slow frame does not change the update cadence (steady beats fast).
            cost = self._render_cost
            self._render_cost = measured if cost == 0.0 else 0.7 * cost + 0.3 * measured
            self._render_requested_at = None

    def _throttled(self) -> bool:
        if self._seeked:
            return False  # the user is waiting for this one
        # A frame of a big plant in software OpenGL takes longer than a tick (and VTK holds the interpreter
        # lock meanwhile, starving the network threads): recolour at most once per 1.5 frame times.
        # Half a tick of slack: a wait a little shorter than a whole number of ticks would otherwise land on
        # the next tick or the one after by chance, and the updates would come unevenly.
        wait = RENDER_SHARE * self._render_cost - TICK_MS / 2000
        return time.perf_counter() - self._applied_at < wait

    def apply_colors(self, urgent: bool = False) -> None:
        """Write the colours into the scene and ask for a frame; `urgent`: drawn at once when that is quick."""
        colors, batch = self.colors, self.scene.view.batch
        if colors is None or batch is None or self.bindings is None:
            return
        flashing = self.book.flashing_equipment()
        rgb, alt = self.sensor_view.flashed(colors, flashing, self.flash_on)  # stale equipment: two-tone
        # The selection or a layout flag moving away gives equipment back their own colour: write ours again.
        marked = self.scene.view.marked_indices()
        previous = self._applied
        if (
            previous is not None
            and np.array_equal(previous[0], colors.indices)
            and np.array_equal(previous[1], rgb)
            and np.array_equal(previous[2], marked)
            and np.array_equal(previous[3], alt)
        ):
            self.colors_applied.emit(time.time())
            return  # nothing changed on screen: no batch write, no render
        cleared = np.setdiff1d(self._colored, colors.indices)
        self.scene.view.set_sensor_colors(colors.indices, rgb, cleared, alt)
        legend = self.sensor_view.legend(flashing=True)
        self.scene.set_legend(
            legend if len(colors.indices) else None, f"Colour: {self.color_by}" if self.color_by else ""
        )
        self._colored = colors.indices
        self._applied = (colors.indices, rgb, marked, alt)
        self._applied_at = time.perf_counter()
        self.colors_applied.emit(time.time())  # before the frame, which may be drawn right here
        if not self.scene.view.interacting:  # while the camera moves, its next frame shows the new colours
            self._render_requested_at = self._applied_at
            if urgent:
                self.scene.render_if_quick()
            else:
                self.scene.request_render()

    def flash(self) -> None:
        self.flash_on = not self.flash_on
        if self.book.flashing_equipment() and not self._throttled():
            self.apply_colors()

    def acknowledge(self, keys: list[AlarmKey] | None = None) -> None:
        if self.book.acknowledge(keys):
            self.flash_on = True
            self.apply_colors()
            self.alarms_changed.emit()

    def alarms(self) -> list[AlarmEntry]:
        return self.book.entries()

    def unit_of(self, tag: str) -> str:
        """The unit of the signal a tag is bound to, as written in the plant ("degC"; "" when unbound)."""
        return self.sensor_view.unit_of(tag)

    def equipment_name(self, equipment_id: str) -> str:
        path = self.scene.path_of(equipment_id)
        return path.equipment.name if path is not None else equipment_id

    # ------------------------------------------------------------ selected equipment: labels and trend

    def selection_values(self) -> list[SignalValue]:
        batch = self.scene.view.batch
        if self.bindings is None or batch is None:
            return []
        return self.sensor_view.selection_values(self.scene.state.selection, batch, self.active_store(), MAX_LABELLED)

    def live_values(self) -> dict[tuple[str, str], tuple[str, str]]:
        """What the Inspector's signal rows show now, by (equipment id, signal): (text, look), the text the
        value with its unit and an alarm mark ("152 °C ◆ HIHI"), the look "alarm", "warning", "stale" or "".
        Empty while no source delivers (live) and no recording is open (replay)."""
        if self.timeline.mode is not Mode.REPLAY and not self.sources.rows():
            return {}
        return {(v.equipment_id, v.signal): value_text(v) for v in self.selection_values()}

    def value_label_specs(self) -> list[LabelSpec]:
        batch = self.scene.view.batch
        values = self.selection_values()
        if batch is None or not any(v.value is not None for v in values):
            return []
        specs = []
        for equipment_id, lines in label_lines(values).items():
            box = batch.bounds[batch.index_of(equipment_id)]
            top = ((box[0][0] + box[1][0]) / 2, (box[0][1] + box[1][1]) / 2, box[1][2] + 1.0)
            specs.append(LabelSpec(top, "\n".join(lines), 20.0))
        return specs

    def update_labels(self) -> None:
        specs = self.value_label_specs()
        text = tuple((s.position, s.text) for s in specs)
        if text != self._label_text:
            self._label_text = text
            self.scene.view.show_value_labels(specs)
            self.scene.request_render()

    def trend_tags(self) -> list[SignalValue]:
        return [v for v in self.selection_values() if v.kind is SignalKind.ANALOG]

    def live_series(self, tags: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        now = self.store.clock()
        out = {}
        for tag in tags:
            # Straight from the store's columns: minutes of a 10 Hz tag are thousands of samples per refresh.
            times, values, kinds, _ = self.store.history_arrays(tag, now - LIVE_TREND_SECONDS, math.inf)
            numeric = kinds != TEXT  # numbers, and booleans as 0/1
            out[tag] = (times[numeric], values[numeric])
        return out

    # ------------------------------------------------------------ state colours

    def _load_state_colors(self) -> dict[str, RGB]:
        palette = dict(DEFAULT_PALETTE)  # the states, the warning and the alarm
        for state in palette:
            text = str(self.settings.value(COLOR_KEY + state, "") or "")
            if len(text) == 7 and text.startswith("#"):
                with contextlib.suppress(ValueError):  # a damaged entry keeps the default colour
                    palette[state] = (int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16))
        return palette

    def set_state_color(self, state: str, rgb: RGB) -> None:
        self.state_colors[state] = tuple(int(c) for c in rgb)  # type: ignore[assignment]
        self.settings.setValue(COLOR_KEY + state, "#{:02x}{:02x}{:02x}".format(*rgb))
        self._applied = None  # the legend and the equipment follow at the next update
        self._dirty = True

    def set_palette(self, colors: dict[str, RGB]) -> None:
        """Take a whole palette (a preset of Sensors > State Colours, or the user's own), kept in QSettings."""
        for name, rgb in colors.items():
            if name in DEFAULT_PALETTE:
                self.set_state_color(name, rgb)
        self._mark_dirty()

    # ------------------------------------------------------------ status and shutdown

    def _update_status(self) -> None:
        parts, states = [], []
        for row in self.sources.rows():
            bad = f", {row.malformed:,} malformed" if row.malformed else ""
            parts.append(f"{row.name}: {row.status} ({row.messages:,} msgs{bad})")
            states.append((row.name, row.status, bool(row.malformed)))
        if self.timeline.source is not None:
            parts.append(f"replay: {self.timeline.settings.name if self.timeline.settings else 'recording'}")
        text = ("Sensors: " + "  ·  ".join(parts)) if parts else "Sensors: no source"
        if self.book.entries():
            text += f"  ·  {len(self.book)} alarm" + ("s" if len(self.book) != 1 else "")
        if text == self._status_text:
            return
        # A new status or alarm count shows at once; the message counters once a second: every repaint of the
        # status bar composes the whole window again (tens of milliseconds in software OpenGL).
        key = (tuple(states), self.timeline.source is not None, len(self.book))
        now = time.monotonic()
        if key == self._status_key and now - self._status_at < STATUS_COUNTS_S:
            return
        self._status_text, self._status_key, self._status_at = text, key, now
        self.status_changed.emit(text)

    def shutdown(self) -> None:
        self._tick_timer.stop()
        self._flash_timer.stop()
        self.sources.stop_all()
        self.timeline.shutdown()


__all__ = ["ALARM_COLOR", "FLASH_OFF_COLOR", "SensorController"]
