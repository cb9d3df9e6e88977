"""Times as people at a site read them: the site's own time zone with its UTC offset, or UTC on request.

Every time inside MotherTwin is epoch seconds (UTC); a site's `timezone` (IANA name, e.g. "America/Detroit")
only changes how a time is written and how a typed time without an offset is read. A `TimeDisplay` carries that
choice, so the window, the command line and reports format the same moment the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@lru_cache(maxsize=64)
def zone(name: str | None) -> tzinfo:
    """The zone of an IANA name; UTC for None, "" or "UTC". An unknown name raises ValueError naming it."""
    if not name or name.upper() in ("UTC", "Z", "ETC/UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: expected an IANA name such as 'Asia/Seoul'") from None


def offset_text(offset: timedelta | None) -> str:
    """UTC+09:00, UTC-04:00, UTC+05:30; UTC for a zero offset."""
    if not offset:
        return "UTC"
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


@dataclass(frozen=True, slots=True)
class TimeDisplay:
    """How times are shown: in `zone_name` (a site's zone) or, with `utc`, in UTC."""

    zone_name: str = "UTC"
    utc: bool = False

    @property
    def tz(self) -> tzinfo:
        return UTC if self.utc else zone(self.zone_name)

    def moment(self, seconds: float) -> datetime:
        return datetime.fromtimestamp(seconds, self.tz)

    def offset(self, seconds: float) -> str:
        """The UTC offset in force at that moment (daylight saving time changes it)."""
        return offset_text(self.moment(seconds).utcoffset())

    def text(self, seconds: float, with_date: bool = True, with_offset: bool = True) -> str:
        """2025-03-03 09:20:00 (UTC-05:00); without the date: 09:20:00 (UTC-05:00)."""
        moment = self.moment(seconds)
        text = moment.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")
        return f"{text} ({offset_text(moment.utcoffset())})" if with_offset else text

    def iso(self, seconds: float) -> str:
        """ISO 8601 with the offset, which `parse_site_time` reads back: 2025-03-03T09:20:00-05:00."""
        moment = self.moment(seconds)
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        if moment.microsecond:
            text += f".{moment.microsecond // 1000:03d}"
        offset = moment.utcoffset()
        return text + ("Z" if not offset else offset_text(offset)[3:])

    @property
    def label(self) -> str:
        """What the times are in, for a heading or axis title: 'America/Detroit' or 'UTC'."""
        return "UTC" if self.utc or self.tz is UTC else self.zone_name

    @property
    def input_zone(self) -> str:
        """The zone a typed time without an offset is read in: the one the times are shown in, so that a
        time copied off the screen means the moment it showed."""
        return "UTC" if self.utc else self.zone_name

    def zone_text(self, seconds: float) -> str:
        """The zone and its offset at that moment, for a caption: 'Asia/Seoul, UTC+09:00', or 'UTC'."""
        offset = self.offset(seconds)
        return offset if self.label == "UTC" else f"{self.label}, {offset}"

    def offset_seconds(self, seconds: float) -> float:
        """The UTC offset at that moment in seconds, east positive (Seoul: 32400)."""
        offset = self.moment(seconds).utcoffset()
        return offset.total_seconds() if offset else 0.0

    def strftime(self, seconds: float, fmt: str) -> str:
        """The moment in this zone through a strftime format (axis ticks: '%H:%M'); '' where it cannot be
        written (far outside the calendar)."""
        try:
            return self.moment(seconds).strftime(fmt)
        except (OverflowError, OSError, ValueError):
            return ""


def parse_site_time(text: str, zone_name: str | None = None) -> float:
    """Epoch seconds from epoch seconds, ISO 8601 with an offset ("Z", "+09:00"), or a local ISO time without one,
    read in `zone_name` (UTC when None). A local time that does not exist (the hour skipped when clocks go forward)
    raises ValueError; one that happens twice (when they go back) is the first of the two."""
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(value):
            raise ValueError(f"time {text!r} is not finite")
        return value
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"time {text!r}: expected epoch seconds or ISO 8601 such as 2025-01-01T08:00:00Z, "
            "2025-01-01T17:00:00+09:00, or a local time of the site such as 2025-01-01T08:00"
        ) from None
    if moment.tzinfo is not None:
        return moment.timestamp()
    tz = zone(zone_name)
    local = moment.replace(tzinfo=tz)
    # A wall time in a gap does not survive the round trip through UTC.
    back = datetime.fromtimestamp(local.timestamp(), tz).replace(tzinfo=None)
    if back != moment:
        raise ValueError(f"time {text!r} does not exist in {zone_name} (the clocks skip it when they go forward)")
    return local.timestamp()


def display_for(zone_name: str | None, utc: bool = False) -> TimeDisplay:
    """A TimeDisplay for a site's zone; UTC where the name is empty or unknown, so a window never fails
    over a zone (the label then says UTC, so no time is shown as something it is not)."""
    try:
        zone(zone_name)
    except ValueError:
        return TimeDisplay("UTC", utc)
    return TimeDisplay(zone_name or "UTC", utc)
