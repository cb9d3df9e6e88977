"""A plant document sent through the session: its hash, the offer, 128 KiB chunks each hashed, the reassembly.

Nothing here applies a document: the receiver ends with bytes whose SHA-256 is the one offered, and the
window asks the user what to do with them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
from dataclasses import dataclass
from typing import Any

from viewer.io.plant_json import document_to_dict, dumps_document_data
from viewer.model import PlantDocument
from viewer.session.messages import CHUNK_BYTES, DropError, DropReason, SessionError

MAX_DOCUMENT_BYTES = 512 * 1024 * 1024  # an offer above this is refused before a byte is asked for
_HEX64 = frozenset("0123456789abcdef")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_bytes(document: PlantDocument) -> bytes:
    """The bytes a save writes (`dumps_document`): what both sides hash and what an offer carries."""
    return data_bytes(document_data(document))


def document_hash(document: PlantDocument) -> str:
    return sha256_hex(document_bytes(document))


def document_data(document: PlantDocument) -> dict[str, Any]:
    """What `data_bytes` turns into `document_bytes`: taken quickly on the thread that owns the document."""
    return document_to_dict(document)


def data_bytes(data: dict[str, Any]) -> bytes:
    """`document_bytes` of the document `data` was taken from (the slow part: any thread)."""
    return dumps_document_data(data).encode("utf-8")


def _is_hash(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX64


@dataclass(frozen=True, slots=True)
class DocumentOffer:
    sender: str
    hash: str
    name: str
    size: int
    chunks: int


@dataclass(frozen=True, slots=True)
class ReceivedDocument:
    """Bytes whose SHA-256 was checked against the offer's `hash`: the window decides what to do with them."""

    sender: str
    hash: str
    name: str
    data: bytes


def chunk_count(size: int) -> int:
    return max(1, -(-size // CHUNK_BYTES))


def offer_body(data: bytes, name: str) -> dict[str, Any]:
    size = len(data)
    return {"action": "offer", "hash": sha256_hex(data), "name": name, "size": size, "chunks": chunk_count(size)}


def offer_from_body(sender: str, body: dict[str, Any]) -> DocumentOffer:
    digest, name, size, chunks = body.get("hash"), body.get("name", ""), body.get("size"), body.get("chunks")
    if not _is_hash(digest) or not isinstance(name, str):
        raise DropError(DropReason.BAD_BODY, "document offer: expected a SHA-256 'hash' (hex) and a 'name'")
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_DOCUMENT_BYTES:
        raise DropError(DropReason.BAD_BODY, f"document offer: 'size' must be 0 to {MAX_DOCUMENT_BYTES} bytes")
    if chunks != chunk_count(size):
        raise DropError(DropReason.BAD_BODY, f"document offer: {chunks!r} chunks for {size} bytes")
    assert isinstance(digest, str)
    return DocumentOffer(sender, digest, name, size, chunk_count(size))


def chunk_bodies(data: bytes, to: str) -> list[dict[str, Any]]:
    """The chunk messages' bodies for the participant `to` that asked for the document."""
    digest, count = sha256_hex(data), chunk_count(len(data))
    out = []
    for index in range(count):
        part = data[index * CHUNK_BYTES : (index + 1) * CHUNK_BYTES]
        out.append(
            {
                "action": "chunk",
                "hash": digest,
                "to": to,
                "index": index,
                "count": count,
                "sha256": sha256_hex(part),
                "data": base64.b64encode(part).decode("ascii"),
            }
        )
    return out


class TransferError(Exception):
    """The transfer is refused: a chunk or the whole did not match its hash."""


class DocumentAssembly:
    """The chunks of one accepted offer, checked one by one and as a whole."""

    def __init__(self, offer: DocumentOffer) -> None:
        self.offer = offer
        self._parts: dict[int, bytes] = {}

    @property
    def received(self) -> int:
        return len(self._parts)

    def add(self, body: dict[str, Any]) -> ReceivedDocument | None:
        """Take one chunk body; the document once every chunk is in, TransferError on a bad chunk or whole."""
        index, count, digest, text = body.get("index"), body.get("count"), body.get("sha256"), body.get("data")
        if isinstance(index, bool) or not isinstance(index, int) or count != self.offer.chunks:
            raise TransferError(f"chunk {index!r}: expected an index below {self.offer.chunks} and count {count!r}")
        if not 0 <= index < self.offer.chunks or not _is_hash(digest) or not isinstance(text, str):
            raise TransferError(f"chunk {index}: expected index, 'sha256' and base64 'data'")
        try:
            part = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise TransferError(f"chunk {index + 1} of {self.offer.chunks}: its data is not base64") from None
        if sha256_hex(part) != digest:
            raise TransferError(f"chunk {index + 1} of {self.offer.chunks}: its SHA-256 does not match its data")
        self._parts[index] = part
        if len(self._parts) < self.offer.chunks:
            return None
        data = b"".join(self._parts[i] for i in range(self.offer.chunks))
        if len(data) != self.offer.size or sha256_hex(data) != self.offer.hash:
            raise TransferError(
                f"the document's SHA-256 is not the offered {self.offer.hash[:12]}…: refused ({len(data)} bytes)"
            )
        return ReceivedDocument(self.offer.sender, self.offer.hash, self.offer.name, data)


@dataclass(frozen=True, slots=True)
class DocumentFailure:
    hash: str
    reason: str


DocumentOutcome = DocumentOffer | ReceivedDocument | DocumentFailure | list[dict[str, Any]] | None


class DocumentExchange:
    """One participant's side of document transfers: what it offered, the offers it saw, the transfers it
    accepted. `receive` turns a `document` message into what follows from it: an offer to show, chunk bodies
    to send (to who asked for ours), a verified document, a refusal, or nothing (not for us)."""

    def __init__(self, username: str) -> None:
        self.username = username
        self._lock = threading.Lock()
        self._offered: dict[str, bytes] = {}  # hash -> data offered here
        self._offers: dict[str, DocumentOffer] = {}  # hash -> offers received
        self._assemblies: dict[str, DocumentAssembly] = {}  # hash -> accepted transfers under way

    def offer(self, data: bytes, name: str) -> dict[str, Any]:
        with self._lock:
            self._offered[sha256_hex(data)] = data
        return offer_body(data, name)

    def accept(self, document_hash: str) -> dict[str, Any]:
        with self._lock:
            offer = self._offers.get(document_hash)
            if offer is None:
                raise SessionError(f"no document {document_hash[:12]}… was offered")
            self._assemblies[document_hash] = DocumentAssembly(offer)
        return {"action": "request", "hash": document_hash, "to": offer.sender}

    def receive(self, sender: str, body: dict[str, Any]) -> DocumentOutcome:
        action, digest, to = body.get("action"), str(body.get("hash", "")), body.get("to")
        if action == "offer":
            offer = offer_from_body(sender, body)
            with self._lock:
                self._offers[offer.hash] = offer
            return offer
        if action == "request":
            with self._lock:
                data = self._offered.get(digest) if to == self.username else None
            return chunk_bodies(data, sender) if data is not None else None
        if action != "chunk":
            raise DropError(DropReason.BAD_BODY, f"document from {sender}: unknown action {action!r}")
        with self._lock:
            assembly = self._assemblies.get(digest) if to == self.username else None
        if assembly is None or assembly.offer.sender != sender:
            return None  # for someone else, or not accepted here
        try:
            done = assembly.add(body)
        except TransferError as exc:
            with self._lock:
                self._assemblies.pop(digest, None)
            return DocumentFailure(digest, str(exc))
        if done is not None:
            with self._lock:
                self._assemblies.pop(digest, None)
        return done
