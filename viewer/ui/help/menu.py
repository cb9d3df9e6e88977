"""The Help menu: User Guide, Keyboard Shortcuts and About. Installed by `install_help_menu(window)`.

The user guide is the README, shown in the app (it works offline, and needs no program for Markdown): the
one next to the code when there is one (with its pictures), else the copy an installed package carries. The
shortcut list is made from the window's actions when it is opened, and the 3D view's gestures from the tables
beside the code that handles them, so it says what the keys do today.
"""

from __future__ import annotations

import contextlib
import platform
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QImageReader,
    QKeySequence,
    QShortcut,
    QShowEvent,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

import viewer
from viewer.ui import viewport_input
from viewer.ui.edit import edit_gestures
from viewer.ui.review import presentation_keys

README = Path(viewer.__file__).resolve().parents[1] / "README.md"
GUIDE_HEADING = "User guide"
IMAGE_WIDTH = 900  # pixels: the widest a picture of the guide is drawn


# ------------------------------------------------------------ About


def versions(window: QWidget | None = None) -> list[tuple[str, str]]:
    """(part, version) of what MotherTwin runs on, for About and for reports of problems."""
    import PySide6
    import pyvista
    from PySide6.QtCore import qVersion
    from vtkmodules.vtkCommonCore import vtkVersion

    rows = [
        ("MotherTwin", viewer.__version__),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("VTK", vtkVersion.GetVTKVersion()),
        ("pyvista", pyvista.__version__),
    ]
    with contextlib.suppress(metadata.PackageNotFoundError):
        rows.append(("pyvistaqt", metadata.version("pyvistaqt")))
    renderer = getattr(getattr(window, "plotter", None), "renderer_name", "")
    if renderer:
        rows.append(("OpenGL", renderer))
    rows.append(("System", f"{platform.system()} {platform.release()} ({platform.machine()})"))
    return rows


def about_text(window: QWidget | None = None) -> str:
    rows = "".join(f"<tr><td>{part}&nbsp;&nbsp;</td><td>{version}</td></tr>" for part, version in versions(window))
    return (
        f"<h3>MotherTwin {viewer.__version__}</h3>"
        "<p>The 3D digital twin of a mother line and its child lines: see every site, edit layouts, clone a line "
        "to a child site and show where it differs from its mother.</p>"
        f"<table>{rows}</table>"
    )


# ------------------------------------------------------------ Keyboard shortcuts


def _keys(action: QAction) -> str:
    return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").rstrip(".").strip()


def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(group, keys, what it does) of every shortcut the window has now: its actions with a key, by menu (or
    toolbar), then the 3D view's mouse and key gestures."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{path} > {_plain(action.text())}")
            elif not action.isSeparator() and id(action) not in seen:
                seen.add(id(action))
                if action.shortcuts():
                    rows.append((path, _keys(action), _plain(action.text())))

    bar = getattr(window, "menuBar", None)
    if bar is not None:
        for top in bar().actions():
            if top.menu() is not None:
                walk(top.menu(), _plain(top.text()))
    # Actions with a key that sit in no menu (a toolbar button, a window-wide key).
    for action in window.findChildren(QAction):
        if id(action) not in seen and action.shortcuts() and not action.isSeparator():
            seen.add(id(action))
            rows.append(("Window", _keys(action), _plain(action.text()) or action.toolTip()))
    for shortcut in window.findChildren(QShortcut):
        if not shortcut.key().isEmpty():
            rows.append(("Window", shortcut.key().toString(QKeySequence.SequenceFormat.NativeText),
                         shortcut.whatsThis() or shortcut.objectName()))  # fmt: skip
    rows.extend(("3D view", keys, does) for keys, does in viewport_input.GESTURES)
    rows.extend(("3D view: editing", keys, does) for keys, does in edit_gestures())
    rows.extend(("Presentation mode", keys, does) for keys, does in presentation_keys())
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts — MotherTwin")
        self.resize(760, 760)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter: a key or a word")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Keys", "Does"])
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        groups: dict[str, QTreeWidgetItem] = {}
        for group, keys, does in rows:
            if group not in groups:
                groups[group] = QTreeWidgetItem([group, ""])
                font = groups[group].font(0)
                font.setBold(True)
                groups[group].setFont(0, font)
                self.tree.addTopLevelItem(groups[group])
                groups[group].setFirstColumnSpanned(True)
            row = QTreeWidgetItem([keys, does])
            row.setToolTip(1, does)
            groups[group].addChild(row)
        self.tree.expandAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for k in range(group.childCount()):
                row = group.child(k)
                hit = not needle or needle in f"{group.text(0)} {row.text(0)} {row.text(1)}".casefold()
                row.setHidden(not hit)
                shown += hit
            group.setHidden(shown == 0)

    def texts(self) -> list[str]:
        """"keys: does" of every row shown."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            out.extend(
                f"{group.child(k).text(0)}: {group.child(k).text(1)}"
                for k in range(group.childCount())
                if not group.child(k).isHidden() and not group.isHidden()
            )
        return out


# ------------------------------------------------------------ User guide


def user_guide() -> tuple[str, Path | None]:
    """The README's Markdown and the folder its pictures are relative to (None: the installed copy)."""
    try:
        return README.read_text(encoding="utf-8"), README.parent
    except OSError:
        pass
    try:
        text = metadata.metadata("mothertwin").get("Description", "") or ""
    except metadata.PackageNotFoundError:
        text = ""
    if text.strip():
        return text, None
    return f"# MotherTwin user guide\n\nThe user guide (README.md) was not found at `{README}`.\n", None


class UserGuideDialog(QDialog):
    """The README in a browser of its own, opened at its user guide; Find searches it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("User Guide — MotherTwin")
        self.resize(1000, 800)
        text, base = user_guide()
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)  # web links go to the browser; the guide itself stays here
        if base is not None:
            self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(base) + "/"))
            self.browser.setSearchPaths([str(base)])
        # A bar inside a table cell is written \| (GitHub shows a bar, Qt the backslash too): a look-alike.
        self.browser.setMarkdown(text.replace("\\|", "\u2223"))
        self.find = QLineEdit()
        self.find.setPlaceholderText("Find in the guide (Enter: next)")
        self.find.setClearButtonEnabled(True)
        self.find.returnPressed.connect(lambda: self.find_text(self.find.text()))
        self.source = QLabel(f"From {README}" if base is not None else "From the installed package")
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.find)
        layout.addWidget(self.browser)
        layout.addWidget(self.source)
        layout.addWidget(buttons)
        self._fit_images(IMAGE_WIDTH)
        self._heading_pending = GUIDE_HEADING  # scrolled to once the dialog is laid out (first shown)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._heading_pending:
            heading, self._heading_pending = self._heading_pending, ""
            QTimer.singleShot(0, lambda: self.go_to_heading(heading))

    def go_to_heading(self, heading: str) -> bool:
        """Scroll so that a heading is at the top; False when the guide has no such heading."""
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() and block.text().strip() == heading:
                cursor = self.browser.textCursor()
                cursor.setPosition(block.position())
                self.browser.setTextCursor(cursor)
                top = document.documentLayout().blockBoundingRect(block).top()
                self.browser.verticalScrollBar().setValue(round(top))
                return True
            block = block.next()
        return False

    def _fit_images(self, width: int) -> None:
        """The README's screenshots are drawn at most `width` pixels wide (they are 1600 and more)."""
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                form = fragment.charFormat()
                if fragment.isValid() and form.isImageFormat():
                    image = form.toImageFormat()
                    size = QImageReader(document.baseUrl().resolved(QUrl(image.name())).toLocalFile()).size()
                    if size.isValid() and size.width() > width:
                        image.setWidth(width)
                        image.setHeight(size.height() * width / size.width())
                        cursor = QTextCursor(document)
                        cursor.setPosition(fragment.position())
                        cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                        cursor.setCharFormat(image)
                it += 1
            block = block.next()

    def find_text(self, text: str) -> bool:
        """The next place of `text` (from the top again after the last)."""
        if not text:
            return False
        if self.browser.find(text):
            return True
        cursor = self.browser.textCursor()
        cursor.setPosition(0)
        self.browser.setTextCursor(cursor)
        return self.browser.find(text, QTextDocument.FindFlag(0))


# ------------------------------------------------------------ the menu


class HelpMenu:
    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.menu = window.menuBar().addMenu("&Help")
        self.guide_action = self.menu.addAction("&User Guide", self.show_user_guide)
        self.guide_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.guide_action.setStatusTip("The user guide (the README), in a window of its own")
        self.shortcuts_action = self.menu.addAction("&Keyboard Shortcuts", self.show_shortcuts)
        self.shortcuts_action.setStatusTip("Every key and mouse gesture of the window and the 3D view")
        self.menu.addSeparator()
        self.about_action = self.menu.addAction("&About MotherTwin", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.setStatusTip("Versions of MotherTwin and of what it runs on")
        self.about_box: QMessageBox | None = None
        self.shortcuts_dialog: ShortcutsDialog | None = None
        self.guide_dialog: UserGuideDialog | None = None

    def show_about(self) -> QMessageBox:
        # Not QMessageBox.about: that waits in exec(); open() keeps the window answering and tests can read it.
        box = QMessageBox(QMessageBox.Icon.Information, "About MotherTwin", about_text(self.window),
                          QMessageBox.StandardButton.Ok, self.window)  # fmt: skip
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # to paste into a report
        box.open()
        self.about_box = box
        return box

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(shortcut_rows(self.window), self.window)  # made now: today's keys
        dialog.open()
        self.shortcuts_dialog = dialog
        return dialog

    def show_user_guide(self) -> UserGuideDialog:
        if self.guide_dialog is None:
            self.guide_dialog = UserGuideDialog(self.window)
        self.guide_dialog.show()
        self.guide_dialog.raise_()
        return self.guide_dialog


def install_help_menu(window: QMainWindow) -> HelpMenu:
    """The Help menu, added at the end of the window's menu bar; the window keeps it as `help_menu`."""
    return HelpMenu(window)
