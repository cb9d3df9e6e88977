"""The wire format of a remote session: topics, the message envelope, QoS and retain per kind, sequence checks.

Every participant publishes only under `mothertwin/v1/sessions/<session>/from/<username>/<kind>` (the broker's
ACL lets a login write only under its own name, so the topic says who sent a message) and reads the whole
session. A message is JSON: {"format", "version", "kind", "session", "sender", "seq", "sent", "body"}, at most
256 KiB. Anything else is dropped with a reason (`DropReason`); input from the network is never eval'd or
unpickled.

An empty payload on a retained kind (presence, leader, state, info) is not a message: it clears what was
retained there (the Last Will of presence is one).
"""

from __future__ import annotations

import json
import math
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from viewer.io.jsonfmt import non_finite_numbers

FORMAT = "mothertwin-session"
VERSION = 1
TOPIC_ROOT = "mothertwin/v1/sessions"
MAX_MESSAGE_BYTES = 256 * 1024
CHUNK_BYTES = 128 * 1024  # document data per chunk, before base64 (4/3 larger): fits MAX_MESSAGE_BYTES
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}\Z")
# A broker login as a topic level: no MQTT wildcards or separators, nothing a shell or a log would mangle.
_USERNAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}\Z")


class Kind(StrEnum):
    PRESENCE = "presence"  # who is here: name, site (retained; the Last Will clears it)
    LEADER = "leader"  # who leads and the epoch (retained)
    STATE = "state"  # the leader's full view (retained: a late joiner sees it at once)
    INFO = "info"  # the session's plant document: its hash and name (retained)
    CAMERA = "camera"  # the leader's camera while it moves (at most 30 Hz)
    POINTER = "pointer"  # anyone's 3D cursor, or none
    CONTROL = "control"  # request, grant, hand back
    TOPICS = "topics"  # review topics put or removed
    DOCUMENT = "document"  # a document offer, its request and its chunks
    END = "end"  # the session has ended (retained, so a late joiner is told)


@dataclass(frozen=True, slots=True)
class KindPolicy:
    qos: int
    retain: bool


# Camera and pointer move many times a second and only the newest counts: QoS 0, a lost one is replaced next.
KIND_POLICY: dict[Kind, KindPolicy] = {
    Kind.PRESENCE: KindPolicy(1, True),
    Kind.LEADER: KindPolicy(1, True),
    Kind.STATE: KindPolicy(1, True),
    Kind.INFO: KindPolicy(1, True),
    Kind.CAMERA: KindPolicy(0, False),
    Kind.POINTER: KindPolicy(0, False),
    Kind.CONTROL: KindPolicy(1, False),
    Kind.TOPICS: KindPolicy(1, False),
    Kind.DOCUMENT: KindPolicy(1, False),
    Kind.END: KindPolicy(1, True),
}
RETAINED_KINDS = tuple(kind for kind, policy in KIND_POLICY.items() if policy.retain)


class DropReason(StrEnum):
    """Why a received message was dropped (counted per reason by the client)."""

    TOO_BIG = "too big"
    NOT_JSON = "not JSON"
    WRONG_FORMAT = "not a session message"
    WRONG_VERSION = "unsupported version"
    BAD_ENVELOPE = "bad envelope"
    WRONG_TOPIC = "topic outside the session's namespace"
    SENDER_MISMATCH = "sender does not match the topic"
    KIND_MISMATCH = "kind does not match the topic"
    SESSION_MISMATCH = "session does not match the topic"
    OLD_SEQUENCE = "late or repeated"
    BAD_BODY = "bad body"
    NOT_LEADER = "view from a participant who does not lead"


class DropError(Exception):
    """A received message that is not taken: `reason` for the counters, `detail` for the log."""

    def __init__(self, reason: DropReason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class SessionError(ValueError):
    """A bad argument from the caller: a malformed session id, user name or join URL, a call out of turn."""


def new_session_id() -> str:
    """128 random bits, URL-safe: unguessable, and a valid MQTT topic level."""
    return secrets.token_urlsafe(16)


def check_session_id(session: str) -> str:
    if not _SESSION_ID.match(session):
        raise SessionError(f"session id {session!r}: expected 8 to 64 of A-Z a-z 0-9 _ -")
    return session


def check_username(username: str) -> str:
    if not _USERNAME.match(username):
        raise SessionError(f"user name {username!r}: expected 1 to 64 of A-Z a-z 0-9 _ . @ - (the broker login)")
    return username


def session_filter(session: str) -> str:
    """The subscription that reads a whole session."""
    return f"{TOPIC_ROOT}/{check_session_id(session)}/#"


def topic_for(session: str, username: str, kind: Kind | str) -> str:
    return f"{TOPIC_ROOT}/{check_session_id(session)}/from/{check_username(username)}/{Kind(kind).value}"


@dataclass(frozen=True, slots=True)
class TopicParts:
    session: str
    username: str
    kind: Kind


def parse_topic(topic: str) -> TopicParts:
    """(session, username, kind) of a topic `topic_for` makes; DropError(WRONG_TOPIC) for any other."""
    prefix = TOPIC_ROOT + "/"
    parts = topic[len(prefix) :].split("/") if topic.startswith(prefix) else []
    if len(parts) != 4 or parts[1] != "from":
        raise DropError(DropReason.WRONG_TOPIC, f"topic {topic!r}: expected {prefix}<session>/from/<user>/<kind>")
    session, _, username, kind = parts
    if not _SESSION_ID.match(session) or not _USERNAME.match(username):
        raise DropError(DropReason.WRONG_TOPIC, f"topic {topic!r}: malformed session id or user name")
    try:
        return TopicParts(session, username, Kind(kind))
    except ValueError:
        raise DropError(DropReason.WRONG_TOPIC, f"topic {topic!r}: unknown kind {kind!r}") from None


@dataclass(frozen=True, slots=True)
class Envelope:
    kind: Kind
    session: str
    sender: str
    seq: int
    sent: str  # UTC, ISO 8601
    body: dict[str, Any]

    @property
    def topic(self) -> str:
        return topic_for(self.session, self.sender, self.kind)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def encode(envelope: Envelope) -> bytes:
    """The payload of a message; SessionError when it would be over MAX_MESSAGE_BYTES (receivers drop those)."""
    data = {
        "format": FORMAT,
        "version": VERSION,
        "kind": envelope.kind.value,
        "session": envelope.session,
        "sender": envelope.sender,
        "seq": envelope.seq,
        "sent": envelope.sent,
        "body": envelope.body,
    }
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    if len(payload) > MAX_MESSAGE_BYTES:
        raise SessionError(f"{envelope.kind} message of {len(payload)} bytes is over the {MAX_MESSAGE_BYTES} limit")
    return payload


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def decode(topic: str, payload: bytes) -> Envelope:
    """The envelope of a received message, checked against its topic; DropError says why not."""
    parts = parse_topic(topic)
    if len(payload) > MAX_MESSAGE_BYTES:
        raise DropError(DropReason.TOO_BIG, f"{len(payload)} bytes on {topic} (limit {MAX_MESSAGE_BYTES})")
    try:
        data = json.loads(payload.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise DropError(DropReason.NOT_JSON, f"on {topic}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DropError(DropReason.WRONG_FORMAT, f"on {topic}: expected format {FORMAT!r}")
    if data.get("version") != VERSION:
        raise DropError(
            DropReason.WRONG_VERSION, f"on {topic}: version {data.get('version')!r}, this MotherTwin reads {VERSION}"
        )
    seq, sent, body = data.get("seq"), data.get("sent"), data.get("body")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise DropError(DropReason.BAD_ENVELOPE, f"on {topic}: 'seq' must be a whole number >= 0")
    if not isinstance(sent, str) or not isinstance(body, dict):
        raise DropError(DropReason.BAD_ENVELOPE, f"on {topic}: expected 'sent' text and a 'body' object")
    if data.get("sender") != parts.username:
        raise DropError(
            DropReason.SENDER_MISMATCH, f"on {topic}: sender {data.get('sender')!r} is not {parts.username!r}"
        )
    if data.get("kind") != parts.kind.value:
        raise DropError(DropReason.KIND_MISMATCH, f"on {topic}: kind {data.get('kind')!r}")
    if data.get("session") != parts.session:
        raise DropError(DropReason.SESSION_MISMATCH, f"on {topic}: session {data.get('session')!r}")
    for where, _ in non_finite_numbers(body, "$.body"):
        raise DropError(DropReason.BAD_BODY, f"on {topic}: {where} is not a finite number")
    return Envelope(parts.kind, parts.session, parts.username, seq, sent, body)


class SequenceGuard:
    """Takes each sender's messages in increasing `seq` only: a late or repeated one is refused.

    Kept per sender and kind: MQTT keeps order within one topic, not between a QoS 0 camera and a QoS 1
    state of the same sender."""

    def __init__(self) -> None:
        self._last: dict[tuple[str, Kind], int] = {}

    def accept(self, envelope: Envelope) -> bool:
        key = (envelope.sender, envelope.kind)
        last = self._last.get(key)
        if last is not None and envelope.seq <= last:
            return False
        self._last[key] = envelope.seq
        return True

    def forget(self, sender: str) -> None:
        for key in [k for k in self._last if k[0] == sender]:
            del self._last[key]


def first_sequence_number(now_ns: int) -> int:
    """Where a sender's numbering starts: microseconds since the epoch, so a restarted app (a new process under
    the same login) continues above what it sent before instead of being dropped as "repeated"."""
    return now_ns // 1000


def finite_vec3(value: Any, what: str) -> tuple[float, float, float]:
    """Three finite numbers, else DropError(BAD_BODY)."""
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise DropError(DropReason.BAD_BODY, f"{what}: expected [x, y, z]")
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise DropError(DropReason.BAD_BODY, f"{what}: expected finite numbers")
        out.append(float(v))
    return (out[0], out[1], out[2])
