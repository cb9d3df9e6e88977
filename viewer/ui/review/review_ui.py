"""Layout review in the main window: the Review menu and dock, pins in the 3D view, topics raised from the
selection (Ctrl+T) or from a measurement, and a topic's viewpoint put back when it is chosen.

Installed by `install_review_ui(window)` at the end of MainWindow.__init__. Every change of a topic is one
`PutTopics` (or `RemoveTopics`) on the session's undo stack, named for the History dock ("Review: status of #3
to resolved"); the dock and the pins are refreshed from the document after every do, undo and redo, and only
when its topics changed (a drag of equipment costs them nothing).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu, QToolTip, QWidget

from viewer.app.document import Message, Severity
from viewer.app.review_view import viewpoint_from_view
from viewer.model.review import (
    Comment,
    MarkupShape,
    Measurement,
    Priority,
    Topic,
    TopicType,
    changed_topic,
    new_guid,
    new_topic,
    now_iso,
    snapshot_key,
)
from viewer.model.review_edit import PutTopics, RemoveTopics
from viewer.model.undo import Command
from viewer.scene.review_pins import ReviewPins
from viewer.ui.review.dock import ReviewDock
from viewer.ui.review.host import ReviewHost
from viewer.ui.review.new_topic_dialog import NewTopicDialog, TopicFields, title_for
from viewer.ui.review.topic_table import STATUS_COLORS
from viewer.ui.review.viewpoints import default_author, equipment_at, png_bytes, restore_view, view_extras

if TYPE_CHECKING:
    from viewer.model import PlantDocument

__all__ = ["AUTHOR_KEY", "ReviewHost", "ReviewUi", "install_review_ui"]

AUTHOR_KEY = "review/author"
NEW_TOPIC_KEYS = "Ctrl+T"
SNAPSHOT_LONG_SIDE = 960  # pixels: a snapshot has the 3D view's shape, its longer side this long
DOCK_WIDTH = 640  # the right dock area is widened to this when the Review dock is shown
FIELD_NAMES = {"title": "title", "type": "type", "status": "status", "priority": "priority", "labels": "labels",
               "assignee": "assignee", "due_date": "due date", "description": "description",
               "decision": "decision"}  # fmt: skip
SAID_WITH_VALUE = {"type", "status", "priority", "assignee", "due_date"}  # the History row says the new value


def history_text(topic: Topic, field: str, value: object) -> str:
    """What the History dock says of a change: "Review: status of #3 to resolved"."""
    name = FIELD_NAMES.get(field, field)
    if field in SAID_WITH_VALUE:
        shown = str(value) if value else "none"
        return f"Review: {name} of #{topic.number} to {shown}"
    return f"Review: {name} of #{topic.number}"


class ReviewUi(QObject):
    def __init__(self, window: ReviewHost) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self.window = window
        parent: QWidget = window  # type: ignore[assignment]
        self.settings = window.settings
        self.pins = ReviewPins(window.plotter.renderer)
        self.dock = ReviewDock(self.snapshot_png, parent)
        self.panel = self.dock.panel
        self.dialog: NewTopicDialog | None = None
        self.markup_editor: Callable[[str], object] | None = None  # set to open the markup editor on a topic
        self.placing = False  # waiting for a click in the 3D view: where the new topic's pin goes
        self.last_restore: list[str] = []  # what the last restored viewpoint could not put back (tests read it)
        self._names: dict[str, str] = {}  # equipment id -> name, of the open document
        self._shown: tuple[int, ...] = ()  # identities of the topics the dock shows (immutable objects)
        self._pin_guids: list[str] = []
        self._undo: object = None
        self._pressed_pin: int | None = None
        self.hover_text = ""  # the last pin's tooltip (tests read it)
        self._build_actions()
        self._build_menu()
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        window.tabifyDockWidget(window.inspector, self.dock)
        window.inspector.raise_()
        self._connect()
        window.plotter.installEventFilter(self)  # after the other filters of the view: pins are seen first
        self._update_actions()

    # ------------------------------------------------------------ building

    def _action(self, text: str, slot: Callable[..., object], tip: str, keys: str | None = None) -> QAction:
        action = QAction(text, self.window)  # type: ignore[arg-type]
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.setStatusTip(tip)
        action.setToolTip(tip + (f" ({keys})" if keys else ""))
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.new_topic_action = self._action(
            "&New Topic from Selection…", lambda: self.new_topic(),
            "Raise a review topic on the selected equipment (nothing selected: click where its pin goes)",
            NEW_TOPIC_KEYS,
        )  # fmt: skip
        self.keep_measurement_action = self._action(
            "Keep &Measurement as Topic", lambda: self.keep_measurement(),
            "A review topic with the distance measured (Edit > Measure), its two points and the view",
        )  # fmt: skip
        self.show_dock_action = self._action("Show Review &Dock", lambda: self.show_dock(),
                                             "The review topics of the plant: filter, sort, edit, comment")  # fmt: skip
        self.show_pins_action = self._action("Show &Pins", self.set_pins_visible, "Topic pins in the 3D view")
        self.show_pins_action.setCheckable(True)
        self.show_pins_action.setChecked(True)

    def _build_menu(self) -> None:
        bar = self.window.menuBar()
        self.menu = QMenu("&Review", self.window)  # type: ignore[arg-type]
        self.menu.addActions([self.new_topic_action, self.keep_measurement_action])
        self.menu.addSeparator()
        self.menu.addActions([self.show_dock_action, self.show_pins_action])
        help_menu = next((a for a in bar.actions() if a.text() == "&Help"), None)
        if help_menu is not None:
            bar.insertMenu(help_menu, self.menu)
        else:
            bar.addMenu(self.menu)
        view_menu = next((a.menu() for a in bar.actions() if a.text() == "&View"), None)
        if view_menu is not None:
            view_menu.addAction(self.dock.toggleViewAction())

    def _connect(self) -> None:
        w = self.window
        w.session.document_changed.connect(self._on_document)
        w.session.document_closed.connect(self._on_closed)
        w.state.active_site_changed.connect(lambda _site: self.refresh_pins())
        self.dock.topic_chosen.connect(self.go_to_topic)
        self.dock.filter_changed.connect(self.refresh_pins)
        self.dock.new_topic_requested.connect(self.new_topic)
        self.panel.field_edited.connect(self.edit_field)
        self.panel.comment_added.connect(self.add_comment)
        self.panel.restore_requested.connect(self.restore)
        self.panel.delete_requested.connect(self.delete_topic)
        self.panel.markup_requested.connect(self._open_markup)
        measure = self._measure()
        if measure is not None:
            measure.status.connect(lambda _text: self._update_actions())
        viewport = getattr(w, "input", None)  # the 3D view's gestures: after the window's own hover text
        if viewport is not None:
            viewport.hovered.connect(self._on_hover)

    def _on_hover(self, pos: QPointF) -> None:
        """Resting the cursor on a pin: the topic, in place of the equipment's name."""
        guid = self.pin_guid_at(pos)
        topic = self.topic(guid) if guid else None
        if topic is None:
            return
        who = f", {html.escape(topic.assignee)}" if topic.assignee else ""
        due = f", due {topic.due_date}" if topic.due_date else ""
        text = (f"<b>#{topic.number} {html.escape(topic.title)}</b><br>{topic.status} · {topic.priority}{who}{due}"
                "<br><span style='color:gray'>click: go to its view</span>")  # fmt: skip
        plotter = self.window.plotter
        QToolTip.showText(plotter.mapToGlobal(pos.toPoint()), text, plotter)
        self.hover_text = text

    def _measure(self) -> object:
        return getattr(getattr(self.window, "editing", None), "measure", None)

    def set_markup_editor(self, editor: Callable[[str], object] | None) -> None:
        """Open the markup editor on a topic (by guid) from the panel's Markup button; None hides the button."""
        self.markup_editor = editor
        self.panel.markup_button.setVisible(editor is not None)

    def _open_markup(self, guid: str) -> None:
        if self.markup_editor is not None:
            self.markup_editor(guid)

    # ------------------------------------------------------------ the document

    @property
    def document(self) -> PlantDocument | None:
        return self.window.session.document

    def snapshot_png(self, key: str) -> bytes | None:
        document = self.document
        return document.review.snapshots.get(key) if document is not None else None

    def topic(self, guid: str) -> Topic | None:
        document = self.document
        return document.review.topic(guid) if document is not None else None

    def name_of(self, equipment_id: str) -> str | None:
        """The equipment's name, None when the plant does not hold it (deleted since)."""
        return self._names.get(equipment_id)

    def _on_document(self, document: PlantDocument) -> None:
        undo = self.window.session.undo
        if self._undo is not None:
            self._undo.changed.disconnect(self._on_undo_changed)  # type: ignore[attr-defined]
        self._undo = undo
        if undo is not None:
            undo.changed.connect(self._on_undo_changed)
        self._read_names(document)
        self._shown = ()
        self.dock.set_filters(status="", label="", assignee="", text="")
        self.refresh(keep=None)
        self._update_actions()

    def _on_closed(self) -> None:
        if self._undo is not None:
            self._undo.changed.disconnect(self._on_undo_changed)  # type: ignore[attr-defined]
            self._undo = None
        self._names = {}
        self.cancel_placing()
        self.dock.set_topics([], self.name_of, None)
        self._shown = ()
        self.panel.show_topic(None)
        self.pins.set_pins(np.zeros((0, 3)), [], np.zeros((0, 3)))
        self._pin_guids = []
        self._update_actions()

    def _read_names(self, document: PlantDocument | None) -> None:
        sites = document.sites if document is not None else []
        cells = [c for s in sites for a in s.areas for li in a.lines for c in li.cells]
        self._names = {e.id: e.name for c in cells for e in c.equipment}

    def _on_undo_changed(self, _ids: set[str], structural: bool) -> None:
        if structural:  # equipment added or deleted: names and "deleted since" warnings change
            self._read_names(self.document)
            self._shown = ()
        self.refresh()

    def refresh(self, keep: str | bool | None = True) -> bool:
        """The dock, the panel and the pins from the document's topics, when they changed; True if redrawn.
        `keep`: True keeps the topic chosen now, else the guid to choose (None: none)."""
        document = self.document
        topics = document.review.topics if document is not None else []
        stamp = tuple(map(id, topics))
        if stamp == self._shown:
            return False
        self._shown = stamp
        chosen = self.dock.current_guid() if keep is True else keep
        self.dock.set_topics(topics, self.name_of, chosen if isinstance(chosen, str) else None)
        self._show_panel()
        self.refresh_pins()
        return True

    def _show_panel(self) -> None:
        guid = self.dock.current_guid()
        self.panel.show_topic(self.topic(guid) if guid else None, self.name_of, self.dock.people)

    # ------------------------------------------------------------ pins

    def refresh_pins(self) -> None:
        """The pins of the topics the dock shows (its filter) at the site shown; rebuilt once, all together."""
        site = self.window.state.active_site
        document = self.document
        single = document is not None and len(document.sites) == 1
        batch = self.window.scene.view.batch
        chosen = self.dock.current_guid()
        where = self.window._site_of
        positions, numbers, colors, ranks, guids = [], [], [], [], []
        for topic in self.dock.shown_topics() if document is not None else []:
            # A topic from elsewhere (BCF) may name no site: it is at its equipment's.
            at = topic.site or next((where[i] for i in topic.equipment if i in where), "")
            if at != (site or "") and not (single and not at):
                continue
            point = topic.pin
            if point is None and batch is not None:  # a topic from elsewhere (BCF) with no pin: its equipment
                known = [i for i in topic.equipment if batch.has_id(i)]
                if known:
                    boxes = batch.bounds[batch.indices(known)]
                    lo, hi = boxes[:, 0].min(axis=0), boxes[:, 1].max(axis=0)
                    point = (float(lo[0] + hi[0]) / 2, float(lo[1] + hi[1]) / 2, float(hi[2]))
            if point is None:
                continue
            positions.append(point)
            numbers.append(topic.number)
            colors.append(STATUS_COLORS[topic.status])
            ranks.append(1000.0 if topic.guid == chosen else (0.0 if topic.status.is_done else 100.0)
                         + topic.priority.rank)  # fmt: skip
            guids.append(topic.guid)
        self._pin_guids = guids
        self.pins.set_pins(np.array(positions, float).reshape(-1, 3), numbers, np.array(colors).reshape(-1, 3), ranks)
        self.pins.set_highlight(guids.index(chosen) if chosen in guids else None)
        self.window.scene.view.set_pin_labels([self.pins.labels] if self.pins.labels is not None else [])
        self.window.scene.request_render()

    def set_pins_visible(self, on: bool) -> None:
        self.pins.set_visible(on)
        self.show_pins_action.setChecked(on)
        self.window.scene.request_render()

    def pin_guid_at(self, pos: QPointF) -> str | None:
        """The topic whose pin is under a widget position (within a few pixels), if any."""
        w = self.window
        x, y = w.scene.display_point(pos, w.plotter.height(), w.plotter.devicePixelRatioF())
        index = self.pins.pin_at(x, y)
        return self._pin_guids[index] if index is not None else None

    def pin_point(self, guid: str) -> np.ndarray | None:
        """Where a topic's pin is drawn (world), None when it has none at the site shown."""
        if guid not in self._pin_guids:
            return None
        return self.pins.positions[self._pin_guids.index(guid)].copy()

    # ------------------------------------------------------------ choosing a topic: its view back

    def show_dock(self) -> None:
        """Show the Review dock in front of its tabs; made wide enough for its table when it was not in view."""
        in_view = self.dock.isVisible() and not self.dock.visibleRegion().isEmpty()
        self.dock.show()
        self.dock.raise_()
        if not in_view and not self.dock.isFloating():
            self.window.resizeDocks([self.dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)

    def go_to_topic(self, guid: str) -> None:
        """The topic chosen (a row of the dock, a pin): its panel, its pin ringed, its viewpoint restored."""
        if self.dock.current_guid() != guid:
            self.dock.select_guid(guid)
        self._show_panel()
        if guid in self._pin_guids:
            self.pins.set_highlight(self._pin_guids.index(guid))
        self.restore(guid)

    def restore(self, guid: str) -> list[str]:
        """Put the topic's first viewpoint back (see `viewpoints.restore_view`); says in the status bar what
        could not be, and returns it."""
        topic = self.topic(guid)
        if topic is None:
            return []
        missed = restore_view(self.window, topic)
        self.last_restore = missed
        self.window.scene.request_render()
        said = f"#{topic.number} {topic.title}: view restored"
        self.window.statusBar().showMessage(said + (f"; not restored: {'; '.join(missed)}" if missed else ""), 8000)
        return missed

    # ------------------------------------------------------------ edits

    def author(self) -> str | None:
        value = self.settings.value(AUTHOR_KEY, "")
        return str(value).strip() or None

    def author_or_ask(self) -> str | None:
        """Who writes: from the settings, else asked once (None: cancelled)."""
        author = self.author()
        if author is not None:
            return author
        name, ok = QInputDialog.getText(self.window, "Your name in reviews",  # type: ignore[arg-type]
                                        "Topics and comments are signed with:", text=default_author())  # fmt: skip
        if not ok or not name.strip():
            return None
        self.settings.setValue(AUTHOR_KEY, name.strip())
        return name.strip()

    def _push(self, command: Command) -> None:
        session = self.window.session
        if session.document is None:
            return
        if session.undo is not None:
            session.undo.push(command)
        else:
            command.redo(session.document)
            self.refresh()

    def edit_field(self, guid: str, field: str, value: object) -> None:
        topic = self.topic(guid)
        if topic is None or field not in FIELD_NAMES:
            return
        changed = changed_topic(topic, self.author() or default_author(), **{field: value})
        self._push(PutTopics([changed], text=history_text(topic, field, value)))

    def add_comment(self, guid: str, text: str) -> None:
        topic = self.topic(guid)
        author = self.author_or_ask() if topic is not None else None
        if topic is None or author is None:
            return
        comment = Comment(guid=new_guid(), author=author, date=now_iso(), text=text.strip())
        self._push(PutTopics([topic.with_comment(comment)], text=f"Review: comment on #{topic.number}"))

    def set_markup(self, guid: str, shapes: Sequence[MarkupShape]) -> None:
        """The markup drawn on a topic's snapshot (its first viewpoint), as one undoable edit: what a markup
        editor hands back."""
        topic = self.topic(guid)
        if topic is None or not topic.viewpoints:
            return
        first = replace(topic.viewpoints[0], markup=tuple(shapes))
        changed = changed_topic(topic, self.author() or default_author(), viewpoints=(first, *topic.viewpoints[1:]))
        self._push(PutTopics([changed], text=f"Review: markup of #{topic.number}"))

    def delete_topic(self, guid: str) -> None:
        topic = self.topic(guid)
        if topic is not None:
            self._push(RemoveTopics([guid], text=f"Review: delete topic #{topic.number}"))

    # ------------------------------------------------------------ new topics

    def new_topic(self) -> NewTopicDialog | None:
        """Ctrl+T: a topic on the selection (its dialog, open; not waited for), or, with nothing selected,
        click the point of its pin in the 3D view (Esc cancels)."""
        w = self.window
        if self.document is None or w.scene.view.site is None:
            w.statusBar().showMessage("Open a plant to raise review topics", 5000)
            return None
        batch = w.scene.view.batch
        ids = [i for i in w.state.selection if batch is not None and batch.has_id(i)]
        if not ids:
            self.start_placing()
            return None
        boxes = batch.bounds[batch.indices(ids)]  # type: ignore[union-attr]
        lo, hi = boxes[:, 0].min(axis=0), boxes[:, 1].max(axis=0)
        pin = (float(lo[0] + hi[0]) / 2, float(lo[1] + hi[1]) / 2, float(hi[2]))
        names = [self._names.get(i, i) for i in ids]
        where = f"Pinned to {len(ids)} equipment: {', '.join(names[:6])}{' …' if len(names) > 6 else ''}"
        return self.ask_new_topic(title_for(names), where, ids, pin)

    def start_placing(self) -> None:
        self.placing = True
        self.window.plotter.setCursor(Qt.CursorShape.CrossCursor)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)  # Esc wherever the focus is
        self.window.statusBar().showMessage("New topic: click where its pin goes in the 3D view (Esc cancels)")

    def cancel_placing(self) -> None:
        if not self.placing:
            return
        self.placing = False
        self.window.plotter.setCursor(Qt.CursorShape.ArrowCursor)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.window.statusBar().clearMessage()

    def place_at(self, pos: QPointF) -> NewTopicDialog | None:
        """The click of the pin's point: on equipment (the topic names it too) or on the floor."""
        w = self.window
        x, y = w.scene.display_point(pos, w.plotter.height(), w.plotter.devicePixelRatioF())
        index, hit = w.scene.view.pick_point(x, y)
        point = hit if hit is not None else w.scene.view.floor_point(x, y)
        if point is None:
            w.statusBar().showMessage("New topic: nothing there; click the floor or equipment (Esc cancels)")
            return None
        self.cancel_placing()
        pin = (float(point[0]), float(point[1]), float(point[2]))
        if index is not None:
            equipment_id = w.scene.view.batch.paths[index].equipment.id  # type: ignore[union-attr]
            name = self._names.get(equipment_id, equipment_id)
            return self.ask_new_topic(name, f"Pinned to a point on {name}", [equipment_id], pin)
        where = "Pinned to a point at ({:.1f}, {:.1f}, {:.1f}) m".format(*pin)
        return self.ask_new_topic("", where, [], pin)

    def ask_new_topic(self, title: str, where: str, equipment: list[str], pin: tuple[float, float, float],
                      measurement: Measurement | None = None) -> NewTopicDialog:  # fmt: skip
        book = self.document.review  # type: ignore[union-attr]
        labels = sorted({label for t in book.topics for label in t.labels})
        people = sorted({t.assignee for t in book.topics if t.assignee})
        dialog = NewTopicDialog(title, where, people, labels, self.author(), default_author(), self.window)  # type: ignore[arg-type]
        dialog.accepted.connect(lambda: self.create_topic(dialog.fields(), equipment, pin, measurement))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
        self.dialog = dialog
        return dialog

    def create_topic(self, fields: TopicFields, equipment: Sequence[str], pin: tuple[float, float, float],
                     measurement: Measurement | None = None, text: str = "") -> Topic | None:  # fmt: skip
        """One undo step: the topic, its viewpoint (the view now) and its snapshot."""
        w, document = self.window, self.document
        if document is None:
            return None
        author = fields.author or self.author() or default_author()
        if self.author() is None:
            self.settings.setValue(AUTHOR_KEY, author)
        w.scene.store_camera()
        png = self.take_snapshot()
        # Handed to the command, not put in the book here: undoing the topic takes its snapshot away too.
        key = snapshot_key(png) if png is not None else ""
        snapshots = {key: png} if png is not None else {}
        clip, color_by, replay = view_extras(self.window)
        viewpoint = viewpoint_from_view(w.state, clip_box=clip, color_by=color_by, replay_time=replay, snapshot=key)
        topic = new_topic(
            document.review, fields.title, author, equipment=equipment, pin=pin, site=w.state.active_site or "",
            viewpoint=viewpoint, type=fields.type, priority=fields.priority, labels=fields.labels,
            assignee=fields.assignee, due_date=fields.due_date, measurement=measurement,
        )  # fmt: skip
        self._push(PutTopics([topic], snapshots, text=text or f"Review: new topic #{topic.number}"))
        self.show_dock()
        self.dock.select_guid(topic.guid)
        self._show_panel()
        self.refresh_pins()
        w.statusBar().showMessage(f"Raised #{topic.number} {topic.title}", 6000)
        return topic

    def snapshot_size(self) -> tuple[int, int]:
        """The 3D view's shape, its longer side SNAPSHOT_LONG_SIDE: the picture shows what was seen."""
        width, height = self.window.plotter.ren_win.GetSize()
        width, height = max(width, 1), max(height, 1)
        scale = SNAPSHOT_LONG_SIDE / max(width, height)
        return max(16, round(width * scale)), max(16, round(height * scale))

    def take_snapshot(self) -> bytes | None:
        w, session = self.window, self.window.session
        try:
            image = w.scene.snapshot(session.document, session.library, session.meshes, self.snapshot_size(), False)
        except (ValueError, RuntimeError) as exc:
            w._report([Message(Severity.WARNING, f"review topic: no snapshot ({exc})")])
            return None
        return png_bytes(image)

    # ------------------------------------------------------------ measurements

    def keep_measurement(self) -> Topic | None:
        """The distance measured (Edit > Measure) as a topic: its two points, the view, pinned at its middle."""
        measure = self._measure()
        points = list(getattr(measure, "points", []))
        if len(points) != 2 or self.document is None:
            self.window.statusBar().showMessage("Measure a distance first (Edit > Measure, two clicks)", 6000)
            return None
        start, end = (tuple(float(v) for v in p) for p in points)
        measurement = Measurement(start, end)  # type: ignore[arg-type]
        ends = [equipment_at(self.window.scene.view.batch, np.array(p)) for p in (start, end)]
        names = [self._names.get(i, i) if i else "the floor" for i in ends]
        between = "two points of " + names[0] if ends[0] and ends[0] == ends[1] else f"{names[0]} and {names[1]}"
        title = f"Distance {measurement.distance:.2f} m between {between}"
        middle = tuple((a + b) / 2 for a, b in zip(start, end, strict=True))
        fields = TopicFields(title, TopicType.ISSUE, Priority.NORMAL, "", "", ("measurement",),
                             self.author() or default_author())  # fmt: skip
        equipment = list(dict.fromkeys(i for i in ends if i))
        topic = self.create_topic(fields, equipment, middle, measurement,  # type: ignore[arg-type]
                                  text="Review: measurement kept as topic")  # fmt: skip
        return topic

    def _update_actions(self) -> None:
        has_document = self.document is not None
        measure = self._measure()
        self.new_topic_action.setEnabled(has_document)
        self.dock.new_button.setEnabled(has_document)
        self.keep_measurement_action.setEnabled(has_document and len(getattr(measure, "points", [])) == 2)

    # ------------------------------------------------------------ clicks on the 3D view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if self.placing and kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            if isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
                if kind == QEvent.Type.KeyPress:
                    self.cancel_placing()
                    self.window.statusBar().showMessage("New topic cancelled", 4000)
                event.accept()
                return True
            return False
        if watched is not self.window.plotter or not isinstance(event, QMouseEvent):
            return False
        if event.button() != Qt.MouseButton.LeftButton and kind != QEvent.Type.MouseMove:
            return False
        if kind == QEvent.Type.MouseButtonPress:
            if self.placing:
                self._pressed_pin = -1
                return True
            tool = getattr(getattr(self.window, "input", None), "tool_active", False)
            if tool or event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                return False  # the measure tool, a box selection: not a pin's click
            guid = self.pin_guid_at(event.position())
            if guid is not None:
                self._pressed_pin = self._pin_guids.index(guid)
                return True  # neither orbit nor equipment pick: the pin has it
            return False
        if kind == QEvent.Type.MouseButtonDblClick:  # on a pin: not the equipment behind it framed
            return not self.placing and self.pin_guid_at(event.position()) is not None
        if self._pressed_pin is None:
            return False
        if kind == QEvent.Type.MouseMove:
            return True
        if kind == QEvent.Type.MouseButtonRelease:
            pressed, self._pressed_pin = self._pressed_pin, None
            if self.placing and pressed == -1:
                self.place_at(event.position())
            elif 0 <= pressed < len(self._pin_guids):
                guid = self._pin_guids[pressed]
                self.show_dock()
                self.go_to_topic(guid)
            return True
        return False


def install_review_ui(window: ReviewHost) -> ReviewUi:
    """The Review menu (before Help), the Review dock and the pins; the window keeps it as `review`."""
    return ReviewUi(window)
