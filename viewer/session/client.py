"""One participant of a remote session on the plant's MQTT broker (paho-mqtt 2.x, MQTT v5). No Qt.

Threads: paho's network loop calls back here and a small thread sends coalesced camera messages. Every event
leaves through a psygnal signal carrying plain values (a SessionView, a CameraState, a tuple of RosterEntry),
emitted on paho's thread: a window hands them over to its own thread, as it does with the sensor sources.

Who leads: see `records.takes_leader_record`. Only the leader's state and camera move a follower's view.

Reconnects: paho reconnects by itself; on every connect the subscription is made again and this participant
republishes what it keeps retained (presence; as leader the leader record, the view and the document info),
so a broker restarted without persistence is whole again and followers catch up. It republishes the same
when a Mosquitto bridge of its broker comes back up (`$SYS/broker/connection/<name>/state` going "0" then
"1": the broker at the other end may have lost them in a crash; Mosquitto 2.0's bridge queues its side's
retained messages again when it reconnects, other bridges may not), and quietly every `keep_fresh` seconds,
for a restart nobody here could see.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from typing import Any

from psygnal import Signal

from viewer.model.review import Topic, Vec3
from viewer.model.views import CameraState
from viewer.sensors import check_tls_ca, parse_mqtt_url
from viewer.session.client_state import SessionState
from viewer.session.connection import (
    CREDENTIALS_REFUSED,
    ConnectionState,
    SessionCredentials,
    connect_failure_text,
    connect_properties,
    new_mqtt_client,
    parse_join_url,
    session_of_join_url,
)
from viewer.session.document_transfer import DocumentFailure, DocumentOffer, ReceivedDocument
from viewer.session.messages import (
    KIND_POLICY,
    DropError,
    DropReason,
    Envelope,
    Kind,
    SessionError,
    check_session_id,
    check_username,
    decode,
    encode,
    finite_vec3,
    new_session_id,
    parse_topic,
    session_filter,
    topic_for,
    utc_now,
)
from viewer.session.records import (
    LeaderRecord,
    Member,
    info_from_body,
    leader_record_from_body,
    presence_from_body,
    takes_leader_record,
)
from viewer.session.view_message import (
    SessionView,
    camera_from_body,
    camera_to_body,
    topics_from_body,
    topics_to_body,
    view_from_body,
    view_to_body,
)

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT = 5.0
KEEP_FRESH_SECONDS = 60.0  # the quiet republishing of what a participant keeps retained
NOT_AUTHORIZED = 135  # the MQTT v5 reason code of a PUBACK the broker's ACL refused
LINK_STATE_FILTER = "$SYS/broker/connection/+/state"  # Mosquitto bridge notifications: "1" up, "0" down


class SessionClient(SessionState):
    connection_changed = Signal(str)  # a ConnectionState value
    roster_changed = Signal(tuple)  # tuple[RosterEntry, ...]
    leadership_changed = Signal(str, int)  # leader's username, epoch
    view_received = Signal(object)  # SessionView of the leader (only while following)
    camera_received = Signal(object)  # CameraState of the leader (only while following)
    pointer_moved = Signal(str, object)  # username, Vec3 or None (pointer gone)
    topics_received = Signal(str, list, list)  # sender, list[Topic] put, list[str] guids removed
    control_requested = Signal(str)  # (to the leader) username asking for control
    control_declined = Signal(str)  # (to who asked) the leader who said no
    document_info_changed = Signal(str)  # the session document's SHA-256
    document_offered = Signal(object)  # DocumentOffer
    document_received = Signal(object)  # ReceivedDocument (hash checked; never applied here)
    document_failed = Signal(str, str)  # offered hash, why the transfer was refused
    session_ended = Signal(str)  # who ended it
    message_dropped = Signal(str, str)  # DropReason value, detail

    @classmethod
    def signal_names(cls) -> tuple[str, ...]:
        """The names of the client's events, in the order declared (what a bridge or a recorder connects to)."""
        return tuple(name for name, value in vars(cls).items() if isinstance(value, Signal))

    def __init__(
        self,
        broker_url: str,
        credentials: SessionCredentials,
        *,
        name: str = "",
        site: str = "",
        keepalive: int = 30,
        reconnect_delay: tuple[int, int] = (1, 10),
        keep_fresh: float = KEEP_FRESH_SECONDS,
    ) -> None:
        """`keep_fresh`: seconds between quiet republishings of what this participant keeps retained (0: never)."""
        self.address = parse_mqtt_url(broker_url)
        check_tls_ca(self.address, credentials.tls_ca)
        self.broker_url = broker_url
        self.credentials = credentials
        self.username = check_username(credentials.username or self.address.username)
        self.name = name or self.username
        self.site = site
        self.keepalive = keepalive
        self.reconnect_delay = reconnect_delay
        self.keep_fresh = keep_fresh
        self._init_state()

    @classmethod
    def for_join_url(cls, url: str, credentials: SessionCredentials, **options: Any) -> SessionClient:
        """A client on the broker a join URL names (then `join(url)`); `options` as for the constructor."""
        broker, _ = parse_join_url(url)
        return cls(broker, credentials, **options)

    # ------------------------------------------------------------ life cycle

    def start(self, *, document_hash: str = "", document_name: str = "", session: str | None = None) -> str:
        """Start a session as its leader (epoch 1); returns the session id (`join_url` is what to hand out)."""
        with self._lock:
            self._session = check_session_id(session or new_session_id())
            self._owner = self._leader = self.username
            self._epoch = 1
        self._keep_info(document_hash, document_name)
        self._connect()
        return self._session

    def join(self, url: str) -> str:
        """Join the session of a join URL (on this client's broker); returns the session id."""
        session = session_of_join_url(url, self.address)
        with self._lock:
            self._session = session
        self._connect()
        return session

    def leave(self) -> None:
        """Leave (presence cleared at once) and disconnect; the session goes on for the others."""
        self._shutdown(clear=(Kind.PRESENCE,))

    def end(self) -> None:
        """(Leader) end the session: `end` (retained) tells everyone; all clear what they keep retained."""
        if not self.is_leader:
            raise SessionError(f"only the leader ({self._leader or 'unknown'}) can end the session")
        self._publish(Kind.END, {"by": self.username})
        self._ended = True
        self._shutdown(clear=(Kind.PRESENCE, Kind.LEADER, Kind.STATE, Kind.INFO))

    close = leave  # a clean disconnect sends no Last Will: presence is cleared as on leaving

    # ------------------------------------------------------------ publishing

    def follow(self, on: bool) -> None:
        """Mirror the leader (True) or look around freely (False); following again catches up at once."""
        with self._lock:
            self._following, view = on, (self.leader_view if on and not self.is_leader else None)
        if self._session and self.username in self._members:  # the rosters (ours too) say who follows
            self._members[self.username].following = on
            self._publish(Kind.PRESENCE, {"name": self.name, "site": self.site, "following": on})
        if view is not None:
            self.view_received.emit(view)

    def publish_view(self, view: SessionView) -> None:
        """(Leader) the full view: retained, so a late joiner gets it at once."""
        with self._send_lock:
            with self._lock:
                if not self.is_leader:
                    raise SessionError("only the leader publishes the view; request control first")
                self._my_view = view
            self._publish(Kind.STATE, view_to_body(view))

    def publish_camera(self, camera: CameraState) -> None:
        """The camera while it moves: sent at most 30 times a second, newest first, the last one always."""
        self._camera.offer(camera)

    def publish_pointer(self, point: Vec3 | None) -> None:
        self._publish(Kind.POINTER, {"point": list(point) if point is not None else None})

    def publish_topics(self, put: list[Topic] | None = None, removed: list[str] | None = None) -> None:
        self._publish(Kind.TOPICS, topics_to_body(list(put or []), list(removed or [])))

    def set_document(self, document_hash: str, document_name: str = "") -> None:
        """(Leader) announce the session document's hash (after a save, or on taking control)."""
        self._publish(Kind.INFO, self._keep_info(document_hash, document_name))

    def _keep_info(self, document_hash: str, document_name: str) -> dict[str, str]:
        with self._lock:
            info = {"owner": self._owner, "document_hash": document_hash, "document_name": document_name}
            self._my_info = self._infos[self.username] = info
            return info

    def request_control(self) -> None:
        self._publish(Kind.CONTROL, {"action": "request"})

    def grant(self, username: str) -> None:
        """(Leader) make `username` the leader: epoch + 1."""
        check_username(username)
        with self._lock:
            if not self.is_leader:
                raise SessionError(f"only the leader ({self._leader or 'unknown'}) can grant control")
            if username == self.username:
                return
            if username not in self._members:
                raise SessionError(f"{username} is not in the session: control goes to a participant present")
            epoch = self._epoch + 1
        self._publish(Kind.CONTROL, {"action": "grant", "to": username, "epoch": epoch})
        self._set_leader(username, epoch)

    def decline(self, username: str) -> None:
        """(Leader) say no to `username`'s request for control: they are told, nothing else changes."""
        check_username(username)
        with self._lock:
            if not self.is_leader:
                raise SessionError(f"only the leader ({self._leader or 'unknown'}) can decline a request")
        self._publish(Kind.CONTROL, {"action": "decline", "to": username})

    def hand_back(self) -> None:
        """(Leader who was granted control) give it back to whoever started the session."""
        with self._lock:
            if not self.is_leader:
                raise SessionError("only the leader can hand control back")
            if not self._owner or self._owner == self.username:
                return
            owner, epoch = self._owner, self._epoch + 1
        self._publish(Kind.CONTROL, {"action": "hand_back", "to": owner, "epoch": epoch})
        self._set_leader(owner, epoch)

    def offer_document(self, data: bytes, name: str) -> str:
        """Offer a document's bytes (see `document_bytes`); chunks go only to who accepts. Returns its hash."""
        body = self._documents.offer(data, name)
        self._publish(Kind.DOCUMENT, body)
        return str(body["hash"])

    def accept_document(self, document_hash: str) -> None:
        """Ask the offerer for the document; `document_received` (or `document_failed`) follows."""
        self._publish(Kind.DOCUMENT, self._documents.accept(document_hash))

    # ------------------------------------------------------------ internals: sending

    def _next_envelope(self, kind: Kind, body: dict[str, Any]) -> Envelope:
        with self._lock:
            if not self._session:
                raise SessionError("not in a session: start or join one first")
            self._seq += 1
            return Envelope(kind, self._session, self.username, self._seq, utc_now(), body)

    def _publish(self, kind: Kind, body: dict[str, Any]) -> Any:
        with self._send_lock:
            envelope = self._next_envelope(kind, body)
            payload = encode(envelope)
            policy = KIND_POLICY[kind]
            client = self._client
            if client is None:
                return None
            return client.publish(envelope.topic, payload, qos=policy.qos, retain=policy.retain)

    def _clear(self, kind: Kind, client: Any = None) -> Any:
        """An empty retained payload: the broker forgets what this participant kept under `kind`."""
        client = client or self._client
        if client is None or not self._session:
            return None
        return client.publish(topic_for(self._session, self.username, kind), b"", qos=1, retain=True)

    def _send_camera(self, camera: CameraState) -> None:
        with self._send_lock:
            self._publish(Kind.CAMERA, camera_to_body(camera))
            with self._lock:
                if self.is_leader and self._my_view is not None:
                    self._my_view = self._my_view.with_camera(camera)

    def _refresh_view(self, camera: CameraState) -> None:
        """A move ended: the retained view takes its last camera, for whoever joins next."""
        with self._send_lock:
            with self._lock:
                view = self._my_view if self.is_leader else None
            if view is not None:
                self._publish(Kind.STATE, view_to_body(view.with_camera(camera)))

    # ------------------------------------------------------------ internals: connection

    def _connect(self) -> None:
        self._stopping = False
        # The Last Will clears presence: a participant whose app or link dies leaves the roster by itself.
        will = topic_for(self._session, self.username, Kind.PRESENCE)
        client = new_mqtt_client(self.address, self.credentials, self.username, will, self.reconnect_delay)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_connect_fail = self._on_connect_fail
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        with self._lock:
            self._members[self.username] = Member(self.name, self.site, utc_now(), self._following)
            self._client = client
        self._set_connection(ConnectionState.CONNECTING)
        # clean_start False: a reconnect keeps the broker's session; the subscription is made again anyway.
        address = self.address
        client.connect_async(
            address.host, address.port, keepalive=self.keepalive, clean_start=False, properties=connect_properties()
        )
        client.loop_start()
        if self.keep_fresh > 0:
            self._keep_fresh_stop = stop = threading.Event()
            threading.Thread(target=self._keep_fresh_loop, args=(stop,), name="session-keep-fresh", daemon=True).start()

    def _shutdown(self, clear: tuple[Kind, ...]) -> None:
        with self._lock:
            client, self._client = self._client, None  # one caller shuts down (the app, or an `end` received)
        if client is None:
            return
        infos = [self._clear(kind, client) for kind in clear]
        for info in (info for info in infos if info is not None):
            with contextlib.suppress(RuntimeError, ValueError):
                info.wait_for_publish(PUBLISH_TIMEOUT)
        self._stopping = True
        self._keep_fresh_stop.set()
        self._camera.stop()
        client.disconnect()
        client.loop_stop()
        self._set_connection(ConnectionState.DISCONNECTED)

    def _set_connection(self, state: ConnectionState) -> None:
        with self._lock:
            if state == self._connection:
                return
            self._connection = state
        self.connection_changed.emit(state.value)

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        if reason.value in CREDENTIALS_REFUSED:
            self.last_error = f"broker {self.address.host}:{self.address.port} refused user {self.username!r}: {reason}"
            self._stopping = True
            client.disconnect()
            self._set_connection(ConnectionState.REFUSED)
            return
        if reason.is_failure:
            self.last_error = f"broker refused the connection: {reason}"
            self._set_connection(ConnectionState.RECONNECTING)
            return
        # The bridge states too (read where the broker allows it): a bridge back up means a republish.
        client.subscribe([(session_filter(self._session), 1), (LINK_STATE_FILTER, 1)])
        # What this participant keeps retained, again: the broker may have restarted without it.
        self._republish_retained()
        self._set_connection(ConnectionState.CONNECTED)

    def _republish_retained(self) -> None:
        """Presence; as leader the leader record, the document info and the view (with its latest camera)."""
        with self._send_lock:  # a view published meanwhile goes out after this one, with the higher number
            self._publish(Kind.PRESENCE, {"name": self.name, "site": self.site, "following": self._following})
            with self._lock:
                record = LeaderRecord(self._leader, self._epoch) if self.is_leader else None
                view, info = self._my_view, self._my_info
                self.republished += 1
            if record is not None:
                self._publish(Kind.LEADER, record.to_body())
                if info is not None:
                    self._publish(Kind.INFO, info)
                if view is not None:
                    self._publish(Kind.STATE, view_to_body(view))

    def _keep_fresh_loop(self, stop: threading.Event) -> None:
        while not stop.wait(self.keep_fresh):
            if self._connection == ConnectionState.CONNECTED and self._client is not None:
                with contextlib.suppress(SessionError, RuntimeError, ValueError):
                    self._republish_retained()

    def _on_link_state(self, topic: str, payload: bytes) -> None:
        """A bridge of the broker went down ("0") or up ("1"): up after down, the far broker may have lost
        what we keep retained (a crash without a saved database), and the bridge does not send it again."""
        name = topic.split("/")[3] if topic.count("/") == 4 else topic
        with self._lock:
            before = self._link_states.get(name)
            self._link_states[name] = payload
        if payload == b"1" and before == b"0":
            log.info("session %s: bridge %s is up again: republishing what this participant keeps retained",
                     self._session, name)  # fmt: skip
            self._republish_retained()

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason: Any, properties: Any) -> None:
        """A PUBACK: "not authorized" means the broker's ACL gives this login no part in the session (Mosquitto
        still grants such a login its subscription and just delivers nothing): say so, not "connected"."""
        if getattr(reason, "value", 0) != NOT_AUTHORIZED or self._stopping:
            return
        self.last_error = (f"broker {self.address.host}:{self.address.port} does not let user {self.username!r} "
                           f"take part in session {self._session} (not authorized by its ACL)")  # fmt: skip
        self._stopping = True
        client.disconnect()
        self._set_connection(ConnectionState.REFUSED)

    def _on_connect_fail(self, client: Any, userdata: Any) -> None:
        self.last_error = connect_failure_text(self.address, sys.exception())
        self._set_connection(ConnectionState.RECONNECTING)

    def _on_disconnect(self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        if self._stopping:
            return
        self.last_error = f"connection to {self.address.host}:{self.address.port} lost: {reason}"
        self._set_connection(ConnectionState.RECONNECTING)

    # ------------------------------------------------------------ internals: receiving (paho's thread)

    def _drop(self, reason: DropReason, detail: str) -> None:
        with self._lock:
            self.drops[reason.value] += 1
            first = self.drops[reason.value] == 1
        # The first of each reason as a warning, the rest for debugging: a flood of junk must not flood the log.
        log.log(logging.WARNING if first else logging.DEBUG, "session %s: dropped a message (%s): %s",
                self._session, reason.value, detail)  # fmt: skip
        self.message_dropped.emit(reason.value, detail)

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        if message.topic.startswith("$SYS/"):  # a bridge's state: the broker's, not a participant's message
            self._on_link_state(message.topic, bytes(message.payload))
            return
        try:
            self._handle(message.topic, bytes(message.payload))
        except DropError as dropped:
            self._drop(dropped.reason, dropped.detail)
        except Exception as exc:  # a bug here must not end paho's loop: count it, go on
            log.exception("session %s: handling a message on %s failed", self._session, message.topic)
            self._drop(DropReason.BAD_BODY, f"on {message.topic}: {type(exc).__name__}: {exc}")

    def _handle(self, topic: str, payload: bytes) -> None:
        if not payload:
            parts = parse_topic(topic)
            if parts.session == self._session and parts.username != self.username:
                self._cleared(parts.username, parts.kind)
            return
        envelope = decode(topic, payload)
        if envelope.session != self._session or envelope.sender == self.username:
            return  # our own, echoed back: nothing new
        with self._lock:
            accepted = self._guard.accept(envelope)
            member = self._members.get(envelope.sender)
            if member is not None:
                member.last_seen = envelope.sent
        if not accepted:
            raise DropError(DropReason.OLD_SEQUENCE, f"{envelope.kind} #{envelope.seq} from {envelope.sender}")
        getattr(self, f"_on_{envelope.kind.value}")(envelope)

    def _cleared(self, sender: str, kind: Kind) -> None:
        with self._lock:
            if kind == Kind.STATE:
                self._states.pop(sender, None)
            elif kind == Kind.INFO:
                self._infos.pop(sender, None)
            gone = kind == Kind.PRESENCE and self._members.pop(sender, None) is not None
        if gone:
            self.roster_changed.emit(self.roster)

    def _on_presence(self, envelope: Envelope) -> None:
        name, site, following = presence_from_body(envelope.sender, envelope.body)
        with self._lock:
            self._members[envelope.sender] = Member(name, site, envelope.sent, following)
        self.roster_changed.emit(self.roster)

    def _on_leader(self, envelope: Envelope) -> None:
        record = leader_record_from_body(envelope.sender, envelope.body)
        with self._lock:
            current = LeaderRecord(self._leader, self._epoch) if self._epoch else None
            if not takes_leader_record(current, envelope.sender, record):
                return
        self._set_leader(record.leader, record.epoch, publish=False)

    def _set_leader(self, leader: str, epoch: int, publish: bool = True) -> None:
        with self._lock:
            was_leader = self.is_leader
            self._leader, self._epoch = leader, epoch
            self._leader_camera = None
            now_leader = self.is_leader
            view = self.leader_view if self._following and not now_leader else None
        if publish:
            self._publish(Kind.LEADER, LeaderRecord(leader, epoch).to_body())
        if was_leader and not now_leader:
            self._clear(Kind.STATE)  # no stale view of ours lingers for late joiners
            with self._lock:
                self._my_view = None
        if now_leader and not was_leader:
            self._publish(Kind.LEADER, LeaderRecord(leader, epoch).to_body())  # under our own topic too
        self.leadership_changed.emit(leader, epoch)
        self.roster_changed.emit(self.roster)
        if view is not None:
            self.view_received.emit(view)

    def _on_state(self, envelope: Envelope) -> None:
        view = view_from_body(envelope.body)
        with self._lock:
            self._states[envelope.sender] = view
            from_leader = envelope.sender == self._leader
            if from_leader:
                self._leader_camera = None  # the view's camera is the newest now
            emit = from_leader and self._following and not self.is_leader
        if emit:
            self.view_received.emit(view)

    def _on_camera(self, envelope: Envelope) -> None:
        camera = camera_from_body(envelope.body)
        with self._lock:
            if envelope.sender != self._leader:
                raise DropError(DropReason.NOT_LEADER, f"camera from {envelope.sender}; {self._leader} leads")
            self._leader_camera = camera
            emit = self._following and not self.is_leader
        if emit:
            self.camera_received.emit(camera)

    def _on_info(self, envelope: Envelope) -> None:
        info = info_from_body(envelope.sender, envelope.body)
        with self._lock:
            before = self.session_document_hash
            self._infos[envelope.sender] = info
            if not self._owner and info["owner"] == envelope.sender:
                self._owner = envelope.sender  # the starter announces itself
            after = self.session_document_hash
        if after != before:
            self.document_info_changed.emit(after)

    def _on_pointer(self, envelope: Envelope) -> None:
        point = envelope.body.get("point")
        self.pointer_moved.emit(envelope.sender, None if point is None else finite_vec3(point, "pointer.point"))

    def _on_topics(self, envelope: Envelope) -> None:
        put, removed = topics_from_body(envelope.body)
        self.topics_received.emit(envelope.sender, put, removed)

    def _on_control(self, envelope: Envelope) -> None:
        action = envelope.body.get("action")
        if action not in ("request", "grant", "hand_back", "decline"):
            raise DropError(DropReason.BAD_BODY, f"control from {envelope.sender}: unknown action {action!r}")
        if action == "request" and self.is_leader:
            self.control_requested.emit(envelope.sender)
        if action == "decline" and envelope.body.get("to") == self.username:
            if envelope.sender != self._leader:
                raise DropError(DropReason.NOT_LEADER, f"decline from {envelope.sender}; {self._leader} leads")
            self.control_declined.emit(envelope.sender)
        # grant and hand back are notices: the leader record that comes with them moves the leadership.

    def _on_document(self, envelope: Envelope) -> None:
        outcome = self._documents.receive(envelope.sender, envelope.body)
        if isinstance(outcome, DocumentOffer):
            self.document_offered.emit(outcome)
        elif isinstance(outcome, ReceivedDocument):
            self.document_received.emit(outcome)
        elif isinstance(outcome, DocumentFailure):
            self.document_failed.emit(outcome.hash, outcome.reason)
        elif outcome is not None:
            for body in outcome:  # the chunks of our offer, to who asked
                self._publish(Kind.DOCUMENT, body)

    def _on_end(self, envelope: Envelope) -> None:
        with self._lock:
            known = {self._leader, self._owner} - {""}
            if known and envelope.sender not in known:
                raise DropError(DropReason.NOT_LEADER, f"end from {envelope.sender}; {self._leader} leads")
            self._ended = True
        # Off paho's thread: shutting down waits for the clearing publishes that this thread delivers.
        threading.Thread(target=self._end_here, args=(envelope.sender,), name="session-end", daemon=True).start()

    def _end_here(self, by: str) -> None:
        self.session_ended.emit(by)
        self._shutdown(clear=(Kind.PRESENCE, Kind.LEADER, Kind.STATE, Kind.INFO))

