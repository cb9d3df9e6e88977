"""The Plugins dialog (Tools menu): every discovered plugin, what it contributes, its status, on/off."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.ui.plugins.controller import PluginsController

STATUS_COLORS = {
    "failed": QColor(190, 30, 30),
    "disabled": QColor(120, 120, 120),
    "not enabled": QColor(150, 100, 0),
}


class PluginsDialog(QDialog):
    changed = Signal()  # the user switched a plugin on or off (its problems, if any, are new)

    def __init__(self, plugins: PluginsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Plugins")
        self.plugins = plugins
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Plugin", "Version", "Status", "Contributes"])
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        header = self.tree.header()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        note = QLabel(
            "Untick a plugin to switch it off; the choice is kept. A plugin from another package stays off until "
            "you tick it: a plugin is code that runs inside MotherTwin, so enable only those you trust. "
            "Changes apply to new sources."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(820, 320)
        self.refresh()
        self.tree.itemChanged.connect(self._on_item_changed)

    def refresh(self) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        for row in self.plugins.rows():
            status = row.status + (f": {row.reason}" if row.reason else "")
            item = QTreeWidgetItem([row.name, row.version, status, "\n".join(row.contributions) or "—"])
            item.setData(0, Qt.ItemDataRole.UserRole, row.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked if row.enabled else Qt.CheckState.Unchecked)
            item.setToolTip(2, status)
            if row.status in STATUS_COLORS:
                item.setForeground(2, QBrush(STATUS_COLORS[row.status]))
            self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column == 0:
            name = item.data(0, Qt.ItemDataRole.UserRole)
            self.plugins.set_enabled(name, item.checkState(0) == Qt.CheckState.Checked)
            self.refresh()
            self.changed.emit()
