"""The application layer's sensor view and history, without a window: the colours, legend and values the
window and `render --recording` both show, and a historian standing in for a recording in the timeline."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from mothertwin_builtin_sources.replay import RecordingSource

from viewer.app.sensor_view import FLASH_OFF_COLOR, SensorView, bind_site, numeric_tags, tag_limits
from viewer.app.values import label_lines, value_text
from viewer.io import load_document
from viewer.paths import demo_plant_path
from viewer.sensors import Sample, SampleBuffer, SourceSettings, equipment_colors
from viewer.sensors.recording import TextValues
from viewer.sensors.rules import ALARM_COLOR, STALE_PALE, STATE_COLORS, WITHOUT_SIGNAL_COLOR, legend_entries

NOW = 1_000_000.0
MIXER, COATER = "OC-ELE1-MIX-01", "OC-ELE1-COT-01"
OVEN = f"OC/OC-ELE1/OC-ELE1-COT/{COATER}/oven_temperature"


@pytest.fixture(scope="module")
def oc_paths():
    document = load_document(demo_plant_path())
    return [p for p in document.iter_equipment() if p.site.id == "OC"]


class Index:
    """The scene batch's lookup, for a view without a scene."""

    def __init__(self, paths) -> None:
        self.positions = {p.equipment.id: i for i, p in enumerate(paths)}

    def has_id(self, equipment_id: str) -> bool:
        return equipment_id in self.positions

    def index_of(self, equipment_id: str) -> int:
        return self.positions[equipment_id]


def store_with(samples: list[tuple[str, float, object]]) -> SampleBuffer:
    store = SampleBuffer(stale_after=10.0, clock=lambda: NOW)
    store.put([Sample(tag, time, value) for tag, time, value in samples], source="test", arrival_is_sample_time=True)
    return store


def mixer_tag(signal: str) -> str:
    return f"OC/OC-ELE1/OC-ELE1-MIX/{MIXER}/{signal}"


def test_the_application_layer_imports_no_qt_and_no_vtk():
    code = (
        "import sys; import viewer.app.sensor_view, viewer.app.history, viewer.app.values; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'vtkmodules', 'vtk', 'pyvista')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_sensor_view_colours_by_state_and_by_one_signal_with_the_rest_grey(oc_paths):
    bindings, limits, problem = bind_site(oc_paths, oc_paths[0].site)
    assert problem == "" and limits[(COATER, "oven_temperature")].hihi == 150.0
    store = store_with([(mixer_tag("state"), NOW - 1, "running"), (OVEN, NOW - 1, 152.0)])
    view = SensorView(bindings)
    colors = view.colors(store)
    expected = equipment_colors(bindings, store, now=NOW)
    assert colors.shown is colors.data and colors.colored == 2
    np.testing.assert_array_equal(colors.data.rgb, expected.rgb)
    ids = [p.equipment.id for p in bindings.paths]
    mixer, coater = ids.index(MIXER), ids.index(COATER)
    assert dict(zip(colors.data.indices.tolist(), map(tuple, colors.data.rgb.tolist()), strict=True)) == {
        mixer: STATE_COLORS["running"],
        coater: ALARM_COLOR,  # 152 degC is beyond HIHI 150: an alarm over the (unknown) state
    }
    assert [(a.equipment_id, a.signal) for a in colors.data.alarms] == [(COATER, "oven_temperature")]

    view.color_by = "oven_temperature"
    by_signal = view.colors(store)
    assert by_signal.colored == 1 and len(by_signal.shown.indices) == len(oc_paths)  # every equipment drawn
    rest = by_signal.shown.indices != coater
    assert {tuple(c) for c in by_signal.shown.rgb[rest].tolist()} == {WITHOUT_SIGNAL_COLOR}
    assert view.legend(flashing=False) == legend_entries(signal="oven_temperature")
    assert "oven_temperature" in view.colorable_signals()
    assert OVEN in numeric_tags(bindings) and mixer_tag("state") not in numeric_tags(bindings)
    assert tag_limits(bindings)[OVEN] == (120.0, 140.0)
    assert view.unit_of(OVEN) == "degC" and view.unit_of("no/such/tag") == ""


def test_flashing_alarms_take_the_pale_phase_but_stale_equipment_keep_their_two_tones(oc_paths):
    bindings, _, _ = bind_site(oc_paths, None)
    # The coater in alarm now, the mixer's last state 30 s old: stale.
    store = store_with([(mixer_tag("state"), NOW - 30, "fault"), (OVEN, NOW - 1, 152.0)])
    view = SensorView(bindings)
    colors = view.colors(store).shown
    on_rgb, on_alt = view.flashed(colors, {COATER, MIXER}, flash_on=True)
    np.testing.assert_array_equal(on_rgb, colors.rgb)
    off_rgb, off_alt = view.flashed(colors, {COATER, MIXER}, flash_on=False)
    stale = colors.stale
    assert stale.sum() == 1
    assert {tuple(c) for c in off_rgb[~stale].tolist()} == {FLASH_OFF_COLOR}
    np.testing.assert_array_equal(off_rgb[stale], colors.rgb[stale])
    assert tuple(off_alt[stale][0]) == STALE_PALE and tuple(on_alt[~stale][0]) == ALARM_COLOR
    assert colors.rgb is not off_rgb and tuple(colors.rgb[~stale][0]) == ALARM_COLOR  # the colours stay as they were


def test_selected_values_read_with_units_alarm_marks_and_staleness(oc_paths):
    bindings, _, _ = bind_site(oc_paths, None)
    store = store_with([(OVEN, NOW - 1, 145.25), (mixer_tag("slurry_temperature"), NOW - 30, 25.0)])
    view = SensorView(bindings)
    values = view.selection_values([COATER, "no-such-id", MIXER], Index(bindings.paths), store, limit=3)
    texts = {(v.equipment_id, v.signal): value_text(v) for v in values}
    assert texts[(COATER, "oven_temperature")] == ("145.2 °C ▲ HI", "warning")
    assert texts[(COATER, "web_speed")] == ("no data", "")
    assert texts[(MIXER, "slurry_temperature")] == ("25 °C (stale)", "stale")
    labels = label_lines(values)
    assert list(labels) == [COATER, MIXER]
    name = next(p.equipment.name for p in oc_paths if p.equipment.id == COATER)
    assert labels[COATER][:2] == [name, "state: no data"]
    assert "oven_temperature: 145.2 °C" in labels[COATER]
    assert view.selection_values([COATER], Index(bindings.paths), store, limit=0) == []
    assert SensorView().selection_values([COATER], Index(bindings.paths), store, limit=3) == []


class MemoryHistory:
    """A historian's answers from memory: one tag sampled every 10 s, beyond its HI from t = 100 s."""

    path = "historian://memory/line-1"

    def __init__(self) -> None:
        self.times = np.arange(0.0, 301.0, 10.0)
        self.values = np.where(self.times >= 100.0, 150.0, 130.0)
        self.asked: list[str] = []
        self.closed = False

    def tags(self) -> list[str]:
        return [OVEN]

    def time_range(self) -> tuple[float, float]:
        return float(self.times[0]), float(self.times[-1])

    def state_columns(self, at: float, window: float | None = 30.0, tags: list[str] | None = None):
        self.asked.append("state")
        keep = (self.times <= at) & ((self.times > at - window) if window is not None else True)
        if not keep.any() or (tags is not None and OVEN not in tags):
            return [], np.zeros(0), np.zeros(0)
        last = np.flatnonzero(keep)[-1]
        return [OVEN], self.times[last : last + 1], self.values[last : last + 1]

    def sample_columns(self, start: float, end: float):
        keep = (self.times > start) & (self.times <= end)
        return [OVEN] * int(keep.sum()), self.times[keep], self.values[keep]

    def series(self, tag: str, start: float, end: float, bucket: float | None = None):
        self.asked.append("series")
        keep = (self.times >= start) & (self.times <= end)
        return self.times[keep], self.values[keep]

    def beyond_limits(self, limits, buckets: int = 400):
        self.asked.append("marks")
        return [(100.0, 21)] if OVEN in limits else []

    def excursion_starts(self, limits, at: float, lookback: float = 3600.0):
        return {OVEN: (100.0, False)} if at >= 100.0 and OVEN in limits else {}

    def text_values(self, numeric_tags=None) -> list[TextValues]:
        return []

    def close(self) -> None:
        self.closed = True


class HistorianSource(RecordingSource):
    """The replay source over a historian instead of a file."""

    history = None

    @classmethod
    def from_settings(cls, store: SampleBuffer, settings: SourceSettings) -> HistorianSource:
        return cls(store, cls.history, name=settings.name)


def test_a_historian_stands_in_for_the_recording_in_the_timeline(qtbot):
    from viewer.ui.sensors.timeline import Mode, TimelineController

    history = MemoryHistory()
    HistorianSource.history = history
    timeline = TimelineController()
    marks, trends, starts = [], [], []
    timeline.marks_changed.connect(marks.append)
    timeline.trend_ready.connect(trends.append)
    timeline.alarm_starts_ready.connect(lambda at, found: starts.append((at, found)))
    try:
        settings = SourceSettings("recording", "line 1 historian", history.path)
        timeline.open_recording(settings, HistorianSource, {OVEN: (120.0, 140.0)}, [OVEN])
        qtbot.waitUntil(lambda: timeline.mode is Mode.REPLAY and timeline.idle(), timeout=5000)
        assert (timeline.start_time, timeline.end_time) == (0.0, 300.0)
        assert timeline.recording_tags == [OVEN] and marks == [[(100.0, 21)]]
        timeline.seek(125.0)
        qtbot.waitUntil(lambda: timeline.idle() and timeline.source.cursor == 125.0, timeout=5000)
        state = timeline.store.tag_state(OVEN)
        assert (state.sample.time, state.sample.value) == (120.0, 150.0)
        timeline.request_trend([OVEN])
        timeline.request_alarm_starts({OVEN: (120.0, 140.0)})
        qtbot.waitUntil(lambda: bool(trends) and bool(starts), timeout=5000)
        times, values = trends[0][OVEN]
        assert times[0] == 0.0 and times[-1] == 300.0 and values[-1] == 150.0
        assert starts == [(125.0, {OVEN: (100.0, False)})]
        assert {"state", "series", "marks"} <= set(history.asked)
    finally:
        timeline.shutdown()
    assert history.closed
