"""File > Import… and File > Export Plant As…: other plant formats in and out through the importer and exporter
plugins (AutomationML, IFC, DXF in; AutomationML out). Installed by `install_format_actions(window)`.

An import runs in a thread (an isolated importer in a process of its own, see viewer.app.import_worker) with a
progress dialog and Cancel; the open plant is untouched until it succeeds, and then the import is one undoable
edit of it (or, with no plant open, the imported plant opens untitled). Its mapping report goes to Messages.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenuBar, QMessageBox, QProgressDialog, QStatusBar

from viewer.app.document import Message, Severity, import_messages
from viewer.app.exporting import EXPORTER_KIND, ExportError, export_plant, find_writer
from viewer.app.importing import AddImportedPlant, ImportedPlant, import_plant, place_files, staging_folder
from viewer.app.opening import IMPORTER_KIND, OpenCancelledError, import_options
from viewer.io import PlantFileError, Problem
from viewer.ui.formats.import_dialog import ImportDialog

if TYPE_CHECKING:
    from viewer.app.view_state import ViewState
    from viewer.sensors.plugins import PluginRegistry
    from viewer.ui.document import DocumentSession

__all__ = ["FormatActions", "install_format_actions"]

PROGRESS_STEPS = 1000


class FormatHost(Protocol):
    """What Import and Export need of the window (the main window, which knows nothing of this protocol). It is
    a QMainWindow too: it parents the actions and dialogs."""

    session: DocumentSession
    state: ViewState
    export_action: QAction

    def _report(self, messages: list[Message]) -> None: ...
    def menuBar(self) -> QMenuBar: ...  # noqa: N802  (QMainWindow's)
    def statusBar(self) -> QStatusBar: ...  # noqa: N802


class _Relay(QObject):
    """Carries the import thread's results to the GUI thread (queued: it lives there)."""

    progress = Signal(float, str)
    done = Signal(object)  # ImportedPlant
    failed = Signal(object)  # list[Problem]
    cancelled = Signal()


class FormatActions(QObject):
    def __init__(self, window: FormatHost) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self.window = window
        parent: QObject = window  # type: ignore[assignment]
        self.import_action = QAction("&Import…", parent)
        self.import_action.setShortcut("Ctrl+I")
        self.import_action.setStatusTip("Bring a plant in from AutomationML, IFC or a DXF layout")
        self.import_action.triggered.connect(lambda: self.choose_and_import())
        self.export_plant_action = QAction("Export &Plant As…", parent)
        self.export_plant_action.setStatusTip("Write the plant as AutomationML (or another exporter's format)")
        self.export_plant_action.triggered.connect(lambda: self.choose_and_export())
        file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
        file_menu.insertAction(window.export_action, self.import_action)
        file_menu.insertAction(window.export_action, self.export_plant_action)
        self.progress: QProgressDialog | None = None
        self._cancel: threading.Event | None = None
        self._relay: _Relay | None = None
        self.last_error: str = ""  # what the last failed import or export said (tests read it)
        window.session.document_changed.connect(lambda _document: self._update())
        window.session.document_closed.connect(self._update)
        self._update()

    # ------------------------------------------------------------ plugins

    def registry(self) -> PluginRegistry | None:
        return self.window.session.plugin_registry()

    def _filters(self, kind: str) -> str:
        registry = self.registry()
        rows = registry.contributions(kind) if registry is not None else []
        filters = [f"{c.title or c.name} ({' '.join('*' + h for h in c.handles)})" for _, c in rows if c.handles]
        if kind == IMPORTER_KIND and filters:
            every = " ".join("*" + h for _, c in rows for h in c.handles)
            filters.insert(0, f"Every importable file ({every})")
        return ";;".join([*filters, "All files (*)"])

    def _update(self) -> None:
        self.export_plant_action.setEnabled(self.window.session.document is not None)

    # ------------------------------------------------------------ import

    def choose_and_import(self) -> None:
        start = str(self.window.session.path.parent) if self.window.session.path else ""
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Import a plant",
            start,
            self._filters(IMPORTER_KIND),  # type: ignore[arg-type]
        )
        if path:
            self.ask_and_import(Path(path))

    def ask_and_import(self, path: Path) -> ImportDialog | None:
        """The import dialog for `path` (open, not run: the window stays usable and tests can fill it); its
        Import starts the import."""
        try:
            options = import_options(path, self.registry())
        except PlantFileError as exc:
            self._fail(path, list(exc.problems))
            return None
        dialog = ImportDialog(path, options, self.window.session.document, self.window)  # type: ignore[arg-type]

        def accepted() -> None:
            site, values = dialog.choices()
            self.start_import(path, site, values)

        dialog.accepted.connect(accepted)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
        self.dialog = dialog
        return dialog

    @property
    def busy(self) -> bool:
        return self._cancel is not None

    def start_import(self, path: Path, site: str | None, options: dict[str, str]) -> None:
        """Read the file in a thread; the result is applied on the GUI thread (`_finish`)."""
        self.cancel()
        cancel, relay = threading.Event(), _Relay(self)
        self._cancel, self._relay = cancel, relay
        progress = QProgressDialog(f"Importing {path.name}…", "Cancel", 0, PROGRESS_STEPS, self.window)  # type: ignore[arg-type]
        progress.setWindowTitle("Import")
        progress.setMinimumDuration(300)
        progress.setValue(0)
        progress.canceled.connect(self.cancel)
        self.progress = progress
        relay.progress.connect(lambda f, stage: self._on_progress(relay, f, stage))
        relay.done.connect(lambda imported: self._finish(relay, imported, site))
        relay.failed.connect(lambda problems: self._failed(relay, path, problems))
        registry, library = self.registry(), self.window.session.base_library

        def work() -> None:
            try:
                imported = import_plant(path, site, options, library, registry, relay.progress.emit, cancel.is_set)
            except OpenCancelledError:
                return
            except PlantFileError as exc:
                relay.failed.emit(list(exc.problems))
                return
            except Exception as exc:  # a bug must not take the window down; the open plant stays
                relay.failed.emit([Problem(str(path), "file", f"could not be imported: {exc}")])
                return
            if imported is not None:
                relay.done.emit(imported)

        threading.Thread(target=work, name=f"import {path.name}", daemon=True).start()

    def cancel(self) -> None:
        if self._cancel is None:
            return
        self._cancel.set()
        self._drop()
        self.window._report([Message(Severity.INFO, "import cancelled; the open plant is unchanged")])

    def _drop(self) -> None:
        self._cancel = self._relay = None
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel)
            self.progress.close()
            self.progress = None

    def _on_progress(self, relay: _Relay, fraction: float, stage: str) -> None:
        if relay is self._relay and self.progress is not None:
            self.progress.setLabelText(f"{stage}…" if stage else "Importing…")
            self.progress.setValue(int(max(0.0, min(1.0, fraction)) * (PROGRESS_STEPS - 1)))

    def _failed(self, relay: _Relay, path: Path, problems: list[Problem]) -> None:
        if relay is not self._relay:
            return
        self._drop()
        self._fail(path, problems)

    def _fail(self, path: Path, problems: list[Problem]) -> None:
        self.last_error = "\n".join(str(p) for p in problems)
        self.window._report([Message.from_problem(p) for p in problems])
        box = QMessageBox(QMessageBox.Icon.Warning, "Import failed", f"{path.name} was not imported.",
                          parent=self.window)  # type: ignore[arg-type]  # fmt: skip
        kept = "The open plant is unchanged." if self.window.session.document is not None else ""
        box.setInformativeText(f"{problems[0].message if problems else ''}\n\n{kept}".strip())
        box.setDetailedText(self.last_error)
        box.open()
        self.error_box = box

    def _finish(self, relay: _Relay, imported: ImportedPlant, site: str | None) -> None:
        if relay is not self._relay:
            return  # cancelled meanwhile
        self._drop()
        session = self.window.session
        source = imported.source
        # The meshes it made wait in the cache until the plant is saved, then go beside it (DocumentSession.save):
        # nothing is written beside the open document before the user saves it.
        digest = hashlib.sha256(b"".join(n.encode() + c for n, c in sorted(imported.assets.items()))).hexdigest()
        try:
            place_files(imported.document, imported.assets, staging_folder(source, digest))
        except (OSError, ValueError) as exc:
            self._fail(source, [Problem(str(source), "file", f"its meshes could not be written: {exc}")])
            return
        if session.document is None:
            session.set_document(imported.document, None)
        else:
            command = AddImportedPlant(imported.document, site, source, text=f"Import {source.name}")
            try:
                if session.undo is not None:
                    session.undo.push(command)
                else:
                    command.redo(session.document)
                    session.set_document(session.document, session.path)
            except PlantFileError as exc:
                self._fail(source, list(exc.problems))
                return
        document = session.document
        shown = [s for s in document.sites if site in (s.name, s.id)] if site and document else []
        shown = shown or [
            s for s in (document.sites if document else []) if imported.sites and s.id == imported.sites[0].id
        ]
        if shown:  # show what came in
            self.window.state.set_active_site(shown[0].id)
        self.window._report(import_messages(imported.report, imported.problems, source))
        count = sum(len(c.equipment) for s in imported.sites for a in s.areas for li in a.lines for c in li.cells)
        self.window.statusBar().showMessage(f"Imported {source.name}: {count} equipment", 8000)

    # ------------------------------------------------------------ export

    def choose_and_export(self) -> None:
        session = self.window.session
        if session.document is None:
            return
        stem = session.path.name.split(".")[0] if session.path else "plant"
        start = str((session.path.parent if session.path else Path.cwd()) / f"{stem}.aml")
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            "Export plant as",
            start,
            self._filters(EXPORTER_KIND),  # type: ignore[arg-type]
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> list[Path]:
        """Write the open plant with the exporter of the file's suffix; reports what was written or why not."""
        session = self.window.session
        registry = self.registry()
        if session.document is None or registry is None:
            return []
        try:
            writer = find_writer(registry, path.suffix)
            written = export_plant(session.document, path, writer, library=session.base_library)
        except (ExportError, OSError) as exc:
            reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
            self.last_error = reason
            self.window._report([Message(Severity.ERROR, f"not exported: {reason}", str(path))])
            box = QMessageBox(QMessageBox.Icon.Warning, "Export failed", f"Not exported to\n{path}",
                              parent=self.window)  # type: ignore[arg-type]  # fmt: skip
            box.setInformativeText(f"{reason}.\n\nNothing was written; the plant is unchanged.")
            box.open()
            self.error_box = box
            return []
        self.window._report([Message(Severity.INFO, f"exported the plant to {', '.join(p.name for p in written)}",
                                     str(path))])  # fmt: skip
        self.window.statusBar().showMessage(f"Exported {path.name}", 5000)
        return written


def install_format_actions(window: FormatHost) -> FormatActions:
    """File > Import… and File > Export Plant As…, placed in the window's File menu; the window keeps them as
    `formats`."""
    return FormatActions(window)
