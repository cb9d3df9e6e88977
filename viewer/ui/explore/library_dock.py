"""The equipment library dock: every type the open document can use, with a picture, its footprint and a
filter; an item dragged out carries the type name (the 3D view's drop handler places the equipment).

Pictures come from the scene's ThumbnailRenderer (cached on disk); the ones not cached yet are drawn one per
turn of the event loop, so opening a document never waits for them. Until then an item shows its type colour.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QMimeData, QSize, Qt, QTimer
from PySide6.QtGui import QDrag, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.model import EquipmentLibrary, EquipmentType
from viewer.scene.batch import TypeMeshes
from viewer.scene.thumbnails import THUMBNAIL_SIZE, ThumbnailRenderer
from viewer.ui.explore.plant_tree import type_swatch
from viewer.ui.explore.tree_filter import matches

TYPE_MIME = "application/x-mothertwin-type"
TYPE_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
ICON_SIZE = 72


def footprint_text(equipment_type: EquipmentType) -> str:
    fp = equipment_type.footprint
    return f"{fp.width:g} × {fp.depth:g} m"


def type_mime_data(type_name: str) -> QMimeData:
    data = QMimeData()
    data.setData(TYPE_MIME, QByteArray(type_name.encode("utf-8")))
    data.setText(type_name)  # dropped on a text field (a filter box) it reads as the type name
    return data


class TypeList(QListWidget):
    """Icon grid whose drags carry the type name under TYPE_MIME."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWordWrap(True)
        self.setUniformItemSizes(True)
        self.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.setGridSize(QSize(ICON_SIZE + 48, ICON_SIZE + 58))
        self.setSpacing(4)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.run_drag: Callable[[QDrag], object] = lambda drag: drag.exec(Qt.DropAction.CopyAction)

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [TYPE_MIME]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:  # noqa: N802
        return type_mime_data(items[0].data(TYPE_ROLE) if items else "")

    def startDrag(self, supported: Qt.DropAction) -> None:  # noqa: N802
        item = self.currentItem()
        if item is None:
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        drag.setPixmap(item.icon().pixmap(ICON_SIZE, ICON_SIZE))
        drag.setHotSpot(drag.pixmap().rect().center())
        self.run_drag(drag)


class LibraryDock(QDockWidget):
    def __init__(self, parent: QWidget | None = None, thumbnails: ThumbnailRenderer | None = None) -> None:
        super().__init__("Library", parent)
        self.setObjectName("library-dock")
        self.thumbnails = thumbnails or ThumbnailRenderer(size=THUMBNAIL_SIZE)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter: name, category or size")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.set_filter)
        self.list = TypeList()
        self.list.setToolTip("Drag a type into the 3D view to place it")
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(mid);")
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list)
        layout.addWidget(self.count_label)
        self.setWidget(body)
        self.items: dict[str, QListWidgetItem] = {}
        self._meshes: TypeMeshes | None = None
        self._waiting: list[str] = []  # types whose picture is still to be drawn
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._draw_next)

    def set_library(self, library: EquipmentLibrary | None, meshes: TypeMeshes | None) -> None:
        self.list.clear()
        self.items, self._meshes, self._waiting = {}, meshes, []
        self._timer.stop()
        if library is None:
            self._update_count()
            return
        types = sorted(library.types.values(), key=lambda t: (t.category, t.title.lower()))
        for equipment_type in types:
            item = QListWidgetItem(f"{equipment_type.title}\n{footprint_text(equipment_type)}")
            item.setData(TYPE_ROLE, equipment_type.name)
            item.setData(
                SEARCH_ROLE,
                " ".join(
                    (equipment_type.name, equipment_type.title, equipment_type.category, footprint_text(equipment_type))
                ).lower(),
            )
            fp = equipment_type.footprint
            item.setToolTip(
                f"<b>{equipment_type.title}</b><br>{equipment_type.name} · {equipment_type.category}<br>"
                f"footprint {fp.width:g} × {fp.depth:g} m, {fp.height:g} m high"
            )
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
            cached = self.thumbnails.cached(meshes.get(equipment_type.name)) if meshes is not None else None
            if cached is not None:
                item.setIcon(QIcon(QPixmap(str(cached))))
            else:
                item.setIcon(type_swatch(equipment_type.color, ICON_SIZE))
                self._waiting.append(equipment_type.name)
            self.list.addItem(item)
            self.items[equipment_type.name] = item
        self.set_filter(self.filter_edit.text())
        if self._waiting and meshes is not None:
            self._timer.start()

    def pending_thumbnails(self) -> int:
        return len(self._waiting)

    def draw_all_thumbnails(self) -> None:
        """Draw every picture still missing now (tests, and closing the window's first run)."""
        while self._waiting:
            self._draw_next()

    def _draw_next(self) -> None:
        if not self._waiting or self._meshes is None:
            self._timer.stop()
            return
        name = self._waiting.pop(0)
        item = self.items.get(name)
        if item is not None:
            path = self.thumbnails.thumbnail(self._meshes.get(name))
            item.setIcon(QIcon(QPixmap(str(path))))
        if not self._waiting:
            self._timer.stop()
            self.thumbnails.close()  # the off-screen OpenGL context is only needed for new pictures

    def set_filter(self, text: str) -> None:
        if self.filter_edit.text() != text:
            self.filter_edit.setText(text)
            return
        for item in self.items.values():
            item.setHidden(not matches(item.data(SEARCH_ROLE), text.strip()))
        self._update_count()

    def visible_types(self) -> list[str]:
        return [name for name, item in self.items.items() if not item.isHidden()]

    def _update_count(self) -> None:
        shown, total = len(self.visible_types()), len(self.items)
        self.count_label.setText(f"{total} types" if shown == total else f"{shown} of {total} types match")
