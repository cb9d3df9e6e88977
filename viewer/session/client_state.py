"""What a session participant knows, and the read-only view of it the window uses (`SessionClient`'s base).

The fields are set once by `_init_state` and changed only by the client, on paho's thread, under `_lock`.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from viewer.model.views import CameraState
from viewer.session.camera_sender import CameraSender
from viewer.session.connection import ConnectionState, join_url
from viewer.session.document_transfer import DocumentExchange
from viewer.session.messages import SequenceGuard, first_sequence_number
from viewer.session.records import Member, RosterEntry
from viewer.session.view_message import SessionView


class SessionState:
    username: str
    broker_url: str

    def _init_state(self) -> None:
        self.republished = 0  # times the retained messages were sent again (reconnect, bridge back, keep-fresh)
        self.drops: Counter[str] = Counter()  # DropReason value -> count
        self.last_error = ""
        self._lock = threading.RLock()
        # Held from taking a sequence number to handing the message to paho (and around reading what is kept
        # and sending it): two threads sending at once must not put a newer number on the wire first.
        self._send_lock = threading.RLock()
        self._session = ""
        self._seq = first_sequence_number(time.time_ns())
        self._guard = SequenceGuard()
        self._connection = ConnectionState.DISCONNECTED
        self._stopping = False
        self._client: Any = None
        self._following = True
        self._owner = ""
        self._leader = ""
        self._epoch = 0
        self._members: dict[str, Member] = {}
        self._states: dict[str, SessionView] = {}  # latest retained view per sender
        self._leader_camera: CameraState | None = None  # newest camera message of the current leader
        self._infos: dict[str, dict[str, str]] = {}  # document info per sender
        self._my_view: SessionView | None = None
        self._my_info: dict[str, str] | None = None
        self._documents = DocumentExchange(self.username)
        self._ended = False
        self._camera = CameraSender(self._send_camera, self._refresh_view)
        self._link_states: dict[str, bytes] = {}  # bridge connection name -> its last state payload
        self._keep_fresh_stop = threading.Event()

    def _send_camera(self, camera: CameraState) -> None:
        raise NotImplementedError

    def _refresh_view(self, camera: CameraState) -> None:
        raise NotImplementedError

    @property
    def session(self) -> str:
        return self._session

    @property
    def join_url(self) -> str:
        return join_url(self.broker_url, self._session)

    @property
    def connection(self) -> ConnectionState:
        return self._connection

    @property
    def leader(self) -> str:
        """The leader's username, "" while not known (a joiner before the retained leader record came)."""
        return self._leader

    @property
    def epoch(self) -> int:
        return self._epoch

    @property
    def is_leader(self) -> bool:
        return bool(self._leader) and self._leader == self.username

    @property
    def owner(self) -> str:
        """Who started the session (control is handed back to them)."""
        return self._owner

    @property
    def following(self) -> bool:
        return self._following

    @property
    def ended(self) -> bool:
        return self._ended

    @property
    def roster(self) -> tuple[RosterEntry, ...]:
        with self._lock:
            rows = sorted(self._members.items())
            return tuple(RosterEntry(u, m.name, m.site, u == self._leader, m.last_seen, m.following) for u, m in rows)

    @property
    def leader_view(self) -> SessionView | None:
        """The leader's latest view with its latest camera, None while none came."""
        with self._lock:
            view = self._states.get(self._leader)
            if view is not None and self._leader_camera is not None:
                view = view.with_camera(self._leader_camera)
            return view

    @property
    def session_document_hash(self) -> str:
        """The session document's SHA-256 as the leader (else the starter) announced it; "" when unknown."""
        with self._lock:
            info = self._infos.get(self._leader) or self._infos.get(self._owner) or self._my_info
            return str(info.get("document_hash", "")) if info else ""

    def document_differs(self, local_hash: str) -> bool:
        """True when the session announced a document hash and `local_hash` (see `document_hash`) is another."""
        announced = self.session_document_hash
        return bool(announced) and announced != local_hash
