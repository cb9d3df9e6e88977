"""The markup editor's drawing surface: a snapshot scaled to fit, the shapes on it, the mouse drawing new ones.

The shapes already drawn are burnt in by the same code that draws them for the report and BCF
(`viewer.review.markup_draw`), at the size shown, so what the editor shows is what the report prints. Only the
stroke under way is painted by Qt. Points are fractions of the picture (0..1, origin top left).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from PIL import Image
from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QLineEdit, QSizePolicy, QWidget

from viewer.model.review import MarkupKind, MarkupShape, Point2, Rgb
from viewer.review.markup_draw import HEAD_ANGLE, HEAD_LENGTH, TEXT_SIZE, draw_markup

BACKDROP = QColor(38, 42, 50)
MIN_DRAG_PIXELS = 3.0  # an arrow or rectangle shorter than this is a click, not a shape
MIN_FREEHAND_STEP = 1.5  # screen pixels between two points of a free-hand line
FRACTION_DIGITS = 5


def _qcolor(rgb: Rgb) -> QColor:
    return QColor(*rgb)


class MarkupCanvas(QWidget):
    """Draws with the tool, colour and width set on it; `shapes` are the picture's markup, `undo` takes the
    last change back (a stroke, a text, a clear)."""

    shapes_changed = Signal()

    def __init__(self, png: bytes, shapes: Sequence[MarkupShape] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        with Image.open(io.BytesIO(png)) as image:
            self._picture = image.convert("RGB")
        self.tool = MarkupKind.ARROW
        self.color: Rgb = (230, 40, 40)
        self.line_width = 4.0
        self._shapes: tuple[MarkupShape, ...] = tuple(shapes)
        self._history: list[tuple[MarkupShape, ...]] = []
        self._stroke: list[Point2] | None = None
        self._press: QPointF | None = None
        self._scaled: tuple[tuple[int, int], Image.Image] | None = None  # the picture at the size shown
        self._shown: tuple[tuple[int, int], tuple[MarkupShape, ...], QImage] | None = None
        self.text_editor: QLineEdit | None = None
        self._text_at: Point2 | None = None
        self.setMinimumSize(480, 270)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # ------------------------------------------------------------ the shapes

    @property
    def picture_size(self) -> tuple[int, int]:
        return self._picture.size

    def shapes(self) -> tuple[MarkupShape, ...]:
        return self._shapes

    def set_shapes(self, shapes: Sequence[MarkupShape]) -> None:
        """Replace the shapes, one step that `undo` takes back."""
        shapes = tuple(shapes)
        if shapes != self._shapes:
            self._history.append(self._shapes)
            self._shapes = shapes
            self.update()
            self.shapes_changed.emit()

    def add_shape(self, shape: MarkupShape) -> None:
        self.set_shapes((*self._shapes, shape))

    def clear(self) -> None:
        self.commit_text()
        self.set_shapes(())

    @property
    def can_undo(self) -> bool:
        return bool(self._history or self._shapes)

    def undo(self) -> None:
        """Take back the last change; past the editor's own changes, the strokes it was opened with, last
        first."""
        if self.text_editor is not None:
            self.cancel_text()
            return
        if self._history:
            self._shapes = self._history.pop()
        elif self._shapes:
            self._shapes = self._shapes[:-1]
        else:
            return
        self.update()
        self.shapes_changed.emit()

    # ------------------------------------------------------------ where the picture is

    def picture_rect(self) -> QRect:
        """The picture scaled to fit the widget, centred, in whole pixels (the fractions are taken of it)."""
        width, height = self._picture.size
        scale = min(self.width() / width, self.height() / height)
        shown_w, shown_h = max(1, round(width * scale)), max(1, round(height * scale))
        return QRect((self.width() - shown_w) // 2, (self.height() - shown_h) // 2, shown_w, shown_h)

    def fraction_at(self, position: QPointF) -> Point2:
        """The point of the picture under a widget position, to 1/100,000 (a fifth of a pixel of a 2000 pixel
        wide snapshot; shorter numbers in the plant file)."""
        rect = self.picture_rect()
        x = (position.x() - rect.x()) / rect.width()
        y = (position.y() - rect.y()) / rect.height()
        return (round(min(1.0, max(0.0, x)), FRACTION_DIGITS), round(min(1.0, max(0.0, y)), FRACTION_DIGITS))

    def widget_point(self, fraction: Point2) -> QPointF:
        rect = self.picture_rect()
        return QPointF(rect.x() + fraction[0] * rect.width(), rect.y() + fraction[1] * rect.height())

    def _pixel_scale(self) -> float:
        """Widget pixels per pixel of a picture 1000 pixels wide."""
        return self.picture_rect().width() / 1000.0

    # ------------------------------------------------------------ painting

    def _shown_image(self, rect: QRect) -> QImage:
        ratio = self.devicePixelRatioF()
        size = (max(1, round(rect.width() * ratio)), max(1, round(rect.height() * ratio)))
        if self._shown is not None and self._shown[0] == size and self._shown[1] == self._shapes:
            return self._shown[2]
        if self._scaled is None or self._scaled[0] != size:
            self._scaled = (size, self._picture.resize(size, Image.Resampling.LANCZOS))
        drawn = draw_markup(self._scaled[1], self._shapes)
        data = drawn.tobytes()
        image = QImage(data, size[0], size[1], 3 * size[0], QImage.Format.Format_RGB888).copy()
        image.setDevicePixelRatio(ratio)
        self._shown = (size, self._shapes, image)
        return image

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKDROP)
        rect = self.picture_rect()
        painter.drawImage(rect.topLeft(), self._shown_image(rect))
        if self._stroke is not None and len(self._stroke) >= 2:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_stroke(painter, self._stroke)
        painter.end()

    def _paint_stroke(self, painter: QPainter, points: list[Point2]) -> None:
        """The stroke under way, as markup_draw will draw it."""
        scale = self._pixel_scale()
        color = _qcolor(self.color)
        pen = QPen(color, max(1.0, self.line_width * scale), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        shown = [self.widget_point(p) for p in points]
        if self.tool == MarkupKind.RECTANGLE:
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            painter.setPen(pen)
            painter.drawRect(QRectF(shown[0], shown[-1]).normalized())
            return
        path = QPainterPath(shown[0])
        for point in shown[1:]:
            path.lineTo(point)
        painter.drawPath(path)
        if self.tool == MarkupKind.ARROW:
            tail, head = shown[-2], shown[-1]
            angle = math.atan2(head.y() - tail.y(), head.x() - tail.x())
            length = HEAD_LENGTH * scale * max(1.0, self.line_width / 4.0)
            wings = [
                QPointF(head.x() - length * math.cos(angle + s * HEAD_ANGLE),
                        head.y() - length * math.sin(angle + s * HEAD_ANGLE))
                for s in (-1, 1)
            ]  # fmt: skip
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawPolygon(QPolygonF([head, *wings]))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.text_editor is not None:
            self._place_text_editor()

    # ------------------------------------------------------------ drawing with the mouse

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return
        position = event.position()
        if not QRectF(self.picture_rect()).contains(position):
            return
        if self.tool == MarkupKind.TEXT:
            self.commit_text()
            self.start_text(self.fraction_at(position))
            return
        self.commit_text()
        self._press = position
        point = self.fraction_at(position)
        self._stroke = [point, point]
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._stroke is None:
            return
        point = self.fraction_at(event.position())
        if self.tool == MarkupKind.FREEHAND:
            last = self.widget_point(self._stroke[-1])
            if (event.position() - last).manhattanLength() >= MIN_FREEHAND_STEP:
                self._stroke.append(point)
        else:
            self._stroke[-1] = point
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or self._stroke is None:
            return
        stroke, press, self._stroke, self._press = self._stroke, self._press, None, None
        end = self.fraction_at(event.position())
        if self.tool == MarkupKind.FREEHAND:
            if stroke[-1] != end:
                stroke.append(end)
            points = tuple(dict.fromkeys(stroke))  # the same point twice draws nothing more
        else:
            points = (stroke[0], end)
        moved = press is not None and (event.position() - press).manhattanLength() >= MIN_DRAG_PIXELS
        if moved and len(points) >= 2:
            self.add_shape(MarkupShape(self.tool, points, self.color, self.line_width))
        self.update()

    # ------------------------------------------------------------ text: click to place, then type

    def text_pixels(self) -> int:
        """The text's height in widget pixels, as markup_draw sizes it."""
        return max(8, round(TEXT_SIZE * self._pixel_scale() * max(1.0, self.line_width / 4.0)))

    def start_text(self, at: Point2) -> QLineEdit:
        editor = QLineEdit(self)
        editor.setFrame(False)
        editor.setTextMargins(0, 0, 0, 0)
        editor.setContentsMargins(0, 0, 0, 0)
        font = QFont("DejaVu Sans")
        font.setBold(True)
        font.setPixelSize(self.text_pixels())
        editor.setFont(font)
        r, g, b = self.color
        editor.setStyleSheet(
            f"QLineEdit {{ color: rgb({r},{g},{b}); background: rgba(255,255,255,150); border: 1px dashed "
            f"rgb({r},{g},{b}); padding: 0px; }}"
        )
        editor.setPlaceholderText("Type, then Enter")
        editor.installEventFilter(self)
        self.text_editor, self._text_at = editor, at
        self._place_text_editor()
        editor.show()
        editor.setFocus()
        return editor

    def _place_text_editor(self) -> None:
        if self.text_editor is None or self._text_at is None:
            return
        at = self.widget_point(self._text_at)
        metrics = QFontMetrics(self.text_editor.font())
        typed = metrics.horizontalAdvance(self.text_editor.text() + "MM")
        width = max(metrics.horizontalAdvance("Type, then Enter") + 16, typed)
        self.text_editor.setGeometry(round(at.x()), round(at.y()), width, metrics.height() + 4)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.text_editor and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Escape:
                if event.type() == QEvent.Type.KeyPress:
                    self.cancel_text()  # Esc drops the text, it does not close the editor
                event.accept()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if event.type() == QEvent.Type.KeyPress:
                    self.commit_text()  # Enter ends the text, it does not press the editor's OK
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                QTimer.singleShot(0, self._place_text_editor)
        if watched is self.text_editor and event.type() == QEvent.Type.FocusOut:
            QTimer.singleShot(0, self.commit_text)
        return False

    def commit_text(self) -> None:
        """The text being typed becomes a shape (nothing when it is empty)."""
        editor, at = self.text_editor, self._text_at
        if editor is None or at is None:
            return
        self.text_editor, self._text_at = None, None
        text = editor.text().strip()
        editor.removeEventFilter(self)
        editor.hide()
        editor.deleteLater()
        if text:
            self.add_shape(MarkupShape(MarkupKind.TEXT, (at,), self.color, self.line_width, text))
        self.setFocus()

    def cancel_text(self) -> None:
        editor = self.text_editor
        if editor is None:
            return
        self.text_editor, self._text_at = None, None
        editor.removeEventFilter(self)
        editor.hide()
        editor.deleteLater()
        self.setFocus()

