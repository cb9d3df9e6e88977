"""Saved viewpoints: named camera positions, kept in the plant document (saved with it, undoable)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from viewer.model.views import Viewpoint


class ViewpointsDock(QDockWidget):
    save_requested = Signal(str)  # name
    go_requested = Signal(str)
    delete_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Viewpoints", parent)
        self.setObjectName("viewpoints-dock")
        self.list = QListWidget()
        self.list.setToolTip("Double-click to go to a viewpoint")
        self.list.itemDoubleClicked.connect(lambda item: self.go_requested.emit(item.text()))
        save = QPushButton("Save current…")
        save.clicked.connect(self._ask_name)
        go = QPushButton("Go to")
        go.clicked.connect(lambda: self._with_current(self.go_requested))
        delete = QPushButton("Delete")
        delete.clicked.connect(lambda: self._with_current(self.delete_requested))
        buttons = QHBoxLayout()
        for button in (save, go, delete):
            buttons.addWidget(button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.setWidget(body)

    def set_viewpoints(self, viewpoints: Sequence[Viewpoint]) -> None:
        self.list.clear()
        for viewpoint in viewpoints:
            item = QListWidgetItem(viewpoint.name)
            item.setData(
                Qt.ItemDataRole.ToolTipRole, f"looking at {', '.join(f'{v:.1f}' for v in viewpoint.camera.focal_point)}"
            )
            self.list.addItem(item)

    def _ask_name(self) -> None:
        name, ok = QInputDialog.getText(self, "Save viewpoint", "Name:", text=f"View {self.list.count() + 1}")
        if ok and name.strip():
            self.save_requested.emit(name.strip())

    def _with_current(self, signal: Signal) -> None:
        item = self.list.currentItem()
        if item is not None:
            signal.emit(item.text())
