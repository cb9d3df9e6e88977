"""What the timeline asks of the past: the state at a time, the steps since it, series of tags over a window,
where values went beyond their limits and when an excursion began. A recording file answers today
(`viewer.sensors.Recording`, through DuckDB); a historian (a database of the plant's values) can stand in
for it by answering the same questions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from viewer.sensors import Columns, SampleBuffer, SourceCounters, SourceStatus
from viewer.sensors.recording import TextValues

TagLimits = dict[str, tuple[float | None, float | None]]  # tag -> (low, high); None: no limit on that side


class History(Protocol):
    """Sensor values of the past, for seeking, playing and the trend. Answers may come from any thread (the
    timeline asks on a worker thread): an implementation serialises its own queries."""

    @property
    def path(self) -> Path | str:
        """Where the values come from, as messages name it (a file, or a historian's address)."""
        ...

    def tags(self) -> list[str]:
        """Every tag with values, sorted."""
        ...

    def time_range(self) -> tuple[float, float]:
        """The first and last sample time (epoch seconds)."""
        ...

    def state_columns(self, at: float, window: float | None = ..., tags: list[str] | None = None) -> Columns:
        """Every tag's latest value at or before `at`, looking back at most `window` seconds (None: all), as
        columns (tags, times, values): the state at `at`, or with a short window a play step's changes."""
        ...

    def sample_columns(self, start: float, end: float) -> Columns:
        """Every sample with start < time <= end, as columns: `end - start` of play."""
        ...

    def series(self, tag: str, start: float, end: float, bucket: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Times and values of one numeric tag, averaged per `bucket` seconds when given; text is NaN."""
        ...

    def beyond_limits(self, limits: TagLimits, buckets: int = 400) -> list[tuple[float, int]]:
        """(bucket start time, count) of values beyond their limits over `buckets` slices: the scrub bar's marks."""
        ...

    def excursion_starts(self, limits: TagLimits, at: float, lookback: float = 3600.0) -> dict[str, tuple[float, bool]]:
        """When each tag beyond its limits at `at` went beyond them: tag -> (time, True when that is the start
        of the look-back, so it may have begun earlier)."""
        ...

    def text_values(self, numeric_tags: list[str] | None = None) -> list[TextValues]:
        """Text where numbers belong (no measurement), per tag of `numeric_tags` (None: tags with numbers)."""
        ...

    def close(self) -> None: ...


class Replay(Protocol):
    """A history played into a store of samples with a time cursor: what the timeline drives (the built-in
    `recording` source plug-in is one)."""

    store: SampleBuffer  # holds the state at the cursor; its clock follows the cursor
    start_time: float
    end_time: float
    cursor: float
    recording_tags: list[str] | None  # every tag of the history, once known (a seek asks otherwise)
    counters: SourceCounters

    @property
    def recording(self) -> History: ...

    def seek(self, at: float) -> int:
        """Move the cursor; the store then holds every tag's state at `at`. Returns the number of tags."""
        ...

    def set_status(self, status: SourceStatus, error: str = "") -> None: ...


if TYPE_CHECKING:  # the type checker holds the recording file to every question above
    from viewer.sensors import Recording

    _RECORDING_IS_A_HISTORY: type[History] = Recording
