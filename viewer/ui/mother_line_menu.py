"""The Mother line menu of the main window: clone a line to a child site (a wizard), compare a child with
its mother (the compare window). Installed by `install_mother_line_menu(window)`."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from viewer.compare import CloneError, find_line
from viewer.compare.clone import CloneLineCommand
from viewer.model import Line, PlantDocument


def lines_of(document: PlantDocument) -> list[tuple[str, str]]:
    """(label, line id) of every line, site first: what the wizard offers."""
    return [(f"{s.name} / {li.name} ({li.id})", li.id) for s in document.sites for a in s.areas for li in a.lines]


def cloned_lines(document: PlantDocument) -> list[Line]:
    return [li for s in document.sites for a in s.areas for li in a.lines if li.clone_record is not None]


class CloneDialog(QDialog):
    """Which mother line, which child site, where and how it stands there."""

    def __init__(self, document: PlantDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clone a mother line to a child site")
        form = QFormLayout(self)
        form.addRow(QLabel("The copy keeps every cell, equipment, parameter and signal, with new ids linked to the "
                           "mother's; tags re-bind through the child site's tag template."))  # fmt: skip
        self.line = QComboBox()
        for label, ident in lines_of(document):
            self.line.addItem(label, ident)
        form.addRow("Mother line", self.line)
        self.site = QComboBox()
        for site in document.sites:
            self.site.addItem(f"{site.name} ({site.country or '-'})", site.name)
        if self.site.count() > 1:
            self.site.setCurrentIndex(1)
        form.addRow("Child site", self.site)
        self.x, self.y, self.rotate = QDoubleSpinBox(), QDoubleSpinBox(), QDoubleSpinBox()
        for spin in (self.x, self.y):
            spin.setRange(-100_000, 100_000)
            spin.setSuffix(" m")
        self.rotate.setRange(-360, 360)
        self.rotate.setSuffix(" deg")
        form.addRow("Origin x", self.x)
        form.addRow("Origin y", self.y)
        form.addRow("Rotation", self.rotate)
        self.mirror = QCheckBox("Mirror-image line")
        form.addRow("", self.mirror)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def command(self) -> CloneLineCommand:
        return CloneLineCommand(self.line.currentData(), self.site.currentData(), (self.x.value(), self.y.value()),
                                self.rotate.value(), self.mirror.isChecked())  # fmt: skip


def clone_into_session(window: QMainWindow, command: CloneLineCommand) -> bool:
    """Apply a clone to the open document (undoable when the session has a history); reports errors."""
    session = window.session
    try:
        if getattr(session, "undo", None) is not None:
            session.undo.push(command)
        else:
            command.redo(session.document)
            session.set_document(session.document, session.path)
    except CloneError as exc:
        QMessageBox.warning(window, "Clone", str(exc))
        return False
    return True


def open_compare(window: QMainWindow, line: Line | None = None) -> QMainWindow | None:
    from viewer.ui.compare_window import CompareWindow

    document = window.session.document
    candidates = cloned_lines(document)
    if line is None:
        if not candidates:
            QMessageBox.information(window, "Compare", "No line in this document was cloned from a mother line.")
            return None
        line = candidates[0]
    _, _, mother_line = find_line(document, line.clone_record.mother_line)
    sensors = getattr(window, "sensor_ui", None)
    live_store = sensors.controller.store if sensors is not None else None
    compare = CompareWindow(document, mother_line, document, line, undo=getattr(window.session, "undo", None),
                            parent=window, live_store=live_store)  # fmt: skip
    compare.show()
    window.compare_window = compare
    return compare


def install_mother_line_menu(window: QMainWindow) -> None:
    menu = window.menuBar().addMenu("&Mother line")

    def clone() -> None:
        if window.session.document is None:
            return
        dialog = CloneDialog(window.session.document, window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            command = dialog.command()
            if clone_into_session(window, command):
                _, _, line = find_line(window.session.document, command.line_id)
                open_compare(window, line)

    def compare() -> None:
        if window.session.document is not None:
            open_compare(window)

    menu.addAction("Clone line to a child site...", clone)
    menu.addAction("Compare child line with its mother...", compare)
