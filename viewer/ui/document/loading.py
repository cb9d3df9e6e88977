"""Opening a big plant without freezing the window: everything but the VTK actors is prepared off the GUI
thread, with progress and a cancel that leaves the open document as it was.

`prepare_plant` is plain Python (no Qt): read, parse, validate, read meshes, batch the geometry of the site to
show and work out its building and names (SitePieces). Parsing uses json's pure-Python scanner on purpose: the
C scanner holds the interpreter lock for the whole file (a quarter of a second for 10,000 equipment), and the
GUI thread would wait for it; the Python one lets go every few milliseconds and reports progress and checks for
a cancel as it goes. No picking locator is built: VTK holds the interpreter lock while it builds one (a third
of a second), and picking casts its rays in numpy. While a plant is prepared, taken over and drawn
(`loading_begins` / `loading_ends`), the cyclic garbage collector is paused and the objects it made are then
frozen (`gc.freeze`): a full collection over a freshly loaded 10,000-equipment plant holds the lock for over
half a second, and those objects live as long as the document anyway (plain reference counting still frees
them when it closes). Threads also hand the interpreter lock over more often meanwhile.
"""

from __future__ import annotations

import contextlib
import gc
import json
import json.decoder
import json.scanner
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from viewer.io import PlantFileError, Problem, load_document
from viewer.io.plant_json import document_from_data
from viewer.io.recovery import DiskState
from viewer.model import EquipmentLibrary, PlantDocument, Site
from viewer.model.site_choice import opening_site
from viewer.scene.batch import EquipmentBatch, TypeMeshes, build_batch
from viewer.scene.plant_view import SitePieces, site_pieces

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
    pieces: SitePieces | None = None  # the building and names of that site, for the window's view
    disk: DiskState | None = None  # the file as read (hashed here, not on the GUI thread)


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


LOADING_SWITCH_INTERVAL = 0.001  # seconds a thread may keep the interpreter lock while another waits for it

_loads = 0
_loads_lock = threading.Lock()
_switch_interval = sys.getswitchinterval()


def loading_begins() -> None:
    """Until the matching loading_ends (they nest: loads and take-overs overlap): no cyclic collection, and
    threads hand the interpreter lock over every millisecond instead of every 5. The GUI thread needs the
    lock for every event a Python handler sees (slots, timers, event filters), so with a loading thread busy
    it used to wait 5 ms each time: 0.2-0.3 s for one repaint of the window."""
    global _loads, _switch_interval
    with _loads_lock:
        if _loads == 0:
            _switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_interval, LOADING_SWITCH_INTERVAL))
        _loads += 1
        gc.disable()


def loading_ends() -> None:
    global _loads
    with _loads_lock:
        _loads = max(0, _loads - 1)
        if _loads == 0:
            sys.setswitchinterval(_switch_interval)
            gc.freeze()  # what was loaded is long-lived: keep it out of every later collection
            gc.enable()


@contextlib.contextmanager
def background_work() -> Iterator[None]:
    """A worker thread's share of opening a plant (its layout check, binding its sensor tags): like loading,
    the interpreter lock changes hands every millisecond meanwhile, so the GUI thread keeps answering."""
    loading_begins()
    try:
        yield
    finally:
        loading_ends()


def prepare_plant(
    path: Path,
    base_library: EquipmentLibrary,
    progress: Progress = lambda fraction, stage: None,
    cancelled: Callable[[], bool] = lambda: False,
    site_asked: str | None = None,
) -> PreparedPlant:
    """Everything opening a plant takes except drawing it; the site drawn first is the one asked for (id or
    name), else the mother site. Raises PlantFileError or LoadCancelledError."""
    path = Path(path)
    disk = None
    loading_begins()
    try:
        progress(0.0, "Reading")
        try:
            raw = path.read_bytes()
            disk = DiskState.of(path, raw)
            text = raw.decode("utf-8")
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
        site = opening_site(document, site_asked)
        batch = pieces = None
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
            pieces = site_pieces(site, batch, grid_labels=True)  # the window shows the floor's metre marks
        return PreparedPlant(path, document, meshes, site, batch, pieces, disk)
    finally:
        loading_ends()


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

    def start(self, path: Path, base_library: EquipmentLibrary, site: str | None = None) -> None:
        self.cancel()
        cancel = threading.Event()
        relay = _Relay(self)
        self._cancel, self._relay, self.path = cancel, relay, Path(path)
        relay.progress.connect(self.progress)
        relay.done.connect(lambda prepared: self._finish(relay, lambda: self.prepared.emit(prepared)))
        relay.failed.connect(lambda problems: self._finish(relay, lambda: self.failed.emit(Path(path), problems)))

        def work() -> None:
            try:
                result = prepare_plant(Path(path), base_library, relay.progress.emit, cancel.is_set, site)
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
