"""The main window: 3D view in the centre, plant tree, inspector, messages and viewpoints around it.

This module lays out widgets and connects them. What is selected, hidden or looked at lives in the ViewState;
the open file in the DocumentSession; the 3D view is driven by the SceneController.
Its File and View menus and main toolbar are built in `menus`, opening in the background is
`document.opening`; each feature package installs its own menus and docks at the end of `__init__`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QPointF, QRect, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabBar,
    QToolBar,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from viewer.app.document import Message, Severity, push_recent
from viewer.app.view_state import ViewState
from viewer.io import Problem
from viewer.model import EquipmentLibrary, PlantDocument
from viewer.model.edit import AddViewpoint, RemoveViewpoint
from viewer.model.site_choice import opening_site
from viewer.model.undo import Command
from viewer.model.views import Viewpoint
from viewer.scene.render import save_png
from viewer.ui.compare import install_mother_line_menu
from viewer.ui.document import (
    DocumentSession,
    ExportImageDialog,
    ExportRequest,
    MessagesDock,
    PlantOpening,
    install_file_actions,
)
from viewer.ui.edit import EditingUi
from viewer.ui.explore import InspectorDock, LibraryDock, PlantTreeDock, SiteBox, ViewpointsDock, selection_sections
from viewer.ui.formats import install_format_actions
from viewer.ui.help import install_help_menu
from viewer.ui.menus import build_actions, build_menus_and_toolbar
from viewer.ui.review import install_presentation, install_review_files, install_review_ui
from viewer.ui.scene_controller import SceneController
from viewer.ui.session import install_session_ui
from viewer.ui.view_widget import ViewWidget
from viewer.ui.viewport_input import ViewportInput

ORGANIZATION = "MotherTwin"
APPLICATION = "MotherTwin"
FILE_FILTER = "Plant documents (*.mtplant.json *.json);;All files (*)"
MAX_PROBLEMS_IN_DIALOG = 8


class MainWindow(QMainWindow):
    # Made by menus.build_actions and build_menus_and_toolbar; the feature packages place theirs beside them.
    open_action: QAction
    save_action: QAction
    save_as_action: QAction
    export_action: QAction
    quit_action: QAction
    fit_action: QAction
    home_action: QAction
    view_actions: dict[str, QAction]
    xray_action: QAction
    axes_action: QAction
    clip_action: QAction
    show_all_action: QAction
    clear_selection_action: QAction
    recent_menu: QMenu
    toolbar: QToolBar
    site_separator: QAction
    site_label_action: QAction
    site_combo_action: QAction
    closed = Signal()  # closed for good (not a close refused for unsaved edits): features stop their work

    def __init__(
        self,
        settings: QSettings | None = None,
        library: EquipmentLibrary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)
        self.state = ViewState()
        self.session = DocumentSession(library)
        self.last_error_box: QMessageBox | None = None
        self._site_of: dict[str, str] = {}  # equipment id -> site id of the open document
        self.setWindowTitle(APPLICATION)
        self.setDockNestingEnabled(True)

        self.plotter = ViewWidget(self)
        # Z stays up: a plant has a floor. Middle-drag pans; Shift-drag is box selection and the wheel zooms
        # towards the cursor (both handled by ViewportInput, not by the style).
        self.plotter.enable_terrain_style(mouse_wheel_zooms=True, shift_pans=False)
        self.plotter.add_axes()
        frame = QFrame()
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plotter)
        self.setCentralWidget(frame)
        self.scene = SceneController(self.plotter, self.state, self)
        self.input = ViewportInput(self.plotter)

        self.tree_dock = PlantTreeDock(self)
        self.inspector = InspectorDock(self)
        self.messages = MessagesDock(self)
        self.viewpoints = ViewpointsDock(self)
        self.library_dock = LibraryDock(self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.tree_dock)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.library_dock)
        self.tabifyDockWidget(self.tree_dock, self.library_dock)
        self.tree_dock.raise_()
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.inspector)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.viewpoints)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.messages)
        self.tabifyDockWidget(self.inspector, self.viewpoints)
        self.inspector.raise_()

        self.site_combo = QComboBox()
        self.site_combo.setMinimumContentsLength(24)
        self.site_combo.setToolTip("Site shown in the 3D view")
        self.site_box = SiteBox(self.site_combo)  # its texts: equipment and layout problems per site
        build_actions(self)  # File and View (menus.py), as attributes: open_action, fit_action...
        build_menus_and_toolbar(self)
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        # Opening in the background: progress and Cancel in the status bar, the tree in slices, the hand-over.
        self.plant_opening = PlantOpening(self)
        self.load_label = self.plant_opening.label
        self.load_progress = self.plant_opening.progress_bar
        self.load_cancel = self.plant_opening.cancel_button
        self._connect()

        self.resize(1600, 960)
        self.resizeDocks([self.tree_dock, self.inspector], [360, 380], Qt.Orientation.Horizontal)
        self.resizeDocks([self.messages], [120], Qt.Orientation.Vertical)
        self._update_actions()
        self.editing = EditingUi(self)  # undo, drag, snap, checks, measure, autosave and recovery
        install_mother_line_menu(self)  # clone a line to a child site, compare a child with its mother
        from viewer.ui.sensors import install_sensor_ui  # live and replayed sensor state (its own module)

        install_sensor_ui(self)
        # Importer plugins open files through the plugins the window has (Tools > Plugins).
        self.session.registry_source = lambda: self.sensor_ui.controller.plugins.registry
        self.file_actions = install_file_actions(self)  # File > New, File > Close
        self.formats = install_format_actions(self)  # File > Import, File > Export Plant As (format plugins)
        self.review = install_review_ui(self)  # Review menu and dock, topic pins in the 3D view
        self.presentation = install_presentation(self)  # View > Presentation Mode: topics or viewpoints as slides
        self.review_files = install_review_files(self)  # Review > Import/Export BCF, Review Report; markup
        self.help_menu = install_help_menu(self)  # Help > User Guide, Keyboard Shortcuts, About
        install_session_ui(self)  # Session menu and dock: follow a leader's view, pointers, topics for all
        self._restore_window()  # once every feature's dock exists, so each gets back where the user left it
        self._strays_hidden = False
        self.startup: object | None = None  # what `mothertwin open` asked for besides the plant (app.py)

    # ------------------------------------------------------------ connecting

    def _connect(self) -> None:
        self.session.document_changed.connect(self._on_document)
        self.session.messages_reported.connect(self._report)
        self.session.open_failed.connect(self._show_open_error)
        self.state.active_site_changed.connect(self._on_active_site)
        self.state.selection_changed.connect(self._on_selection)
        self.state.visibility_changed.connect(self._on_visibility)
        self.state.xray_changed.connect(lambda on: self.xray_action.setChecked(on))
        self.tree_dock.selection_requested.connect(self.select_ids)
        self.tree_dock.focus_requested.connect(self.focus_ids)
        self.tree_dock.hide_requested.connect(self.state.hide)
        self.tree_dock.show_requested.connect(self.state.show)
        self.tree_dock.isolate_requested.connect(self.state.isolate)
        self.tree_dock.show_all_requested.connect(self.state.show_all)
        self.viewpoints.save_requested.connect(self._save_viewpoint)
        self.viewpoints.go_requested.connect(self.go_to_viewpoint)
        self.viewpoints.delete_requested.connect(lambda name: self._apply(RemoveViewpoint(name)))
        self.input.wheel_zoomed.connect(
            lambda pos, steps: self.scene.zoom_at(pos, self.plotter.height(), self.plotter.devicePixelRatioF(), steps)
        )
        self.input.box_selected.connect(self._on_box)
        self.input.clicked.connect(self._on_click)
        self.input.double_clicked.connect(self._on_double_click)
        self.input.hovered.connect(self._on_hover)
        self.input.hover_ended.connect(QToolTip.hideText)
        self.site_combo.activated.connect(lambda i: self.state.set_active_site(self.site_combo.itemData(i)))

    # ------------------------------------------------------------ files

    def open_file(self, path: Path) -> bool:
        """Open a plant document; on failure the open one stays and the problems are shown."""
        if hasattr(self, "editing") and not self.editing.confirm_discard("opening another file"):
            return False
        return self.session.open(Path(path))

    def choose_and_open(self) -> None:
        start = str(self.session.path.parent) if self.session.path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open plant document", start, FILE_FILTER)
        if path:
            self.start_open(Path(path))

    # ------------------------------------------------------------ opening in the background (document.opening)

    def start_open(self, path: Path, site: str | None = None) -> None:
        """Open a plant without blocking the window: a thread prepares it, the status bar shows progress and
        a Cancel button; the open plant stays until the new one is ready (or for good, when cancelled).
        It opens on `site` (id or name) when the plant has it, else on the mother site."""
        self.plant_opening.start(path, site)

    @property
    def opening(self) -> bool:
        """From Open until the new plant is fully drawn (the steps after the hand-over included)."""
        return self.plant_opening.busy

    def cancel_open(self) -> None:
        self.plant_opening.cancel()

    def save(self) -> bool:
        if self.session.document is None:
            return False
        if self.session.path is None:
            return self.save_as()
        return self._save_to(self.session.path)

    def save_as(self) -> bool:
        if self.session.document is None:
            return False
        source = self.session.imported_from
        start = str(
            self.session.path or (source.with_name(f"{source.stem}.mtplant.json") if source else "plant.mtplant.json")
        )
        path, _ = QFileDialog.getSaveFileName(self, "Save plant document as", start, FILE_FILTER)
        return self._save_to(Path(path)) if path else False

    def _save_to(self, path: Path) -> bool:
        try:
            saved = self.session.save(path)
        except (OSError, ValueError) as exc:
            reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
            self._report([Message(Severity.ERROR, f"not saved: {reason}", str(path))])
            box = QMessageBox(QMessageBox.Icon.Warning, "Save failed", f"Not saved to\n{path}", parent=self)
            box.setInformativeText(f"{reason}.\n\nYour edits are still open here: save to another folder.")
            box.open()  # not exec(): the window stays usable, and tests can read the box
            self.last_error_box = box
            return False
        self._remember_recent(saved)
        self._update_title()
        self.statusBar().showMessage(f"Saved {saved}", 5000)
        return True

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        if isinstance(value, str):  # an INI file gives back a single entry as a string
            value = [value]
        return [str(v) for v in value or []]

    def _remember_recent(self, path: Path) -> None:
        self.settings.setValue("recent_files", push_recent(self.recent_files(), str(Path(path).resolve())))

    def choose_and_export(self) -> None:
        if self.scene.view.site is None:
            return
        stem = self.session.path.name.split(".")[0] if self.session.path else "plant"
        start = (self.session.path.parent if self.session.path else Path.home()) / f"{stem}-view.png"
        dialog = ExportImageDialog(start, (1920, 1080), self)
        if dialog.exec():
            self.export_image(dialog.request())

    def export_image(self, request: ExportRequest) -> bool:
        try:
            session, size = self.session, request.size
            image = self.scene.snapshot(session.document, session.library, session.meshes, size, request.transparent)
            save_png(image, request.path)
        except (OSError, ValueError) as exc:
            self._report([Message(Severity.ERROR, f"image not exported: {exc}", str(request.path))])
            return False
        self._report(
            [Message(Severity.INFO, f"exported {request.size[0]} × {request.size[1]} image", str(request.path))]
        )
        self.statusBar().showMessage(f"Exported {request.path}", 5000)
        return True

    # ------------------------------------------------------------ reacting to the session and the view state

    def _on_document(self, document: PlantDocument) -> None:
        # Nothing selected, hidden or looked at; not ViewState.reset, whose "no site" in between would clear
        # the 3D view and start whatever follows the shown site (the layout checks) for no site.
        self.state.clear_selection()
        self.state.show_all()
        self.state.set_camera(None)
        prepared = self.session.prepared  # what a loading thread made of this document, if it came from one
        if prepared is not None and prepared.tree is not None:
            self.tree_dock.adopt_model(prepared.tree)
        else:
            self.tree_dock.set_document(document, self.session.library)
        self.library_dock.set_library(self.session.library, self.session.meshes)
        # Straight through the hierarchy: iter_equipment makes a path object per equipment, twice over.
        self._site_of, equipment = {}, 0
        self.site_box.clear()
        for site in document.sites:
            ids = [e.id for a in site.areas for li in a.lines for c in li.cells for e in c.equipment]
            self._site_of.update(dict.fromkeys(ids, site.id))
            equipment += len(ids)
            self.site_box.add(site, len(ids))
        self.show_site_chooser(len(document.sites) > 1)
        self._show_viewpoints()
        undo = getattr(self.session, "undo", None)
        if undo is not None and hasattr(undo, "history_changed"):
            undo.history_changed.connect(self._show_viewpoints)  # an undone viewpoint leaves the list too
        first = prepared.site if prepared is not None else opening_site(document)
        site_id = first.id if first is not None else None
        if site_id == self.state.active_site:
            self.state.active_site_changed.emit(site_id)  # the same id in another document: show it again
        else:
            self.state.set_active_site(site_id)
        if self.session.path is not None:
            self._remember_recent(self.session.path)
        self._update_title()
        self._update_actions()
        self._report(
            [
                Message(
                    Severity.INFO,
                    f"opened: {equipment} equipment, {len(document.sites)} sites",
                    str(self.session.path or ""),
                )
            ]
        )

    def show_site_chooser(self, several: bool) -> None:
        """The toolbar's site chooser, shown when there is more than one site to choose from."""
        for action in (self.site_separator, self.site_label_action, self.site_combo_action):
            action.setVisible(several)

    def _on_active_site(self, site_id: str | None) -> None:
        document = self.session.document
        site = next((s for s in document.sites if s.id == site_id), None) if document else None
        self.state.set_camera(None)  # a camera from another site frames nothing useful
        self.state.select([i for i in self.state.selection if self._site_of.get(i) == site_id])
        if document is None or self.session.library is None or self.session.meshes is None:
            return
        prepared = self.session.prepared_for(site)
        # A plant from the loading thread is drawn in steps: boxes first, then its meshes in slices.
        self.scene.show_site(
            document,
            self.session.library,
            site,
            self.session.meshes,
            batch=prepared.batch if prepared else None,
            stepped=prepared is not None,
            pieces=prepared.pieces if prepared else None,
        )
        self._report(self.session.take_mesh_warnings())
        index = self.site_combo.findData(site_id)
        if index >= 0:
            self.site_combo.setCurrentIndex(index)
        self._update_status()

    def _on_selection(self, ids: tuple[str, ...]) -> None:
        self.tree_dock.show_selection(ids)
        paths = [p for p in (self.scene.path_of(i) for i in ids) if p is not None]
        heading = paths[0].equipment.name if len(paths) == 1 else f"{len(paths)} equipment selected"
        if self.session.document is not None and self.session.library is not None:
            self.inspector.set_sections(heading, selection_sections(paths, self.session.library, self.session.document))
        self._update_status()

    def _on_visibility(self) -> None:
        self.tree_dock.show_visibility(self.state.hides)
        self._update_status()

    def _show_viewpoints(self) -> None:
        document = self.session.document
        self.viewpoints.set_viewpoints(document.viewpoints if document is not None else [])

    def _report(self, messages: list[Message]) -> None:
        self.messages.add_messages(messages)
        if any(m.severity != Severity.INFO for m in messages):
            self.messages.show()
            self.messages.raise_()

    def _show_open_error(self, path: str, problems: list[Problem]) -> None:
        kept = f"The plant that was open ({self.session.path.name}) stays open." if self.session.path else ""
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Cannot open plant file", f"{path} could not be opened ({count}).", parent=self
        )
        shown = [f"• {p.where}: {p.message}" for p in problems[:MAX_PROBLEMS_IN_DIALOG]]
        if len(problems) > MAX_PROBLEMS_IN_DIALOG:
            shown.append(f"… and {len(problems) - MAX_PROBLEMS_IN_DIALOG} more (see the Messages panel)")
        box.setInformativeText("\n".join([*shown, "", kept]).strip())
        box.setDetailedText("\n".join(str(p) for p in problems))
        box.open()  # not exec(): the window stays responsive, and tests can read the box
        self.last_error_box = box

    def show_no_plant(self) -> None:
        """Every part of the window back to "no plant open" (File > Close)."""
        self.editing.edits.cancel_drag()
        self.editing.measure.clear()
        self.editing.disk_bar.hide()
        self.state.clear_selection()
        self.state.show_all()
        self.state.set_camera(None)
        self.state.set_active_site(None)  # the checks follow: nothing to check
        self.scene.show_site(None, None, None, None)  # type: ignore[arg-type]  # no site: an empty 3D view
        self._site_of = {}
        self.site_box.clear()
        for action in (self.site_separator, self.site_label_action, self.site_combo_action):
            action.setVisible(False)
        self.tree_dock.set_document(None, None)
        self.library_dock.set_library(None, None)
        self.viewpoints.set_viewpoints([])
        self.inspector.set_sections("", [])
        self.editing._update_history()  # undo and redo off, the title without a name
        self._update_actions()
        self._update_status()

    # ------------------------------------------------------------ selection and the 3D view

    def select_ids(self, ids: list[str]) -> None:
        """Select equipment by id; selecting equipment of another site switches to that site."""
        if ids and self._site_of.get(ids[0]) not in (None, self.state.active_site):
            self.state.set_active_site(self._site_of[ids[0]])
        self.state.select([i for i in ids if self._site_of.get(i) == self.state.active_site])

    def equipment_site(self, equipment_id: str) -> str | None:
        """The id of the site an equipment of the open plant is at; None for an id it does not hold."""
        return self._site_of.get(equipment_id)

    def focus_ids(self, ids: list[str]) -> None:
        self.select_ids(ids)
        self.scene.fit_ids(ids)

    def _picked(self, pos: QPointF) -> str | None:
        x, y = self.scene.display_point(pos, self.plotter.height(), self.plotter.devicePixelRatioF())
        return self.scene.pick_id(x, y)

    def _on_click(self, pos: QPointF, additive: bool) -> None:
        picked = self._picked(pos)
        if picked is None:
            if not additive:
                self.state.clear_selection()
        elif additive:
            self.state.toggle_selected(picked)
        else:
            self.state.select([picked])

    def _on_double_click(self, pos: QPointF) -> None:
        picked = self._picked(pos)
        if picked is not None:
            self.focus_ids([picked])

    def _on_hover(self, pos: QPointF) -> None:
        picked = self._picked(pos)
        path = self.scene.path_of(picked) if picked else None
        if path is None:
            QToolTip.hideText()
            return
        library = self.session.library
        title = (
            library[path.equipment.type].title if library and path.equipment.type in library else path.equipment.type
        )
        QToolTip.showText(
            self.plotter.mapToGlobal(pos.toPoint()),
            f"<b>{path.equipment.name}</b><br>{title}<br><span style='color:gray'>{path.equipment.id}</span>",
            self.plotter,
        )

    def set_axes(self, on: bool) -> None:
        if on:
            self.plotter.show_axes()
        else:
            self.plotter.hide_axes()
        self.scene.request_render()

    def _save_viewpoint(self, name: str) -> None:
        """Viewpoints live in the plant document (saved with it, shared with whoever opens the file)."""
        site = self.state.active_site if self.session.document and len(self.session.document.sites) > 1 else ""
        self._apply(AddViewpoint(Viewpoint(name, self.scene.view.camera_state(), site or "")))

    def go_to_viewpoint(self, name: str) -> None:
        document = self.session.document
        viewpoint = next((v for v in document.viewpoints if v.name == name), None) if document else None
        if viewpoint is None:
            return
        if viewpoint.site and viewpoint.site != self.state.active_site:
            self.state.set_active_site(viewpoint.site)
        self.state.set_camera(viewpoint.camera)

    def _apply(self, command: Command) -> None:
        """An edit of the document: on the session's undo stack when it has one, else applied directly."""
        if self.session.document is None:
            return
        undo = getattr(self.session, "undo", None)
        if undo is not None:
            undo.push(command)
        else:
            command.redo(self.session.document)
            self.session.document_modified = True
        self._show_viewpoints()

    def _on_box(self, rect: QRect, additive: bool) -> None:
        corners = QPointF(rect.topLeft()), QPointF(rect.bottomRight())
        ids = self.scene.ids_in_rect(*corners, self.plotter.height(), self.plotter.devicePixelRatioF())
        if additive:
            self.state.add_to_selection(ids)
        else:
            self.state.select(ids)

    # ------------------------------------------------------------ window chrome

    def _update_title(self) -> None:
        path = self.session.path
        marker = "*" if self.session.modified else ""  # unsaved edits
        source = self.session.imported_from
        untitled = self.session.untitled_name or (f"{source.name} (imported, not saved)" if source else "Untitled")
        name = path.name if path else untitled if self.session.document is not None else ""
        self.setWindowTitle(f"{name}{marker} — {APPLICATION}" if name else APPLICATION)
        self.setWindowFilePath(str(path) if path else "")

    def _update_actions(self) -> None:
        has_document = self.session.document is not None
        for action in (
            self.save_action,
            self.save_as_action,
            self.export_action,
            self.fit_action,
            self.home_action,
            *self.view_actions.values(),
            self.xray_action,
        ):
            action.setEnabled(has_document)

    def _update_status(self) -> None:
        batch, site = self.scene.view.batch, self.scene.view.site.name if self.scene.view.site else ""
        if batch is None:
            self.status_label.setText(f"{site}  ·  no equipment yet  " if site else "No plant open  ")
            return
        shown = int(batch.visible.sum())
        parts = [site, f"{len(batch)} equipment" if shown == len(batch) else f"{shown} of {len(batch)} equipment shown"]
        if self.state.selection:
            parts.append(f"{len(self.state.selection)} selected")
        self.status_label.setText("  ·  ".join(parts) + "  ")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._strays_hidden:
            self._strays_hidden = True
            self.hide_stray_tab_bars()

    def hide_stray_tab_bars(self) -> int:
        """Hide the dock tab bars the layout does not use; returns how many.

        Qt (6.11) leaves a spare tab bar behind for each dock group tabified, or restored from the settings,
        before the window is first shown, and shows it with the window: stray tabs over the 3D view, the
        toolbar and the status bar. A tab bar in use sits right against the dock of its current tab."""
        docks = {dock.windowTitle(): dock for dock in self.findChildren(QDockWidget)}
        hidden = 0
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if not bar.isVisible():
                continue
            dock = docks.get(bar.tabText(bar.currentIndex()))
            if dock is not None and dock.isVisible() and not dock.isFloating():
                tabs, rect = bar.geometry(), dock.geometry()
                beside = tabs.top() == rect.bottom() + 1 or tabs.bottom() + 1 == rect.top()
                if beside and tabs.left() == rect.left() and tabs.width() == rect.width():
                    continue
            bar.hide()
            hidden += 1
        return hidden

    def _restore_window(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.cancel_open()
        if not self.editing.confirm_discard("closing"):
            event.ignore()
            return
        self.editing.recovery.discard()  # a clean close leaves nothing to recover
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        self.closed.emit()  # before the view goes: features may still take their drawings out of it
        self.scene.close()
        self.plotter.close()  # releases the OpenGL context while the window still exists
        super().closeEvent(event)
