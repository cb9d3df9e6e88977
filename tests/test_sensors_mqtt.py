"""MQTT source against a real Mosquitto broker: JSON batches, broker loss and return, Sparkplug B."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import paho.mqtt.client as mqtt
import pytest
import sensor_fixtures
from mothertwin_builtin_sources import sparkplug
from mothertwin_builtin_sources.mqtt import MqttSource
from sensor_fixtures import free_port, simulate_command, wait_until

from viewer.sensors import Quality, Sample, SampleBuffer, SourceStatus, encode_json_batches

mosquitto_broker = sensor_fixtures.mosquitto_broker  # the real broker fixture, by name


def publisher(url_port: int) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect("127.0.0.1", url_port)
    client.loop_start()
    wait_until(client.is_connected, 5, "publisher connection")
    return client


def send(client: mqtt.Client, topic: str, payload: bytes) -> None:
    client.publish(topic, payload, qos=1).wait_for_publish(timeout=5)


@pytest.fixture
def store() -> SampleBuffer:
    return SampleBuffer(stale_after=30.0)


def connected_source(store, broker, **kwargs) -> MqttSource:
    source = MqttSource(store, broker.url, reconnect_delay=(0.1, 0.5), **kwargs)
    source.start()
    wait_until(lambda: source.status is SourceStatus.CONNECTED, 5, "source connected")
    return source


def test_json_batches_arrive_and_malformed_payloads_are_counted(mosquitto_broker, store):
    source = connected_source(store, mosquitto_broker, topics=["plant/#"])
    client = publisher(mosquitto_broker.port)
    try:
        now = time.time()
        samples = [Sample(f"OC/L1/C1/E{i}/temperature", now, 20.0 + i) for i in range(250)]
        for payload in encode_json_batches(samples, batch=100):
            send(client, "plant/values", payload)
        send(client, "plant/values", b"\x00\xff not json")
        send(client, "plant/values", b'{"t": 1, "values": {"a": {"nested": 1}}}')
        send(client, "plant/values", b'{"t": "yesterday", "values": {}}')
        wait_until(lambda: source.counters.messages == 6, 5, "all six messages")
        assert source.counters.malformed == 3
        assert "plant/values" in source.last_error
        assert source.counters.values == 250
        assert store.latest("OC/L1/C1/E249/temperature").value == 269.0
        assert store.stale_tags() == set()
        assert source.status is SourceStatus.CONNECTED  # bad payloads are not fatal
    finally:
        client.loop_stop()
        source.stop()
    assert source.status is SourceStatus.STOPPED


def test_broker_loss_makes_values_stale_then_they_flow_again(mosquitto_broker, store):
    source = connected_source(store, mosquitto_broker, topics=["plant/#"])
    statuses: list[str] = []
    source.status_changed.connect(statuses.append)
    try:
        client = publisher(mosquitto_broker.port)
        send(client, "plant/values", b'{"t": %f, "values": {"press/temperature": 81.5}}' % time.time())
        wait_until(lambda: store.latest("press/temperature") is not None, 5, "first value")
        assert not store.is_stale("press/temperature")
        client.loop_stop()

        mosquitto_broker.kill()
        wait_until(lambda: source.status is SourceStatus.RECONNECTING, 5, "loss noticed")
        assert store.is_stale("press/temperature")
        assert store.latest("press/temperature").value == 81.5  # last value kept, shown as stale
        assert "connection to 127.0.0.1" in source.last_error

        mosquitto_broker.start()  # same port
        wait_until(lambda: source.status is SourceStatus.CONNECTED, 8, "reconnected")
        client = publisher(mosquitto_broker.port)
        send(client, "plant/values", b'{"t": %f, "values": {"press/temperature": 82.0}}' % time.time())
        wait_until(lambda: store.latest("press/temperature").value == 82.0, 5, "values again")
        assert not store.is_stale("press/temperature")
        client.loop_stop()
    finally:
        source.stop()
    assert statuses[:2] == ["reconnecting", "connected"]
    assert source.counters.reconnects >= 1


def test_sparkplug_birth_data_death_with_aliases(mosquitto_broker, store):
    source = connected_source(store, mosquitto_broker, topics=["spBv1.0/#"])
    client = publisher(mosquitto_broker.port)
    ncmd: list[str] = []
    client.on_message = lambda c, u, m: ncmd.append(m.topic)
    client.subscribe("spBv1.0/+/NCMD/#")
    base = "spBv1.0/Ochang"
    try:
        ms = int(time.time() * 1000)
        send(
            client,
            f"{base}/NBIRTH/edge1",
            sparkplug.encode(
                [{"name": "bdSeq", "alias": 0, "value": 0}, {"name": "Node/uptime", "alias": 1, "value": 5}], ms, seq=0
            ),
        )
        send(
            client,
            f"{base}/DBIRTH/edge1/press1",
            sparkplug.encode(
                [
                    {"name": "state", "alias": 10, "value": "running"},
                    {"name": "roll_temperature", "alias": 11, "value": 80.0, "datatype": sparkplug.DOUBLE},
                    {"name": "gap", "alias": 12, "value": 0.25, "datatype": sparkplug.FLOAT},
                    {"name": "count", "alias": 13, "value": -3, "datatype": 3},  # Int32, negative
                    {"name": "door_open", "alias": 14, "value": False},
                ],
                ms,
                seq=1,
            ),
        )
        wait_until(lambda: store.latest("Ochang/edge1/press1/door_open") is not None, 5, "device birth")
        assert store.latest("Ochang/edge1/press1/state").value == "running"
        assert store.latest("Ochang/edge1/press1/gap").value == pytest.approx(0.25)
        assert store.latest("Ochang/edge1/press1/count").value == -3.0
        assert store.latest("Ochang/edge1/Node/uptime").value == 5.0
        # DATA carries aliases only.
        send(
            client,
            f"{base}/DDATA/edge1/press1",
            sparkplug.encode(
                [{"alias": 11, "value": 92.5, "datatype": sparkplug.DOUBLE}, {"alias": 10, "value": "fault"}],
                ms + 1000,
                seq=2,
            ),
        )
        wait_until(lambda: store.latest("Ochang/edge1/press1/roll_temperature").value == 92.5, 5, "DDATA")
        assert store.latest("Ochang/edge1/press1/state").value == "fault"
        assert store.latest("Ochang/edge1/press1/state").time == pytest.approx((ms + 1000) / 1000)
        # An alias never born: counted, and a rebirth is requested from the node.
        send(client, f"{base}/DDATA/edge1/press1", sparkplug.encode([{"alias": 99, "value": 1.0}], ms + 2000, seq=3))
        wait_until(lambda: source.counters.malformed == 1, 5, "unknown alias counted")
        wait_until(lambda: ncmd == [f"{base}/NCMD/edge1"], 5, "rebirth request")
        # Garbage on a Sparkplug topic: counted.
        send(client, f"{base}/DDATA/edge1/press1", b"\xff\xff\xff\xff")
        wait_until(lambda: source.counters.malformed == 2, 5, "garbage counted")
        assert store.stale_tags() == set()
        # Device death: its tags go stale, the node's own tags stay fresh.
        send(client, f"{base}/DDEATH/edge1/press1", sparkplug.encode([], ms + 3000, seq=4))
        wait_until(lambda: store.is_stale("Ochang/edge1/press1/state"), 5, "device death")
        assert store.latest("Ochang/edge1/press1/state").quality is Quality.BAD
        assert store.latest("Ochang/edge1/press1/state").value == "fault"
        assert not store.is_stale("Ochang/edge1/Node/uptime")
        send(client, f"{base}/NDEATH/edge1", sparkplug.encode([{"name": "bdSeq", "value": 0}], ms + 4000))
        wait_until(lambda: store.is_stale("Ochang/edge1/Node/uptime"), 5, "node death")
        # Data before any birth: refused and counted.
        send(client, "spBv1.0/Ochang/NDATA/edge9", sparkplug.encode([{"alias": 1, "value": 1.0}], ms))
        wait_until(lambda: source.counters.malformed == 3, 5, "data before birth")
    finally:
        client.loop_stop()
        source.stop()


def _official_sparkplug(shared_data, tmp_path):
    """Python classes generated from the real Eclipse Tahu .proto (in tmp_path, never committed)."""
    protoc = pytest.importorskip("grpc_tools.protoc")
    proto = shared_data / "sparkplug" / "sparkplug_b_sparkplug_b.proto"
    work = tmp_path / "proto"
    work.mkdir()
    shutil.copy(proto, work / "sparkplug_b.proto")
    assert protoc.main(["protoc", f"-I{work}", f"--python_out={work}", str(work / "sparkplug_b.proto")]) == 0
    sys.path.insert(0, str(work))
    try:
        import sparkplug_b_pb2

        return sparkplug_b_pb2
    finally:
        sys.path.remove(str(work))
        sys.modules.pop("sparkplug_b_pb2", None)


def test_our_sparkplug_codec_matches_the_official_definition(shared_data, tmp_path):
    official = _official_sparkplug(shared_data, tmp_path)
    payload = official.Payload(timestamp=1_735_689_600_000, seq=7)
    metric = payload.metrics.add(name="roll_temperature", alias=11, datatype=10, double_value=81.25)
    metric.properties.keys.append("engUnit")  # a field we do not declare: skipped, not an error
    metric.properties.values.add(type=12, string_value="degC")
    payload.metrics.add(name="state", alias=10, datatype=12, string_value="idle")
    payload.metrics.add(alias=12, datatype=2, int_value=(2**32 - 5))  # Int16 -5, two's complement
    payload.metrics.add(name="missing", datatype=10, is_null=True)
    ours = sparkplug.decode(payload.SerializeToString())
    assert ours.timestamp == 1_735_689_600_000 and ours.seq == 7
    assert [sparkplug.metric_value(m) for m in ours.metrics] == [81.25, "idle", -5.0, None]
    assert [m.alias for m in ours.metrics[:3]] == [11, 10, 12]
    # And the other way: what we encode, the official classes read.
    back = official.Payload()
    back.ParseFromString(sparkplug.encode([{"name": "count", "alias": 3, "value": 42, "datatype": 4}], 5))
    assert (back.metrics[0].name, back.metrics[0].alias, back.metrics[0].long_value) == ("count", 3, 42)


def test_simulate_command_publishes_batched_values(mosquitto_broker, store, demo_path):
    source = connected_source(store, mosquitto_broker, topics=["mothertwin/#"])
    try:
        result = subprocess.run(
            simulate_command(mosquitto_broker.url, demo_path, "--rate", "10", "--duration", "0.5", "--seed", "3"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "simulating" in result.stdout and "sent" in result.stdout
        sent = int(result.stdout.split("sent ")[1].split()[0])
        wait_until(lambda: source.counters.messages == sent, 5, "every message")
        tags = store.tags()
        assert any(t.endswith("/state") for t in tags)
        assert all(t.startswith("OC") for t in tags), tags[:3]
        assert source.counters.malformed == 0
        # Many values per message, as DESIGN.md asks.
        assert source.counters.values / source.counters.messages > 50
        assert store.stale_tags() == set()
    finally:
        source.stop()


def test_simulate_command_reports_an_unreachable_broker(demo_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "viewer.cli",
            "simulate",
            str(demo_path),
            "--mqtt",
            f"mqtt://127.0.0.1:{free_port()}",
            "--duration",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "mothertwin simulate:" in result.stderr
