"""Sensor samples and the thread-safe state store that keeps the latest value per tag.

Sources (network threads, replay) put samples in; the scene and widgets read snapshots and listen to
`changed`. No Qt here: the store runs headless and in tests.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from psygnal import Signal

Value = float | str | bool


class Quality(StrEnum):
    GOOD = "good"
    UNCERTAIN = "uncertain"
    BAD = "bad"


@dataclass(frozen=True, slots=True)
class Sample:
    """One value of one tag at one time (UTC epoch seconds)."""

    tag: str
    time: float
    value: Value
    quality: Quality = Quality.GOOD


@dataclass(slots=True)
class TagState:
    """What the store knows about one tag: its latest sample, when it arrived and from which source."""

    sample: Sample
    received_at: float
    source: str = ""


@dataclass(slots=True)
class StoreCounters:
    accepted: int = 0
    late: int = 0  # older than the latest: kept in history, state unchanged
    duplicate: int = 0  # same tag, time and value as one already held: dropped
    invalid: int = 0  # NaN time or value of an unsupported type


@dataclass
class SampleBuffer:
    """Latest value per tag plus a bounded, time-sorted history per tag. Safe to call from any thread.

    `changed` is emitted (on the thread that put the samples) with the sorted list of tags whose state
    changed; a GUI connects with psygnal's `thread=` option or polls `snapshot()` on a timer.
    """

    stale_after: float = 10.0
    history_length: int = 3600
    clock: Callable[[], float] = time.time
    counters: StoreCounters = field(default_factory=StoreCounters)

    changed = Signal(list)

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._state: dict[str, TagState] = {}
        self._history: dict[str, list[Sample]] = {}
        self._history_times: dict[str, list[float]] = {}
        self._down_sources: set[str] = set()

    # ------------------------------------------------------------ writing

    def put(
        self,
        samples: Iterable[Sample],
        source: str = "",
        received_at: float | None = None,
        arrival_is_sample_time: bool = False,
    ) -> list[str]:
        """Add samples; returns the tags whose current state changed.

        Live sources leave `received_at` to the clock; a replay passes `arrival_is_sample_time=True` so
        that staleness is judged against the recording's own times.
        """
        now = self.clock() if received_at is None else received_at
        changed: set[str] = set()
        with self._lock:
            for sample in samples:
                if not _valid(sample):
                    self.counters.invalid += 1
                    continue
                if not self._add_history(sample):
                    self.counters.duplicate += 1
                    continue
                current = self._state.get(sample.tag)
                arrival = sample.time if arrival_is_sample_time else now
                if current is not None and sample.time < current.sample.time:
                    self.counters.late += 1
                    continue
                self.counters.accepted += 1
                self._state[sample.tag] = TagState(sample, arrival, source)
                changed.add(sample.tag)
            if source and changed:
                self._down_sources.discard(source)
        tags = sorted(changed)
        if tags:
            self.changed.emit(tags)
        return tags

    def _add_history(self, sample: Sample) -> bool:
        """Insert in time order; False when the very same sample (time, value, quality) is already held."""
        times = self._history_times.setdefault(sample.tag, [])
        items = self._history.setdefault(sample.tag, [])
        if not times or sample.time > times[-1]:
            # The usual case on a live feed: newer than anything held, so no search and no duplicate check.
            times.append(sample.time)
            items.append(sample)
            if len(items) > self.history_length:
                del times[0], items[0]
            return True
        position = bisect.bisect_left(times, sample.time)
        scan = position
        while scan < len(times) and times[scan] == sample.time:
            if items[scan] == sample:
                return False
            scan += 1
        times.insert(scan, sample.time)
        items.insert(scan, sample)
        if len(items) > self.history_length:
            del times[0], items[0]
        return True

    def set_source_down(self, source: str, down: bool = True) -> list[str]:
        """A source lost its connection (or came back): every tag it fed is stale meanwhile."""
        with self._lock:
            if down:
                self._down_sources.add(source)
            else:
                self._down_sources.discard(source)
            tags = sorted(t for t, s in self._state.items() if s.source == source)
        if tags:
            self.changed.emit(tags)
        return tags

    def forget_source(self, source: str) -> list[str]:
        """Drop the state and history of every tag a source fed (a replay seeking backwards)."""
        with self._lock:
            tags = sorted(t for t, s in self._state.items() if s.source == source)
            for tag in tags:
                del self._state[tag]
                self._history.pop(tag, None)
                self._history_times.pop(tag, None)
        if tags:
            self.changed.emit(tags)
        return tags

    def clear(self) -> None:
        with self._lock:
            self._state.clear()
            self._history.clear()
            self._history_times.clear()
            self._down_sources.clear()

    # ------------------------------------------------------------ reading

    def latest(self, tag: str) -> Sample | None:
        with self._lock:
            state = self._state.get(tag)
            return state.sample if state else None

    def tag_state(self, tag: str) -> TagState | None:
        with self._lock:
            return self._state.get(tag)

    def history(self, tag: str, start: float = -math.inf, end: float = math.inf) -> list[Sample]:
        with self._lock:
            times = self._history_times.get(tag, [])
            items = self._history.get(tag, [])
            return items[bisect.bisect_left(times, start) : bisect.bisect_right(times, end)]

    def tags(self) -> list[str]:
        with self._lock:
            return sorted(self._state)

    def snapshot(self) -> dict[str, TagState]:
        with self._lock:
            return dict(self._state)

    def is_stale(self, tag: str, now: float | None = None) -> bool:
        """No value, bad quality, its source down, or no update within `stale_after` seconds."""
        now = self.clock() if now is None else now
        with self._lock:
            state = self._state.get(tag)
            if state is None:
                return True
            return _is_stale(state, now, self.stale_after, self._down_sources)

    def stale_tags(self, now: float | None = None) -> set[str]:
        now = self.clock() if now is None else now
        with self._lock:
            return {t for t, s in self._state.items() if _is_stale(s, now, self.stale_after, self._down_sources)}

    def down_sources(self) -> set[str]:
        with self._lock:
            return set(self._down_sources)


def _is_stale(state: TagState, now: float, stale_after: float, down: set[str]) -> bool:
    return state.source in down or state.sample.quality is Quality.BAD or now - state.received_at > stale_after


def _valid(sample: Sample) -> bool:
    if not isinstance(sample.time, int | float) or not math.isfinite(sample.time):
        return False
    value = sample.value
    if isinstance(value, float) and math.isnan(value):
        return False
    return isinstance(value, int | float | str | bool)
