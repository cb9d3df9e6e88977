"""Presentation mode in the real window under Xvfb: full screen with only the 3D view, slides flown to with
eased camera flights, the laser pointer painted over the view, the meeting clock; Esc puts everything back."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QImage, QKeySequence, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QToolBar
from ui_helpers import open_window, settle

from viewer.model.review import ReviewViewpoint, Topic, TopicStatus
from viewer.model.views import CameraState, Viewpoint
from viewer.review.synthetic import synthetic_topics
from viewer.ui.review import PresentationMode, slides_from_document
from viewer.ui.review.flight import interpolate_camera

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    """The demo plant open with three review topics, each looking at its own equipment."""
    main = open_window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    topics, snapshots = synthetic_topics(main.session.document, 3, seed=4)
    main.session.document.review.topics[:] = topics
    main.session.document.review.snapshots.update(snapshots)
    main.activateWindow()
    QTest.qWaitForWindowActive(main)
    yield main
    if main.presentation.presenting:
        main.presentation.stop()
    main.close()


def present(window, qtbot, source: str = "topics") -> PresentationMode:
    mode = window.presentation.present(source)
    assert mode is not None
    qtbot.waitUntil(lambda: window.isFullScreen() and window.geometry() == window.screen().geometry(), timeout=3000)
    qtbot.waitUntil(lambda: not mode.flight.running, timeout=3000)  # the flight to the first slide
    return mode


def press(window, key: Qt.Key) -> None:
    """A key as the presenter presses it: to whatever has the focus in the window."""
    QTest.keyClick(QApplication.focusWidget() or window, key)


def shown_chrome(window) -> dict[str, object]:
    return {
        "docks": sorted(d.objectName() or d.windowTitle() for d in window.findChildren(QDockWidget) if d.isVisible()),
        "toolbars": sorted(t.objectName() for t in window.findChildren(QToolBar) if t.isVisible()),
        "menubar": window.menuBar().isVisible(),
        "statusbar": window.statusBar().isVisible(),
        "geometry": window.geometry(),
        "full screen": window.isFullScreen(),
        # Where each dock and toolbar is, and which tab of a group is in front.
        "places": {
            w.objectName(): w.geometry()
            for kind in (QDockWidget, QToolBar)
            for w in window.findChildren(kind)
            if w.isVisible()
        },
    }


def camera_of(window) -> CameraState:
    return window.scene.view.camera_state()


def move_mouse(widget, point: QPoint) -> None:
    """A mouse move with no button, delivered as the window system delivers it (QTest.mouseMove drops some
    moves when tests run one after another)."""
    local = QPointF(point)
    event = QMouseEvent(QEvent.Type.MouseMove, local, QPointF(widget.mapToGlobal(point)), Qt.MouseButton.NoButton,
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    QApplication.sendEvent(widget, event)
    QApplication.processEvents()


def grab_pixels(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : 4 * image.width()].reshape(image.height(), image.width(), 4).astype(int)


def test_entering_hides_the_chrome_goes_full_screen_and_esc_puts_it_all_back(window, qtbot):
    window.state.select(["OC-ELE1-COT-01"])
    before, camera_before, shown_before = shown_chrome(window), window.state.camera, camera_of(window)
    assert before["docks"] and before["toolbars"] and before["menubar"] and not before["full screen"]

    mode = present(window, qtbot)
    during = shown_chrome(window)
    assert during["docks"] == [] and during["toolbars"] == []
    assert not during["menubar"] and not during["statusbar"] and during["full screen"]
    assert window.plotter.size() == window.screen().geometry().size()  # only the 3D view is left
    assert mode.caption.isVisible() and mode.caption.counter_text() == "1 / 3"
    assert mode.caption.title == mode.slides[0].title and "#1" in mode.caption.subtitle
    assert window.state.selection == mode.slides[0].view.selection  # the topic's viewpoint was restored

    press(window, Qt.Key.Key_Escape)
    assert not mode.active
    qtbot.waitUntil(lambda: not window.isFullScreen() and window.geometry() == before["geometry"], timeout=3000)
    qtbot.waitUntil(lambda: shown_chrome(window)["places"] == before["places"], timeout=3000)  # docks settled
    assert shown_chrome(window) == before
    assert window.state.camera == camera_before and window.state.selection == ("OC-ELE1-COT-01",)
    np.testing.assert_allclose(camera_of(window).position, shown_before.position, atol=1e-6)  # the view is back
    assert not mode.caption.isVisible() and not mode.clock_badge.isVisible()


def test_right_flies_to_the_next_slide_in_about_a_second_through_cameras_in_between(window, qtbot):
    mode = present(window, qtbot)
    start, target = mode.slides[0].camera, mode.slides[1].camera
    assert window.state.camera == start
    frames: list[tuple[float, CameraState]] = []
    timed: list[tuple[float, CameraState]] = []  # the flight's own time (0..1) at each frame
    mode.flight.frame.connect(lambda camera: frames.append((time.perf_counter(), camera)))
    mode.flight.frame.connect(lambda camera: timed.append((mode.flight.time_fraction, camera)))

    pressed = time.perf_counter()
    press(window, Qt.Key.Key_Right)
    assert mode.index == 1 and mode.caption.counter_text() == "2 / 3"
    assert mode.caption.title == mode.slides[1].title
    with qtbot.waitSignal(mode.flight_finished, timeout=3000):
        pass
    took = frames[-1][0] - pressed
    assert 0.7 <= took <= 1.5, took
    assert window.state.camera == target
    np.testing.assert_allclose(camera_of(window).position, target.position, atol=1e-6)
    np.testing.assert_allclose(camera_of(window).focal_point, target.focal_point, atol=1e-6)

    assert len(frames) >= 5  # a flight, not a jump
    middle = frames[len(frames) // 2][1]
    low = np.minimum(start.focal_point, target.focal_point)
    high = np.maximum(start.focal_point, target.focal_point)
    moved = np.abs(np.subtract(target.focal_point, start.focal_point)) > 1e-6
    assert moved.any()
    assert (low[moved] < np.array(middle.focal_point)[moved]).all()
    assert (np.array(middle.focal_point)[moved] < high[moved]).all()
    # Eased in and out: behind a steady pace in the first half of the time, ahead of it in the second.
    span = np.subtract(target.focal_point, start.focal_point)
    eased = [(when, float(np.dot(np.subtract(c.focal_point, start.focal_point), span) / np.dot(span, span)))
             for when, c in timed[:-1] if 0.05 < when < 0.95]  # fmt: skip
    assert eased and all(done < when for when, done in eased if when < 0.45)
    assert all(done > when for when, done in eased if when > 0.55)


def test_a_key_mid_flight_lands_the_flight_and_starts_the_next(window, qtbot):
    mode = present(window, qtbot)
    landed: list[CameraState] = []
    mode.flight.frame.connect(landed.append)
    press(window, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: len(landed) >= 2, timeout=2000)
    assert mode.flight.running
    press(window, Qt.Key.Key_Space)  # before the first flight is over
    assert mode.index == 2 and mode.flight.running
    assert mode.slides[1].camera in landed  # the first flight jumped to its end
    assert window.state.camera != mode.slides[2].camera
    qtbot.waitUntil(lambda: not mode.flight.running, timeout=3000)
    assert window.state.camera == mode.slides[2].camera

    press(window, Qt.Key.Key_Right)  # past the last slide: nothing moves
    assert mode.index == 2 and not mode.flight.running
    press(window, Qt.Key.Key_Home)
    assert mode.index == 0
    press(window, Qt.Key.Key_End)
    assert mode.index == 2
    press(window, Qt.Key.Key_Left)
    assert mode.index == 1


def test_arrow_keys_move_slides_not_the_selected_equipment(window, qtbot):
    """Outside presentation mode the arrow keys nudge the selection: while presenting they must not."""
    mode = present(window, qtbot)
    assert window.state.selection  # the slide selected its equipment
    window.plotter.setFocus()
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Left, Qt.Key.Key_Right):
        QTest.keyClick(window.plotter, key)
    assert not window.session.modified and mode.index == 1


def test_laser_pointer_follows_the_mouse_and_paints_red_without_a_3d_render(window, qtbot):
    mode = present(window, qtbot)
    renders: list[int] = []
    observer = window.plotter.ren_win.AddObserver("StartEvent", lambda *_: renders.append(1))
    try:
        QTest.keyPress(window.plotter, Qt.Key.Key_L)  # held
        assert mode.laser_on and mode.laser.isVisible()
        assert window.plotter.cursor().shape() == Qt.CursorShape.BlankCursor
        settle(window)
        renders.clear()
        for point in (QPoint(300, 300), QPoint(420, 340), QPoint(640, 400)):
            move_mouse(window.plotter, point)
            assert mode.laser.position is not None
            assert (round(mode.laser.position.x()), round(mode.laser.position.y())) == (point.x(), point.y())
        pixels = grab_pixels(mode.laser)
        centre = pixels[400, 640]
        assert centre[0] > 240 and centre[0] - centre[1] > 40 and centre[3] > 200, centre  # a bright red-white core
        ring = pixels[400, 640 + 8]
        assert ring[0] > 200 and ring[1] < 80 and ring[2] < 80, ring  # the red glow around the core
        far = pixels[100, 100]
        assert far[3] == 0 or (far[0] < 200 or far[1] > 150), far  # nothing painted away from the dot
        QApplication.processEvents()
        assert renders == []  # the 3D view kept its frame
    finally:
        window.plotter.ren_win.RemoveObserver(observer)
    QTest.keyRelease(window.plotter, Qt.Key.Key_L)
    assert not mode.laser_on and not mode.laser.isVisible()
    press(window, Qt.Key.Key_P)  # P toggles it on and off
    assert mode.laser_on
    press(window, Qt.Key.Key_P)
    assert not mode.laser_on


def test_closing_the_window_while_presenting_leaves_first(window, qtbot):
    """The window keeps its layout in the settings when it closes: the normal one, not the full screen."""
    mode = present(window, qtbot)
    window.close()
    assert not mode.active
    assert not window.menuBar().isHidden() and not window.statusBar().isHidden()
    restored = type(window)(settings=window.settings)  # the next start
    qtbot.addWidget(restored)
    restored.show()
    qtbot.waitExposed(restored)
    assert not restored.isFullScreen() and restored.tree_dock.isVisible() and restored.inspector.isVisible()
    assert restored.toolbar.isVisible()
    restored.close()


def test_the_meeting_clock_runs(window, qtbot):
    mode = present(window, qtbot)
    assert mode.clock_badge.isVisible() and mode.elapsed_text in ("0:00", "0:01")
    qtbot.waitUntil(lambda: mode.elapsed_text == "0:02", timeout=4000)
    top_right = mode.clock_badge.geometry()
    assert top_right.right() > window.plotter.width() - 80 and top_right.top() < 80


def test_presentation_mode_is_in_the_view_menu_on_f5(window, qtbot):
    ui = window.presentation
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert ui.menu.menuAction() in view_menu.actions()
    assert ui.topics_action.shortcut() == QKeySequence("F5")
    assert ui.viewpoints_action.shortcut() == QKeySequence("Shift+F5")
    taken = [a for a in window.findChildren(type(ui.topics_action)) if not a.shortcut().isEmpty()]
    for key in ("F5", "Shift+F5"):
        assert [a.text() for a in taken if a.shortcut() == QKeySequence(key)] in (
            ["Review &Topics"],
            ["Saved &Viewpoints"],
        )

    window.help_menu.shortcuts_action.trigger()  # and its keys in Help > Keyboard Shortcuts
    texts = window.help_menu.shortcuts_dialog.texts()
    window.help_menu.shortcuts_dialog.close()
    assert "F5: Review Topics" in texts and "Shift+F5: Saved Viewpoints" in texts
    assert any(t.startswith("L (hold): Laser pointer") for t in texts)

    QTest.keyClick(window, Qt.Key.Key_F5)
    assert ui.presenting and len(ui.mode.slides) == 3
    press(window, Qt.Key.Key_Escape)
    assert not ui.presenting

    assert ui.present("viewpoints") is None  # the demo plant has no saved viewpoints
    assert "no saved viewpoints" in window.statusBar().currentMessage()
    assert not window.isFullScreen()


def test_saved_viewpoints_are_slides_too(window, qtbot):
    document = window.session.document
    near_camera = CameraState((10.0, -20.0, 15.0), (10.0, 5.0, 0.0))
    far_camera = CameraState((60.0, -60.0, 50.0), (40.0, 20.0, 0.0), view_angle=40.0)
    document.viewpoints[:] = [Viewpoint("Coater close-up", near_camera, "OC"), Viewpoint("Overview", far_camera)]
    mode = present(window, qtbot, "viewpoints")
    assert [s.title for s in mode.slides] == ["Coater close-up", "Overview"]
    assert window.state.camera == near_camera
    press(window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: not mode.flight.running, timeout=3000)
    assert window.state.camera == far_camera and camera_of(window).view_angle == pytest.approx(40.0)


def test_slides_from_the_document(window):
    document = window.session.document
    topics = document.review.topics
    pinned = Topic("pinned-guid", "Pinned only", number=9, pin=(5.0, 6.0, 1.0), site="OC", equipment=("E9",),
                   status=TopicStatus.CLOSED, assignee="j.miller", due_date="2027-01-15")  # fmt: skip
    no_camera = Topic("bare-guid", "No camera", number=10, pin=(1.0, 2.0, 0.0),
                      viewpoints=(ReviewViewpoint("vp", selection=("E1",), xray=True),))  # fmt: skip
    topics[:] = [*topics, pinned, no_camera]
    slides = slides_from_document(document)
    assert [s.title for s in slides][-2:] == ["Pinned only", "No camera"]
    framed = slides[3]
    assert framed.camera is not None and framed.camera.focal_point == (5.0, 6.0, 1.0)
    assert framed.view.selection == ("E9",) and framed.site == "OC"
    assert framed.subtitle == "#9  ·  Issue  ·  Closed  ·  Assigned to j.miller  ·  Due 2027-01-15"
    assert slides[4].view.xray and slides[4].camera.focal_point == (1.0, 2.0, 0.0)  # the rest of it kept
    closed = slides_from_document(document, "topics", statuses=[TopicStatus.CLOSED])
    assert [s.title for s in closed] == [t.title for t in topics if t.status == TopicStatus.CLOSED]
    assert "Pinned only" in [s.title for s in closed] and "No camera" not in [s.title for s in closed]
    with pytest.raises(ValueError, match="unknown slide source"):
        slides_from_document(document, "pictures")  # type: ignore[arg-type]


def test_camera_interpolation_ends_exactly_and_keeps_between():
    a = CameraState((0.0, -10.0, 5.0), (0.0, 0.0, 0.0), view_angle=30.0)
    b = CameraState((40.0, 0.0, 30.0), (20.0, 10.0, 0.0), up=(0.0, 1.0, 0.0), parallel=True, parallel_scale=8.0,
                    view_angle=50.0)  # fmt: skip
    assert interpolate_camera(a, b, 0.0) == a and interpolate_camera(a, b, 1.0) == b
    middle = interpolate_camera(a, b, 0.5)
    assert middle.focal_point == pytest.approx((10.0, 5.0, 0.0))
    assert middle.view_angle == pytest.approx(40.0) and middle.parallel
    assert np.linalg.norm(middle.up) == pytest.approx(1.0)
    distances = [float(np.linalg.norm(np.subtract(c.position, c.focal_point))) for c in (a, middle, b)]
    assert distances[1] == pytest.approx((distances[0] * distances[2]) ** 0.5)  # pulled back evenly
