"""Live layout checks of the shown site: kept up to date after every edit, violators coloured red. No widgets."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

from viewer.model.checks import DEFAULT_CLEARANCE, LayoutChecker, Violation
from viewer.ui.edit_controller import EditController
from viewer.ui.plant_loading import background_work
from viewer.ui.scene_controller import SceneController
from viewer.ui.session import DocumentSession

BACKGROUND_ABOVE = 2000  # equipment: bigger sites get their first full check on a worker thread


class ChecksController(QObject):
    changed = Signal(list)  # list[Violation], after every re-check
    _built = Signal(int, object)  # generation, LayoutChecker or None, from the worker thread

    def __init__(self, session: DocumentSession, scene: SceneController, edits: EditController) -> None:
        super().__init__(scene)
        self.session = session
        self.scene = scene
        self.clearance = DEFAULT_CLEARANCE
        self.checker: LayoutChecker | None = None
        # A full check of a 10,000-equipment site takes most of a second: run it once the window has drawn
        # the new site or the structural edit, and once for several requests in a row.
        self._rebuild_timer = QTimer(self)
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(0)
        self._rebuild_timer.timeout.connect(self.rebuild)
        edits.edited.connect(self._on_edited)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="layout-checks")
        self._generation = 0
        self._built.connect(self._on_built)  # queued: the worker's result is applied on the GUI thread
        self._after_showing = False  # a rebuild asked for while a big site was being drawn
        scene.showing_finished.connect(self._on_showing_finished)

    @property
    def violations(self) -> list[Violation]:
        return self.checker.current() if self.checker is not None else []

    def set_clearance(self, metres: float) -> None:
        """The walkway every machine needs around it, unless its type says otherwise."""
        self.clearance = float(metres)
        self.rebuild()

    def rebuild_soon(self) -> None:
        self.checker = None  # its paths may be gone (a deleted equipment): nothing incremental until rebuilt
        if self.scene.busy:
            # A big site is being drawn in steps: checking it meanwhile takes the cores and the interpreter
            # lock from the drawing (steps took several times longer), so the check waits for the picture.
            self._after_showing = True
            return
        batch = self.scene.view.batch
        if batch is not None and len(batch) > BACKGROUND_ABOVE:
            self._rebuild_in_background()
        else:
            self._rebuild_timer.start()

    def _rebuild_in_background(self) -> None:
        """A big site's first check runs on a worker so the window keeps answering (shapely releases the GIL
        for the heavy parts); an edit meanwhile makes the result stale, and the check runs again."""
        self._generation += 1
        generation = self._generation
        site, document, library = self.scene.view.site, self.session.document, self.session.library
        if site is None or document is None or library is None:
            return
        clearance = self.clearance

        def work() -> None:
            try:
                with background_work():
                    checker = LayoutChecker(document, library, site, default_clearance=clearance)
            except Exception:  # the document changed under the worker: check again on the GUI thread
                checker = None
            self._built.emit(generation, checker)

        self._pool.submit(work)

    def _on_built(self, generation: int, checker: object) -> None:
        if generation != self._generation or checker is None or checker.site is not self.scene.view.site:
            self._rebuild_timer.start()  # something changed meanwhile: check again
            return
        self.checker = checker
        self._show()

    def _on_showing_finished(self) -> None:
        if self._after_showing:
            self._after_showing = False
            self.rebuild_soon()

    def rebuild(self) -> None:
        """Check the whole shown site again (a new site, a structural edit, another walkway)."""
        self._rebuild_timer.stop()
        site, document, library = self.scene.view.site, self.session.document, self.session.library
        if site is None or document is None or library is None or not any(s is site for s in document.sites):
            self.checker = None
        else:
            self.checker = LayoutChecker(document, library, site, default_clearance=self.clearance)
        self._show()

    def _on_edited(self, ids: set[str], structural: bool) -> None:
        self._generation += 1  # a background check of the old state is now stale
        if structural or self.checker is None or self.checker.site is not self.scene.view.site:
            self.rebuild_soon()
        else:
            self.checker.update(ids)  # only what moved and its neighbours
            self._show()

    def _show(self) -> None:
        batch = self.scene.view.batch
        if batch is not None:
            flagged = self.checker.flagged_ids() if self.checker is not None else set()
            self.scene.view.set_flagged(self.scene.indices_of(sorted(flagged)))
            self.scene.request_render()
        self.changed.emit(self.violations)
