"""The base of every sensor source: status, counters, back-off, and how values reach the store."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from psygnal import Signal

from viewer.sensors.samples import Sample, SampleBuffer


class SourceStatus(StrEnum):
    STOPPED = "stopped"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    DOWN = "down"


@dataclass(slots=True)
class SourceCounters:
    messages: int = 0  # messages (or replay steps) received
    values: int = 0  # samples taken from them
    malformed: int = 0  # messages that could not be decoded: counted, never fatal
    reconnects: int = 0


@dataclass
class Backoff:
    """Exponential back-off with full jitter (AWS architecture blog), seeded so tests are repeatable."""

    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0
    seed: int | None = None

    def __post_init__(self) -> None:
        self._attempt = 0
        self._random = random.Random(self.seed)

    def next_delay(self) -> float:
        ceiling = min(self.maximum, self.initial * self.factor**self._attempt)
        self._attempt += 1
        return self._random.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self._attempt = 0


class Source:
    """A place sensor values come from. Subclasses connect in their own thread and call `publish`.

    `status_changed(new_status)` and `last_error` let a status bar show what is going on; a source never
    raises into the GUI thread for network or payload problems.
    """

    kind = "source"
    status_changed = Signal(str)

    def __init__(self, store: SampleBuffer, name: str = "") -> None:
        self.store = store
        self.name = name or self.kind
        self.counters = SourceCounters()
        self.last_error = ""
        self._status = SourceStatus.STOPPED
        self._status_lock = threading.Lock()

    @property
    def status(self) -> SourceStatus:
        return self._status

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Source:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ for subclasses

    def set_status(self, status: SourceStatus, error: str = "") -> None:
        with self._status_lock:
            if error:
                self.last_error = error
            if status is self._status:
                return
            if status is SourceStatus.RECONNECTING:
                self.counters.reconnects += 1
            self._status = status
        # Values from a source that is not connected cannot be trusted to be current.
        self.store.set_source_down(self.name, status is not SourceStatus.CONNECTED)
        self.status_changed.emit(str(status))

    def publish(
        self, samples: Iterable[Sample], *, received_at: float | None = None, arrival_is_sample_time: bool = False
    ) -> list[str]:
        """Hand samples to the store (see `SampleBuffer.put`)."""
        samples = list(samples)
        self.counters.values += len(samples)
        return self.store.put(
            samples, source=self.name, received_at=received_at, arrival_is_sample_time=arrival_is_sample_time
        )

    def publish_columns(
        self,
        time: float | np.ndarray,
        tags: list[str],
        values: list | np.ndarray,
        *,
        qualities: np.ndarray | None = None,
        received_at: float | None = None,
        arrival_is_sample_time: bool = False,
        kinds: np.ndarray | None = None,
        texts: Sequence[str] = (),
    ) -> list[str]:
        """`publish` for columns: one time (what `Simulator.step_values` gives) or a time per value, and no
        Sample per value (see `SampleBuffer.put_columns`)."""
        self.counters.values += len(tags)
        times = np.broadcast_to(np.asarray(time, dtype=float), (len(tags),))
        return self.store.put_columns(
            tags,
            times,
            values,
            qualities,
            source=self.name,
            received_at=received_at,
            arrival_is_sample_time=arrival_is_sample_time,
            kinds=kinds,
            texts=texts,
        )

    def count_message(self) -> None:
        self.counters.messages += 1

    def count_malformed(self, reason: str) -> None:
        self.counters.malformed += 1
        self.last_error = reason
