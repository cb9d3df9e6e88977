"""What the review features need of the window they are installed in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenuBar, QStatusBar

if TYPE_CHECKING:
    from viewer.app.document import Message
    from viewer.app.view_state import ViewState
    from viewer.ui.document import DocumentSession
    from viewer.ui.scene_controller import SceneController
    from viewer.ui.view_widget import ViewWidget


class ReviewHost(Protocol):
    """The main window, which knows nothing of this protocol. It is a QMainWindow too: it parents the menu,
    dock and dialogs. Its `editing` (the measure tool) and `sensor_ui` (colour-by, replay) are used when
    there (getattr): the review works without them."""

    session: DocumentSession
    state: ViewState
    scene: SceneController
    plotter: ViewWidget
    settings: QSettings
    clip_action: QAction
    inspector: QDockWidget
    _site_of: dict[str, str]  # equipment id -> site id of the open plant

    def _report(self, messages: list[Message]) -> None: ...

    # QMainWindow's (Qt's names)
    def menuBar(self) -> QMenuBar: ...  # noqa: N802
    def statusBar(self) -> QStatusBar: ...  # noqa: N802
    def addDockWidget(self, area: Qt.DockWidgetArea, dock: QDockWidget, /) -> None: ...  # noqa: N802
    def tabifyDockWidget(self, first: QDockWidget, second: QDockWidget, /) -> None: ...  # noqa: N802
    def resizeDocks(  # noqa: N802
        self, docks: Sequence[QDockWidget], sizes: Sequence[int], orientation: Qt.Orientation, /
    ) -> None: ...
