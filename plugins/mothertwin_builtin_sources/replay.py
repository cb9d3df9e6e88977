"""Sources without a network: replay of a recording (with a time cursor), and the built-in simulator."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from viewer.sensors import Bindings, Recording, SampleBuffer, Source, SourceSettings, SourceStatus
from viewer.sensors.simulator import Simulator

# How far back a seek looks for each tag's last value: a tag silent for longer than this has no state.
SEEK_LOOKBACK = 3600.0


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
        self.recording = recording if isinstance(recording, Recording) else Recording(Path(recording))
        self.start_time, self.end_time = self.recording.time_range()
        self.cursor = self.start_time
        self.speed = speed
        self.step = step
        self._init_thread()
        self._lock = threading.Lock()
        if drive_clock:
            store.clock = lambda: self.cursor

    @classmethod
    def from_settings(cls, store: SampleBuffer, settings: SourceSettings) -> RecordingSource:
        return cls(store, settings.url, name=settings.name, speed=float(settings.options.get("speed", 1.0)))

    def seek(self, at: float) -> int:
        """Move the cursor; the store then holds every tag's state at `at`. Returns the number of tags."""
        with self._lock:
            self.store.forget_source(self.name)
            state = self.recording.state_at(at, window=SEEK_LOOKBACK)
            self.cursor = at
            self.count_message()
            self.publish(state.values(), arrival_is_sample_time=True)
            return len(state)

    def advance(self, seconds: float) -> int:
        """Play `seconds` of the recording from the cursor; returns the number of samples."""
        with self._lock:
            samples = self.recording.samples(self.cursor, self.cursor + seconds)
            self.cursor += seconds
            self.count_message()
            self.publish(samples, arrival_is_sample_time=True)
            return len(samples)

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
            self.publish(self.simulator.step(period))
            self._stop.wait(period)
