"""The markup editor: arrows, free-hand lines, rectangles and text drawn on a viewpoint's snapshot.

`edit_markup(parent, png, shapes)` opens it on a snapshot with the markup it has and gives back the markup
when OK is pressed (None when cancelled). Ctrl+Z inside the editor takes back the last stroke, also one that
was there before; Clear removes them all (undoable too).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QIcon, QKeySequence, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QButtonGroup,
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from viewer.model.review import MarkupKind, MarkupShape, Rgb
from viewer.ui.review.markup_canvas import MarkupCanvas

SWATCHES: tuple[tuple[str, Rgb], ...] = (
    ("Red", (230, 40, 40)),
    ("Orange", (245, 140, 20)),
    ("Yellow", (250, 210, 30)),
    ("Green", (40, 170, 70)),
    ("Blue", (40, 110, 230)),
    ("Black", (20, 20, 20)),
    ("White", (255, 255, 255)),
)
TOOLS: tuple[tuple[MarkupKind, str, str], ...] = (
    (MarkupKind.ARROW, "&Arrow", "A"),
    (MarkupKind.FREEHAND, "&Free-hand", "F"),
    (MarkupKind.RECTANGLE, "&Rectangle", "R"),
    (MarkupKind.TEXT, "&Text", "T"),
)
ICON = 22


def _tool_icon(kind: MarkupKind) -> QIcon:
    """A small drawing of what the tool makes."""
    pixmap = QPixmap(ICON, ICON)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    ink = QColor(60, 64, 72)
    painter.setPen(QPen(ink, 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    if kind == MarkupKind.ARROW:
        painter.drawLine(QPointF(4, 18), QPointF(16, 6))
        painter.setBrush(ink)
        painter.drawPolygon(QPolygonF([QPointF(18, 4), QPointF(10, 6.5), QPointF(15.5, 12)]))
    elif kind == MarkupKind.FREEHAND:
        points = [QPointF(3 + i, 11 + 6 * math.sin(i / 2.6)) for i in range(0, 17)]
        for a, b in itertools.pairwise(points):
            painter.drawLine(a, b)
    elif kind == MarkupKind.RECTANGLE:
        painter.drawRect(QRectF(4, 6, 14, 11))
    else:
        font = painter.font()
        font.setBold(True)
        font.setPixelSize(17)
        painter.setFont(font)
        painter.drawText(QRectF(0, 0, ICON, ICON), Qt.AlignmentFlag.AlignCenter, "T")
    painter.end()
    return QIcon(pixmap)


def _swatch_icon(rgb: Rgb) -> QIcon:
    pixmap = QPixmap(18, 18)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(90, 90, 90), 1.0))
    painter.setBrush(QColor(*rgb))
    painter.drawEllipse(QRectF(1.5, 1.5, 15, 15))
    painter.end()
    return QIcon(pixmap)


class MarkupEditor(QDialog):
    """A snapshot and its markup: pick a tool, a colour and a width, draw; OK keeps the markup."""

    def __init__(self, png: bytes, shapes: Sequence[MarkupShape] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Markup")
        self.canvas = MarkupCanvas(png, shapes, self)
        self.toolbar = QToolBar("Markup tools", self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.setIconSize(QSize(ICON, ICON))
        self.tool_actions: dict[MarkupKind, QAction] = {}
        group = QActionGroup(self)
        for kind, text, key in TOOLS:
            action = QAction(_tool_icon(kind), text, self)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(key))
            action.setToolTip(f"{text.replace('&', '')} ({key})")
            action.triggered.connect(lambda _=False, k=kind: self.set_tool(k))
            group.addAction(action)
            self.toolbar.addAction(action)
            self.tool_actions[kind] = action
        self.toolbar.addSeparator()

        self.swatch_buttons: dict[Rgb, QToolButton] = {}
        self._swatches = QButtonGroup(self)
        self._swatches.setExclusive(True)
        for name, rgb in SWATCHES:
            button = QToolButton(self)
            button.setIcon(_swatch_icon(rgb))
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setToolTip(name)
            button.clicked.connect(lambda _=False, c=rgb: self.set_color(c))
            self._swatches.addButton(button)
            self.toolbar.addWidget(button)
            self.swatch_buttons[rgb] = button
        self.custom_button = QToolButton(self)
        self.custom_button.setText("Custom…")
        self.custom_button.setCheckable(True)
        self.custom_button.setAutoRaise(True)
        self.custom_button.setToolTip("Choose any colour")
        self.custom_button.clicked.connect(self.choose_color)
        self._swatches.addButton(self.custom_button)
        self.toolbar.addWidget(self.custom_button)
        self.toolbar.addSeparator()

        self.toolbar.addWidget(QLabel(" Width "))
        self.width_box = QSpinBox(self)
        self.width_box.setRange(1, 30)
        self.width_box.setValue(round(self.canvas.line_width))
        self.width_box.setToolTip("Line width, in pixels of a picture 1000 pixels wide (text grows with it)")
        self.width_box.valueChanged.connect(lambda value: setattr(self.canvas, "line_width", float(value)))
        self.toolbar.addWidget(self.width_box)
        self.toolbar.addSeparator()

        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_action.setToolTip(f"Take back the last stroke ({self.undo_action.shortcut().toString()})")
        self.undo_action.triggered.connect(self.canvas.undo)
        self.addAction(self.undo_action)  # Ctrl+Z in the editor's own window: not the main window's Undo
        self.clear_action = QAction("&Clear", self)
        self.clear_action.setToolTip("Remove all markup (Undo brings it back)")
        self.clear_action.triggered.connect(self.canvas.clear)
        self.toolbar.addActions([self.undo_action, self.clear_action])

        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(mid);")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(bottom)

        self.canvas.shapes_changed.connect(self._update)
        self.set_tool(MarkupKind.ARROW)
        self.set_color(self.canvas.color)
        self._update()
        width, height = self.canvas.picture_size
        self.resize(1100, max(480, min(900, round(1060 * height / max(1, width)) + 110)))

    # ------------------------------------------------------------ tool, colour, width

    def set_tool(self, kind: MarkupKind) -> None:
        self.canvas.commit_text()
        self.canvas.tool = kind
        self.tool_actions[kind].setChecked(True)
        text = kind == MarkupKind.TEXT
        self.canvas.setCursor(Qt.CursorShape.IBeamCursor if text else Qt.CursorShape.CrossCursor)

    def set_color(self, rgb: Rgb) -> None:
        self.canvas.color = (int(rgb[0]), int(rgb[1]), int(rgb[2]))
        button = self.swatch_buttons.get(self.canvas.color, self.custom_button)
        button.setChecked(True)
        if button is self.custom_button:
            self.custom_button.setIcon(_swatch_icon(self.canvas.color))

    def set_line_width(self, width: float) -> None:
        self.width_box.setValue(round(width))

    def choose_color(self) -> None:
        """Any colour, from Qt's colour dialog (opened, not run: the editor stays responsive)."""
        dialog = QColorDialog(QColor(*self.canvas.color), self)
        dialog.setWindowTitle("Markup colour")
        dialog.colorSelected.connect(lambda c: self.set_color((c.red(), c.green(), c.blue())))
        dialog.rejected.connect(lambda: self.set_color(self.canvas.color))
        dialog.open()
        self.color_dialog = dialog

    def shapes(self) -> tuple[MarkupShape, ...]:
        self.canvas.commit_text()
        return self.canvas.shapes()

    def accept(self) -> None:
        self.canvas.commit_text()  # a text still being typed counts
        super().accept()

    def _update(self) -> None:
        count = len(self.canvas.shapes())
        self.count_label.setText(f"{count} shape" + ("" if count == 1 else "s"))
        self.undo_action.setEnabled(self.canvas.can_undo)
        self.clear_action.setEnabled(count > 0)


def edit_markup(
    parent: QWidget | None, png: bytes, shapes: Sequence[MarkupShape] = ()
) -> tuple[MarkupShape, ...] | None:
    """Open the markup editor on a snapshot; the markup when OK is pressed, None when cancelled."""
    editor = MarkupEditor(png, shapes, parent)
    try:
        if editor.exec() == QDialog.DialogCode.Accepted:
            return editor.shapes()
        return None
    finally:
        editor.deleteLater()
