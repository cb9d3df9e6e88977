"""File > Import's dialog: where the imported plant goes (a site of the open plant or a new one) and the
choices its importer offers (a DXF drawing's layers as lines or cells, a block's height, its units)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from viewer.app.opening import ImportOption
from viewer.model import PlantDocument

NEW_SITE = "A new site"
MAX_NUMBER = 1e6
FIELD_WIDTH = 200  # pixels: a choice's text (a layer's role, a height) reads whole
LONG_TITLE = 48  # characters: a longer title wraps


class ImportDialog(QDialog):
    """The import's destination and its importer's options; `choices()` gives them once accepted."""

    def __init__(
        self, path: Path, options: list[ImportOption], document: PlantDocument | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import {path.name}")
        self.path = path
        self.fields: dict[str, QComboBox | QLineEdit | QDoubleSpinBox] = {}
        where = QFormLayout()
        self.into = QComboBox()
        if document is not None:
            self.into.addItem(NEW_SITE, None)
            for site in document.sites:
                self.into.addItem(f"Into site {site.name}", site.name)
        else:
            self.into.addItem("A new plant", None)
        self.site_name = QLineEdit()
        self.site_name.setPlaceholderText("the file's own name for it")
        self.into.currentIndexChanged.connect(lambda _i: self.site_name.setEnabled(self.into.currentData() is None))
        where.addRow("Goes to", self.into)
        where.addRow("Site name", self.site_name)
        form = QFormLayout()
        for option in options:
            widget: QComboBox | QLineEdit | QDoubleSpinBox
            if option.choices:
                widget = QComboBox()
                widget.addItems(list(option.choices))
                widget.setCurrentText(option.default)
            elif option.numeric:
                widget = QDoubleSpinBox()
                widget.setRange(-MAX_NUMBER, MAX_NUMBER)
                widget.setDecimals(3)
                try:
                    widget.setValue(float(option.default))
                except ValueError:
                    widget.setValue(0.0)
            else:
                widget = QLineEdit(option.default)
            widget.setFixedWidth(FIELD_WIDTH)
            widget.setToolTip(option.title)
            self.fields[option.key] = widget
            label = QLabel(option.title)
            label.setWordWrap(len(option.title) > LONG_TITLE)
            form.addRow(label, widget)
        body = QWidget()
        body.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        box = QGroupBox(f"The importer's choices ({len(options)})" if options else "The importer needs no choices")
        box_layout = QVBoxLayout(box)
        if options:
            box_layout.addWidget(scroll)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(where)
        layout.addWidget(box, 1 if options else 0)
        layout.addWidget(buttons)
        self.resize(640, min(720, 200 + 36 * len(options)))

    def choices(self) -> tuple[str | None, dict[str, str]]:
        """(the site name: of the open plant's site it goes into, or the new site's, None for the file's own;
        the importer's options as text)."""
        into = self.into.currentData()
        site = into if into is not None else (self.site_name.text().strip() or None)
        values: dict[str, str] = {}
        for key, widget in self.fields.items():
            if isinstance(widget, QComboBox):
                values[key] = widget.currentText()
            elif isinstance(widget, QDoubleSpinBox):
                values[key] = f"{widget.value():g}"
            else:
                values[key] = widget.text()
        return site, values
