"""Sends the leader's camera at most 30 times a second from its own thread, and a moment after a move ends asks
for the retained view to be refreshed with the camera it ended on (a late joiner then sees where it stopped)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from viewer.model.views import CameraState
from viewer.session.view_message import CameraCoalescer

STATE_REFRESH_SECONDS = 0.25  # after the last camera of a move, the retained view takes it


class CameraSender:
    def __init__(self, send: Callable[[CameraState], None], refresh: Callable[[CameraState], None]) -> None:
        self._send = send
        self._refresh = refresh
        self._coalescer = CameraCoalescer()
        self._wake = threading.Condition()
        self._refresh_at: float | None = None
        self._last: CameraState | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None

    def offer(self, camera: CameraState) -> None:
        """Send now if the 1/30 s slot is open, else keep it (newest wins) for the thread to send."""
        with self._wake:
            if self._stopping:
                return
            send = self._coalescer.offer(camera, time.monotonic())
            self._ensure_thread()
            self._wake.notify()
        if send is not None:
            self._sent(send)

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2.0)

    def _sent(self, camera: CameraState) -> None:
        self._send(camera)
        with self._wake:
            self._last = camera
            self._refresh_at = time.monotonic() + STATE_REFRESH_SECONDS
            self._wake.notify()

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="session-camera", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            refresh: CameraState | None = None
            with self._wake:
                if self._stopping:
                    return
                now = time.monotonic()
                send = self._coalescer.due(now)
                at = self._refresh_at
                if send is None and at is not None and now >= at and not self._coalescer.pending:
                    self._refresh_at, refresh = None, self._last
                if send is None and refresh is None:
                    waits = [w for w in (self._coalescer.wait_time(now),) if w is not None]
                    if at is not None:
                        waits.append(max(0.0, at - now))
                    self._wake.wait(min(waits) if waits else 1.0)
                    continue
            if send is not None:
                self._sent(send)
            if refresh is not None:
                self._refresh(refresh)
