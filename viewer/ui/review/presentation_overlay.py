"""What presentation mode paints over the 3D view: the caption band, the meeting clock and the laser pointer.

All three are plain Qt widgets on top of the view, transparent to the mouse: moving the pointer or ticking the
clock repaints them only, the 3D view keeps the frame it has (no VTK render).
"""

from __future__ import annotations

import itertools
import time
from collections import deque

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPaintEvent, QPen, QRadialGradient
from PySide6.QtWidgets import QWidget

BAND_COLOR = QColor(14, 18, 26, 215)
BAND_EDGE = QColor(255, 255, 255, 38)
ACCENT = QColor(47, 128, 237)
TITLE_COLOR = QColor(255, 255, 255)
SUBTITLE_COLOR = QColor(201, 209, 220)
HINT_COLOR = QColor(138, 148, 163)
MARGIN = 28
BAND_HEIGHT = 112
BAND_BOTTOM = 64  # above the scale bar the 3D view draws in its bottom right corner
HINTS = "\u2190 \u2192  slides     L hold / P  laser pointer     Esc  leave"
LASER_RED = QColor(255, 36, 24)
LASER_RADIUS = 18.0  # the glow; the bright core is a third of it
TRAIL_SECONDS = 0.35


def _font(pixels: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


def clock_text(seconds: float) -> str:
    """Elapsed time as 4:05, or 1:04:05 past an hour."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class CaptionBand(QWidget):
    """A dark translucent band along the bottom of the view: slide n of N, title, subtitle, the keys."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.number = 0
        self.count = 0
        self.title = ""
        self.subtitle = ""
        self.hints = HINTS

    def set_slide(self, number: int, count: int, title: str, subtitle: str) -> None:
        """Show slide `number` (1-based) of `count`."""
        self.number, self.count, self.title, self.subtitle = number, count, title, subtitle
        self.update()

    def counter_text(self) -> str:
        return f"{self.number} / {self.count}"

    def place(self) -> None:
        """Along the bottom of the parent, inside its margins."""
        parent = self.parentWidget()
        width = max(200, parent.width() - 2 * MARGIN)
        self.setGeometry(MARGIN, max(0, parent.height() - BAND_BOTTOM - BAND_HEIGHT), width, BAND_HEIGHT)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        box = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QPen(BAND_EDGE, 1.0))
        painter.setBrush(BAND_COLOR)
        painter.drawRoundedRect(box, 12, 12)

        # Progress through the deck: a thin accent line along the band's bottom edge.
        if self.count:
            inner = box.adjusted(12, 0, -12, 0)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 28))
            painter.drawRoundedRect(QRectF(inner.left(), box.bottom() - 6, inner.width(), 3), 1.5, 1.5)
            painter.setBrush(ACCENT)
            done = inner.width() * self.number / self.count
            painter.drawRoundedRect(QRectF(inner.left(), box.bottom() - 6, done, 3), 1.5, 1.5)

        # Slide n of N in an accent pill.
        counter_font = _font(17, bold=True)
        counter = self.counter_text()
        metrics = QFontMetricsF(counter_font)
        pill = QRectF(24, 22, max(64.0, metrics.horizontalAdvance(counter) + 28), 34)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ACCENT)
        painter.drawRoundedRect(pill, 17, 17)
        painter.setFont(counter_font)
        painter.setPen(TITLE_COLOR)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, counter)

        hint_font = _font(13)
        hint_width = QFontMetricsF(hint_font).horizontalAdvance(self.hints) + 8
        left = pill.right() + 22
        right = box.right() - 24 - (hint_width + 24 if box.width() > 900 else 0)
        text_width = max(80.0, right - left)
        title_font = _font(26, bold=True)
        painter.setFont(title_font)
        painter.setPen(TITLE_COLOR)
        title = QFontMetricsF(title_font).elidedText(self.title, Qt.TextElideMode.ElideRight, text_width)
        left_middle = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(QRectF(left, 14, text_width, 38), left_middle, title)
        subtitle_font = _font(16)
        painter.setFont(subtitle_font)
        painter.setPen(SUBTITLE_COLOR)
        subtitle = QFontMetricsF(subtitle_font).elidedText(self.subtitle, Qt.TextElideMode.ElideRight, text_width)
        painter.drawText(QRectF(left, 56, text_width, 28), left_middle, subtitle)
        if box.width() > 900:
            painter.setFont(hint_font)
            painter.setPen(HINT_COLOR)
            hint_box = QRectF(box.right() - 24 - hint_width, 14, hint_width, 38)
            painter.drawText(hint_box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self.hints)
        painter.end()


class ClockBadge(QWidget):
    """The meeting's elapsed time, top right of the view."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.text = clock_text(0)
        self.resize(184, 46)

    def set_seconds(self, seconds: float) -> None:
        text = clock_text(seconds)
        if text != self.text:
            self.text = text
            self.update()

    def place(self) -> None:
        parent = self.parentWidget()
        self.move(max(0, parent.width() - MARGIN - self.width()), MARGIN)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        box = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QPen(BAND_EDGE, 1.0))
        painter.setBrush(BAND_COLOR)
        painter.drawRoundedRect(box, box.height() / 2, box.height() / 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(235, 87, 87))  # a small "recording" dot: the meeting clock is running
        painter.drawEllipse(QPointF(22, box.center().y()), 5, 5)
        painter.setFont(_font(12))
        painter.setPen(HINT_COLOR)
        painter.drawText(QRectF(36, 0, 70, box.height()), Qt.AlignmentFlag.AlignVCenter, "ELAPSED")
        painter.setFont(_font(20, bold=True))
        painter.setPen(TITLE_COLOR)
        painter.drawText(
            box.adjusted(0, 0, -18, 0), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self.text
        )
        painter.end()


class LaserPointer(QWidget):
    """A red glowing dot with a short fading trail, over the whole view, following the mouse.

    It takes no mouse events (they go on to the view); the presentation feeds it the mouse positions."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.position: QPointF | None = None
        self._trail: deque[tuple[QPointF, float]] = deque(maxlen=64)
        self._fade = QTimer(self)
        self._fade.setInterval(16)
        self._fade.timeout.connect(self._on_fade)

    def place(self) -> None:
        self.setGeometry(self.parentWidget().rect())

    def move_to(self, position: QPointF) -> None:
        old = self._dirty_rect()
        self.position = QPointF(position)
        self._trail.append((QPointF(position), time.monotonic()))
        if not self._fade.isActive():
            self._fade.start()
        self.update(old.united(self._dirty_rect()).toAlignedRect())

    def clear(self) -> None:
        self.position = None
        self._trail.clear()
        self._fade.stop()
        self.update()

    def _on_fade(self) -> None:
        old = self._dirty_rect()
        cutoff = time.monotonic() - TRAIL_SECONDS
        while self._trail and self._trail[0][1] < cutoff:
            self._trail.popleft()
        if len(self._trail) <= 1:
            self._fade.stop()
        self.update(old.toAlignedRect())

    def _dirty_rect(self) -> QRectF:
        points = [p for p, _ in self._trail]
        if self.position is not None:
            points.append(self.position)
        if not points:
            return QRectF()
        xs, ys = [p.x() for p in points], [p.y() for p in points]
        pad = LASER_RADIUS + 4
        return QRectF(min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if self.position is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        now = time.monotonic()
        trail = [(p, now - t) for p, t in self._trail if now - t < TRAIL_SECONDS]
        for (a, _), (b, age) in itertools.pairwise(trail):
            fade = 1.0 - age / TRAIL_SECONDS
            color = QColor(LASER_RED)
            color.setAlphaF(0.7 * fade)
            pen = QPen(color, 2.0 + 6.0 * fade, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            path = QPainterPath(a)
            path.lineTo(b)
            painter.drawPath(path)
        centre = self.position
        glow = QRadialGradient(centre, LASER_RADIUS)
        glow.setColorAt(0.0, QColor(255, 235, 225, 255))
        glow.setColorAt(0.22, QColor(255, 60, 40, 255))
        glow.setColorAt(0.45, QColor(255, 30, 20, 170))
        glow.setColorAt(1.0, QColor(255, 0, 0, 0))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(glow)
        painter.drawEllipse(centre, LASER_RADIUS, LASER_RADIUS)
        # A thin light ring round the core: the dot stays visible on red or magenta (the selection's colour).
        painter.setPen(QPen(QColor(255, 255, 255, 210), 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        core = LASER_RADIUS * 0.36
        painter.drawEllipse(centre, core, core)
        painter.end()
