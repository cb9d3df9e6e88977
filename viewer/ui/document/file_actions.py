"""File > New and File > Close of the main window. Installed by `install_file_actions(window)`.

New starts an untitled plant: one site with an empty hall and one area, line and cell, so equipment dragged
from the Library lands somewhere (see `blank_document`). Close leaves an empty window. Both ask Save / Discard
/ Cancel first when the open plant has unsaved edits, as opening another file does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QStatusBar

from viewer.app.document import Message, Severity
from viewer.model.site_choice import blank_document

if TYPE_CHECKING:
    from viewer.ui.document.messages_dock import MessagesDock
    from viewer.ui.document.recovery import RecoveryController
    from viewer.ui.document.session import DocumentSession
    from viewer.ui.explore import LibraryDock


class UnsavedWork(Protocol):
    """The window's editing part, as New and Close ask it about unsaved edits (`ui.edit.EditingUi`)."""

    recovery: RecoveryController

    def confirm_discard(self, reason: str) -> bool: ...


class FileHost(Protocol):
    """What New and Close need of the window they are installed in (the main window, which knows nothing of
    this protocol). It is a QMainWindow too: it parents the actions."""

    session: DocumentSession
    editing: UnsavedWork
    library_dock: LibraryDock
    messages: MessagesDock
    open_action: QAction
    quit_action: QAction

    def cancel_open(self) -> None: ...
    def show_no_plant(self) -> None: ...
    def menuBar(self) -> QMenuBar: ...  # noqa: N802  (QMainWindow's)
    def statusBar(self) -> QStatusBar: ...  # noqa: N802


class FileActions(QObject):
    def __init__(self, window: FileHost) -> None:
        super().__init__(window)
        self.window = window
        self.new_action = QAction("&New", window)
        self.new_action.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.new_action.setStatusTip("A new, empty plant document: one site, ready for equipment from the Library")
        self.new_action.setToolTip(f"New plant document ({self.new_action.shortcut().toString()})")
        self.new_action.triggered.connect(self.new_document)
        self.close_action = QAction("&Close", window)
        self.close_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Close))
        self.close_action.setStatusTip("Close the plant document; the window stays open")
        self.close_action.setToolTip(f"Close the plant document ({self.close_action.shortcut().toString()})")
        self.close_action.triggered.connect(self.close_document)
        file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
        file_menu.insertAction(window.open_action, self.new_action)
        file_menu.insertAction(window.quit_action, self.close_action)
        file_menu.insertSeparator(window.quit_action)
        window.session.document_changed.connect(lambda _document: self._update())
        window.session.document_closed.connect(self._on_closed)
        self._update()

    def new_document(self) -> bool:
        """An untitled plant in place of the open one; False when the user kept the open one."""
        w = self.window
        if not w.editing.confirm_discard("starting a new plant"):
            return False
        w.cancel_open()
        w.session.set_document(blank_document(), None)
        w.library_dock.show()
        w.library_dock.raise_()  # where its first equipment comes from
        w.statusBar().showMessage("New plant: drag equipment from the Library onto the floor", 8000)
        return True

    def close_document(self) -> bool:
        """Close the plant, leaving an empty window; False when the user kept it open."""
        w = self.window
        if w.session.document is None:
            return True
        if not w.editing.confirm_discard("closing it"):
            return False
        w.cancel_open()
        w.editing.recovery.discard()  # closed on purpose: nothing to recover
        name = w.session.path.name if w.session.path else "the untitled plant"
        w.session.close()
        w.messages.add_messages([Message(Severity.INFO, f"closed {name}")])
        w.statusBar().showMessage(f"Closed {name}", 5000)
        return True

    def _on_closed(self) -> None:
        self.window.show_no_plant()
        self._update()

    def _update(self) -> None:
        self.close_action.setEnabled(self.window.session.document is not None)


def install_file_actions(window: FileHost) -> FileActions:
    """File > New and Close, placed in the window's File menu; the window keeps them as `file_actions`."""
    return FileActions(window)
