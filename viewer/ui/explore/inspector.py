"""The inspector dock: lays out the rows `inspector_rows` computes for the selection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
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

from viewer.ui.explore.inspector_rows import Section

PLACEHOLDER = "Select equipment in the 3D view or in the plant tree."
EDIT_ROLE = Qt.ItemDataRole.UserRole + 1  # the Row.edit key of an editable value
LIVE_ROLE = Qt.ItemDataRole.UserRole + 2  # the Row.live key of a signal row
BASE_ROLE = Qt.ItemDataRole.UserRole + 3  # the row's own value text, shown after the current value
LIVE_BRUSHES = {
    "alarm": QBrush(QColor(120, 40, 190)),
    "warning": QBrush(QColor(200, 100, 0)),
    "stale": QBrush(QColor(120, 120, 120)),
}


@dataclass(frozen=True, slots=True)
class LiveValue:
    """The current (or replayed) value of one signal as a signal row shows it."""

    text: str  # "152 °C ◆ HIHI", "running", "no data"
    look: str = ""  # "", "alarm", "warning" or "stale": the row's text colour


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
        # Long names and values keep both ends (the whole text is in the tooltip).
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
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
        self._live: dict[tuple[str, str], LiveValue] = {}
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
            return
        self.title.setText(heading)
        self.title.setStyleSheet("font-weight: bold; font-size: 12pt;")
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
                if row.live is not None:
                    item.setData(1, LIVE_ROLE, row.live)
                    item.setData(1, BASE_ROLE, [row.value, row.tooltip])
                if row.edit:
                    item.setData(1, EDIT_ROLE, row.edit)
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                    item.setToolTip(1, f"{row.value}\n{row.tooltip}\nDouble-click to type a new value".strip())
                self.tree.addTopLevelItem(item)
        self._show_live()

    def set_live_values(self, values: dict[tuple[str, str], LiveValue]) -> None:
        """Current values by (equipment id, signal): the signal rows show them before their limits, kept for
        the rows of a later selection too (an empty dict: no source, the rows show their limits alone)."""
        if values != self._live:
            self._live = dict(values)
            self.tree.blockSignals(True)
            try:
                self._show_live()
            finally:
                self.tree.blockSignals(False)

    def _show_live(self) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            key = item.data(1, LIVE_ROLE)
            if key is None:
                continue
            base, tooltip = item.data(1, BASE_ROLE)
            live = self._live.get(tuple(key))
            text = base if live is None else f"{live.text}  ·  {base}"
            if item.text(1) != text:
                item.setText(1, text)
                now = "" if live is None else f"now: {live.text}\n"
                item.setToolTip(1, f"{now}{base}\n{tooltip}".strip())
                brush = LIVE_BRUSHES.get(live.look) if live is not None else None
                item.setForeground(1, brush if brush is not None else self.tree.palette().text())

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
