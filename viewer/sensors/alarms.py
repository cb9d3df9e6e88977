"""The alarm book: which signals are beyond their limits now, since when, and whether someone acknowledged.

Fed with the alarms the visual rules find on every update. An alarm is raised the first time a signal is
seen beyond its limits and cleared when it is back within them; acknowledging stops the flashing, the
equipment keeps its alarm colour, steady, until the alarm clears (ISA-18.2: unacknowledged alarms flash,
acknowledged ones are steady). No Qt: the window's dock and the flash timer only read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from viewer.model import Limits
from viewer.sensors.rules import Alarm, AlarmLevel

AlarmKey = tuple[str, str]  # (equipment id, signal name)


@dataclass(slots=True)
class AlarmEntry:
    equipment_id: str
    signal: str
    tag: str
    level: AlarmLevel
    value: float
    limit: float | None  # the limit it went beyond
    raised_at: float  # sample time of the first value beyond the limit
    last_time: float  # sample time of the latest value
    acknowledged: bool = False
    started_before: bool = False  # raised_at is the start of the look-back after a jump: it began earlier

    @property
    def key(self) -> AlarmKey:
        return (self.equipment_id, self.signal)


def limit_crossed(level: AlarmLevel, limits: Limits) -> float | None:
    return {
        AlarmLevel.LOLO: limits.lolo,
        AlarmLevel.LO: limits.lo,
        AlarmLevel.HI: limits.hi,
        AlarmLevel.HIHI: limits.hihi,
    }.get(level)


class AlarmBook:
    """Active alarms keyed by (equipment, signal), in the order they were raised."""

    def __init__(self) -> None:
        self._active: dict[AlarmKey, AlarmEntry] = {}

    def update(self, alarms: Iterable[Alarm], limits_of: dict[AlarmKey, Limits] | None = None) -> bool:
        """Take the alarms found now; returns True when the list changed (raised, cleared, or a level). New
        values alone do not count: a dock showing them refreshes on its own timer, not 10 times a second."""
        limits_of = limits_of or {}
        seen: dict[AlarmKey, Alarm] = {(a.equipment_id, a.signal): a for a in alarms}
        changed = False
        for key in [k for k in self._active if k not in seen]:
            del self._active[key]
            changed = True
        for key, alarm in seen.items():
            limit = limit_crossed(alarm.level, limits_of.get(key, Limits()))
            entry = self._active.get(key)
            if entry is None:
                self._active[key] = AlarmEntry(
                    alarm.equipment_id, alarm.signal, alarm.tag, alarm.level, alarm.value, limit, alarm.time, alarm.time
                )
                changed = True
                continue
            if alarm.level > entry.level:
                entry.acknowledged = False  # worse than what was acknowledged: ask again
            if entry.level != alarm.level:
                changed = True
            entry.level, entry.value, entry.limit, entry.last_time = alarm.level, alarm.value, limit, alarm.time
        return changed

    def set_starts(self, starts: dict[str, tuple[float, bool]]) -> bool:
        """When the active alarms of some tags really began (tag -> (time, began before that)), as a
        recording tells after a jump; returns True when any entry changed."""
        changed = False
        for entry in self._active.values():
            if entry.tag in starts and (entry.raised_at, entry.started_before) != starts[entry.tag]:
                entry.raised_at, entry.started_before = starts[entry.tag]
                changed = True
        return changed

    def acknowledge(self, keys: Iterable[AlarmKey] | None = None) -> bool:
        """Acknowledge some alarms (None: all); True when any was not acknowledged yet."""
        targets = self._active.values() if keys is None else [self._active[k] for k in keys if k in self._active]
        fresh = [e for e in targets if not e.acknowledged]
        for entry in fresh:
            entry.acknowledged = True
        return bool(fresh)

    def clear(self) -> None:
        self._active.clear()

    def entries(self) -> list[AlarmEntry]:
        return list(self._active.values())

    def flashing_equipment(self) -> set[str]:
        """Equipment with at least one unacknowledged alarm."""
        return {e.equipment_id for e in self._active.values() if not e.acknowledged}

    def __len__(self) -> int:
        return len(self._active)
