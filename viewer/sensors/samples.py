"""Sensor samples and the thread-safe state store that keeps the latest value per tag.

Sources (network threads, replay) put samples in; the scene and widgets read snapshots and listen to
`changed`. No Qt here: the store runs headless and in tests.

The store is columnar: one row per tag in numpy arrays (latest value, time, quality, arrival, source) and a
ring of recent samples per tag in 2-D arrays. A live feed of 100,000 values a second then costs a few numpy
calls per batch instead of Python work per value; `Sample` objects are only made when someone reads one.
What the store holds and hands out (Sample, TagState, Quality, TagColumns...) is defined in
`viewer.sensors.sample_types` and importable from here too.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from psygnal import Signal

from viewer.sensors.sample_types import (
    BAD_CODE,
    BOOLEAN,
    TEXT,
    Sample,
    StoreCounters,
    TagColumns,
    TagState,
    Value,
)
from viewer.sensors.sample_types import NUMBER as NUMBER  # the kinds and qualities, importable from here as before
from viewer.sensors.sample_types import QUALITIES as _QUALITIES
from viewer.sensors.sample_types import QUALITY_CODE as _QUALITY_CODE
from viewer.sensors.sample_types import Quality as Quality

_FIRST_CAPACITY = 16  # ring length per tag at first; doubles on demand up to history_length


@dataclass
class SampleBuffer:
    """Latest value per tag plus a bounded, time-sorted history per tag. Safe to call from any thread.

    `changed` is emitted (on the thread that put the samples) with the sorted list of tags whose state
    changed; a GUI connects with psygnal's `thread=` option or polls `snapshot()` on a timer.
    `history_length` bounds the samples kept per tag (1,200: two minutes at 10 Hz, twenty at 1 Hz).
    """

    stale_after: float = 10.0
    history_length: int = 1200
    clock: Callable[[], float] = time.time
    counters: StoreCounters = field(default_factory=StoreCounters)

    changed = Signal(list)
    updated = Signal()  # something changed: cheap to emit at 100,000 values a second

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._index: dict[str, int] = {}
        self._tags: list[str] = []
        self._texts: list[str] = []
        self._text_codes: dict[str, int] = {}
        self._sources: list[str] = [""]
        self._source_codes: dict[str, int] = {"": 0}
        self._down_sources: set[str] = set()
        self._allocate(0, 0)

    def _allocate(self, rows: int, capacity: int) -> None:
        self._present = np.zeros(rows, bool)
        self._time = np.full(rows, -np.inf)
        self._value = np.zeros(rows)
        self._kind = np.zeros(rows, np.int8)
        self._quality = np.zeros(rows, np.int8)
        self._received = np.zeros(rows)
        self._source = np.zeros(rows, np.int32)
        self._capacity = capacity
        self._ring_time = np.zeros((rows, capacity))
        self._ring_value = np.zeros((rows, capacity))
        self._ring_kind = np.zeros((rows, capacity), np.int8)
        self._ring_quality = np.zeros((rows, capacity), np.int8)
        self._head = np.zeros(rows, np.int64)  # next write position in the ring
        self._fill = np.zeros(rows, np.int64)
        self._unsorted = np.zeros(rows, bool)  # a late sample went in behind newer ones

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
        samples = list(samples)
        times = np.empty(len(samples))
        for i, sample in enumerate(samples):
            t = sample.time
            times[i] = t if isinstance(t, int | float) and not isinstance(t, bool) else math.nan
        qualities = np.fromiter((_QUALITY_CODE.get(s.quality, BAD_CODE) for s in samples), np.int8, len(samples))
        return self.put_columns(
            [s.tag for s in samples],
            times,
            [s.value for s in samples],
            qualities,
            source=source,
            received_at=received_at,
            arrival_is_sample_time=arrival_is_sample_time,
        )

    def put_columns(
        self,
        tags: Sequence[str],
        times: np.ndarray,
        values: Sequence[Value] | np.ndarray,
        qualities: np.ndarray | None = None,
        source: str = "",
        received_at: float | None = None,
        arrival_is_sample_time: bool = False,
        kinds: np.ndarray | None = None,
        texts: Sequence[str] = (),
    ) -> list[str]:
        """`put` for samples as columns (what a network decoder produces): the fast way in.

        `values` are Python values, or floats with `kinds` (NUMBER, BOOLEAN, TEXT) where a TEXT value is
        a position in `texts`: the form a decoder in another process sends without making objects."""
        rows = self.put_rows(
            self.tag_rows(tags), times, values, qualities, source, received_at, arrival_is_sample_time, kinds, texts
        )
        with self._lock:
            return sorted(self._tags[r] for r in rows.tolist())

    def tag_rows(self, tags: Sequence[str]) -> np.ndarray:
        """Row numbers of tags (new ones get a row): a source that keeps them can use `put_rows`."""
        with self._lock:
            return self._rows_of(tags)

    def put_rows(
        self,
        rows: np.ndarray,
        times: np.ndarray,
        values: Sequence[Value] | np.ndarray,
        qualities: np.ndarray | None = None,
        source: str = "",
        received_at: float | None = None,
        arrival_is_sample_time: bool = False,
        kinds: np.ndarray | None = None,
        texts: Sequence[str] = (),
    ) -> np.ndarray:
        """`put_columns` by row number (see `tag_rows`); returns the rows whose state changed. Listeners of
        `updated` hear of every change; the tag names for `changed` are only made when someone listens."""
        now = self.clock() if received_at is None else received_at
        count = len(rows)
        rows = np.asarray(rows, np.int64)
        times = np.asarray(times, dtype=float).reshape(count)
        qualities = np.zeros(count, np.int8) if qualities is None else np.asarray(qualities, np.int8)
        with self._lock:
            if kinds is None:
                number, kind, valid = self._encode_values(values, count)
            else:
                number, kind = np.asarray(values, float).reshape(count), np.asarray(kinds, np.int8).reshape(count)
                valid = ~np.isnan(number)
                text = kind == TEXT
                if text.any():
                    own = np.array([self._text_code(t) for t in texts], dtype=float)
                    number = number.copy()
                    number[text] = own[number[text].astype(np.int64)]
            valid &= np.isfinite(times)
            source_code = self._source_code(source)
            if not valid.all():
                self.counters.invalid += int(count - valid.sum())
                rows, times, number, kind, qualities = (a[valid] for a in (rows, times, number, kind, qualities))
            # Newer than the tag's latest: the usual case on a live feed, done in bulk. The rest one by one.
            newer = times > self._time[rows]
            changed = self._put_newer(
                rows[newer],
                times[newer],
                number[newer],
                kind[newer],
                qualities[newer],
                now,
                source_code,
                arrival_is_sample_time,
            )
            late = [
                rows[i]
                for i in np.flatnonzero(~newer)
                if self._put_one(
                    int(rows[i]),
                    times[i],
                    number[i],
                    int(kind[i]),
                    int(qualities[i]),
                    now,
                    source_code,
                    arrival_is_sample_time,
                )
            ]
            if late:
                changed = np.union1d(changed, np.array(late, np.int64))
            if source and len(changed):
                self._down_sources.discard(source)
            names = sorted(self._tags[r] for r in changed.tolist()) if len(changed) and len(self.changed) else []
        if len(changed):
            self.updated.emit()
        if names:
            self.changed.emit(names)
        return changed

    def _encode_values(self, values: Sequence[Value] | np.ndarray, count: int) -> tuple[np.ndarray, ...]:
        if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
            number = values.astype(float).reshape(count)
            return number, np.zeros(count, np.int8), ~np.isnan(number)
        values = list(values)
        types = set(map(type, values))
        if types <= {float, int}:
            number = np.array(values, dtype=float).reshape(count)
            return number, np.zeros(count, np.int8), ~np.isnan(number)
        number = np.zeros(count)
        kind = np.zeros(count, np.int8)
        valid = np.ones(count, bool)
        codes = self._text_codes
        for i, value in enumerate(values):
            kind_of = type(value)
            if kind_of is float or kind_of is int:
                number[i] = value
                valid[i] = value == value  # NaN is not a value
            elif type(value) is str:  # not kind_of: mypy narrows only this spelling
                code = codes.get(value)
                number[i], kind[i] = self._text_code(value) if code is None else code, TEXT
            elif kind_of is bool:
                number[i], kind[i] = float(value), BOOLEAN
            elif isinstance(value, int | float) and not isinstance(value, bool):
                number[i] = float(value)  # numpy scalars
                valid[i] = number[i] == number[i]
            else:
                valid[i] = False
        return number, kind, valid

    def _text_code(self, text: str) -> int:
        code = self._text_codes.get(text)
        if code is None:
            code = self._text_codes[text] = len(self._texts)
            self._texts.append(text)
        return code

    def _rows_of(self, tags: Sequence[str]) -> np.ndarray:
        index = self._index
        rows = np.fromiter((index.get(tag, -1) for tag in tags), np.int64, len(tags))
        missing = np.flatnonzero(rows < 0)
        if len(missing):
            for i in missing:
                tag = tags[int(i)]
                row = index.get(tag)
                if row is None:
                    row = index[tag] = len(self._tags)
                    self._tags.append(tag)
                rows[i] = row
            self._grow_rows(len(self._tags))
        return rows

    def _source_code(self, source: str) -> int:
        code = self._source_codes.get(source)
        if code is None:
            code = self._source_codes[source] = len(self._sources)
            self._sources.append(source)
        return code

    def _grow_rows(self, rows: int) -> None:
        old = len(self._present)
        if rows <= old:
            return
        new = max(rows, 2 * old, 64)

        def grow(array: np.ndarray, fill: float = 0) -> np.ndarray:
            out = np.full((new, *array.shape[1:]), fill, dtype=array.dtype)
            out[:old] = array
            return out

        self._present, self._value, self._kind = grow(self._present), grow(self._value), grow(self._kind)
        self._time = grow(self._time, -np.inf)
        self._quality, self._received, self._source = grow(self._quality), grow(self._received), grow(self._source)
        self._ring_time, self._ring_value = grow(self._ring_time), grow(self._ring_value)
        self._ring_kind, self._ring_quality = grow(self._ring_kind), grow(self._ring_quality)
        self._head, self._fill, self._unsorted = grow(self._head), grow(self._fill), grow(self._unsorted)

    def _grow_capacity(self, needed: int) -> None:
        """Longer rings for every tag (one 2-D array each): oldest first from position 0 afterwards."""
        capacity = min(self.history_length, max(_FIRST_CAPACITY, 1 << max(0, needed - 1).bit_length()))
        if capacity <= self._capacity:
            return
        old = self._capacity
        rows = len(self._present)
        if old:
            columns = (self._head[:, None] - self._fill[:, None] + np.arange(old)[None, :]) % old
            picked = np.arange(rows)[:, None], columns
        for name, dtype in (
            ("_ring_time", float),
            ("_ring_value", float),
            ("_ring_kind", np.int8),
            ("_ring_quality", np.int8),
        ):
            out = np.zeros((rows, capacity), dtype=dtype)
            if old:
                out[:, :old] = getattr(self, name)[picked]
            setattr(self, name, out)
        self._head = self._fill % capacity
        self._capacity = capacity

    def _put_newer(
        self,
        rows: np.ndarray,
        times: np.ndarray,
        number: np.ndarray,
        kind: np.ndarray,
        quality: np.ndarray,
        now: float,
        source_code: int,
        arrival_is_sample_time: bool,
    ) -> np.ndarray:
        """Samples all newer than their tag's latest: sorted per tag, into the rings, the last one the state."""
        if not len(rows):
            return rows
        order = np.lexsort((times, rows))
        rows, times, number, kind, quality = rows[order], times[order], number[order], kind[order], quality[order]
        repeat = (
            (rows[1:] == rows[:-1])
            & (times[1:] == times[:-1])
            & (number[1:] == number[:-1])
            & (kind[1:] == kind[:-1])
            & (quality[1:] == quality[:-1])
        )
        if repeat.any():
            keep = np.concatenate([[True], ~repeat])
            self.counters.duplicate += int(repeat.sum())
            rows, times, number, kind, quality = rows[keep], times[keep], number[keep], kind[keep], quality[keep]
        starts = np.flatnonzero(np.concatenate([[True], rows[1:] != rows[:-1]]))
        counts = np.diff(np.append(starts, len(rows)))
        unique = rows[starts]
        self._grow_capacity(int((self._fill[unique] + counts).max()))
        capacity = self._capacity
        if capacity:
            rank = np.arange(len(rows)) - np.repeat(starts, counts)
            written = rank >= np.repeat(counts, counts) - capacity  # only the last `capacity` of a burst stay
            columns = (self._head[rows] + rank) % capacity
            at = rows[written], columns[written]
            self._ring_time[at], self._ring_value[at] = times[written], number[written]
            self._ring_kind[at], self._ring_quality[at] = kind[written], quality[written]
            self._head[unique] = (self._head[unique] + counts) % capacity
            self._fill[unique] = np.minimum(self._fill[unique] + counts, capacity)
        last = starts + counts - 1
        self._present[unique] = True
        self._time[unique], self._value[unique] = times[last], number[last]
        self._kind[unique], self._quality[unique] = kind[last], quality[last]
        self._received[unique] = times[last] if arrival_is_sample_time else now
        self._source[unique] = source_code
        self.counters.accepted += len(rows)
        return unique

    def _put_one(
        self,
        row: int,
        t: float,
        number: float,
        kind: int,
        quality: int,
        now: float,
        source_code: int,
        arrival_is_sample_time: bool,
    ) -> bool:
        """A sample no newer than its tag's latest: dropped when the very same is held, else kept in history
        (a late one) or made the state (same time, other value: a correction). True when the state changed."""
        times, numbers, kinds, qualities = self._ring(row)
        if np.any((times == t) & (numbers == number) & (kinds == kind) & (qualities == quality)):
            self.counters.duplicate += 1
            return False
        self._grow_capacity(int(self._fill[row]) + 1)
        capacity = self._capacity
        position = int(self._head[row])
        if self._fill[row] and t < self._ring_time[row, (position - 1) % capacity]:
            self._unsorted[row] = True
        self._ring_time[row, position], self._ring_value[row, position] = t, number
        self._ring_kind[row, position], self._ring_quality[row, position] = kind, quality
        self._head[row] = (position + 1) % capacity
        self._fill[row] = min(int(self._fill[row]) + 1, capacity)
        if t < self._time[row]:
            self.counters.late += 1
            return False
        self.counters.accepted += 1
        self._value[row], self._kind[row], self._quality[row] = number, kind, quality
        self._received[row] = t if arrival_is_sample_time else now
        self._source[row] = source_code
        return True

    def _ring(self, row: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """One tag's held samples in time order (arrival order among equal times)."""
        fill, capacity = int(self._fill[row]), self._capacity
        if not fill:
            empty = np.zeros(0)
            return empty, empty, np.zeros(0, np.int8), np.zeros(0, np.int8)
        columns = (int(self._head[row]) - fill + np.arange(fill)) % capacity
        parts = (
            self._ring_time[row, columns],
            self._ring_value[row, columns],
            self._ring_kind[row, columns],
            self._ring_quality[row, columns],
        )
        if self._unsorted[row]:
            order = np.argsort(parts[0], kind="stable")
            parts = tuple(p[order] for p in parts)
        return parts

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """Several writes that readers see as one (a replay swapping in the state at a new time)."""
        with self._lock:
            yield

    def set_source_down(self, source: str, down: bool = True) -> list[str]:
        """A source lost its connection (or came back): every tag it fed is stale meanwhile."""
        with self._lock:
            if down:
                self._down_sources.add(source)
            else:
                self._down_sources.discard(source)
            tags = self._tags_of_source(source)
        if tags:
            self.updated.emit()
            self.changed.emit(tags)
        return tags

    def _tags_of_source(self, source: str) -> list[str]:
        code = self._source_codes.get(source)
        if code is None:
            return []
        rows = np.flatnonzero(self._present & (self._source == code))
        return sorted(self._tags[r] for r in rows.tolist())

    def forget_source(self, source: str) -> list[str]:
        """Drop the state and history of every tag a source fed (a replay seeking backwards)."""
        with self._lock:
            tags = self._tags_of_source(source)
            rows = np.array([self._index[t] for t in tags], dtype=np.int64)
            self._present[rows] = False
            self._time[rows] = -np.inf
            self._fill[rows] = self._head[rows] = 0
            self._unsorted[rows] = False
        if tags:
            self.updated.emit()
            self.changed.emit(tags)
        return tags

    def clear(self) -> None:
        with self._lock:
            # Tags keep their rows: a source may hold them (`tag_rows`).
            self._down_sources.clear()
            self._allocate(len(self._tags), 0)

    # ------------------------------------------------------------ reading

    def _value_of(self, number: float, kind: int) -> Value:
        if kind == TEXT:
            return self._texts[int(number)]
        if kind == BOOLEAN:
            return bool(number)
        return float(number)

    def _sample(self, row: int) -> Sample:
        return Sample(
            self._tags[row],
            float(self._time[row]),
            self._value_of(self._value[row], int(self._kind[row])),
            _QUALITIES[self._quality[row]],
        )

    def latest(self, tag: str) -> Sample | None:
        with self._lock:
            row = self._index.get(tag)
            return self._sample(row) if row is not None and self._present[row] else None

    def tag_state(self, tag: str) -> TagState | None:
        with self._lock:
            row = self._index.get(tag)
            if row is None or not self._present[row]:
                return None
            return TagState(self._sample(row), float(self._received[row]), self._sources[self._source[row]])

    def history(self, tag: str, start: float = -math.inf, end: float = math.inf) -> list[Sample]:
        times, numbers, kinds, qualities = self.history_arrays(tag, start, end)
        with self._lock:
            return [
                Sample(tag, float(t), self._value_of(v, int(k)), _QUALITIES[q])
                for t, v, k, q in zip(times, numbers, kinds, qualities, strict=True)
            ]

    def history_arrays(
        self, tag: str, start: float = -math.inf, end: float = math.inf
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(times, values, kinds, quality codes) of one tag within [start, end], time-sorted; values of texts
        are codes (see `texts`)."""
        with self._lock:
            row = self._index.get(tag)
            if row is None:
                empty = np.zeros(0)
                return empty, empty, np.zeros(0, np.int8), np.zeros(0, np.int8)
            parts = self._ring(row)
        times = parts[0]
        window = slice(np.searchsorted(times, start, "left"), np.searchsorted(times, end, "right"))
        return tuple(p[window] for p in parts)  # type: ignore[return-value]

    def tags(self) -> list[str]:
        with self._lock:
            return sorted(self._tags[r] for r in np.flatnonzero(self._present).tolist())

    def snapshot(self) -> dict[str, TagState]:
        with self._lock:
            return {
                self._tags[r]: TagState(self._sample(r), float(self._received[r]), self._sources[self._source[r]])
                for r in np.flatnonzero(self._present).tolist()
            }

    def columns(self, tags: Sequence[str], now: float | None = None) -> TagColumns:
        """The latest state of `tags` as arrays, in their order: what drawing 10,000 tags reads each update."""
        now = self.clock() if now is None else now
        with self._lock:
            index = self._index
            rows = np.fromiter((index.get(tag, -1) for tag in tags), np.int64, len(tags))
            known = rows >= 0
            safe = np.where(known, rows, 0)
            if not len(self._present):
                safe = np.zeros(0, np.int64)
                known = np.zeros(len(tags), bool)
            present = known & self._present[safe] if len(safe) else known
            columns = TagColumns(
                present=present,
                time=np.where(present, self._time[safe], np.nan) if len(safe) else np.full(len(tags), np.nan),
                value=np.where(present, self._value[safe], 0.0) if len(safe) else np.zeros(len(tags)),
                kind=np.where(present, self._kind[safe], 0).astype(np.int8)
                if len(safe)
                else np.zeros(len(tags), np.int8),
                stale=~present | (self._stale_rows(safe, now) if len(safe) else True),
                texts=list(self._texts),
                received=np.where(present, self._received[safe], np.nan) if len(safe) else np.full(len(tags), np.nan),
            )
        return columns

    def _stale_rows(self, rows: np.ndarray, now: float) -> np.ndarray:
        stale = (self._quality[rows] == BAD_CODE) | (now - self._received[rows] > self.stale_after)
        for source in self._down_sources:
            code = self._source_codes.get(source)
            if code is not None:
                stale |= self._source[rows] == code
        return stale

    def is_stale(self, tag: str, now: float | None = None) -> bool:
        """No value, bad quality, its source down, or no update within `stale_after` seconds."""
        now = self.clock() if now is None else now
        with self._lock:
            row = self._index.get(tag)
            if row is None or not self._present[row]:
                return True
            return bool(self._stale_rows(np.array([row]), now)[0])

    def stale_tags(self, now: float | None = None) -> set[str]:
        now = self.clock() if now is None else now
        with self._lock:
            rows = np.flatnonzero(self._present)
            stale = rows[self._stale_rows(rows, now)]
            return {self._tags[r] for r in stale.tolist()}
