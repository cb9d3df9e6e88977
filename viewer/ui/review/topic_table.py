"""The Review dock's list of topics: a table model over the plant's topics and the filter and sort on top of it.

The model is reset with the whole list at once (an undo, an import, another plant): with a thousand topics one
reset and the rows the view shows cost little, a row inserted at a time a lot. Sorting is done by the model, on
keys made once per topic (a proxy's sort asks for two data() values per comparison: 34 ms for a thousand
topics in Python); the proxy only filters, reading the topics themselves, not the display texts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap

from viewer.model.review import Priority, Topic, TopicStatus

COLUMNS = ("#", "Title", "Status", "Priority", "Assignee", "Due", "Equipment")
NUMBER, TITLE, STATUS, PRIORITY, ASSIGNEE, DUE, EQUIPMENT = range(len(COLUMNS))
TOPIC_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
# Pin and status colours: open topics stand out, finished ones fade (also used by the pins in the 3D view).
STATUS_COLORS: dict[TopicStatus, tuple[int, int, int]] = {
    TopicStatus.OPEN: (222, 45, 38),
    TopicStatus.IN_PROGRESS: (245, 140, 0),
    TopicStatus.RESOLVED: (150, 168, 150),
    TopicStatus.CLOSED: (140, 140, 140),
}
PRIORITY_COLORS: dict[Priority, tuple[int, int, int]] = {
    Priority.CRITICAL: (180, 0, 0),
    Priority.HIGH: (200, 90, 0),
}
DONE_TEXT = QColor(130, 130, 130)
ALL = ""  # a filter that lets everything through
NOT_DONE = "\0not done"  # status filter: open and in progress
NOBODY = "\0nobody"  # assignee filter: topics with no assignee


def status_icon(status: TopicStatus, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(60, 60, 60))
    painter.setBrush(QColor(*STATUS_COLORS[status]))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


class TopicTableModel(QAbstractTableModel):
    """One row per topic, in the book's order. `names` gives an equipment's name by id (None: not in the plant)."""

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.topics: list[Topic] = []
        self.names: Callable[[str], str | None] = lambda _id: None
        self._icons = {status: status_icon(status) for status in TopicStatus}
        self._bold = QFont()
        self._bold.setBold(True)
        self.resets = 0  # tests and the benchmark read it
        self.sort_column = NUMBER
        self.sort_order = Qt.SortOrder.AscendingOrder

    def set_topics(self, topics: Sequence[Topic], names: Callable[[str], str | None] | None = None) -> None:
        """All the topics at once (one reset), in the order of the current sort."""
        self.beginResetModel()
        if names is not None:
            self.names = names
        order = self._order(topics)
        self.topics = [topics[i] for i in order]
        self.resets += 1
        self.endResetModel()

    def _order(self, topics: Sequence[Topic]) -> list[int]:
        """Where each row of the sorted list comes from."""
        keys = [self._sort_key(topic, self.sort_column) for topic in topics]
        return sorted(range(len(keys)), key=keys.__getitem__, reverse=self.sort_order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows by a column (the view's header, the dock's Sort box); the chosen row stays chosen."""
        self.sort_column, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        order = self._order(self.topics)
        self.topics = [self.topics[i] for i in order]
        moved = {source: row for row, source in enumerate(order)}
        old = self.persistentIndexList()
        self.changePersistentIndexList(old, [self.index(moved[i.row()], i.column()) for i in old])
        self.layoutChanged.emit()

    def row_of(self, guid: str) -> int:
        return next((row for row, topic in enumerate(self.topics) if topic.guid == guid), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.topics)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def equipment_text(self, topic: Topic) -> str:
        if not topic.equipment:
            return "point" if topic.measurement is None else "measurement"
        names = [self.names(i) or f"{i} (deleted)" for i in topic.equipment]
        return names[0] if len(names) == 1 else f"{names[0]} +{len(names) - 1}"

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        topic = self.topics[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(topic, column)
        if role == TOPIC_ROLE:
            return topic
        if role == SORT_ROLE:
            return self._sort_key(topic, column)
        if role == Qt.ItemDataRole.DecorationRole and column == STATUS:
            return self._icons[topic.status]
        if role == Qt.ItemDataRole.ForegroundRole:
            if topic.status.is_done:
                return QBrush(DONE_TEXT)
            if column == PRIORITY and topic.priority in PRIORITY_COLORS:
                return QBrush(QColor(*PRIORITY_COLORS[topic.priority]))
        if role == Qt.ItemDataRole.FontRole and column == PRIORITY and topic.priority is Priority.CRITICAL:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == EQUIPMENT and topic.equipment:
                return "\n".join(f"{self.names(i) or 'deleted since'} ({i})" for i in topic.equipment)
            return topic.description or topic.title
        if role == Qt.ItemDataRole.TextAlignmentRole and column == NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, topic: Topic, column: int) -> str:
        if column == NUMBER:
            return str(topic.number)
        if column == TITLE:
            return topic.title
        if column == STATUS:
            return str(topic.status)
        if column == PRIORITY:
            return str(topic.priority)
        if column == ASSIGNEE:
            return topic.assignee
        if column == DUE:
            return topic.due_date
        return self.equipment_text(topic)

    def _sort_key(self, topic: Topic, column: int) -> object:
        if column == NUMBER:
            return topic.number
        if column == PRIORITY:  # most urgent first when sorted descending; the number breaks ties
            return topic.priority.rank * 1_000_000 - topic.number
        if column == STATUS:
            return list(TopicStatus).index(topic.status) * 1_000_000 + topic.number
        if column == DUE:  # no due date sorts after every date
            return f"{topic.due_date or '9999-99-99'} {topic.number:09d}"
        return self._text(topic, column).casefold()


class TopicFilter(QSortFilterProxyModel):
    """Filters by status, label, assignee and a text (title, description, number, equipment, labels)."""

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.status = ALL
        self.label = ALL
        self.assignee = ALL
        self.text = ""
        self.setDynamicSortFilter(False)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The model sorts (see the module's note); the proxy keeps its order for the rows it lets through."""
        self.sourceModel().sort(column, order)

    def set_filters(self, status: str | None = None, label: str | None = None, assignee: str | None = None,
                    text: str | None = None) -> None:  # fmt: skip
        """Change any of the filters (None: keep that one); the rows are filtered again once."""
        self.beginFilterChange()
        if status is not None:
            self.status = status
        if label is not None:
            self.label = label
        if assignee is not None:
            self.assignee = assignee
        if text is not None:
            self.text = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        topic: Topic = model.topics[source_row]  # type: ignore[attr-defined]
        if self.status == NOT_DONE:
            if topic.status.is_done:
                return False
        elif self.status and topic.status != self.status:
            return False
        if self.label and self.label not in topic.labels:
            return False
        if self.assignee == NOBODY:
            if topic.assignee:
                return False
        elif self.assignee and topic.assignee != self.assignee:
            return False
        if self.text:
            names = model.names  # type: ignore[attr-defined]
            words = [f"#{topic.number}", topic.title, topic.description, topic.decision, *topic.labels]
            words += [*topic.equipment, *(names(i) or "" for i in topic.equipment)]
            haystack = " ".join(words).casefold()
            return self.text in haystack
        return True

    def topics(self) -> list[Topic]:
        """The topics shown, in the order shown."""
        source: TopicTableModel = self.sourceModel()  # type: ignore[assignment]
        return [source.topics[self.mapToSource(self.index(row, 0)).row()] for row in range(self.rowCount())]


def choices(topics: Sequence[Topic]) -> tuple[list[str], list[str]]:
    """The labels and the assignees the topics use, sorted: what the filter boxes offer."""
    labels = sorted({label for topic in topics for label in topic.labels}, key=str.casefold)
    people = sorted({topic.assignee for topic in topics if topic.assignee}, key=str.casefold)
    return labels, people


def name_lookup(names: Mapping[str, str]) -> Callable[[str], str | None]:
    return names.get
