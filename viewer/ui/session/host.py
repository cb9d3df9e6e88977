"""What the session features need of the window they are installed in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QSettings, Qt, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenuBar, QStatusBar, QWidget

if TYPE_CHECKING:
    from viewer.app.document import Message
    from viewer.app.view_state import ViewState
    from viewer.ui.document import DocumentSession
    from viewer.ui.scene_controller import SceneController
    from viewer.ui.view_widget import ViewWidget


class SessionHost(Protocol):
    """The main window, which knows nothing of this protocol; a QMainWindow too (it parents the menu, dock
    and dialogs). Its `sensor_ui` (colour-by, replay) and `editing` (asking about unsaved edits) are used when
    there (getattr); the review's restoring of a viewpoint's extras takes the window itself."""

    session: DocumentSession
    state: ViewState
    scene: SceneController
    plotter: ViewWidget
    settings: QSettings
    clip_action: QAction
    closed: SignalInstance  # the window closed for good
    _site_of: dict[str, str]  # equipment id -> site id of the open plant

    def _report(self, messages: list[Message]) -> None: ...
    def _update_title(self) -> None: ...

    # QMainWindow's (Qt's names)
    def menuBar(self) -> QMenuBar: ...  # noqa: N802
    def statusBar(self) -> QStatusBar: ...  # noqa: N802
    def centralWidget(self) -> QWidget: ...  # noqa: N802
    def addDockWidget(self, area: Qt.DockWidgetArea, dock: QDockWidget, /) -> None: ...  # noqa: N802
    def setWindowTitle(self, title: str, /) -> None: ...  # noqa: N802
