"""The plant between the session and the window: review topics made, changed or deleted anywhere appear
everywhere (one undo step on the receiving side, never echoed back), and the same plant on both sides: a
follower whose document differs from the session's is told, and may get the presenter's, only when it agrees."""

from __future__ import annotations

import contextlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from viewer.app.document import Message, Severity
from viewer.io.errors import PlantFileError
from viewer.io.plant_json import document_from_data
from viewer.model.review import Topic
from viewer.model.review_edit import PutTopics, RemoveTopics
from viewer.session import (
    DocumentOffer,
    ReceivedDocument,
    SessionError,
    data_bytes,
    document_data,
    document_differences,
    sha256_hex,
)
from viewer.ui.session.host import SessionHost
from viewer.ui.session.session_bar import SessionBar

if TYPE_CHECKING:
    from viewer.model import PlantDocument
    from viewer.session import SessionClient

ANNOUNCE_DELAY_MS = 1000  # the leader's edits settle before its document's hash is announced again
FROM_SESSION = "(from the session, not saved)"


def short(digest: str) -> str:
    return digest[:12] + "…" if digest else "unknown"


class PlantSync(QObject):
    _serialised = Signal(int, bytes)  # generation of the document, its bytes (from the worker thread)

    def __init__(self, window: SessionHost, bar: SessionBar) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self.window = window
        self.bar = bar
        self.client: SessionClient | None = None
        self.receiving = False  # topics from the session are being put on our stack: not sent back
        self.topics: dict[str, Topic] = {}  # the open document's topics as last seen (what changed is the rest)
        self.offers: dict[str, DocumentOffer] = {}  # hash -> offers seen
        self.wanted = ""  # the hash asked for before its offer came
        self.received: PlantDocument | None = None
        self.received_name = ""
        self.differences: list[str] = []  # what differs from the received plant, in words (tests read it)
        self.local_hash = ""
        # The open document's bytes (what a save writes) and their hash, taken once a change: a 10,000-equipment
        # plant takes over half a second to write out. None: not taken since the last change.
        self._bytes: bytes | None = None
        self._generation = 0  # counts the changes of the open document: bytes taken before one are stale
        self._serialising = -1  # the generation a worker is writing out (-1: none)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session-document")
        self.closed = False  # the window closed: the worker is gone
        self._serialised.connect(self._on_serialised)
        self._undo: object = None
        self._announce = QTimer(self)
        self._announce.setSingleShot(True)
        self._announce.setInterval(ANNOUNCE_DELAY_MS)
        self._announce.timeout.connect(self.announce)
        window.session.document_changed.connect(self._on_document)
        if window.session.document is not None:
            self._on_document(window.session.document)

    def attach(self, client: SessionClient | None) -> None:
        self.client = client
        self.offers, self.wanted = {}, ""
        if client is None:
            self.bar.close_bar("differs")

    # ------------------------------------------------------------ the document and its topics

    def _on_document(self, document: PlantDocument) -> None:
        undo = self.window.session.undo
        if undo is not None and undo is not self._undo:
            undo.changed.connect(self._on_changed)
            self._undo = undo
        self.topics = {t.guid: t for t in document.review.topics}
        self._forget_bytes()  # taken when a session needs them, not on every open
        self.check_same_plant()
        self._announce.start()

    def _forget_bytes(self) -> None:
        self._generation += 1
        self._bytes, self.local_hash = None, ""

    def _on_changed(self, *_: object) -> None:
        document = self.window.session.document
        if document is None:
            return
        now = {t.guid: t for t in document.review.topics}
        put = [t for guid, t in now.items() if self.topics.get(guid) != t]
        removed = [guid for guid in self.topics if guid not in now]
        self.topics = now
        self._forget_bytes()  # taken again when needed (it is the whole document)
        if self.client is not None and self.client.is_leader:
            self._announce.start()
        if (put or removed) and not self.receiving and self.client is not None and not self.client.ended:
            self.client.publish_topics(put, removed)

    def receive_topics(self, sender: str, put: list[Topic], removed: list[str]) -> None:
        """Topics of another participant: one undo step "Review: from <name>" here, not sent back."""
        session = self.window.session
        document, undo = session.document, session.undo
        if document is None or undo is None:
            return
        known = {t.guid for t in document.review.topics}
        gone = [guid for guid in removed if guid in known]
        text = f"Review: from {self.name_of(sender)}"
        commands = ([PutTopics(put, text=text)] if put else []) + ([RemoveTopics(gone, text=text)] if gone else [])
        if not commands:
            return
        self.receiving = True
        try:
            if len(commands) == 1:
                undo.push(commands[0])
            else:
                with undo.group(text):
                    for command in commands:
                        undo.push(command)
        finally:
            self.receiving = False

    def name_of(self, username: str) -> str:
        roster = self.client.roster if self.client is not None else ()
        return next((e.name for e in roster if e.username == username), username)

    def document_hash(self) -> str:
        document = self.window.session.document
        if document is None:
            return ""
        if self._bytes is None:
            self._keep_bytes(data_bytes(document_data(document)))
        return self.local_hash

    def _keep_bytes(self, data: bytes) -> None:
        self._bytes, self.local_hash = data, sha256_hex(data)

    # ------------------------------------------------------------ the same plant

    def announce(self) -> None:
        """(Leader) the session's document is ours: its hash, and an offer for whoever needs it."""
        client, document = self.client, self.window.session.document
        if client is None or document is None or not client.is_leader or client.ended or self.closed:
            return
        if self._bytes is None:  # changed since last taken: written out on the worker, announced when done
            if self._serialising != self._generation:
                self._serialising = generation = self._generation
                data = document_data(document)  # quick, here; the writing out is the slow part
                self._worker.submit(self._serialise, generation, data)
            return
        name = self.window.session.path.name if self.window.session.path else "plant.mtplant.json"
        if client.session_document_hash != self.local_hash:
            client.set_document(self.local_hash, name)
        client.offer_document(self._bytes, name)

    def shutdown(self) -> None:
        """The window closed: no more writing out (one under way finishes on its own; its result is dropped)."""
        self.closed = True
        self._worker.shutdown(wait=False, cancel_futures=True)

    def _serialise(self, generation: int, data: dict) -> None:
        """(The worker thread) the document's bytes, back on the GUI thread through a queued signal."""
        written = data_bytes(data)
        with contextlib.suppress(RuntimeError):  # the window closed meanwhile
            self._serialised.emit(generation, written)

    def _on_serialised(self, generation: int, data: bytes) -> None:
        if generation == self._serialising:
            self._serialising = -1
        if generation != self._generation:
            return  # changed again meanwhile: that change starts the announce timer again
        self._keep_bytes(data)
        self.announce()

    def check_same_plant(self) -> None:
        """(Follower) tell when the open plant is not the session's; the bar offers the presenter's."""
        client = self.client
        if client is None or client.is_leader or self.window.session.document is None:
            return
        theirs = client.session_document_hash
        if not client.document_differs(self.document_hash()):
            self.bar.close_bar("differs")
            return
        text = (
            f"Your plant differs from the presenter's (theirs {short(theirs)}, yours {short(self.document_hash())}): "
            "what you see may not be what they see."
        )
        choices = [("Get the presenter's plant", self.get_presenter_plant), ("Dismiss", lambda: None)]
        self.bar.ask("differs", text, choices)

    def info_changed(self, _digest: str) -> None:
        self.check_same_plant()

    def offered(self, offer: DocumentOffer) -> None:
        self.offers[offer.hash] = offer
        if offer.hash == self.wanted:
            self._accept(offer.hash)

    def get_presenter_plant(self) -> None:
        """Ask the presenter's window for its document (it comes in chunks, checked against its hash)."""
        if self.client is None:
            return
        digest = self.client.session_document_hash
        self.wanted = digest
        if digest in self.offers:
            self._accept(digest)
        else:
            self.window.statusBar().showMessage("Session: waiting for the presenter's plant…", 8000)

    def _accept(self, digest: str) -> None:
        if self.client is None:
            return
        self.wanted = ""
        try:
            self.client.accept_document(digest)
        except SessionError as exc:
            self.window._report([Message(Severity.WARNING, f"session: {exc}")])
            return
        self.window.statusBar().showMessage("Session: receiving the presenter's plant…", 8000)

    def document_received(self, received: ReceivedDocument) -> None:
        """The presenter's plant came (its hash checked): say what differs, open it only if the user agrees."""
        w = self.window
        try:
            text = received.data.decode("utf-8")
            document = document_from_data(json.loads(text), text, received.name, w.session.base_library, Path.cwd())
        except (UnicodeDecodeError, json.JSONDecodeError, PlantFileError, ValueError) as exc:
            w._report([Message(Severity.ERROR, f"the presenter's plant could not be read: {exc}", received.name)])
            return
        self.received, self.received_name = document, received.name
        local = w.session.document
        self.differences = document_differences(local, document) if local is not None else []
        said = "; ".join(self.differences) if self.differences else "the layouts agree (other parts of the file differ)"
        text = f"The presenter's plant ({received.name}): {said}. Open it here, untitled {FROM_SESSION}?"
        self.bar.ask("received", text, [("Open It", self.open_received), ("Keep Mine", lambda: None)])

    def document_failed(self, digest: str, reason: str) -> None:
        self.window._report([Message(Severity.WARNING, f"the presenter's plant was not received: {reason}")])

    def open_received(self) -> bool:
        """The received plant becomes the open one, untitled (Save asks where); False when the user kept theirs."""
        w = self.window
        document, self.received = self.received, None
        if document is None:
            return False
        editing = getattr(w, "editing", None)
        if editing is not None and not editing.confirm_discard("opening the presenter's plant"):
            return False
        w.session.set_document(document, None)
        if w.session.undo is not None:
            w.session.undo.set_unsaved()  # not on disk anywhere here: closing asks
        w.session.untitled_name = f"{self.received_name} {FROM_SESSION}"  # kept by the title until a save
        w._update_title()
        w._report([Message(Severity.INFO, f"opened the presenter's plant {self.received_name} {FROM_SESSION}")])
        return True
