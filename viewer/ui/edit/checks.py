"""Live layout checks of every site: kept up to date after every edit, the shown site's violators coloured red.
No widgets.

The shown site is checked first, as before (a big one on the worker thread); every other site follows on the
worker, one at a time, once the shown site is drawn, so opening is no slower and a clone that lands on the
child building's columns is counted while the mother site is shown. After an edit only the sites it touched
are checked again.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

from viewer.model import PlantDocument, Site
from viewer.model.checks import DEFAULT_CLEARANCE, LayoutChecker, Violation
from viewer.ui.document import DocumentSession, background_work
from viewer.ui.edit.controller import EditController
from viewer.ui.scene_controller import SceneController

BACKGROUND_ABOVE = 2000  # equipment: bigger sites get their first full check on a worker thread


class ChecksController(QObject):
    changed = Signal(list)  # list[Violation] of the shown site, after every re-check of any site
    _built = Signal(object, object)  # (site id, epoch, site epoch), LayoutChecker or None, from the worker

    def __init__(self, session: DocumentSession, scene: SceneController, edits: EditController) -> None:
        super().__init__(scene)
        self.session = session
        self.scene = scene
        self.clearance = DEFAULT_CLEARANCE
        self.checkers: dict[str, LayoutChecker] = {}  # site id -> its up-to-date checker
        self._document: PlantDocument | None = None  # the document the checkers are of
        # A new document or another walkway makes every result stale; an edit only the results of its sites.
        self._epoch = 0
        self._site_epochs: dict[str, int] = {}
        self._queued: set[tuple[str, int, int]] = set()  # on the worker, not back yet
        # A full check of a 10,000-equipment site takes most of a second: run it once the window has drawn
        # the new site or the structural edit, and once for several requests in a row.
        self._rebuild_timer = QTimer(self)
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(0)
        self._rebuild_timer.timeout.connect(self.rebuild)
        edits.edited.connect(self._on_edited)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="layout-checks")
        self.closed = False  # the window closed: nothing more is checked
        self._built.connect(self._on_built)  # queued: the worker's result is applied on the GUI thread
        self._after_showing = False  # a rebuild asked for while a big site was being drawn
        scene.showing_finished.connect(self._on_showing_finished)

    def shutdown(self) -> None:
        """The window closed: checks waiting are dropped (one under way finishes; its result is not used)."""
        self.closed = True
        self._rebuild_timer.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------ results

    @property
    def checker(self) -> LayoutChecker | None:
        """The shown site's checker, when it is checked."""
        site = self.scene.view.site
        checker = self.checkers.get(site.id) if site is not None else None
        return checker if checker is not None and checker.site is site else None

    @property
    def violations(self) -> list[Violation]:
        """The shown site's problems."""
        checker = self.checker
        return checker.current() if checker is not None else []

    def results(self) -> dict[str, list[Violation]]:
        """Problems per site id, in document order, of the sites checked so far (a site left out is not)."""
        document = self.session.document
        if document is None or document is not self._document:
            return {}
        return {s.id: self.checkers[s.id].current() for s in document.sites if self._current(s.id) is not None}

    def counts(self) -> dict[str, int]:
        return {site_id: len(found) for site_id, found in self.results().items()}

    def _current(self, site_id: str) -> LayoutChecker | None:
        checker = self.checkers.get(site_id)
        document = self.session.document
        if checker is None or document is None or not any(s is checker.site for s in document.sites):
            return None
        return checker

    # ------------------------------------------------------------ when to check

    def set_clearance(self, metres: float) -> None:
        """The walkway every machine needs around it, unless its type says otherwise: every site again."""
        self.clearance = float(metres)
        self._forget_all()
        self.rebuild()

    def _forget_all(self) -> None:
        self._epoch += 1
        self.checkers = {}
        self._site_epochs = {}

    def _forget(self, site_id: str) -> None:
        self.checkers.pop(site_id, None)
        self._site_epochs[site_id] = self._site_epochs.get(site_id, 0) + 1

    def _same_document(self) -> bool:
        if self.session.document is not self._document:
            self._document = self.session.document
            self._forget_all()
            return False
        return True

    def rebuild_soon(self) -> None:
        """A new document or another shown site: check the shown site (unless already checked), then the rest."""
        self._same_document()
        site = self.scene.view.site
        if self.scene.busy:
            # A big site is being drawn in steps: checking it meanwhile takes the cores and the interpreter
            # lock from the drawing (steps took several times longer), so the check waits for the picture.
            self._after_showing = True
            return
        batch = self.scene.view.batch
        if self.checker is not None:
            self._show()
            self._check_others()
        elif batch is not None and len(batch) > BACKGROUND_ABOVE:
            self._submit(site)
            self._check_others()
        else:
            self._rebuild_timer.start()

    def _on_showing_finished(self) -> None:
        if self._after_showing:
            self._after_showing = False
            self.rebuild_soon()

    def rebuild(self) -> None:
        """Check the whole shown site again on this thread, then the other sites not checked yet on the worker."""
        self._rebuild_timer.stop()
        self._same_document()
        site, document, library = self.scene.view.site, self.session.document, self.session.library
        if site is not None and document is not None and library is not None and any(s is site for s in document.sites):
            self._forget(site.id)
            self.checkers[site.id] = LayoutChecker(document, library, site, default_clearance=self.clearance)
        self._show()
        self._check_others()

    def _check_others(self) -> None:
        """Every site but the shown one that has no current result goes to the worker, in document order."""
        document = self.session.document
        if document is None:
            return
        if self.scene.busy:
            self._after_showing = True  # the drawing comes first: then the shown site and the rest
            return
        for site in document.sites:
            if site is not self.scene.view.site and self._current(site.id) is None:
                self._submit(site)

    def _submit(self, site: Site | None) -> None:
        """Check a site on the worker; the window keeps answering (shapely lets go of the GIL for the heavy
        parts). An edit of that site meanwhile makes the result stale, and the site is checked again."""
        document, library = self.session.document, self.session.library
        if site is None or document is None or library is None or self.closed:
            return
        key = (site.id, self._epoch, self._site_epochs.get(site.id, 0))
        if key in self._queued:
            return
        self._queued.add(key)
        clearance = self.clearance

        def work() -> None:
            try:
                with background_work():
                    checker = LayoutChecker(document, library, site, default_clearance=clearance)
            except Exception:  # the document changed under the worker: check again
                checker = None
            self._built.emit(key, checker)

        self._pool.submit(work)

    def _on_built(self, key: tuple[str, int, int], checker: LayoutChecker | None) -> None:
        self._queued.discard(key)
        site_id, epoch, site_epoch = key
        current = epoch == self._epoch and site_epoch == self._site_epochs.get(site_id, 0)
        if not current or self.session.document is not self._document:
            return  # the site changed meanwhile: whatever changed it asked for a check of its own
        if not isinstance(checker, LayoutChecker) or not any(s is checker.site for s in self._document.sites):
            self._forget(site_id)  # it failed while the document changed: once more
            site = next((s for s in self._document.sites if s.id == site_id), None)
            if site is self.scene.view.site:
                self._rebuild_timer.start()
            else:
                self._submit(site)
            return
        self.checkers[site_id] = checker
        shown = self.scene.view.site
        self._show(recolour=shown is not None and shown.id == site_id)  # another site's result: no new frame

    # ------------------------------------------------------------ after an edit

    def _sites_touched(self, ids: set[str], structural: bool) -> set[str]:
        """Sites that hold (or held, before the edit) any of these equipment."""
        touched, missing = set(), set(ids)
        for site_id, checker in self.checkers.items():
            found = {i for i in ids if i in checker.index_of}
            if found:
                touched.add(site_id)
                missing -= found
        document = self.session.document
        # A move stays in its site: the document is only searched (all of it) for what no checker holds, or
        # for where a structural edit put equipment (added, cloned, moved to another cell).
        wanted = set(ids) if structural else missing
        if document is not None and wanted:
            for site in document.sites:
                if site.id not in touched and any(
                    e.id in wanted for a in site.areas for li in a.lines for c in li.cells for e in c.equipment
                ):
                    touched.add(site.id)
        return touched

    def _on_edited(self, ids: set[str], structural: bool) -> None:
        if not self._same_document():
            self.rebuild_soon()
            return
        shown_id = self.scene.view.site.id if self.scene.view.site is not None else None
        # A structural edit that names no equipment (a new type) may change any site's footprints.
        every_site = {s.id for s in self._document.sites}
        touched = self._sites_touched(ids, structural) if ids or not structural else every_site
        for site_id in touched - {shown_id}:
            checker = self._current(site_id)
            if structural or checker is None:
                self._forget(site_id)  # a clone onto this site, say: checked again on the worker
            else:
                checker.update(ids)  # a move at a site not shown (the compare window edits the child)
        if shown_id in touched:
            if structural or self.checker is None:
                self._forget(shown_id)
                self.rebuild_soon()
                return
            self.checker.update(ids)  # only what moved and its neighbours
        self._show()
        self._check_others()

    def _show(self, recolour: bool = True) -> None:
        batch = self.scene.view.batch
        if batch is not None and recolour:
            checker = self.checker
            flagged = checker.flagged_ids() if checker is not None else set()
            self.scene.view.set_flagged(self.scene.indices_of(sorted(flagged)))
            self.scene.request_render()
        self.changed.emit(self.violations)
