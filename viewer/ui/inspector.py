"""The inspector dock: lays out the rows `inspector_rows` computes for the selection."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.ui.inspector_rows import Section

PLACEHOLDER = "Select equipment in the 3D view or in the plant tree."
EDIT_ROLE = Qt.ItemDataRole.UserRole + 1  # the Row.edit key of an editable value


class InspectorDock(QDockWidget):
    value_edited = Signal(str, str)  # Row.edit key, the text typed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Inspector", parent)
        self.setObjectName("inspector-dock")
        self.title = QLabel(PLACEHOLDER)
        self.title.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Property", "Value"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        # Only the value column is edited (double-click, F2 or Enter), never the labels.
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.itemDoubleClicked.connect(lambda item, _column: self.edit_row(item))
        self.tree.itemActivated.connect(lambda item, _column: self.edit_row(item))
        self.tree.itemChanged.connect(self._item_changed)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.tree)
        self.setWidget(body)
        self.set_sections("", [])

    def set_sections(self, heading: str, sections: Sequence[Section]) -> None:
        self.tree.blockSignals(True)  # filling is not the user typing
        try:
            self._fill(heading, sections)
        finally:
            self.tree.blockSignals(False)

    def _fill(self, heading: str, sections: Sequence[Section]) -> None:
        self.tree.clear()
        if not sections:
            self.title.setText(PLACEHOLDER)
            self.title.setStyleSheet("color: palette(mid);")
            self.tree.hide()
            return
        self.title.setText(heading)
        self.title.setStyleSheet("font-weight: bold; font-size: 12pt;")
        self.tree.show()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for section in sections:
            header = QTreeWidgetItem([section.title, ""])
            header.setFont(0, bold)
            header.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(header)
            header.setFirstColumnSpanned(True)
            for row in section.rows:
                item = QTreeWidgetItem(["    " + row.label, row.value])
                item.setToolTip(1, f"{row.value}\n{row.tooltip}".strip())
                item.setToolTip(0, row.label)
                if row.edit:
                    item.setData(1, EDIT_ROLE, row.edit)
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                    item.setToolTip(1, f"{row.value}\n{row.tooltip}\nDouble-click to type a new value".strip())
                self.tree.addTopLevelItem(item)

    def editable_item(self, key: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(1, EDIT_ROLE) == key:
                return item
        return None

    def edit_row(self, item: QTreeWidgetItem) -> None:
        if item.data(1, EDIT_ROLE):
            self.tree.editItem(item, 1)

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        key = item.data(1, EDIT_ROLE)
        if column == 1 and key:
            self.value_edited.emit(str(key), item.text(1))

    def text(self) -> str:
        """Everything shown, one row a line: what a test or a copy to the clipboard reads."""
        lines = [self.title.text()]
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            lines.append(f"{item.text(0).strip()}\t{item.text(1)}".rstrip())
        return "\n".join(lines)
