"""The session pointer: while on, the 3D point under your cursor (on equipment, else the floor) goes to the
others at most POINTER_HZ times a second; every window shows the others' pointers, coloured, with names."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QTimer
from PySide6.QtGui import QMouseEvent

from viewer.model.review import Vec3
from viewer.scene.session_pointers import SessionPointers, pointer_color
from viewer.ui.session.host import SessionHost

if TYPE_CHECKING:
    from viewer.session import SessionClient

POINTER_HZ = 20.0


class PointerTool(QObject):
    def __init__(self, window: SessionHost) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self.window = window
        self.client: SessionClient | None = None
        self.on = False
        self.markers = SessionPointers(window.plotter.renderer)
        self.points: dict[str, Vec3] = {}  # username -> where their pointer is
        self.names: dict[str, str] = {}  # username -> display name
        self.sent: Vec3 | None = None  # the last point published (tests read it)
        self._pos: QPointF | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / POINTER_HZ))
        self._timer.timeout.connect(self._send)
        window.plotter.installEventFilter(self)

    def attach(self, client: SessionClient | None) -> None:
        self.client = client
        self.points = {}
        self.set_on(False)
        self._show()

    def set_on(self, on: bool) -> None:
        was, self.on = self.on, bool(on)
        if self.on:
            self._timer.start()
        else:
            self._timer.stop()
            self._pos = None
            if was and self.client is not None and not self.client.ended:
                self.client.publish_pointer(None)  # the others' marker of ours goes
            self.sent = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if self.on and event.type() == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            self._pos = event.position()
        return False

    def point_at(self, pos: QPointF) -> Vec3 | None:
        """The world point under a widget position: on shown equipment, else on the floor."""
        w = self.window
        x, y = w.scene.display_point(pos, w.plotter.height(), w.plotter.devicePixelRatioF())
        _, hit = w.scene.view.pick_point(x, y)
        point = hit if hit is not None else w.scene.view.floor_point(x, y)
        return None if point is None else (float(point[0]), float(point[1]), float(point[2]))

    def move_to(self, pos: QPointF) -> None:
        """The cursor is at `pos` (what a mouse move over the view says); sent at the next tick."""
        self._pos = pos

    def _send(self) -> None:
        if self._pos is None or self.client is None or self.client.ended:
            return
        pos, self._pos = self._pos, None
        point = self.point_at(pos)
        if point is not None and point != self.sent:
            self.client.publish_pointer(point)
            self.sent = point

    def moved(self, username: str, point: Vec3 | None) -> None:
        if point is None:
            self.points.pop(username, None)
        else:
            self.points[username] = point
        self._show()

    def roster(self, names: dict[str, str]) -> None:
        """Who is in the session (username -> name): the pointers of those who left go."""
        self.names = names
        self.points = {u: p for u, p in self.points.items() if u in names}
        self._show()

    def _show(self) -> None:
        users = sorted(self.points)
        positions = np.array([self.points[u] for u in users], float).reshape(-1, 3)
        colors = np.array([pointer_color(u) for u in users], np.uint8).reshape(-1, 3)
        self.markers.set_pointers([self.names.get(u, u) for u in users], positions, colors)
        self.window.scene.request_render()
