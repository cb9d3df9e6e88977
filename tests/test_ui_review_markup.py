"""The markup editor under Xvfb: strokes drawn with the mouse land, once burnt into the snapshot by the report's
drawing code, exactly where the mouse drew them; tools, colours, widths, text, undo and clear."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from viewer.model.review import MarkupKind, MarkupShape
from viewer.review.markup_draw import snapshot_with_markup
from viewer.ui.review import MarkupEditor, edit_markup

pytestmark = pytest.mark.gui

PICTURE = (800, 400)
LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier


def white_png(size: tuple[int, int] = PICTURE) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(out, format="PNG")
    return out.getvalue()


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


@pytest.fixture
def editor(qtbot):
    dialog = MarkupEditor(white_png())
    qtbot.addWidget(dialog)
    dialog.resize(1000, 640)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def qimage_pixels(image: QImage) -> np.ndarray:
    """(h, w, 3) RGB of a QImage."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : 3 * image.width()].reshape(image.height(), image.width(), 3).astype(int)


def shown_picture_box(editor: MarkupEditor) -> tuple[int, int, int, int]:
    """Where the white picture is on the canvas, found in its pixels (not asked of the editor): x, y, w, h."""
    QApplication.processEvents()
    grid = qimage_pixels(editor.canvas.grab().toImage()).min(axis=2) > 250
    ys, xs = np.nonzero(grid)
    return int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)


def in_picture(box: tuple[int, int, int, int], pos: QPoint, size: tuple[int, int] = PICTURE) -> tuple[int, int]:
    """The picture pixel under a canvas position."""
    x, y, w, h = box
    return round((pos.x() - x) / w * size[0]), round((pos.y() - y) / h * size[1])


def near(image: np.ndarray, at: tuple[int, int], rgb: tuple[int, int, int], radius: int = 2) -> bool:
    x, y = at
    patch = image[max(0, y - radius) : y + radius + 1, max(0, x - radius) : x + radius + 1]
    return bool((np.abs(patch - np.array(rgb)).sum(axis=2) < 60).any())


def drag(widget, points: list[QPoint]) -> None:
    QTest.mousePress(widget, LEFT, NONE, points[0])
    for point in points[1:]:
        QTest.mouseMove(widget, point)
    QTest.mouseRelease(widget, LEFT, NONE, points[-1])


def test_strokes_drawn_with_the_mouse_land_where_the_snapshot_burns_them(editor):
    canvas = editor.canvas
    box = shown_picture_box(editor)
    assert box[2] > 600 and abs(box[2] / box[3] - 2.0) < 0.02  # scaled to fit, its aspect kept

    # An arrow, in red (the default).
    tail, head = QPoint(box[0] + 100, box[1] + 60), QPoint(box[0] + 400, box[1] + 220)
    drag(canvas, [tail, QPoint(box[0] + 250, box[1] + 140), head])
    # A rectangle, in blue, thicker.
    editor.set_tool(MarkupKind.RECTANGLE)
    editor.swatch_buttons[(40, 110, 230)].click()
    editor.width_box.setValue(8)
    corner_a, corner_b = QPoint(box[0] + 480, box[1] + 40), QPoint(box[0] + 650, box[1] + 180)
    drag(canvas, [corner_a, QPoint(box[0] + 560, box[1] + 100), corner_b])
    # A free-hand line, in green.
    editor.set_tool(MarkupKind.FREEHAND)
    editor.swatch_buttons[(40, 170, 70)].click()
    wave = [QPoint(box[0] + 100 + 4 * i, box[1] + 300 + round(20 * np.sin(i / 6))) for i in range(60)]
    drag(canvas, wave)

    shapes = editor.shapes()
    assert [s.kind for s in shapes] == [MarkupKind.ARROW, MarkupKind.RECTANGLE, MarkupKind.FREEHAND]
    assert shapes[1].color == (40, 110, 230) and shapes[1].width == 8.0
    assert all(0.0 <= v <= 1.0 for s in shapes for p in s.points for v in p)
    assert len(shapes[2].points) > 30

    burnt = pixels(snapshot_with_markup(white_png(), shapes))
    red, blue, green = (230, 40, 40), (40, 110, 230), (40, 170, 70)
    assert near(burnt, in_picture(box, tail), red)
    assert near(burnt, in_picture(box, QPoint(box[0] + 250, box[1] + 140)), red)  # on the shaft
    assert near(burnt, in_picture(box, head), red)  # the head's tip
    for corner in (corner_a, corner_b, QPoint(corner_a.x(), corner_b.y()), QPoint(corner_b.x(), corner_a.y())):
        assert near(burnt, in_picture(box, corner), blue), corner
    assert not near(burnt, in_picture(box, QPoint(box[0] + 565, box[1] + 110)), blue, 6)  # inside: outline only
    for point in wave[::10]:
        assert near(burnt, in_picture(box, point), green), point

    # And the editor shows them where the mouse was.
    shown = qimage_pixels(editor.canvas.grab().toImage())
    for point, rgb in ((head, red), (corner_a, blue), (wave[30], green)):
        assert near(shown, (point.x(), point.y()), rgb, 1), point


def test_text_is_placed_with_a_click_and_typed(editor, qtbot):
    canvas = editor.canvas
    box = shown_picture_box(editor)
    editor.tool_actions[MarkupKind.TEXT].trigger()
    editor.swatch_buttons[(20, 20, 20)].click()
    at = QPoint(box[0] + 200, box[1] + 150)
    QTest.mouseClick(canvas, LEFT, NONE, at)
    assert canvas.text_editor is not None
    QTest.keyClicks(canvas.text_editor, "Gap 0.8 m")
    QTest.keyClick(canvas.text_editor, Qt.Key.Key_Return)
    (shape,) = editor.shapes()
    assert shape.kind == MarkupKind.TEXT and shape.text == "Gap 0.8 m" and shape.color == (20, 20, 20)
    x, y = in_picture(box, at)
    assert abs(shape.points[0][0] * PICTURE[0] - x) <= 1 and abs(shape.points[0][1] * PICTURE[1] - y) <= 1
    burnt = pixels(snapshot_with_markup(white_png(), editor.shapes()))
    text_area = burnt[y : y + 30, x : x + 120]
    assert (text_area.sum(axis=2) < 150).sum() > 40  # dark letters right of and below the click

    # Esc while typing drops the text and leaves the editor open.
    QTest.mouseClick(canvas, LEFT, NONE, QPoint(box[0] + 400, box[1] + 300))
    QTest.keyClicks(canvas.text_editor, "never mind")
    QTest.keyClick(canvas.text_editor, Qt.Key.Key_Escape)
    assert editor.isVisible() and canvas.text_editor is None
    assert len(editor.shapes()) == 1


def test_existing_shapes_are_kept_added_to_and_undone(qtbot):
    old = (
        MarkupShape(MarkupKind.RECTANGLE, ((0.1, 0.1), (0.3, 0.3)), (245, 140, 20), 5.0),
        MarkupShape(MarkupKind.ARROW, ((0.6, 0.6), (0.8, 0.4))),
    )
    editor = MarkupEditor(white_png(), old)
    qtbot.addWidget(editor)
    editor.show()
    editor.activateWindow()  # shortcuts need the active window (no window manager under Xvfb to make it so)
    assert QTest.qWaitForWindowActive(editor)
    assert editor.shapes() == old and editor.count_label.text() == "2 shapes"
    rect = editor.canvas.picture_rect()
    drag(editor.canvas, [rect.center(), rect.center() + QPoint(80, 40)])
    assert editor.shapes()[:2] == old and len(editor.shapes()) == 3

    QTest.keyClick(editor.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the new stroke
    assert editor.shapes() == old
    QTest.keyClick(editor.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one that was there
    assert editor.shapes() == old[:1]
    editor.clear_action.trigger()
    assert editor.shapes() == () and not editor.clear_action.isEnabled()
    editor.undo_action.trigger()  # Clear is undone too
    assert editor.shapes() == old[:1]
    editor.undo_action.trigger()
    assert editor.shapes() == () and not editor.undo_action.isEnabled()


def test_a_click_without_a_drag_draws_nothing(editor):
    rect = editor.canvas.picture_rect()
    QTest.mouseClick(editor.canvas, LEFT, NONE, rect.center())
    editor.set_tool(MarkupKind.RECTANGLE)
    QTest.mouseClick(editor.canvas, LEFT, NONE, rect.center())
    assert editor.shapes() == ()


def test_edit_markup_gives_the_shapes_on_ok_and_none_on_cancel(qtbot):
    old = (MarkupShape(MarkupKind.ARROW, ((0.2, 0.2), (0.5, 0.5))),)

    def answer(accept: bool) -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, MarkupEditor)
        rect = dialog.canvas.picture_rect()
        drag(dialog.canvas, [rect.center(), rect.center() + QPoint(60, 0)])
        (dialog.accept if accept else dialog.reject)()

    QTimer.singleShot(200, lambda: answer(True))
    shapes = edit_markup(None, white_png(), old)
    assert shapes is not None and shapes[0] == old[0] and len(shapes) == 2
    QTimer.singleShot(200, lambda: answer(False))
    assert edit_markup(None, white_png(), old) is None
