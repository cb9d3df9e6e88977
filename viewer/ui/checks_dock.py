"""The Checks dock: one row per layout-check violation of the shown site; a click selects and frames it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDockWidget,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.model.checks import Violation

IDS_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_TEXT = {"overlap": "Overlap", "clearance": "Walkway", "outside": "Outside", "column": "Column"}
OK_TEXT = "No layout problems in this site."


class ChecksDock(QDockWidget):
    focus_requested = Signal(list)  # equipment ids of the clicked violation
    clearance_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Checks", parent)
        self.setObjectName("checks-dock")
        self.summary = QLabel(OK_TEXT)
        self.summary.setWordWrap(True)
        self.clearance = QDoubleSpinBox()
        self.clearance.setRange(0.0, 10.0)
        self.clearance.setSingleStep(0.1)
        self.clearance.setDecimals(2)
        self.clearance.setSuffix(" m")
        self.clearance.setValue(1.0)
        self.clearance.setToolTip("Free floor every machine needs around it, unless its type sets its own zone")
        self.clearance.valueChanged.connect(self.clearance_changed.emit)
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["Check", "Problem"])
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(True)
        self.list.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.list.header().setStretchLastSection(True)
        self.list.itemClicked.connect(lambda item, _c: self.focus_requested.emit(list(item.data(0, IDS_ROLE))))
        row = QHBoxLayout()
        row.addWidget(QLabel("Minimum walkway:"))
        row.addWidget(self.clearance)
        row.addStretch(1)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.list)
        self.setWidget(body)

    def set_violations(self, violations: Sequence[Violation]) -> None:
        self.list.clear()
        red = QBrush(QColor(190, 20, 20))
        for violation in violations:
            item = QTreeWidgetItem([KIND_TEXT.get(violation.kind, violation.kind), violation.message])
            item.setData(0, IDS_ROLE, list(violation.ids))
            item.setForeground(0, red)
            item.setToolTip(1, f"{violation.message}\nClick to select and show")
            self.list.addTopLevelItem(item)
        count = len(violations)
        self.summary.setText(
            OK_TEXT if not count else f"{count} layout problem{'s' if count != 1 else ''}: shown red in the 3D view."
        )
        self.setWindowTitle(f"Checks ({count})" if count else "Checks")

    def messages(self) -> list[str]:
        return [self.list.topLevelItem(i).text(1) for i in range(self.list.topLevelItemCount())]
