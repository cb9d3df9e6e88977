"""Remote sessions through a real Mosquitto on loopback: SessionClients of several participants, no window.

Waits are on conditions (wait_until) with generous timeouts: the machine may be loaded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import keyring
import paho.mqtt.client as mqtt
import pytest
from keyring.backend import KeyringBackend
from sensor_fixtures import (  # noqa: F401 (fixtures)
    MQTT_PASSWORD,
    MQTT_USER,
    Broker,
    mosquitto_broker,
    secure_mosquitto_broker,
    wait_until,
)

from viewer.model.review import ReviewBook, ReviewViewpoint, new_topic
from viewer.model.views import CameraState
from viewer.session import (
    ConnectionState,
    DropReason,
    Kind,
    ReplayCursor,
    SessionClient,
    SessionCredentials,
    SessionError,
    SessionView,
    topic_for,
)
from viewer.session.document_transfer import chunk_bodies, offer_body
from viewer.session.messages import CHUNK_BYTES, Envelope, encode, session_filter, utc_now
from viewer.session.view_message import view_from_body

ROOT = Path(__file__).resolve().parents[1]
WAIT = 20.0


class Recorder:
    """Everything a client's signals said, in order (they come on paho's thread)."""

    def __init__(self, client: SessionClient) -> None:
        self.lock = threading.Lock()
        self.events: dict[str, list[Any]] = {}
        for name in SessionClient.signal_names():
            getattr(client, name).connect(self._recorder(name))

    def _recorder(self, name: str):
        def record(*args: Any) -> None:
            with self.lock:
                self.events.setdefault(name, []).append(args[0] if len(args) == 1 else args)

        return record

    def __getitem__(self, name: str) -> list[Any]:
        with self.lock:
            return list(self.events.get(name, []))


@pytest.fixture
def participants(mosquitto_broker: Broker) -> Iterator:  # noqa: F811
    made: list[SessionClient] = []

    def make(username: str, site: str = "", url: str | None = None) -> tuple[SessionClient, Recorder]:
        credentials = SessionCredentials(username)
        client = SessionClient(url or mosquitto_broker.url, credentials, name=username.title(), site=site)
        made.append(client)
        return client, Recorder(client)

    yield make
    for client in made:
        client.close()


def camera(x: float) -> CameraState:
    return CameraState((x, -7.123456789, 12.000000001), (0.1, 0.2, 0.3), (0.0, 0.0, 1.0), False, 1.0, 30.0)


def view(x: float = 1.0) -> SessionView:
    viewpoint = ReviewViewpoint("session-view", camera(x), "OC", ("OC-ELE1-PRS-01",), ("OC-ELE1-SLT-01",), None, True)
    return SessionView(viewpoint, ReplayCursor(False, "2026-12-07T10:00:00+09:00", 2.0))


def started(make, **options: Any) -> tuple[SessionClient, Recorder]:
    leader, events = make("alice", "Ochang mother plant")
    leader.start(**options)
    wait_until(lambda: leader.connection == ConnectionState.CONNECTED, WAIT, "the leader connected")
    return leader, events


def joined(make, leader: SessionClient, username: str = "bob", site: str = "Holland") -> tuple[SessionClient, Recorder]:
    follower, events = make(username, site)
    follower.join(leader.join_url)
    knows = f"{username} knows the leader"
    wait_until(lambda: (follower.leader, follower.epoch) == (leader.leader, leader.epoch), WAIT, knows)
    return follower, events


class RawClient:
    """A plain MQTT client (the broker here is anonymous): publishes anything, records what it receives."""

    def __init__(self, broker: Broker) -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self.lock = threading.Lock()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"raw-{uuid.uuid4().hex[:8]}",
                                  protocol=mqtt.MQTTv5)  # fmt: skip
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        with self.lock:
            self.messages.append((message.topic, bytes(message.payload), bool(message.retain)))

    def received(self) -> list[tuple[str, bytes, bool]]:
        with self.lock:
            return list(self.messages)

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(WAIT)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def raw(mosquitto_broker: Broker) -> Iterator:  # noqa: F811
    made: list[RawClient] = []

    def make() -> RawClient:
        made.append(RawClient(mosquitto_broker))
        return made[-1]

    yield make
    for client in made:
        client.close()


def forged(session: str, sender: str, kind: Kind, seq: int, body: dict) -> bytes:
    return encode(Envelope(kind, session, sender, seq, utc_now(), body))


# ---------------------------------------------------------------- following


def test_follower_mirrors_the_leaders_view_and_camera(participants):
    leader, _ = started(participants)
    follower, seen = joined(participants, leader)
    leader.publish_view(view())
    wait_until(lambda: seen["view_received"], WAIT, "the view at the follower")
    assert seen["view_received"][-1] == view()
    for i in range(40):  # a drag, faster than 30 Hz
        leader.publish_camera(camera(i / 7))
    wait_until(lambda: seen["camera_received"] and seen["camera_received"][-1] == camera(39 / 7), WAIT, "last camera")
    received = seen["camera_received"][-1]
    for a, b in zip(received.position + received.focal_point, camera(39 / 7).position + camera(39 / 7).focal_point,
                    strict=True):  # fmt: skip
        assert abs(a - b) <= 1e-9
    assert len(seen["camera_received"]) < 40  # coalesced
    # Not following: nothing moves; following again catches up with the newest at once.
    follower.follow(False)
    leader.publish_camera(camera(100.0))
    wait_until(lambda: follower.leader_view is not None and follower.leader_view.camera == camera(100.0), WAIT)
    assert seen["camera_received"][-1] == camera(39 / 7)
    follower.follow(True)
    assert seen["view_received"][-1].camera == camera(100.0)


def test_messages_leave_in_the_order_of_their_numbers_when_two_threads_send(mosquitto_broker, raw, monkeypatch):  # noqa: F811
    """The keep-fresh thread republishes while the GUI thread publishes views: a follower drops a number lower
    than one it has seen, so a newer view sent under a lower number would be lost."""
    import viewer.session.client as client_module

    def slow_encode(envelope: Envelope) -> bytes:  # widens the gap between numbering and sending
        time.sleep(0.002)
        return encode(envelope)

    monkeypatch.setattr(client_module, "encode", slow_encode)
    leader = SessionClient(mosquitto_broker.url, SessionCredentials("alice"), keep_fresh=0.005)
    try:
        session = leader.start()
        wait_until(lambda: leader.connection == ConnectionState.CONNECTED, WAIT, "the leader connected")
        watcher = raw()
        watcher.client.subscribe(session_filter(session), qos=1)
        wait_until(lambda: watcher.received(), WAIT, "the retained messages")
        for x in range(60):
            leader.publish_view(view(float(x)))
        wait_until(lambda: leader.republished >= 5, WAIT, "republishing meanwhile")
    finally:
        leader.close()
    live = [json.loads(payload) for got, payload, kept in watcher.received() if payload and not kept]
    numbers = [message["seq"] for message in live]
    assert len(numbers) > 60 and numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    states = [message["body"] for message in live if message["kind"] == "state"]
    assert view_from_body(states[-1]) == view(59.0)  # the newest view is the last one sent, under the highest number


def test_a_late_joiner_gets_the_current_view_at_once(participants):
    leader, _ = started(participants)
    leader.publish_view(view(3.0))
    leader.publish_camera(camera(4.0))  # the retained view takes the camera the move ended on
    late, seen = participants("carol", "Holland")
    late.join(leader.join_url)
    wait_until(lambda: seen["view_received"] and seen["view_received"][-1].camera == camera(4.0), WAIT, "view")
    assert seen["view_received"][-1] == view(3.0).with_camera(camera(4.0))
    assert late.leader == "alice" and late.epoch == 1 and late.owner == "alice"


def test_only_the_leaders_camera_moves_the_others(participants):
    leader, _ = started(participants)
    follower, _ = joined(participants, leader)
    other, seen = joined(participants, leader, "carol")
    follower.publish_camera(camera(66.0))
    wait_until(lambda: other.drops[DropReason.NOT_LEADER.value] >= 1, WAIT, "the follower's camera dropped")
    leader.publish_camera(camera(1.0))
    wait_until(lambda: seen["camera_received"], WAIT, "the leader's camera")
    assert seen["camera_received"] == [camera(1.0)]
    assert ("view from a participant who does not lead", "camera from bob; alice leads") in seen["message_dropped"]


def test_control_is_requested_granted_and_handed_back(participants):
    leader, lead_seen = started(participants)
    follower, _ = joined(participants, leader)
    other, seen = joined(participants, leader, "carol")
    follower.request_control()
    wait_until(lambda: lead_seen["control_requested"] == ["bob"], WAIT, "the request at the leader")
    with pytest.raises(ValueError, match="not in the session"):
        leader.grant("zoe")
    assert (leader.leader, leader.epoch) == ("alice", 1)
    leader.grant("bob")
    for client in (leader, follower, other):
        wait_until(lambda c=client: (c.leader, c.epoch) == ("bob", 2), WAIT, f"{client.username} sees bob lead")
    assert follower.is_leader and not leader.is_leader
    assert ("bob", 2) in seen["leadership_changed"]
    # The old leader's camera no longer moves anyone; the new leader's does.
    leader.publish_camera(camera(5.0))
    wait_until(lambda: other.drops[DropReason.NOT_LEADER.value] >= 1, WAIT, "the old leader's camera dropped")
    follower.publish_camera(camera(6.0))
    wait_until(lambda: seen["camera_received"] == [camera(6.0)], WAIT, "the new leader's camera")
    with pytest.raises(ValueError, match="only the leader"):
        leader.publish_view(view())
    # A late joiner takes the newest retained record.
    late, _ = joined(participants, follower, "dave")
    assert (late.leader, late.epoch) == ("bob", 2)
    follower.hand_back()
    for client in (leader, follower, other, late):
        wait_until(lambda c=client: (c.leader, c.epoch) == ("alice", 3), WAIT, f"{client.username}: alice leads")


def test_a_declined_request_is_told_to_who_asked_only(participants, raw):
    leader, _ = started(participants)
    follower, asked = joined(participants, leader)
    other, watching = joined(participants, leader, "carol")
    follower.request_control()
    with pytest.raises(SessionError, match="only the leader"):
        other.decline("bob")
    leader.decline("bob")
    wait_until(lambda: asked["control_declined"], WAIT, "the decline at bob")
    assert asked["control_declined"] == ["alice"] and watching["control_declined"] == []
    assert (follower.leader, follower.epoch) == ("alice", 1) and not follower.is_leader
    # A decline in someone else's name is dropped: only the leader says no.
    forged_decline = forged(leader.session, "mallory", Kind.CONTROL, 1, {"action": "decline", "to": "bob"})
    raw().publish(topic_for(leader.session, "mallory", Kind.CONTROL), forged_decline)
    wait_until(lambda: follower.drops[DropReason.NOT_LEADER.value] >= 1, WAIT, "the forged decline dropped")
    assert asked["control_declined"] == ["alice"]


def test_presence_roster_on_join_leave_and_a_killed_client(participants, mosquitto_broker):  # noqa: F811
    leader, _ = started(participants)
    follower, _ = joined(participants, leader)
    wait_until(lambda: {e.username for e in leader.roster} == {"alice", "bob"}, WAIT, "bob in the roster")
    bob = next(e for e in leader.roster if e.username == "bob")
    assert (bob.name, bob.site, bob.leader) == ("Bob", "Holland", False)
    assert next(e for e in follower.roster if e.username == "alice").leader
    follower.leave()
    wait_until(lambda: {e.username for e in leader.roster} == {"alice"}, WAIT, "bob gone after leaving")
    # Another app that dies (kill -9): the broker's Last Will clears its presence.
    script = (
        "import sys, time\n"
        "from viewer.session import SessionClient, SessionCredentials\n"
        "client = SessionClient(sys.argv[1], SessionCredentials('erin'), name='Erin', site='Holland')\n"
        "client.join(sys.argv[2])\n"
        "time.sleep(120)\n"
    )
    environment = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")])}
    process = subprocess.Popen([sys.executable, "-c", script, mosquitto_broker.url, leader.join_url], env=environment)
    try:
        wait_until(lambda: "erin" in {e.username for e in leader.roster}, 60.0, "erin in the roster")
        process.kill()
        process.wait(10)
        wait_until(lambda: "erin" not in {e.username for e in leader.roster}, WAIT, "erin gone by the Last Will")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_broker_restart_both_reconnect_and_the_follower_catches_up(participants, mosquitto_broker):  # noqa: F811
    leader, lead_seen = started(participants)
    _, seen = joined(participants, leader)
    leader.publish_view(view(1.0))
    wait_until(lambda: seen["view_received"], WAIT, "the first view")
    mosquitto_broker.kill()
    for events in (lead_seen, seen):
        wait_until(lambda e=events: "reconnecting" in e["connection_changed"], WAIT, "reconnecting")
    mosquitto_broker.start()  # without persistence: the broker comes back empty
    for events in (lead_seen, seen):
        wait_until(lambda e=events: e["connection_changed"][-1] == "connected", 30.0, "connected again")
    # The leader republished its retained view on connect: the follower has it again, a newcomer at once ...
    wait_until(lambda: len(seen["view_received"]) >= 2, WAIT, "the follower caught up")
    assert seen["view_received"][-1] == view(1.0)
    late, late_seen = participants("carol")
    late.join(leader.join_url)
    wait_until(lambda: late_seen["view_received"] == [view(1.0)], WAIT, "the view after the restart")
    # ... and the follower's subscription was made again: it follows the next move.
    leader.publish_camera(camera(9.0))
    wait_until(lambda: seen["camera_received"] and seen["camera_received"][-1] == camera(9.0), WAIT, "camera")
    assert seen["connection_changed"][-2:] == ["reconnecting", "connected"]


def test_end_clears_every_retained_message_of_the_session(participants, raw):
    leader, _ = started(participants, document_hash="ab" * 32)
    follower, seen = joined(participants, leader)
    leader.publish_view(view())
    leader.grant("bob")  # bob now holds a retained leader record too
    wait_until(lambda: follower.is_leader, WAIT)
    follower.hand_back()
    wait_until(lambda: leader.is_leader, WAIT)
    leader.end()
    wait_until(lambda: seen["session_ended"] == ["alice"], WAIT, "the end at the follower")
    wait_until(lambda: follower.connection == ConnectionState.DISCONNECTED, WAIT, "the follower has left")
    subscriber = raw()
    subscriber.client.subscribe(session_filter(leader.session), qos=1)
    marker = topic_for(leader.session, "zed", Kind.POINTER)
    wait_until(lambda: subscriber.publish(marker, b"marker") or any(t == marker for t, _, _ in subscriber.received()),
               WAIT, "the marker")  # fmt: skip
    # What a new subscriber got before its own marker: only the retained `end`.
    retained = [(t, p) for t, p, r in subscriber.received() if r]
    assert [t for t, _ in retained] == [topic_for(leader.session, "alice", Kind.END)]
    # Whoever joins the ended session is told at once.
    late, late_seen = participants("zoe")
    late.join(leader.join_url)
    wait_until(lambda: late_seen["session_ended"] == ["alice"], WAIT, "the end at a late joiner")


def test_garbage_oversize_and_old_messages_are_dropped_and_counted(participants, raw):
    leader, _ = started(participants)
    follower, seen = joined(participants, leader)
    leader.publish_pointer((1.0, 2.0, 3.0))
    wait_until(lambda: seen["pointer_moved"] == [("alice", (1.0, 2.0, 3.0))], WAIT, "the pointer")
    attacker = raw()
    session = leader.session
    attacker.publish(topic_for(session, "mallory", Kind.POINTER), b"{not json")
    attacker.publish(topic_for(session, "mallory", Kind.POINTER), b"x" * (300 * 1024))
    old = forged(session, "alice", Kind.POINTER, 5, {"point": [9.0, 9.0, 9.0]})
    attacker.publish(topic_for(session, "alice", Kind.POINTER), old)
    attacker.publish(topic_for(session, "mallory", Kind.POINTER), forged(session, "alice", Kind.POINTER, 10**18, {}))
    two_numbers = forged(session, "mallory", Kind.POINTER, 1, {"point": [1, 2]})
    attacker.publish(topic_for(session, "mallory", Kind.POINTER), two_numbers)
    ok = forged(session, "mallory", Kind.POINTER, 2, {"point": [4, 5, 6]})
    attacker.publish(topic_for(session, "mallory", Kind.POINTER), ok)
    attacker.publish(topic_for(session, "mallory", Kind.POINTER), ok)  # repeated
    wait_until(lambda: sum(follower.drops.values()) >= 6, WAIT, "six drops")
    assert dict(follower.drops) == {
        "not JSON": 1,
        "too big": 1,
        "late or repeated": 2,
        "sender does not match the topic": 1,
        "bad body": 1,
    }
    assert seen["pointer_moved"] == [("alice", (1.0, 2.0, 3.0)), ("mallory", (4.0, 5.0, 6.0))]


def test_document_offer_and_chunked_transfer_with_consent(participants):
    leader, _ = started(participants)
    follower, seen = joined(participants, leader)
    _, bystander_seen = joined(participants, leader, "carol")
    data = os.urandom(2 * CHUNK_BYTES + 1000)
    digest = leader.offer_document(data, "battery-plant.mtplant.json")
    wait_until(lambda: seen["document_offered"], WAIT, "the offer")
    offer = seen["document_offered"][0]
    assert (offer.sender, offer.hash, offer.size, offer.chunks) == ("alice", digest, len(data), 3)
    follower.accept_document(digest)
    wait_until(lambda: seen["document_received"], WAIT, "the document")
    received = seen["document_received"][0]
    assert received.data == data and received.hash == hashlib.sha256(data).hexdigest() == digest
    assert received.name == "battery-plant.mtplant.json" and received.sender == "alice"
    wait_until(lambda: bystander_seen["document_offered"], WAIT)
    assert bystander_seen["document_received"] == []  # nobody gets a document it did not accept


def test_a_corrupted_chunk_is_refused(participants, raw):
    leader, _ = started(participants)
    follower, seen = joined(participants, leader)
    session = leader.session
    data = os.urandom(CHUNK_BYTES + 10)
    sender = raw()
    sender.client.subscribe(topic_for(session, "bob", Kind.DOCUMENT), qos=1)
    topic = topic_for(session, "mallory", Kind.DOCUMENT)
    sender.publish(topic, forged(session, "mallory", Kind.DOCUMENT, 1, offer_body(data, "p.json")))
    wait_until(lambda: seen["document_offered"], WAIT, "the offer")
    follower.accept_document(hashlib.sha256(data).hexdigest())
    wait_until(lambda: sender.received(), WAIT, "the request")
    first, second = chunk_bodies(data, "bob")
    second = dict(second, data=base64.b64encode(b"y" * 10).decode())
    sender.publish(topic, forged(session, "mallory", Kind.DOCUMENT, 2, first))
    sender.publish(topic, forged(session, "mallory", Kind.DOCUMENT, 3, second))
    wait_until(lambda: seen["document_failed"], WAIT, "the refusal")
    refusal = "chunk 2 of 2: its SHA-256 does not match its data"
    assert seen["document_failed"] == [(hashlib.sha256(data).hexdigest(), refusal)]
    assert seen["document_received"] == []


def test_document_hash_in_the_session_info(participants):
    leader, _ = started(participants, document_hash="1" * 64, document_name="battery-plant.mtplant.json")
    follower, seen = joined(participants, leader)
    wait_until(lambda: follower.session_document_hash == "1" * 64, WAIT, "the info")
    assert not follower.document_differs("1" * 64)
    assert follower.document_differs("2" * 64)
    leader.set_document("3" * 64, "battery-plant.mtplant.json")  # the presenter saved
    wait_until(lambda: follower.document_differs("1" * 64), WAIT, "the new hash")
    assert seen["document_info_changed"][-1] == "3" * 64


def test_review_topics_reach_everyone(participants):
    leader, lead_seen = started(participants)
    follower, seen = joined(participants, leader)
    topic = replace(new_topic(ReviewBook(), "Slitter guard missing", "bob", site="OC"), pin=(1.0, 2.0, 0.5))
    follower.publish_topics(put=[topic])  # anyone, not only the leader
    wait_until(lambda: lead_seen["topics_received"], WAIT, "the topic")
    assert lead_seen["topics_received"] == [("bob", [topic], [])]
    leader.publish_topics(removed=[topic.guid])
    wait_until(lambda: seen["topics_received"] == [("alice", [], [topic.guid])], WAIT, "the removal")


class MemoryKeyring(KeyringBackend):
    """A keyring back end that keeps its passwords in memory (the workstation's would be the system's)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}
        self.asked: list[tuple[str, str]] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.asked.append((service, username))
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


def test_the_password_from_the_keyring(secure_mosquitto_broker):  # noqa: F811
    before = keyring.get_keyring()
    memory = MemoryKeyring()
    memory.set_password("mothertwin-session", MQTT_USER, MQTT_PASSWORD)
    keyring.set_keyring(memory)
    tls = str(secure_mosquitto_broker.tls.ca)
    client = SessionClient(secure_mosquitto_broker.url,
                           SessionCredentials(MQTT_USER, keyring_service="mothertwin-session", tls_ca=tls))  # fmt: skip
    other = SessionClient(secure_mosquitto_broker.url,
                          SessionCredentials(MQTT_USER, keyring_service="no-such-service", tls_ca=tls))  # fmt: skip
    try:
        client.start()
        wait_until(lambda: client.connection == ConnectionState.CONNECTED, WAIT, "TLS with the keyring's password")
        other.start()
        wait_until(lambda: other.connection == ConnectionState.REFUSED, WAIT, "no entry in the keyring: refused")
        assert ("mothertwin-session", MQTT_USER) in memory.asked and ("no-such-service", MQTT_USER) in memory.asked
    finally:
        for made in (client, other):
            made.close()
        keyring.set_keyring(before)


def test_tls_and_password_from_the_environment(secure_mosquitto_broker, monkeypatch, tmp_path_factory):  # noqa: F811
    monkeypatch.setenv("MT_SESSION_PASSWORD", MQTT_PASSWORD)
    url = secure_mosquitto_broker.url
    tls = str(secure_mosquitto_broker.tls.ca)
    credentials = SessionCredentials(MQTT_USER, password_env="MT_SESSION_PASSWORD", tls_ca=tls)
    leader = SessionClient(url, credentials, name="Kim")
    leader.start(document_hash="4" * 64)
    assert leader.join_url.startswith("mqtts://127.0.0.1:")
    wrong = SessionClient.for_join_url(
        leader.join_url, SessionCredentials(MQTT_USER, password_env="NO_SUCH_VARIABLE", tls_ca=tls)
    )
    try:
        wait_until(lambda: leader.connection == ConnectionState.CONNECTED, WAIT, "TLS with the password")
        assert MQTT_PASSWORD not in repr(credentials)
        wrong.join(leader.join_url)
        wait_until(lambda: wrong.connection == ConnectionState.REFUSED, WAIT, "no password: refused")
        assert "refused user" in wrong.last_error
    finally:
        for client in (leader, wrong):
            client.close()
    not_pem = tmp_path_factory.mktemp("ca") / "not-a-ca.pem"
    not_pem.write_text("hello")
    with pytest.raises(ValueError, match=r"not-a-ca\.pem for TLS"):
        SessionClient(url, SessionCredentials(MQTT_USER, tls_ca=str(not_pem))).start()
