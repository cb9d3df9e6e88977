"""Small dialogs of the Edit and Arrange menus: array copy, move to cell, units of an imported mesh."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QSpinBox,
    QWidget,
)

from viewer.io.mesh_import import UNIT_CHOICES


def _buttons(dialog: QDialog) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def _metres(value: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(-500.0, 500.0)
    spin.setDecimals(3)
    spin.setSingleStep(0.5)
    spin.setSuffix(" m")
    spin.setValue(value)
    return spin


class ArrayCopyDialog(QDialog):
    """Copies of the selection in a row: how many, and the step between them along the floor."""

    def __init__(self, selected: int, dx: float, dy: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Array Copy")
        self.count = QSpinBox()
        self.count.setRange(1, 200)
        self.count.setValue(3)
        self.dx, self.dy = _metres(dx), _metres(dy)
        form = QFormLayout(self)
        form.addRow(QLabel(f"Copies of the {selected} selected equipment, each offset from the previous one."))
        form.addRow("Copies:", self.count)
        form.addRow("Step along x:", self.dx)
        form.addRow("Step along y:", self.dy)
        form.addRow(_buttons(self))

    def values(self) -> tuple[int, float, float]:
        return self.count.value(), self.dx.value(), self.dy.value()


class MoveToCellDialog(QDialog):
    """Re-parent the selection to another cell; it stays where it stands on the floor."""

    def __init__(self, cells: Sequence[tuple[str, str]], current: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Move to Cell")
        self.cells = QComboBox()
        for cell_id, label in cells:
            self.cells.addItem(f"{label}  ({cell_id})", cell_id)
        if current is not None and (index := self.cells.findData(current)) >= 0:
            self.cells.setCurrentIndex(index)
        form = QFormLayout(self)
        form.addRow(QLabel("The equipment keep their place on the floor; only the cell they belong to changes."))
        form.addRow("Cell:", self.cells)
        form.addRow(_buttons(self))

    def cell_id(self) -> str:
        return str(self.cells.currentData())


def ask_units(parent: QWidget, reason: str) -> float | None:
    """The unit of a mesh file that does not say; metres per file unit, or None when cancelled."""
    names = list(UNIT_CHOICES)
    name, ok = QInputDialog.getItem(
        parent, "Units of the mesh", f"{reason}.\n\nThe file's coordinates are in:", names, 0, False
    )
    return UNIT_CHOICES[name] if ok and name in UNIT_CHOICES else None
