"""The time cursor: live, or replaying a recording with play/pause, speed, seeking and alarm marks.

No widgets. What it asks of a recording is the application layer's `History` (so a historian can answer
too), through the `Replay` source that plays it into a store. The queries (state at the cursor, series for
the trend, alarm marks) run on one worker thread where a newer request replaces a waiting one, so dragging
the scrub bar never queues up seeks; the results come back to the GUI thread through queued signals and the
sensor controller colours from them.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable
from enum import StrEnum

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from viewer.app.history import Replay, TagLimits
from viewer.model import Site
from viewer.model.site_time import TimeDisplay
from viewer.sensors import NoTimeColumnError, SampleBuffer, SourceSettings, SourceStatus
from viewer.sensors.config import resolve_site_zone
from viewer.sensors.recording import text_values_message

PLAY_INTERVAL_MS = 100
SPEEDS = (1.0, 10.0, 60.0, 600.0, 3600.0)
TREND_HALF_WINDOW = 300.0  # seconds either side of the replay cursor in the trend plot
ALARM_LOOKBACK = 3600.0  # how far back a jump looks for when its alarms began ...
ALARM_RECENT = 300.0  # ... after a first look this far back (a few row groups), for the alarms not found


class Mode(StrEnum):
    LIVE = "live"
    REPLAY = "replay"


class LatestWorker:
    """One thread running the most recent job of each slot; a job waiting in a slot is replaced by a newer one."""

    def __init__(self, name: str = "replay-worker") -> None:
        self._jobs: dict[str, Callable[[], None]] = {}
        self._order: list[str] = []
        self._condition = threading.Condition()
        self._closed = False
        self._busy = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, slot: str, job: Callable[[], None]) -> None:
        with self._condition:
            if slot not in self._jobs:
                self._order.append(slot)
            self._jobs[slot] = job
            self._condition.notify()

    def idle(self) -> bool:
        with self._condition:
            return not self._jobs and not self._busy

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._jobs and not self._closed:
                    self._condition.wait()
                if self._closed:
                    return
                slot = self._order.pop(0)
                job = self._jobs.pop(slot)
                self._busy = True
            try:
                job()
            except Exception:  # reported by the job itself; the worker must survive a bad query
                pass
            finally:
                with self._condition:
                    self._busy = False

    def close(self, timeout: float = 5.0) -> None:
        with self._condition:
            self._closed = True
            self._jobs.clear()
            self._condition.notify()
        self._thread.join(timeout=timeout)


class TimelineController(QObject):
    mode_changed = Signal(str)
    range_changed = Signal(float, float)
    cursor_changed = Signal(float)  # the replay store now holds the state at this time
    seeking = Signal(float)  # the user moved the cursor (not a play step); its state is being read
    playing_changed = Signal(bool)
    speed_changed = Signal(float)
    marks_changed = Signal(list)  # [(time, count)] where values go beyond limits
    trend_ready = Signal(object)  # {tag: (times, values)}
    alarm_starts_ready = Signal(float, object)  # cursor, {tag: (start time, began before the look-back)}
    error = Signal(str)
    warning = Signal(str)  # something in an opened recording to know about (text among its numbers)
    opened = Signal(object)  # internal: (settings, the Replay source, its marks, its warnings), from the worker
    progress = Signal(float, str)  # a big CSV's conversion into the cache: fraction done, what is done
    time_column_needed = Signal(object, object)  # settings, the file's columns: no time column, ask which

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = SampleBuffer(stale_after=10.0)
        self.source: Replay | None = None  # once a recording is open
        self.settings: SourceSettings | None = None
        self.mode = Mode.LIVE
        self.playing = False
        self.speed = 1.0
        self.start_time = self.end_time = 0.0
        self.cursor = 0.0  # where the user asked to be; the store follows when the worker catches up
        self.recording_tags: list[str] = []
        self.display = TimeDisplay()  # how the messages write times: the site's zone, or UTC (set by the window)
        self._worker = LatestWorker()
        self._play_timer = QTimer(self)
        self._play_timer.setInterval(PLAY_INTERVAL_MS)
        self._play_timer.timeout.connect(self._advance)
        self._played_at = 0.0
        self.opened.connect(self._on_opened)

    # ------------------------------------------------------------ recording

    def open_recording(
        self,
        settings: SourceSettings,
        source_class: type,  # a Replay source's class: from_settings(store, settings)
        limits: TagLimits,
        numeric_tags: list[str] | None = None,
        site: Site | None = None,
    ) -> None:
        """Open the file on the worker (a big Parquet file takes a moment), then switch to replay. Text among
        the values of `numeric_tags` (analog signals, counters; None: tags that also hold numbers) is said
        through `warning`, not passed over. Times the settings say are in the "site" zone are in `site`'s."""
        settings = resolve_site_zone(settings, site.timezone if site is not None else None)

        def job() -> None:
            try:
                store = SampleBuffer(stale_after=self.store.stale_after)
                # The built-in replay tells how a big CSV's conversion goes; another plug-in may not.
                tells = "progress" in inspect.signature(source_class.from_settings).parameters
                extra = {"progress": self.progress.emit} if tells else {}
                source: Replay = source_class.from_settings(store, settings, **extra)
                history = source.recording
                source.recording_tags = history.tags()
                marks = history.beyond_limits(limits)
                warnings = list(getattr(history, "notes", []))  # how its times were read, what was wrong
                warnings += [text_values_message(history.path, f) for f in history.text_values(numeric_tags)]
            except NoTimeColumnError as exc:
                self.error.emit(f"recording {settings.url} could not be opened: {exc}")
                self.time_column_needed.emit(settings, exc.columns)
                return
            except Exception as exc:
                self.error.emit(f"recording {settings.url} could not be opened: {exc}")
                return
            self.opened.emit((settings, source, marks, warnings))

        self._worker.submit("open", job)

    def _on_opened(self, item: tuple[SourceSettings, Replay, list[tuple[float, int]], list[str]]) -> None:
        settings, source, marks, warnings = item
        self.close_recording()
        self.settings, self.source, self.store = settings, source, source.store
        self.start_time, self.end_time = source.start_time, source.end_time
        self.recording_tags = source.recording_tags or []
        source.set_status(SourceStatus.CONNECTED)
        self.range_changed.emit(self.start_time, self.end_time)
        self.marks_changed.emit(marks)
        self.set_mode(Mode.REPLAY)
        self.seek(self.start_time)
        for text in warnings:
            self.warning.emit(text)

    def close_recording(self) -> None:
        self.set_playing(False)
        if self.source is not None:
            recording = self.source.recording
            self._worker.submit("close", recording.close)
        self.source = None
        self.recording_tags = []
        self.set_mode(Mode.LIVE)

    def refresh_marks(self, limits: TagLimits) -> None:
        source = self.source
        if source is None:
            return
        self._worker.submit("marks", lambda: self.marks_changed.emit(source.recording.beyond_limits(limits)))

    # ------------------------------------------------------------ cursor

    def set_mode(self, mode: Mode | str) -> None:
        mode = Mode(mode)
        if mode is Mode.REPLAY and self.source is None:
            self.error.emit("no recording to replay: connect one (Sensors > Connect Source…)")
            mode = Mode.LIVE
        if mode is Mode.LIVE:
            self.set_playing(False)
        if mode is not self.mode:
            self.mode = mode
            self.mode_changed.emit(str(mode))

    def seek(self, at: float) -> None:
        """Move the cursor (clamped to the recording); the state at `at` is read on the worker."""
        source = self.source
        if source is None:
            return
        at = float(np.clip(at, self.start_time, self.end_time))
        self.cursor = at
        if not self.playing:
            self.seeking.emit(at)

        def job() -> None:
            try:
                source.seek(at)
            except Exception as exc:
                self.error.emit(f"replay: cannot read the state at {self.display.text(at)}: {exc}")
                return
            self.cursor_changed.emit(at)

        self._worker.submit("seek", job)

    def set_playing(self, playing: bool) -> None:
        playing = bool(playing) and self.source is not None
        if playing and self.cursor >= self.end_time:
            self.seek(self.start_time)  # play again from the start
        if playing == self.playing:
            return
        self.playing = playing
        if playing:
            self._played_at = time.monotonic()
            self._play_timer.start()
        else:
            self._play_timer.stop()
        self.playing_changed.emit(playing)

    def set_speed(self, speed: float) -> None:
        self.speed = float(speed)
        self.speed_changed.emit(self.speed)

    def _advance(self) -> None:
        now = time.monotonic()
        elapsed, self._played_at = now - self._played_at, now
        target = self.cursor + elapsed * self.speed
        self.seek(target)
        if target >= self.end_time:
            self.set_playing(False)

    def request_trend(self, tags: list[str]) -> None:
        """Series of some tags in a window around the cursor, from the recording (on the worker)."""
        source = self.source
        if source is None or not tags:
            return
        start, end = self.cursor - TREND_HALF_WINDOW, self.cursor + TREND_HALF_WINDOW

        def job() -> None:
            bucket = (end - start) / 600  # at most ~600 points per curve, whatever the recording's rate
            series = {tag: source.recording.series(tag, start, end, bucket=bucket) for tag in tags}
            self.trend_ready.emit(series)

        self._worker.submit("trend", job)

    def request_alarm_starts(self, limits: TagLimits) -> None:
        """When the alarms of these tags (tag -> (low, high)) began, before the cursor (on the worker)."""
        source = self.source
        if source is None or not limits:
            return
        at = self.cursor

        def job() -> None:
            try:
                starts = source.recording.excursion_starts(limits, at, lookback=ALARM_RECENT)
                longer = {tag: limits[tag] for tag, (_, before) in starts.items() if before}
                if longer:
                    starts.update(source.recording.excursion_starts(longer, at, lookback=ALARM_LOOKBACK))
            except Exception as exc:
                self.error.emit(f"replay: cannot tell when the alarms at {self.display.text(at)} began: {exc}")
                return
            self.alarm_starts_ready.emit(at, starts)

        self._worker.submit("alarm-starts", job)

    def idle(self) -> bool:
        return self._worker.idle()

    def shutdown(self) -> None:
        self.set_playing(False)
        self._worker.close()
        if self.source is not None:
            self.source.recording.close()
            self.source = None
