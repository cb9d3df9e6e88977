"""The Review dock and pins in the real window under Xvfb: a topic raised from the selection with Ctrl+T, saved,
reopened in a new window and its view restored (camera values and the pin's pixels checked), undoable status
and comments, filters, a deleted equipment's warning, clicking a pin, and a measurement kept as a topic."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QDate, QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from ui_helpers import (
    ANODE_COATER,
    CATHODE_COATER,
    display_of,
    open_window,
    pixel_at,
    rendered,
    settle,
    top_centre,
    widget_pos,
)

from viewer.io import builtin_library, load_document
from viewer.model.review import MarkupKind, MarkupShape, Priority, ReviewViewpoint, TopicStatus
from viewer.model.review_edit import PutTopics
from viewer.review.synthetic import synthetic_topics
from viewer.ui.main_window import MainWindow
from viewer.ui.review import AUTHOR_KEY, default_author

pytestmark = pytest.mark.gui

AUTHOR = "lee.seoyeon"


def settings_at(tmp_path, name: str = "settings.ini") -> QSettings:
    settings = QSettings(str(tmp_path / name), QSettings.Format.IniFormat)
    settings.setValue(AUTHOR_KEY, AUTHOR)
    return settings


@pytest.fixture
def window(qtbot, tmp_path):
    main = open_window(qtbot, settings_at(tmp_path))
    yield main
    main.close()


def is_pin_red(rgb: np.ndarray) -> bool:
    """An open topic's pin head: lit red (never the selection's magenta, which has much blue)."""
    r, g, b = (int(v) for v in rgb)
    return r > 170 and g < 150 and b < 150 and r - b > 80


def pin_pixels(main: MainWindow, point: np.ndarray) -> list[np.ndarray]:
    """The pixels around a pin's projected centre (3 x 3)."""
    image = rendered(main)
    x, y = display_of(main, point)
    return [pixel_at(image, (x + dx, y + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]


def press_ctrl_t(main: MainWindow, qtbot) -> None:
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main, timeout=5000)  # shortcuts need it active
    main.plotter.setFocus()
    QTest.keyClick(main.plotter, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()


def click_view(main: MainWindow, pos: QPoint) -> None:
    for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
        buttons = Qt.MouseButton.LeftButton if kind == QEvent.Type.MouseButtonPress else Qt.MouseButton.NoButton
        event = QMouseEvent(kind, QPointF(pos), QPointF(main.plotter.mapToGlobal(pos)), Qt.MouseButton.LeftButton,
                            buttons, Qt.KeyboardModifier.NoModifier)  # fmt: skip
        QApplication.sendEvent(main.plotter, event)
    QApplication.processEvents()


def add_synthetic(main: MainWindow, count: int, seed: int = 0) -> list:
    topics, pictures = synthetic_topics(main.session.document, count, seed=seed)
    main.session.undo.push(PutTopics(topics, pictures, text="Review: import"))
    settle(main)
    return topics


def test_ctrl_t_raises_a_topic_that_reopens_with_its_camera_and_pin(window, qtbot, tmp_path):
    review = window.review
    assert [a.text() for a in window.menuBar().actions()][-2:] == ["&Review", "&Help"]
    window.select_ids([CATHODE_COATER])
    settle(window)
    press_ctrl_t(window, qtbot)
    dialog = review.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.title.text() == "Cathode coater"  # the selected equipment's name
    dialog.priority.setCurrentText("high")
    dialog.assignee.setCurrentText("park.jihoon")
    dialog.set_due("2026-12-20")
    dialog.labels.setText("layout, safety")
    width, height = window.plotter.ren_win.GetSize()  # the view as the topic is raised
    dialog.accept()
    settle(window)

    book = window.session.document.review
    assert len(book) == 1
    topic = book.topics[0]
    assert (topic.number, topic.title, topic.priority, topic.assignee) == (1, "Cathode coater", Priority.HIGH,
                                                                           "park.jihoon")  # fmt: skip
    assert topic.labels == ("layout", "safety") and topic.due_date == "2026-12-20" and topic.author == AUTHOR
    assert topic.equipment == (CATHODE_COATER,)
    box = window.scene.view.batch.bounds[window.scene.view.batch.index_of(CATHODE_COATER)]
    assert np.allclose(topic.pin, [(box[0][0] + box[1][0]) / 2, (box[0][1] + box[1][1]) / 2, box[1][2]])
    viewpoint = topic.viewpoints[0]
    assert viewpoint.selection == (CATHODE_COATER,) and viewpoint.site == window.state.active_site
    with Image.open(io.BytesIO(book.snapshots[viewpoint.snapshot])) as picture:
        assert max(picture.size) == 960  # the 3D view's shape: what was seen
        assert picture.size[0] / picture.size[1] == pytest.approx(width / height, rel=0.01)
    assert window.review.dock.row_texts(1) == ["Cathode coater"]
    assert window.review.dock.row_texts(3) == ["high"] and window.review.dock.row_texts(5) == ["2026-12-20"]
    assert window.editing.history_dock.texts()[-1] == "1. Review: new topic #1"
    assert review.panel.picture_shown()
    saved_camera = viewpoint.camera
    pin_display = display_of(window, np.array(topic.pin))
    assert any(is_pin_red(p) for p in pin_pixels(window, np.array(topic.pin)))  # drawn where it stands

    saved = tmp_path / "reviewed.mtplant.json"
    assert window._save_to(saved)
    assert load_document(saved, builtin_library()).review.topics[0].guid == topic.guid

    other = open_window(qtbot, settings_at(tmp_path, "other.ini"))
    try:
        assert other.open_file(saved)
        settle(other)
        other.review.show_dock()
        other.scene.set_view("top")  # somewhere else first
        settle(other)
        assert other.review.dock.choose(topic.guid)
        settle(other)
        camera = other.scene.view.camera_state()
        assert np.allclose(camera.position, saved_camera.position, atol=1e-6)
        assert np.allclose(camera.focal_point, saved_camera.focal_point, atol=1e-6)
        assert np.allclose(camera.up, saved_camera.up, atol=1e-6)
        assert camera.view_angle == pytest.approx(saved_camera.view_angle)
        assert other.state.selection == (CATHODE_COATER,)
        point = other.review.pin_point(topic.guid)
        assert np.allclose(point, topic.pin)
        assert abs(display_of(other, point)[0] - pin_display[0]) <= 1
        assert abs(display_of(other, point)[1] - pin_display[1]) <= 1
        assert any(is_pin_red(p) for p in pin_pixels(other, point))
        assert "view restored" in other.statusBar().currentMessage()
    finally:
        other.close()


def test_status_change_and_comment_are_undoable_and_named_in_the_history(window):
    topic = add_synthetic(window, 3)[0]
    review, panel = window.review, window.review.panel
    review.show_dock()
    assert review.dock.choose(topic.guid)
    # The thumbnail has the snapshot's markup drawn: the red arrow from (0.2, 0.2) to (0.48, 0.46).
    image = panel.picture.pixmap().toImage()
    x, y = round(0.34 * image.width()), round(0.33 * image.height())
    near = [image.pixelColor(x + dx, y + dy) for dx in range(-3, 4) for dy in range(-3, 4)]
    assert any(c.red() > 180 and c.green() < 110 and c.blue() < 110 for c in near)
    plain = np.asarray(Image.open(io.BytesIO(window.session.document.review.snapshots[topic.viewpoints[0].snapshot])))
    px, py = round(0.34 * plain.shape[1]), round(0.33 * plain.shape[0])
    around = plain[py - 3 : py + 4, px - 3 : px + 4].reshape(-1, 3).astype(int)
    assert not any(r > 180 and g < 110 and b < 110 for r, g, b in around)  # the red is the markup's
    assert panel.decoded == 1
    target = TopicStatus.RESOLVED if topic.status != TopicStatus.RESOLVED else TopicStatus.CLOSED
    panel.status.setCurrentText(str(target))
    panel.status.activated.emit(panel.status.currentIndex())
    assert window.session.document.review.topic(topic.guid).status == target
    assert window.editing.history_dock.texts()[-1] == f"2. Review: status of #{topic.number} to {target}"
    assert review.dock.row_texts(2)[0] == str(target)
    # The pin turns grey: a finished topic fades.
    index = review._pin_guids.index(topic.guid)
    assert len(set(review.pins.colors[index].tolist())) == 1

    panel.due.calendarWidget().clicked.emit(QDate(2027, 2, 3))  # a day picked in the calendar
    assert window.session.document.review.topic(topic.guid).due_date == "2027-02-03"
    assert window.editing.history_dock.texts()[-1] == f"3. Review: due date of #{topic.number} to 2027-02-03"
    window.editing.undo_action.trigger()

    comments = len(topic.comments)
    panel.comment.setPlainText("Move the cabinet 600 mm east; check with maintenance.")
    panel.add_comment_button.click()
    changed = window.session.document.review.topic(topic.guid)
    assert len(changed.comments) == comments + 1
    assert changed.comments[-1].author == AUTHOR
    assert "Move the cabinet 600 mm east" in panel.thread.toPlainText()
    assert window.editing.history_dock.texts()[-1] == f"3. Review: comment on #{topic.number}"

    window.editing.undo_action.trigger()
    assert len(window.session.document.review.topic(topic.guid).comments) == comments
    assert "Move the cabinet" not in panel.thread.toPlainText()
    window.editing.undo_action.trigger()
    assert window.session.document.review.topic(topic.guid).status == topic.status
    assert panel.status.currentText() == str(topic.status)
    assert review.dock.row_texts(2)[0] == str(topic.status)
    window.editing.redo_action.trigger()
    assert window.session.document.review.topic(topic.guid).status == target

    # Markup handed back by an editor, then the topic deleted: each one step, undone in turn.
    arrow = MarkupShape(MarkupKind.ARROW, ((0.1, 0.1), (0.3, 0.3)), color=(0, 90, 255))
    review.set_markup(topic.guid, [arrow])
    assert window.session.document.review.topic(topic.guid).viewpoints[0].markup == (arrow,)
    assert window.editing.history_dock.texts()[-1] == f"3. Review: markup of #{topic.number}"
    panel.delete_button.click()
    assert window.session.document.review.topic(topic.guid) is None and review.dock.model.rowCount() == 2
    assert topic.guid not in review._pin_guids
    window.editing.undo_action.trigger()
    assert window.session.document.review.topic(topic.guid) is not None and review.dock.model.rowCount() == 3


def test_filters_by_status_assignee_label_and_text_show_the_right_rows(window):
    topics = add_synthetic(window, 40, seed=4)
    dock = window.review.dock
    assert dock.model.rowCount() == 40 and dock.count.text() == "40 topics"
    assert len(window.review._pin_guids) == 40

    dock.set_filters(status="closed")
    closed = sorted(t.number for t in topics if t.status == TopicStatus.CLOSED)
    assert sorted(int(n) for n in dock.row_texts()) == closed
    assert dock.count.text() == f"{len(closed)} of 40 topics shown"
    assert sorted(window.review.pins.numbers) == closed  # the pins follow the filter
    dock.set_filters(status="\0not done")
    assert sorted(int(n) for n in dock.row_texts()) == sorted(t.number for t in topics if not t.status.is_done)

    person = topics[0].assignee
    dock.set_filters(status="", assignee=person)
    assert dock.assignee_filter.currentText() == person
    assert sorted(int(n) for n in dock.row_texts()) == sorted(t.number for t in topics if t.assignee == person)
    dock.set_filters(assignee="", label="safety")
    assert sorted(int(n) for n in dock.row_texts()) == sorted(t.number for t in topics if "safety" in t.labels)
    dock.set_filters(label="", text="#12")
    assert dock.row_texts() == ["12"]
    dock.set_filters(text="")

    chosen = topics[7].guid
    assert dock.choose(chosen)
    dock.set_sort(1)  # priority, most urgent first
    assert dock.current_guid() == chosen  # the chosen topic stays chosen, wherever it went
    ranks = [Priority(p).rank for p in dock.row_texts(3)]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] == Priority.CRITICAL.rank
    dock.set_sort(2)  # due date, soonest first
    dues = dock.row_texts(5)
    assert dues == sorted(dues)
    # A click on a column's header sorts by it too: the Priority column, then again the other way round.
    window.review.show_dock()
    settle(window)
    header = dock.table.horizontalHeader()
    spot = QPoint(header.sectionViewportPosition(3) + 10, header.height() // 2)
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, spot)
    first = [Priority(p).rank for p in dock.row_texts(3)]
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, spot)
    second = [Priority(p).rank for p in dock.row_texts(3)]
    assert sorted(first) in (first, first[::-1]) and second == first[::-1] and first != second


def test_a_topic_whose_equipment_was_deleted_says_so_and_keeps_its_pin(window):
    window.select_ids([ANODE_COATER])
    settle(window)
    window.review.new_topic().accept()
    topic = window.session.document.review.topics[0]
    pin = window.review.pin_point(topic.guid).copy()
    window.select_ids([ANODE_COATER])
    window.editing.delete_action.trigger()
    settle(window)
    assert window.scene.path_of(ANODE_COATER) is None
    window.review.dock.choose(topic.guid)
    panel = window.review.panel
    assert not panel.warning.isHidden()
    assert panel.warning.text() == f"⚠ {ANODE_COATER} was deleted since; the pin stays where it was."
    assert window.review.dock.row_texts(6) == [f"{ANODE_COATER} (deleted)"]
    assert np.allclose(window.review.pin_point(topic.guid), pin)
    assert any("deleted since" in text for text in window.review.last_restore)
    window.editing.undo_action.trigger()  # the equipment is back: no warning
    assert panel.warning.isHidden()


def test_clicking_a_pin_chooses_its_topic_and_equipment_picking_still_works(window):
    topics = add_synthetic(window, 6, seed=7)
    window.scene.set_view("iso")
    settle(window)
    review = window.review
    target = topics[2]
    point = review.pin_point(target.guid)
    click_view(window, widget_pos(window, display_of(window, point)))
    assert review.dock.current_guid() == target.guid
    assert window.state.selection == target.viewpoints[0].selection
    assert np.allclose(window.scene.view.camera_state().position, target.viewpoints[0].camera.position)
    assert review.pins.highlighted == review._pin_guids.index(target.guid)
    window.input.hovered.emit(QPointF(widget_pos(window, display_of(window, review.pin_point(topics[4].guid)))))
    assert review.hover_text.startswith(f"<b>#{topics[4].number} {topics[4].title}</b>")
    # A double-click on a pin does not frame the equipment behind it.
    camera = window.scene.view.camera_state()
    pos = widget_pos(window, display_of(window, review.pin_point(target.guid)))
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    global_pos = QPointF(window.plotter.mapToGlobal(pos))
    event = QMouseEvent(QEvent.Type.MouseButtonDblClick, QPointF(pos), global_pos, left, left, none)
    QApplication.sendEvent(window.plotter, event)
    assert window.scene.view.camera_state() == camera
    # A topic that names no site (a BCF import) has its pin at its equipment's site, and only there.
    siteless = replace(topics[0], guid="bcf-topic", number=99, site="", pin=(5.0, 5.0, 3.0))
    window.session.undo.push(PutTopics([siteless], text="Review: import"))
    assert review.pin_point("bcf-topic") is not None
    window.state.set_active_site(window.session.document.sites[1].id)
    settle(window)
    assert review.pin_point("bcf-topic") is None and review._pin_guids == []
    window.state.set_active_site(window.session.document.sites[0].id)
    # Away from the pins a click still picks equipment.
    window.scene.set_view("iso")
    window.state.clear_selection()
    settle(window)
    click_view(window, widget_pos(window, display_of(window, top_centre(window, CATHODE_COATER))))
    assert window.state.selection == (CATHODE_COATER,)


def test_with_nothing_selected_ctrl_t_asks_for_a_point_and_esc_cancels(window, qtbot):
    review = window.review
    window.state.clear_selection()
    press_ctrl_t(window, qtbot)
    assert review.placing and "click where its pin goes" in window.statusBar().currentMessage()
    QTest.keyClick(window.plotter, Qt.Key.Key_Escape)
    assert not review.placing
    press_ctrl_t(window, qtbot)
    assert review.placing
    height = window.plotter.ren_win.GetSize()[1]
    floor = (40, height // 2)
    x, y = floor
    expected = window.scene.view.floor_point(x, y)
    index, _hit = window.scene.view.pick_point(x, y)
    assert index is None and expected is not None  # the floor, at the view's left edge
    click_view(window, widget_pos(window, floor))
    assert not review.placing and review.dialog.isVisible()
    review.dialog.title.setText("Forklift aisle too narrow here")
    review.dialog.accept()
    topic = window.session.document.review.topics[-1]
    assert topic.equipment == () and np.allclose(topic.pin, expected, atol=1e-6)
    assert topic.title == "Forklift aisle too narrow here"


def test_keep_measurement_as_topic(window):
    measure = window.editing.measure
    assert not window.review.keep_measurement_action.isEnabled()
    window.editing.measure_action.trigger()
    for equipment in (CATHODE_COATER, ANODE_COATER):
        measure.click(*display_of(window, top_centre(window, equipment)))
    assert measure.distance is not None
    assert window.review.keep_measurement_action.isEnabled()
    window.review.keep_measurement_action.trigger()
    topic = window.session.document.review.topics[-1]
    start, end = (np.array(p) for p in measure.points)
    assert topic.measurement is not None and topic.measurement.distance == pytest.approx(measure.distance)
    assert topic.title == f"Distance {measure.distance:.2f} m between Cathode coater and Anode coater"
    assert np.allclose(topic.pin, (start + end) / 2)
    assert topic.equipment == (CATHODE_COATER, ANODE_COATER) and topic.viewpoints[0].snapshot
    assert window.editing.history_dock.texts()[-1].endswith("Review: measurement kept as topic")


def test_a_viewpoint_restores_the_clipping_box_and_says_what_it_could_not(window):
    topic = add_synthetic(window, 1)[0]
    box = ((10.0, 5.0, 0.0), (60.0, 40.0, 4.0))
    when = "2026-12-01T09:00:00+09:00"
    viewpoint = ReviewViewpoint(guid="vp", camera=topic.viewpoints[0].camera, site=topic.site, xray=True,
                                clip_box=box, color_by="temperature", replay_time=when)  # fmt: skip
    window.session.undo.push(PutTopics([replace(topic, viewpoints=(viewpoint,))], text="Review: viewpoint"))
    missed = window.review.restore(topic.guid)
    assert window.scene.clip_widget is not None and window.clip_action.isChecked()
    assert np.allclose(window.scene.view.clip_box, box)
    assert window.state.xray and window.xray_action.isChecked()
    assert missed == ["colour by temperature (no such signal bound now)",
                      "replay time 2026-12-01T09:00:00+09:00 (no recording open that holds it)"]  # fmt: skip
    assert "not restored: colour by temperature" in window.statusBar().currentMessage()
    # A topic raised now keeps the box (and X-ray) in its viewpoint.
    window.select_ids([CATHODE_COATER])
    window.review.new_topic().accept()
    kept = window.session.document.review.topics[-1].viewpoints[0]
    assert np.allclose(kept.clip_box, box) and kept.xray
    window.review.restore(add_synthetic(window, 1, seed=3)[0].guid)  # a viewpoint with no box: clipping off
    assert window.scene.clip_widget is None and not window.clip_action.isChecked()


def test_the_author_is_asked_once_and_kept_in_the_settings(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "fresh.ini"), QSettings.Format.IniFormat)
    main = open_window(qtbot, settings)
    try:
        main.select_ids([CATHODE_COATER])
        dialog = main.review.new_topic()
        assert dialog.author.isVisibleTo(dialog) and dialog.author.text() == default_author()
        dialog.author.setText("a.novak")
        dialog.accept()
        assert settings.value(AUTHOR_KEY) == "a.novak"
        assert main.session.document.review.topics[-1].author == "a.novak"
        main.select_ids([ANODE_COATER])
        again = main.review.new_topic()
        assert not again.author.isVisibleTo(again)  # asked once
        again.reject()
    finally:
        main.close()


def test_delete_in_the_topic_table_deletes_the_topic_not_the_equipment(window, qtbot):
    topic = add_synthetic(window, 2)[0]
    review = window.review
    review.show_dock()
    assert review.dock.choose(topic.guid)
    assert window.state.selection == topic.viewpoints[0].selection  # its equipment is selected too
    equipment = window.session.document.equipment_count()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    review.dock.table.setFocus()
    QTest.keyClick(review.dock.table, Qt.Key.Key_Delete)
    QApplication.processEvents()
    assert window.session.document.review.topic(topic.guid) is None
    assert window.session.document.equipment_count() == equipment, "the selected equipment stays"
    window.editing.undo_action.trigger()
    assert window.session.document.review.topic(topic.guid) is not None
