"""Mouse gestures on the 3D view turned into intentions: click, Ctrl-click, double-click, hover, wheel zoom
towards the cursor, and Shift-drag box selection.

An event filter, so VTK still gets every mouse event for orbiting; a press and release within a few pixels
is a click, anything longer is a camera drag and selects nothing. The wheel and Shift-drags are kept from
VTK: its wheel zooms towards the middle of the view, not towards what the cursor points at. Keys are kept
from VTK: its defaults ('w' wireframe, 'e'/'q' quit, ...) would change the scene behind the application's back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QRubberBand, QWidget

CLICK_SLOP = 4  # pixels a click may move and still be a click
HOVER_DELAY_MS = 300
# What the 3D view does with the mouse, for Help > Keyboard Shortcuts: kept beside the code that does it.
# Orbit, pan and zoom by dragging are VTK's terrain style (set up by the main window); the rest is this filter.
GESTURES: tuple[tuple[str, str], ...] = (
    ("Left drag", "Orbit around the plant (Z stays up)"),
    ("Middle drag", "Pan"),
    ("Right drag", "Zoom"),
    ("Mouse wheel", "Zoom towards the point under the cursor (equipment, else the floor)"),
    ("Click", "Select the equipment under the cursor (on the floor: clear the selection)"),
    ("Ctrl+Click", "Add to or remove from the selection"),
    ("Double-click", "Select and frame the equipment"),
    ("Shift+Drag", "Box select: the shown equipment whose centre is inside the box"),
    ("Ctrl+Shift+Drag", "Box select, adding to the selection"),
    ("Rest the cursor", f"After {HOVER_DELAY_MS} ms: the equipment's name, type and id"),
)


class ViewportInput(QObject):
    clicked = Signal(QPointF, bool)  # widget position, additive (Ctrl held)
    tool_clicked = Signal(QPointF)  # a click while a tool (Measure) has the view: it selects nothing
    double_clicked = Signal(QPointF)
    hovered = Signal(QPointF)
    hover_ended = Signal()
    wheel_zoomed = Signal(QPointF, float)  # widget position, wheel steps (positive: towards the cursor)
    box_selected = Signal(QRect, bool)  # widget rectangle, additive (Ctrl held too)

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.widget = widget
        self._press: QPointF | None = None
        self.tool_active = False
        self._hover_pos = QPointF()
        self._hover_timer = QTimer(self)
        self._hover_timer.setSingleShot(True)
        self._hover_timer.setInterval(HOVER_DELAY_MS)
        self._hover_timer.timeout.connect(self._hover_due)
        self._band_start: QPointF | None = None
        # Top-level, not a child: a child widget does not draw over the OpenGL window on every platform.
        self.rubber_band = QRubberBand(QRubberBand.Shape.Rectangle)
        self.destroyed.connect(self.rubber_band.deleteLater)  # no parent to take it along
        widget.setMouseTracking(True)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return True
        if kind == QEvent.Type.Wheel and isinstance(event, QWheelEvent):
            steps = event.angleDelta().y() / 120.0
            if steps:
                self.wheel_zoomed.emit(event.position(), steps)
            return True
        if self._band_start is not None or (
            kind == QEvent.Type.MouseButtonPress
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            return self._band_event(kind, event)
        if kind == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            self._stop_hover()
            if event.button() == Qt.MouseButton.LeftButton:
                self._press = event.position()
        elif kind == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            if event.button() == Qt.MouseButton.LeftButton and self._press is not None:
                moved = (event.position() - self._press).manhattanLength()
                self._press = None
                if moved <= CLICK_SLOP and self.tool_active:
                    self.tool_clicked.emit(event.position())
                elif moved <= CLICK_SLOP:
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

    def _band_event(self, kind: QEvent.Type, event: QEvent) -> bool:
        """Shift-drag: a rubber band; on release the rectangle is reported. VTK sees none of it."""
        if not isinstance(event, QMouseEvent):
            return False
        if kind == QEvent.Type.MouseButtonPress:
            self._stop_hover()
            self._band_start = event.position()
            self._show_band(event.position())
        elif kind == QEvent.Type.MouseMove:
            self._show_band(event.position())
        elif kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
            start, self._band_start = self._band_start, None
            self.rubber_band.hide()
            rect = QRect(start.toPoint(), event.position().toPoint()).normalized()
            additive = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            if rect.width() > CLICK_SLOP or rect.height() > CLICK_SLOP:
                self.box_selected.emit(rect, additive)
            else:
                self.clicked.emit(event.position(), additive)
        return True

    def _show_band(self, pos: QPointF) -> None:
        if self._band_start is None:
            return
        rect = QRect(self._band_start.toPoint(), pos.toPoint()).normalized()
        size = rect.size().expandedTo(QSize(1, 1))
        self.rubber_band.setGeometry(QRect(self.widget.mapToGlobal(rect.topLeft()), size))
        self.rubber_band.show()

    def _hover_due(self) -> None:
        # The timer can fire after the view released its render window (the window closing): nothing to pick.
        if getattr(self.widget, "ren_win", True) is not None:
            self.hovered.emit(self._hover_pos)

    def _stop_hover(self) -> None:
        self._hover_timer.stop()
        self.hover_ended.emit()
