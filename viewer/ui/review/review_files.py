"""The Review menu's files: BCF in and out, the review report; and the review parts joined up (the markup
editor on the dock's Markup button, presentation mode restoring clipping box, colour-by and replay time).

A BCF import is one undo step that merges by topic GUID; what the file held that could not be used goes to the
Messages dock, one line each, with its place in the file. Nothing is written beside the open plant: exports and
reports go where the user chooses, atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QDate, QObject, QSettings, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMenuBar,
    QStatusBar,
    QWidget,
)

from viewer.app.document import Message, Severity
from viewer.app.review_view import RestoredExtras
from viewer.io import PlantFileError
from viewer.model.review import TopicStatus
from viewer.ui.review.markup_editor import edit_markup
from viewer.ui.review.viewpoints import restore_extras

if TYPE_CHECKING:
    from viewer.ui.document import DocumentSession
    from viewer.ui.review.presentation_menu import PresentationUi
    from viewer.ui.review.review_ui import ReviewUi

BCF_FILTER = "BCF files (*.bcf *.bcfzip);;All files (*)"
EXPORT_FILTERS = {"BCF 2.1 (*.bcf)": "2.1", "BCF 3.0 (*.bcf)": "3.0"}
REPORT_FILTER = "PDF report (*.pdf);;HTML report (*.html)"


class ReviewFilesHost(Protocol):
    session: DocumentSession
    settings: QSettings
    review: ReviewUi
    presentation: PresentationUi

    def _report(self, messages: list[Message]) -> None: ...
    def menuBar(self) -> QMenuBar: ...  # noqa: N802
    def statusBar(self) -> QStatusBar: ...  # noqa: N802


class ReportDialog(QDialog):
    """What goes in a review report: which topics (by status), who was there, the meeting's date and title."""

    def __init__(self, path: Path, participants: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Review Report")
        self.path_edit = QLineEdit(str(path))
        browse = QHBoxLayout()
        browse.addWidget(self.path_edit)
        self.status_boxes = {status: QCheckBox(str(status)) for status in TopicStatus}
        statuses = QHBoxLayout()
        for status, box in self.status_boxes.items():
            box.setChecked(not status.is_done)
            statuses.addWidget(box)
        self.participants_edit = QLineEdit(participants)
        self.participants_edit.setPlaceholderText("Kim Minjun, J. Miller, …")
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Layout review: the site (default)")
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        form = QFormLayout(self)
        form.addRow("File:", browse)
        form.addRow("Topics:", statuses)
        form.addRow("Participants:", self.participants_edit)
        form.addRow("Title:", self.title_edit)
        form.addRow("Meeting date:", self.date_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def statuses(self) -> list[str]:
        return [str(status) for status, box in self.status_boxes.items() if box.isChecked()]

    def meeting_date(self) -> date:
        return date.fromisoformat(self.date_edit.date().toString("yyyy-MM-dd"))


class ReviewFiles(QObject):
    def __init__(self, window: ReviewFilesHost) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self.window = window
        self.last_dialog: ReportDialog | None = None
        self.import_action = self._action(
            "&Import BCF…", self.choose_and_import,
            "Merge the topics of a BCF file (BIMcollab, Solibri, …) by their GUID",
        )  # fmt: skip
        self.export_action = self._action(
            "&Export BCF…", self.choose_and_export, "The review topics as a BCF 2.1 or 3.0 file for other BCF tools"
        )
        self.report_action = self._action(
            "Review &Report…", self.choose_and_write_report,
            "What the meeting leaves with: a page per topic, the actions (PDF or HTML)",
        )  # fmt: skip
        menu = window.review.menu
        menu.addSeparator()
        menu.addActions([self.import_action, self.export_action, self.report_action])
        present = getattr(window.presentation, "topics_action", None)
        if isinstance(present, QAction):
            menu.addSeparator()
            menu.addAction(present)
        # The parts joined up: the dock's Markup button, and slides restoring what the window holds.
        window.review.set_markup_editor(self.edit_markup)
        window.presentation.restore_extras = self._restore_extras
        window.session.document_changed.connect(lambda _d: self._update_actions())
        window.session.document_closed.connect(self._update_actions)
        self._update_actions()

    def _restore_extras(self, extras: RestoredExtras) -> None:
        missed = restore_extras(self.window, extras)  # type: ignore[arg-type]
        if missed:
            self.window.statusBar().showMessage(f"not restored: {'; '.join(missed)}", 8000)

    def _action(self, text: str, slot: object, tip: str) -> QAction:
        action = QAction(text, self.window)  # type: ignore[arg-type]
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())  # type: ignore[operator]
        return action

    def _update_actions(self) -> None:
        has = self.window.session.document is not None
        for action in (self.import_action, self.export_action, self.report_action):
            action.setEnabled(has)

    def _start_folder(self) -> Path:
        path = self.window.session.path or self.window.session.imported_from
        return path.parent if path else Path.home()

    def _stem(self) -> str:
        path = self.window.session.path or self.window.session.imported_from
        return path.name.split(".")[0] if path else "plant"

    def _say(self, severity: Severity, text: str, file: Path | str = "", where: str = "") -> None:
        self.window._report([Message(severity, text, str(file), where)])

    # ------------------------------------------------------------ markup

    def edit_markup(self, guid: str) -> tuple[object, ...] | None:
        """The markup editor on a topic's first snapshot; OK keeps the strokes as one undoable edit."""
        review = self.window.review
        topic = review.topic(guid)
        if topic is None or not topic.viewpoints:
            return None
        png = review.snapshot_png(topic.viewpoints[0].snapshot)
        if png is None:
            self.window.statusBar().showMessage(f"#{topic.number} has no snapshot to draw on", 6000)
            return None
        shapes = edit_markup(self.window, png, topic.viewpoints[0].markup)  # type: ignore[arg-type]
        if shapes is not None:
            review.set_markup(guid, shapes)
        return shapes

    # ------------------------------------------------------------ BCF

    def choose_and_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import BCF", str(self._start_folder()), BCF_FILTER)  # type: ignore[arg-type]
        if path:
            self.import_bcf(Path(path))

    def import_bcf(self, path: Path) -> bool:
        """Merge a BCF file's topics into the open plant (one undo step); False when nothing could be read."""
        from viewer.review.bcf_merge import merge_bcf
        from viewer.review.bcf_read import read_bcf

        document = self.window.session.document
        if document is None:
            return False
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            imported = read_bcf(path, document)
        except PlantFileError as exc:
            self.window._report([Message.from_problem(p) for p in exc.problems])
            self._say(Severity.ERROR, "BCF not imported: the open plant is unchanged", path)
            return False
        except OSError as exc:
            self._say(Severity.ERROR, f"BCF not imported: {exc.strerror or exc}", path)
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        merged = merge_bcf(document, imported)
        for where, why in imported.skipped:
            self._say(Severity.WARNING, f"skipped: {why}", path, where)
        added, updated = len(merged.added), len(merged.updated)
        summary = (f"BCF {imported.version}: {len(imported.topics)} topics read, {added} added, {updated} updated, "
                   f"{merged.unchanged} unchanged, {len(imported.skipped)} skipped")  # fmt: skip
        if merged.command is not None:
            merged.command.text = f"Review: import {path.name} ({added} added, {updated} updated)"
            self.window.review._push(merged.command)
            self.window.review.show_dock()
        else:
            summary += ": nothing changed"
        self._say(Severity.INFO, summary, path)
        self.window.statusBar().showMessage(summary, 8000)
        return True

    def choose_and_export(self) -> None:
        start = str(self._start_folder() / f"{self._stem()}-review.bcf")
        path, chosen = QFileDialog.getSaveFileName(self.window, "Export BCF", start, ";;".join(EXPORT_FILTERS))  # type: ignore[arg-type]
        if path:
            self.export_bcf(Path(path), EXPORT_FILTERS.get(chosen, "2.1"))

    def export_bcf(self, path: Path, version: str = "2.1") -> bool:
        from viewer.review.bcf_write import export_bcf

        document = self.window.session.document
        if document is None:
            return False
        if not document.review.topics:
            self._say(Severity.WARNING, "BCF not exported: the plant has no review topics", path)
            return False
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            summary = export_bcf(document, path, version)
        except (OSError, ValueError) as exc:
            reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
            self._say(Severity.ERROR, f"BCF not exported: {reason}", path)
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        for note in summary.notes:
            self._say(Severity.INFO, note, path)
        said = f"exported BCF {summary.version}: {summary.topics} topics, {summary.viewpoints} viewpoints"
        self._say(Severity.INFO, said, path)
        self.window.statusBar().showMessage(f"{said} to {path}", 8000)
        return True

    # ------------------------------------------------------------ the report

    def choose_and_write_report(self) -> None:
        if self.window.session.document is None:
            return
        participants = str(self.window.settings.value("review/participants", "") or "")
        dialog = ReportDialog(self._start_folder() / f"{self._stem()}-review.pdf", participants, self.window)  # type: ignore[arg-type]
        self.last_dialog = dialog
        if not dialog.exec():
            return
        self.window.settings.setValue("review/participants", dialog.participants_edit.text())
        self.write_report(
            Path(dialog.path_edit.text()),
            statuses=dialog.statuses(),
            participants=dialog.participants_edit.text(),
            title=dialog.title_edit.text(),
            meeting_date=dialog.meeting_date(),
        )

    def write_report(
        self,
        path: Path,
        *,
        statuses: Sequence[str] = (),
        participants: str = "",
        title: str = "",
        meeting_date: date | None = None,
    ) -> bool:
        """The review report of the open plant, its topics of these statuses (none: all), PDF or HTML by the
        suffix; topics without a snapshot get a picture rendered from their viewpoint."""
        from viewer.scene.review_pictures import write_review_report_with_pictures

        session = self.window.session
        if session.document is None or session.library is None:
            return False
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            written = write_review_report_with_pictures(
                session.document,
                session.library,
                path,
                statuses=list(statuses),
                participants=participants,
                title=title,
                meeting_date=meeting_date,
                plant_file=str(session.path or session.imported_from or ""),
            )
        except (OSError, ValueError) as exc:
            reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
            self._say(Severity.ERROR, f"review report not written: {reason}", path)
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._say(Severity.INFO, "review report written", written)
        self.window.statusBar().showMessage(f"Review report written to {written}", 8000)
        return True


def install_review_files(window: ReviewFilesHost) -> ReviewFiles:
    """Review > Import BCF, Export BCF, Review Report; the markup editor and presentation joined to the dock."""
    return ReviewFiles(window)
