"""States and values that read at a glance: fault, alarm, warning, offline, stale and no-state equipment in
colours told apart in real pixels; units, level icons, current values, trend readouts and elided names in
the docks."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from viewer.app.values import SignalValue, format_value
from viewer.io import builtin_library, load_document
from viewer.model import SignalKind
from viewer.model.site_time import TimeDisplay
from viewer.scene.batch import COLORS, TypeMeshes, build_batch, second_tone_points
from viewer.scene.offscreen import offscreen_plotter
from viewer.scene.plant_view import HIGHLIGHT_COLOR, PlantView
from viewer.sensors import Bindings, Sample, SampleBuffer
from viewer.sensors.alarms import AlarmEntry
from viewer.sensors.rules import (
    ALARM_COLOR,
    OKABE_ITO,
    PALETTE_PRESETS,
    STALE_PALE,
    WARNING_COLOR,
    AlarmLevel,
    equipment_colors,
)

SIZE = (900, 600)
NOW = 1_000_000.0
# Formation racks of the demo, one per meaning: (state, rack temperature; limits 35 / 40 / 50 / 55 degC).
RACKS = {
    "running": ("running", 45.0),
    "fault": ("fault", 45.0),
    "alarm": ("running", 60.0),  # beyond HIHI
    "warning": ("running", 52.0),  # beyond HI
    "offline": ("offline", 45.0),
    "stale": ("running", 45.0),  # a minute old
    "no state": (None, 45.0),  # measured, no state signal
}


def rack_scene(palette: dict | None = None):
    """The demo drawn off-screen from above with seven formation racks coloured as RACKS says; returns the
    plotter, the view and the racks' equipment ids by meaning."""
    document = load_document("assets/demo/battery-plant.mtplant.json")
    plotter = offscreen_plotter(SIZE)
    view = PlantView(plotter)
    view.show_site(document, builtin_library(), document.sites[0], labels=False)
    bindings = Bindings.build(view.batch.paths)
    racks = [p.equipment.id for p in view.batch.paths if p.equipment.type == "formation_rack"][: len(RACKS)]
    store = SampleBuffer(stale_after=10.0)
    samples = []
    for equipment_id, (meaning, (state, temperature)) in zip(racks, RACKS.items(), strict=True):
        tags = {b.signal.name: b.tag for b in bindings.by_equipment[view.batch.index_of(equipment_id)]}
        when = NOW - 60 if meaning == "stale" else NOW
        if state is not None:
            samples.append(Sample(tags["state"], when, state))
        samples.append(Sample(tags["rack_temperature"], when, temperature))
    store.put(samples, arrival_is_sample_time=True)
    colors = equipment_colors(bindings, store, now=NOW, state_colors=palette)
    view.set_sensor_colors(colors.indices, colors.rgb, None, colors.alt_rgb)
    bounds = view.batch.bounds[[view.batch.index_of(i) for i in racks]]
    low, high = bounds[:, 0].min(axis=0), bounds[:, 1].max(axis=0)
    centre = (low + high) / 2
    camera = plotter.camera
    camera.parallel_projection = True
    camera.focal_point = tuple(centre)
    camera.position = (centre[0], centre[1], centre[2] + 80)
    camera.up = (0, 1, 0)
    camera.parallel_scale = max(high[0] - low[0], high[1] - low[1]) * 0.7
    plotter.reset_camera_clipping_range()
    return plotter, view, dict(zip(RACKS, racks, strict=True))


def top_patch(plotter, view, equipment_id: str, image: np.ndarray) -> np.ndarray:
    """The pixels of the middle of an equipment's top face, as (k, 3) ints."""
    box = view.batch.bounds[view.batch.index_of(equipment_id)]
    renderer = plotter.renderer
    renderer.SetWorldPoint((box[0][0] + box[1][0]) / 2, (box[0][1] + box[1][1]) / 2, box[1][2], 1.0)
    renderer.WorldToDisplay()
    x, y, _ = renderer.GetDisplayPoint()
    row, column = SIZE[1] - 1 - round(y), round(x)
    half_w = max(3, round((box[1][0] - box[0][0]) / 2 / plotter.camera.parallel_scale * SIZE[1] / 2 * 0.6))
    return image[row - 3 : row + 4, column - half_w : column + half_w, :3].reshape(-1, 3).astype(int)


@pytest.mark.parametrize("preset", ["Default", OKABE_ITO])
def test_3d_view_tells_fault_alarm_warning_offline_stale_and_no_state_apart(preset):
    plotter, view, racks = rack_scene(PALETTE_PRESETS[preset])
    try:
        image = np.asarray(plotter.screenshot(return_img=True))
        patches = {meaning: top_patch(plotter, view, racks[meaning], image) for meaning in RACKS}
    finally:
        plotter.close()
    means = {meaning: patch.mean(axis=0) for meaning, patch in patches.items()}
    spread = {meaning: float(np.ptp(patch, axis=0).max()) for meaning, patch in patches.items()}
    names = list(RACKS)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert np.abs(means[a] - means[b]).sum() > 60, (a, b, means[a], means[b])
    # The alarm is not a shade of the fault: another hue (blue-violet or reddish purple against red or
    # vermillion), not only another brightness.
    alarm, fault = means["alarm"], means["fault"]
    assert alarm[2] - fault[2] > 80, (alarm, fault)
    # Stale is drawn two-tone (a hatched look no live colour has); every other meaning is one flat colour.
    assert spread["stale"] > 40, patches["stale"]
    for meaning in ("running", "fault", "alarm", "warning", "offline", "no state"):
        assert spread[meaning] < 12, (meaning, spread[meaning])
    # Offline is dark, stale and no-state light; no-state is neutral (no hue), never "running" green.
    assert means["offline"].sum() < 300 < means["stale"].sum()
    assert np.ptp(means["no state"]) < 25 and means["no state"].sum() > 420


def test_two_tone_writes_match_a_full_rewrite_and_the_selection_stays_flat(library):
    from viewer.model.synthetic import generate_plant

    document = generate_plant(library, 40, seed=5)
    site = document.sites[0]
    fast, full = (build_batch(document, library, site, TypeMeshes(library)) for _ in range(2))
    indices = np.array([1, 4, 9, 20])
    rgb = np.array([[200, 10, 10]] * 4, np.uint8)
    alt = rgb.copy()
    alt[[1, 3]] = STALE_PALE  # two of them stale
    fast.update_colors(indices, rgb, None, alt)
    full.update_colors(indices, rgb, None, alt)
    full._apply_colors()  # everything rewritten from the per-equipment arrays
    assert np.array_equal(fast.detail.point_data[COLORS], full.detail.point_data[COLORS])
    assert np.array_equal(fast.proxy.point_data[COLORS], full.proxy.point_data[COLORS])
    start, end = fast.point_ranges[4]
    tones = {tuple(c) for c in fast.detail.point_data[COLORS][start:end]}
    assert tones == {(200, 10, 10), STALE_PALE}  # both tones on a stale equipment
    start, end = fast.point_ranges[1]
    assert {tuple(c) for c in fast.detail.point_data[COLORS][start:end]} == {(200, 10, 10)}
    assert fast.update_colors(indices, rgb, None, alt) == 0  # nothing changed: nothing written
    assert fast.update_colors(indices, rgb) == 2  # fresh again: the two stale ones go flat
    start, end = fast.point_ranges[4]
    assert {tuple(c) for c in fast.detail.point_data[COLORS][start:end]} == {(200, 10, 10)}
    # Most of them stale (a source lost): the one-pass rewrite gives each point the tone the rule says.
    many = np.arange(40)
    tones = np.tile(np.array([[200, 10, 10]], np.uint8), (40, 1))
    second = tones.copy()
    second[5:] = STALE_PALE
    full.update_colors(many, tones, None, second)
    full._apply_colors()
    owner = full.detail_point_owner
    points = np.arange(len(owner))
    expected = np.where((second_tone_points(points) & (owner >= 5))[:, None], STALE_PALE, (200, 10, 10))
    assert np.array_equal(full.detail.point_data[COLORS], expected)


def test_a_selected_stale_equipment_is_flat_selection_magenta():
    plotter, view, racks = rack_scene()
    try:
        batch = view.batch
        stale = batch.index_of(racks["stale"])
        view.highlight([stale])
        start, end = batch.point_ranges[stale]
        assert {tuple(c) for c in batch.detail.point_data[COLORS][start:end]} == {HIGHLIGHT_COLOR}
    finally:
        plotter.close()


# ------------------------------------------------------------ docks


def coater_entry(level: AlarmLevel = AlarmLevel.HIHI, value: float = 152.0, limit: float = 150.0) -> AlarmEntry:
    return AlarmEntry("E1", "oven_temperature", "t1", level, value, limit, 10.0, 10.0)


def test_alarm_list_shows_units_as_the_inspector_does_and_a_level_icon_per_row(qtbot):
    from viewer.ui.explore.inspector_rows import with_unit
    from viewer.ui.sensors.alarms_dock import AlarmsDock

    dock = AlarmsDock()
    qtbot.addWidget(dock)
    oven = coater_entry()
    gap = AlarmEntry("E2", "gap", "t2", AlarmLevel.LO, 0.1, 0.2, 12.0, 12.0)
    dock.set_alarms([oven, gap], {"E1": "Oven", "E2": "Roll"}, {oven.key: "degC", gap.key: "um"})
    assert [dock.row_text(0, c) for c in (3, 4)] == ["152 °C", "150 °C"]
    assert [dock.row_text(1, c) for c in (3, 4)] == ["0.1 µm", "0.2 µm"]
    assert dock.row_text(0, 4) == with_unit(150.0, "degC")  # the Inspector's own function
    model = dock.model

    def icon_image(row: int):
        icon = model.data(model.index(row, 5), Qt.ItemDataRole.DecorationRole)
        return icon.pixmap(14, 14).toImage()

    def rgb(image, x: int, y: int) -> tuple[int, int, int]:
        color = image.pixelColor(x, y)
        return (color.red(), color.green(), color.blue())

    severe, warning = icon_image(0), icon_image(1)
    assert rgb(severe, 7, 7) == ALARM_COLOR and rgb(warning, 7, 5) == WARNING_COLOR
    # Shapes differ too (a diamond beyond LOLO/HIHI, a triangle pointing down beyond LO): readable without
    # telling the colours apart.
    assert severe.pixelColor(2, 2).alpha() == 0 and warning.pixelColor(2, 2).alpha() > 0
    assert model.data(model.index(0, 3), Qt.ItemDataRole.DecorationRole) is None  # one icon per row
    # The icons follow the palette (the colour-blind safe preset).
    dock.set_palette(PALETTE_PRESETS[OKABE_ITO])
    assert rgb(icon_image(0), 7, 7) == PALETTE_PRESETS[OKABE_ITO]["alarm"]


def test_alarm_list_elides_long_names_in_the_middle_and_the_tooltip_holds_them(qtbot):
    from viewer.ui.sensors.alarms_dock import AlarmsDock

    dock = AlarmsDock()
    qtbot.addWidget(dock)
    long_name = "Cathode electrode coater with drying oven and unwinder, line 1 west"
    dock.set_alarms([coater_entry()], {"E1": long_name})
    assert dock.table.textElideMode() == Qt.TextElideMode.ElideMiddle
    tooltip = dock.model.data(dock.model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
    assert tooltip == f"{long_name} (E1)"


def test_the_3d_labels_use_the_inspectors_unit_symbols():
    assert format_value(132.44, "degC") == "132.4 °C"
    assert format_value(None, "degC") == "no data"
    assert format_value("running", "") == "running"


def coater_sections():
    from viewer.ui.explore.inspector_rows import equipment_sections

    document = load_document("assets/demo/battery-plant.mtplant.json")
    path = next(p for p in document.iter_equipment() if p.equipment.id == "OC-ELE1-COT-01")
    return path, equipment_sections(path, builtin_library(), document)


def inspector_row(dock, label: str):
    """The signal row of that name (a parameter may have the same name)."""
    from viewer.ui.explore.inspector import LIVE_ROLE

    for i in range(dock.tree.topLevelItemCount()):
        item = dock.tree.topLevelItem(i)
        if item.text(0).strip() == label and item.data(1, LIVE_ROLE) is not None:
            return item
    raise AssertionError(f"no row {label!r} in {dock.text()}")


def test_inspector_signal_rows_show_the_current_value_with_unit_and_alarm_mark(qtbot):
    from viewer.ui.explore.inspector import InspectorDock, LiveValue

    dock = InspectorDock()
    qtbot.addWidget(dock)
    path, sections = coater_sections()
    dock.set_sections(path.equipment.name, sections)
    oven = inspector_row(dock, "oven_temperature")
    assert oven.text(1) == "lolo 110, lo 120, hi 140, hihi 150 °C"  # no source: the limits alone
    key = (path.equipment.id, "oven_temperature")
    dock.set_live_values({key: LiveValue("160 °C ◆ HIHI", "alarm"), (path.equipment.id, "state"): LiveValue("fault")})
    assert oven.text(1) == "160 °C ◆ HIHI  ·  lolo 110, lo 120, hi 140, hihi 150 °C"
    assert oven.foreground(1).color().blue() > oven.foreground(1).color().red()  # the alarm's violet
    assert inspector_row(dock, "state").text(1).startswith("fault  ·  state: ")
    assert "now: 160 °C ◆ HIHI" in oven.toolTip(1)
    dock.set_sections(path.equipment.name, sections)  # selected again: the rows are new, the value stays
    assert inspector_row(dock, "oven_temperature").text(1).startswith("160 °C ◆ HIHI")
    dock.set_live_values({})
    assert inspector_row(dock, "oven_temperature").text(1) == "lolo 110, lo 120, hi 140, hihi 150 °C"
    assert dock.tree.textElideMode() == Qt.TextElideMode.ElideMiddle


def trend_signal(name: str = "oven_temperature", unit: str = "degC") -> SignalValue:
    tag = f"OC/OC-ELE1-COT-01/{name}"
    return SignalValue("E1", "Coater", name, unit, SignalKind.ANALOG, tag, 1.0, False, (110.0, 120.0, 140.0, 150.0))


def test_trend_reads_out_the_value_at_the_cursor_and_under_the_mouse_and_says_no_data(qtbot):
    from viewer.ui.sensors.docks import TrendDock

    dock = TrendDock()
    qtbot.addWidget(dock)
    dock.resize(700, 300)
    dock.show()
    qtbot.waitExposed(dock)
    signal, empty = trend_signal(), trend_signal("web_speed", "m/min")
    dock.set_signals([signal, empty], "Coater")
    start = 1_735_689_600.0  # 2025-01-01 00:00:00 UTC
    times = start + np.arange(0.0, 120.0, 10.0)
    values = 125.0 + np.arange(12.0)
    dock.set_series({signal.tag: (times, values)}, cursor=start + 35)
    # At the replay cursor: the last value at or before it, with the Inspector's unit symbol and the time.
    assert dock.readout(signal.tag) == "128 °C at 00:00:35 (UTC)"
    # No samples: "no data" over the plot, and said at the cursor, not an empty axis.
    assert dock.shows_no_data(empty.tag) and not dock.shows_no_data(signal.tag)
    assert dock.readout(empty.tag) == "no data at 00:00:35 (UTC)"
    # The mouse over a plot reads out the time under it; leaving goes back to the cursor.
    dock.hover_at(signal.tag, start + 91)
    assert dock.readout(signal.tag) == "134 °C at 00:01:31 (UTC)"
    dock.hover_at(signal.tag, None)
    assert dock.readout(signal.tag) == "128 °C at 00:00:35 (UTC)"
    # A real mouse move over the first plot.
    plot = dock._trends[signal.tag].plot
    box = plot.getViewBox()
    centre = box.mapViewToScene(box.viewRect().center())
    view_point = dock.graphics.mapFromScene(centre)
    qtbot.mouseMove(dock.graphics.viewport(), QPoint(view_point.x(), view_point.y()))
    qtbot.waitUntil(lambda: dock.readout(signal.tag) != "128 °C at 00:00:35 (UTC)", timeout=2000)
    hovered = box.viewRect().center().x()
    expected = format_value(float(values[int((hovered - start) // 10)]), "degC")
    assert dock.readout(signal.tag).startswith(expected + " at 00:0")
    # Live (no cursor): the latest value and its time.
    dock.hover_at(signal.tag, None)
    dock.set_series({signal.tag: (times, values)}, cursor=None)
    assert dock.readout(signal.tag) == "136 °C at 00:01:50 (UTC)"
    # In a site's own zone, as the time axis under it.
    dock.set_time_display(TimeDisplay("Asia/Seoul"))
    assert dock.readout(signal.tag) == "136 °C at 09:01:50 (UTC+09:00)"
    # Live with no samples: the axis still spans the last 5 minutes up to now, not an empty 0-1 s range.
    before = time.time()
    dock.set_series({}, cursor=None)
    (left, right), _ = dock._trends[empty.tag].plot.getViewBox().viewRange()
    assert before - 301 <= left <= time.time() - 299 and before - 1 <= right <= time.time() + 1


def test_trend_titles_carry_the_unit_and_elide_in_the_middle_only_when_narrow(qtbot):
    from viewer.ui.sensors.docks import TrendDock

    dock = TrendDock()
    qtbot.addWidget(dock)
    long_signal = trend_signal("electrolyte_fill_chamber_dew_point_temperature_upstream")
    dock.resize(900, 260)
    dock.show()
    qtbot.waitExposed(dock)
    dock.set_signals([long_signal], "one")
    whole = "electrolyte_fill_chamber_dew_point_temperature_upstream [°C]"
    plot = dock._trends[long_signal.tag].plot
    qtbot.waitUntil(lambda: plot.titleLabel.text == whole, timeout=2000)  # room: the whole title
    dock.resize(230, 260)
    qtbot.waitUntil(lambda: "…" in plot.titleLabel.text, timeout=2000)
    title = plot.titleLabel.text
    assert title.startswith("electrolyte") and title.endswith("[°C]")  # both ends kept, the unit too
    assert whole in plot.titleLabel.toolTip()


def test_plant_tree_elides_names_in_the_middle_with_the_whole_name_in_the_tooltip(qtbot):
    from viewer.ui.explore.plant_tree import PlantTreeDock

    dock = PlantTreeDock()
    qtbot.addWidget(dock)
    document = load_document("assets/demo/battery-plant.mtplant.json")
    dock.set_document(document, builtin_library())
    assert dock.view.textElideMode() == Qt.TextElideMode.ElideMiddle
    item = dock.model.equipment_items["OC-ELE1-COT-01"]
    assert item.toolTip().startswith(item.text())


def test_state_colours_dialog_offers_the_colour_blind_safe_preset(qtbot):
    from viewer.ui.sensors.dialogs import OWN_COLOURS, StateColorsDialog

    dialog = StateColorsDialog({})
    qtbot.addWidget(dialog)
    assert dialog.preset.currentText() == "Default"
    assert [dialog.preset.itemText(i) for i in range(dialog.preset.count())] == ["Default", OKABE_ITO, OWN_COLOURS]
    assert set(dialog.buttons) == {"running", "idle", "fault", "offline", "warning", "alarm"}
    dialog.choose_preset(OKABE_ITO)
    assert dialog.colors == PALETTE_PRESETS[OKABE_ITO] and dialog.preset.currentText() == OKABE_ITO
    assert dialog.buttons["alarm"].text() == "#cc79a7"
    dialog.colors["idle"] = (1, 2, 3)
    dialog._paint()
    assert dialog.preset.currentText() == OWN_COLOURS


def test_spare_trend_plots_stay_in_the_scene_hidden_so_none_is_held_by_python_alone(qtbot):
    """A plot left over when fewer signals are shown is kept for reuse; outside the scene it was owned by
    Python alone, and destroying it at the interpreter's exit crashed the process."""
    import shiboken6

    from viewer.ui.sensors.docks import TrendDock

    dock = TrendDock()
    qtbot.addWidget(dock)
    dock.resize(700, 300)
    dock.show()
    qtbot.waitExposed(dock)
    signals = [trend_signal(), trend_signal("web_speed", "m/min"), trend_signal("web_tension", "N")]
    dock.set_signals(signals, "Coater")
    dock.set_signals(signals[:1], "Coater")
    scene = dock.graphics.scene()
    assert len(dock._pool) == 3
    shown, *spare = dock._pool
    assert shown.plot.isVisible() and [t.plot.isVisible() for t in spare] == [False, False]
    assert all(t.plot.scene() is scene and not shiboken6.ownedByPython(t.plot) for t in dock._pool)
    assert dock.plot_grid() == [(signals[0].tag, 0, 0)]
    dock.set_signals(signals[:2], "Coater")  # a spare comes back into the grid, shown
    assert [t.plot.isVisible() for t in dock._pool] == [True, True, False]
