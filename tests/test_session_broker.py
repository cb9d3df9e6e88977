"""The shipped Mosquitto configuration for sessions between sites (packaging/mosquitto/), run for real.

Each broker is a real Mosquitto on loopback started from the shipped files themselves: session-site.conf
with only its paths, port and host names filled in, session.acl as it is, logins made by make-users.sh and,
on a child site, bridge-to-mother.conf in its include folder. The clients are plain paho MQTT v5 clients
speaking the session topic namespace (mothertwin/v1/sessions/<id>/from/<login>/<kind>).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from sensor_fixtures import MOSQUITTO, MOSQUITTO_PASSWD, Broker, make_tls_files, wait_for_port, wait_until

from viewer.model.review import ReviewViewpoint
from viewer.model.views import CameraState
from viewer.session import SessionClient, SessionCredentials
from viewer.session.broker_config import BrokerTls, bridge_config, site_config
from viewer.session.connection import ConnectionState
from viewer.session.view_message import ReplayCursor, SessionView

SHIPPED = Path(__file__).resolve().parents[1] / "packaging" / "mosquitto"
SITE_CONFIG = SHIPPED / "session-site.conf"
ACL = SHIPPED / "session.acl"
BRIDGE_CONFIG = SHIPPED / "bridge-to-mother.conf"
MAKE_USERS = SHIPPED / "make-users.sh"
MAKE_CERTS = SHIPPED / "make-certs.sh"

TIMEOUT = 20.0  # generous: two brokers, TLS and the tests share two loaded cores
RECONNECT_LIMIT = 30.0
# The example logins of session.acl.
LOGINS = ("mother-engineer", "child-engineer", "bridge-holland", "plant-gateway", "sensor-viewer", "outsider")
PASSWORDS = {login: secrets.token_urlsafe(12) for login in LOGINS}
NOT_AUTHORIZED = 135
SESSIONS = "mothertwin/v1/sessions"
LINK_STATE = "$SYS/broker/connection/bridge-holland/state"  # the bridge's notifications

pytestmark = pytest.mark.skipif(
    not Path(MOSQUITTO).exists() or not Path(MOSQUITTO_PASSWD).exists(),
    reason="mosquitto or mosquitto_passwd is not installed (Debian package `mosquitto`)",
)


def _filled(text: str, replacements: dict[str, str], name: str) -> str:
    """`text` with each shipped value replaced; a value no longer in the file fails the test (the shipped file
    changed: the test must follow it, never run a config of its own)."""
    for shipped, value in replacements.items():
        assert shipped in text, f"{name} no longer has {shipped!r}"
        text = text.replace(shipped, value)
    return text


def make_users(password_file: Path, lines: str, env: dict[str, str] | None = None, *args: str) -> str:
    """Run the shipped make-users.sh (checking its logins against the shipped ACL); returns what it said."""
    done = subprocess.run(
        ["bash", str(MAKE_USERS), str(password_file), *args],
        input=lines, text=True, check=True, capture_output=True, timeout=60,
        env={**os.environ, "MOSQUITTO_PASSWD": MOSQUITTO_PASSWD, "ACL_FILE": str(ACL), **(env or {})},
    )  # fmt: skip
    return done.stderr


class SiteBroker(Broker):
    """A site's broker from session-site.conf and session.acl, with the example logins; `bridge_to` makes it a
    child site whose bridge (bridge-to-mother.conf) goes to that broker."""

    def __init__(self, folder: Path, bridge_to: SiteBroker | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        super().__init__(folder)
        self.folder = folder
        self.tls = make_tls_files(folder)
        self.passwords = folder / "passwords"
        said = make_users(self.passwords, "".join(f"{login}:{PASSWORDS[login]}\n" for login in LOGINS))
        assert "warning" not in said  # the ACL has a block for each example login
        data = folder / "data"
        data.mkdir()
        included = folder / "conf.d"
        included.mkdir()
        # The shipped files with only their paths, port and host names filled in (viewer.session.broker_config).
        tls = BrokerTls(self.tls.ca, self.tls.cert, self.tls.key)
        self.config.write_text(site_config(self.port, self.passwords, tls, data, self.log, included))
        if bridge_to is not None:
            bridge = bridge_config(bridge_to.port, PASSWORDS["bridge-holland"], bridge_to.tls.ca)
            (included / BRIDGE_CONFIG.name).write_text(bridge)

    def stop(self) -> None:
        """A clean stop (SIGTERM, as `systemctl restart` does): Mosquitto writes its database first."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=TIMEOUT)
        self.process = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(self.port, timeout=TIMEOUT)
        except TimeoutError:
            raise AssertionError(f"Mosquitto did not start: {self.log.read_text()[-2000:]}") from None


class Peer:
    """A paho MQTT v5 client over TLS that records what it receives and what the broker answered."""

    def __init__(
        self,
        broker: SiteBroker,
        login: str | None,
        password: str | None = None,
        trust: Path | None = None,
        client_id: str | None = None,
    ) -> None:
        self.client_id = client_id or f"test-{login}-{secrets.token_hex(4)}"
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5)
        if login is not None:
            self.client.username_pw_set(login, PASSWORDS[login] if password is None else password)
        self.client.tls_set(ca_certs=str(trust or broker.tls.ca))
        self.broker = broker
        self.connack: ReasonCode | None = None
        self.messages: list[tuple[str, bytes, bool]] = []
        self.subacks: dict[int, list[int]] = {}
        self.pubacks: dict[int, int] = {}
        self.connections = 0
        self.disconnects: list[int] = []
        self.lock = threading.Lock()
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.client.on_publish = self._on_publish
        self.client.on_disconnect = self._on_disconnect

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connack = reason_code
        self.connections += 1

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.disconnects.append(int(reason_code.value))

    def _on_message(self, client, userdata, message) -> None:
        with self.lock:
            self.messages.append((message.topic, bytes(message.payload), bool(message.retain)))

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        self.subacks[mid] = [int(code.value) for code in reason_codes]

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        self.pubacks[mid] = int(reason_code.value)

    def connect(self, session_expiry: int = 0) -> Peer:
        """Connect; with `session_expiry` (s) as the session client does: clean_start False, the broker keeps the
        subscriptions and queues QoS 1 messages while it is away."""
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = session_expiry
        self.client.connect(
            "127.0.0.1", self.broker.port, keepalive=30, clean_start=session_expiry == 0, properties=properties
        )
        self.client.loop_start()
        wait_until(lambda: self.connack is not None, TIMEOUT, "the CONNACK")
        assert not self.connack.is_failure, f"connection refused: {self.connack}"
        return self

    def refusal(self) -> int:
        """Connect and return the broker's CONNACK reason code, expecting a refusal."""
        self.client.reconnect_delay_set(60, 60)  # no retry into the broker's log while the test looks
        self.client.connect("127.0.0.1", self.broker.port, keepalive=30)
        self.client.loop_start()
        wait_until(lambda: self.connack is not None, TIMEOUT, "the CONNACK")
        return int(self.connack.value)

    def subscribe(self, topic: str, qos: int = 1) -> list[int]:
        _, mid = self.client.subscribe(topic, qos)
        wait_until(lambda: mid in self.subacks, TIMEOUT, f"the SUBACK of {topic}")
        return self.subacks[mid]

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> int:
        """Publish and wait for the broker's PUBACK; returns its reason code, 0 for any success (the broker says
        16, "no matching subscribers", when nobody reads the topic)."""
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(timeout=TIMEOUT)
        if qos == 0:
            return 0
        wait_until(lambda: info.mid in self.pubacks, TIMEOUT, f"the PUBACK of {topic}")
        return 0 if self.pubacks[info.mid] < 128 else self.pubacks[info.mid]

    def received(self, topic: str) -> list[tuple[bytes, bool]]:
        with self.lock:
            return [(payload, retain) for got, payload, retain in self.messages if got == topic]

    def wait_for(self, topic: str, payload: bytes, timeout: float = TIMEOUT) -> None:
        what = f"{payload[:40]!r} on {topic}"
        wait_until(lambda: any(got == payload for got, _ in self.received(topic)), timeout, what)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def session_message(session: str, sender: str, kind: str, seq: int, body: object) -> bytes:
    """A message in the session format (the broker never reads it; the size is what matters to it)."""
    message = {"format": "mothertwin-session", "version": 1, "kind": kind, "session": session, "sender": sender,
               "seq": seq, "sent": "2026-12-07T02:00:00Z", "body": body}  # fmt: skip
    return json.dumps(message).encode()


def topic(session: str, login: str, kind: str) -> str:
    return f"{SESSIONS}/{session}/from/{login}/{kind}"


@pytest.fixture
def peers() -> Iterator[list[Peer]]:
    """Clients made by a test, all closed at teardown."""
    made: list[Peer] = []
    yield made
    for peer in made:
        peer.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SiteBroker]:
    broker = SiteBroker(tmp_path / "site")
    broker.start()
    try:
        yield broker
    finally:
        broker.kill()


@pytest.fixture
def bridged(tmp_path: Path) -> Iterator[tuple[SiteBroker, SiteBroker]]:
    """The mother's broker and a child site's broker bridged to it, the bridge up."""
    mother = SiteBroker(tmp_path / "mother")
    child = SiteBroker(tmp_path / "child", bridge_to=mother)
    mother.start()
    child.start()
    try:
        wait_until(lambda: "Connecting bridge" in child.log.read_text(), TIMEOUT, "the child's bridge to start")
        yield mother, child
    finally:
        child.kill()
        mother.kill()


def join(peers: list[Peer], broker: SiteBroker, login: str, *topics: str) -> Peer:
    peer = Peer(broker, login).connect()
    peers.append(peer)
    for subscription in topics:
        assert peer.subscribe(subscription) == [1], f"{login} may subscribe to {subscription}"
    return peer


# ---------------------------------------------------------------- one site's broker


def test_participant_publishes_under_own_login_and_everyone_reads_it(site, peers):
    session = secrets.token_urlsafe(16)
    mother = join(peers, site, "mother-engineer", f"{SESSIONS}/#")
    child = join(peers, site, "child-engineer", f"{SESSIONS}/{session}/#")
    presence = session_message(session, "mother-engineer", "presence", 1, {"name": "Kim", "site": "OC"})
    assert mother.publish(topic(session, "mother-engineer", "presence"), presence, retain=True) == 0
    for reader in (mother, child):
        reader.wait_for(topic(session, "mother-engineer", "presence"), presence)
    # A late joiner gets the retained presence at once.
    late = join(peers, site, "child-engineer", f"{SESSIONS}/{session}/#")
    late.wait_for(topic(session, "mother-engineer", "presence"), presence)
    assert late.received(topic(session, "mother-engineer", "presence")) == [(presence, True)]


def test_publishing_under_another_login_is_dropped_by_the_broker(site, peers):
    session = secrets.token_urlsafe(16)
    reader = join(peers, site, "child-engineer", f"{SESSIONS}/#")
    forger = join(peers, site, "mother-engineer")
    forged = topic(session, "child-engineer", "control")
    grant = session_message(session, "child-engineer", "control", 1, {"grant": "mother-engineer"})
    assert forger.publish(forged, grant) == NOT_AUTHORIZED
    assert forger.publish(f"{SESSIONS}/{session}/leader", grant) == NOT_AUTHORIZED  # outside any from/<login>/
    # Then a message it may send: once that has arrived, the forged ones (sent before, same client) never will.
    honest = topic(session, "mother-engineer", "control")
    request = session_message(session, "mother-engineer", "control", 1, {"request": True})
    assert forger.publish(honest, request) == 0
    reader.wait_for(honest, request)
    assert reader.received(forged) == []
    assert reader.received(f"{SESSIONS}/{session}/leader") == []


def test_an_outsider_can_neither_read_nor_publish_a_session(site, peers):
    session = secrets.token_urlsafe(16)
    participant = join(peers, site, "mother-engineer", f"{SESSIONS}/#")
    state = session_message(session, "mother-engineer", "state", 1, {"camera": [1, 2, 3]})
    assert participant.publish(topic(session, "mother-engineer", "state"), state, retain=True) == 0
    for login in ("outsider", "sensor-viewer", "plant-gateway"):
        outsider = Peer(site, login).connect()
        peers.append(outsider)
        # Mosquitto grants the subscription (SUBACK 1) but delivers nothing the ACL does not let it read,
        # neither the retained state (it would come at once) nor what follows; a refusal (135) is as good.
        for subscription in (f"{SESSIONS}/#", f"{SESSIONS}/{session}/#", f"{SESSIONS}/+/from/+/state"):
            assert outsider.subscribe(subscription)[0] in (1, NOT_AUTHORIZED), login
        # It may not publish into a session, not even under its own login.
        own = topic(session, login, "presence")
        assert outsider.publish(own, session_message(session, login, "presence", 1, {})) == NOT_AUTHORIZED, login
    marker = session_message(session, "mother-engineer", "state", 2, {"camera": [4, 5, 6]})
    assert participant.publish(topic(session, "mother-engineer", "state"), marker) == 0
    participant.wait_for(topic(session, "mother-engineer", "state"), marker)
    time.sleep(0.3)  # anything wrongly routed to them would have come with the marker
    for outsider in peers[1:]:
        assert outsider.messages == []
    # The participant got its own two states and nothing the others tried to publish.
    assert [got for got, _, _ in participant.messages if "/from/mother-engineer/" not in got] == []


def test_sensor_logins_keep_the_plant_topics(site, peers):
    viewer = join(peers, site, "sensor-viewer", "plant/#", "mothertwin/sim", "spBv1.0/#")
    gateway = join(peers, site, "plant-gateway")
    values = b'{"t": 1.0, "values": {"press/temperature": 81.5}}'
    assert gateway.publish("plant/values", values) == 0
    assert gateway.publish("mothertwin/sim", values) == 0
    viewer.wait_for("plant/values", values)
    viewer.wait_for("mothertwin/sim", values)
    # A sensor source's default subscription "#" gets the plant's data and nothing of a session.
    everything = join(peers, site, "sensor-viewer", "#")
    session = secrets.token_urlsafe(16)
    engineer = join(peers, site, "mother-engineer", "plant/#")
    state = session_message(session, "mother-engineer", "state", 1, {})
    assert engineer.publish(topic(session, "mother-engineer", "state"), state, retain=True) == 0
    assert gateway.publish("plant/values", b"{}") == 0
    everything.wait_for("plant/values", b"{}")
    viewer.wait_for("plant/values", b"{}")
    assert [got for got, _, _ in everything.messages] == ["plant/values"]
    # A participant may watch the plant's data too, but not write it.
    assert engineer.publish("plant/values", b"{}") == NOT_AUTHORIZED


def test_anonymous_and_wrong_passwords_are_refused(site, peers):
    anonymous = Peer(site, None)
    peers.append(anonymous)
    assert anonymous.refusal() == NOT_AUTHORIZED
    wrong = Peer(site, "mother-engineer", password="not-" + PASSWORDS["mother-engineer"])
    peers.append(wrong)
    assert wrong.refusal() in (134, NOT_AUTHORIZED)  # bad user name or password / not authorized
    right = Peer(site, "mother-engineer")
    peers.append(right)
    right.connect()  # the right password gets in (the refusals above were for the reasons said)


def test_tls_is_required(site, peers):
    # An MQTT CONNECT in plain TCP to the TLS port: the broker answers with no CONNACK and drops the connection.
    connect = bytes([0x10, 0x10, 0x00, 0x04]) + b"MQTT" + bytes([0x05, 0x02, 0x00, 0x1E, 0x00, 0x00, 0x03]) + b"abc"
    with socket.create_connection(("127.0.0.1", site.port), timeout=TIMEOUT) as plain:
        plain.sendall(connect)
        try:
            answer = plain.recv(16)
        except (ConnectionResetError, TimeoutError):
            answer = b""
    assert not answer.startswith(b"\x20"), f"a plain TCP client got a CONNACK: {answer!r}"
    # A client that does not trust the broker's CA refuses it.
    stranger = Peer(site, "mother-engineer", trust=site.tls.other_ca)
    with pytest.raises(OSError, match="certificate verify failed"):
        stranger.client.connect("127.0.0.1", site.port)


def test_retained_session_state_survives_a_broker_restart(site, peers):
    session = secrets.token_urlsafe(16)
    leader = join(peers, site, "mother-engineer")
    state = session_message(session, "mother-engineer", "state", 7, {"camera": [1.5, 2.5, 3.5], "live": True})
    presence = session_message(session, "mother-engineer", "presence", 1, {"name": "Kim"})
    assert leader.publish(topic(session, "mother-engineer", "state"), state, retain=True) == 0
    assert leader.publish(topic(session, "mother-engineer", "presence"), presence, retain=True) == 0
    assert leader.publish(topic(session, "mother-engineer", "presence"), b"", retain=True) == 0  # the Last Will's clear
    leader.close()
    peers.remove(leader)
    site.stop()
    site.start()
    late = join(peers, site, "child-engineer", f"{SESSIONS}/{session}/#")
    late.wait_for(topic(session, "mother-engineer", "state"), state)
    assert late.received(topic(session, "mother-engineer", "state")) == [(state, True)]
    assert late.received(topic(session, "mother-engineer", "presence")) == []  # cleared stays cleared


def test_message_size_limits(site, peers):
    session = secrets.token_urlsafe(16)
    reader = join(peers, site, "child-engineer", f"{SESSIONS}/#")
    sender = join(peers, site, "mother-engineer")
    chunk = topic(session, "mother-engineer", "document")
    biggest = b"x" * (256 * 1024)  # the session's limit: goes through
    assert sender.publish(chunk, biggest) == 0
    reader.wait_for(chunk, biggest)
    # A packet over max_packet_size: the broker drops it and the client with it (QoS 0: paho sends it once).
    connected_before = sender.connections
    sender.client.publish(chunk, b"y" * (336 * 1024), qos=0)
    wait_until(lambda: sender.disconnects, TIMEOUT, "the broker to disconnect the sender")
    wait_until(lambda: sender.connections > connected_before, TIMEOUT, "the sender to reconnect")
    after = session_message(session, "mother-engineer", "document", 2, {"data": ""})
    assert sender.publish(chunk, after) == 0
    reader.wait_for(chunk, after)
    assert [len(payload) for payload, _ in reader.received(chunk)] == [len(biggest), len(after)]
    # paho reads the broker's DISCONNECT (149, packet too large) or, when the broker has closed first, only the
    # closed connection (128); the broker's log says which it was.
    assert sender.disconnects[0] in (149, 128)
    assert f"Client {sender.client_id} disconnected due to oversize packet." in site.log.read_text()


# ---------------------------------------------------------------- two sites bridged: child -> mother


def test_the_bridge_carries_sessions_both_ways_and_nothing_else(bridged, peers):
    mother_broker, child_broker = bridged
    session = secrets.token_urlsafe(16)
    at_mother = join(peers, mother_broker, "mother-engineer", f"{SESSIONS}/#", "plant/#")
    at_child = join(peers, child_broker, "child-engineer", f"{SESSIONS}/#", "plant/#")
    gateways = [join(peers, broker, "plant-gateway") for broker in bridged]

    # The bridge comes up on its own; a child's message reaches the mother (retry: the link may still be connecting).
    camera = topic(session, "child-engineer", "camera")
    first = session_message(session, "child-engineer", "camera", 1, {"eye": [0, 0, 10]})
    deadline = time.monotonic() + TIMEOUT
    while not at_mother.received(camera):
        assert time.monotonic() < deadline, f"the bridge did not come up: {child_broker.log.read_text()[-2000:]}"
        at_child.publish(camera, first, qos=1)
        time.sleep(0.2)

    # Sensor data on either site stays there: published before a session message that does cross.
    for gateway in gateways:
        assert gateway.publish("plant/values", b'{"values": {"press/temperature": 81.5}}') == 0
    from_child = session_message(session, "child-engineer", "topics", 2, {"put": {"title": "Leak"}})
    from_mother = session_message(session, "mother-engineer", "control", 1, {"grant": "child-engineer"})
    document = session_message(session, "mother-engineer", "document", 2, {"data": "A" * (200 * 1024)})
    assert at_child.publish(topic(session, "child-engineer", "topics"), from_child) == 0
    assert at_mother.publish(topic(session, "mother-engineer", "control"), from_mother) == 0
    assert at_mother.publish(topic(session, "mother-engineer", "document"), document) == 0
    at_mother.wait_for(topic(session, "child-engineer", "topics"), from_child)
    at_child.wait_for(topic(session, "mother-engineer", "control"), from_mother)
    at_child.wait_for(topic(session, "mother-engineer", "document"), document)
    time.sleep(0.5)  # a message that wrongly crossed or looped back would be here by now
    for peer in (at_mother, at_child):
        assert len(peer.received("plant/values")) == 1  # its own site's only
    # The bridge itself carries the sessions only (the mother's ACL would stop the rest too).
    lines = [line.split() for line in BRIDGE_CONFIG.read_text().splitlines() if line.startswith("topic ")]
    assert lines == [["topic", f"{SESSIONS}/#", "both", "1"]]
    # Each message once on each side: nothing loops back over the bridge.
    assert at_mother.received(topic(session, "child-engineer", "topics")) == [(from_child, False)]
    assert at_child.received(topic(session, "child-engineer", "topics")) == [(from_child, False)]
    assert at_child.received(topic(session, "mother-engineer", "control")) == [(from_mother, False)]
    assert at_mother.received(topic(session, "mother-engineer", "control")) == [(from_mother, False)]


def test_retained_session_state_crosses_to_a_late_subscriber_and_its_clearing_too(bridged, peers):
    mother_broker, child_broker = bridged
    session = secrets.token_urlsafe(16)
    leader = join(peers, child_broker, "child-engineer")
    watcher = join(peers, mother_broker, "mother-engineer", f"{SESSIONS}/{session}/#")
    state = topic(session, "child-engineer", "state")
    view = session_message(session, "child-engineer", "state", 1, {"camera": [9.0, 8.0, 7.0]})
    deadline = time.monotonic() + TIMEOUT
    while not watcher.received(state):  # the bridge may still be connecting
        assert time.monotonic() < deadline, f"the bridge did not come up: {child_broker.log.read_text()[-2000:]}"
        leader.publish(state, view, retain=True)
        time.sleep(0.2)
    late = join(peers, mother_broker, "mother-engineer", f"{SESSIONS}/{session}/#")
    late.wait_for(state, view)
    assert late.received(state) == [(view, True)]
    # The leader ends the session: the cleared retained state is cleared on the mother's broker too.
    ended = session_message(session, "child-engineer", "end", 2, {})
    assert leader.publish(state, b"", retain=True) == 0
    assert leader.publish(topic(session, "child-engineer", "end"), ended) == 0
    watcher.wait_for(topic(session, "child-engineer", "end"), ended)
    later = join(peers, mother_broker, "mother-engineer", f"{SESSIONS}/{session}/#")
    marker = session_message(session, "mother-engineer", "presence", 1, {})
    assert later.publish(topic(session, "mother-engineer", "presence"), marker) == 0
    later.wait_for(topic(session, "mother-engineer", "presence"), marker)
    assert later.received(state) == []


def test_the_bridge_reconnects_by_itself_after_the_mother_broker_restarts(bridged, peers):
    mother_broker, child_broker = bridged
    session = secrets.token_urlsafe(16)
    at_child = join(peers, child_broker, "child-engineer", f"{SESSIONS}/#", LINK_STATE)
    probe_topic = topic(session, "child-engineer", "pointer")
    at_mother = join(peers, mother_broker, "mother-engineer", f"{SESSIONS}/#", LINK_STATE)
    deadline = time.monotonic() + TIMEOUT
    while not at_mother.received(probe_topic):
        assert time.monotonic() < deadline, f"the bridge did not come up: {child_broker.log.read_text()[-2000:]}"
        at_child.publish(probe_topic, b"before", qos=1)
        time.sleep(0.2)
    # Both sites can tell whether the link is up: the bridge's retained state, "1".
    at_child.wait_for(LINK_STATE, b"1")
    at_mother.wait_for(LINK_STATE, b"1")
    at_mother.close()
    peers.remove(at_mother)

    mother_broker.kill()  # a crash: no clean shutdown
    at_child.wait_for(LINK_STATE, b"0")  # the child's participants are told the mother is unreachable
    # While the mother is away the child's leader goes on; its retained state waits on the child's side.
    state = topic(session, "child-engineer", "state")
    view = session_message(session, "child-engineer", "state", 3, {"camera": [1.0, 2.0, 3.0]})
    assert at_child.publish(state, view, retain=True) == 0
    log_before = len(mother_broker.log.read_text())
    mother_broker.start()
    restarted = time.monotonic()

    at_mother = join(peers, mother_broker, "mother-engineer", f"{SESSIONS}/#")
    at_mother.wait_for(state, view, timeout=RECONNECT_LIMIT)  # caught up from the bridge's queue
    caught_up = time.monotonic() - restarted
    # Both directions flow again.
    back = topic(session, "mother-engineer", "pointer")
    deadline = restarted + RECONNECT_LIMIT
    while not at_child.received(back):
        assert time.monotonic() < deadline, "mother -> child did not flow again"
        at_mother.publish(back, b"after", qos=1)
        time.sleep(0.1)
    both_ways = time.monotonic() - restarted
    print(f"\nbridge after a mother broker restart: child's queued state at the mother after {caught_up:.2f} s,"
          f" both ways after {both_ways:.2f} s")  # fmt: skip
    assert caught_up <= RECONNECT_LIMIT
    assert "New bridge connected from 127.0.0.1" in mother_broker.log.read_text()[log_before:]
    assert at_child.received(LINK_STATE)[-1] == (b"1", False)
    # On the mother's broker the bridge's state is retained: a participant reads it when it subscribes.
    join(peers, mother_broker, "mother-engineer", LINK_STATE).wait_for(LINK_STATE, b"1")


def test_qos1_messages_wait_for_a_child_broker_that_restarts(bridged, peers):
    mother_broker, child_broker = bridged
    session = secrets.token_urlsafe(16)
    follower_id = f"follower-{secrets.token_hex(4)}"
    follower = Peer(child_broker, "child-engineer", client_id=follower_id).connect(session_expiry=600)
    peers.append(follower)
    assert follower.subscribe(f"{SESSIONS}/#") == [1]
    at_mother = join(peers, mother_broker, "mother-engineer")
    probe = topic(session, "mother-engineer", "pointer")
    deadline = time.monotonic() + TIMEOUT
    while not follower.received(probe):
        assert time.monotonic() < deadline, f"the bridge did not come up: {child_broker.log.read_text()[-2000:]}"
        at_mother.publish(probe, b"probe", qos=1)
        time.sleep(0.2)
    follower.close()
    peers.remove(follower)

    child_broker.stop()  # systemctl restart on the child site
    # The mother keeps the bridge's session (cleansession false) and queues this for it.
    grant = session_message(session, "mother-engineer", "control", 5, {"grant": "child-engineer"})
    assert at_mother.publish(topic(session, "mother-engineer", "control"), grant) == 0
    child_broker.start()
    # The follower comes back as the session client does (clean_start False): nothing to subscribe again.
    back = Peer(child_broker, "child-engineer", client_id=follower_id).connect(session_expiry=600)
    peers.append(back)
    back.wait_for(topic(session, "mother-engineer", "control"), grant, timeout=RECONNECT_LIMIT)


# ---------------------------------------------------------------- session clients across a mother broker crash


def session_client(broker: SiteBroker, login: str, monkeypatch, made: list, **options) -> SessionClient:
    """A SessionClient over TLS on `broker` as `login` (password from an environment variable), closed by the
    test's `made` list at teardown."""
    variable = f"MT_TEST_PASSWORD_{login.replace('-', '_').upper()}"
    monkeypatch.setenv(variable, PASSWORDS[login])
    credentials = SessionCredentials(login, password_env=variable, tls_ca=str(broker.tls.ca))
    client = SessionClient(f"mqtts://127.0.0.1:{broker.port}", credentials, name=login, **options)
    made.append(client)
    return client


@pytest.fixture
def clients() -> Iterator[list[SessionClient]]:
    made: list[SessionClient] = []
    yield made
    for client in made:
        client.close()


def session_view(x: float) -> SessionView:
    camera = CameraState((x, -7.5, 12.0), (0.1, 0.2, 0.3), (0.0, 0.0, 1.0), False, 1.0, 30.0)
    return SessionView(ReviewViewpoint("session-view", camera, "OC", (), (), None, True), ReplayCursor(True, "", 1.0))


def joined_at(broker: SiteBroker, login: str, session: str, monkeypatch, made: list) -> SessionClient:
    client = session_client(broker, login, monkeypatch, made, keep_fresh=0)
    client.join(f"mqtts://127.0.0.1:{broker.port}/{session}")
    return client


def sequence(payload: bytes) -> int:
    return int(json.loads(payload)["seq"])


def last_sequence(received: list[tuple[bytes, bool]]) -> int:
    return sequence(received[-1][0])


def test_after_a_mother_broker_crash_the_child_leader_republishes_when_the_bridge_is_back(
    bridged, peers, clients, monkeypatch
):
    """Mosquitto 2.0.11's bridge also queues the child's retained messages again when it reconnects; the leader
    republishes anyway (a bridge of another broker may not), and the restarted mother ends up with the leader's
    republished state, the higher sequence number."""
    mother_broker, child_broker = bridged
    # No quiet keep-fresh here: it is the bridge coming back that makes the leader republish.
    leader = session_client(child_broker, "child-engineer", monkeypatch, clients, keep_fresh=0)
    session = leader.start(document_hash="ab" * 32)
    wait_until(lambda: leader._link_states.get("bridge-holland") == b"1", TIMEOUT, "the leader to see the bridge up")
    leader.publish_view(session_view(4.0))
    watcher = joined_at(mother_broker, "mother-engineer", session, monkeypatch, clients)
    wait_until(lambda: watcher.leader_view == session_view(4.0), TIMEOUT, "the leader's view at the mother")
    watcher.close()
    state = topic(session, "child-engineer", "state")
    at_child = join(peers, child_broker, "child-engineer", state)  # what the child's broker holds, as it changes
    wait_until(lambda: at_child.received(state), TIMEOUT, "the retained state at the child")
    before_crash = list(at_child.received(state))

    mother_broker.kill()  # kill -9: its database was never saved (autosave_interval 60 s)
    wait_until(lambda: leader._link_states.get("bridge-holland") == b"0", TIMEOUT, "the leader to see the bridge down")
    republished = leader.republished
    mother_broker.start()
    restarted = time.monotonic()
    late = joined_at(mother_broker, "mother-engineer", session, monkeypatch, clients)
    wait_until(lambda: late.leader_view == session_view(4.0), RECONNECT_LIMIT, "the child leader's view at the mother")
    caught_up = time.monotonic() - restarted
    print(f"\nlate joiner at the restarted mother broker has the child leader's view after {caught_up:.2f} s")
    assert late.leader == "child-engineer" and late.epoch == 1
    assert late.session_document_hash == "ab" * 32
    assert [entry.username for entry in late.roster] == ["child-engineer", "mother-engineer"]
    assert leader.republished == republished + 1  # once, for the bridge back up (the leader never reconnected)
    assert leader.connection == ConnectionState.CONNECTED
    # The mother keeps the republished state (a newer sequence number), not only the one the bridge queued again.
    wait_until(lambda: last_sequence(at_child.received(state)) > last_sequence(before_crash), TIMEOUT,
               "the republished state at the child")  # fmt: skip
    republished_state = last_sequence(at_child.received(state))
    watching = join(peers, mother_broker, "mother-engineer", state)
    wait_until(lambda: watching.received(state) and last_sequence(watching.received(state)) == republished_state,
               TIMEOUT, "the republished state at the mother")  # fmt: skip
    retained = join(peers, mother_broker, "mother-engineer", state)
    wait_until(lambda: retained.received(state), TIMEOUT, "the retained state at the mother")
    assert [(sequence(payload), kept) for payload, kept in retained.received(state)] == [(republished_state, True)]


def test_a_client_the_acl_gives_no_part_says_refused_not_connected(site, clients, monkeypatch):
    leader = session_client(site, "mother-engineer", monkeypatch, clients)
    session = leader.start()
    wait_until(lambda: leader.connection == ConnectionState.CONNECTED, TIMEOUT, "the leader connected")
    outsider = session_client(site, "outsider", monkeypatch, clients)
    outsider.join(leader.join_url)
    wait_until(lambda: outsider.connection == ConnectionState.REFUSED, TIMEOUT, "the outsider refused")
    assert outsider.last_error == (f"broker 127.0.0.1:{site.port} does not let user 'outsider' take part in session "
                                   f"{session} (not authorized by its ACL)")  # fmt: skip
    time.sleep(1.5)  # not retried: it stays refused, the session goes on without it
    assert outsider.connection == ConnectionState.REFUSED and leader.connection == ConnectionState.CONNECTED
    assert [entry.username for entry in leader.roster] == ["mother-engineer"]


def test_a_participant_republishes_what_it_keeps_retained_every_keep_fresh_seconds(site, peers, clients, monkeypatch):
    leader = session_client(site, "mother-engineer", monkeypatch, clients, keep_fresh=0.3)
    session = leader.start()
    wait_until(lambda: leader.connection == ConnectionState.CONNECTED, TIMEOUT, "the leader connected")
    leader.publish_view(session_view(2.0))
    watcher = join(peers, site, "child-engineer", f"{SESSIONS}/{session}/#")
    state, presence = topic(session, "mother-engineer", "state"), topic(session, "mother-engineer", "presence")

    def live(name: str) -> int:  # the broker may hand over a retained copy after a republish crossed the subscription
        return sum(not kept for _, kept in watcher.received(name))

    wait_until(lambda: live(state) >= 3 and live(presence) >= 3, TIMEOUT, "three republished views and presences")
    states = watcher.received(state)
    bodies = [json.loads(payload)["body"] for payload, _ in states]
    assert all(body == bodies[0] for body in bodies)
    assert sum(kept for _, kept in states) <= 1  # one retained copy at most, from the subscription
    seqs = [json.loads(payload)["seq"] for payload, kept in states if not kept]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # new numbers: no follower drops them as repeats
    assert leader.republished >= 3
    leader.close()
    count = leader.republished
    time.sleep(1.0)
    assert leader.republished == count  # stops with the client


# ---------------------------------------------------------------- the shipped scripts


def test_make_users_hashes_passwords_from_stdin_or_the_environment(tmp_path):
    passwords = tmp_path / "passwords"
    make_users(passwords, "# the site's logins\nmother-engineer:first:with-colon\n\nchild-engineer:second\n")
    make_users(passwords, "", {"MQTT_PASSWORD": "third"}, "outsider")
    make_users(passwords, "fourth\n", {"MQTT_PASSWORD": ""}, "mother-engineer")  # changed, from stdin
    lines = passwords.read_text().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == ["child-engineer", "mother-engineer", "outsider"]
    text = passwords.read_text()
    for secret in ("first", "second", "third", "fourth"):
        assert secret not in text
    assert all(line.split(":", 1)[1].startswith("$7$") for line in lines)  # Mosquitto's PBKDF2-SHA512 hash
    assert passwords.stat().st_mode & 0o077 in (0, 0o040)
    assert [p.name for p in tmp_path.iterdir()] == ["passwords"]  # no plain-text file left behind
    for bad, reason in (("no colon here\n", "expected login:password"), ("a/b:secret\n", "must be letters"),
                        ("empty:\n", "empty password")):  # fmt: skip
        result = subprocess.run(["bash", str(MAKE_USERS), str(passwords)], input=bad, text=True,
                                capture_output=True, timeout=60)  # fmt: skip
        assert result.returncode == 1 and reason in result.stderr and "line 1" in result.stderr
    assert passwords.read_text() == text  # a refused run changes nothing
    # A login the ACL file has no block for is named: the pattern line would let it publish under its name.
    checked = subprocess.run(["bash", str(MAKE_USERS), str(passwords), "contractor"], input="fifth\n", text=True,
                             capture_output=True, timeout=60, env={**os.environ, "ACL_FILE": str(ACL)})  # fmt: skip
    assert checked.returncode == 0
    assert "warning: no 'user' block" in checked.stderr and "for: contractor;" in checked.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed (Debian package `openssl`)")
def test_make_certs_makes_a_certificate_the_broker_and_clients_accept(tmp_path, peers):
    broker = SiteBroker(tmp_path / "site")
    certs = tmp_path / "certs"
    subprocess.run(["bash", str(MAKE_CERTS), str(certs), "localhost", "127.0.0.1"], check=True,
                   capture_output=True, timeout=60)  # fmt: skip
    assert (certs / "ca.key").stat().st_mode & 0o077 == 0
    assert (certs / "broker.key").stat().st_mode & 0o077 == 0
    made = {
        str(broker.tls.ca): str(certs / "ca.crt"),
        str(broker.tls.cert): str(certs / "broker.crt"),
        str(broker.tls.key): str(certs / "broker.key"),
    }
    broker.config.write_text(_filled(broker.config.read_text(), made, "the filled site configuration"))
    broker.start()
    try:
        client = Peer(broker, "mother-engineer", trust=certs / "ca.crt").connect()  # checks the name 127.0.0.1
        peers.append(client)
        stranger = Peer(broker, "mother-engineer", trust=broker.tls.ca)  # the test CA signed nothing here now
        with pytest.raises(OSError, match="certificate verify failed"):
            stranger.client.connect("127.0.0.1", broker.port)
    finally:
        broker.kill()
