"""What the window benchmarks share: a probe of how long the GUI thread is held (a 10 ms timer and how late
it fires) and a wait that keeps the event loop turning. Qt is imported only when one is made."""

from __future__ import annotations

import time
from collections.abc import Callable

PROBE_INTERVAL_MS = 10


class LatencyProbe:
    """A timer on the GUI thread every 10 ms: `lateness` holds how late each tick came (seconds past 10 ms),
    the longest the event loop could not serve it."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.lateness: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(PROBE_INTERVAL_MS)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lateness.append(max(0.0, now - self._last - PROBE_INTERVAL_MS / 1000))
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def take(self) -> list[float]:
        """The lateness of the ticks so far, cleared."""
        taken, self.lateness = self.lateness, []
        return taken


def wait_until(done: Callable[[], bool], timeout: float, interval_ms: int = 2) -> bool:
    """Run the event loop until `done()` (checked every `interval_ms`) or `timeout` seconds."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop, check = QEventLoop(), QTimer()
    check.setInterval(interval_ms)
    check.timeout.connect(lambda: loop.quit() if done() else None)
    check.start()
    QTimer.singleShot(round(timeout * 1000), loop.quit)
    loop.exec()
    check.stop()
    return done()
