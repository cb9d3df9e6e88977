"""The compare window: mother and child side by side (cameras in step) or overlaid, the differences table,
the deviation register, and the conformance report. Logic lives in CompareController and viewer.compare."""

from __future__ import annotations

import html
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from pyvistaqt import QtInteractor

from viewer.compare.report import (
    ADDED,
    CHANGED_APPROVED,
    DRIFT,
    REMOVED,
    UNCHANGED,
    ConformanceReport,
    write_report,
)
from viewer.io import builtin_library
from viewer.io.atomic import atomic_write_text
from viewer.model import Deviation, DeviationStatus, Line, PlantDocument
from viewer.model.deviations import (
    AddDeviation,
    DecideDeviation,
    current_user,
    decision_refused,
    deviations_csv,
    next_deviation_id,
)
from viewer.model.edit import EditError
from viewer.model.geometry import equipment_world_matrices
from viewer.model.undo import Command, UndoStack
from viewer.scene.batch import COLORS, TypeMeshes
from viewer.scene.ghost import GHOST_OPACITY, ghost_mesh
from viewer.scene.plant_view import PlantView
from viewer.scene.report_pictures import report_pictures
from viewer.sensors.samples import SampleBuffer
from viewer.ui.compare.controller import REGISTER_COLUMNS, STATUS_FILTERS, CompareController, line_site
from viewer.ui.compare.outputs import OutputsPanel

ROW_COLUMNS = ("Kind", "Mother", "Child", "Field", "Mother value", "Child value", "Status")


class CompareWindow(QMainWindow):
    """Opened from Tools > Compare with mother line, or after cloning a line."""

    def __init__(
        self,
        mother: PlantDocument,
        mother_line: Line,
        child: PlantDocument,
        child_line: Line,
        undo: UndoStack | None = None,
        parent: QWidget | None = None,
        live_store: SampleBuffer | None = None,
    ) -> None:
        super().__init__(parent)
        self.live_store = live_store  # the window's sensor store, for comparing live outputs
        self.setWindowTitle(f"Compare {child_line.name} ({child_line.id}) with its mother {mother_line.id}")
        self.resize(1500, 900)
        self.library = builtin_library()
        self.controller = CompareController(mother, mother_line, child, child_line, self.library)
        self.undo = undo
        self._syncing = False
        self._build_views()
        self._build_table()
        self._build_deviations()
        self._build_toolbar()
        self.refresh()
        for view in (self.mother_view, self.child_view, self.overlay_view):
            view.set_view("iso", frame=view.batch.visible_bounds() if view.batch else None)
        self._sync_from(self.mother_view)
        if undo is not None:  # an undo or redo from the main window shows here too
            undo.history_changed.connect(self._on_history)

    # ------------------------------------------------------------ layout

    def _plant_view(self, document: PlantDocument, line: Line) -> tuple[QtInteractor, PlantView]:
        plotter = QtInteractor(self, auto_update=False)
        plotter.enable_terrain_style(mouse_wheel_zooms=True, shift_pans=False)
        view = PlantView(plotter)
        library = self.library.merged(document.types)
        view.show_site(document, library, line_site(document, line), meshes=TypeMeshes(library), labels=True)
        view.focus_line(line)
        return plotter, view

    def _build_views(self) -> None:
        c = self.controller
        self.mother_plotter, self.mother_view = self._plant_view(c.mother, c.mother_line)
        self.child_plotter, self.child_view = self._plant_view(c.child, c.child_line)
        self.overlay_plotter, self.overlay_view = self._plant_view(c.child, c.child_line)
        self._add_ghost()
        for plotter in (self.mother_plotter, self.child_plotter):
            plotter.iren.add_observer("InteractionEvent", self._on_camera_moved)
            plotter.iren.add_observer("EndInteractionEvent", self._on_camera_moved)
        side = QSplitter(Qt.Orientation.Horizontal)
        for title, plotter in ((f"Mother: {c.mother_line.name}", self.mother_plotter),
                               (f"Child: {c.child_line.name}", self.child_plotter)):  # fmt: skip
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(2, 2, 2, 2)
            layout.addWidget(QLabel(f"<b>{title}</b>"))
            layout.addWidget(plotter.interactor)
            side.addWidget(box)
        self.stack = QStackedWidget()
        self.stack.addWidget(side)
        self.stack.addWidget(self.overlay_plotter.interactor)
        self.setCentralWidget(self.stack)

    def _add_ghost(self) -> None:
        """The mother line, see-through, placed in the child's line frame: what should be there."""
        c = self.controller
        mother_site = line_site(c.mother, c.mother_line)
        paths = [p for p in c.mother.iter_equipment() if p.site is mother_site]
        matrices = equipment_world_matrices(c.mother, mother_site)
        keep = [i for i, p in enumerate(paths) if p.line is c.mother_line]
        mother_colors, _ = c.colors()
        library = self.library.merged(c.mother.types)
        removed = {k: v for k, v in mother_colors.items() if v == REMOVED}
        meshes = TypeMeshes(library)
        ghost = ghost_mesh([paths[i] for i in keep], c.ghost_matrices(matrices[keep]), meshes, removed, (170, 176, 186))
        if ghost.n_cells:
            self.overlay_plotter.add_mesh(ghost, scalars=COLORS, rgb=True, opacity=GHOST_OPACITY, name="mother-ghost",
                                          pickable=False, show_scalar_bar=False)  # fmt: skip

    def _build_table(self) -> None:
        self.table = QTableWidget(0, len(ROW_COLUMNS))
        self.table.setHorizontalHeaderLabels(ROW_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._on_row_selected)
        dock = QDockWidget("Differences", self)
        dock.setObjectName("differences-dock")
        dock.setWidget(self.table)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)

    def _build_deviations(self) -> None:
        box = QWidget()
        layout = QVBoxLayout(box)
        self.deviations = QTableWidget(0, len(REGISTER_COLUMNS))
        self.deviations.setHorizontalHeaderLabels(REGISTER_COLUMNS)
        self.deviations.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.deviations.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.deviations.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.deviations.horizontalHeader().setStretchLastSection(True)
        zone = self.controller.time_display.label
        for column in ("Requested at", "Approved at", "Last change"):
            header = self.deviations.horizontalHeaderItem(REGISTER_COLUMNS.index(column))
            header.setToolTip(f"In the child site's time ({zone}); the document keeps UTC")
        self.deviations.itemSelectionChanged.connect(self._show_trail)
        layout.addWidget(self.deviations)
        self.trail = QLabel()
        self.trail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.trail.setWordWrap(True)
        layout.addWidget(self.trail)
        buttons = QHBoxLayout()
        # clicked(bool) would hand its checked flag to the first optional argument: each slot is a lambda
        # without parameters.
        for text, slot in (("Propose for selected difference...", lambda: self.propose_deviation()),
                           ("Approve", lambda: self.decide(DeviationStatus.APPROVED)),
                           ("Reject", lambda: self.decide(DeviationStatus.REJECTED)),
                           ("Export CSV...", lambda: self.export_deviations())):  # fmt: skip
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.user_label = QLabel()
        buttons.addWidget(self.user_label)
        layout.addLayout(buttons)
        dock = QDockWidget("Deviation register", self)
        dock.setObjectName("deviations-dock")
        dock.setWidget(box)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.tabifyDockWidget(self.findChild(QDockWidget, "differences-dock"), dock)
        self.outputs = OutputsPanel(self.controller, self.live_store)
        outputs_dock = QDockWidget("Process outputs", self)
        outputs_dock.setObjectName("outputs-dock")
        outputs_dock.setWidget(self.outputs)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, outputs_dock)
        self.tabifyDockWidget(dock, outputs_dock)
        self.findChild(QDockWidget, "differences-dock").raise_()

    def _build_toolbar(self) -> None:
        bar = QToolBar("Compare")
        bar.setObjectName("compare-toolbar")
        self.addToolBar(bar)
        self.mode = QComboBox()
        self.mode.addItems(["Side by side", "Overlay (child over ghosted mother)"])
        self.mode.currentIndexChanged.connect(self.stack.setCurrentIndex)
        bar.addWidget(self.mode)
        self.kind_filter = QComboBox()
        self.kind_filter.addItems(self.controller.kinds())
        self.kind_filter.currentIndexChanged.connect(self._fill_table)
        bar.addWidget(self.kind_filter)
        self.status_filter = QComboBox()
        self.status_filter.addItems(STATUS_FILTERS)
        self.status_filter.currentIndexChanged.connect(self._fill_table)
        bar.addWidget(self.status_filter)
        report = QAction("Write report...", self)
        report.triggered.connect(lambda: self.write_report())  # not the checked flag as the path
        bar.addAction(report)
        self.summary = QLabel()
        self.statusBar().addPermanentWidget(self.summary)
        legend = " ".join(
            f"<span style='background:rgb{rgb}'>&nbsp;&nbsp;&nbsp;</span> {text}"
            for rgb, text in ((ADDED, "added"), (REMOVED, "removed"), (CHANGED_APPROVED, "approved"),
                              (DRIFT, "drift"), (UNCHANGED, "as the mother"))
        )  # fmt: skip
        self.statusBar().addWidget(QLabel(legend))

    # ------------------------------------------------------------ content

    def refresh(self) -> None:
        """Colour both lines by the current diff and fill the tables."""
        mother_colors, child_colors = self.controller.colors()
        for view, colors in ((self.mother_view, mother_colors), (self.child_view, child_colors),
                             (self.overlay_view, child_colors)):  # fmt: skip
            ids = [i for i in colors if view.batch.has_id(i)]
            if ids:
                view.batch.set_colors(view.batch.indices(ids), np.array([colors[i] for i in ids], dtype=np.uint8))
            view.plotter.render()
        if hasattr(self, "summary"):
            self.summary.setText(self.controller.summary())
        self._fill_table()
        self._fill_deviations()

    def _fill_table(self) -> None:
        kind = self.kind_filter.currentText() if hasattr(self, "kind_filter") else self.controller.kinds()[0]
        status = self.status_filter.currentText() if hasattr(self, "status_filter") else STATUS_FILTERS[0]
        self.rows = self.controller.rows(kind, status)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            values = (row.kind, row.mother_id, row.child_id, row.field, row.mother_value, row.child_value, row.status)
            for col, value in enumerate(values):
                self.table.setItem(r, col, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def _fill_deviations(self) -> None:
        """The register, each row's tooltip its whole trail; the selected deviation stays selected."""
        selected = self.selected_deviation()
        items = self.controller.child.deviations
        self.deviations.blockSignals(True)
        self.deviations.clearSelection()
        self.deviations.setRowCount(len(items))
        for r, d in enumerate(items):
            trail = self.controller.trail(d)
            for col, value in enumerate(self.controller.register_row(d)):
                item = QTableWidgetItem(value)
                item.setToolTip(trail)
                self.deviations.setItem(r, col, item)
        self.deviations.resizeColumnsToContents()
        ids = [d.id for d in items]
        if selected is not None and selected.id in ids:
            self.deviations.selectRow(ids.index(selected.id))
        self.deviations.blockSignals(False)
        self._show_trail()
        try:
            who = f"Logged in as <b>{html.escape(current_user())}</b>: you ask for and decide deviations as this user"
        except EditError as exc:
            who = f"<b>{html.escape(str(exc))}</b>"
        self.user_label.setText(who)

    def selected_deviation(self) -> Deviation | None:
        rows = {i.row() for i in self.deviations.selectedItems()}
        items = self.controller.child.deviations
        return items[min(rows)] if rows and min(rows) < len(items) else None

    def _show_trail(self) -> None:
        deviation = self.selected_deviation()
        self.trail.setText(
            self.controller.trail(deviation) if deviation else "Select a deviation to see every change of its status."
        )

    # ------------------------------------------------------------ selection and cameras

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _on_row_selected(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if not rows:
            return
        row = self.rows[min(rows)]
        for view, ident in ((self.mother_view, row.mother_id), (self.child_view, row.child_id),
                            (self.overlay_view, row.child_id)):  # fmt: skip
            if ident and view.batch.has_id(ident):
                index = view.batch.index_of(ident)
                view.highlight([index])
                view.fit_bounds(view.batch.bounds[index], margin=4.0)  # the machine and its neighbours
            else:
                view.highlight([])
        # The side without the equipment (added or removed) follows the other one's camera.
        if not row.mother_id:
            self._sync_from(self.child_view)
        else:
            self._sync_from(self.mother_view)
        for view in (self.mother_view, self.child_view, self.overlay_view):
            view.plotter.render()

    def _on_camera_moved(self, caller: object, _event: str) -> None:
        source = self.mother_view if caller is self.mother_plotter.iren.interactor else self.child_view
        self._sync_from(source)

    def _sync_from(self, source: PlantView) -> None:
        """Keep the other side looking at the same machines, each in its own line frame."""
        if self._syncing:
            return
        self._syncing = True
        try:
            if source is self.mother_view:
                self.child_view.apply_camera(self.controller.child_camera(self.mother_view.camera_state()))
                self.child_plotter.render()
            else:
                self.mother_view.apply_camera(self.controller.mother_camera(self.child_view.camera_state()))
                self.mother_plotter.render()
        finally:
            self._syncing = False

    # ------------------------------------------------------------ deviations

    def _on_history(self) -> None:
        self.controller.refresh()
        self.refresh()

    def _push(self, command: Command) -> bool:
        try:
            if self.undo is not None:
                self.undo.push(command)  # history_changed refreshes the window
            else:
                command.redo(self.controller.child)
                self._on_history()
        except EditError as exc:
            self._refuse(str(exc))
            return False
        return True

    def _refuse(self, message: str) -> None:
        self.statusBar().showMessage(message, 15000)
        QMessageBox.warning(self, "Deviation", message)

    def propose_deviation(self, reason: str | None = None) -> Deviation | None:
        """Record a proposed deviation for the selected difference (asks why; the logged-in user asks for it)."""
        rows = {i.row() for i in self.table.selectedItems()}
        if not rows:
            QMessageBox.information(self, "Deviation", "Select a difference first.")
            return None
        row = self.rows[min(rows)]
        try:
            user = current_user()
        except EditError as exc:
            self._refuse(str(exc))
            return None
        if reason is None:
            reason, ok = QInputDialog.getText(
                self, "Propose deviation", f"Why does {row.field} of {row.child_id or row.mother_id} differ from the "
                f"mother line?\n\nRequested by {user} (logged in); someone else approves it.",
            )  # fmt: skip
            if not ok or not reason.strip():
                return None
        command = AddDeviation(Deviation(next_deviation_id(self.controller.child), row.child_id or row.mother_id,
                                         row.field, row.mother_value, row.child_value, reason.strip()))  # fmt: skip
        return command.deviation if self._push(command) else None

    def decide(self, status: DeviationStatus, note: str | None = None) -> bool:
        """Approve or reject the selected deviation as the logged-in user (asks for an optional note). The one who
        asked for it is refused, here and by the command itself."""
        deviation = self.selected_deviation()
        if deviation is None:
            QMessageBox.information(self, "Deviation", "Select a deviation in the register first.")
            return False
        try:
            user = current_user()
        except EditError as exc:
            self._refuse(str(exc))
            return False
        refused = decision_refused(deviation, status, user)
        if refused:
            self._refuse(refused)
            return False
        if note is None:
            verb = "Approve" if status == DeviationStatus.APPROVED else "Reject"
            note, ok = QInputDialog.getText(
                self, f"{verb} {deviation.id}", f"{verb} {deviation.id} ({deviation.field} of "
                f"{deviation.equipment_id}, requested by {deviation.requested_by}) as {user}.\n\nNote (optional):",
            )  # fmt: skip
            if not ok:
                return False
        return self._push(DecideDeviation(deviation.id, status, note.strip()))

    def export_deviations(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "Export deviations", "deviations.csv", "CSV (*.csv)")
            if not name:
                return
            path = Path(name)
        atomic_write_text(path, deviations_csv(self.controller.child))

    def write_report(self, path: Path | None = None) -> None:
        """The conformance report to sign, as `mothertwin diff --report` writes it: PDF or HTML by the suffix."""
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self, "Conformance report", "conformance.pdf", "PDF (*.pdf);;HTML (*.html)"
            )
            if not name:
                return
            path = Path(name)
        c = self.controller
        report = ConformanceReport(c.result, c.child, c.mother, tolerances=c.tolerances, generated_at=time.time())
        report.mother_picture, report.child_picture = report_pictures(report, self.library)
        try:
            write_report(path, report)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Conformance report", f"{path}: the report was not written: {exc}")

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802
        if self.undo is not None:
            self.undo.history_changed.disconnect(self._on_history)
        for plotter in (self.mother_plotter, self.child_plotter, self.overlay_plotter):
            plotter.close()
        super().closeEvent(event)
