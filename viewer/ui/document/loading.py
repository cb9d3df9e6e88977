"""Opening a big plant without freezing the window: everything but the Qt items and the VTK actors is prepared
off the GUI thread, with progress and a cancel that leaves the open document as it was.

`prepare_plant` is plain Python (no Qt): the application's `open_plant` reads the file once, parses and checks
it (letting go of the interpreter lock as it goes, see viewer.app.opening); then the meshes are read, the
geometry of the site to show is batched and its building and names worked out (SitePieces). No picking
locator is built: VTK holds the interpreter lock while it builds one (a third of a second), and picking casts
its rays in numpy. While a plant is prepared, taken over and drawn (`loading_begins` / `loading_ends`), the
cyclic garbage collector is paused and threads hand the interpreter lock over more often.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from viewer.app.opening import (
    OpenCancelledError,
    OpenedPlant,
    Progress,
    background_work,
    loading_begins,
    loading_ends,
    open_plant,
)
from viewer.io import PlantFileError, Problem
from viewer.io.recovery import DiskState
from viewer.model import EquipmentLibrary, PlantDocument, Site
from viewer.model.site_choice import opening_site
from viewer.scene.batch import EquipmentBatch, TypeMeshes, build_batch
from viewer.scene.pieces import SitePieces, site_pieces
from viewer.sensors.plugins import PluginRegistry

if TYPE_CHECKING:
    from viewer.ui.explore import PlantTreeModel

__all__ = ["LoadCancelledError", "PlantLoader", "PreparedPlant", "background_work", "loading_begins", "loading_ends"]

LoadCancelledError = OpenCancelledError  # the user cancelled; nothing of the half-loaded plant is kept


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
    tree: PlantTreeModel | None = None  # the plant tree's model, built on the GUI thread before the hand-over
    opened: OpenedPlant | None = None  # how it was read: by an importer (its mapping report), or the plant JSON

    @property
    def imported(self) -> bool:
        """Read from another format: it opens untitled, so saving never writes over the file it came from."""
        return self.opened is not None and self.opened.imported


def prepare_plant(
    path: Path,
    base_library: EquipmentLibrary,
    progress: Progress = lambda fraction, stage: None,
    cancelled: Callable[[], bool] = lambda: False,
    site_asked: str | None = None,
    registry: PluginRegistry | None = None,
) -> PreparedPlant:
    """Everything opening a plant takes except drawing it; the site drawn first is the one asked for (id or
    name), else the mother site. Raises PlantFileError or LoadCancelledError."""
    loading_begins()
    try:
        opened = open_plant(Path(path), base_library, progress, cancelled, registry)
        if opened is None or cancelled():
            raise LoadCancelledError
        return _prepare_scene(opened, base_library, progress, cancelled, site_asked)
    finally:
        loading_ends()


def _prepare_scene(
    opened: OpenedPlant,
    base_library: EquipmentLibrary,
    progress: Progress,
    cancelled: Callable[[], bool],
    site_asked: str | None,
) -> PreparedPlant:
    document = opened.document
    if opened.assets:  # meshes an importer made: in the cache until the plant is saved (then beside it)
        from viewer.app.importing import place_files, staging_folder

        digest = opened.disk.digest if opened.disk is not None else "unsaved"
        place_files(document, opened.assets, staging_folder(opened.path, digest))
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
    return PreparedPlant(opened.path, document, meshes, site, batch, pieces, opened.disk, opened=opened)


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

    def start(
        self,
        path: Path,
        base_library: EquipmentLibrary,
        site: str | None = None,
        registry: PluginRegistry | None = None,
    ) -> None:
        self.cancel()
        cancel = threading.Event()
        relay = _Relay(self)
        self._cancel, self._relay, self.path = cancel, relay, Path(path)
        relay.progress.connect(self.progress)
        relay.done.connect(lambda prepared: self._finish(relay, lambda: self.prepared.emit(prepared)))
        relay.failed.connect(lambda problems: self._finish(relay, lambda: self.failed.emit(Path(path), problems)))

        def work() -> None:
            try:
                result = prepare_plant(Path(path), base_library, relay.progress.emit, cancel.is_set, site, registry)
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
