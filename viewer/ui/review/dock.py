"""The Review dock: the topics of the open plant in a table (filter by status, label, assignee and text; sort by
priority or due date, or by any column's header), and below it the panel of the topic chosen.

It lays out and reports; `ReviewUi` fills it and turns what is asked into edits and views.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from viewer.model.review import Topic, TopicStatus
from viewer.ui.review.topic_panel import TopicPanel
from viewer.ui.review.topic_table import (
    ALL,
    COLUMNS,
    DUE,
    NOBODY,
    NOT_DONE,
    NUMBER,
    PRIORITY,
    TOPIC_ROLE,
    TopicFilter,
    TopicTableModel,
    choices,
)

SORTS = (("Number", NUMBER, Qt.SortOrder.AscendingOrder), ("Priority", PRIORITY, Qt.SortOrder.DescendingOrder),
         ("Due date", DUE, Qt.SortOrder.AscendingOrder))  # fmt: skip
CLICK_SECONDS = 1.0  # a row made current this long ago by the same click
SEARCH_DELAY_MS = 150  # typing in the search box filters once the typing pauses


class TopicTableView(QTableView):
    """The topics' table: Delete (or Backspace) here deletes the current topic, not the selected equipment
    (the window's Delete shortcut would otherwise take the key first)."""

    delete_pressed = Signal()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._is_delete(event):  # type: ignore[arg-type]
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if self._is_delete(event):
            self.delete_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    @staticmethod
    def _is_delete(event: QKeyEvent) -> bool:
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        return plain and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)


class ReviewDock(QDockWidget):
    topic_chosen = Signal(str)  # guid: the user picked a topic in the table (click, arrow keys)
    filter_changed = Signal()  # the rows shown changed (the pins follow them)
    new_topic_requested = Signal()

    def __init__(self, snapshot: Callable[[str], bytes | None], parent: QWidget | None = None) -> None:
        super().__init__("Review", parent)
        self.setObjectName("review-dock")
        self.model = TopicTableModel(self)
        self.proxy = TopicFilter(self)
        self.proxy.setSourceModel(self.model)
        self._chosen: tuple[str, float] = ("", 0.0)  # the topic last sent, and when
        self._quiet = False  # a refresh re-selects the topic it had: that is not the user choosing it

        self.status_filter = QComboBox()
        self.status_filter.setToolTip("Show topics of one status")
        for text, data in (("Any status", ALL), ("Not done", NOT_DONE), *((str(s), str(s)) for s in TopicStatus)):
            self.status_filter.addItem(text, data)
        self.label_filter = QComboBox()
        self.label_filter.setToolTip("Show topics with this label")
        self.assignee_filter = QComboBox()
        self.assignee_filter.setToolTip("Show topics assigned to this person")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search: #12, title, equipment…")
        self.search.setClearButtonEnabled(True)
        self.sort = QComboBox()
        self.sort.setToolTip("Sort the topics (a click on a column header sorts by it too)")
        for text, _column, _order in SORTS:
            self.sort.addItem(f"Sort: {text}")
        self.count = QLabel()
        self.count.setStyleSheet("color: gray")
        self.new_button = QPushButton("New Topic…")
        self.new_button.setToolTip("A topic on the selected equipment, or on a point you click (Ctrl+T)")
        self.new_button.clicked.connect(self.new_topic_requested.emit)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.set_filters(text=self.search.text()))

        self.table = TopicTableView()
        self.table.delete_pressed.connect(self._delete_current)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        # The title takes what the others leave; they keep widths that fit their longest usual text.
        widths = {"#": 34, "Status": 94, "Priority": 60, "Assignee": 84, "Due": 78, "Equipment": 104}
        for column, name in enumerate(COLUMNS):
            if name in widths:
                header.resizeSection(column, widths[name])
        header.setSectionResizeMode(COLUMNS.index("Title"), QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(30)
        self.table.sortByColumn(NUMBER, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.table.clicked.connect(self._on_clicked)
        header.sortIndicatorChanged.connect(lambda *_: self.filter_changed.emit())

        self.panel = TopicPanel(snapshot)
        scroll = QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.panel_scroll = scroll

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        for widget in (self.status_filter, self.label_filter, self.assignee_filter):
            filters.addWidget(widget, 1)
        second = QHBoxLayout()
        second.setContentsMargins(0, 0, 0, 0)
        second.addWidget(self.search, 2)
        second.addWidget(self.sort, 1)
        second.addWidget(self.new_button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(4, 4, 4, 0)
        top_layout.addLayout(filters)
        top_layout.addLayout(second)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.count)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([330, 500])
        self.splitter.setChildrenCollapsible(False)
        self.setWidget(self.splitter)

        self.status_filter.activated.connect(lambda _i: self.set_filters(status=self.status_filter.currentData()))
        self.label_filter.activated.connect(lambda _i: self.set_filters(label=self.label_filter.currentData()))
        self.assignee_filter.activated.connect(
            lambda _i: self.set_filters(assignee=self.assignee_filter.currentData())
        )
        self.search.textEdited.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(lambda: self.set_filters(text=self.search.text()))
        self.sort.activated.connect(self.set_sort)
        self._fill_choices([])
        self._update_count()

    # ------------------------------------------------------------ filling

    def set_topics(self, topics: Sequence[Topic], names: Callable[[str], str | None], keep: str | None) -> None:
        """All the topics at once (one model reset); the topic `keep` (a guid) stays chosen if still there."""
        self._quiet = True
        try:
            self.model.set_topics(topics, names)
            self._fill_choices(topics)
            if keep:
                self.select_guid(keep)
        finally:
            self._quiet = False
        self._update_count()

    def _fill_choices(self, topics: Sequence[Topic]) -> None:
        labels, people = choices(topics)
        for box, first, values, extra in (
            (self.label_filter, "Any label", labels, []),
            (self.assignee_filter, "Anyone", people, [("Nobody", NOBODY)]),
        ):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(first, ALL)
            for text, data in extra:
                box.addItem(text, data)
            for value in values:
                box.addItem(value, value)
            index = box.findData(current) if current is not None else 0
            if index < 0 and current:  # the last topic with it went: the filter goes back to all
                index = 0
                if box is self.label_filter:
                    self.proxy.label = ALL
                else:
                    self.proxy.assignee = ALL
            box.setCurrentIndex(max(index, 0))
            box.blockSignals(False)
        self.people = people

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if total == 0:
            self.count.setText("No topics yet. Select equipment and press Ctrl+T to raise one.")
        elif shown == total:
            self.count.setText(f"{total} topics")
        else:
            self.count.setText(f"{shown} of {total} topics shown")

    # ------------------------------------------------------------ filters and sorting

    def set_filters(self, status: str | None = None, label: str | None = None, assignee: str | None = None,
                    text: str | None = None) -> None:  # fmt: skip
        """Filter the rows (None: keep that filter as it is); the boxes show the filters."""
        for box, value in ((self.status_filter, status), (self.label_filter, label),
                           (self.assignee_filter, assignee)):  # fmt: skip
            if value is not None and box.findData(value) >= 0:
                box.setCurrentIndex(box.findData(value))
        if text is not None and self.search.text() != text:
            self.search.setText(text)
        chosen = self.current_guid()
        self._quiet = True
        try:
            self.proxy.set_filters(status, label, assignee, text)
            if chosen:
                self.select_guid(chosen)
        finally:
            self._quiet = False
        self._update_count()
        self.filter_changed.emit()

    def set_sort(self, index: int) -> None:
        """0: by number, 1: by priority (most urgent first), 2: by due date (soonest first, none last)."""
        _text, column, order = SORTS[index]
        if self.sort.currentIndex() != index:
            self.sort.setCurrentIndex(index)
        self.table.sortByColumn(column, order)

    def shown_topics(self) -> list[Topic]:
        return self.proxy.topics()

    def row_texts(self, column: int = NUMBER) -> list[str]:
        """The texts of one column, in the order shown (tests read it)."""
        return [str(self.proxy.index(row, column).data()) for row in range(self.proxy.rowCount())]

    # ------------------------------------------------------------ the chosen topic

    def _delete_current(self) -> None:
        guid = self.current_guid()
        if guid is not None:
            self.panel.delete_requested.emit(guid)

    def current_guid(self) -> str | None:
        index = self.table.currentIndex()
        topic = index.data(TOPIC_ROLE) if index.isValid() else None
        return topic.guid if topic is not None else None

    def select_guid(self, guid: str | None) -> bool:
        """Make a topic the current row (scrolled to); False when it is not shown (filtered out, or gone)."""
        row = self.model.row_of(guid) if guid else -1
        if row < 0:
            self.table.clearSelection()
            self.table.setCurrentIndex(QModelIndex())
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        return True

    def choose(self, guid: str) -> bool:
        """As if the user clicked the topic's row: it becomes current and `topic_chosen` is sent."""
        self._quiet = True  # one topic_chosen, not one from the row change too
        try:
            shown = self.select_guid(guid)
        finally:
            self._quiet = False
        if shown:
            self._chosen = (guid, time.monotonic())
            self.topic_chosen.emit(guid)
        return shown

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet or not current.isValid():
            return
        topic = current.data(TOPIC_ROLE)
        if topic is not None:
            self._chosen = (topic.guid, time.monotonic())
            self.topic_chosen.emit(topic.guid)

    def _on_clicked(self, index: QModelIndex) -> None:
        # A click on the row that was already current goes to its view again (the camera was moved since); the
        # click that made it current went there already.
        topic = index.data(TOPIC_ROLE)
        if topic is None or self._quiet:
            return
        guid, when = self._chosen
        if guid != topic.guid or time.monotonic() - when > CLICK_SECONDS:
            self._chosen = (topic.guid, time.monotonic())
            self.topic_chosen.emit(topic.guid)
