"""The Alarms dock: signals beyond their limits now, with time, equipment, signal, value and limit."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.sensors.alarms import AlarmEntry
from viewer.sensors.rules import AlarmLevel

KEY_ROLE = Qt.ItemDataRole.UserRole
SEVERE_COLOR = QColor(200, 30, 30)
WARNING_COLOR = QColor(200, 100, 0)
LEVEL_TEXT = {AlarmLevel.LOLO: "LOLO", AlarmLevel.LO: "LO", AlarmLevel.HI: "HI", AlarmLevel.HIHI: "HIHI"}


def utc_text(seconds: float, with_date: bool = True) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


class AlarmsDock(QDockWidget):
    acknowledge_requested = Signal(list)  # [(equipment id, signal)]; empty: all
    focus_requested = Signal(str)  # equipment id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Alarms", parent)
        self.setObjectName("alarms-dock")
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["Raised (UTC)", "Equipment", "Signal", "Value", "Limit", "Level", "State"])
        self.table.setRootIsDecorated(False)
        self.table.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(False)
        header = self.table.header()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self._items: dict[tuple[str, str], QTreeWidgetItem] = {}
        self._shown: dict[tuple[str, str], tuple] = {}  # what each row shows now
        self._order: list[tuple[str, str]] = []
        self.table.itemDoubleClicked.connect(lambda item, _: self.focus_requested.emit(item.data(0, KEY_ROLE)[0]))
        self.summary = QLabel("No alarms")
        self.ack_selected = QPushButton("Acknowledge")
        self.ack_selected.setToolTip("Acknowledge the selected alarms: they stop flashing and stay red until clear")
        self.ack_selected.clicked.connect(self._ack_selected)
        self.ack_all = QPushButton("Acknowledge All")
        self.ack_all.clicked.connect(lambda: self.acknowledge_requested.emit([]))
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.ack_selected)
        buttons.addWidget(self.ack_all)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.setWidget(body)

    def set_alarms(self, entries: list[AlarmEntry], names: dict[str, str]) -> None:
        """Show `entries`; rows are kept and only their changed cells rewritten. A replay raises and clears
        hundreds of alarms a second, and rebuilding the table each time cost 50-80 ms on the GUI thread."""
        ordered = sorted(entries, key=lambda e: (e.acknowledged, -e.level, e.raised_at))
        keys = [entry.key for entry in ordered]
        if keys != self._order:
            self._reorder(keys)
        for entry in ordered:
            row = self._row_text(entry, names)
            if self._shown.get(entry.key) != row:
                self._write(self._items[entry.key], entry, row)
                self._shown[entry.key] = row
        fresh = sum(not e.acknowledged for e in entries)
        self.summary.setText(
            f"{len(entries)} active, {fresh} not acknowledged" if entries else "No alarms: every signal within limits"
        )
        self.setWindowTitle(f"Alarms ({len(entries)})" if entries else "Alarms")
        self.ack_all.setEnabled(fresh > 0)
        self.ack_selected.setEnabled(bool(entries))

    def _reorder(self, keys: list[tuple[str, str]]) -> None:
        """Rows for a new set or order of alarms: items of standing alarms are reused, selection kept."""
        selected = {tuple(i.data(0, KEY_ROLE)) for i in self.table.selectedItems()}
        wanted = set(keys)
        while self.table.topLevelItemCount():
            self.table.takeTopLevelItem(self.table.topLevelItemCount() - 1)
        for key in [k for k in self._items if k not in wanted]:
            del self._items[key]
            self._shown.pop(key, None)
        added = False
        items = []
        for key in keys:
            item = self._items.get(key)
            if item is None:
                item = self._items[key] = QTreeWidgetItem()
                item.setData(0, KEY_ROLE, list(key))
                added = True
            items.append(item)
        self.table.addTopLevelItems(items)
        for key, item in zip(keys, items, strict=True):
            if key in selected:
                item.setSelected(True)
        self._order = keys
        if added:  # sized to the contents when rows come, not on every value (that measures every row)
            for column in (0, 2, 3, 4, 5, 6):
                self.table.resizeColumnToContents(column)

    @staticmethod
    def _row_text(entry: AlarmEntry, names: dict[str, str]) -> tuple:
        return (
            utc_text(entry.raised_at),
            f"{names.get(entry.equipment_id, entry.equipment_id)} ({entry.equipment_id})",
            entry.signal,
            f"{entry.value:.4g}",
            "\u2014" if entry.limit is None else f"{entry.limit:g}",
            LEVEL_TEXT.get(entry.level, str(entry.level)),
            "acknowledged" if entry.acknowledged else "NEW",
            entry.level.severe,
        )

    def _write(self, item: QTreeWidgetItem, entry: AlarmEntry, row: tuple) -> None:
        before = self._shown.get(entry.key)
        for column, text in enumerate(row[:7]):
            if before is None or before[column] != text:
                item.setText(column, text)
        if before is None or before[7] != row[7]:
            color = QBrush(SEVERE_COLOR if entry.level.severe else WARNING_COLOR)
            for column in (3, 5, 6):
                item.setForeground(column, color)
        if before is None or before[6] != row[6]:
            font = QFont()
            font.setBold(not entry.acknowledged)
            for column in range(7):
                item.setFont(column, font)

    def _ack_selected(self) -> None:
        keys = [tuple(i.data(0, KEY_ROLE)) for i in self.table.selectedItems()]
        if keys:
            self.acknowledge_requested.emit(keys)
