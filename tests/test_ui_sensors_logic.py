"""The headless parts behind the sensor window: alarm book, template suggestion and its undoable edit,
alarm marks of a recording, and sensor colours layered under the selection (off-screen, no window)."""

from __future__ import annotations

import numpy as np

from viewer.io import load_document
from viewer.model import Limits
from viewer.model.undo import UndoStack
from viewer.scene.offscreen import offscreen_plotter
from viewer.scene.plant_view import HIGHLIGHT_COLOR, PlantView
from viewer.sensors import Bindings, Recording
from viewer.sensors.alarms import AlarmBook
from viewer.sensors.bindings import SetTagTemplate, suggest_template
from viewer.sensors.rules import Alarm, AlarmLevel


def test_alarm_book_raises_acknowledges_and_clears():
    book = AlarmBook()
    limits = {("E1", "temp"): Limits(10, 20, 80, 90)}
    assert book.update([Alarm("E1", "temp", "t", AlarmLevel.HI, 85.0, 100.0)], limits)
    (entry,) = book.entries()
    assert (entry.limit, entry.raised_at, entry.acknowledged) == (80, 100.0, False)
    assert book.flashing_equipment() == {"E1"}
    assert book.acknowledge() and not book.acknowledge()
    assert book.flashing_equipment() == set()
    book.update([Alarm("E1", "temp", "t", AlarmLevel.HIHI, 95.0, 101.0)], limits)
    assert book.entries()[0].limit == 90 and not book.entries()[0].acknowledged  # worse: ask again
    assert book.entries()[0].raised_at == 100.0
    assert book.update([], limits) and len(book) == 0


def test_suggest_template_finds_shape_and_prefix_and_the_edit_undoes(minimal_data, write_json, library):
    cell = minimal_data["sites"][0]["areas"][0]["lines"][0]["cells"][0]
    cell["equipment"][0]["signals"] = [{"name": "state", "kind": "state", "states": ["running", "fault"]}]
    cell["equipment"][1]["signals"] = [{"name": "state", "kind": "state"}, {"name": "roll_force", "unit": "kN"}]
    document = load_document(write_json(minimal_data), library)
    paths = list(document.iter_equipment())
    seen = ["plant/x/E1/state", "plant/x/E2/state", "plant/x/E2/roll_force", "other/thing"]
    suggestion = suggest_template(paths, seen)
    assert suggestion.template == "plant/x/{equipment}/{signal}" and suggestion.matched == 3
    assert suggest_template(paths, ["nothing/here"]) is None

    undo = UndoStack(document)
    undo.push(SetTagTemplate("S1", suggestion.template))
    assert document.sites[0].tag_template == suggestion.template
    bound = Bindings.for_site(document, "S1").report(seen)
    assert len(bound.bound) == 3 and bound.unknown == ["other/thing"]
    undo.undo()
    assert document.sites[0].tag_template == ""


def test_recording_marks_where_values_go_beyond_limits(tmp_path):
    path = tmp_path / "r.csv"
    rows = [f"{1000 + i},a/temp,{50 if i < 80 else 99}\n{1000 + i},a/state,running" for i in range(100)]
    path.write_text("time,tag,value\n" + "\n".join(rows) + "\n")
    with Recording(path) as recording:
        marks = recording.beyond_limits({"a/temp": (10.0, 60.0)}, buckets=100)
        assert recording.beyond_limits({}, buckets=10) == []
    assert sum(n for _, n in marks) == 20 and 1079 <= marks[0][0] <= 1080 and marks[-1][0] <= 1099


def test_sensor_colours_stay_under_the_selection(minimal_data, write_json, library):
    document = load_document(write_json(minimal_data), library)
    plotter = offscreen_plotter((320, 240))
    try:
        view = PlantView(plotter)
        view.show_site(document, library, document.sites[0])
        view.highlight([1])
        view.set_sensor_colors(np.array([0, 1]), np.array([[10, 200, 10], [10, 200, 10]]))
        assert tuple(view.batch.override[0]) == (10, 200, 10)
        assert tuple(view.batch.override[1]) == HIGHLIGHT_COLOR  # the selection wins
        view.set_sensor_colors(np.array([1]), np.array([[10, 200, 10]]), cleared=np.array([0]))
        assert not view.batch.has_override[0]
        view.show_value_labels([])
        assert "sensor-values" not in plotter.actors
    finally:
        plotter.close()


def test_incremental_colour_writes_match_a_full_rewrite(library):
    from viewer.model.synthetic import generate_plant
    from viewer.scene.batch import COLORS, TypeMeshes, build_batch

    document = generate_plant(library, 60, seed=3)
    site = document.sites[0]
    fast, full = (build_batch(document, library, site, TypeMeshes(library)) for _ in range(2))
    hidden = np.ones(60, bool)
    hidden[[4, 5, 30]] = False
    for batch in (fast, full):
        batch.set_visible(hidden)
    rng = np.random.default_rng(0)
    for _ in range(5):
        indices = rng.choice(60, 8, replace=False)
        rgb = rng.integers(0, 255, (8, 3)).astype(np.uint8)
        cleared = rng.choice(60, 3, replace=False)
        fast.update_colors(indices, rgb, cleared)
        full.clear_colors(cleared)
        full.set_colors(indices, rgb)
        assert np.array_equal(fast.detail.point_data[COLORS], full.detail.point_data[COLORS])
        assert np.array_equal(fast.proxy.point_data[COLORS], full.proxy.point_data[COLORS])
    assert fast.update_colors(indices, rgb) == 0  # nothing changed: nothing written


def test_alarms_dock_shows_order_state_and_keeps_the_selection(qtbot):
    from PySide6.QtCore import QItemSelectionModel, Qt

    from viewer.sensors.alarms import AlarmEntry
    from viewer.ui.sensors.alarms_dock import AlarmsDock

    dock = AlarmsDock()
    qtbot.addWidget(dock)
    oven = AlarmEntry("E1", "temperature", "t1", AlarmLevel.HIHI, 152.0, 150.0, 10.0, 10.0)
    gap = AlarmEntry("E2", "gap", "t2", AlarmLevel.LO, 0.1, 0.2, 12.0, 12.0)
    dock.set_alarms([oven], {"E1": "Oven"})
    assert [dock.row_text(0, c) for c in (1, 3, 4, 5, 6)] == ["Oven (E1)", "152", "150", "HIHI", "NEW"]
    model = dock.model
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole).bold()
    # A new value: the same rows, the value cell shows it.
    oven.value = 155.5
    dock.set_alarms([oven], {"E1": "Oven"})
    assert dock.row_count() == 1 and dock.row_text(0, 3) == "155.5"
    # A second, lesser alarm goes below; acknowledging the first sends it down, un-bolded, still selected.
    dock.set_alarms([oven, gap], {"E1": "Oven", "E2": "Roll"})
    assert [dock.row_text(i, 5) for i in range(2)] == ["HIHI", "LO"]
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    dock.table.selectionModel().select(model.index(0, 0), flags)
    assert dock.selected_keys() == [("E1", "temperature")]
    oven.acknowledged = True
    dock.set_alarms([oven, gap], {"E1": "Oven", "E2": "Roll"})
    assert [dock.row_text(i, 5) for i in range(2)] == ["LO", "HIHI"]
    assert dock.selected_keys() == [("E1", "temperature")] and dock.row_text(1, 6) == "acknowledged"
    assert model.data(model.index(1, 0), Qt.ItemDataRole.FontRole) is None
    asked: list[list] = []
    dock.acknowledge_requested.connect(asked.append)
    dock.ack_selected.click()
    assert asked == [[("E1", "temperature")]]
    # Cleared alarms leave; none left says so.
    dock.set_alarms([gap], {"E2": "Roll"})
    assert dock.row_count() == 1 and dock.row_text(0, 2) == "gap"
    dock.set_alarms([], {})
    assert dock.row_count() == 0 and dock.summary.text().startswith("No alarms")


def test_vertices_shared_by_two_colours_are_split_so_point_colours_are_exact():
    from viewer.io.meshes import MeshData
    from viewer.scene.batch import split_by_color

    # Two triangles sharing the edge 1-2, one red and one blue, plus an unused vertex 4.
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [5, 5, 5]], float)
    faces = np.array([[0, 1, 2], [1, 3, 2]])
    colors = np.array([[255, 0, 0], [0, 0, 255]], np.uint8)
    split, point_colors = split_by_color(MeshData(vertices, faces, colors))
    assert len(split.vertices) == 6  # 1 and 2 copied; 4 dropped
    for face, color in zip(split.faces, colors, strict=True):
        assert (point_colors[face] == color).all()
        assert {tuple(v) for v in split.vertices[face]} in (
            {(0, 0, 0), (1, 0, 0), (0, 1, 0)},
            {(1, 0, 0), (1, 1, 0), (0, 1, 0)},
        )
    plain = MeshData(vertices[:4], faces, np.full((2, 3), 7, np.uint8))
    same, same_colors = split_by_color(plain)
    assert same is plain and (same_colors == 7).all()  # nothing to split: the mesh as it is


def test_trend_dock_reuses_its_plots_and_shows_each_signals_limits(qtbot):
    from viewer.app.values import SignalValue
    from viewer.model import SignalKind
    from viewer.ui.sensors.docks import TrendDock

    def signal(name: str, limits: tuple) -> SignalValue:
        return SignalValue("E1", "Coater 1", name, "degC", SignalKind.ANALOG, f"p/E1/{name}", 1.0, False, limits)

    dock = TrendDock()
    qtbot.addWidget(dock)
    dock.set_signals([signal("a", (1.0, 2.0, 8.0, 9.0)), signal("b", (None, None, 50.0, None))], "two")
    first = {tag: plot for tag, (plot, _, _) in dock._plots.items()}
    assert dock.plotted_tags() == ["p/E1/a", "p/E1/b"]
    dock.set_signals([signal("c", (None, 3.0, None, None))], "one")
    (plot_c, _, _) = dock._plots["p/E1/c"]
    assert plot_c is first["p/E1/a"]  # the same plot, retitled
    assert plot_c.titleLabel.text.startswith("c [°C]")  # the Inspector's unit symbols
    assert [(line.isVisible(), line.value()) for line in dock._pool[0].limits if line.isVisible()] == [(True, 3.0)]
    assert len(dock.graphics.ci.items) == 1  # the second plot left the layout


def test_trend_plots_take_columns_in_a_wide_low_dock_and_rows_in_a_tall_one(qtbot):
    from viewer.app.values import SignalValue
    from viewer.model import SignalKind
    from viewer.ui.sensors.docks import TrendDock

    signals = [
        SignalValue("E1", "Coater 1", n, "degC", SignalKind.ANALOG, f"p/E1/{n}", 1.0, False, (None,) * 4) for n in "abc"
    ]
    dock = TrendDock()
    qtbot.addWidget(dock)
    dock.resize(1000, 220)  # the bottom of the window: each plot would be 50 px high stacked
    dock.show()
    qtbot.waitExposed(dock)
    dock.set_signals(signals, "three")
    assert dock.plot_grid() == [("p/E1/a", 0, 0), ("p/E1/b", 0, 1), ("p/E1/c", 0, 2)]
    assert {dock.graphics.ci.layout.itemAt(0, c) for c in range(3)} == {p.plot for p in dock._pool[:3]}
    # Ten minutes around a replay cursor in a plot a third of the dock wide: minute ticks, not one label.
    start = 1_741_000_000.0
    times = start + np.arange(0.0, 600.0, 1.0)
    dock.set_series({s.tag: (times, np.sin(times / 60)) for s in signals}, cursor=start + 300)
    qtbot.wait(100)  # painted: the axis knows its font
    axis = dock._pool[0].axis
    low, high = axis.range
    ticks = sorted(t for _, values in axis.tickValues(low, high, axis.width()) for t in values if low <= t <= high)
    assert len(ticks) >= 4 and set(np.diff(ticks)) <= {60.0, 120.0}, (axis.width(), ticks)
    dock.resize(320, 700)  # a tall dock at the side: one column
    qtbot.waitUntil(lambda: dock.plot_grid()[-1] == ("p/E1/c", 2, 0))
    assert dock.graphics.ci.layout.itemAt(2, 0) is dock._pool[2].plot


def test_bindings_dock_filters_tags_and_says_how_many_are_left_out(qtbot, monkeypatch):
    from viewer.sensors import BindingReport
    from viewer.ui.sensors import docks as sensor_docks
    from viewer.ui.sensors.docks import BindingsDock

    monkeypatch.setattr(sensor_docks, "MAX_LISTED", 3)
    bound = [f"OC/L1/C1/E{i:02d}/temperature" for i in range(5)] + ["OC/L1/C1/E00/state"]
    dock = BindingsDock()
    qtbot.addWidget(dock)
    dock.set_report(BindingReport(bound, ["OC/L1/C1/E09/state"], ["plant/unknown/x"]), "Ochang")

    def listed(widget) -> list[str]:
        return [widget.item(i).text() for i in range(widget.count())]

    assert listed(dock.bound) == [*bound[:3], "… 3 more: filter to find them"]
    assert dock.lists.tabText(0) == "Bound (6)"
    dock.filter.setText("STATE")  # any part, any case
    assert listed(dock.bound) == ["OC/L1/C1/E00/state"] and listed(dock.unbound) == ["OC/L1/C1/E09/state"]
    assert [dock.lists.tabText(i) for i in range(3)] == ["Bound (1 of 6)", "Unbound (1 of 1)", "Unknown (0 of 1)"]
    dock.filter.clear()
    assert len(listed(dock.bound)) == 4 and dock.lists.tabText(2) == "Unknown (1)"
    assert dock.bound.textElideMode() == dock.bound.textElideMode().ElideMiddle  # the signal at the end stays readable


def test_enabling_a_plugin_from_another_package_is_kept_and_unticking_leaves_it_unread(tmp_path, monkeypatch):
    from importlib.metadata import EntryPoint, entry_points

    from PySide6.QtCore import QSettings
    from sensor_fixtures import plugin_package

    from viewer.ui.plugins.controller import PluginsController

    manifest = "manifest = PluginManifest('kept', '1.2', (Contribution('source', 'kept-src', 'json:loads'),))"
    plugin_package(tmp_path, "kept_plugin", manifest, monkeypatch)
    points = [*entry_points(group="mothertwin.plugins"), EntryPoint("kept-ep", "kept_plugin:manifest", "x")]

    def started() -> tuple[PluginsController, list]:
        controller = PluginsController(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
        return controller, controller.discover(points)

    plugins, messages = started()
    assert next(m.text for m in messages if "kept-ep" in m.text).endswith("if you trust where it comes from")
    assert {r.name: r.status for r in plugins.rows()}["kept-ep"] == "not enabled"
    plugins.set_enabled("kept-ep", True)
    assert "kept-src" in dict(plugins.source_kinds())

    plugins, messages = started()  # the next start reads it at once
    assert not messages and "kept" in plugins.registry.manifests and "kept-src" in dict(plugins.source_kinds())
    plugins.set_enabled("kept", False)
    assert plugins.user_enabled() == set() and plugins.user_disabled() == {"kept"}

    plugins, _ = started()  # unticked: unread again
    assert "kept-ep" in plugins.registry.pending and "kept" not in plugins.registry.manifests
