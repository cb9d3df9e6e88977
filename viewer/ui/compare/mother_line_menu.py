"""The Mother line menu of the main window: clone a line to a child site (a wizard), compare a child with
its mother (the compare window). Installed by `install_mother_line_menu(window)`."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox

from viewer.compare import CloneError, find_line
from viewer.compare.clone import CloneLineCommand
from viewer.model import Line, PlantDocument
from viewer.model.checks import DEFAULT_CLEARANCE
from viewer.ui.compare.clone_wizard import CloneDialog, lines_of

__all__ = ["CloneDialog", "clone_into_session", "cloned_lines", "install_mother_line_menu", "lines_of", "open_compare"]


def cloned_lines(document: PlantDocument) -> list[Line]:
    return [li for s in document.sites for a in s.areas for li in a.lines if li.clone_record is not None]


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
    from viewer.ui.compare.window import CompareWindow

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
        # The wizard checks with the walkway minimum the window's Checks use.
        checks = getattr(getattr(window, "editing", None), "checks", None)
        clearance = getattr(checks, "clearance", DEFAULT_CLEARANCE)
        dialog = CloneDialog(window.session.document, window, window.session.library, clearance)
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
