"""The Alarms dock: signals beyond their limits now, with time, equipment, signal, value and limit."""

from __future__ import annotations

import time

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPen, QPixmap, QPolygonF
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
from viewer.sensors.alarms import AlarmEntry, AlarmKey
from viewer.sensors.rules import RGB, AlarmLevel, palette_of
from viewer.ui.explore import with_unit

KEY_ROLE = Qt.ItemDataRole.UserRole
DISPLAY = Qt.ItemDataRole.DisplayRole
RESIZE_ROWS = 40  # rows measured when columns are sized to their contents
RESIZE_SECONDS = 5.0
COLUMNS = ("Raised", "Equipment", "Signal", "Value", "Limit", "Level", "State")
SEVERE_BRUSH = QBrush(QColor(120, 40, 190))  # the alarm's violet, dark enough to read as text
WARNING_BRUSH = QBrush(QColor(200, 100, 0))
LEVEL_TEXT = {AlarmLevel.LOLO: "LOLO", AlarmLevel.LO: "LO", AlarmLevel.HI: "HI", AlarmLevel.HIHI: "HIHI"}
ICON_PX = 14
TOOLTIP_COLUMNS = (1, 2, 3, 4)  # names and values that a narrow column elides: whole in the tooltip


def level_icon(level: AlarmLevel, rgb: RGB) -> QIcon:
    """The mark of an alarm level in the colour the 3D view gives it: a diamond beyond LOLO/HIHI, a triangle
    beyond LO/HI (pointing the way the value went), so the level reads without telling colours apart."""
    pixmap = QPixmap(ICON_PX, ICON_PX)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(40, 40, 40), 1))
    painter.setBrush(QColor(*rgb))
    n = ICON_PX - 1
    if level.severe:
        shape = [(n / 2, 0.5), (n - 0.5, n / 2), (n / 2, n - 0.5), (0.5, n / 2)]
    elif level is AlarmLevel.HI:
        shape = [(n / 2, 1.0), (n - 0.5, n - 1.0), (0.5, n - 1.0)]
    else:
        shape = [(0.5, 1.0), (n - 0.5, 1.0), (n / 2, n - 1.0)]
    painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in shape]))
    painter.end()
    return QIcon(pixmap)


class AlarmTableModel(QAbstractTableModel):
    """The alarms as a table model: the view asks only for the rows it shows, so a replay that raises and
    clears hundreds of alarms a second costs one model update, not a widget item per cell."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[AlarmEntry] = []
        self.names: dict[str, str] = {}
        self.display = TimeDisplay()  # the site's zone (or UTC): each time is written with its offset
        self.units: dict[AlarmKey, str] = {}
        self.bold = QFont()  # made here: a font needs the application to exist
        self.bold.setBold(True)
        self._icons: dict[tuple[AlarmLevel, RGB], QIcon] = {}
        self.palette = palette_of(None)

    def set_entries(
        self, entries: list[AlarmEntry], names: dict[str, str], units: dict[AlarmKey, str] | None = None
    ) -> bool:
        """Take the alarms in display order; True when rows came or went (the view re-sizes its columns)."""
        same_rows = [e.key for e in entries] == [e.key for e in self.entries]
        if same_rows:
            self.entries, self.names, self.units = entries, names, units or {}
            if entries:
                self.dataChanged.emit(self.index(0, 0), self.index(len(entries) - 1, len(COLUMNS) - 1))
            return False
        self.beginResetModel()
        self.entries, self.names, self.units = entries, names, units or {}
        self.endResetModel()
        return True

    def icon(self, level: AlarmLevel) -> QIcon:
        rgb = tuple(self.palette["alarm" if level.severe else "warning"])
        key = (level, rgb)
        if key not in self._icons:
            self._icons[key] = level_icon(level, rgb)  # type: ignore[arg-type]
        return self._icons[key]

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
        if role == Qt.ItemDataRole.DecorationRole and column == 5:
            return self.icon(entry.level)
        if role == Qt.ItemDataRole.ToolTipRole and column in TOOLTIP_COLUMNS:
            return self.text(entry, column)
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
        unit = self.units.get(entry.key, "")
        if column == 3:
            return with_unit(float(f"{entry.value:.4g}"), unit)
        if column == 4:
            return "\u2014" if entry.limit is None else with_unit(float(entry.limit), unit)
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
        # Equipment names and ids share long prefixes: keep both ends (the whole text is in the tooltip).
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.header().setStretchLastSection(False)
        self.table.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.header().setResizeContentsPrecision(RESIZE_ROWS)
        self._sized_rows, self._sized_at = 0, 0.0
        self.table.doubleClicked.connect(
            lambda index: self.focus_requested.emit(self.model.entries[index.row()].equipment_id)
        )
        self.summary = QLabel("No alarms")
        self.ack_selected = QPushButton("Acknowledge")
        self.ack_selected.setToolTip(
            "Acknowledge the selected alarms: they stop flashing and keep their alarm colour until clear"
        )
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

    def set_palette(self, colors: dict[str, RGB]) -> None:
        """The colours of the level icons: the 3D view's warning and alarm colours."""
        palette = palette_of(colors)
        if palette != self.model.palette:
            self.model.palette = palette
            if self.model.entries:
                self.model.dataChanged.emit(self.model.index(0, 5), self.model.index(len(self.model.entries) - 1, 5))

    def set_alarms(
        self, entries: list[AlarmEntry], names: dict[str, str], units: dict[AlarmKey, str] | None = None
    ) -> None:
        """The alarms to list, the equipment names by id and the signals' units by (equipment, signal)."""
        ordered = sorted(entries, key=lambda e: (e.acknowledged, -e.level, e.raised_at))
        selected = set(self.selected_keys())
        if self.model.set_entries(ordered, names, units):
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
