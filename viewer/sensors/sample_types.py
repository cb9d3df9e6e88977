"""What the sensor store holds and hands out: values and their kinds, quality, one sample, a tag's state, the
store's counters and the columns of many tags' latest states (`viewer.sensors.samples` keeps them).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

Value = float | str | bool

NUMBER, BOOLEAN, TEXT = 0, 1, 2  # how a value is held: float, bool as 0/1, or a code into the text table


class Quality(StrEnum):
    GOOD = "good"
    UNCERTAIN = "uncertain"
    BAD = "bad"


QUALITIES = (Quality.GOOD, Quality.UNCERTAIN, Quality.BAD)  # in the order of their codes in the store
QUALITY_CODE = {q: i for i, q in enumerate(QUALITIES)}
BAD_CODE = QUALITY_CODE[Quality.BAD]


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


@dataclass(slots=True)
class TagColumns:
    """The latest state of some tags as arrays, in the order asked for (absent tags: present False)."""

    present: np.ndarray  # bool
    time: np.ndarray  # float64 sample time
    value: np.ndarray  # float64: the number, 0/1 for booleans, the text code for texts
    kind: np.ndarray  # int8: NUMBER, BOOLEAN or TEXT
    stale: np.ndarray  # bool: no value, bad quality, source down or too old
    texts: list[str]  # text code -> text
    received: np.ndarray | None = None  # float64 arrival time (the store's clock), NaN when absent
