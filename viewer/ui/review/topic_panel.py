"""The Review dock's topic panel: the snapshot (markup drawn), the fields, the comment thread.

It only lays out and reports: an edited field is sent as `field_edited(guid, field, value)` and a new comment
as `comment_added(guid, text)`; the review controller turns them into undoable edits and calls `show_topic`
again with the changed topic. Snapshots are decoded when a topic is shown, not when the list fills.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable

from PIL import Image
from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from viewer.model.review import Priority, Topic, TopicStatus, TopicType
from viewer.review.markup_draw import draw_markup

NO_DATE = QDate(2000, 1, 1)  # the date box's minimum, shown as "none"
THUMBNAIL_WIDTH = 380
THUMBNAIL_HEIGHT = 300
THUMBNAIL_CACHE = 64


class _TextBox(QPlainTextEdit):
    """A multi-line field that says when the user is done with it (focus leaves and the text changed)."""

    editing_finished = Signal(str)

    def __init__(self, placeholder: str, lines: int) -> None:
        super().__init__()
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 12)
        self._shown = ""

    def set_value(self, text: str) -> None:
        self._shown = text
        self.setPlainText(text)

    def focusOutEvent(self, event: object) -> None:  # noqa: N802
        super().focusOutEvent(event)  # type: ignore[arg-type]
        self.finish()

    def finish(self) -> None:
        text = self.toPlainText()
        if text != self._shown:
            self._shown = text
            self.editing_finished.emit(text)


class TopicPanel(QWidget):
    field_edited = Signal(str, str, object)  # guid, field name of Topic, new value
    comment_added = Signal(str, str)  # guid, text
    restore_requested = Signal(str)  # guid
    delete_requested = Signal(str)  # guid
    markup_requested = Signal(str)  # guid

    def __init__(self, snapshot: Callable[[str], bytes | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._snapshot = snapshot  # PNG bytes by key, from the open plant's review book
        self._thumbnails: dict[tuple, QPixmap] = {}
        self.topic: Topic | None = None
        self.decoded = 0  # snapshots decoded so far (tests and the benchmark read it)
        self._filling = False

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("QLabel { background: #fff3cd; color: #7a4b00; border: 1px solid #e0b252;"
                                   " border-radius: 3px; padding: 3px 6px; }")  # fmt: skip
        self.warning.hide()
        self.picture = QLabel("No snapshot")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumHeight(120)
        self.picture.setFrameShape(QFrame.Shape.StyledPanel)
        self.picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.picture.setToolTip("The view when the topic was raised (markup drawn); click Go to View to restore it")

        self.title = QLineEdit()
        self.type = QComboBox()
        self.type.addItems([str(t) for t in TopicType])
        self.status = QComboBox()
        self.status.addItems([str(s) for s in TopicStatus])
        self.priority = QComboBox()
        self.priority.addItems([str(p) for p in Priority])
        self.labels = QLineEdit()
        self.labels.setPlaceholderText("comma separated: layout, safety")
        self.assignee = QComboBox()
        self.assignee.setEditable(True)
        self.assignee.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.due = QDateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.due.setMinimumDate(NO_DATE)
        self.due.setSpecialValueText("none")
        self.description = _TextBox("What is the point? Where, how much, by when?", 3)
        self.decision = _TextBox("What the meeting decided", 2)
        self.equipment = QLabel()
        self.equipment.setWordWrap(True)
        self.equipment.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.author = QLabel()
        self.author.setStyleSheet("color: gray")
        self.author.setWordWrap(True)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.status, self.priority, self.type):
            row.addWidget(widget)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Title", self.title)
        form.addRow("Status", row)
        form.addRow("Assignee", self.assignee)
        form.addRow("Due", self.due)
        form.addRow("Labels", self.labels)
        form.addRow("Pinned to", self.equipment)
        form.addRow("Description", self.description)
        form.addRow("Decision", self.decision)

        self.thread = QTextBrowser()
        self.thread.setOpenLinks(False)
        self.thread.setMinimumHeight(80)
        self.comment = _TextBox("Add a comment…", 2)
        self.add_comment_button = QPushButton("Add Comment")
        self.add_comment_button.clicked.connect(self._add_comment)
        self.restore_button = QPushButton("Go to View")
        self.restore_button.setToolTip("Restore the topic's viewpoint: site, camera, visibility, selection, X-ray…")
        self.markup_button = QPushButton("Markup…")
        self.markup_button.setToolTip("Draw arrows, lines, rectangles and text on the snapshot")
        self.markup_button.hide()  # shown once a markup editor is installed (ReviewUi.markup_editor)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete this topic (Undo brings it back)")
        self.restore_button.clicked.connect(lambda: self.topic and self.restore_requested.emit(self.topic.guid))
        self.markup_button.clicked.connect(lambda: self.topic and self.markup_requested.emit(self.topic.guid))
        self.delete_button.clicked.connect(lambda: self.topic and self.delete_requested.emit(self.topic.guid))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.markup_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        comment_row = QHBoxLayout()
        comment_row.setContentsMargins(0, 0, 0, 0)
        comment_row.addWidget(self.comment, 1)
        comment_row.addWidget(self.add_comment_button, 0, Qt.AlignmentFlag.AlignBottom)

        self.body = QWidget()  # everything but the heading: hidden while no topic is chosen
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.warning)
        body.addWidget(self.picture)
        body.addLayout(buttons)
        body.addLayout(form)
        body.addWidget(QLabel("<b>Comments</b>"))
        body.addWidget(self.thread, 1)
        body.addLayout(comment_row)
        body.addWidget(self.author)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.body, 1)
        layout.addStretch(0)

        self.title.editingFinished.connect(lambda: self._edited("title", self.title.text().strip()))
        self.type.activated.connect(lambda i: self._edited("type", TopicType(self.type.itemText(i))))
        self.status.activated.connect(lambda i: self._edited("status", TopicStatus(self.status.itemText(i))))
        self.priority.activated.connect(lambda i: self._edited("priority", Priority(self.priority.itemText(i))))
        self.labels.editingFinished.connect(lambda: self._edited("labels", parse_labels(self.labels.text())))
        self.assignee.activated.connect(lambda _i: self._edited("assignee", self.assignee.currentText().strip()))
        self.assignee.lineEdit().editingFinished.connect(
            lambda: self._edited("assignee", self.assignee.currentText().strip())
        )
        self.due.editingFinished.connect(lambda: self._edited("due_date", self.due_text()))
        # A day picked in the calendar is an edit too (editingFinished comes only when the focus leaves).
        self.due.calendarWidget().clicked.connect(
            lambda day: self._edited("due_date", "" if day == NO_DATE else day.toString("yyyy-MM-dd"))
        )
        self.description.editing_finished.connect(lambda text: self._edited("description", text.strip()))
        self.decision.editing_finished.connect(lambda text: self._edited("decision", text.strip()))
        self.picture.installEventFilter(self)
        self.show_topic(None)

    # ------------------------------------------------------------ showing

    def show_topic(self, topic: Topic | None, names: Callable[[str], str | None] = lambda _i: None,
                   people: list[str] | None = None) -> None:  # fmt: skip
        """Fill the panel (None: empty and disabled). `names`: equipment names by id (None: deleted)."""
        self._filling = True
        try:
            self._fill(topic, names, people or [])
        finally:
            self._filling = False

    def _fill(self, topic: Topic | None, names: Callable[[str], str | None], people: list[str]) -> None:
        self.topic = topic
        self.body.setVisible(topic is not None)
        for widget in self._editors():
            widget.setEnabled(topic is not None)
        if topic is None:
            self.heading.setText("<span style='color:gray'>Select a topic, or raise one: select equipment and "
                                 "press Ctrl+T.</span>")  # fmt: skip
            self.warning.hide()
            self.picture.setPixmap(QPixmap())
            self.picture.setText("No topic selected")
            for edit in (self.title, self.labels):
                edit.clear()
            self.description.set_value("")
            self.decision.set_value("")
            self.thread.clear()
            self.equipment.clear()
            self.author.clear()
            return
        self.heading.setText(f"<b style='font-size:13pt'>#{topic.number} {html.escape(topic.title)}</b>")
        missing = [i for i in topic.equipment if names(i) is None]
        if missing:
            gone = ", ".join(missing)
            self.warning.setText(f"⚠ {gone} {'was' if len(missing) == 1 else 'were'} deleted since; "
                                 "the pin stays where it was.")  # fmt: skip
            self.warning.show()
        else:
            self.warning.hide()
        self._show_picture(topic)
        self.title.setText(topic.title)
        self.type.setCurrentText(str(topic.type))
        self.status.setCurrentText(str(topic.status))
        self.priority.setCurrentText(str(topic.priority))
        self.labels.setText(", ".join(topic.labels))
        self.assignee.clear()
        self.assignee.addItems(sorted({*people, topic.assignee} - {""}, key=str.casefold))
        self.assignee.setCurrentText(topic.assignee)
        self.due.setDate(QDate.fromString(topic.due_date, "yyyy-MM-dd") if topic.due_date else NO_DATE)
        self.description.set_value(topic.description)
        self.decision.set_value(topic.decision)
        pinned = [f"{html.escape(names(i) or 'deleted')} <span style='color:gray'>({html.escape(i)})</span>"
                  for i in topic.equipment]  # fmt: skip
        if topic.measurement is not None:
            pinned.append(f"measured distance {topic.measurement.distance:.3f} m")
        if not pinned and topic.pin is not None:
            pinned.append("a point at ({:.1f}, {:.1f}, {:.1f}) m".format(*topic.pin))
        self.equipment.setText("<br>".join(pinned) or "nothing")
        self.thread.setHtml(thread_html(topic))
        self.author.setText(f"Raised by {topic.author or 'unknown'} on {topic.created[:10] or '?'}"
                            + (f"; changed by {topic.modified_author} on {topic.modified[:16].replace('T', ' ')}"
                               if topic.modified and topic.modified != topic.created else ""))  # fmt: skip

    def _editors(self) -> list[QWidget]:
        return [self.title, self.type, self.status, self.priority, self.labels, self.assignee, self.due,
                self.description, self.decision, self.comment, self.add_comment_button, self.restore_button,
                self.markup_button, self.delete_button]  # fmt: skip

    def _show_picture(self, topic: Topic) -> None:
        viewpoint = topic.viewpoints[0] if topic.viewpoints else None
        if viewpoint is None or not viewpoint.snapshot:
            self.picture.setPixmap(QPixmap())
            self.picture.setText("No snapshot")
            return
        key = (viewpoint.snapshot, viewpoint.markup)
        pixmap = self._thumbnails.get(key)
        if pixmap is None:
            png = self._snapshot(viewpoint.snapshot)
            pixmap = QPixmap() if png is None else picture_with_markup(png, viewpoint.markup)
            self.decoded += png is not None
            if len(self._thumbnails) >= THUMBNAIL_CACHE:
                self._thumbnails.pop(next(iter(self._thumbnails)))
            self._thumbnails[key] = pixmap
        if pixmap.isNull():
            self.picture.setPixmap(QPixmap())
            self.picture.setText("Snapshot missing")
            return
        width = max(160, min(THUMBNAIL_WIDTH, self.width() - 12))
        self.picture.setPixmap(pixmap.scaled(width, THUMBNAIL_HEIGHT, Qt.AspectRatioMode.KeepAspectRatio,
                                             Qt.TransformationMode.SmoothTransformation))  # fmt: skip

    def picture_shown(self) -> bool:
        pixmap = self.picture.pixmap()
        return pixmap is not None and not pixmap.isNull()

    # ------------------------------------------------------------ editing

    def due_text(self) -> str:
        date = self.due.date()
        return "" if date == NO_DATE else date.toString("yyyy-MM-dd")

    def _edited(self, field: str, value: object) -> None:
        topic = self.topic
        if self._filling or topic is None or getattr(topic, field) == value:
            return
        if field == "title" and not value:
            self.title.setText(topic.title)  # a topic keeps a title
            return
        self.field_edited.emit(topic.guid, field, value)

    def _add_comment(self) -> None:
        text = self.comment.toPlainText().strip()
        if self.topic is None or not text:
            return
        self.comment.set_value("")
        self.comment_added.emit(self.topic.guid, text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.picture and event.type() == QEvent.Type.MouseButtonDblClick and self.topic is not None:
            self.restore_requested.emit(self.topic.guid)  # a double-click on the picture goes there
            return True
        return False


def picture_with_markup(png: bytes, shapes: tuple) -> QPixmap:
    """The snapshot with its markup drawn (the same drawing as the report's and BCF's), straight into a pixmap:
    no PNG written in between (that took most of the time). A picture that does not decode: an empty pixmap."""
    try:
        with Image.open(io.BytesIO(png)) as image:
            drawn = draw_markup(image, shapes)  # RGB
    except (OSError, ValueError):
        return QPixmap()
    data = drawn.tobytes()
    image = QImage(data, drawn.width, drawn.height, 3 * drawn.width, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy())  # copied: `data` goes when this returns


def parse_labels(text: str) -> tuple[str, ...]:
    """'layout, safety,, layout' -> ('layout', 'safety'): trimmed, no blanks, no repeats, in the order typed."""
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def thread_html(topic: Topic) -> str:
    if not topic.comments:
        return "<p style='color:gray'>No comments yet.</p>"
    rows = []
    for comment in topic.comments:
        when = comment.date[:16].replace("T", " ")
        text = html.escape(comment.text).replace("\n", "<br>")
        rows.append(f"<p style='margin:0 0 6px 0'><b>{html.escape(comment.author or 'unknown')}</b> "
                    f"<span style='color:gray'>{when}</span><br>{text}</p>")  # fmt: skip
    return "".join(rows)
