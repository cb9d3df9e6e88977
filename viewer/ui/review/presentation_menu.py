"""View > Presentation Mode: present the open plant's review topics or saved viewpoints full screen."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QStatusBar

from viewer.app.review_view import RestoredExtras
from viewer.model import PlantDocument
from viewer.model.review import TopicStatus
from viewer.ui.review.presentation import PresentationHost, PresentationMode
from viewer.ui.review.slides import OPEN_STATUSES, SlideSource, slides_from_document

TOPICS_KEY = "F5"
VIEWPOINTS_KEY = "Shift+F5"


class SessionHost(Protocol):
    @property
    def document(self) -> PlantDocument | None: ...


class PresentationWindow(PresentationHost, Protocol):
    session: SessionHost

    def menuBar(self) -> QMenuBar: ...  # noqa: N802
    def statusBar(self) -> QStatusBar: ...  # noqa: N802


class PresentationUi(QObject):
    """The View menu's Presentation Mode entries and the presentation they start (`mode` while it runs)."""

    def __init__(self, window: PresentationWindow) -> None:
        super().__init__(window)  # type: ignore[arg-type]  # the main window is a QObject
        self.window = window
        self.mode: PresentationMode | None = None
        # What a review viewpoint holds besides the view state (clipping box, colour-by, replayed time); the
        # Review dock sets this to restore them as it does for a clicked topic.
        self.restore_extras: Callable[[RestoredExtras], None] | None = None
        self.menu = QMenu("&Presentation Mode", window)  # type: ignore[arg-type]
        self.menu.setToolTipsVisible(True)
        self.topics_action = self._action(
            "Review &Topics", TOPICS_KEY, "Present the review topics full screen, one slide each", "topics", None
        )
        self.open_topics_action = self._action(
            "&Open and In-Progress Topics", None, "Present only the topics still open or in progress", "topics",
            OPEN_STATUSES,
        )  # fmt: skip
        self.viewpoints_action = self._action(
            "Saved &Viewpoints", VIEWPOINTS_KEY, "Present the saved viewpoints full screen", "viewpoints", None
        )
        self.menu.addActions([self.topics_action, self.open_topics_action, self.viewpoints_action])
        bar = window.menuBar()
        view_menu = next((a.menu() for a in bar.actions() if a.text() == "&View"), None)
        if isinstance(view_menu, QMenu):
            view_menu.addSeparator()
            view_menu.addMenu(self.menu)
        else:
            bar.addMenu(self.menu)
        self.menu.aboutToShow.connect(self._update_actions)

    def _action(
        self, text: str, key: str | None, tip: str, source: SlideSource, statuses: Collection[TopicStatus] | None
    ) -> QAction:
        action = QAction(text, self.menu)
        if key:
            action.setShortcut(QKeySequence(key))
        action.setToolTip(tip + (f" ({QKeySequence(key).toString()})" if key else ""))
        action.setStatusTip(tip)
        action.triggered.connect(lambda _=False: self.present(source, statuses))
        return action

    def _update_actions(self) -> None:
        document = self.window.session.document
        self.topics_action.setEnabled(document is not None and len(document.review) > 0)
        self.open_topics_action.setEnabled(
            document is not None and any(t.status in OPEN_STATUSES for t in document.review.topics)
        )
        self.viewpoints_action.setEnabled(document is not None and bool(document.viewpoints))

    @property
    def presenting(self) -> bool:
        return self.mode is not None and self.mode.active

    def present(
        self, source: SlideSource = "topics", statuses: Collection[TopicStatus] | None = None, index: int = 0
    ) -> PresentationMode | None:
        """Start presenting; None (and a word in the status bar) when there is nothing to present."""
        if self.presenting:
            return self.mode
        document = self.window.session.document
        what = "review topics" if source == "topics" else "saved viewpoints"
        if document is None:
            self.window.statusBar().showMessage("Open a plant to present its review topics or viewpoints", 6000)
            return None
        slides = slides_from_document(document, source, statuses)
        if not slides:
            self.window.statusBar().showMessage(f"This plant has no {what} to present", 6000)
            return None
        known = [path.equipment.id for path in document.iter_equipment()]
        self.mode = PresentationMode(self.window, slides, known_ids=known, restore_extras=self.restore_extras)
        self.mode.stopped.connect(self._on_stopped)
        self.mode.start(index)
        return self.mode

    def stop(self) -> None:
        if self.mode is not None:
            self.mode.stop()

    def _on_stopped(self) -> None:
        mode, self.mode = self.mode, None
        if mode is not None:
            mode.deleteLater()  # its overlays go with it
            for overlay in (mode.caption, mode.clock_badge, mode.laser):
                overlay.deleteLater()


def install_presentation(window: PresentationWindow) -> PresentationUi:
    """View > Presentation Mode (F5 for the review topics, Shift+F5 for the saved viewpoints)."""
    return PresentationUi(window)
