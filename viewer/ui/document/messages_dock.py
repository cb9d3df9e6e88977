"""The messages dock: warnings and errors from loading, each with its file and place in the file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.app.document import Message, Severity

ICONS = {
    Severity.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
    Severity.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Severity.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
}


class MessagesDock(QDockWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Messages", parent)
        self.setObjectName("messages-dock")
        self.messages: list[Message] = []
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["Time", "Message", "File", "Where"])
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        header = self.table.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.resizeSection(2, 220)
        header.resizeSection(3, 200)
        clear = QPushButton("Clear")
        clear.clicked.connect(self.clear)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(clear)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.setWidget(body)

    def add_messages(self, messages: Sequence[Message]) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        for message in messages:
            item = QTreeWidgetItem([stamp, message.text, message.file, message.where])
            item.setIcon(1, self.style().standardIcon(ICONS[message.severity]))
            for column in range(4):
                item.setToolTip(column, str(message))
            self.table.addTopLevelItem(item)
        self.messages += messages
        if messages:
            self.table.scrollToItem(self.table.topLevelItem(self.table.topLevelItemCount() - 1))
        self._update_title()

    def clear(self) -> None:
        self.table.clear()
        self.messages = []
        self._update_title()

    def _update_title(self) -> None:
        errors = sum(m.severity == Severity.ERROR for m in self.messages)
        warnings = sum(m.severity == Severity.WARNING for m in self.messages)
        counts = [f"{errors} errors" if errors else "", f"{warnings} warnings" if warnings else ""]
        counts = [c for c in counts if c]
        self.setWindowTitle("Messages" + (f" ({', '.join(counts)})" if counts else ""))
