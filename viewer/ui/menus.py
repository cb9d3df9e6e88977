"""The main window's own actions, its File and View menus and the main toolbar.

The feature packages add their menus to the same bar when the window installs them: Edit and Arrange
(`ui.edit`), Mother line (`ui.compare`), Sensors and Tools (`ui.sensors`), Help (`ui.help`), and File > New,
Close and Import (`ui.document`, `ui.edit`). The actions stay attributes of the window (`window.open_action`,
`window.fit_action`...): the feature packages place theirs beside them and the window enables them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDockWidget, QLabel, QMenu, QMenuBar, QStyle, QToolBar, QWidget

if TYPE_CHECKING:
    from viewer.app.view_state import ViewState
    from viewer.ui.scene_controller import SceneController


class MenuHost(Protocol):
    """What the File and View menus need of the window they are built for (the main window, which knows
    nothing of this protocol), and the actions they leave on it. It is a QMainWindow too."""

    settings: QSettings
    scene: SceneController
    state: ViewState
    site_combo: QComboBox
    tree_dock: QDockWidget
    library_dock: QDockWidget
    inspector: QDockWidget
    messages: QDockWidget
    viewpoints: QDockWidget
    # set here
    open_action: QAction
    save_action: QAction
    save_as_action: QAction
    export_action: QAction
    quit_action: QAction
    fit_action: QAction
    home_action: QAction
    view_actions: dict[str, QAction]
    xray_action: QAction
    axes_action: QAction
    clip_action: QAction
    show_all_action: QAction
    clear_selection_action: QAction
    recent_menu: QMenu
    toolbar: QToolBar
    site_separator: QAction
    site_label_action: QAction
    site_combo_action: QAction

    def choose_and_open(self) -> None: ...
    def save(self) -> bool: ...
    def save_as(self) -> bool: ...
    def choose_and_export(self) -> None: ...
    def set_axes(self, on: bool) -> None: ...
    def recent_files(self) -> list[str]: ...
    def start_open(self, path: Path, site: str | None = None) -> None: ...

    # QMainWindow's (Qt's names)
    def close(self) -> bool: ...
    def style(self) -> QStyle: ...
    def menuBar(self) -> QMenuBar: ...  # noqa: N802
    def addToolBar(self, toolbar: QToolBar, /) -> None: ...  # noqa: N802


def make_action(
    parent: QWidget, text: str, slot: Callable[..., object], shortcut: QKeySequence | str | None = None, tip: str = ""
) -> QAction:
    """An action with its shortcut in the tooltip and a status tip (the text when no tip is given)."""
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(
        f"{tip or text.replace('&', '').rstrip('…')}" + (f" ({action.shortcut().toString()})" if shortcut else "")
    )
    action.setStatusTip(tip or text.replace("&", ""))
    action.triggered.connect(slot)
    return action


def build_actions(window: MenuHost) -> None:
    """The File and View actions, as attributes of the window."""
    w, icon = window, window.style().standardIcon
    # Save and Quit through lambdas: triggered(bool) must not reach a slot whose first parameter is optional.
    w.open_action = make_action(w, "&Open…", w.choose_and_open, QKeySequence.StandardKey.Open, "Open a plant document")
    w.open_action.setIcon(icon(QStyle.StandardPixmap.SP_DialogOpenButton))
    w.save_action = make_action(w, "&Save", lambda: w.save(), QKeySequence.StandardKey.Save, "Save the plant document")
    w.save_action.setIcon(icon(QStyle.StandardPixmap.SP_DialogSaveButton))
    w.save_as_action = make_action(w, "Save &As…", w.save_as, QKeySequence.StandardKey.SaveAs)
    w.export_action = make_action(w, "&Export Image…", w.choose_and_export, "Ctrl+E", "Save the 3D view as a PNG")
    w.quit_action = make_action(w, "&Quit", lambda: w.close(), QKeySequence.StandardKey.Quit)
    w.fit_action = make_action(w, "&Fit Selection", w.scene.fit_selection, "F", "Frame the selection, or the plant")
    w.home_action = make_action(w, "&Reset View", lambda: w.scene.set_view("iso"), "Home", "Whole plant, isometric")
    w.home_action.setIcon(icon(QStyle.StandardPixmap.SP_DirHomeIcon))
    w.view_actions = {
        name: make_action(
            w, f"&{name.title()}", lambda _=False, n=name: w.scene.set_view(n), key, f"{name.title()} view"
        )
        for name, key in (("iso", "1"), ("top", "2"), ("front", "3"))
    }
    w.xray_action = make_action(w, "&X-Ray", lambda on: w.state.set_xray(on), "X", "See through equipment")
    w.xray_action.setCheckable(True)
    w.axes_action = make_action(w, "Orientation &Axes", w.set_axes, None, "Show the X/Y/Z axes")
    w.axes_action.setCheckable(True)
    w.axes_action.setChecked(True)
    w.clip_action = make_action(
        w, "&Clipping Box", w.scene.set_clipping, "B", "Cut into the building with a box; drag its faces"
    )
    w.clip_action.setCheckable(True)
    w.show_all_action = make_action(w, "Show &All Equipment", w.state.show_all, "Ctrl+Shift+H")
    w.clear_selection_action = make_action(w, "Clear Selection", w.state.clear_selection, "Esc")


def build_menus_and_toolbar(window: MenuHost) -> None:
    """File and View menus and the main toolbar, with the site chooser at its end."""
    w = window
    file_menu = w.menuBar().addMenu("&File")
    file_menu.addAction(w.open_action)
    w.recent_menu = QMenu("Open &Recent", w)
    w.recent_menu.aboutToShow.connect(lambda: fill_recent_menu(w))
    file_menu.addMenu(w.recent_menu)
    file_menu.addSeparator()
    file_menu.addActions([w.save_action, w.save_as_action])
    file_menu.addSeparator()
    file_menu.addAction(w.export_action)
    file_menu.addSeparator()
    file_menu.addAction(w.quit_action)

    view_menu = w.menuBar().addMenu("&View")
    view_menu.addActions([w.fit_action, w.home_action])
    view_menu.addSeparator()
    view_menu.addActions(list(w.view_actions.values()))
    view_menu.addSeparator()
    view_menu.addActions([w.xray_action, w.clip_action, w.axes_action, w.show_all_action, w.clear_selection_action])
    view_menu.addSeparator()
    for dock in (w.tree_dock, w.library_dock, w.inspector, w.messages, w.viewpoints):
        view_menu.addAction(dock.toggleViewAction())

    w.toolbar = QToolBar("Main toolbar", w)
    w.toolbar.setObjectName("main-toolbar")
    w.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    w.addToolBar(w.toolbar)
    w.toolbar.addActions([w.open_action, w.save_action])
    w.toolbar.addSeparator()
    w.toolbar.addActions([w.fit_action, w.home_action, *w.view_actions.values()])
    w.toolbar.addSeparator()
    w.toolbar.addActions([w.xray_action, w.clip_action])
    w.site_separator = w.toolbar.addSeparator()
    w.site_label_action = w.toolbar.addWidget(QLabel(" Site: "))
    w.site_combo_action = w.toolbar.addWidget(w.site_combo)
    view_menu.addAction(w.toolbar.toggleViewAction())


def fill_recent_menu(window: MenuHost) -> None:
    """File > Open Recent, made when it is opened: the recent files, newest first, and Clear List."""
    menu = window.recent_menu
    menu.clear()
    recent = window.recent_files()
    for number, path in enumerate(recent, start=1):
        action = menu.addAction(f"&{number} {Path(path).name}", lambda p=path: window.start_open(Path(p)))
        action.setToolTip(path)
        action.setStatusTip(path)
    if not recent:
        menu.addAction("No recent files").setEnabled(False)
    else:
        menu.addSeparator()
        menu.addAction("Clear List", lambda: window.settings.setValue("recent_files", []))
