"""Remote troubleshooting sessions over the plant's MQTT broker: the wire format, the view as a message, one
participant's client, the document's hash, transfer and differences. No Qt, no VTK: the window listens."""

from viewer.session.client import SessionClient
from viewer.session.connection import ConnectionState, SessionCredentials, join_url, parse_join_url
from viewer.session.document_diff import document_differences
from viewer.session.document_transfer import (
    DocumentOffer,
    ReceivedDocument,
    data_bytes,
    document_bytes,
    document_data,
    document_hash,
    sha256_hex,
)
from viewer.session.messages import KIND_POLICY, DropReason, Kind, SessionError, new_session_id, parse_topic, topic_for
from viewer.session.records import RosterEntry
from viewer.session.view_message import ReplayCursor, SessionView, session_view_from_state

__all__ = [
    "KIND_POLICY",
    "ConnectionState",
    "DocumentOffer",
    "DropReason",
    "Kind",
    "ReceivedDocument",
    "ReplayCursor",
    "RosterEntry",
    "SessionClient",
    "SessionCredentials",
    "SessionError",
    "SessionView",
    "data_bytes",
    "document_bytes",
    "document_data",
    "document_differences",
    "document_hash",
    "join_url",
    "new_session_id",
    "parse_join_url",
    "parse_topic",
    "session_view_from_state",
    "sha256_hex",
    "topic_for",
]
