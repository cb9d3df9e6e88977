"""Editing gestures on the 3D view: drag selected equipment, arrow keys, Escape, drops of library types.

An event filter installed after `ViewportInput`, so it sees events first: a left press on a selected equipment
is taken from VTK (no orbit) and becomes a drag; anything else goes on to the viewport filter and to VTK.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QDragMoveEvent, QDropEvent, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QWidget

from viewer.ui.viewport_input import CLICK_SLOP

TYPE_MIME = "application/x-mothertwin-type"  # a library type name, dragged from the library dock
ARROWS = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, 1),
    Qt.Key.Key_Down: (0, -1),
}


def gestures() -> list[tuple[str, str]]:
    """What editing in the 3D view does with the mouse and keys, for Help > Keyboard Shortcuts (the arrow
    keys from ARROWS itself; R / Shift+R are the Arrange menu's shortcuts, listed with the menus)."""
    arrows = " / ".join(QKeySequence(key).toString() for key in ARROWS)
    return [
        ("Left drag on a selected equipment", "Move the selection (grid and edge snapping; the camera stays)"),
        (QKeySequence(Qt.Key.Key_Escape).toString() + " while dragging", "Put the dragged equipment back"),
        (arrows, "Nudge the selection one grid step along world x / y"),
        ("Shift+" + arrows.replace(" / ", " / Shift+"), "Nudge by ten grid steps"),
        ("Drag a type from the Library", "Drop it on the floor: it joins the cell under the drop point"),
    ]


class EditInput(QObject):
    drag_started = Signal(QPointF)  # where the mouse went down
    drag_moved = Signal(QPointF)
    drag_finished = Signal()
    drag_cancelled = Signal()
    clicked = Signal(QPointF, bool)  # a click on a selected equipment (the viewport filter did not see it)
    nudged = Signal(int, int, bool)  # steps along world x and y, Shift held
    rotated = Signal(int)  # R: +1 (counter-clockwise), Shift+R: -1; when the window's shortcut did not take it
    type_dropped = Signal(str, QPointF)  # type name, drop position

    def __init__(self, widget: QWidget, can_grab: Callable[[QPointF], bool]) -> None:
        super().__init__(widget)
        self.widget = widget
        self.can_grab = can_grab  # is there a selected equipment under this point?
        self.enabled = True
        self._press: QPointF | None = None
        self._dragging = False
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    @property
    def dragging(self) -> bool:
        return self._dragging

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if isinstance(event, QMouseEvent):
            return self._mouse(kind, event)
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._key(event)
        # Escape while dragging cancels the drag, not the selection (Esc's window shortcut).
        if kind == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and self._escape_drag(event):
            event.accept()
            return True
        # QDragEnterEvent is a QDragMoveEvent
        if isinstance(event, QDragMoveEvent) and event.mimeData().hasFormat(TYPE_MIME):
            event.acceptProposedAction()
            return True
        if kind == QEvent.Type.Drop and isinstance(event, QDropEvent) and event.mimeData().hasFormat(TYPE_MIME):
            name = bytes(event.mimeData().data(TYPE_MIME).data()).decode("utf-8").strip()
            event.acceptProposedAction()
            self.type_dropped.emit(name, event.position())
            return True
        return False

    def _mouse(self, kind: QEvent.Type, event: QMouseEvent) -> bool:
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            plain = not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
            if self.enabled and plain and self.can_grab(event.position()):
                self._press, self._dragging = event.position(), False
                return True  # VTK never sees the press: the camera stays put while equipment moves
            return False
        if self._press is None:
            return False
        if kind == QEvent.Type.MouseMove:
            if not self._dragging and (event.position() - self._press).manhattanLength() > CLICK_SLOP:
                self._dragging = True
                self.drag_started.emit(self._press)
            if self._dragging:
                self.drag_moved.emit(event.position())
            return True
        if kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
            press, self._press = self._press, None
            if self._dragging:
                self._dragging = False
                self.drag_finished.emit()
            else:
                self.clicked.emit(press, False)
            return True
        return kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease)

    def _escape_drag(self, event: QKeyEvent) -> bool:
        return event.key() == Qt.Key.Key_Escape and self._dragging

    def _key(self, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_Escape and self._dragging:
            self._press, self._dragging = None, False
            self.drag_cancelled.emit()
            return True
        if event.key() == Qt.Key.Key_R and self.enabled and not self._dragging:
            self.rotated.emit(-1 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1)
            return True
        step = ARROWS.get(Qt.Key(event.key()))
        if step is not None and self.enabled and not self._dragging:
            self.nudged.emit(*step, bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
            return True
        return False
