"""Opening a plant in the background as the window shows it: the status bar's progress and Cancel, the plant
tree built in slices on the GUI thread, and the hand-over of the prepared plant to the document session.

The loading thread (`loading.PlantLoader`, around the application's `open_plant`) prepares everything but the
Qt items and the VTK actors; this class takes its result over in steps, so the window keeps answering, and the
open plant stays until the new one is ready (or for good, when cancelled). The session then holds it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from viewer.app.document import Message, Severity
from viewer.io import Problem
from viewer.ui.document.loading import PlantLoader, PreparedPlant, loading_begins, loading_ends
from viewer.ui.explore import PlantTreeModel

if TYPE_CHECKING:
    from viewer.ui.document.session import DocumentSession
    from viewer.ui.scene_controller import SceneController

TREE_SLICE_SECONDS = 0.02  # GUI-thread time per slice of a big plant's tree while it loads
# Where each part of opening a plant lands on the progress bar: the loading thread, the tree, drawing.
LOAD_SHARE, TREE_SHARE = 0.75, 0.1
PROGRESS_SECONDS = 0.25  # the progress bar changes at most this often (each change repaints the window)


class OpeningHost(Protocol):
    """What opening needs of the window it shows its progress in (the main window, which knows nothing of
    this protocol); its `editing`, once there, is asked before the open plant is dropped. A QObject too."""

    session: DocumentSession
    scene: SceneController

    def _report(self, messages: list[Message]) -> None: ...
    def statusBar(self) -> QStatusBar: ...  # noqa: N802  (QMainWindow's)


class PlantOpening(QObject):
    def __init__(self, window: OpeningHost) -> None:
        super().__init__(window)  # the main window, a QObject
        self.window = window
        self.loader = PlantLoader(self)
        self.label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setFixedWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop opening; the plant that is open stays")
        for widget in (self.label, self.progress_bar, self.cancel_button):
            window.statusBar().addPermanentWidget(widget)
            widget.hide()
        self.prepared: PreparedPlant | None = None  # a plant from the loading thread, until handed to the session
        self._tree_timer: QTimer | None = None
        self._drawing_opened: Path | None = None  # a plant handed over whose meshes are still being drawn
        self._loading = False  # loading_begins held: from a plant's arrival from its thread until it is drawn
        # Progress reaches the bar through a timer, in a turn of its own and a few times a second: the bar
        # repaints at once when its value changes, and with software OpenGL that composes the whole window.
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.timeout.connect(self._show_progress)
        self._progress_pending: tuple[int, str] | None = None
        self._progress_shown = 0.0
        self.loader.progress.connect(lambda fraction, stage: self._on_load_progress(LOAD_SHARE * fraction, stage))
        window.scene.progress.connect(self._on_scene_progress)
        window.scene.showing_finished.connect(self._on_scene_shown)
        self.loader.prepared.connect(self._on_prepared)
        self.loader.failed.connect(self._on_load_failed)
        self.loader.cancelled.connect(self._on_load_cancelled)
        self.cancel_button.clicked.connect(self.cancel)

    def start(self, path: Path, site: str | None = None) -> None:
        """Open a plant without blocking the window: a thread prepares it, the status bar shows progress and
        a Cancel button; the open plant stays until the new one is ready (or for good, when cancelled).
        It opens on `site` (id or name) when the plant has it, else on the mother site."""
        editing = getattr(self.window, "editing", None)  # made after this, by the window
        if editing is not None and not editing.confirm_discard("opening another file"):
            return
        self._stop_tree_slices()
        self._drawing_opened = None
        self._loading_ends()
        session = self.window.session
        self.loader.start(Path(path), session.base_library, site, session.plugin_registry())
        self.label.setText(f"Opening {Path(path).name}:")
        self.progress_bar.setValue(0)
        self._progress_shown = 0.0
        for widget in (self.label, self.progress_bar, self.cancel_button):
            widget.show()

    @property
    def busy(self) -> bool:
        """From Open until the new plant is fully drawn (the steps after the hand-over included)."""
        return self.loader.busy or self._tree_timer is not None or self._drawing_opened is not None

    def cancel(self) -> None:
        if self._tree_timer is not None:
            self._stop_tree_slices()
            self._loading_ends()
            self._on_load_cancelled(self.prepared.path if self.prepared else None)
        self.loader.cancel()

    def _on_load_progress(self, fraction: float, stage: str) -> None:
        self._progress_pending = (round(fraction * 100), f"{stage} %p%")
        if not self._progress_timer.isActive():
            wait = PROGRESS_SECONDS - (time.perf_counter() - self._progress_shown)
            self._progress_timer.start(max(0, round(wait * 1000)))

    def _show_progress(self) -> None:
        if self._progress_pending is None:
            return
        (value, text), self._progress_pending = self._progress_pending, None
        self._progress_shown = time.perf_counter()
        self.progress_bar.setFormat(text)
        self.progress_bar.setValue(value)

    def _on_scene_progress(self, fraction: float, stage: str) -> None:
        if self._drawing_opened is not None:
            self._on_load_progress(LOAD_SHARE + TREE_SHARE + (1 - LOAD_SHARE - TREE_SHARE) * fraction, stage)

    def _on_prepared(self, prepared: PreparedPlant) -> None:
        """The thread's work is done; the tree is built here in slices (Qt items belong to the GUI thread)."""
        self.prepared = prepared
        loading_begins()  # ends once the plant is drawn or cancelled (see document.loading)
        self._loading = True
        model = PlantTreeModel()
        steps = model.fill(prepared.document, prepared.meshes.library)
        sites = prepared.document.sites
        total = max(1, sum(len(c.equipment) for s in sites for a in s.areas for li in a.lines for c in li.cells))
        self._tree_timer = QTimer(self)
        self._tree_timer.setInterval(0)

        tree_done = [False]

        def slice_of_tree() -> None:
            if tree_done[0]:  # the hand-over gets a turn of the event loop to itself
                self._stop_tree_slices()
                prepared.tree = model
                self._finish_open(prepared)
                return
            deadline = time.perf_counter() + TREE_SLICE_SECONDS
            for done in steps:
                if time.perf_counter() > deadline:
                    self._on_load_progress(LOAD_SHARE + TREE_SHARE * done / total, "Building the tree")
                    return
            tree_done[0] = True

        self._tree_timer.timeout.connect(slice_of_tree)
        self._tree_timer.start()

    def _finish_open(self, prepared: PreparedPlant) -> None:
        """Hand the plant over. Its scene is put together in steps (boxes first, then the full meshes in
        slices): the progress stays up until it is drawn, without Cancel (the plant is open by then)."""
        self.cancel_button.hide()
        try:
            self.window.session.adopt(prepared)
        except BaseException:
            self._hide_load_progress()
            self._loading_ends()
            raise
        finally:
            self.prepared = None
        if self.window.scene.busy:
            self._drawing_opened = prepared.path
        else:
            self._opened(prepared.path)

    def _on_scene_shown(self) -> None:
        if self._drawing_opened is not None and not self.loader.busy and self._tree_timer is None:
            path, self._drawing_opened = self._drawing_opened, None
            self._opened(path)

    def _opened(self, path: Path) -> None:
        self._loading_ends()  # what the open made is then frozen out of later collections
        self._hide_load_progress()
        self.window.statusBar().showMessage(f"Opened {path.name}", 5000)

    def _stop_tree_slices(self) -> None:
        if self._tree_timer is not None:
            self._tree_timer.stop()
            self._tree_timer.deleteLater()
            self._tree_timer = None

    def _loading_ends(self) -> None:
        if self._loading:
            self._loading = False
            loading_ends()

    def _on_load_failed(self, path: Path, problems: list[Problem]) -> None:
        self._hide_load_progress()
        self.window.session.report_open_failure(path, problems)

    def _on_load_cancelled(self, path: Path | None) -> None:
        self._hide_load_progress()
        self.prepared = None
        kept = f"; {self.window.session.path.name} stays open" if self.window.session.path else ""
        name = path.name if path else "the plant"
        self.window._report([Message(Severity.INFO, f"opening {name} cancelled{kept}", str(path or ""))])
        self.window.statusBar().showMessage(f"Opening {name} cancelled", 5000)

    def _hide_load_progress(self) -> None:
        self._progress_timer.stop()
        self._progress_pending = None
        for widget in (self.label, self.progress_bar, self.cancel_button):
            widget.hide()

