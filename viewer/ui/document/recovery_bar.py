"""The bar above the 3D view saying the open file changed on disk, with Reload and Keep Mine."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class DiskChangedBar(QFrame):
    reload_requested = Signal()
    keep_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("disk-changed-bar")
        self.setStyleSheet("#disk-changed-bar { background: #fff3c4; border-bottom: 1px solid #d9b84a; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.reload_button = QPushButton("Reload")
        self.reload_button.setToolTip("Read the file again; edits made here since the last save are lost")
        self.keep_button = QPushButton("Keep Mine")
        self.keep_button.setToolTip("Keep the plant as it is here; saving will overwrite the file")
        self.reload_button.clicked.connect(self._reload)
        self.keep_button.clicked.connect(self._keep)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.reload_button)
        layout.addWidget(self.keep_button)
        self.hide()

    def show_for(self, path: Path, modified: bool) -> None:
        lost = " Reloading discards your unsaved edits." if modified else ""
        self.label.setText(f"<b>{Path(path).name}</b> was changed on disk by another program.{lost}")
        self.show()

    def _reload(self) -> None:
        self.hide()
        self.reload_requested.emit()

    def _keep(self) -> None:
        self.hide()
        self.keep_requested.emit()
