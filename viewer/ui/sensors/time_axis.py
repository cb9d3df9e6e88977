"""A pyqtgraph date axis that writes its ticks in a site's time zone (or UTC), daylight saving time included."""

from __future__ import annotations

import pyqtgraph as pg

from viewer.model.site_time import TimeDisplay


class SiteTimeAxis(pg.DateAxisItem):
    """pyqtgraph's DateAxisItem knows one fixed offset or the computer's own zone; a site's zone changes its
    offset twice a year, and the engineer's computer may be anywhere. The ticks are placed for the zone's
    offset in the middle of the range shown, and each tick is written with the offset in force at it."""

    def __init__(self, display: TimeDisplay | None = None, **kwargs: object) -> None:
        super().__init__(utcOffset=0, **kwargs)
        self.display = display or TimeDisplay()

    def set_display(self, display: TimeDisplay) -> None:
        if display != self.display:
            self.display = display
            self.picture = None  # the drawn ticks are cached: draw them again
            self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N802, N803
        # pyqtgraph's offset is seconds west of UTC; it lines day and hour ticks up with local midnight.
        self.utcOffset = -self.display.offset_seconds((minVal + maxVal) / 2)
        return super().tickValues(minVal, maxVal, size)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        spec = next((s for s in self.zoomLevel.tickSpecs if s.spacing == spacing), None)
        if spec is None:
            return super().tickStrings(values, scale, spacing)
        texts = [self.display.strftime(v, spec.format) for v in values]
        if "%f" in spec.format:  # milliseconds, as pyqtgraph writes them
            texts = [t[:-3] for t in texts]
        return texts
