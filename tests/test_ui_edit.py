"""Layout editing in the real window under Xvfb: drags, keys, typed values, drops, checks, measure."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QByteArray, QEvent, QMimeData, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from ui_helpers import CATHODE_COATER, display_of, open_window, pixel_at, rendered, settle, top_centre, widget_pos

from viewer.model.edit import footprint_bounds, locate, move_by
from viewer.model.snapping import snapped_drag
from viewer.ui.edit.gestures import TYPE_MIME
from viewer.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

MIXER = "OC-ELE1-MIX-01"
DUST = "OC-ELE1-MIX-DST-01"
CABINET = "OC-ELE1-COT-CAB-01"


@pytest.fixture
def window(qtbot, tmp_path):
    main = open_window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    yield main
    main.close()


def pose(main: MainWindow, equipment_id: str):
    return locate(main.session.document, [equipment_id])[0].equipment.pose


def world_box(main: MainWindow, equipment_id: str) -> np.ndarray:
    batch = main.scene.view.batch
    return batch.bounds[batch.index_of(equipment_id)].copy()


def floor_under(main: MainWindow, pos: QPoint, height: float) -> tuple[float, float]:
    display = main.scene.display_point(QPointF(pos), main.plotter.height(), main.plotter.devicePixelRatioF())
    point = main.scene.view.floor_point(*display, height=height)
    return float(point[0]), float(point[1])


def drag(main: MainWindow, start: QPoint, end: QPoint, steps: int = 6) -> None:
    """A real left-button drag on the 3D view: press, moves with the button held, release."""
    plotter = main.plotter
    QTest.mousePress(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in range(1, steps + 1):
        at = QPointF(start + (end - start) * k / steps)
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            at,
            plotter.mapToGlobal(at),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(plotter, move)
    QTest.mouseRelease(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    settle(main)


def is_red(rgb: np.ndarray) -> bool:
    r, g, b = (int(v) for v in rgb)
    return r > 80 and g < 0.3 * r and b < 0.3 * r


def test_drag_moves_selection_by_snapped_amount_as_one_undo_step(window):
    window.state.select([CATHODE_COATER])
    window.editing.set_grid_step(0.5)
    window.editing.edge_snap_action.setChecked(False)
    window.editing._set_edge_snap(False)
    settle(window)
    before = pose(window, CATHODE_COATER)
    x0, y0 = before.x, before.y
    box_before = world_box(window, CATHODE_COATER)
    camera = window.scene.view.camera_state()
    display = display_of(window, top_centre(window, CATHODE_COATER))
    _, hit = window.scene.view.pick_point(*display)
    start = widget_pos(window, display)
    end = start + QPoint(90, 40)
    expected = snapped_drag(floor_under(window, start, hit[2]), floor_under(window, end, hit[2]), 0.5)
    assert expected != (0.0, 0.0)

    drag(window, start, end)

    moved = pose(window, CATHODE_COATER)
    assert (moved.x, moved.y) == pytest.approx((x0 + expected[0], y0 + expected[1]), abs=1e-9)
    assert window.scene.view.camera_state() == camera  # equipment moved, the camera did not orbit
    # The drawn geometry moved too (in place, no rebuild), and so did what picking sees.
    assert np.allclose(world_box(window, CATHODE_COATER)[:, :2], box_before[:, :2] + expected, atol=1e-4)
    assert window.session.undo.texts() == ["Move"] and window.session.modified
    assert window.windowTitle().split(" — ")[0].endswith("*")
    assert window.editing.history_dock.texts() == ["1. Move"]

    window.editing.undo_action.trigger()
    assert (pose(window, CATHODE_COATER).x, pose(window, CATHODE_COATER).y) == (x0, y0)
    assert window.session.undo.index == 0 and not window.session.modified
    assert np.allclose(world_box(window, CATHODE_COATER), box_before, atol=1e-4)
    window.editing.history_dock.row_clicked.emit(0)  # clicking the row goes forward to it again
    assert pose(window, CATHODE_COATER).x == pytest.approx(x0 + expected[0])


def test_drag_snaps_to_a_neighbours_edge_and_shows_a_guide(window):
    window.state.select([DUST])
    window.editing.set_grid_step(0.0)  # only edge snapping
    settle(window)
    display = display_of(window, top_centre(window, DUST))
    _, hit = window.scene.view.pick_point(*display)
    start = widget_pos(window, display)
    start_floor = floor_under(window, start, hit[2])
    # Aim the cursor so the dust collector ends 1.5 m in front of the mixer with its left edge 0.15 m off the
    # mixer's left edge (x 8.4): close enough to snap onto it.
    shift = np.array([8.4 + 0.15 - 8.9, 13.4 + 1.5 - 20.9])
    goal = widget_pos(window, display_of(window, np.array([*(np.array(start_floor) + shift), hit[2]])))
    plotter = window.plotter
    QTest.mousePress(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for at in (QPointF(start + QPoint(0, 20)), QPointF(goal)):  # past the click slop first, then to the goal
        QApplication.sendEvent(
            plotter,
            QMouseEvent(
                QEvent.Type.MouseMove,
                at,
                plotter.mapToGlobal(at),
                Qt.MouseButton.NoButton,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            ),
        )
    settle(window)
    assert "snap-guides" in window.plotter.actors  # shown while dragging
    QTest.mouseRelease(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, goal)
    settle(window)
    library = window.session.library
    box = footprint_bounds(window.session.document, library, locate(window.session.document, [DUST])[0])
    assert box[0, 0] == pytest.approx(8.4, abs=1e-6)  # pulled onto the mixer's left edge
    assert "snap-guides" not in window.plotter.actors
    assert window.session.undo.texts() == ["Move"]


def test_keyboard_nudge_and_rotate(window):
    window.state.select([CATHODE_COATER])
    window.editing.set_grid_step(0.5)
    window.plotter.setFocus()
    settle(window)
    x0, y0 = pose(window, CATHODE_COATER).x, pose(window, CATHODE_COATER).y

    QTest.keyClick(window.plotter, Qt.Key.Key_Right)
    QTest.keyClick(window.plotter, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    assert (pose(window, CATHODE_COATER).x, pose(window, CATHODE_COATER).y) == (x0 + 0.5, y0 + 5.0)

    QTest.keyClick(window.plotter, Qt.Key.Key_R)
    assert pose(window, CATHODE_COATER).yaw == pytest.approx(90.0)
    window.editing.set_angle_step(15.0)
    QTest.keyClick(window.plotter, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
    assert pose(window, CATHODE_COATER).yaw == pytest.approx(75.0)
    assert window.session.undo.texts() == ["Nudge", "Nudge", "Rotate 90 deg", "Rotate -15 deg"]
    window.session.undo.go_to(0)
    assert pose(window, CATHODE_COATER).yaw == 0.0 and pose(window, CATHODE_COATER).x == x0


def _type_into(window: MainWindow, key: str, text: str) -> None:
    item = window.inspector.editable_item(key)
    assert item is not None, key
    window.inspector.edit_row(item)
    editor = window.inspector.tree.findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    settle(window)


def test_typing_exact_values_in_the_inspector(window):
    window.state.select([CATHODE_COATER])
    settle(window)
    _type_into(window, "x", "23.25")
    assert pose(window, CATHODE_COATER).x == 23.25
    _type_into(window, "yaw", "45")
    assert pose(window, CATHODE_COATER).yaw == 45.0
    _type_into(window, "name", "Cathode coater A")
    equipment = locate(window.session.document, [CATHODE_COATER])[0].equipment
    assert equipment.name == "Cathode coater A"
    assert window.tree_dock.model.equipment_items[CATHODE_COATER].text() == "Cathode coater A"
    _type_into(window, "parameter:coating_speed", "65 m/min")
    assert next(p for p in equipment.parameters if p.name == "coating_speed").value == 65
    assert "coating_speed\t65 m/min" in window.inspector.text()
    assert "x\t23.25 m" in window.inspector.text()
    _type_into(window, "parameter:coating_speed", "fast")  # refused, said why, value unchanged
    assert next(p for p in equipment.parameters if p.name == "coating_speed").value == 65
    assert "is not a number" in window.messages.messages[-1].text
    assert len(window.session.undo.texts()) == 4


def test_drop_of_a_library_type_adds_equipment_at_the_drop_point(window):
    batch_size = len(window.scene.view.batch)
    target = (30.0, 22.0)  # open floor between the coaters in the electrode hall
    display = display_of(window, np.array([*target, 0.0]))
    pos = widget_pos(window, display)
    floor = floor_under(window, pos, 0.0)
    mime = QMimeData()
    mime.setData(TYPE_MIME, QByteArray(b"workbench"))
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, buttons, keys)  # a QPoint, as in Qt
    QApplication.sendEvent(window.plotter, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(window.plotter, drop)
    settle(window)

    (new_id,) = window.state.selection
    path = locate(window.session.document, [new_id])[0]
    assert path.equipment.type == "workbench"
    assert path.cell.id == "OC-ELE1-COT"  # the cell whose equipment cover the drop point
    world = window.scene.view.batch.bounds[window.scene.view.batch.index_of(new_id)].mean(axis=0)
    assert world[:2] == pytest.approx(floor, abs=0.01)
    assert len(window.scene.view.batch) == batch_size + 1
    assert new_id in window.tree_dock.model.equipment_items
    window.editing.undo_action.trigger()
    assert len(window.scene.view.batch) == batch_size and window.state.selection == ()


def test_checks_dock_lists_clearance_violation_and_equipment_turns_red(window):
    assert window.editing.checks_dock.messages() == []
    point = display_of(window, top_centre(window, DUST))
    assert not is_red(pixel_at(rendered(window), point))
    # Put the dust collector 0.5 m in front of the mixer: less than the 1 m walkway.
    window.editing.edits.push(move_by(window.session.document, [DUST], 0.0, 13.4 + 0.5 - 20.9))
    settle(window)
    messages = window.editing.checks_dock.messages()
    assert any(MIXER in m and DUST in m and "0.50 m apart" in m for m in messages), messages
    assert window.editing.checks_dock.windowTitle().startswith("Checks (")
    image = rendered(window)  # the Checks dock came up: the view may have a new size, so look after drawing
    point = display_of(window, top_centre(window, DUST))
    assert window.scene.pick_id(*point) == DUST
    assert is_red(pixel_at(image, point)), pixel_at(image, point)

    window.editing.checks_dock.clearance.setValue(0.4)  # a narrower walkway is fine
    assert not any(MIXER in m and DUST in m for m in window.editing.checks_dock.messages())
    window.editing.checks_dock.clearance.setValue(1.0)
    item = window.editing.checks_dock.violation_items()[0]  # under the heading of its site
    window.editing.checks_dock.list.itemClicked.emit(item, 0)
    assert set(window.state.selection) <= {MIXER, DUST} and window.state.selection
    window.editing.undo_action.trigger()
    assert window.editing.checks_dock.messages() == []
    image = rendered(window)
    assert not is_red(pixel_at(image, display_of(window, top_centre(window, MIXER))))


def test_measure_between_two_mesh_corners(window, qtbot):
    view = window.scene.view
    window.scene.fit_ids([CABINET])  # close enough that its corners are many pixels apart
    settle(window)
    index = view.batch.index_of(CABINET)
    points, _ = view.batch.mesh_of(index)
    shown = view.display_positions(points)
    # Corners of the cabinet that the camera sees, with no other corner within the snap radius on screen.
    visible = []
    for k in np.argsort(-points[:, 2])[:400]:
        others = np.linalg.norm(shown - shown[k], axis=1)
        alone = np.all((others > 10) | np.all(np.isclose(points, points[k]), axis=1))
        hit_index, hit = view.pick_point(*(shown[k] + 0.5))
        if alone and hit_index == index and np.linalg.norm(hit - points[k]) < 0.3:
            visible.append(k)
    assert len(visible) >= 2
    a = visible[0]
    b = max(visible, key=lambda k: np.linalg.norm(points[k] - points[a]))
    window.editing.measure_action.trigger()
    assert window.editing.measure.active
    for k in (a, b):
        pos = widget_pos(window, (round(shown[k][0]) + 2, round(shown[k][1]) + 1))  # a few pixels off
        qtbot.mouseClick(window.plotter, Qt.MouseButton.LeftButton, pos=pos)
    expected = float(np.linalg.norm(points[b] - points[a]))
    assert window.editing.measure.snaps == ["vertex", "vertex"]
    assert window.editing.measure.distance == pytest.approx(expected, abs=1e-5)
    assert f"Distance {expected:.3f} m" in window.statusBar().currentMessage()
    assert "measure-line" in window.plotter.actors and "measure-label" in window.plotter.actors
    assert window.state.selection == ()  # measuring selects nothing
    window.editing.measure_action.trigger()
    assert "measure-line" not in window.plotter.actors


def test_measure_on_the_floor(window, qtbot):
    window.editing.measure.set_active(True)
    view = window.scene.view
    free = [
        np.array([x, y, 0.0])
        for x in np.arange(20.0, 60.0, 2.0)
        for y in np.arange(14.0, 30.0, 2.0)
        if view.pick(*display_of(window, np.array([x, y, 0.0]))) is None
    ]
    a = free[0]
    b = max(free, key=lambda p: np.linalg.norm(p - a))
    clicked = []
    for point in (a, b):
        pos = widget_pos(window, display_of(window, point))
        qtbot.mouseClick(window.plotter, Qt.MouseButton.LeftButton, pos=pos)
        clicked.append(np.array(floor_under(window, pos, 0.0)))
    assert window.editing.measure.snaps == ["floor", "floor"]
    assert window.editing.measure.distance == pytest.approx(np.linalg.norm(clicked[1] - clicked[0]), abs=1e-6)
    assert window.editing.measure.distance == pytest.approx(np.linalg.norm(b - a), rel=0.02)  # pixel rounding
