"""Export image: where to, at what resolution, with or without background."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

PRESETS = {
    "Full HD (1920 × 1080)": (1920, 1080),
    "4K (3840 × 2160)": (3840, 2160),
    "A4 300 dpi (3508 × 2480)": (3508, 2480),
}


@dataclass(frozen=True, slots=True)
class ExportRequest:
    path: Path
    size: tuple[int, int]
    transparent: bool


class ExportImageDialog(QDialog):
    def __init__(self, default_path: Path, default_size: tuple[int, int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export image")
        self.path_edit = QLineEdit(str(default_path))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box, value in ((self.width_box, default_size[0]), (self.height_box, default_size[1])):
            box.setRange(16, 8192)
            box.setSuffix(" px")
            box.setValue(value)
        size_row = QHBoxLayout()
        size_row.addWidget(self.width_box)
        size_row.addWidget(self.height_box)
        for label, (w, h) in PRESETS.items():
            button = QPushButton(label.split(" (")[0])
            button.setToolTip(label)
            button.clicked.connect(lambda _=False, w=w, h=h: self._set_size(w, h))
            size_row.addWidget(button)
        self.transparent_box = QCheckBox("Transparent background")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("File", path_row)
        form.addRow("Size", size_row)
        form.addRow("", self.transparent_box)
        form.addRow(buttons)

    def _set_size(self, width: int, height: int) -> None:
        self.width_box.setValue(width)
        self.height_box.setValue(height)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export image", self.path_edit.text(), "PNG image (*.png)")
        if path:
            self.path_edit.setText(path if path.lower().endswith(".png") else path + ".png")

    def request(self) -> ExportRequest:
        return ExportRequest(
            Path(self.path_edit.text()),
            (self.width_box.value(), self.height_box.value()),
            self.transparent_box.isChecked(),
        )
