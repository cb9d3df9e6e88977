"""Mouse gestures on the 3D view turned into intentions: click, Ctrl-click, double-click, hover.

An event filter, so VTK still gets every mouse event for orbiting; a press and release within a few pixels
is a click, anything longer is a camera drag and selects nothing. Keys are kept from VTK: its defaults
('w' wireframe, 'e'/'q' quit, ...) would change the scene behind the application's back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QWidget

CLICK_SLOP = 4  # pixels a click may move and still be a click
HOVER_DELAY_MS = 300


class ViewportInput(QObject):
    clicked = Signal(QPointF, bool)  # widget position, additive (Ctrl held)
    double_clicked = Signal(QPointF)
    hovered = Signal(QPointF)
    hover_ended = Signal()

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.widget = widget
        self._press: QPointF | None = None
        self._hover_pos = QPointF()
        self._hover_timer = QTimer(self)
        self._hover_timer.setSingleShot(True)
        self._hover_timer.setInterval(HOVER_DELAY_MS)
        self._hover_timer.timeout.connect(lambda: self.hovered.emit(self._hover_pos))
        widget.setMouseTracking(True)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return True
        if kind == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            self._stop_hover()
            if event.button() == Qt.MouseButton.LeftButton:
                self._press = event.position()
        elif kind == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            if event.button() == Qt.MouseButton.LeftButton and self._press is not None:
                moved = (event.position() - self._press).manhattanLength()
                self._press = None
                if moved <= CLICK_SLOP:
                    additive = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
                    self.clicked.emit(event.position(), additive)
        elif kind == QEvent.Type.MouseButtonDblClick and isinstance(event, QMouseEvent):
            if event.button() == Qt.MouseButton.LeftButton:
                self.double_clicked.emit(event.position())
        elif kind == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            if event.buttons() == Qt.MouseButton.NoButton:
                self._hover_pos = event.position()
                self._hover_timer.start()
                self.hover_ended.emit()
            else:
                self._stop_hover()
        elif kind == QEvent.Type.Leave:
            self._stop_hover()
        return False

    def _stop_hover(self) -> None:
        self._hover_timer.stop()
        self.hover_ended.emit()
