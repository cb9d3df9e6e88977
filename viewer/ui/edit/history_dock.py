"""The History dock: every edit of the open document; clicking a row goes back (or forward) to just after it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QDockWidget, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

EMPTY_TEXT = "No edits yet. Drag, nudge (arrow keys), rotate (R) or type values in the inspector."


class HistoryDock(QDockWidget):
    row_clicked = Signal(int)  # row number; the stack goes to row + 1 commands applied

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("History", parent)
        self.setObjectName("history-dock")
        self.hint = QLabel(EMPTY_TEXT)
        self.hint.setWordWrap(True)
        self.list = QListWidget()
        self.list.itemClicked.connect(lambda item: self.row_clicked.emit(self.list.row(item)))
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.hint)
        layout.addWidget(self.list)
        self.setWidget(body)

    def set_history(self, texts: Sequence[str], applied: int, clean: int | None) -> None:
        """Rows after `applied` are undone (grey, italic); the row of the saved state is marked."""
        self.list.blockSignals(True)
        self.list.clear()
        grey = QBrush(QColor(140, 140, 140))
        for row, text in enumerate(texts):
            item = QListWidgetItem(f"{row + 1}. {text}" + ("   (saved)" if clean == row + 1 else ""))
            if row >= applied:
                item.setForeground(grey)
                font = QFont(item.font())
                font.setItalic(True)
                item.setFont(font)
            self.list.addItem(item)
        if applied:
            self.list.setCurrentRow(applied - 1)
        self.list.blockSignals(False)
        self.hint.setVisible(not texts)

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]
