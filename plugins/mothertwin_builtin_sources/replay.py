"""Sources without a network: replay of a recording (with a time cursor), and the built-in simulator."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from viewer.sensors import (
    Bindings,
    Columns,
    ReadOptions,
    Recording,
    SampleBuffer,
    Simulator,
    Source,
    SourceSettings,
    SourceStatus,
)

# How far back a seek looks for each tag's last value: a tag silent for longer than this has no state.
SEEK_LOOKBACK = 3600.0
# A seek first reads only this far back: a tag sampled at least this often is found in a row group or two
# (an hour of 1,000 tags at 1 Hz is 3.6 M rows, 130 ms); only the tags not found look back the whole hour.
SEEK_RECENT = 60.0


def _joined(first: np.ndarray | list, second: np.ndarray | list) -> np.ndarray | list:
    """Two value columns as one: a float array when both are, else a list of Python values."""
    if isinstance(first, np.ndarray) and isinstance(second, np.ndarray):
        return np.concatenate([first, second])
    return [
        *(first.tolist() if isinstance(first, np.ndarray) else first),
        *(second.tolist() if isinstance(second, np.ndarray) else second),
    ]


class _ThreadedSource(Source):
    """A source that feeds the store from one thread of its own: start, run `_loop` until stopped, stop."""

    def _init_thread(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self.set_status(SourceStatus.CONNECTED)
        self._thread = threading.Thread(target=self._loop, name=f"{self.kind}-{self.name}", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
        self.set_status(SourceStatus.STOPPED)


class RecordingSource(_ThreadedSource):
    """Replays a recording into the store. The store's clock follows the cursor, so staleness is judged in
    recording time: a tag with no sample within `stale_after` seconds before the cursor is stale."""

    kind = "recording"

    def __init__(
        self,
        store: SampleBuffer,
        recording: Recording | Path | str,
        name: str = "recording",
        speed: float = 1.0,
        step: float = 1.0,
        drive_clock: bool = True,
    ) -> None:
        super().__init__(store, name)
        # A file is opened here; anything else answering a Recording's queries (a historian) is used as it is.
        self.recording = Recording(Path(recording)) if isinstance(recording, (str, os.PathLike)) else recording
        self.start_time, self.end_time = self.recording.time_range()
        self.cursor = self.start_time
        self.speed = speed
        self.step = step
        self.recording_tags: list[str] | None = None  # every tag of the recording; read on the first seek
        # Sample time of each tag the store holds from the last seek, None when unknown (after `advance`).
        self._held: dict[str, float] | None = None
        self._init_thread()
        self._lock = threading.Lock()
        if drive_clock:
            store.clock = lambda: self.cursor

    @classmethod
    def from_settings(
        cls, store: SampleBuffer, settings: SourceSettings, progress: Callable[[float, str], None] | None = None
    ) -> RecordingSource:
        """The recording of the settings, read as their options say (time column, rate and start, time zone,
        decimal comma: `ReadOptions`); `progress` hears how a big CSV's conversion goes."""
        options = ReadOptions.from_options(settings.options)
        recording = Recording(Path(settings.url), options=options, progress=progress)
        return cls(store, recording, name=settings.name, speed=float(settings.options.get("speed", 1.0)))

    def seek(self, at: float) -> int:
        """Move the cursor; the store then holds every tag's state at `at`. Returns the number of tags.

        A short step forwards (playing) reads only what changed since the cursor; other tags keep their
        state. Any other seek reads the state afresh and swaps it in at once, so that a reader of the store
        never sees it emptied, and the cursor moves last, so that the old values are never judged stale
        against the new time."""
        with self._lock:
            held = self._held
            step = at - self.cursor
            if held is not None and 0 < step <= SEEK_RECENT:
                tags, times, values = self.recording.state_columns(at, window=step)
                merged = held | dict(zip(tags, times.tolist(), strict=True))
                if not merged or min(merged.values()) > at - SEEK_LOOKBACK:
                    self.count_message()
                    self.publish_columns(times, tags, values, arrival_is_sample_time=True)
                    self._held = merged
                    self.cursor = at
                    return len(merged)
                # A tag fell silent for longer than the look-back: it has no state any more, read afresh.
            tags, times, values = self._state_at(at)
            with self.store.atomic():  # forget and put are one change to readers of the store
                self.store.forget_source(self.name)
                self.count_message()
                self.publish_columns(times, tags, values, arrival_is_sample_time=True)
                self._held = dict(zip(tags, times.tolist(), strict=True))
                self.cursor = at
            return len(tags)

    def _state_at(self, at: float) -> Columns:
        """Every tag's state at `at` as columns: the last minute first, the hour before only for tags not found."""
        tags, times, values = self.recording.state_columns(at, window=SEEK_RECENT)
        if self.recording_tags is None:
            self.recording_tags = self.recording.tags()
        found = set(tags)
        missing = [tag for tag in self.recording_tags if tag not in found]
        if missing:
            more_tags, more_times, more_values = self.recording.state_columns(at, window=SEEK_LOOKBACK, tags=missing)
            tags = tags + more_tags
            times = np.concatenate([times, more_times])
            values = _joined(values, more_values)
        return tags, times, values

    def advance(self, seconds: float) -> int:
        """Play `seconds` of the recording from the cursor; returns the number of samples."""
        with self._lock:
            tags, times, values = self.recording.sample_columns(self.cursor, self.cursor + seconds)
            self._held = None  # the samples may hold tags and times the last seek did not: seek afresh next
            self.cursor += seconds
            self.count_message()
            self.publish_columns(times, tags, values, arrival_is_sample_time=True)
            return len(tags)

    def _loop(self) -> None:
        while not self._stop.is_set() and self.cursor < self.end_time:
            self.advance(self.step)
            self._stop.wait(self.step / self.speed)


class SimulatorSource(_ThreadedSource):
    """The simulator fed straight into the store in real time (no broker needed)."""

    kind = "simulator"

    def __init__(
        self, store: SampleBuffer, bindings: Bindings, seed: int = 0, rate: float = 1.0, name: str = "simulator"
    ) -> None:
        super().__init__(store, name)
        self.simulator = Simulator(bindings, seed=seed, start=time.time())
        self.rate = rate
        self._init_thread()

    def _loop(self) -> None:
        period = 1.0 / self.rate
        while not self._stop.is_set():
            self.count_message()
            self.publish_columns(*self.simulator.step_values(period))
            self._stop.wait(period)
