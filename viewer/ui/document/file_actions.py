"""File > New and File > Close of the main window. Installed by `install_file_actions(window)`.

New starts an untitled plant: one site with an empty hall and one area, line and cell, so equipment dragged
from the Library lands somewhere (see `blank_document`). Close leaves an empty window. Both ask Save / Discard
/ Cancel first when the open plant has unsaved edits, as opening another file does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from viewer.model.site_choice import blank_document
from viewer.ui.document.session import Message, Severity

if TYPE_CHECKING:
    from viewer.ui.main_window import MainWindow


class FileActions(QObject):
    def __init__(self, window: MainWindow) -> None:
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
        """Every part of the window back to "no plant open"."""
        w = self.window
        w.editing.edits.cancel_drag()
        w.editing.measure.clear()
        w.editing.disk_bar.hide()
        w.state.clear_selection()
        w.state.show_all()
        w.state.set_camera(None)
        w.state.set_active_site(None)  # the checks follow: nothing to check
        w.scene.show_site(None, None, None, None)  # type: ignore[arg-type]  # no site: an empty 3D view
        w._site_of = {}
        w.site_box.clear()
        for action in (w.site_separator, w.site_label_action, w.site_combo_action):
            action.setVisible(False)
        w.tree_dock.set_document(None, None)
        w.library_dock.set_library(None, None)
        w.viewpoints.set_viewpoints([])
        w.inspector.set_sections("", [])
        w.editing._update_history()  # undo and redo off, the title without a name
        w._update_actions()
        w._update_status()
        self._update()

    def _update(self) -> None:
        self.close_action.setEnabled(self.window.session.document is not None)


def install_file_actions(window: MainWindow) -> FileActions:
    window.file_actions = FileActions(window)
    return window.file_actions
