"""The vectorised `equipment_colors` against the per-equipment rule it replaced (kept here as the oracle)."""

from __future__ import annotations

import gc
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from viewer.model import (
    Cell,
    Enterprise,
    Equipment,
    EquipmentPath,
    Limits,
    Line,
    PlantDocument,
    Signal,
    SignalKind,
    Site,
)
from viewer.model.plant import Area
from viewer.model.synthetic import generate_plant
from viewer.sensors import Quality, Sample, SampleBuffer, rules
from viewer.sensors.bindings import Bindings, SignalBinding
from viewer.sensors.rules import (
    ALERT_KEYS,
    NO_STATE_COLOR,
    RGB,
    STATE_COLORS,
    UNKNOWN_STATE_COLOR,
    WARNING_COLOR,
    Alarm,
    AlarmLevel,
    EquipmentColors,
    alarm_level,
    colormap,
    colormap_range,
    desaturate,
    equipment_colors,
    palette_of,
)
from viewer.sensors.samples import TagState
from viewer.sensors.simulator import Simulator

# ------------------------------------------------------------ the reference: the rule as it was, per equipment


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _state_name(binding: SignalBinding, value: object) -> str:
    if isinstance(value, str) and not value.lstrip("-").isdigit():
        return value.strip().lower()
    number = _number(value)
    states = binding.signal.states
    if number is not None and number.is_integer() and 0 <= number < len(states):
        return states[int(number)]
    return str(value).lower()


def reference_colors(
    bindings: Bindings,
    store: SampleBuffer,
    now: float | None = None,
    signal: str | None = None,
    state_colors: dict[str, RGB] | None = None,
) -> EquipmentColors:
    palette = palette_of(state_colors)
    snapshot = store.snapshot()
    stale_tags = store.stale_tags(now)
    indices: list[int] = []
    colors: list[RGB] = []
    stale: list[bool] = []
    alarms: list[Alarm] = []
    for index, own in enumerate(bindings.by_equipment):
        with_data = [(b, snapshot[b.tag]) for b in own if b.tag in snapshot]
        if not with_data:
            continue
        color, equipment_alarms = _equipment_color(with_data, signal, palette)
        alarms += equipment_alarms
        if color is None:
            continue
        indices.append(index)
        colors.append(color)
        stale.append(all(b.tag in stale_tags for b, _ in with_data))
    rgb = np.array(colors, dtype=np.uint8).reshape(-1, 3)
    stale_mask = np.array(stale, dtype=bool)
    if stale_mask.any():
        rgb[stale_mask] = desaturate(rgb[stale_mask])
    return EquipmentColors(np.array(indices, dtype=np.int64), rgb, stale_mask, alarms)


def _equipment_color(
    with_data: list[tuple[SignalBinding, TagState]], mapped_signal: str | None, palette: dict[str, RGB]
) -> tuple[RGB | None, list[Alarm]]:
    alarms: list[Alarm] = []
    state_color: RGB | None = None
    mapped: RGB | None = None
    analog_ok = False
    for binding, state in with_data:
        sig = binding.signal
        value = state.sample.value
        if sig.kind is SignalKind.STATE:
            name = _state_name(binding, value)
            state_color = UNKNOWN_STATE_COLOR if name in ALERT_KEYS else palette.get(name, UNKNOWN_STATE_COLOR)
            continue
        number = _number(value)
        if number is None or sig.kind is SignalKind.COUNTER:
            continue
        analog_ok = True
        level = alarm_level(number, sig.limits)
        if level is not AlarmLevel.NORMAL:
            alarms.append(Alarm(binding.equipment_id, sig.name, binding.tag, level, number, state.sample.time))
        if mapped_signal is not None and sig.name == mapped_signal:
            span = colormap_range(sig.limits)
            mapped = tuple(colormap(np.array([number]), *span)[0]) if span else None  # type: ignore[assignment]
    fallback = NO_STATE_COLOR if analog_ok else None  # measured, no state signal: neutral, not "running"
    color = mapped if mapped_signal is not None else (state_color or fallback)
    if alarms and (mapped_signal is None or mapped is not None):
        worst = max(a.level for a in alarms)
        color = palette["alarm"] if worst.severe else (palette["warning"] if color != palette["fault"] else color)
    return color, alarms


def assert_same(got: EquipmentColors, want: EquipmentColors) -> None:
    assert got.indices.dtype == np.int64 and got.rgb.dtype == np.uint8 and got.stale.dtype == bool
    assert got.rgb.shape == (len(got.indices), 3) and got.stale.shape == got.indices.shape
    assert np.all(np.diff(got.indices) > 0)
    np.testing.assert_array_equal(got.indices, want.indices)
    np.testing.assert_array_equal(got.rgb, want.rgb)
    np.testing.assert_array_equal(got.stale, want.stale)
    assert got.alarms == want.alarms
    assert [type(a.level) for a in got.alarms] == [AlarmLevel] * len(got.alarms)


def compare(bindings: Bindings, store: SampleBuffer, **kwargs: object) -> EquipmentColors:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want = reference_colors(bindings, store, **kwargs)  # type: ignore[arg-type]
    except IndexError:
        # The old rule crashed on a mapped text "nan" (no place on the map); the new one leaves it uncoloured.
        equipment_colors(bindings, store, **kwargs)  # type: ignore[arg-type]
        assume(False)
    got = equipment_colors(bindings, store, **kwargs)  # type: ignore[arg-type]
    assert_same(got, want)
    return got


# ------------------------------------------------------------ random plants, values, limits and staleness

STATE_NAMES = ["running", "idle", "fault", "offline", "Running", "warm", "", "3"]
SIGNAL_NAMES = ["state", "temp", "press", "count", "temp2"]
LIMIT_VALUES = [None, None, None, -5, 0, 10, 20.0, 50, 80, 90.5, 1e9]
NUMBERS = [-5, 0, 10, 20, 50, 80, 90.5, 1e9, 2.5, -0.0, 1, 2, 3, 4, -1, math.inf, -math.inf, 1e20]
TEXTS = [
    "running",
    " Idle ",
    "FAULT",
    "offline",
    "Running",
    "warm",
    "",
    "0",
    "1",
    "3",
    "-1",
    "007",
    "--2",
    "\u00b2",
    "12.5",
    " 42 ",
    "80",
    "nan",
    "inf",
    "-inf",
    "1e3",
    "abc",
    "9" * 400,
]
COLORS = [(215, 40, 40), (46, 170, 70), (1, 2, 3), (49, 104, 142), (150, 110, 190), (253, 231, 37), (255, 120, 0)]
PALETTE_KEYS = ["fault", "running", "idle", "warm", "Running", "", "true", "false", "inf", "3.0", "-1.0", "-1", "3"]

values = st.one_of(
    st.sampled_from(NUMBERS),
    st.booleans(),
    st.sampled_from(TEXTS),
    st.floats(-100, 200, allow_nan=False),
)


@st.composite
def signals(draw: st.DrawFn) -> Signal:
    kind = draw(st.sampled_from([SignalKind.STATE, SignalKind.ANALOG, SignalKind.ANALOG, SignalKind.COUNTER]))
    name = draw(st.sampled_from(SIGNAL_NAMES))
    if kind is SignalKind.STATE:
        return Signal(name, kind=kind, states=draw(st.lists(st.sampled_from(STATE_NAMES), max_size=5)))
    limits = Limits(*(draw(st.sampled_from(LIMIT_VALUES)) for _ in range(4)))
    return Signal(name, kind=kind, limits=limits)


def plant(signal_lists: list[list[Signal]]) -> list[EquipmentPath]:
    equipment = [Equipment(f"E{i}", f"Machine {i}", "roll_press", signals=s) for i, s in enumerate(signal_lists)]
    cell = Cell("C", "Cell", equipment=equipment)
    line = Line("L", "Line", cells=[cell])
    area = Area("A", "Area", lines=[line])
    site = Site("S", "Site", areas=[area])
    PlantDocument(Enterprise("X", "X"), [site])
    return [EquipmentPath(site, area, line, cell, e) for e in equipment]


def fill(draw: st.DrawFn, store: SampleBuffer, tags: list[str], now: float) -> None:
    for tag in tags:
        if draw(st.integers(0, 5)) == 0:
            continue  # no data
        sample = Sample(
            tag,
            draw(st.sampled_from([now - 30.0, now - 1.0, now])),
            draw(values),
            draw(st.sampled_from([Quality.GOOD, Quality.GOOD, Quality.UNCERTAIN, Quality.BAD])),
        )
        received = draw(st.sampled_from([now, now, now - 20.0]))
        store.put([sample], source=draw(st.sampled_from(["a", "b"])), received_at=received)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_matches_the_per_equipment_rule(data: st.DataObject) -> None:
    draw = data.draw
    signal_lists = draw(st.lists(st.lists(signals(), max_size=5), max_size=6))
    paths = plant(signal_lists)
    overrides = {
        (p.equipment.id, s.name): "shared/tag"
        for p in paths
        for s in p.equipment.signals
        if draw(st.integers(0, 9)) == 0
    }
    bindings = Bindings.build(paths, overrides=overrides)
    now = 1000.0
    store = SampleBuffer(stale_after=10.0, clock=lambda: now)
    tags = bindings.tags()
    fill(draw, store, tags, now)
    if draw(st.booleans()):
        store.set_source_down("b")
    palette = draw(st.one_of(st.none(), st.dictionaries(st.sampled_from(PALETTE_KEYS), st.sampled_from(COLORS))))
    mapped = draw(st.sampled_from([None, None, "temp", "press", "state", "count", "temp2", "nope"]))
    at = draw(st.sampled_from([None, now, now + 15.0]))
    compare(bindings, store, now=at, signal=mapped, state_colors=palette)
    # The cached plan serves the same bindings with new values.
    fill(draw, store, tags, now + 1.0)
    compare(bindings, store, now=at, signal=mapped, state_colors=palette)


# ------------------------------------------------------------ cases by hand


def _one(signals_of_equipment: list[Signal]) -> tuple[Bindings, SampleBuffer]:
    bindings = Bindings.build(plant([signals_of_equipment]))
    return bindings, SampleBuffer(stale_after=10.0, clock=lambda: 100.0)


def test_alarm_boundaries_and_missing_limits():
    limits = Limits(lolo=10, lo=20, hi=80, hihi=90)
    bindings, store = _one([Signal("t", limits=limits), Signal("u", limits=Limits(hi=5))])
    for value in (9.0, 10.0, 15.0, 20.0, 50.0, 80.0, 85.0, 90.0, 95.0):
        store.put([Sample("S/L/C/E0/t", 100.0 + value, value), Sample("S/L/C/E0/u", 100.0 + value, 1.0)])
        got = compare(bindings, store)
        assert [a.level for a in got.alarms] == (
            [] if alarm_level(value, limits) is AlarmLevel.NORMAL else [alarm_level(value, limits)]
        )


def test_state_indices_names_and_palette():
    bindings, store = _one([Signal("state", kind=SignalKind.STATE, states=["running", "Warm"])])
    # Names are matched lower-cased and stripped; a list entry as written ("Warm" is not "warm"); anything
    # else by its text: "2.0" for 2.0, "true" for True beyond the list, the digits as sent.
    keys = ["warm", "Warm", "true", "2.0", "7.0", "-1.0", "inf", "2.5", "02", "x"]
    palette = {key: (i, 100 + i, 200 - i) for i, key in enumerate(keys)}
    cases = [
        ("running", STATE_COLORS["running"]),
        (" FAULT ", STATE_COLORS["fault"]),
        (0, STATE_COLORS["running"]),
        (1, palette["Warm"]),
        (True, palette["Warm"]),
        (False, STATE_COLORS["running"]),
        ("1", palette["Warm"]),
        (2.0, palette["2.0"]),
        (7, palette["7.0"]),
        (-1.0, palette["-1.0"]),
        (math.inf, palette["inf"]),
        (2.5, palette["2.5"]),
        ("02", palette["02"]),
        ("X ", palette["x"]),
        ("-0", STATE_COLORS["running"]),
        ("Warm", palette["warm"]),
        ("hot", UNKNOWN_STATE_COLOR),
    ]
    for step, (value, color) in enumerate(cases):
        store.put([Sample("S/L/C/E0/state", 100.0 + step, value)])
        got = compare(bindings, store, state_colors=palette)
        assert tuple(got.rgb[0]) == color, value


def test_mapped_signal_the_last_of_a_name_decides():
    ranged, unranged = Signal("t", limits=Limits(lo=0, hi=10)), Signal("t", limits=Limits(hi=5))
    for pair, coloured in (([ranged, unranged], False), ([unranged, ranged], True)):
        bindings, store = _one(pair)
        store.put([Sample("S/L/C/E0/t", 100.0, 3.0)])
        got = compare(bindings, store, signal="t")
        assert len(got.indices) == coloured


def test_mapped_signal_and_fault_keeps_its_colour():
    bindings, store = _one(
        [
            Signal("state", kind=SignalKind.STATE, states=["running", "fault"]),
            Signal("t", limits=Limits(lo=20, hi=80)),
            Signal("n", kind=SignalKind.COUNTER, limits=Limits(hi=0)),
        ]
    )
    store.put(
        [Sample("S/L/C/E0/state", 100.0, "fault"), Sample("S/L/C/E0/t", 100.0, "85"), Sample("S/L/C/E0/n", 100.0, 9)]
    )
    got = compare(bindings, store)
    assert tuple(got.rgb[0]) == STATE_COLORS["fault"] and [a.signal for a in got.alarms] == ["t"]
    mapped = compare(bindings, store, signal="t")
    assert tuple(mapped.rgb[0]) == WARNING_COLOR
    assert len(compare(bindings, store, signal="n").indices) == 0


def test_mapped_text_nan_is_left_uncoloured():
    bindings, store = _one([Signal("t", limits=Limits(lo=20, hi=80))])
    store.put([Sample("S/L/C/E0/t", 100.0, "nan")])
    assert len(equipment_colors(bindings, store, signal="t").indices) == 0
    assert list(equipment_colors(bindings, store).indices) == [0]  # a number, within limits: running


def test_plan_follows_bindings_grown_in_place():
    bindings, store = _one([Signal("t", limits=Limits(hi=5))])
    store.put([Sample("S/L/C/E0/t", 100.0, 9.0), Sample("extra", 100.0, "fault")])
    compare(bindings, store)
    state = Signal("state", kind=SignalKind.STATE, states=[])
    bindings.by_equipment[0].append(SignalBinding("extra", 0, "E0", state))
    got = compare(bindings, store)
    assert tuple(got.rgb[0]) == STATE_COLORS["fault"]


def test_plan_goes_with_its_bindings():
    bindings, store = _one([Signal("t")])
    equipment_colors(bindings, store)
    key = id(bindings)
    assert key in rules._plans
    del bindings
    gc.collect()
    assert key not in rules._plans


def test_empty_bindings():
    got = compare(Bindings.build([]), SampleBuffer())
    assert got.rgb.shape == (0, 3)


@pytest.mark.parametrize("signal", [None, "battery", "cabinet_temperature"])
def test_synthetic_plant_with_the_simulator(library, signal):
    document = generate_plant(library, 300, seed=3)
    bindings = Bindings.build(list(document.iter_equipment()))
    simulator = Simulator(bindings, seed=2)
    store = SampleBuffer(stale_after=5.0, clock=lambda: simulator.time)
    for step in range(40):
        now, tags, step_values = simulator.step_values(1.0)
        keep = slice(step % 3, None, 1 if step > 30 else 3)  # some tags go quiet: stale ones
        store.put_columns(tags[keep], np.full(len(tags[keep]), now), step_values[keep], received_at=now)
    got = compare(bindings, store, now=simulator.time, signal=signal, state_colors={"idle": (9, 9, 9)})
    assert len(got.indices)


def test_legend_names_every_colour_the_rules_give_states_or_a_signal_map():
    from viewer.sensors.rules import (
        ALARM_COLOR,
        STALE_PALE,
        WARNING_COLOR,
        WITHOUT_SIGNAL_COLOR,
        colormap,
        desaturate,
        legend_entries,
    )

    states = legend_entries({"idle": (1, 2, 3)}, flashing=True)
    assert [entry[0] for entry in states[:5]] == ["running", "idle", "fault", "offline", "measured, no state signal"]
    assert states[1] == ("idle", (1, 2, 3))  # the user's palette
    assert states[4] == ("measured, no state signal", NO_STATE_COLOR)
    assert states[5] == ("beyond LO / HI: warning, flashes", WARNING_COLOR)
    assert states[6] == ("beyond LOLO / HIHI: alarm, flashes", ALARM_COLOR)
    stale_running = tuple(int(c) for c in desaturate(np.array(STATE_COLORS["running"])))
    assert states[7] == ("stale: no recent data (pale, two-tone)", stale_running, STALE_PALE)  # two tones
    mapped = legend_entries(signal="t")
    assert mapped[0] == ("t at LO", tuple(int(c) for c in colormap(np.array([0.0]), 0.0, 1.0)[0]))
    assert mapped[2] == ("at HI", tuple(int(c) for c in colormap(np.array([1.0]), 0.0, 1.0)[0]))
    assert mapped[3] == ("no t", WITHOUT_SIGNAL_COLOR)  # the equipment without it, greyed
    assert mapped[5][0] == "beyond LOLO / HIHI: alarm" and len(mapped) == 7  # a still picture: no flashing
    # The legend follows the palette: the colour-blind safe preset's warning and alarm colours.
    okabe = legend_entries(rules.PALETTE_PRESETS[rules.OKABE_ITO])
    assert okabe[0] == ("running", (0, 158, 115)) and okabe[6][1] == (204, 121, 167) and okabe[5][1] == (230, 159, 0)


def test_fault_alarm_warning_offline_stale_and_no_state_are_told_apart():
    """Every meaning gets its own colour, in both presets: no two closer than a clear step, the alarm
    neither the fault's red nor the selection's magenta, offline dark and stale pale."""
    from viewer.scene.plant_view import HIGHLIGHT_COLOR

    for preset in rules.PALETTE_PRESETS.values():
        palette = palette_of(preset)
        stale = [tuple(int(c) for c in desaturate(np.array(palette[name]))) for name in ("running", "fault")]
        colours = {
            **{name: palette[name] for name in ("running", "idle", "fault", "offline", "warning", "alarm")},
            "no state": NO_STATE_COLOR,
            "stale running": stale[0],
            "stale fault": stale[1],
            "selection": HIGHLIGHT_COLOR,
        }
        names = list(colours)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                distance = np.abs(np.subtract(colours[a], colours[b])).sum()
                assert distance >= 80, (a, b, colours[a], colours[b])
        assert sum(palette["offline"]) < 300 < sum(stale[0])  # offline dark, stale pale


def test_the_rest_greyed_around_the_equipment_a_signal_colours():
    from viewer.sensors.rules import WITHOUT_SIGNAL_COLOR, with_the_rest_grey

    colors = EquipmentColors(np.array([3, 1]), np.array([[1, 2, 3], [4, 5, 6]], np.uint8), np.array([True, False]), [])
    shown = with_the_rest_grey(colors, 5)
    assert shown.indices.tolist() == [0, 1, 2, 3, 4]
    assert [tuple(c) for c in shown.rgb] == [
        WITHOUT_SIGNAL_COLOR,
        (4, 5, 6),
        WITHOUT_SIGNAL_COLOR,
        (1, 2, 3),
        WITHOUT_SIGNAL_COLOR,
    ]
    assert shown.stale.tolist() == [False, False, False, True, False] and shown.alarms is colors.alarms
