"""Never lose work: recovery files written while editing, found again after a crash; files changed on disk.

A recovery file is the document as the editor holds it (same JSON as a save) wrapped with where it came
from, which process wrote it and when. It is removed on a clean save or close; one whose process is gone
means that process crashed, and the next start offers it back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from viewer.io.atomic import atomic_write_text
from viewer.io.errors import PlantFileError
from viewer.io.jsonfmt import check_finite, dumps_pretty
from viewer.io.plant_json import document_from_data, document_to_dict
from viewer.model import EquipmentLibrary, PlantDocument
from viewer.paths import cache_dir

RECOVERY_FORMAT = "mothertwin-recovery"


def recovery_dir() -> Path:
    return Path(os.environ.get("MOTHERTWIN_RECOVERY") or cache_dir() / "recovery")


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class RecoveryEntry:
    recovery_file: Path
    original: Path | None  # None for a document never saved
    pid: int
    written_at: str  # ISO 8601 UTC
    equipment: int

    def describe(self) -> str:
        what = str(self.original) if self.original else "an unsaved document"
        return f"{what}, {self.equipment} equipment, last autosaved {self.written_at}"


class RecoveryWriter:
    """Writes the recovery file of one open document (the window calls `write` on a timer when modified)."""

    def __init__(self, original: Path | None, folder: Path | None = None) -> None:
        self.folder = folder or recovery_dir()
        self.original = Path(original).resolve() if original else None
        key = str(self.original) if self.original else f"untitled-{os.getpid()}-{id(self)}"
        self.path = self.folder / f"{hashlib.sha1(key.encode()).hexdigest()[:16]}.mtrecovery.json"

    def write(self, document: PlantDocument) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        body = {
            "format": RECOVERY_FORMAT,
            "original": str(self.original) if self.original else None,
            "pid": os.getpid(),
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "equipment": document.equipment_count(),
            "document": document_to_dict(document),
        }
        atomic_write_text(self.path, dumps_pretty(body) + "\n")
        return self.path

    def discard(self) -> None:
        """After a clean save or close: nothing left to recover."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def pending_recoveries(folder: Path | None = None) -> list[RecoveryEntry]:
    """Recovery files left by processes that are gone (crashed), newest first; unreadable ones are skipped."""
    folder = folder or recovery_dir()
    entries = []
    for path in sorted(folder.glob("*.mtrecovery.json")) if folder.is_dir() else []:
        try:
            head = json.loads(path.read_text(encoding="utf-8"))
            if head.get("format") != RECOVERY_FORMAT:
                continue
            entry = RecoveryEntry(
                path,
                Path(head["original"]) if head.get("original") else None,
                int(head["pid"]),
                str(head["written_at"]),
                int(head.get("equipment", 0)),
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not _process_alive(entry.pid):
            entries.append(entry)
    return sorted(entries, key=lambda e: e.written_at, reverse=True)


def load_recovery(entry: RecoveryEntry, library: EquipmentLibrary) -> PlantDocument:
    """The document as it was at the last autosave, checked like any plant document."""
    text = entry.recovery_file.read_text(encoding="utf-8")
    body = json.loads(text)
    base = entry.original.parent if entry.original else entry.recovery_file.parent
    problems = check_finite(body, text, str(entry.recovery_file))
    if problems:
        raise PlantFileError(problems)
    return document_from_data(body["document"], text, str(entry.recovery_file), library, base)


@dataclass(frozen=True)
class DiskState:
    """What a file looked like when we last read or wrote it, to notice changes by other programs."""

    size: int
    mtime_ns: int
    digest: str

    @classmethod
    def of(cls, path: Path, data: bytes | None = None) -> DiskState | None:
        """The file's state now; `data` is its content when the caller has just read it."""
        try:
            stat = Path(path).stat()  # first: a change after it shows as a newer time next check
            data = Path(path).read_bytes() if data is None else data
        except OSError:
            return None
        return cls(len(data), stat.st_mtime_ns, hashlib.sha256(data).hexdigest())

    def changed(self, path: Path) -> bool:
        """True when the file now differs in content (a touch alone is not a change), or is gone."""
        try:
            stat = Path(path).stat()
        except OSError:
            return True
        if stat.st_size == self.size and stat.st_mtime_ns == self.mtime_ns:
            return False
        now = DiskState.of(path)
        return now is None or now.digest != self.digest
