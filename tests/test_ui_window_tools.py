"""The window's newer tools under Xvfb: library dock, type icons, box select, zoom to cursor, clipping box,
grid labels and scale bar, viewpoints in the document, and opening a big plant in the background."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication
from ui_helpers import CATHODE_COATER, display_of, open_window, pixel_at, rendered, settle, top_centre, widget_pos

from viewer.io import builtin_library, load_document, save_document
from viewer.model.synthetic import generate_plant
from viewer.paths import demo_plant_path
from viewer.scene.thumbnails import ThumbnailRenderer, mesh_digest
from viewer.scene.view_overlays import SCALE_BAR_TARGET_PX, nice_length
from viewer.ui.explore.library_dock import TYPE_MIME
from viewer.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    main = open_window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    yield main
    main.close()


def send_mouse(widget, kind: QEvent.Type, pos: QPoint, buttons, modifiers) -> None:
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons, modifiers)
    QApplication.sendEvent(widget, event)


def test_library_dock_lists_every_type_with_a_picture_and_drags_its_name(window, qtbot, tmp_path):
    dock = window.library_dock
    dock.thumbnails = ThumbnailRenderer(tmp_path / "thumbnails", size=64)
    dock.set_library(window.session.library, window.session.meshes)
    library = window.session.library
    assert sorted(dock.items) == library.names()
    assert dock.pending_thumbnails() == len(library.types)  # a fresh cache: every picture still to draw
    dock.draw_all_thumbnails()
    assert dock.thumbnails.rendered == len(library.types)
    coater_mesh = window.session.meshes.get("coater")
    assert (tmp_path / "thumbnails" / f"{mesh_digest(coater_mesh, 64)}.png").is_file()
    for name, item in dock.items.items():
        assert not item.icon().isNull(), name
    coater = dock.items["coater"]
    assert coater.text() == "Slot-die coater with drying oven\n36 × 3.2 m"
    # The picture is the mesh, not the placeholder swatch: many colours.
    image = coater.icon().pixmap(64, 64).toImage()
    colours = {image.pixel(x, y) for x in range(0, 64, 2) for y in range(0, 64, 2)}
    assert len(colours) > 6  # a swatch has two or three

    again = ThumbnailRenderer(tmp_path / "thumbnails", size=64)  # cached: nothing drawn twice
    dock.thumbnails = again
    dock.set_library(library, window.session.meshes)
    assert dock.pending_thumbnails() == 0 and again.rendered == 0

    dock.set_filter("6-axis")
    assert dock.visible_types() == ["robot_6axis"]
    assert dock.count_label.text() == f"1 of {len(library.types)} types match"
    dock.set_filter("")

    dragged = []
    coater = dock.items["coater"]  # set_library made new items
    dock.list.run_drag = dragged.append
    dock.show()
    dock.raise_()
    qtbot.waitExposed(dock.list)
    dock.list.scrollToItem(coater)
    rect = dock.list.visualItemRect(coater)
    viewport = dock.list.viewport()
    start, end = rect.center(), rect.center() + QPoint(40, 30)
    send_mouse(viewport, QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    for step in range(1, 6):
        pos = start + (end - start) * step / 5
        event = QMouseEvent(
            QEvent.Type.MouseMove,
            QPointF(pos),
            QPointF(viewport.mapToGlobal(pos)),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, event)
    send_mouse(viewport, QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    assert len(dragged) == 1
    mime = dragged[0].mimeData()
    assert mime.hasFormat(TYPE_MIME)
    assert bytes(mime.data(TYPE_MIME)).decode() == "coater"
    assert not dragged[0].pixmap().isNull()


def test_plant_tree_shows_a_type_colour_icon_per_equipment(window):
    library = window.session.library
    for equipment_id in (CATHODE_COATER, "OC-ASM1-STK-01"):
        item = window.tree_dock.model.equipment_items.get(equipment_id)
        if item is None:
            continue
        path = window.scene.path_of(equipment_id)
        expected = library[path.equipment.type].color
        image = item.icon().pixmap(12, 12).toImage()
        centre = image.pixelColor(6, 6)
        assert (centre.red(), centre.green(), centre.blue()) == tuple(expected)
    icons = [item.icon() for item in window.tree_dock.model.equipment_items.values()]
    assert all(not icon.isNull() for icon in icons)


def test_shift_drag_selects_the_equipment_inside_the_box(window):
    view = window.scene.view
    batch = view.batch
    height = window.plotter.ren_win.GetSize()[1]
    cathode = np.array(display_of(window, batch.bounds[batch.index_of(CATHODE_COATER)].mean(axis=0)))
    # A rectangle around the coater in display pixels; what it should select, one equipment at a time.
    half = np.array([60, 40])
    lo, hi = cathode - half, cathode + half
    expected = set()
    for index, path in enumerate(batch.paths):
        x, y = view.display_position(batch.bounds[index].mean(axis=0))
        if lo[0] <= x <= hi[0] and lo[1] <= y <= hi[1]:
            expected.add(path.equipment.id)
    assert CATHODE_COATER in expected and 1 < len(expected) < len(batch)

    corner_a = widget_pos(window, (round(lo[0]), round(hi[1])))  # top left in widget coordinates
    corner_b = widget_pos(window, (round(hi[0]), round(lo[1])))
    shift = Qt.KeyboardModifier.ShiftModifier
    camera = view.camera_state()
    send_mouse(window.plotter, QEvent.Type.MouseButtonPress, corner_a, Qt.MouseButton.LeftButton, shift)
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(corner_b),
        QPointF(window.plotter.mapToGlobal(corner_b)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.LeftButton,
        shift,
    )
    QApplication.sendEvent(window.plotter, move)
    assert window.input.rubber_band.isVisible()
    send_mouse(window.plotter, QEvent.Type.MouseButtonRelease, corner_b, Qt.MouseButton.NoButton, shift)
    assert not window.input.rubber_band.isVisible()
    assert set(window.state.selection) == expected
    assert view.camera_state() == camera  # the drag drew a box; it did not pan
    assert height == window.plotter.ren_win.GetSize()[1]

    window.state.hide([CATHODE_COATER])  # hidden equipment is never box-selected
    ids = window.scene.ids_in_rect(QPointF(corner_a), QPointF(corner_b), window.plotter.height(), 1.0)
    assert set(ids) == expected - {CATHODE_COATER}


def wheel(window: MainWindow, pos: QPoint, steps: int) -> None:
    event = QWheelEvent(
        QPointF(pos),
        QPointF(window.plotter.mapToGlobal(pos)),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(window.plotter, event)


@pytest.mark.parametrize("preset", ["iso", "top"])
def test_wheel_zooms_towards_the_point_under_the_cursor(window, preset):
    window.view_actions[preset].trigger()
    settle(window)
    target = top_centre(window, CATHODE_COATER)
    before = np.array(window.scene.view.display_position(target))
    centre = np.array(window.plotter.ren_win.GetSize()) / 2
    assert np.linalg.norm(before - centre) > 50  # off-centre: zooming to the middle would move it
    scale = window.scene.view.metres_per_pixel()

    wheel(window, widget_pos(window, (round(before[0]), round(before[1]))), 3)
    after = np.array(window.scene.view.display_position(target))
    assert np.linalg.norm(after - before) < 1.5, (before, after)
    assert window.scene.view.metres_per_pixel() == pytest.approx(scale / 1.2**3, rel=0.1)
    assert window.state.camera == window.scene.view.camera_state()
    wheel(window, widget_pos(window, (round(before[0]), round(before[1]))), -3)
    assert window.scene.view.metres_per_pixel() == pytest.approx(scale, rel=0.1)


def test_clipping_box_cuts_away_equipment_outside_it(window):
    batch = window.scene.view.batch
    point = display_of(window, top_centre(window, CATHODE_COATER))
    assert window.scene.pick_id(*point) == CATHODE_COATER
    shown = pixel_at(rendered(window), point)
    box = batch.bounds[batch.index_of(CATHODE_COATER)]

    window.clip_action.trigger()  # on: around the whole site, nothing cut
    assert window.scene.clip_widget is not None
    assert np.abs(pixel_at(rendered(window), point) - shown).max() <= 8

    # A box that ends just before the coater starts: the coater is cut away, the floor shows.
    frame = window.scene.view.frame_bounds()
    cut = np.array([[frame[0][0] - 1, frame[0][1] - 1, -1.0], [box[0][0] - 0.5, frame[1][1] + 1, 20.0]])
    window.scene.set_clipping(True, cut)
    after = pixel_at(rendered(window), point)
    assert np.abs(after - shown).max() > 40, (shown, after)
    assert window.scene.pick_id(*point) != CATHODE_COATER
    inside = next(i for i, b in enumerate(batch.bounds) if b[1][0] < cut[1][0] - 1)
    assert window.scene.view.clip_box is not None and (batch.bounds[inside][1] <= cut[1]).all()

    window.clip_action.trigger()  # off: nothing cut
    assert window.scene.clip_widget is None and window.scene.view.clip_box is None
    assert np.abs(pixel_at(rendered(window), point) - shown).max() <= 8


def test_floor_grid_metre_labels_and_scale_bar(window):
    texts = window.scene.view.label_texts()
    spacing = window.scene.view.grid_spacing()
    assert spacing == 12.0
    for mark in ("0 m", "12 m", "24 m", "48 m", "96 m"):
        assert mark in texts, mark
    assert "ELECTRODE LINE 1" in texts  # one label actor for names and marks
    assert len(window.scene.view._label_actors) == 1

    bar = window.scene.scale_bar
    settle(window)
    per_pixel = window.scene.view.metres_per_pixel()
    assert bar.length == nice_length(SCALE_BAR_TARGET_PX * per_pixel)
    assert bar.text == f"{bar.length:g} m"
    assert bar.pixels == pytest.approx(bar.length / per_pixel)
    assert SCALE_BAR_TARGET_PX * 0.4 <= bar.pixels <= SCALE_BAR_TARGET_PX
    far = bar.length
    window.plotter.camera.zoom(4.0)
    settle(window)  # the bar follows the camera on the next frame
    assert bar.length < far and bar.text == f"{bar.length:g} m"
    assert nice_length(7.3) == 5 and nice_length(20) == 20 and nice_length(0.3) == pytest.approx(0.2)


def test_viewpoint_saved_in_the_document_survives_save_and_reload(window, tmp_path, qtbot):
    window.state.select([CATHODE_COATER])
    window.fit_action.trigger()
    camera = window.scene.view.camera_state()
    window._save_viewpoint("coater")
    assert [v.name for v in window.session.document.viewpoints] == ["coater"]
    assert window.viewpoints.list.item(0).text() == "coater"
    assert window.session.modified
    window.session.undo.undo()
    assert window.session.document.viewpoints == [] and window.viewpoints.list.count() == 0
    window.session.undo.redo()
    assert window.viewpoints.list.item(0).text() == "coater"

    saved = tmp_path / "with-viewpoint.mtplant.json"
    assert window._save_to(saved)
    assert [v.name for v in load_document(saved, builtin_library()).viewpoints] == ["coater"]
    window.home_action.trigger()
    assert window.open_file(demo_plant_path())
    assert window.viewpoints.list.count() == 0  # the demo has none: nothing leaks from settings
    assert window.open_file(saved)
    assert window.viewpoints.list.item(0).text() == "coater"
    window.go_to_viewpoint("coater")
    assert np.allclose(window.scene.view.camera_state().focal_point, camera.focal_point)
    assert not [key for key in window.settings.allKeys() if key.startswith("viewpoints")]


@pytest.fixture(scope="module")
def big_plant(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "plant-10k.mtplant.json"
    save_document(generate_plant(builtin_library(), 10_000, seed=1), path)
    return path


def test_big_plant_opens_in_the_background_with_progress_and_cancel(window, qtbot, big_plant):
    before = window.session.document
    lateness: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        lateness.append(now - last[0])
        last[0] = now

    window.start_open(big_plant)
    assert window.load_progress.isVisible() and window.load_cancel.isVisible()
    qtbot.waitUntil(lambda: window.load_progress.value() >= 20, timeout=20_000)
    stage = window.load_progress.format().removesuffix(" %p%")
    assert stage in ("Reading", "Checking", "Reading meshes", "Building the scene", "Building the tree")
    window.load_cancel.click()
    assert not window.opening and not window.load_progress.isVisible()
    assert window.session.document is before and len(window.scene.view.batch) == 155
    assert "cancelled" in window.messages.messages[-1].text
    assert f"{demo_plant_path().name} stays open" in window.messages.messages[-1].text

    from PySide6.QtCore import QTimer

    probe = QTimer()
    probe.setInterval(10)
    probe.timeout.connect(tick)
    probe.start()
    window.start_open(big_plant)
    qtbot.waitUntil(lambda: window.session.document is not before and not window.opening, timeout=60_000)
    probe.stop()
    assert len(lateness) > 50  # the timer kept firing while the plant loaded
    assert float(np.median(lateness)) < 0.05
    assert window.session.document.equipment_count() == 10_000
    assert len(window.scene.view.batch) == 10_000
    assert window.tree_dock.model.total == 10_000
    assert not window.load_progress.isVisible()
    assert window.windowTitle().startswith(big_plant.name)
    image = rendered(window)
    assert len(np.unique(image.reshape(-1, 3) // 16, axis=0)) > 20  # the plant is drawn, not an empty view
    # The file was hashed by the loading thread, as read: a later change on disk is still noticed.
    from viewer.io.recovery import DiskState

    recovery = window.editing.recovery
    assert recovery.disk == DiskState.of(big_plant) and window.session.disk_on_open is None
    assert not recovery.check_disk()
    big_plant.write_bytes(big_plant.read_bytes().replace(b'"name": "Site 1"', b'"name": "Site One"', 1))
    assert recovery.check_disk()


def test_closing_for_good_stops_the_features_and_a_refused_close_does_not(window, qtbot, monkeypatch):
    import threading

    checks, plant = window.editing.checks, window.session_ui.plant
    sensor_timer = window.sensor_ui._refresh_timer
    window.editing.edits.add_at("workbench", 20.0, 20.0)
    monkeypatch.setenv("MOTHERTWIN_UNSAVED_ANSWER", "cancel")
    assert not window.close()  # refused: unsaved edits
    assert window.isVisible() and not checks.closed and not plant.closed and sensor_timer.isActive()
    monkeypatch.setenv("MOTHERTWIN_UNSAVED_ANSWER", "discard")
    assert window.close()
    assert checks.closed and plant.closed and not sensor_timer.isActive()
    # The checks' worker thread ends with the window (every window of this file has closed by now).
    qtbot.waitUntil(lambda: not any(t.name.startswith("layout-checks") for t in threading.enumerate()), timeout=5000)
