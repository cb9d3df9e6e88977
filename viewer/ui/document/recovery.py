"""Never lose work: autosave to a recovery file while the document is modified, offer it back after a crash,
and notice when the open file is changed on disk by someone else. No widgets; the window asks the questions.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from viewer.app.document import Message, Severity
from viewer.io.errors import PlantFileError
from viewer.io.recovery import DiskState, RecoveryEntry, RecoveryWriter, load_recovery, pending_recoveries
from viewer.model import PlantDocument
from viewer.ui.document.session import DocumentSession

AUTOSAVE_SECONDS = 30.0
DISK_CHECK_SECONDS = 3.0


def autosave_interval() -> float:
    """Seconds between autosaves: MOTHERTWIN_AUTOSAVE_S overrides the default (tests use a short one)."""
    try:
        return max(0.05, float(os.environ.get("MOTHERTWIN_AUTOSAVE_S", AUTOSAVE_SECONDS)))
    except ValueError:
        return AUTOSAVE_SECONDS


class RecoveryController(QObject):
    autosaved = Signal(object)  # Path of the recovery file written
    disk_changed = Signal(object)  # Path of the open file, changed on disk by another program
    messages = Signal(list)  # list[Message]

    def __init__(self, session: DocumentSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.writer: RecoveryWriter | None = None
        self.disk: DiskState | None = None
        self._disk_reported = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.autosave)
        self.set_interval(autosave_interval())
        self.disk_timer = QTimer(self)
        self.disk_timer.setInterval(round(DISK_CHECK_SECONDS * 1000))
        self.disk_timer.timeout.connect(self.check_disk)
        self.disk_timer.start()
        session.document_changed.connect(self._on_document)
        session.saved.connect(self._on_saved)

    def set_interval(self, seconds: float) -> None:
        self.timer.start(round(seconds * 1000))

    # ------------------------------------------------------------ autosave

    def _on_document(self, _document: PlantDocument) -> None:
        if self.writer is not None:
            self.writer.discard()  # the previous document was saved or its changes discarded
        self.writer = RecoveryWriter(self.session.path)
        known, self.session.disk_on_open = self.session.disk_on_open, None
        self._remember_disk(known)

    def _on_saved(self, path: Path) -> None:
        if self.writer is not None and self.writer.original != Path(path).resolve():
            self.writer.discard()  # saved under another name: the recovery file goes by the file name
            self.writer = RecoveryWriter(Path(path))
        if self.writer is not None:
            self.writer.discard()
        self._remember_disk()

    def autosave(self) -> Path | None:
        """Write the recovery file if there are unsaved edits; a failure is reported, never raised."""
        if self.writer is None or self.session.document is None or not self.session.modified:
            return None
        try:
            path = self.writer.write(self.session.document)
        except (OSError, ValueError) as exc:
            self.messages.emit([Message(Severity.WARNING, f"autosave failed: {exc}", str(self.writer.path))])
            return None
        self.autosaved.emit(path)
        return path

    def discard(self) -> None:
        """A clean close: nothing left to recover."""
        if self.writer is not None:
            self.writer.discard()

    # ------------------------------------------------------------ after a crash

    def offer(self, ask: Callable[[RecoveryEntry], bool]) -> bool:
        """Offer the newest recovery file left by a crashed process; True when one was opened.

        `ask(entry)` says whether to recover; one that is refused is deleted (it was offered, the user said no).
        """
        for entry in pending_recoveries():
            if not ask(entry):
                with contextlib.suppress(OSError):
                    entry.recovery_file.unlink()
                continue
            try:
                document = load_recovery(entry, self.session.base_library)
            except (PlantFileError, OSError, ValueError, KeyError) as exc:
                self.messages.emit([Message(Severity.ERROR, f"cannot recover: {exc}", str(entry.recovery_file))])
                continue
            self.session.set_document(document, entry.original)
            if self.session.undo is not None:
                self.session.undo.set_unsaved()  # it differs from the file until saved
            written = self.autosave()  # our own recovery file now, under our process id
            if written is None or written != entry.recovery_file:
                with contextlib.suppress(OSError):
                    entry.recovery_file.unlink()
            self.messages.emit(
                [Message(Severity.WARNING, f"recovered unsaved edits: {entry.describe()}; save to keep them")]
            )
            return True
        return False

    # ------------------------------------------------------------ file changed on disk

    def _remember_disk(self, known: DiskState | None = None) -> None:
        """What the open file looks like; `known` when the open hashed it as it read it."""
        path = self.session.path
        self.disk = known if known is not None else (DiskState.of(path) if path is not None else None)
        self._disk_reported = False

    def check_disk(self) -> bool:
        """True (and `disk_changed` once) when the open file now differs from what was read or saved."""
        path = self.session.path
        if path is None or self.disk is None or self._disk_reported:
            return False
        if not self.disk.changed(path):
            return False
        self._disk_reported = True
        self.disk_changed.emit(path)
        return True

    def keep_mine(self) -> None:
        """The user keeps the open document: it now differs from the file, so it is unsaved."""
        path = self.session.path
        self.disk = DiskState.of(path) if path is not None else None
        self._disk_reported = False
        if self.session.undo is not None:
            self.session.undo.set_unsaved()
