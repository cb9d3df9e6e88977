"""The small dialog of a new review topic: title (made from what it is pinned to), type, priority, assignee,
due date, labels, and who raises it the first time (kept for the next topics)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from viewer.model.review import Priority, TopicType
from viewer.ui.review.topic_panel import NO_DATE, parse_labels

MAX_NAMES_IN_TITLE = 3


@dataclass(frozen=True)
class TopicFields:
    title: str
    type: TopicType
    priority: Priority
    assignee: str
    due_date: str
    labels: tuple[str, ...]
    author: str


def title_for(names: list[str]) -> str:
    """'Cathode coater', 'Cathode coater and Anode coater', 'A, B, C and 4 more'."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    if len(names) <= MAX_NAMES_IN_TITLE:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{', '.join(names[:MAX_NAMES_IN_TITLE])} and {len(names) - MAX_NAMES_IN_TITLE} more"


class NewTopicDialog(QDialog):
    def __init__(self, title: str, where: str, people: list[str], labels: list[str], author: str | None,
                 default_author: str, parent: QWidget | None = None) -> None:  # fmt: skip
        """`author`: who raises it, when known (else asked here, prefilled with `default_author`)."""
        super().__init__(parent)
        self.setWindowTitle("New Review Topic")
        self.setMinimumWidth(460)
        self.title = QLineEdit(title)
        self.title.selectAll()
        self.type = QComboBox()
        self.type.addItems([str(t) for t in TopicType])
        self.priority = QComboBox()
        self.priority.addItems([str(p) for p in Priority])
        self.priority.setCurrentText(str(Priority.NORMAL))
        self.assignee = QComboBox()
        self.assignee.setEditable(True)
        self.assignee.addItems(["", *people])
        self.due = QDateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.due.setMinimumDate(NO_DATE)
        self.due.setSpecialValueText("none")
        self.due.setDate(NO_DATE)
        self.labels = QLineEdit()
        self.labels.setPlaceholderText("comma separated" + (f": {', '.join(labels[:4])}" if labels else ""))
        self.author = QLineEdit(author or default_author)
        where_label = QLabel(where)
        where_label.setWordWrap(True)
        where_label.setStyleSheet("color: gray")
        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("Type", self.type)
        form.addRow("Priority", self.priority)
        form.addRow("Assignee", self.assignee)
        form.addRow("Due", self.due)
        form.addRow("Labels", self.labels)
        if author is None:  # asked once; Review > settings keep it
            form.addRow("Your name", self.author)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create Topic")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(where_label)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.title.setFocus()

    def _accept(self) -> None:
        if not self.title.text().strip():
            self.title.setPlaceholderText("A topic needs a title")
            self.title.setFocus()
            return
        self.accept()

    def set_due(self, iso_date: str) -> None:
        self.due.setDate(QDate.fromString(iso_date, "yyyy-MM-dd") if iso_date else NO_DATE)

    def fields(self) -> TopicFields:
        date = self.due.date()
        return TopicFields(
            title=self.title.text().strip(),
            type=TopicType(self.type.currentText()),
            priority=Priority(self.priority.currentText()),
            assignee=self.assignee.currentText().strip(),
            due_date="" if date == NO_DATE else date.toString("yyyy-MM-dd"),
            labels=parse_labels(self.labels.text()),
            author=self.author.text().strip(),
        )
