"""Layout editing in the main window: menus, toolbar, docks and viewport gestures wired to the controllers.

The window creates one `EditingUi`; it lays out and connects, the controllers (`EditController`,
`ChecksController`, `MeasureController`, `RecoveryController`) hold the logic.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMenu,
    QMenuBar,
    QMessageBox,
    QStatusBar,
    QToolBar,
    QWidget,
)

from viewer.app.document import Message, Severity
from viewer.io.meshes import MESH_SUFFIXES
from viewer.io.recovery import RecoveryEntry
from viewer.model import PlantDocument
from viewer.model.deviations import current_user
from viewer.model.edit import ALIGN_EDGES, EditError
from viewer.model.snapping import ANGLE_STEPS, GRID_STEPS
from viewer.ui.document import DiskChangedBar, RecoveryController
from viewer.ui.edit.checks import ChecksController
from viewer.ui.edit.checks_dock import ChecksDock
from viewer.ui.edit.controller import EditController
from viewer.ui.edit.dialogs import ArrayCopyDialog, MoveToCellDialog, ask_units
from viewer.ui.edit.gestures import EditInput
from viewer.ui.edit.history_dock import HistoryDock
from viewer.ui.edit.measure import MeasureController

if TYPE_CHECKING:
    from viewer.app.view_state import ViewState
    from viewer.ui.document import DocumentSession, MessagesDock
    from viewer.ui.explore import InspectorDock, PlantTreeDock, SiteBox
    from viewer.ui.scene_controller import SceneController
    from viewer.ui.view_widget import ViewWidget
    from viewer.ui.viewport_input import ViewportInput

MESH_FILTER = "Meshes and CAD (" + " ".join(f"*{s}" for s in MESH_SUFFIXES) + ");;All files (*)"
# Non-interactive answers (tests, scripted sessions): "save" | "discard" | "cancel", and "recover" | "discard".
UNSAVED_ANSWER_ENV = "MOTHERTWIN_UNSAVED_ANSWER"
RECOVERY_ANSWER_ENV = "MOTHERTWIN_RECOVERY_ANSWER"
ALIGN_TEXT = {
    "left": "Align &Left Edges",
    "right": "Align &Right Edges",
    "front": "Align &Front Edges",
    "back": "Align &Back Edges",
    "centre_x": "Align Centres Along &X",
    "centre_y": "Align Centres Along &Y",
}


class EditingHost(Protocol):
    """What the editing tools need of the window they are installed in (the main window, which knows
    nothing of this protocol): the open document, the view state and the 3D view, the docks they sit beside
    and a few of its reactions. It is a QMainWindow too: it parents the menus, toolbar, docks and dialogs."""

    session: DocumentSession
    state: ViewState
    scene: SceneController
    plotter: ViewWidget
    input: ViewportInput
    inspector: InspectorDock
    messages: MessagesDock
    tree_dock: PlantTreeDock
    site_box: SiteBox
    site_combo: QComboBox
    export_action: QAction
    _site_of: dict[str, str]

    def show_site_chooser(self, several: bool) -> None: ...
    def save(self) -> bool: ...
    def focus_ids(self, ids: list[str]) -> None: ...
    def _report(self, messages: list[Message]) -> None: ...
    def _update_title(self) -> None: ...
    def _on_selection(self, ids: tuple[str, ...]) -> None: ...
    def _on_click(self, pos: QPointF, additive: bool) -> None: ...

    # QMainWindow's (Qt's names)
    def menuBar(self) -> QMenuBar: ...  # noqa: N802
    def statusBar(self) -> QStatusBar: ...  # noqa: N802
    def centralWidget(self) -> QWidget | None: ...  # noqa: N802
    def addToolBar(self, toolbar: QToolBar, /) -> None: ...  # noqa: N802
    def addDockWidget(self, area: Qt.DockWidgetArea, dock: QDockWidget, /) -> None: ...  # noqa: N802
    def tabifyDockWidget(self, first: QDockWidget, second: QDockWidget, /) -> None: ...  # noqa: N802
    def installEventFilter(self, watcher: QObject, /) -> None: ...  # noqa: N802


class EditingUi(QObject):
    def __init__(self, window: EditingHost) -> None:
        super().__init__(window)
        self.window = window
        self.edits = EditController(window.session, window.state, window.scene)
        self.edits.ask_deviation = lambda needs: ask_deviation(window, needs)
        self.checks = ChecksController(window.session, window.scene, self.edits)
        self.measure = MeasureController(window.scene)
        self.recovery = RecoveryController(window.session, self)
        self.input = EditInput(window.plotter, self._can_grab)
        self.history_dock = HistoryDock(window)
        self.checks_dock = ChecksDock(window)
        self.disk_bar = DiskChangedBar()
        self._grab_height = 0.0  # height of the point grabbed on a selected equipment
        self._drag_height = 0.0
        window.centralWidget().layout().insertWidget(0, self.disk_bar)
        # The inspector is redrawn once per event-loop turn, not at every mouse move of a drag, and never
        # inside its own itemChanged signal (the edited item would be deleted under the editor).
        self._inspector_timer = QTimer(self)
        self._inspector_timer.setSingleShot(True)
        self._inspector_timer.setInterval(0)
        self._inspector_timer.timeout.connect(lambda: window._on_selection(window.state.selection))
        self._build_actions()
        self._build_menus()
        self._build_docks()
        self._connect()
        self._update_history()

    # ------------------------------------------------------------ building

    def _action(
        self, text: str, slot: Callable[..., object], shortcut: object = None, tip: str = "", checkable: bool = False
    ) -> QAction:
        action = QAction(text, self.window)
        if isinstance(shortcut, list):
            action.setShortcuts([QKeySequence(s) for s in shortcut])
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        keys = ", ".join(s.toString() for s in action.shortcuts())
        action.setToolTip((tip or text.replace("&", "").rstrip("…")) + (f" ({keys})" if keys else ""))
        action.setStatusTip(tip or text.replace("&", ""))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        e = self.edits
        self.undo_action = self._action("&Undo", self._undo, QKeySequence.StandardKey.Undo)
        self.redo_action = self._action("&Redo", self._redo, ["Ctrl+Y", "Ctrl+Shift+Z"])
        self.delete_action = self._action("&Delete", e.delete, QKeySequence.StandardKey.Delete, "Delete the selection")
        self.duplicate_action = self._action("D&uplicate", e.duplicate, "Ctrl+D", "Copy the selection beside it")
        self.array_action = self._action("&Array Copy…", self.ask_array_copy, None, "Copies of the selection in a row")
        self.move_cell_action = self._action(
            "&Move to Cell…", self.ask_move_to_cell, None, "Put the selection in another cell (it stays in place)"
        )
        self.rotate_left_action = self._action(
            "Rotate &Left", lambda: e.rotate(1), "R", "Turn the selection counter-clockwise by the rotate step"
        )
        self.rotate_right_action = self._action(
            "Rotate &Right", lambda: e.rotate(-1), "Shift+R", "Turn the selection clockwise by the rotate step"
        )
        self.align_actions = {
            edge: self._action(ALIGN_TEXT[edge], lambda _=False, x=edge: e.align(x), None, "Line up on the first one")
            for edge in ALIGN_EDGES
        }
        self.distribute_actions = {
            axis: self._action(
                f"Distribute Along &{axis.upper()}", lambda _=False, a=axis: e.distribute(a), None, "Equal gaps"
            )
            for axis in ("x", "y")
        }
        self.measure_action = self._action(
            "&Measure", self.measure.set_active, "M", "Click two points to measure the distance", checkable=True
        )
        self.import_action = self._action(
            "&Import Mesh as Type…", self.ask_import_mesh, None, "Add a glTF, STL, OBJ, PLY, DAE, 3MF or STEP model"
        )
        self.grid_combo = QComboBox()
        for step in GRID_STEPS:
            self.grid_combo.addItem(f"{step:g} m", step)
        self.grid_combo.addItem("off", 0.0)
        self.grid_combo.setCurrentIndex(self.grid_combo.findData(self.edits.grid_step))
        self.grid_combo.setToolTip("Grid snap for drags and the step of the arrow keys (Shift: 10×)")
        self.grid_combo.currentIndexChanged.connect(lambda _i: self.set_grid_step(self.grid_combo.currentData()))
        self.angle_combo = QComboBox()
        for step in ANGLE_STEPS:
            self.angle_combo.addItem(f"{step:g}°" if step else "free (1°)", step)
        self.angle_combo.setToolTip("Rotate step of R / Shift+R")
        self.angle_combo.currentIndexChanged.connect(lambda _i: self.set_angle_step(self.angle_combo.currentData()))
        self.edge_snap_action = self._action(
            "Snap to &Edges", self._set_edge_snap, None, "Line up dragged equipment with a neighbour's edges", True
        )
        self.edge_snap_action.setChecked(self.edits.edge_snap)

    def _build_menus(self) -> None:
        bar = self.window.menuBar()
        menus = {a.text(): a for a in bar.actions()}
        before = menus.get("&View")
        edit = QMenu("&Edit", self.window)
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        edit.addActions([self.delete_action, self.duplicate_action, self.array_action, self.move_cell_action])
        edit.addSeparator()
        edit.addAction(self.measure_action)
        arrange = QMenu("&Arrange", self.window)
        arrange.addActions([self.rotate_left_action, self.rotate_right_action])
        arrange.addSeparator()
        arrange.addActions(list(self.align_actions.values()))
        arrange.addSeparator()
        arrange.addActions(list(self.distribute_actions.values()))
        bar.insertMenu(before, edit) if before else bar.addMenu(edit)
        bar.insertMenu(before, arrange) if before else bar.addMenu(arrange)
        self.edit_menu, self.arrange_menu = edit, arrange
        file_menu = menus["&File"].menu() if "&File" in menus else None
        if file_menu is not None:
            file_menu.insertAction(self.window.export_action, self.import_action)
        self.toolbar = QToolBar("Edit toolbar", self.window)
        self.toolbar.setObjectName("edit-toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions([self.undo_action, self.redo_action])
        self.toolbar.addSeparator()
        self.toolbar.addWidget(QLabel(" Snap: "))
        self.toolbar.addWidget(self.grid_combo)
        self.toolbar.addAction(self.edge_snap_action)
        self.toolbar.addWidget(QLabel(" Rotate: "))
        self.toolbar.addWidget(self.angle_combo)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.measure_action)
        self.window.addToolBar(self.toolbar)

    def _build_docks(self) -> None:
        w = self.window
        w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.history_dock)
        w.tabifyDockWidget(w.inspector, self.history_dock)
        w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.checks_dock)
        w.tabifyDockWidget(w.messages, self.checks_dock)
        w.inspector.raise_()
        self.checks_dock.raise_()
        view_menu = next((a.menu() for a in w.menuBar().actions() if a.text() == "&View"), None)
        if view_menu is not None:
            view_menu.addActions([self.history_dock.toggleViewAction(), self.checks_dock.toggleViewAction()])
            view_menu.addAction(self.toolbar.toggleViewAction())

    def _connect(self) -> None:
        w = self.window
        w.session.document_changed.connect(self._on_document)
        if hasattr(w, "library_dock"):  # an imported type (or its undo) shows up in the library to place it
            w.session.library_changed.connect(lambda: w.library_dock.set_library(w.session.library, w.session.meshes))
        w.state.active_site_changed.connect(lambda _site: self.checks.rebuild_soon())
        w.state.selection_changed.connect(lambda _ids: self._update_actions())
        self.edits.edited.connect(self._on_edited)
        self.edits.status.connect(lambda text: w.statusBar().showMessage(text, 6000))
        self.edits.failed.connect(self._refused)
        self.checks.changed.connect(self._on_checks)
        w.closed.connect(self.checks.shutdown)
        self.checks_dock.clearance_changed.connect(self.checks.set_clearance)
        self.checks_dock.focus_requested.connect(w.focus_ids)
        self.history_dock.row_clicked.connect(self._go_to)
        self.measure.status.connect(lambda text: w.statusBar().showMessage(text))
        self.measure.active_changed.connect(self._on_measure)
        self.recovery.messages.connect(w._report)
        self.recovery.disk_changed.connect(lambda path: self.disk_bar.show_for(path, w.session.modified))
        self.disk_bar.reload_requested.connect(self._reload)
        self.disk_bar.keep_requested.connect(self.recovery.keep_mine)
        w.inspector.value_edited.connect(self._value_edited)
        w.input.tool_clicked.connect(self._tool_click)
        self.input.clicked.connect(w._on_click)
        self.input.drag_started.connect(self._drag_started)
        self.input.drag_moved.connect(self._drag_moved)
        self.input.drag_finished.connect(self._drag_finished)
        self.input.drag_cancelled.connect(self._drag_cancelled)
        self.input.nudged.connect(self.edits.nudge)
        self.input.rotated.connect(self.edits.rotate)
        self.input.type_dropped.connect(self.drop_type)
        w.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QEvent.Type.WindowActivate:
            self.recovery.check_disk()  # back from another program: did it change our file?
        return False

    # ------------------------------------------------------------ settings of the tools

    def set_grid_step(self, step: float) -> None:
        self.edits.grid_step = float(step)
        index = self.grid_combo.findData(float(step))
        if index >= 0 and index != self.grid_combo.currentIndex():
            self.grid_combo.setCurrentIndex(index)

    def _set_edge_snap(self, on: bool) -> None:
        self.edits.edge_snap = bool(on)
        self.edge_snap_action.setChecked(bool(on))

    def set_angle_step(self, step: float) -> None:
        self.edits.angle_step = float(step)
        index = self.angle_combo.findData(float(step))
        if index >= 0 and index != self.angle_combo.currentIndex():
            self.angle_combo.setCurrentIndex(index)

    # ------------------------------------------------------------ the document and its history

    def _on_document(self, _document: PlantDocument) -> None:
        undo = self.window.session.undo
        if undo is not None:
            undo.history_changed.connect(self._update_history)
        self.disk_bar.hide()
        self.measure.clear()
        self._update_history()

    def _update_history(self) -> None:
        undo, w = self.window.session.undo, self.window
        if undo is None:
            self.history_dock.set_history([], 0, 0)
        else:
            self.history_dock.set_history(undo.texts(), undo.index, undo.clean_index)
        self.undo_action.setEnabled(undo is not None and undo.can_undo())
        self.redo_action.setEnabled(undo is not None and undo.can_redo())
        self.undo_action.setText(f"&Undo {undo.undo_text()}" if undo is not None and undo.can_undo() else "&Undo")
        self.redo_action.setText(f"&Redo {undo.redo_text()}" if undo is not None and undo.can_redo() else "&Redo")
        w._update_title()
        self._update_actions()

    def _update_actions(self) -> None:
        has_document = self.window.session.document is not None
        count = len(self.window.state.selection)
        for action in (self.delete_action, self.duplicate_action, self.array_action, self.move_cell_action):
            action.setEnabled(count >= 1)
        for action in (self.rotate_left_action, self.rotate_right_action):
            action.setEnabled(count >= 1)
        for action in self.align_actions.values():
            action.setEnabled(count >= 2)
        for action in self.distribute_actions.values():
            action.setEnabled(count >= 3)
        self.measure_action.setEnabled(has_document)
        self.import_action.setEnabled(has_document)

    def _undo(self) -> None:
        if self.window.session.undo is not None:
            self.window.session.undo.undo()

    def _redo(self) -> None:
        if self.window.session.undo is not None:
            self.window.session.undo.redo()

    def _go_to(self, row: int) -> None:
        if self.window.session.undo is not None:
            self.window.session.undo.go_to(row + 1)

    def _on_edited(self, ids: set[str], structural: bool) -> None:
        w = self.window
        document = w.session.document
        if document is None:
            return
        if structural:
            w._site_of = {p.equipment.id: p.site.id for p in document.iter_equipment()}
            w.tree_dock.set_document(document, w.session.library)
            w.tree_dock.show_selection(w.state.selection)
            counts = [
                (site, sum(len(c.equipment) for a in site.areas for li in a.lines for c in li.cells))
                for site in document.sites
            ]
            if [site.id for site, _ in counts] != w.site_box.site_ids():  # an import or its undo: sites changed
                w.site_box.set_sites(counts)
                w.show_site_chooser(len(counts) > 1)
                if w.state.active_site not in {site.id for site, _ in counts}:
                    w.state.set_active_site(counts[0][0].id if counts else None)
                else:
                    w.site_combo.setCurrentIndex(max(0, w.site_combo.findData(w.state.active_site)))
            for site, count in counts:
                w.site_box.set_equipment(site.id, count)
        else:
            items = w.tree_dock.model.equipment_items
            for path in document.iter_equipment():
                item = items.get(path.equipment.id)
                if path.equipment.id in ids and item is not None and item.text() != path.equipment.name:
                    item.setText(path.equipment.name)
        self._inspector_timer.start()

    def _on_checks(self, _shown: list) -> None:
        """Any site's checks changed: the dock lists every site's problems, the site box counts them."""
        w = self.window
        had = len(self.checks_dock.violation_items())
        results = self.checks.results()
        sites = w.session.document.sites if w.session.document is not None else []
        self.checks_dock.set_results(sites, results, w.state.active_site)
        w.site_box.set_problems({site_id: len(found) for site_id, found in results.items()})
        found = any(results.values())
        if found and not had and w.session.undo is not None and w.session.undo.index:
            self.checks_dock.raise_()  # an edit just made the first problem: show it, it is why things turned red

    def _refused(self, text: str) -> None:
        self.window.statusBar().showMessage(f"Not done: {text}", 8000)
        self.window.messages.add_messages([Message(Severity.WARNING, f"edit not done: {text}")])

    def _value_edited(self, key: str, text: str) -> None:
        if not self.edits.set_value(key, text):
            self._inspector_timer.start()  # put back what the model holds

    # ------------------------------------------------------------ viewport gestures

    def _display(self, pos: QPointF) -> tuple[float, float]:
        w = self.window
        return w.scene.display_point(pos, w.plotter.height(), w.plotter.devicePixelRatioF())

    def _can_grab(self, pos: QPointF) -> bool:
        if self.measure.active or not self.window.state.selection or self.window.session.undo is None:
            return False
        index, hit = self.window.scene.view.pick_point(*self._display(pos))
        if index is None or hit is None:
            return False
        self._grab_height = float(hit[2])
        return self.window.scene.view.batch.paths[index].equipment.id in self.window.state.selection

    def _floor(self, pos: QPointF, height: float) -> tuple[float, float] | None:
        point = self.window.scene.view.floor_point(*self._display(pos), height=height)
        return None if point is None else (float(point[0]), float(point[1]))

    def _drag_started(self, pos: QPointF) -> None:
        # The plane through the grabbed point: the point under the cursor stays under it while dragging.
        self._drag_height = self._grab_height
        start = self._floor(pos, self._drag_height)
        if start is not None:
            self.edits.begin_drag(start)

    def _drag_moved(self, pos: QPointF) -> None:
        cursor = self._floor(pos, self._drag_height)
        if cursor is None or self.edits.drag is None:
            return
        self.window.scene.view.show_guides(self.edits.drag_to(cursor))
        self.window.scene.request_render()

    def _drag_finished(self) -> None:
        self.edits.end_drag()
        self.window.scene.view.show_guides([])
        self.window.scene.request_render()

    def _drag_cancelled(self) -> None:
        self.edits.cancel_drag()
        self.window.scene.view.show_guides([])
        self.window.scene.request_render()

    def drop_type(self, type_name: str, pos: QPointF) -> str | None:
        point = self._floor(pos, 0.0)
        if point is None:
            self._refused("drop the equipment on the floor")
            return None
        return self.edits.add_at(type_name, *point)

    def _on_measure(self, on: bool) -> None:
        self.measure_action.setChecked(on)
        self.window.input.tool_active = on
        self.window.plotter.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)

    def _tool_click(self, pos: QPointF) -> None:
        if self.measure.active:
            self.measure.click(*self._display(pos))

    # ------------------------------------------------------------ dialogs

    def ask_array_copy(self) -> None:
        count = len(self.window.state.selection)
        if not count:
            return
        step = max(self.edits.grid_step, 1.0) * 4
        dialog = ArrayCopyDialog(count, step, 0.0, self.window)
        if dialog.exec():
            self.edits.array_copy(*dialog.values())

    def ask_move_to_cell(self) -> None:
        ids = self.window.state.selection
        if not ids:
            return
        path = self.window.scene.path_of(ids[0])
        dialog = MoveToCellDialog(self.edits.cells_of_site(), path.cell.id if path else None, self.window)
        if dialog.exec():
            self.edits.move_to_cell(dialog.cell_id())

    def ask_import_mesh(self) -> None:
        session = self.window.session
        start = str(session.path.parent) if session.path else ""
        path, _ = QFileDialog.getOpenFileName(self.window, "Import mesh as equipment type", start, MESH_FILTER)
        if path:
            self.edits.import_mesh(Path(path), lambda reason: ask_units(self.window, reason))

    # ------------------------------------------------------------ never lose work

    def ask_save_changes(self, reason: str) -> str:
        """'save', 'discard' or 'cancel' for unsaved edits before `reason` (closing, opening another file)."""
        answer = os.environ.get(UNSAVED_ANSWER_ENV, "").strip().lower()
        if answer in ("save", "discard", "cancel"):
            return answer
        name = self.window.session.path.name if self.window.session.path else "The new plant"
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Unsaved changes", f"{name} has unsaved changes.", parent=self.window
        )
        box.setInformativeText(f"Save them before {reason}?")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        chosen = box.exec()
        return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
            QMessageBox.StandardButton(chosen), "cancel"
        )

    def confirm_discard(self, reason: str) -> bool:
        """True when it is fine to drop the open document: nothing unsaved, saved now, or the user said so."""
        if not self.window.session.modified:
            return True
        answer = self.ask_save_changes(reason)
        if answer == "save":
            return self.window.save()
        return answer == "discard"

    def ask_recover(self, entry: RecoveryEntry) -> bool:
        answer = os.environ.get(RECOVERY_ANSWER_ENV, "").strip().lower()
        if answer in ("recover", "discard"):
            return answer == "recover"
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Recover unsaved work",
            "MotherTwin closed unexpectedly while a plant had unsaved edits.",
            parent=self.window,
        )
        box.setInformativeText(f"Recover {entry.describe()}?")
        recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(recover)
        box.exec()
        return box.clickedButton() is recover

    def offer_recovery(self) -> bool:
        """At start: offer the work of a crashed session back; True when a document was recovered."""
        return self.recovery.offer(self.ask_recover)

    def _reload(self) -> None:
        path = self.window.session.path
        if path is not None:
            self.window.session.open(path)


def ask_deviation(parent: QWidget, needs: list[tuple[str, str]]) -> str | None:
    """Copy Exactly change control: why does the child line differ here? Who asks is the logged-in user."""
    what = "\n".join(f"  {equipment_id}: {field}" for equipment_id, field in needs[:8])
    more = f"\n  ... and {len(needs) - 8} more" if len(needs) > 8 else ""
    try:
        requester = f"Requested by {current_user()} (logged in)."
    except EditError as exc:
        requester = f"No requester: {exc}."
    reason, ok = QInputDialog.getText(
        parent, "Deviation from the mother line",
        f"This edit makes the child line differ from its mother:\n{what}{more}\n\n{requester}\nReason (recorded as a "
        "proposed deviation; leave empty to cancel the edit):",
    )  # fmt: skip
    if not ok or not reason.strip():
        return None
    return reason.strip()
