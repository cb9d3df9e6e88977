"""The plant tree dock: site > area > line > cell > equipment, with counts and a filter box.

The dock only shows and reports: it emits what the user asked for (select, hide, isolate, focus) and is told
what to show (selection, visibility). The main window connects it to the view state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from viewer.model import EquipmentLibrary, PlantDocument
from viewer.ui.explore.tree_filter import equipment_search_text, group_search_text, matches

ID_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3
EQUIPMENT_IDS_ROLE = Qt.ItemDataRole.UserRole + 4  # every equipment id under a node (itself for an equipment)
SITE_ROLE = Qt.ItemDataRole.UserRole + 5
HIDDEN_ROLE = Qt.ItemDataRole.UserRole + 6
KINDS = ("site", "area", "line", "cell", "equipment")
HIDDEN_BRUSH = QBrush(QColor(150, 150, 150))


def _count_text(count: int) -> str:
    return f"{count} equipment"


def type_swatch(color: tuple[int, int, int], size: int = 12) -> QIcon:
    """A small rounded square in an equipment type's colour: the type at a glance in the tree."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(color[0], color[1], color[2]).darker(140))
    painter.setBrush(QColor(*color))
    painter.drawRoundedRect(1, 1, size - 2, size - 2, 2, 2)
    painter.end()
    return QIcon(pixmap)


class PlantTreeModel(QStandardItemModel):
    """Two columns: name, and type (equipment) or equipment count (groups)."""

    def __init__(self) -> None:
        super().__init__(0, 2)
        self.setHorizontalHeaderLabels(["Name", "Type / count"])
        self.equipment_items: dict[str, QStandardItem] = {}
        self.group_items: dict[str, QStandardItem] = {}
        self.total = 0

    def set_document(self, document: PlantDocument | None, library: EquipmentLibrary | None) -> None:
        for _ in self.fill(document, library):
            pass

    def fill(self, document: PlantDocument | None, library: EquipmentLibrary | None) -> Iterator[int]:
        """Build the rows, yielding the equipment count so far after every cell: a big plant is built a
        slice per turn of the event loop (into a model no view shows yet) so the window keeps answering."""
        self.removeRows(0, self.rowCount())
        self.equipment_items, self.group_items, self.total = {}, {}, 0
        if document is None:
            return
        swatches: dict[tuple[int, int, int], QIcon] = {}
        root = self.invisibleRootItem()
        # Each group gets its equipment ids and count when its last cell is in: a pass over the whole tree at
        # the end took a tenth of a second in one go for 10,000 equipment.
        for site in document.sites:
            site_row, site_ids = self._group_row(root, "site", site.id, site.name, site.id), []
            for area in site.areas:
                area_row, area_ids = self._group_row(site_row, "area", area.id, area.name, site.id), []
                for line in area.lines:
                    line_row, line_ids = self._group_row(area_row, "line", line.id, line.name, site.id), []
                    for cell in line.cells:
                        cell_row = self._group_row(line_row, "cell", cell.id, cell.name, site.id)
                        for equipment in cell.equipment:
                            item = QStandardItem(equipment.name)
                            title = library[equipment.type].title if library and equipment.type in library else ""
                            type_item = QStandardItem(title or equipment.type)
                            type_item.setToolTip(title or equipment.type)
                            item.setData(equipment.id, ID_ROLE)
                            item.setData("equipment", KIND_ROLE)
                            item.setData(equipment_search_text(equipment, library), SEARCH_ROLE)
                            item.setData([equipment.id], EQUIPMENT_IDS_ROLE)
                            item.setData(site.id, SITE_ROLE)
                            item.setToolTip(f"{equipment.name}\n{equipment.id} · {title or equipment.type}")
                            if library and equipment.type in library:
                                color = tuple(library[equipment.type].color)
                                if color not in swatches:
                                    swatches[color] = type_swatch(color)
                                item.setIcon(swatches[color])
                            for cell_item in (item, type_item):
                                cell_item.setEditable(False)
                            cell_row.appendRow([item, type_item])
                            self.equipment_items[equipment.id] = item
                        cell_ids = [equipment.id for equipment in cell.equipment]
                        self._set_group_ids(cell_row, cell_ids)
                        line_ids += cell_ids
                        yield len(self.equipment_items)
                    self._set_group_ids(line_row, line_ids)
                    area_ids += line_ids
                self._set_group_ids(area_row, area_ids)
                site_ids += area_ids
            self._set_group_ids(site_row, site_ids)
        self.total = len(self.equipment_items)

    def _group_row(self, parent: QStandardItem, kind: str, ident: str, name: str, site_id: str) -> QStandardItem:
        item = QStandardItem(name)
        item.setData(ident, ID_ROLE)
        item.setData(kind, KIND_ROLE)
        item.setData(group_search_text(ident, name), SEARCH_ROLE)
        item.setData(site_id, SITE_ROLE)
        item.setToolTip(f"{kind} {name} ({ident})")
        if kind in ("site", "line"):
            font = QFont(item.font())
            font.setBold(True)
            item.setFont(font)
        count_item = QStandardItem("")
        count_item.setForeground(QBrush(QColor(110, 110, 110)))
        for cell_item in (item, count_item):
            cell_item.setEditable(False)
        parent.appendRow([item, count_item])
        self.group_items[ident] = item
        return item

    def _set_group_ids(self, item: QStandardItem, ids: list[str]) -> None:
        item.setData(ids, EQUIPMENT_IDS_ROLE)
        count_item = item.parent().child(item.row(), 1) if item.parent() else self.item(item.row(), 1)
        count_item.setText(_count_text(len(ids)))

    def ancestry(self, item: QStandardItem) -> list[str]:
        """Ids from the site down to this item."""
        ids = []
        while item is not None:
            ids.append(item.data(ID_ROLE))
            item = item.parent()
        return ids[::-1]


class PlantFilterProxy(QSortFilterProxyModel):
    """Shows nodes whose id or name matches, equipment also by type and parameter value; parents of
    matches stay visible (recursive filtering) and so do the children of a matching group."""

    def __init__(self) -> None:
        super().__init__()
        self.query = ""
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)

    def set_query(self, query: str) -> None:
        # begin/endFilterChange replace invalidateFilter (deprecated in Qt 6.10).
        self.beginFilterChange()
        self.query = query.strip()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        if not self.query:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        return matches(index.data(SEARCH_ROLE) or "", self.query)


class PlantTreeDock(QDockWidget):
    selection_requested = Signal(list)  # equipment ids
    focus_requested = Signal(list)  # equipment ids, on double-click
    hide_requested = Signal(list)  # node ids
    show_requested = Signal(list)  # node ids
    isolate_requested = Signal(str)
    show_all_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Plant", parent)
        self.setObjectName("plant-tree-dock")
        self.model = PlantTreeModel()
        self.proxy = PlantFilterProxy()
        self.proxy.setSourceModel(self.model)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter: name, type, id or parameter value")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.set_filter)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(mid);")
        self.view = QTreeView()
        self.view.setModel(self.proxy)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setUniformRowHeights(True)  # fast with 10,000 rows
        self.view.setIndentation(12)  # five levels deep: keep room for the names
        self.view.setAlternatingRowColors(True)
        # A name too long for its column keeps both ends ("Cathode … line 1"); the tooltip has it whole.
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        # Names get the room; the type/count column is narrow and elides (the full text is in the tooltip).
        self.view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.view.header().setStretchLastSection(False)
        self.view.header().resizeSection(1, 120)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.selectionModel().selectionChanged.connect(self._tree_selection_changed)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view)
        layout.addWidget(self.count_label)
        self.setWidget(body)
        self._syncing = False
        self._selection: list[str] = []  # equipment ids last selected, to re-show after filtering

    # ------------------------------------------------------------ told what to show

    def set_document(self, document: PlantDocument | None, library: EquipmentLibrary | None) -> None:
        self._syncing = True
        try:
            self.model.set_document(document, library)
        finally:
            self._syncing = False
        self.view.expandToDepth(1)  # sites and areas open, lines closed: readable at a glance
        self._update_count()

    def adopt_model(self, model: PlantTreeModel) -> None:
        """Show a model built elsewhere (a slice at a time while a big plant loads) in place of the current one."""
        self._syncing = True
        try:
            self.model = model
            self.proxy.setSourceModel(model)
        finally:
            self._syncing = False
        self.view.expandToDepth(1)
        self._update_count()

    def set_filter(self, text: str) -> None:
        if self.filter_edit.text() != text:
            self.filter_edit.setText(text)  # comes back here through textChanged
            return
        # Rows leaving the filter drop out of the tree's selection; that is not the user deselecting them,
        # so nothing is reported, and the selection is shown again on the rows still there.
        self._syncing = True
        try:
            self.proxy.set_query(text)
            if text.strip():
                self.view.expandAll()
            else:
                self.view.collapseAll()
                self.view.expandToDepth(1)
        finally:
            self._syncing = False
        self.show_selection(self._selection)
        self._update_count()

    def visible_equipment_ids(self) -> list[str]:
        """Equipment rows that pass the filter, in tree order."""
        ids: list[str] = []

        def walk(parent: QModelIndex) -> None:
            for row in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(row, 0, parent)
                if index.data(KIND_ROLE) == "equipment":
                    ids.append(index.data(ID_ROLE))
                else:
                    walk(index)

        walk(QModelIndex())
        return ids

    def show_selection(self, ids: Sequence[str]) -> None:
        """Select the rows of these equipment (if the filter shows them) without echoing a request back."""
        self._selection = list(ids)
        if self._selected_ids() == self._selection:
            return  # e.g. a line row selected in the tree: keep it selected rather than its equipment rows
        selection = QItemSelection()
        first: QModelIndex | None = None
        for ident in ids:
            item = self.model.equipment_items.get(ident)
            if item is None:
                continue
            index = self.proxy.mapFromSource(item.index())
            if index.isValid():
                selection.select(index, index.siblingAtColumn(1))
                first = first or index
        self._syncing = True
        try:
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.view.selectionModel().select(selection, flags)
            if first is not None:
                self.view.scrollTo(first)
                self.view.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
        finally:
            self._syncing = False

    def show_visibility(self, is_hidden: Callable[[list[str]], bool]) -> None:
        """Grey out hidden rows. `is_hidden` gets the ids from the site down to an equipment or empty group;
        a group with equipment is hidden when all of its equipment is."""
        hidden_ids = {i for i, item in self.model.equipment_items.items() if is_hidden(self.model.ancestry(item))}
        for item in [*self.model.group_items.values(), *self.model.equipment_items.values()]:
            members = item.data(EQUIPMENT_IDS_ROLE) or []
            hidden = all(i in hidden_ids for i in members) if members else is_hidden(self.model.ancestry(item))
            if bool(item.data(HIDDEN_ROLE)) == hidden:
                continue  # each change repaints: touch only the rows that change
            item.setData(hidden, HIDDEN_ROLE)
            item.setForeground(HIDDEN_BRUSH if hidden else QBrush())
            font = QFont(item.font())
            font.setItalic(hidden)
            item.setFont(font)

    # ------------------------------------------------------------ reporting what the user asks for

    def _selected_items(self) -> list[QStandardItem]:
        rows = self.view.selectionModel().selectedRows(0)
        return [self.model.itemFromIndex(self.proxy.mapToSource(index)) for index in rows]

    def _selected_ids(self) -> list[str]:
        return _unique(i for item in self._selected_items() for i in item.data(EQUIPMENT_IDS_ROLE) or [])

    def _tree_selection_changed(self, *_: object) -> None:
        if not self._syncing:
            self._selection = self._selected_ids()
            self.selection_requested.emit(self._selection)

    def _double_clicked(self, index: QModelIndex) -> None:
        item = self.model.itemFromIndex(self.proxy.mapToSource(index.siblingAtColumn(0)))
        if item is not None:
            self.focus_requested.emit(list(item.data(EQUIPMENT_IDS_ROLE) or []))

    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        menu = QMenu(self)
        items = self._selected_items() if index.isValid() else []
        node_ids = [item.data(ID_ROLE) for item in items]
        if items:
            names = items[0].text() if len(items) == 1 else f"{len(items)} items"
            menu.addAction(f"Hide {names}", lambda: self.hide_requested.emit(node_ids))
            menu.addAction(f"Show {names}", lambda: self.show_requested.emit(node_ids))
            if len(items) == 1 and items[0].data(KIND_ROLE) != "site":
                menu.addAction(f"Isolate {names}", lambda: self.isolate_requested.emit(node_ids[0]))
            menu.addAction("Zoom to", lambda: self.focus_requested.emit(self._selected_ids()))
            menu.addSeparator()
        menu.addAction("Show all", self.show_all_requested.emit)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _update_count(self) -> None:
        shown = len(self.visible_equipment_ids()) if self.proxy.query else self.model.total
        if self.proxy.query:
            self.count_label.setText(f"{shown} of {self.model.total} equipment match")
        else:
            self.count_label.setText(f"{self.model.total} equipment")


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))
