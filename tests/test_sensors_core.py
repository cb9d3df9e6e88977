"""Sensor core with no network: the state store, bindings, visual rules, payloads, settings, plugins."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from importlib.metadata import EntryPoint, entry_points

import numpy as np
import pytest
from sensor_fixtures import plugin_package

from viewer.io import load_document, save_document
from viewer.model import Limits, Signal, SignalKind
from viewer.sensors import (
    AlarmLevel,
    Backoff,
    Bindings,
    PayloadError,
    PluginRegistry,
    Quality,
    Sample,
    SampleBuffer,
    SensorSettings,
    SettingsError,
    SourceSettings,
    TemplateError,
    alarm_level,
    decode_json,
    encode_json_batches,
    equipment_colors,
    parse_mqtt_url,
)
from viewer.sensors.rules import STALE_GREY, STATE_COLORS, WARNING_COLOR, colormap
from viewer.sensors.simulator import Simulator


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# ------------------------------------------------------------ store


def test_store_keeps_latest_and_history_out_of_order_and_duplicates():
    store = SampleBuffer(clock=Clock())
    changed: list[list[str]] = []
    store.changed.connect(changed.append)
    assert store.put([Sample("a", 10.0, 1.0), Sample("b", 10.0, "running")]) == ["a", "b"]
    # Older sample: kept for history, state unchanged, no change event.
    assert store.put([Sample("a", 5.0, 0.5)]) == []
    assert store.latest("a") == Sample("a", 10.0, 1.0)
    assert [s.time for s in store.history("a")] == [5.0, 10.0]
    # Exact duplicate: dropped entirely.
    assert store.put([Sample("a", 10.0, 1.0)]) == []
    assert store.counters.duplicate == 1 and store.counters.late == 1
    # Same time, other value (a correction): a new state.
    assert store.put([Sample("a", 10.0, 2.0)]) == ["a"]
    assert store.latest("a").value == 2.0
    # NaN and non-finite times are refused and counted.
    store.put([Sample("a", float("nan"), 1.0), Sample("a", 11.0, float("nan"))])
    assert store.counters.invalid == 2
    assert changed == [["a", "b"], ["a"]]
    assert store.history("a", 6.0, 10.0) == [Sample("a", 10.0, 1.0), Sample("a", 10.0, 2.0)]


def test_store_history_is_bounded():
    store = SampleBuffer(history_length=10, clock=Clock())
    store.put([Sample("a", float(t), float(t)) for t in range(25)])
    assert [s.time for s in store.history("a")] == [float(t) for t in range(15, 25)]


def test_staleness_by_age_quality_and_source_down():
    clock = Clock(100.0)
    store = SampleBuffer(stale_after=5.0, clock=clock)
    store.put([Sample("a", 100.0, 1.0)], source="mqtt")
    store.put([Sample("b", 100.0, 1.0)], source="opc")
    assert store.stale_tags() == set()
    clock.now = 106.0
    assert store.stale_tags() == {"a", "b"}
    clock.now = 101.0
    store.set_source_down("mqtt")
    assert store.stale_tags() == {"a"}
    # Data from the source again: it is up.
    store.put([Sample("a", 101.0, 2.0)], source="mqtt")
    assert store.stale_tags() == set()
    store.put([Sample("b", 101.0, 1.0, Quality.BAD)], source="opc")
    assert store.stale_tags() == {"b"}
    assert store.is_stale("never-seen")


def test_store_is_thread_safe_under_concurrent_writers():
    store = SampleBuffer(history_length=100_000, clock=Clock())

    def writer(k: int) -> None:
        store.put([Sample(f"t{i % 10}", float(k * 1000 + i), float(i)) for i in range(1000)])

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert sum(len(store.history(f"t{i}")) for i in range(10)) == 8000
    assert store.latest("t9").time == 7999.0


def test_backoff_grows_to_its_ceiling_and_resets():
    backoff = Backoff(initial=0.5, maximum=4.0, seed=1)
    delays = [backoff.next_delay() for _ in range(8)]
    assert 0.25 <= delays[0] <= 0.5
    assert all(2.0 <= d <= 4.0 for d in delays[4:])
    backoff.reset()
    assert backoff.next_delay() <= 0.5


# ------------------------------------------------------------ bindings


def test_bindings_expand_templates_per_site_and_report(demo_path, library):
    document = load_document(demo_path, library)
    site = document.sites[0]
    paths = [p for p in document.iter_equipment() if p.site is site]
    bindings = Bindings.build(paths, templates={site.id: "{site}/{line}/{cell}/{equipment}/{signal}"})
    first = paths[0]
    tag = f"{site.id}/{first.line.id}/{first.cell.id}/{first.equipment.id}/state"
    assert bindings.by_tag[tag][0].equipment_id == first.equipment.id
    assert bindings.by_tag[tag][0].equipment_index == 0
    signal_count = sum(len(p.equipment.signals) for p in paths)
    assert len(bindings.tags()) == signal_count
    report = bindings.report([tag, "nowhere/else"])
    assert report.bound == [tag]
    assert report.unknown == ["nowhere/else"]
    assert len(report.unbound) == signal_count - 1
    assert "1 bound" in report.lines()[0]
    override = Bindings.build(paths, overrides={(first.equipment.id, "state"): "ns=2;s=Press.State"})
    assert override.by_tag["ns=2;s=Press.State"][0].signal.name == "state"


def test_bad_templates_are_refused_with_the_known_fields():
    with pytest.raises(TemplateError, match=r"unknown field.*machine.*known: area"):
        Bindings.build([], default_template="{site}/{machine}/{signal}")
    with pytest.raises(TemplateError, match="no \\{signal\\}"):
        Bindings.build([], default_template="{site}/{equipment}")


# ------------------------------------------------------------ visual rules


def test_alarm_levels():
    limits = Limits(lolo=10, lo=20, hi=80, hihi=90)
    assert [alarm_level(v, limits) for v in (5, 15, 50, 85, 95)] == [
        AlarmLevel.LOLO,
        AlarmLevel.LO,
        AlarmLevel.NORMAL,
        AlarmLevel.HI,
        AlarmLevel.HIHI,
    ]
    assert alarm_level(1e9, Limits()) is AlarmLevel.NORMAL


def test_colormap_spans_the_limits():
    rgb = colormap(np.array([0.0, 50.0, 100.0, 200.0]), 0.0, 100.0)
    assert rgb.dtype == np.uint8 and rgb.shape == (4, 3)
    assert tuple(rgb[0]) == (49, 104, 142) and tuple(rgb[2]) == (253, 231, 37)
    assert tuple(rgb[3]) == tuple(rgb[2])


def _two_machines(library, count: int = 4):
    from viewer.model import Cell, Enterprise, Equipment, EquipmentPath, Line, PlantDocument, Site
    from viewer.model.plant import Area

    signals = [
        Signal("state", kind=SignalKind.STATE, states=["running", "idle", "fault", "offline"]),
        Signal("temperature", "degC", limits=Limits(lolo=10, lo=20, hi=80, hihi=90)),
        Signal("count", kind=SignalKind.COUNTER),
    ]
    import copy

    equipment = [Equipment(f"E{i}", f"Machine {i}", "roll_press", signals=copy.deepcopy(signals)) for i in range(count)]
    cell = Cell("C", "Cell", equipment=equipment)
    line = Line("L", "Line", cells=[cell])
    area = Area("A", "Area", lines=[line])
    site = Site("S", "Site", areas=[area])
    document = PlantDocument(Enterprise("X", "X"), [site])
    return document, [EquipmentPath(site, area, line, cell, e) for e in equipment]


def test_equipment_colors_from_states_alarms_and_staleness(library):
    _, paths = _two_machines(library)
    bindings = Bindings.build(paths)
    clock = Clock(100.0)
    store = SampleBuffer(stale_after=10.0, clock=clock)
    tag = "S/L/C/{}/{}".format
    store.put(
        [
            Sample(tag("E0", "state"), 100.0, "running"),
            Sample(tag("E1", "state"), 100.0, 2.0),  # index into the state list: fault
            Sample(tag("E2", "state"), 100.0, "idle"),
            Sample(tag("E2", "temperature"), 100.0, 85.0),  # hi alarm
            Sample(tag("E0", "temperature"), 100.0, 50.0),
        ]
    )
    colors = equipment_colors(bindings, store)
    assert list(colors.indices) == [0, 1, 2]  # E3 has no data: keeps its own colour
    assert tuple(colors.rgb[0]) == STATE_COLORS["running"]
    assert tuple(colors.rgb[1]) == STATE_COLORS["fault"]
    assert tuple(colors.rgb[2]) == WARNING_COLOR
    assert [(a.equipment_id, a.signal, a.level) for a in colors.alarms] == [("E2", "temperature", AlarmLevel.HI)]
    assert not colors.stale.any()
    # Later, nothing new: all stale, drawn desaturated towards grey.
    clock.now = 200.0
    stale = equipment_colors(bindings, store)
    assert stale.stale.all()
    running = np.array(STATE_COLORS["running"], float)
    assert np.abs(stale.rgb[0].astype(float) - STALE_GREY).sum() < np.abs(running - STALE_GREY).sum()
    # Analog colour map mode: only equipment whose mapped signal has data.
    clock.now = 100.0
    mapped = equipment_colors(bindings, store, signal="temperature")
    assert list(mapped.indices) == [0, 2]
    assert tuple(mapped.rgb[0]) == tuple(colormap(np.array([50.0]), 20.0, 80.0)[0])


# ------------------------------------------------------------ payloads and settings


def test_json_payloads_round_trip_and_errors():
    samples = [Sample(f"a/{i}", 1_735_689_600.0, float(i)) for i in range(250)]
    messages = list(encode_json_batches(samples, batch=100))
    assert len(messages) == 3
    decoded = [s for m in messages for s in decode_json(m)]
    assert decoded == samples
    mixed = [Sample("x", 1.0, "fault", Quality.BAD), Sample("y", 2.0, True)]
    assert [s for m in encode_json_batches(mixed) for s in decode_json(m)] == mixed
    # Milliseconds on the wire.
    assert decode_json(b'{"t": 1735689600000, "values": {"a": 1}}')[0].time == 1_735_689_600.0
    for bad, message in [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"values": {"a": 1}}', "missing time"),
        (b'{"t": 1, "values": {"a": [1]}}', r"\$.values\['a'\]: expected a number"),
        (b'{"samples": [{"t": 1, "v": 1}]}', r"\$.samples\[0\]: expected an object with a string tag"),
        (b'{"other": 1}', "expected an object with 'values' or 'samples'"),
    ]:
        with pytest.raises(PayloadError, match=message):
            decode_json(bad)


def test_secrets_never_reach_saved_files(tmp_path, monkeypatch, demo_path, library):
    monkeypatch.setenv("MT_TEST_MQTT_PASSWORD", "s3cret-Pa55")
    source = SourceSettings("mqtt", "plant-broker", "mqtts://broker.example:8883", "viewer", "MT_TEST_MQTT_PASSWORD")
    assert source.password() == "s3cret-Pa55"
    settings = SensorSettings(sources=[source], templates={"OC": "{site}/{line}/{equipment}/{signal}"})
    path = tmp_path / "plant.mtsensors.json"
    settings.save(path)
    document = load_document(demo_path, library)
    document_path = tmp_path / "plant.mtplant.json"
    save_document(document, document_path)
    for saved in (path, document_path):
        assert "s3cret-Pa55" not in saved.read_text()
    loaded = SensorSettings.load(path)
    assert loaded.sources[0].password_env == "MT_TEST_MQTT_PASSWORD"
    assert loaded.sources[0].password() == "s3cret-Pa55"
    monkeypatch.delenv("MT_TEST_MQTT_PASSWORD")
    assert loaded.sources[0].password() is None
    # A password written into a file by hand is refused, naming the place.
    data = json.loads(path.read_text())
    data["sources"][0]["password"] = "oops"
    path.write_text(json.dumps(data))
    with pytest.raises(SettingsError, match=r"\$\.sources\[0\]\.password: secrets are not kept"):
        SensorSettings.load(path)
    with pytest.raises(SettingsError, match="contains a password"):
        parse_mqtt_url("mqtt://user:pw@host:1883")
    assert parse_mqtt_url("mqtts://h").port == 8883


# ------------------------------------------------------------ simulator


def test_simulator_is_deterministic_and_believable(library):
    _, paths = _two_machines(library, 100)
    bindings = Bindings.build(paths)
    first = [s for step in Simulator(bindings, seed=7).run(600) for s in step]
    again = [s for step in Simulator(bindings, seed=7).run(600) for s in step]
    other = [s for step in Simulator(bindings, seed=8).run(600) for s in step]
    assert first == again and first != other
    temperatures = np.array([s.value for s in first if s.tag.endswith("temperature")])
    assert 20.0 < np.median(temperatures) < 80.0  # around the middle of the limits
    assert (temperatures > 80.0).any()  # occasional excursions: alarms happen
    states = {s.value for s in first if s.tag.endswith("state")}
    assert {"running", "fault"} <= states
    counts = {}
    for s in first:
        if s.tag.endswith("count"):
            assert s.value >= counts.get(s.tag, 0.0)  # counters never go back
            counts[s.tag] = s.value


# ------------------------------------------------------------ plugins


def test_builtin_plugin_is_discovered_and_loaded_lazily():
    code = (
        "import sys\n"
        "from viewer.sensors import PluginRegistry\n"
        "r = PluginRegistry.discover()\n"
        "assert 'mothertwin-builtin-sources' in r.manifests, r.problems\n"
        "assert r.names('source') == ['mqtt', 'opcua', 'recording', 'simulator']\n"
        "assert 'paho' not in sys.modules and 'asyncua' not in sys.modules\n"
        "cls = r.load('source', 'mqtt')\n"
        "assert cls.__name__ == 'MqttSource' and 'mothertwin_builtin_sources.mqtt' in sys.modules\n"
        "assert 'paho' not in sys.modules  # the MQTT client lives in the source's worker process\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_broken_plugins_are_reported_and_disabled(tmp_path, monkeypatch):
    plugin_package(
        tmp_path,
        "broken_plugin_pkg",
        "manifest = PluginManifest('half-broken', '1.0',\n"
        "    (Contribution('source', 'ghost', 'broken_plugin_pkg.nothere:X'),))",
        monkeypatch,
        bad_manifest="raise RuntimeError('manifest exploded')\n",
    )
    points = [
        EntryPoint("half-broken", "broken_plugin_pkg:manifest", "mothertwin.plugins"),
        EntryPoint("exploding", "broken_plugin_pkg.bad_manifest:manifest", "mothertwin.plugins"),
        EntryPoint("not-a-manifest", "json:dumps", "mothertwin.plugins"),
    ]
    registry = PluginRegistry.discover(points)
    assert list(registry.manifests) == ["half-broken"]
    assert [p.plugin for p in registry.problems] == ["exploding", "not-a-manifest"]
    assert "manifest exploded" in registry.problems[0].message
    assert registry.names("source") == ["ghost"]
    from viewer.sensors import PluginError

    with pytest.raises(PluginError, match=r"'ghost'.*failed to load"):
        registry.load("source", "ghost")
    assert "half-broken" in registry.disabled
    assert registry.names("source") == []


def test_a_plugin_from_another_package_is_not_imported_until_enabled(tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    plugin_package(
        tmp_path,
        "third_party_plugin",
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
        "manifest = PluginManifest('third-party', '2.0', (Contribution('source', 'x', 'json:loads'),))",
        monkeypatch,
    )
    from viewer.sensors.plugins import is_shipped

    shipped = [p for p in entry_points(group="mothertwin.plugins") if is_shipped(p)]
    assert sorted(p.name for p in shipped) == ["builtin-formats", "builtin-sources"]
    point = EntryPoint("third", "third_party_plugin:manifest", "mothertwin.plugins")
    registry = PluginRegistry.discover([*shipped, point], allow=is_shipped)
    assert list(registry.pending) == ["third"] and "third-party" not in registry.manifests
    assert not marker.exists() and "third_party_plugin" not in sys.modules  # nothing of it ran
    assert registry.names("source") == ["mqtt", "opcua", "recording", "simulator"]
    assert registry.enable_pending("third") and marker.read_text() == "ran"
    assert registry.names("source") == ["mqtt", "opcua", "recording", "simulator", "x"]
    assert registry.entry_names["third-party"] == "third" and not registry.enable_pending("third")


def test_sensor_core_imports_no_qt_or_vtk():
    code = (
        "import sys, viewer.sensors, viewer.sensors.simulator\n"
        "bad = [m for m in ('PySide6', 'vtk', 'pyvista', 'vtkmodules') if m in sys.modules]\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
