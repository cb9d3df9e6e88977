"""The remote session's headless logic: topics, the envelope and its drops, sequence checks, the view as a
message, camera coalescing, the document's chunks and hash, differences in words. No broker, no window."""

from __future__ import annotations

import base64
import itertools
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from viewer.app.view_state import ViewState
from viewer.io import load_document
from viewer.model.review import ReviewBook, new_topic
from viewer.model.views import CameraState
from viewer.session import (
    KIND_POLICY,
    DropReason,
    Kind,
    ReplayCursor,
    SessionError,
    document_bytes,
    document_differences,
    document_hash,
    join_url,
    new_session_id,
    parse_join_url,
    parse_topic,
    session_view_from_state,
    topic_for,
)
from viewer.session.document_transfer import (
    DocumentAssembly,
    TransferError,
    chunk_bodies,
    offer_body,
    offer_from_body,
)
from viewer.session.messages import (
    CHUNK_BYTES,
    MAX_MESSAGE_BYTES,
    DropError,
    Envelope,
    SequenceGuard,
    decode,
    encode,
    first_sequence_number,
)
from viewer.session.view_message import (
    CameraCoalescer,
    camera_from_body,
    camera_to_body,
    topics_from_body,
    topics_to_body,
    view_from_body,
    view_to_body,
)

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "assets" / "demo" / "battery-plant.mtplant.json"
SESSION = "AbCdEfGhIjKlMnOpQrStUv"


def envelope(kind: Kind = Kind.CAMERA, seq: int = 1, sender: str = "alice", body: dict | None = None) -> Envelope:
    return Envelope(kind, SESSION, sender, seq, "2026-12-07T02:00:00.000Z", body if body is not None else {})


def drop_reason(topic: str, payload: bytes) -> DropReason:
    with pytest.raises(DropError) as caught:
        decode(topic, payload)
    assert str(caught.value.reason) in str(caught.value)  # the reason is in the logged text
    return caught.value.reason


# ---------------------------------------------------------------- topics and ids


def test_topics_round_trip_and_refuse_what_is_not_a_session_topic():
    topic = topic_for(SESSION, "kim.oc", Kind.STATE)
    assert topic == f"mothertwin/v1/sessions/{SESSION}/from/kim.oc/state"
    parts = parse_topic(topic)
    assert (parts.session, parts.username, parts.kind) == (SESSION, "kim.oc", Kind.STATE)
    for bad in (
        f"mothertwin/v1/sessions/{SESSION}/from/kim/unknown",
        f"mothertwin/v1/sessions/{SESSION}/to/kim/state",
        f"mothertwin/v2/sessions/{SESSION}/from/kim/state",
        f"mothertwin/v1/sessions/{SESSION}/from/kim/state/extra",
        "mothertwin/v1/sessions/a b/from/kim/state",
    ):
        with pytest.raises(DropError) as caught:
            parse_topic(bad)
        assert caught.value.reason == DropReason.WRONG_TOPIC
    with pytest.raises(SessionError, match="user name"):
        topic_for(SESSION, "kim/+", Kind.STATE)  # a wildcard in a name would reach other topics
    with pytest.raises(SessionError, match="session id"):
        topic_for("#", "kim", Kind.STATE)


def test_session_ids_are_unguessable_and_topic_safe():
    ids = {new_session_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) >= 21 and parse_topic(topic_for(i, "kim", Kind.END)).session == i for i in ids)


def test_join_url_round_trip():
    url = join_url("mqtts://broker.oc.example:8883", SESSION)
    assert url == f"mqtts://broker.oc.example:8883/{SESSION}"
    assert parse_join_url(url) == ("mqtts://broker.oc.example:8883", SESSION)
    assert parse_join_url(f"mqtt://kim@127.0.0.1:1884/{SESSION}") == ("mqtt://kim@127.0.0.1:1884", SESSION)
    with pytest.raises(SessionError, match="SESSION_ID"):
        parse_join_url("mqtt://127.0.0.1:1883")
    with pytest.raises(SessionError, match="password"):
        parse_join_url(f"mqtt://kim:secret@127.0.0.1:1883/{SESSION}")


def test_qos_and_retain_per_kind():
    table = {kind.value: (policy.qos, policy.retain) for kind, policy in KIND_POLICY.items()}
    assert table == {
        "presence": (1, True),
        "leader": (1, True),
        "state": (1, True),
        "info": (1, True),
        "camera": (0, False),
        "pointer": (0, False),
        "control": (1, False),
        "topics": (1, False),
        "document": (1, False),
        "end": (1, True),
    }


# ---------------------------------------------------------------- the envelope


def test_envelope_round_trip():
    sent = envelope(Kind.POINTER, 7, body={"point": [1.0, 2.5, -3.0]})
    payload = encode(sent)
    assert json.loads(payload)["format"] == "mothertwin-session"
    assert json.loads(payload)["version"] == 1
    assert decode(sent.topic, payload) == sent


def test_every_bad_message_is_dropped_with_its_reason():
    good = envelope(Kind.CAMERA, 3, "alice", {"x": 1})
    topic = good.topic
    data = json.loads(encode(good))

    def payload(**changes: object) -> bytes:
        return json.dumps({**data, **changes}).encode()

    assert drop_reason(topic, b"\x00not json{") == DropReason.NOT_JSON
    assert drop_reason(topic, b"[1, 2]") == DropReason.WRONG_FORMAT
    assert drop_reason(topic, payload(format="sparkplug")) == DropReason.WRONG_FORMAT
    assert drop_reason(topic, payload(version=2)) == DropReason.WRONG_VERSION
    assert drop_reason(topic, payload(seq="3")) == DropReason.BAD_ENVELOPE
    assert drop_reason(topic, payload(seq=-1)) == DropReason.BAD_ENVELOPE
    assert drop_reason(topic, payload(body=[1])) == DropReason.BAD_ENVELOPE
    assert drop_reason(topic, payload(sender="mallory")) == DropReason.SENDER_MISMATCH
    assert drop_reason(topic, payload(kind="state")) == DropReason.KIND_MISMATCH
    assert drop_reason(topic, payload(session="OtherSession1234")) == DropReason.SESSION_MISMATCH
    assert drop_reason(topic, payload().replace(b'"x": 1', b'"x": 1e400')) == DropReason.BAD_BODY  # infinity
    assert drop_reason(topic, payload().replace(b'"x": 1', b'"x": NaN')) == DropReason.NOT_JSON
    oversize = payload(body={"x": "a" * MAX_MESSAGE_BYTES})
    assert drop_reason(topic, oversize) == DropReason.TOO_BIG
    with pytest.raises(SessionError, match="over the"):
        encode(envelope(body={"x": "a" * MAX_MESSAGE_BYTES}))


def test_sequence_guard_drops_late_and_repeated_per_sender_and_kind():
    guard = SequenceGuard()
    assert guard.accept(envelope(Kind.CAMERA, 5))
    assert not guard.accept(envelope(Kind.CAMERA, 5))  # repeated
    assert not guard.accept(envelope(Kind.CAMERA, 4))  # late
    assert guard.accept(envelope(Kind.CAMERA, 6))
    assert guard.accept(envelope(Kind.STATE, 2))  # another kind (another topic) keeps its own order
    assert guard.accept(envelope(Kind.CAMERA, 1, sender="bob"))  # another sender
    # A restarted app numbers from the clock, above what it sent before.
    assert first_sequence_number(2_000_000_000_000_000_000) > first_sequence_number(1_999_999_999_000_000_000) + 10**5


# ---------------------------------------------------------------- the view as a message


def camera(x: float = 10.0) -> CameraState:
    return CameraState((x, -20.123456789012, 15.5), (1.0, 2.0, 0.25), (0.0, 0.0, 1.0), False, 1.0, 30.0)


def test_view_state_round_trips_through_a_message():
    state = ViewState()
    state.set_active_site("OC")
    state.select(["OC-ELE1-PRS-01", "OC-ELE1-CTR-01"])
    state.set_visibility(["OC-ELE1-SLT-01"], "OC-ELE1")
    state.set_xray(True)
    state.set_camera(camera(1 / 3))
    replay = ReplayCursor(live=False, time="2026-12-07T10:15:00+09:00", speed=4.0)
    view = session_view_from_state(state, clip_box=((0.0, 0.0, 0.0), (5.0, 6.0, 7.0)), color_by="state", replay=replay)
    body = json.loads(json.dumps(view_to_body(view)))  # through JSON, as on the wire
    back = view_from_body(body)
    assert back == view
    assert back.camera == camera(1 / 3)  # floats exact through JSON
    assert back.viewpoint.hidden == ("OC-ELE1-SLT-01",) and back.viewpoint.isolated == "OC-ELE1"
    assert back.replay == replay and back.viewpoint.replay_time == "2026-12-07T10:15:00+09:00"
    live = view_from_body(view_to_body(session_view_from_state(state)))
    assert live.replay.live and live.viewpoint.replay_time == ""


def test_bad_view_and_camera_bodies_are_dropped():
    for body in ({"view": {"guid": "session-view", "xray": "yes"}}, {"view": None}, {"view": {"guid": "x", "a": 1}}):
        with pytest.raises(DropError) as caught:
            view_from_body(body)
        assert caught.value.reason == DropReason.BAD_BODY
    with pytest.raises(DropError, match="replay"):
        view_from_body({"view": {"guid": "session-view"}, "replay": {"live": "no"}})
    assert camera_from_body(camera_to_body(camera())) == camera()
    with pytest.raises(DropError):
        camera_from_body({"camera": {"position": [1, 2]}})


def test_topics_message_round_trips_a_review_topic():
    topic = new_topic(ReviewBook(), "Coater too close", "kim", site="OC", equipment=("OC-ELE1-CTR-01",))
    topic = replace(topic, pin=(1.0, 2.0, 3.0), description="check the walkway")
    body = json.loads(json.dumps(topics_to_body([topic], ["0b7a9f6e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"])))
    put, removed = topics_from_body(body)
    assert put == [topic]
    assert removed == ["0b7a9f6e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"]
    with pytest.raises(DropError, match=r"topics\.put"):
        topics_from_body({"put": [{"guid": "x"}]})  # no title


def test_camera_coalescer_keeps_at_most_30_hz_newest_wins_last_always_sent():
    coalescer = CameraCoalescer(30.0)
    sent: list[tuple[float, CameraState]] = []
    t = 0.0
    for i in range(100):  # a 100 Hz drag for one second
        t = i * 0.01
        now = coalescer.offer(camera(float(i)), t)
        if now is not None:
            sent.append((t, now))
        due = coalescer.due(t)
        if due is not None:
            sent.append((t, due))
    wait = coalescer.wait_time(t)
    assert wait is not None and wait <= 1 / 30
    last = coalescer.due(t + wait)
    assert last == camera(99.0)  # the last position is sent
    sent.append((t + wait, last))
    assert coalescer.due(t + 1.0) is None and not coalescer.pending
    times = [s for s, _ in sent]
    assert all(b - a >= 1 / 30 - 1e-8 for a, b in itertools.pairwise(times))
    assert 25 <= len(sent) <= 32
    # Newest wins: each sent camera is the newest offered by then.
    assert all(c.position[0] == pytest.approx(min(99.0, round(s * 100))) for s, c in sent)


# ---------------------------------------------------------------- the document


def test_document_hash_is_of_the_saved_bytes():
    document = load_document(DEMO)
    data = document_bytes(document)
    import hashlib

    assert document_hash(document) == hashlib.sha256(data).hexdigest()
    assert document_hash(load_document(DEMO)) == document_hash(document)  # stable: same plant, same hash
    moved = load_document(DEMO)
    next(moved.iter_equipment()).equipment.pose.x += 0.5
    assert document_hash(moved) != document_hash(document)


def test_document_chunks_reassemble_and_a_corrupted_chunk_is_refused():
    data = bytes(range(256)) * 1500  # 384,000 bytes: 3 chunks
    offer = offer_from_body("alice", offer_body(data, "plant.mtplant.json"))
    assert offer.chunks == 3 and offer.size == len(data)
    bodies = chunk_bodies(data, "bob")
    assert [len(base64.b64decode(b["data"])) for b in bodies] == [CHUNK_BYTES, CHUNK_BYTES, len(data) - 2 * CHUNK_BYTES]
    assert all(len(encode(envelope(Kind.DOCUMENT, 1, body=b))) < MAX_MESSAGE_BYTES for b in bodies)
    assembly = DocumentAssembly(offer)
    results = [assembly.add(b) for b in reversed(bodies)]  # any order
    assert results[:2] == [None, None]
    assert results[2] is not None and results[2].data == data and results[2].hash == offer.hash
    # A chunk whose data was changed on the way.
    corrupted = dict(bodies[1], data=base64.b64encode(b"x" * CHUNK_BYTES).decode())
    with pytest.raises(TransferError, match="chunk 2 of 3: its SHA-256 does not match"):
        DocumentAssembly(offer).add(corrupted)
    # A chunk re-hashed by whoever changed it: the whole is not what was offered.
    forged = dict(corrupted, sha256=__import__("hashlib").sha256(b"x" * CHUNK_BYTES).hexdigest())
    assembly = DocumentAssembly(offer)
    assembly.add(bodies[0])
    assembly.add(forged)
    with pytest.raises(TransferError, match="not the offered"):
        assembly.add(bodies[2])
    with pytest.raises(DropError, match="chunks for"):
        offer_from_body("alice", {**offer_body(data, "p"), "chunks": 2})


def test_differences_in_words_name_the_moved_equipment_and_where():
    local = load_document(DEMO)
    presenter = load_document(DEMO)
    assert document_differences(local, presenter) == []
    site = next(s for s in presenter.sites if s.areas)
    line = site.areas[0].lines[0]
    equipment = [e for cell in line.cells for e in cell.equipment]
    for e in equipment[:3]:
        e.pose.x += 1.0
    tuned = next(e for e in equipment[3:-1] if any(isinstance(p.value, float) for p in e.parameters))
    number = next(i for i, p in enumerate(tuned.parameters) if isinstance(p.value, float))
    tuned.parameters[number] = replace(tuned.parameters[number], value=tuned.parameters[number].value + 1.0)
    line.cells[-1].equipment.pop()
    words = document_differences(local, presenter)
    assert len(words) == 1
    text = words[0]
    assert text.startswith("3 equipment moved, ")
    assert "1 equipment only here" in text  # the one the presenter removed
    assert text.endswith(f"at {site.name}, line {line.name}")
    assert "1 parameter changed" in text


def test_the_session_package_loads_no_qt_and_no_vtk():
    code = (
        "import sys, viewer.session; "
        "heavy = ('PySide6', 'vtk', 'vtkmodules', 'pyvista', 'pyvistaqt'); "
        "bad = [m for m in sys.modules if m.split('.')[0] in heavy]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_leader_records_move_only_forward_and_only_from_the_leader():
    from viewer.session.records import LeaderRecord, leader_record_from_body, takes_leader_record

    alice1, bob2 = LeaderRecord("alice", 1), LeaderRecord("bob", 2)
    assert takes_leader_record(None, "carol", bob2)  # a late joiner takes the newest retained record
    assert takes_leader_record(alice1, "alice", bob2)  # the leader grants
    assert not takes_leader_record(bob2, "alice", bob2)  # repeated
    assert not takes_leader_record(bob2, "alice", alice1)  # older, still retained
    with pytest.raises(DropError) as caught:
        takes_leader_record(alice1, "mallory", LeaderRecord("mallory", 2))
    assert caught.value.reason == DropReason.NOT_LEADER
    assert "alice leads" in caught.value.detail
    assert leader_record_from_body("alice", bob2.to_body()) == bob2
    for body in ({"leader": "bob", "epoch": 0}, {"leader": "bob", "epoch": True}, {"leader": "a/#", "epoch": 2}):
        with pytest.raises(DropError) as caught:
            leader_record_from_body("alice", body)
        assert caught.value.reason == DropReason.BAD_BODY
