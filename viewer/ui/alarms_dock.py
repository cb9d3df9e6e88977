"""The Alarms dock: signals beyond their limits now, with time, equipment, signal, value and limit."""

from __future__ import annotations

import time

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from viewer.model.site_time import TimeDisplay
from viewer.sensors.alarms import AlarmEntry
from viewer.sensors.rules import AlarmLevel

KEY_ROLE = Qt.ItemDataRole.UserRole
DISPLAY = Qt.ItemDataRole.DisplayRole
RESIZE_ROWS = 40  # rows measured when columns are sized to their contents
RESIZE_SECONDS = 5.0
COLUMNS = ("Raised", "Equipment", "Signal", "Value", "Limit", "Level", "State")
SEVERE_BRUSH = QBrush(QColor(200, 30, 30))
WARNING_BRUSH = QBrush(QColor(200, 100, 0))
LEVEL_TEXT = {AlarmLevel.LOLO: "LOLO", AlarmLevel.LO: "LO", AlarmLevel.HI: "HI", AlarmLevel.HIHI: "HIHI"}


class AlarmTableModel(QAbstractTableModel):
    """The alarms as a table model: the view asks only for the rows it shows, so a replay that raises and
    clears hundreds of alarms a second costs one model update, not a widget item per cell."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[AlarmEntry] = []
        self.names: dict[str, str] = {}
        self.display = TimeDisplay()  # the site's zone (or UTC): each time is written with its offset
        self.bold = QFont()  # made here: a font needs the application to exist
        self.bold.setBold(True)

    def set_entries(self, entries: list[AlarmEntry], names: dict[str, str]) -> bool:
        """Take the alarms in display order; True when rows came or went (the view re-sizes its columns)."""
        same_rows = [e.key for e in entries] == [e.key for e in self.entries]
        if same_rows:
            self.entries, self.names = entries, names
            if entries:
                self.dataChanged.emit(self.index(0, 0), self.index(len(entries) - 1, len(COLUMNS) - 1))
            return False
        self.beginResetModel()
        self.entries, self.names = entries, names
        self.endResetModel()
        return True

    def rowCount(self, parent: QModelIndex | None = None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(self.entries)

    def columnCount(self, parent: QModelIndex | None = None) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:  # noqa: N802
        if orientation is Qt.Orientation.Horizontal and role == DISPLAY:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = DISPLAY) -> object:
        entry = self.entries[index.row()]
        column = index.column()
        if role == DISPLAY:
            return self.text(entry, column)
        if role == Qt.ItemDataRole.ForegroundRole and column in (3, 5, 6):
            return SEVERE_BRUSH if entry.level.severe else WARNING_BRUSH
        if role == Qt.ItemDataRole.FontRole and not entry.acknowledged:
            return self.bold
        if role == KEY_ROLE:
            return list(entry.key)
        return None

    def text(self, entry: AlarmEntry, column: int) -> str:
        if column == 0:
            return ("before " if entry.started_before else "") + self.display.text(entry.raised_at)
        if column == 1:
            return f"{self.names.get(entry.equipment_id, entry.equipment_id)} ({entry.equipment_id})"
        if column == 2:
            return entry.signal
        if column == 3:
            return f"{entry.value:.4g}"
        if column == 4:
            return "\u2014" if entry.limit is None else f"{entry.limit:g}"
        if column == 5:
            return LEVEL_TEXT.get(entry.level, str(entry.level))
        return "acknowledged" if entry.acknowledged else "NEW"


class AlarmsDock(QDockWidget):
    acknowledge_requested = Signal(list)  # [(equipment id, signal)]; empty: all
    focus_requested = Signal(str)  # equipment id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Alarms", parent)
        self.setObjectName("alarms-dock")
        self.model = AlarmTableModel()
        self.table = QTreeView()
        self.table.setModel(self.model)
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setSelectionBehavior(QTreeView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTreeView.SelectionMode.ExtendedSelection)
        self.table.header().setStretchLastSection(False)
        self.table.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.header().setResizeContentsPrecision(RESIZE_ROWS)
        self._sized_rows, self._sized_at = 0, 0.0
        self.table.doubleClicked.connect(
            lambda index: self.focus_requested.emit(self.model.entries[index.row()].equipment_id)
        )
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
        ordered = sorted(entries, key=lambda e: (e.acknowledged, -e.level, e.raised_at))
        selected = set(self.selected_keys())
        if self.model.set_entries(ordered, names):
            selection = self.table.selectionModel()
            for row, entry in enumerate(ordered):
                if entry.key in selected:
                    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
                    selection.select(self.model.index(row, 0), flags)
            now = time.monotonic()
            if len(ordered) > self._sized_rows or now - self._sized_at > RESIZE_SECONDS:
                # Sized when rows come, at most every few seconds, measuring the first rows only: sizing
                # looks at every cell it measures, and a replay changes the rows several times a second.
                self._sized_rows, self._sized_at = len(ordered), now
                for column in (0, 2, 3, 4, 5, 6):
                    self.table.resizeColumnToContents(column)
        fresh = sum(not e.acknowledged for e in entries)
        self.summary.setText(
            f"{len(entries)} active, {fresh} not acknowledged" if entries else "No alarms: every signal within limits"
        )
        self.setWindowTitle(f"Alarms ({len(entries)})" if entries else "Alarms")
        self.ack_all.setEnabled(fresh > 0)
        self.ack_selected.setEnabled(bool(entries))

    def set_time_display(self, display: TimeDisplay) -> None:
        self.model.display = display
        if self.model.entries:
            self.model.dataChanged.emit(self.model.index(0, 0), self.model.index(len(self.model.entries) - 1, 0))
            self.table.resizeColumnToContents(0)

    def row_count(self) -> int:
        return self.model.rowCount()

    def row_text(self, row: int, column: int) -> str:
        return self.model.text(self.model.entries[row], column)

    def selected_keys(self) -> list[tuple[str, str]]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.entries[row].key for row in rows if row < len(self.model.entries)]

    def _ack_selected(self) -> None:
        keys = self.selected_keys()
        if keys:
            self.acknowledge_requested.emit(keys)
