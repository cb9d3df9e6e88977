"""MQTT source and `mothertwin simulate` against a real Mosquitto that only offers TLS and only lets one
user in with the right password.

The CA, the broker's certificate and key and the password file are made in the test's temporary folder at
test time (tests/sensor_fixtures.py); none is kept in the repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
import sensor_fixtures
from mothertwin_builtin_sources.mqtt import MqttSource
from sensor_fixtures import (
    MQTT_PASSWORD,
    MQTT_USER,
    SecureBroker,
    make_tls_files,
    saved_source_without_secret,
    simulate_command,
    wait_until,
)

from viewer.sensors import SampleBuffer, SensorSettings, SettingsError, SourceSettings, SourceStatus

secure_mosquitto_broker = sensor_fixtures.secure_mosquitto_broker  # the real broker fixture, by name

PASSWORD_ENV = "MT_TEST_MQTT_PASSWORD"
WRONG_PASSWORD = "not-the-password"
TIMEOUT = 15.0  # a fresh worker interpreter and a TLS handshake on a loaded machine
PROMPT_STOP = 3.0  # stop() must not wait for paho's back-off or the worker's STOP_TIMEOUT


def _settings(broker: SecureBroker, **options: object) -> SourceSettings:
    """What a user saves: the CA file and the name of the variable that holds the password."""
    defaults: dict[str, object] = {
        "topics": ["plant/#"],
        "tls_ca": str(broker.tls.ca),
        "reconnect_min": 0.1,
        "reconnect_max": 0.5,
    }
    options = {k: v for k, v in (defaults | options).items() if v is not None}
    return SourceSettings("mqtt", "secured", broker.url, MQTT_USER, password_env=PASSWORD_ENV, options=options)


def _wait_for(source: MqttSource, status: SourceStatus) -> None:
    try:
        wait_until(lambda: source.status is status, TIMEOUT, str(status))
    except AssertionError as exc:  # say where the source got to instead
        raise AssertionError(f"{exc}; source is {source.status}: {source.last_error or 'no error'}") from None


def _stop_promptly(source: MqttSource) -> subprocess.Popen:
    process = source._process
    assert process is not None
    started = time.monotonic()
    source.stop()
    assert time.monotonic() - started < PROMPT_STOP
    assert source.status is SourceStatus.STOPPED
    return process


def _publisher(broker: SecureBroker) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.username_pw_set(MQTT_USER, MQTT_PASSWORD)
    client.tls_set(ca_certs=str(broker.tls.ca))
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    wait_until(client.is_connected, TIMEOUT, "publisher connection")
    return client


def _send(client: mqtt.Client, payload: bytes, retain: bool = False) -> None:
    client.publish("plant/values", payload, qos=1, retain=retain).wait_for_publish(timeout=TIMEOUT)


def _command_line(pid: int) -> bytes:
    """The arguments anyone on the machine can list (ps); empty for a moment while the process execs."""
    path = Path(f"/proc/{pid}/cmdline")
    if not path.exists():
        pytest.skip("no /proc to read a process's arguments from")
    wait_until(path.read_bytes, TIMEOUT, f"the arguments of process {pid}")
    return path.read_bytes()


def test_tls_and_password_bring_values(secure_mosquitto_broker, tmp_path, monkeypatch):
    broker = secure_mosquitto_broker
    monkeypatch.setenv(PASSWORD_ENV, MQTT_PASSWORD)
    # Through a saved settings file, the way the app keeps a source.
    path = tmp_path / "plant.mtsensors.json"
    SensorSettings(sources=[_settings(broker)]).save(path)
    (settings,) = SensorSettings.load(path).sources
    source = MqttSource.from_settings(SampleBuffer(stale_after=30.0), settings)
    store = source.store
    source.start()
    client = None
    try:
        _wait_for(source, SourceStatus.CONNECTED)
        assert source.last_error == ""
        # The password reached the worker over its stdin, not as an argument anyone can list.
        assert MQTT_PASSWORD.encode() not in _command_line(source._process.pid)
        client = _publisher(broker)
        _send(client, b'{"t": %f, "values": {"press/temperature": 81.5, "press/state": "running"}}' % time.time())
        wait_until(lambda: store.latest("press/state") is not None, TIMEOUT, "values through TLS")
        assert store.latest("press/temperature").value == 81.5
        assert store.latest("press/state").value == "running"
        assert (source.counters.messages, source.counters.values, source.counters.malformed) == (1, 2, 0)
        assert store.stale_tags() == set()
        assert source.status is SourceStatus.CONNECTED
    finally:
        if client is not None:
            client.disconnect()
            client.loop_stop()
        process = _stop_promptly(source)
    assert process.returncode == 0


def test_wrong_password_is_reported_and_not_retried(secure_mosquitto_broker, monkeypatch):
    broker = secure_mosquitto_broker
    # A retained value: a source that got in would receive it at once.
    client = _publisher(broker)
    _send(client, b'{"t": %f, "values": {"press/temperature": 81.5}}' % time.time(), retain=True)
    client.disconnect()
    client.loop_stop()
    monkeypatch.setenv(PASSWORD_ENV, WRONG_PASSWORD)
    source = MqttSource.from_settings(SampleBuffer(stale_after=30.0), _settings(broker))
    source.start()
    try:
        _wait_for(source, SourceStatus.DOWN)
        assert "Not authorized" in source.last_error
        assert f"refused user {MQTT_USER!r}" in source.last_error and "password" in source.last_error
        assert WRONG_PASSWORD not in source.last_error
        # A refused password is not tried again: with a 0.1 s back-off several tries would fit in a second.
        time.sleep(1.0)
        assert broker.log.read_text().count("not authorised") == 1
        assert source.status is SourceStatus.DOWN and source.counters.reconnects == 0
        assert source._process.poll() is None  # the worker waits, alive, to be stopped
        assert source.store.latest("press/temperature") is None
        assert source.counters.messages == 0
    finally:
        process = _stop_promptly(source)
    assert process.returncode == 0


@pytest.mark.parametrize("trust", ["another CA", "the system's CAs"])
def test_untrusted_broker_certificate_says_why_and_keeps_trying(secure_mosquitto_broker, monkeypatch, trust):
    broker = secure_mosquitto_broker
    monkeypatch.setenv(PASSWORD_ENV, MQTT_PASSWORD)
    tls_ca = str(broker.tls.other_ca) if trust == "another CA" else None  # None: tls_ca left out
    settings = _settings(broker, tls_ca=tls_ca)
    assert ("tls_ca" in settings.options) == (tls_ca is not None)
    source = MqttSource.from_settings(SampleBuffer(stale_after=30.0), settings)
    source.start()
    try:
        _wait_for(source, SourceStatus.RECONNECTING)
        assert "certificate verify failed" in source.last_error
        assert f"connection to 127.0.0.1:{broker.port} failed" in source.last_error
        assert "set tls_ca to the CA that signed it" in source.last_error
        # The broker's certificate may be replaced by an administrator, so it keeps trying (paho's back-off).
        wait_until(lambda: broker.log.read_text().count("unknown ca") >= 2, TIMEOUT, "a second attempt")
        assert source.status is SourceStatus.RECONNECTING
        assert source._process.poll() is None  # no crash
        assert source.store.tags() == [] and source.counters.messages == 0
    finally:
        process = _stop_promptly(source)
    assert process.returncode == 0


def test_ca_settings_are_checked_before_connecting(tmp_path):
    store = SampleBuffer()
    with pytest.raises(SettingsError, match=r"missing\.pem \(tls_ca\): no such file"):
        MqttSource(store, "mqtts://127.0.0.1:8883", tls_ca=str(tmp_path / "missing.pem"))
    ca = make_tls_files(tmp_path).ca
    with pytest.raises(SettingsError, match="not TLS; use mqtts://"):
        MqttSource(store, "mqtt://127.0.0.1:1883", tls_ca=str(ca))
    assert MqttSource(store, "mqtts://127.0.0.1:8883", tls_ca=str(ca)).address.tls


def test_a_ca_file_that_is_not_a_certificate_is_reported(tmp_path):
    store = SampleBuffer()
    garbage = tmp_path / "ca.pem"
    garbage.write_text("this is not a certificate\n")
    source = MqttSource(store, "mqtts://127.0.0.1:8883", tls_ca=str(garbage), name="secure")
    source.start()
    try:
        wait_until(lambda: source.status is SourceStatus.DOWN, 10, "the worker reports the CA file")
        assert "ca.pem" in source.last_error and "TLS" in source.last_error
        assert "ended unexpectedly" not in source.last_error
    finally:
        source.stop()
    assert source.status is SourceStatus.STOPPED


SIM_PASSWORD_ENV = "MT_TEST_SIM_PASSWORD"


def _simulate(broker: SecureBroker, demo_path: Path, *options: str) -> list[str]:
    return simulate_command(
        broker.url, demo_path, "--username", MQTT_USER, "--password-env", SIM_PASSWORD_ENV, *options
    )


def test_simulate_command_publishes_to_the_secured_broker(secure_mosquitto_broker, demo_path, monkeypatch):
    broker = secure_mosquitto_broker
    monkeypatch.setenv(PASSWORD_ENV, MQTT_PASSWORD)
    source = MqttSource.from_settings(SampleBuffer(stale_after=30.0), _settings(broker, topics=["mothertwin/#"]))
    store = source.store
    source.start()
    try:
        _wait_for(source, SourceStatus.CONNECTED)
        command = _simulate(broker, demo_path, "--tls-ca", str(broker.tls.ca), "--rate", "10", "--duration", "0.5")
        environment = os.environ | {SIM_PASSWORD_ENV: MQTT_PASSWORD}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
        try:
            arguments = _command_line(process.pid)
        finally:
            stdout, stderr = process.communicate(timeout=60)
        assert b"--password-env" in arguments and MQTT_PASSWORD.encode() not in arguments
        assert process.returncode == 0, stderr
        sent = int(stdout.split("sent ")[1].split()[0])
        assert sent > 0
        wait_until(lambda: source.counters.messages == sent, TIMEOUT, "every message")
        tags = store.tags()
        assert any(t.endswith("/state") for t in tags)
        assert all(t.startswith("OC") for t in tags), tags[:3]
        assert source.counters.malformed == 0
        assert source.counters.values / source.counters.messages > 50
    finally:
        source.stop()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong password", "refused us: Not authorized"),
        ("no --tls-ca", "certificate verify failed"),
        ("password variable not set", f"environment variable {SIM_PASSWORD_ENV} (--password-env) is not set"),
    ],
    ids=["wrong-password", "no-tls-ca", "no-password-variable"],
)
def test_simulate_command_reports_refusals(secure_mosquitto_broker, demo_path, case, expected):
    broker = secure_mosquitto_broker
    password = WRONG_PASSWORD if case == "wrong password" else MQTT_PASSWORD
    environment = {k: v for k, v in os.environ.items() if k != SIM_PASSWORD_ENV}
    if case != "password variable not set":
        environment[SIM_PASSWORD_ENV] = password
    options = ["--duration", "0.5"] + ([] if case == "no --tls-ca" else ["--tls-ca", str(broker.tls.ca)])
    started = time.monotonic()
    result = subprocess.run(
        _simulate(broker, demo_path, *options), capture_output=True, text=True, env=environment, timeout=60
    )
    assert result.returncode == 2, result.stdout
    assert "mothertwin simulate:" in result.stderr and expected in result.stderr
    assert WRONG_PASSWORD not in result.stderr and MQTT_PASSWORD not in result.stderr
    # Said at once, not after the 10 s connect timeout (a fresh interpreter on a loaded machine takes some).
    assert time.monotonic() - started < 9.0


def test_password_never_reaches_saved_files(tmp_path, monkeypatch, demo_path, library):
    monkeypatch.setenv(PASSWORD_ENV, MQTT_PASSWORD)
    tls = make_tls_files(tmp_path)
    url = "mqtts://127.0.0.1:8883"
    settings = SourceSettings(
        "mqtt", "secured", url, MQTT_USER, password_env=PASSWORD_ENV, options={"tls_ca": str(tls.ca)}
    )
    assert settings.password() == MQTT_PASSWORD  # what the source gets, from the environment only
    source = MqttSource.from_settings(SampleBuffer(), settings)
    saved_source = saved_source_without_secret(settings, source, MQTT_PASSWORD, tmp_path, demo_path, library)
    path = tmp_path / "plant.mtsensors.json"
    assert saved_source["password_env"] == PASSWORD_ENV
    assert saved_source["options"]["tls_ca"] == str(tls.ca)  # a path, never the certificate
    # A password written into the file by hand, in the options or in the URL, is refused on load.
    data = json.loads(path.read_text())
    data["sources"][0]["options"]["password"] = MQTT_PASSWORD
    path.write_text(json.dumps(data))
    with pytest.raises(SettingsError, match=r"\.options\.password: secrets are not kept"):
        SensorSettings.load(path)
    del data["sources"][0]["options"]["password"]
    data["sources"][0]["url"] = f"mqtts://{MQTT_USER}:{MQTT_PASSWORD}@127.0.0.1:8883"
    path.write_text(json.dumps(data))
    with pytest.raises(SettingsError, match="contains a password") as refused:
        SensorSettings.load(path)
    assert MQTT_PASSWORD not in str(refused.value)
    with pytest.raises(SettingsError, match="contains a password") as refused:
        MqttSource(SampleBuffer(), data["sources"][0]["url"])
    assert MQTT_PASSWORD not in str(refused.value) and ":***@127.0.0.1" in str(refused.value)
