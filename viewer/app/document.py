"""The open plant document and its file: opening, saving, closing, its undo stack and library. No Qt, no VTK.

Opening a bad file reports every problem and leaves the open document untouched, so nothing is lost. Every signal
is emitted synchronously in the caller's thread (psygnal): the window calls in from its GUI thread only (a
loading thread hands its plant over through the GUI thread), so its slots run there as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from psygnal import Signal

from viewer.app.opening import MappingReport, open_plant
from viewer.io import PlantFileError, Problem, builtin_library, save_document
from viewer.model import EquipmentLibrary, PlantDocument
from viewer.model.undo import UndoStack

if TYPE_CHECKING:
    from viewer.sensors.plugins import PluginRegistry

RECENT_LIMIT = 8


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Message:
    """One line of the messages dock: what happened, in which file, and where in it."""

    severity: Severity
    text: str
    file: str = ""
    where: str = ""

    @classmethod
    def from_problem(cls, problem: Problem) -> Message:
        return cls(Severity.ERROR, problem.message, problem.file, problem.where)

    def __str__(self) -> str:
        return ": ".join(part for part in (self.file, self.where, self.text) if part)


def import_messages(report: MappingReport | None, problems: list[Problem], path: Path) -> list[Message]:
    """An import's mapping report and warnings as lines of the messages dock."""
    lines = report.lines() if report is not None else [f"Imported {path.name}"]
    out = [Message(Severity.INFO, line.strip(), str(path)) for line in lines]
    return out + [Message(Severity.WARNING, p.message, p.file, p.where) for p in problems]


def push_recent(recent: list[str], path: str, limit: int = RECENT_LIMIT) -> list[str]:
    """Most recent first, no repeats, at most `limit` entries."""
    return [path, *(p for p in recent if p != path)][:limit]


class DocumentSession:
    """The one holder of the open document: its file, its undo history and its library (the base merged with
    the document's own types). What is drawn of it (meshes, scenes) belongs to whoever draws."""

    document_changed = Signal(object)  # the new PlantDocument
    messages_reported = Signal(list)  # list[Message]
    open_failed = Signal(str, list)  # path, list[Problem]
    saved = Signal(object)  # the Path written
    library_changed = Signal()  # the document's own types changed (an imported mesh, or its undo)
    document_closed = Signal()  # File > Close: no document is open from now on

    def __init__(self, base_library: EquipmentLibrary | None = None) -> None:
        self._base_library = base_library
        self.registry: PluginRegistry | None = None  # the plugins whose importers may open a file (the window's)
        # Where the window keeps its plugins: Tools > Plugins reads them anew when one is enabled.
        self.registry_source: Callable[[], PluginRegistry | None] | None = None
        self.document: PlantDocument | None = None
        self.path: Path | None = None
        self.imported_from: Path | None = None  # the file of another format an untitled plant was read from
        self.untitled_name = ""  # what the title calls an untitled plant that came from elsewhere (a session)
        self.disk_on_open: object = None  # the opened file's DiskState as it was read, until taken
        # What a loading thread prepared for the first show of the document (its site's scene, the tree's
        # model): held while `document_changed` is handled, then let go (the view holds what it was made into).
        self.prepared: object | None = None
        self.library: EquipmentLibrary | None = None
        self.undo: UndoStack | None = None  # one history per open document

    def plugin_registry(self) -> PluginRegistry | None:
        """The plugins whose importers may open a file: the window's, as it has them now."""
        if self.registry is None and self.registry_source is not None:
            return self.registry_source()
        return self.registry

    @property
    def base_library(self) -> EquipmentLibrary:
        if self._base_library is None:
            self._base_library = builtin_library()
        return self._base_library

    def open(self, path: Path) -> bool:
        """Load a plant file. On failure the current document stays and `open_failed` lists the problems."""
        path = Path(path)
        try:
            opened = open_plant(path, self.base_library, registry=self.plugin_registry())
        except PlantFileError as exc:
            self.report_open_failure(path, list(exc.problems))
            return False
        except OSError as exc:  # a folder, no permission, a vanished network drive
            self.report_open_failure(path, [Problem(str(path), "file", exc.strerror or str(exc))])
            return False
        assert opened is not None  # only a cancel gives none, and there is none to give here
        if not opened.imported:
            self.set_document(opened.document, path, disk=opened.disk)
            return True
        # Read by an importer: untitled (Save asks where, never over the file it came from); the meshes it made
        # wait in the cache until then.
        if opened.assets:
            from viewer.app.importing import place_files, staging_folder

            digest = opened.disk.digest if opened.disk is not None else "unsaved"
            place_files(opened.document, opened.assets, staging_folder(path, digest))
        self.set_document(opened.document, None, imported_from=path)
        self.messages_reported.emit(import_messages(opened.report, opened.problems, path))
        return True

    def report_open_failure(self, path: Path, problems: list[Problem]) -> None:
        """A file that could not be opened (here or by a loading thread): the open document stays."""
        self.open_failed.emit(str(path), list(problems))
        self.messages_reported.emit([Message.from_problem(p) for p in problems])

    def set_document(
        self,
        document: PlantDocument,
        path: Path | None,
        library: EquipmentLibrary | None = None,
        disk: object = None,
        prepared: object | None = None,
        imported_from: Path | None = None,
    ) -> None:
        """`library` is the merged library when one was made already (by a loading thread), `disk` the file's
        DiskState as it was read (the recovery controller takes it), `prepared` what a loading thread made of
        it besides, held while document_changed is handled; `imported_from` the file of another format an
        untitled plant was read from."""
        self.disk_on_open = disk
        self.prepared = prepared
        self.document, self.path = document, path
        self.imported_from = imported_from
        self.untitled_name = ""
        self.library = library if library is not None else self.base_library.merged(document.types)
        self.undo = UndoStack(document)
        try:
            self.document_changed.emit(document)
        finally:
            self.prepared = None

    def close(self) -> None:
        """No document open any more (the window asked about unsaved edits before)."""
        self.document = self.path = self.prepared = self.imported_from = None
        self.untitled_name = ""
        self.disk_on_open = self.library = self.undo = None
        self.document_closed.emit()

    @property
    def modified(self) -> bool:
        """True when the document differs from its file (edits since the last save, or a recovered one)."""
        return self.undo is not None and not self.undo.is_clean()

    def refresh_library(self) -> None:
        """The document's types changed: merge them again; `library_changed` when the set of types did."""
        if self.document is None:
            return
        before = set(self.library.types) if self.library is not None else set()
        self.library = self.base_library.merged(self.document.types)
        self._library_merged(self.library)
        if set(self.library.types) != before:
            self.library_changed.emit()

    def _library_merged(self, library: EquipmentLibrary) -> None:
        """Called with each new merge before it is announced (whoever caches drawings of the types follows)."""

    def save(self, path: Path | None = None) -> Path:
        """Write the document (atomically); returns where. Raises OSError or ValueError."""
        if self.document is None:
            raise ValueError("no document is open")
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("the document has no file yet: choose where to save it")
        if not target.name.lower().endswith(".json"):
            raise ValueError(
                f"{target.name}: a plant document is saved as .mtplant.json; other formats are written by "
                "File > Export (mothertwin export)"
            )
        from viewer.app.importing import place_files

        # Meshes that live beside an imported file, or in the cache an import left them in, are referred to
        # from where the document goes (copied there from the cache), so the saved plant finds them.
        place_files(self.document, {}, target.parent)
        save_document(self.document, target)
        self.path = target
        self.imported_from = None
        self.untitled_name = ""
        if self.undo is not None:
            self.undo.set_clean()
        self.saved.emit(target)
        return target
