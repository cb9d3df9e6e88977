"""The main window under Xvfb: real clicks, real pixels, real files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtWidgets import QApplication, QTabBar
from ui_helpers import (
    ANODE_COATER,
    CATHODE_COATER,
    display_of,
    is_highlight,
    open_window,
    pixel_at,
    rendered,
    settle,
    top_centre,
    widget_pos,
)

from viewer.app.document import Severity
from viewer.paths import demo_plant_path
from viewer.ui.document.export_dialog import ExportRequest
from viewer.ui.explore.plant_tree import ID_ROLE
from viewer.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    """The main window with the demo plant open, its settings in a temporary file."""
    main = open_window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    yield main
    main.close()


def tree_row(main: MainWindow, equipment_id: str):
    item = main.tree_dock.model.equipment_items[equipment_id]
    return main.tree_dock.proxy.mapFromSource(item.index())


def selected_tree_ids(main: MainWindow) -> list[str]:
    rows = main.tree_dock.view.selectionModel().selectedRows(0)
    return [index.data(ID_ROLE) for index in rows]


def test_demo_opens_with_tree_counts_and_sites(window):
    model = window.tree_dock.model
    assert model.rowCount() == 2  # the mother plant and the empty child plant
    assert model.item(0, 0).text() == "Ochang mother plant"
    assert model.item(0, 1).text() == "155 equipment"
    assert model.item(1, 1).text() == "0 equipment"
    assert len(window.scene.view.batch) == 155
    assert window.windowTitle().startswith(demo_plant_path().name)
    assert window.site_combo.count() == 2 and window.site_combo_action.isVisible()
    assert "155 equipment" in window.status_label.text()
    assert window.recent_files()[0] == str(demo_plant_path().resolve())


def test_tree_selection_highlights_equipment_in_3d(window):
    point = display_of(window, top_centre(window, CATHODE_COATER))
    # The point really shows the coater (nothing in front of it), so its pixel is the coater's.
    assert window.scene.pick_id(*point) == CATHODE_COATER
    before = pixel_at(rendered(window), point)
    assert not is_highlight(before), before

    window.tree_dock.view.selectionModel().select(
        tree_row(window, CATHODE_COATER),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert window.state.selection == (CATHODE_COATER,)
    after = pixel_at(rendered(window), point)
    assert is_highlight(after), after
    assert "Cathode coater" in window.inspector.text()

    window.state.clear_selection()
    assert np.abs(pixel_at(rendered(window), point) - before).max() <= 8
    assert selected_tree_ids(window) == []


def test_click_in_3d_selects_and_fills_inspector(window, qtbot):
    cathode = widget_pos(window, display_of(window, top_centre(window, CATHODE_COATER)))
    anode = widget_pos(window, display_of(window, top_centre(window, ANODE_COATER)))
    camera = window.scene.view.camera_state()

    qtbot.mouseClick(window.plotter, Qt.MouseButton.LeftButton, pos=cathode)
    assert window.state.selection == (CATHODE_COATER,)
    text = window.inspector.text()
    assert "Cathode coater" in text
    assert "Slot-die coater" in text
    assert "coating_speed\t60 m/min" in text
    assert "oven_temperature\tlolo 110, lo 120, hi 140, hihi 150 °C" in text
    assert "Mother\tnone" in text
    assert selected_tree_ids(window) == [CATHODE_COATER]
    assert window.scene.view.camera_state() == camera  # a click is not a drag: the camera stays

    qtbot.mouseClick(window.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, pos=anode)
    assert window.state.selection == (CATHODE_COATER, ANODE_COATER)
    assert "2 equipment selected" in window.inspector.text()
    assert sorted(selected_tree_ids(window)) == [CATHODE_COATER, ANODE_COATER]

    # Empty background (top left corner of the view, above the building) clears the selection.
    qtbot.mouseClick(
        window.plotter, Qt.MouseButton.LeftButton, pos=widget_pos(window, (5, window.plotter.height() - 5))
    )
    assert window.state.selection == ()


def test_double_click_focuses_equipment(window, qtbot):
    pos = widget_pos(window, display_of(window, top_centre(window, CATHODE_COATER)))
    qtbot.mouseDClick(window.plotter, Qt.MouseButton.LeftButton, pos=pos)
    settle(window)
    box = window.scene.view.batch.bounds[window.scene.view.batch.index_of(CATHODE_COATER)]
    focal = np.array(window.scene.view.camera_state().focal_point)
    assert np.allclose(focal, box.mean(axis=0), atol=0.5)
    assert window.state.selection == (CATHODE_COATER,)


def test_tree_filter_by_type_id_and_parameter(window):
    dock = window.tree_dock
    window.state.select([ANODE_COATER])
    dock.set_filter("coater")
    assert set(dock.visible_equipment_ids()) == {CATHODE_COATER, ANODE_COATER}
    assert dock.count_label.text() == "2 of 155 equipment match"
    dock.set_filter(CATHODE_COATER.lower())
    assert dock.visible_equipment_ids() == [CATHODE_COATER]
    dock.set_filter("coating_width=1300")  # a parameter value
    assert set(dock.visible_equipment_ids()) == {CATHODE_COATER, ANODE_COATER}
    dock.set_filter("no such thing")
    assert dock.visible_equipment_ids() == []
    assert dock.count_label.text() == "0 of 155 equipment match"
    dock.filter_edit.clear()
    assert len(dock.visible_equipment_ids()) == 155
    # Filtering hides rows; it does not change what is selected, and the row shows selected again.
    assert window.state.selection == (ANODE_COATER,)
    assert selected_tree_ids(window) == [ANODE_COATER]


def test_malformed_file_is_reported_and_the_plant_stays(window, tmp_path):
    document = window.session.document
    before = rendered(window)
    bad = tmp_path / "broken.mtplant.json"
    text = demo_plant_path().read_text(encoding="utf-8")
    bad.write_text(text[: len(text) // 3], encoding="utf-8")

    assert not window.open_file(bad)

    box = window.last_error_box
    assert box is not None and box.isVisible()
    assert str(bad) in box.text()
    assert "1 problem" in box.text()
    assert "invalid JSON" in box.informativeText()
    assert "line " in box.informativeText()
    assert f"({demo_plant_path().name}) stays open" in box.informativeText()
    errors = [m for m in window.messages.messages if m.severity == Severity.ERROR]
    assert len(errors) == 1 and errors[0].file == str(bad) and errors[0].where.startswith("line ")
    assert "1 errors" in window.messages.windowTitle()
    box.close()

    assert window.session.document is document
    assert window.session.path == demo_plant_path()
    assert window.windowTitle().startswith(demo_plant_path().name)
    assert window.tree_dock.model.item(0, 1).text() == "155 equipment"
    assert len(window.scene.view.batch) == 155
    assert np.abs(rendered(window).astype(int) - before).max() <= 8


def test_schema_problem_names_the_json_path(window, tmp_path):
    data = json.loads(demo_plant_path().read_text(encoding="utf-8"))
    del data["sites"][0]["name"]
    bad = tmp_path / "nameless.mtplant.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert not window.open_file(bad)
    assert "$.sites[0]: missing required key 'name'" in window.last_error_box.informativeText()
    assert window.messages.messages[-1].where == "$.sites[0]"
    window.last_error_box.close()


def test_isolate_line_hides_other_equipment(window):
    batch = window.scene.view.batch
    line = batch.paths[batch.index_of(CATHODE_COATER)].line
    # Equipment outside the line whose top is in plain sight (racks are open frames: the floor shows),
    # the darkest of them, so that the light floor showing in its place is unmistakable.
    image = rendered(window)
    candidates = []
    for path in batch.paths:
        point = display_of(window, top_centre(window, path.equipment.id))
        if path.line is not line and window.scene.pick_id(*point) == path.equipment.id:
            candidates.append((pixel_at(image, point).sum(), path.equipment.id, point))
    _, outside, point = min(candidates)
    shown = pixel_at(image, point)

    window.tree_dock.isolate_requested.emit(line.id)
    assert batch.visible.sum() == sum(p.line is line for p in batch.paths)
    assert "of 155 equipment shown" in window.status_label.text()
    hidden = pixel_at(rendered(window), point)
    assert np.abs(hidden - shown).max() > 60  # the floor shows where the equipment was
    assert window.scene.pick_id(*point) != outside

    window.show_all_action.trigger()
    assert batch.visible.all()


def test_fit_selection_and_reset_view(window):
    window.state.select([CATHODE_COATER])
    window.fit_action.trigger()
    box = window.scene.view.batch.bounds[window.scene.view.batch.index_of(CATHODE_COATER)]
    camera = window.scene.view.camera_state()
    assert np.allclose(camera.focal_point, box.mean(axis=0), atol=0.5)
    assert window.state.camera == camera
    window.home_action.trigger()
    assert not np.allclose(window.scene.view.camera_state().focal_point, box.mean(axis=0), atol=0.5)
    window.view_actions["top"].trigger()
    assert window.scene.view.camera_state().parallel


def test_whole_window_screenshot_is_not_blank(window, tmp_path):
    window.state.select([CATHODE_COATER])
    settle(window)
    grab = QApplication.primaryScreen().grabWindow(window.winId())
    path = tmp_path / "window.png"
    assert grab.save(str(path))
    image = np.asarray(Image.open(path).convert("RGB"))
    assert image.shape[0] >= 800 and image.shape[1] >= 1300
    colours = np.unique(image.reshape(-1, 3) // 8, axis=0)
    assert len(colours) > 200, len(colours)  # docks, text, floor, shaded equipment
    # The 3D view in the grab holds the plant: magenta selection and many shades, not one flat colour.
    centre = window.plotter.mapTo(window, window.plotter.rect().center())
    view = image[centre.y() - 200 : centre.y() + 200, centre.x() - 200 : centre.x() + 200]
    assert len(np.unique(view.reshape(-1, 3) // 8, axis=0)) > 50
    assert sum(is_highlight(p) for p in image.reshape(-1, 3)[::7]) > 20


def test_export_image_at_chosen_size_with_transparency(window, tmp_path):
    path = tmp_path / "view.png"
    window.state.select([CATHODE_COATER])
    assert window.export_image(ExportRequest(path, (640, 360), transparent=True))
    image = Image.open(path)
    assert image.size == (640, 360) and image.mode == "RGBA"
    alpha = np.asarray(image)[:, :, 3]
    assert (alpha == 0).any() and (alpha == 255).any()
    rgb = np.asarray(image)[:, :, :3][alpha == 255]
    assert sum(is_highlight(p) for p in rgb) > 10  # the selection shows in the export too


def test_site_switch_and_selection_from_other_site(window):
    window.state.set_active_site("HM")
    assert window.scene.view.batch is None and window.scene.view.site.id == "HM"
    assert "Holland child plant" in window.status_label.text() and "no equipment yet" in window.status_label.text()
    assert window.scene.pick_id(100, 100) is None
    assert window.site_combo.currentData() == "HM"
    window.select_ids([CATHODE_COATER])  # tree selection in the mother plant switches back to it
    assert window.state.active_site == "OC"
    assert window.state.selection == (CATHODE_COATER,)
    assert len(window.scene.view.batch) == 155


def test_geometry_restored_from_settings_and_viewpoints_from_the_document(qtbot, tmp_path, window):
    window.resize(1234, 876)
    window.state.select([CATHODE_COATER])
    window.fit_action.trigger()
    window._save_viewpoint("coater")
    saved = tmp_path / "reviewed.mtplant.json"
    assert window._save_to(saved)
    window.close()

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert (again.width(), again.height()) == (1234, 876)
    assert again.open_file(saved)  # viewpoints travel with the plant file, not with the settings
    assert [v.name for v in again.session.document.viewpoints] == ["coater"]
    assert again.viewpoints.list.item(0).text() == "coater"
    assert again.open_file(demo_plant_path())
    assert again.viewpoints.list.count() == 0
    again.close()


def test_hover_shows_name_and_type(window, qtbot):
    from PySide6.QtWidgets import QToolTip

    pos = widget_pos(window, display_of(window, top_centre(window, CATHODE_COATER)))
    window.input.hovered.emit(pos.toPointF())
    qtbot.waitUntil(QToolTip.isVisible, timeout=3000)  # shown on the next event-loop turns, later under load
    assert "Cathode coater" in QToolTip.text() and "Slot-die coater" in QToolTip.text()
    window.input.hovered.emit(widget_pos(window, (5, window.plotter.height() - 5)).toPointF())
    # hideText() hides on later event-loop turns (slower under load); a tooltip for something else is fine too.
    qtbot.waitUntil(lambda: not QToolTip.isVisible() or "Cathode coater" not in QToolTip.text(), timeout=8000)


def _visible_dock_tab_bars(main: MainWindow) -> list[tuple[list[str], object]]:
    bars = main.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return [([bar.tabText(i) for i in range(bar.count())], bar.geometry()) for bar in bars if bar.isVisible()]


def test_one_tab_bar_per_dock_group_and_the_trend_beside_them(qtbot, tmp_path, window):
    """Qt leaves a spare tab bar for each group tabified before the window shows; none may show."""
    for main in (window, None):
        if main is None:  # the same window again, its layout restored from the settings
            window.close()
            main = MainWindow(settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
            qtbot.addWidget(main)
            main.show()
            qtbot.waitExposed(main)
        bars = _visible_dock_tab_bars(main)
        titles = [title for tabs, _ in bars for title in tabs]
        assert len(titles) == len(set(titles)), bars  # every dock in one visible tab bar at most
        assert {"Messages", "Alarms", "Sources", "Plant", "Inspector"} <= set(titles)
        view = main.centralWidget().geometry()
        status = main.statusBar().geometry()
        for tabs, rect in bars:
            assert not rect.intersects(view) and not rect.intersects(status), (tabs, rect, view, status)
        trend, messages = main.sensor_ui.trend_dock, main.messages
        assert main.tabifiedDockWidgets(trend) == []  # beside the messages, not one more tab behind them
        assert trend.isVisible() and trend.geometry().left() >= messages.geometry().right()
    main.close()


def test_a_hover_after_the_view_closed_is_ignored(qtbot, tmp_path):
    """The hover timer can fire after the 3D view released its render window (closing): no error, no tooltip."""
    from PySide6.QtCore import QPointF

    main = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.plotter.close()
    assert main.plotter.ren_win is None
    said: list[QPointF] = []
    main.input.hovered.connect(said.append)
    main.input._hover_pos = QPointF(10, 10)
    main.input._hover_timer.timeout.emit()  # the timer firing late
    assert said == []


def test_every_feature_s_dock_comes_back_where_the_user_left_it(qtbot, tmp_path, window):
    """The layout is restored once all docks exist: the Review, History and Checks docks too."""
    review, history = window.review.dock, window.editing.history_dock
    window.review.show_dock()
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, review)  # moved by the user to the left
    history.show()
    window.editing.checks_dock.hide()
    QApplication.processEvents()
    assert window.dockWidgetArea(review) == Qt.DockWidgetArea.LeftDockWidgetArea
    window.close()
    again = MainWindow(settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.dockWidgetArea(again.review.dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert again.review.dock.isVisible() and again.editing.history_dock.isVisible()
    assert not again.editing.checks_dock.isVisible()
    assert not again.session_ui.dock.isVisible()  # never shown: stays hidden
    again.close()
