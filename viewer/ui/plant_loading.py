"""Opening a big plant without freezing the window: everything but the VTK actors is prepared off the GUI
thread, with progress and a cancel that leaves the open document as it was.

`prepare_plant` is plain Python (no Qt): read, parse, validate, read meshes, batch the geometry of the site to
show and build its picking locator. Parsing uses json's pure-Python scanner on purpose: the C scanner holds
the interpreter lock for the whole file (a quarter of a second for 10,000 equipment), and the GUI thread would
wait for it; the Python one lets go every few milliseconds and reports progress and checks for a cancel as
it goes. The cyclic garbage collector is paused while a plant is prepared and taken over, and the objects
it made are then frozen (`gc.freeze`): a full collection over a freshly loaded 10,000-equipment plant holds
the lock for over half a second, and those objects live as long as the document anyway (plain reference
counting still frees them when it closes).
"""

from __future__ import annotations

import gc
import json
import json.decoder
import json.scanner
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from vtkmodules.vtkCommonDataModel import vtkStaticCellLocator

from viewer.io import PlantFileError, Problem, load_document
from viewer.io.plant_json import document_from_data
from viewer.model import EquipmentLibrary, PlantDocument, Site
from viewer.scene.batch import EquipmentBatch, TypeMeshes, build_batch
from viewer.scene.plant_view import build_pick_locator
from viewer.scene.render import choose_site

Progress = Callable[[float, str], None]


class LoadCancelledError(Exception):
    """The user cancelled; nothing of the half-loaded plant is kept."""


@dataclass
class PreparedPlant:
    """A plant ready to show: the document, its meshes and the geometry of the site to show first."""

    path: Path
    document: PlantDocument
    meshes: TypeMeshes
    site: Site | None
    batch: EquipmentBatch | None
    locator: vtkStaticCellLocator | None


def _parse(text: str, progress: Progress, cancelled: Callable[[], bool], start: float, end: float) -> Any:
    decoder = json.JSONDecoder()
    length = max(1, len(text))
    step = length // 100 + 1
    seen = [0]

    def parse_object(s_and_end: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
        position = s_and_end[1]
        if position - seen[0] >= step:
            seen[0] = position
            if cancelled():
                raise LoadCancelledError
            progress(start + (end - start) * position / length, "Reading")
        return json.decoder.JSONObject(s_and_end, *args, **kwargs)

    decoder.parse_object = parse_object  # type: ignore[assignment]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[assignment]
    return decoder.decode(text)


_gc_pauses = 0
_gc_lock = threading.Lock()


def pause_gc() -> None:
    """No cyclic collection until the matching resume_gc (pauses nest: loads and take-overs overlap)."""
    global _gc_pauses
    with _gc_lock:
        _gc_pauses += 1
        gc.disable()


def resume_gc() -> None:
    global _gc_pauses
    with _gc_lock:
        _gc_pauses = max(0, _gc_pauses - 1)
        if _gc_pauses == 0:
            gc.freeze()  # what was loaded is long-lived: keep it out of every later collection
            gc.enable()


def prepare_plant(
    path: Path,
    base_library: EquipmentLibrary,
    progress: Progress = lambda fraction, stage: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> PreparedPlant:
    """Everything opening a plant takes except drawing it. Raises PlantFileError or LoadCancelledError."""
    path = Path(path)
    pause_gc()
    try:
        progress(0.0, "Reading")
        try:
            text = path.read_bytes().decode("utf-8")
            data = _parse(text, progress, cancelled, 0.02, 0.55)
        except (OSError, UnicodeDecodeError, ValueError):
            # The regular reader words the problem (file, line and column) the way every other open does.
            document = load_document(path, base_library)
        else:
            if cancelled():
                raise LoadCancelledError
            progress(0.55, "Checking")
            document = document_from_data(data, text, str(path), base_library, path.parent.resolve())
        if cancelled():
            raise LoadCancelledError
        progress(0.75, "Reading meshes")
        library = base_library.merged(document.types)
        meshes = TypeMeshes(library)
        site = choose_site(document, None) if document.sites else None
        batch = locator = None
        paths = [p for p in document.iter_equipment() if p.site is site] if site is not None else []
        if paths:
            for type_name in sorted({p.equipment.type for p in paths}):
                meshes.get(type_name)
            if cancelled():
                raise LoadCancelledError
            progress(0.78, "Building the scene")
            batch = build_batch(document, library, site, meshes)
            if cancelled():
                raise LoadCancelledError
            progress(0.9, "Building the scene")
            locator = build_pick_locator(batch)
        return PreparedPlant(path, document, meshes, site, batch, locator)
    finally:
        resume_gc()


class _Relay(QObject):
    """Carries a worker thread's results to the GUI thread (queued: it lives in the GUI thread)."""

    progress = Signal(float, str)
    done = Signal(object)  # PreparedPlant
    failed = Signal(object)  # list[Problem]
    cancelled = Signal()


class PlantLoader(QObject):
    """Runs prepare_plant in a thread. One load at a time: starting another cancels the first."""

    progress = Signal(float, str)  # fraction 0..1, stage
    prepared = Signal(object)  # PreparedPlant
    failed = Signal(object, list)  # Path, list[Problem]
    cancelled = Signal(object)  # Path

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel: threading.Event | None = None
        self._relay: _Relay | None = None
        self.path: Path | None = None

    @property
    def busy(self) -> bool:
        return self._cancel is not None

    def start(self, path: Path, base_library: EquipmentLibrary) -> None:
        self.cancel()
        cancel = threading.Event()
        relay = _Relay(self)
        self._cancel, self._relay, self.path = cancel, relay, Path(path)
        relay.progress.connect(self.progress)
        relay.done.connect(lambda prepared: self._finish(relay, lambda: self.prepared.emit(prepared)))
        relay.failed.connect(lambda problems: self._finish(relay, lambda: self.failed.emit(Path(path), problems)))

        def work() -> None:
            try:
                result = prepare_plant(Path(path), base_library, relay.progress.emit, cancel.is_set)
            except LoadCancelledError:
                return
            except PlantFileError as exc:
                relay.failed.emit(list(exc.problems))
            except Exception as exc:  # a bug in a reader must not take the window down
                relay.failed.emit([Problem(str(path), "file", f"could not be opened: {exc}")])
            else:
                relay.done.emit(result)

        threading.Thread(target=work, name=f"open {Path(path).name}", daemon=True).start()

    def cancel(self) -> None:
        """Stop the running load; its results, if any arrive, are dropped."""
        if self._cancel is None:
            return
        self._cancel.set()
        path = self.path
        self._drop()
        self.cancelled.emit(path)

    def _finish(self, relay: _Relay, emit: Callable[[], None]) -> None:
        if relay is not self._relay:
            return  # a cancelled load finishing late
        self._drop()
        emit()

    def _drop(self) -> None:
        if self._relay is not None:
            self._relay.progress.disconnect(self.progress)
        self._cancel = self._relay = None
