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
        for column in range(7):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
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
        selected = {tuple(i.data(0, KEY_ROLE)) for i in self.table.selectedItems()}
        self.table.clear()
        bold = QFont()
        bold.setBold(True)
        for entry in sorted(entries, key=lambda e: (e.acknowledged, -e.level, e.raised_at)):
            limit = "—" if entry.limit is None else f"{entry.limit:g}"
            item = QTreeWidgetItem(
                [
                    utc_text(entry.raised_at),
                    f"{names.get(entry.equipment_id, entry.equipment_id)} ({entry.equipment_id})",
                    entry.signal,
                    f"{entry.value:.4g}",
                    limit,
                    LEVEL_TEXT.get(entry.level, str(entry.level)),
                    "acknowledged" if entry.acknowledged else "NEW",
                ]
            )
            item.setData(0, KEY_ROLE, list(entry.key))
            color = QColor(200, 30, 30) if entry.level.severe else QColor(200, 100, 0)
            for column in (3, 5, 6):
                item.setForeground(column, QBrush(color))
            if not entry.acknowledged:
                for column in range(7):
                    item.setFont(column, bold)
            self.table.addTopLevelItem(item)
            item.setSelected(entry.key in selected)
        fresh = sum(not e.acknowledged for e in entries)
        self.summary.setText(
            f"{len(entries)} active, {fresh} not acknowledged" if entries else "No alarms: every signal within limits"
        )
        self.setWindowTitle(f"Alarms ({len(entries)})" if entries else "Alarms")
        self.ack_all.setEnabled(fresh > 0)
        self.ack_selected.setEnabled(bool(entries))

    def _ack_selected(self) -> None:
        keys = [tuple(i.data(0, KEY_ROLE)) for i in self.table.selectedItems()]
        if keys:
            self.acknowledge_requested.emit(keys)
