"""The session client's events on the GUI thread.

SessionClient's psygnal signals fire on paho's network thread; widgets and the ViewState may only be touched on
the GUI thread. A SessionBridge lives on the GUI thread and re-emits each event as a Qt signal: receivers that
are methods of QObjects living there get them queued onto the GUI thread (Qt's automatic connection).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from viewer.session import SessionClient

# client signal -> bridge signal of the same name (the drops are counted on the client, not shown)
FORWARDED = tuple(name for name in SessionClient.signal_names() if name != "message_dropped")


class SessionBridge(QObject):
    connection_changed = Signal(str)
    roster_changed = Signal(object)  # tuple[RosterEntry, ...]
    leadership_changed = Signal(str, int)
    view_received = Signal(object)  # SessionView
    camera_received = Signal(object)  # CameraState
    pointer_moved = Signal(str, object)  # username, Vec3 | None
    topics_received = Signal(str, object, object)  # sender, list[Topic], list[str]
    control_requested = Signal(str)
    control_declined = Signal(str)
    document_info_changed = Signal(str)
    document_offered = Signal(object)  # DocumentOffer
    document_received = Signal(object)  # ReceivedDocument
    document_failed = Signal(str, str)
    session_ended = Signal(str)

    def __init__(self, client: SessionClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self._links: list[tuple[str, Callable[..., None]]] = []
        for name in FORWARDED:
            emit = getattr(self, name).emit

            def forward(*args: object, emit: Callable[..., None] = emit) -> None:
                emit(*args)

            getattr(client, name).connect(forward)
            self._links.append((name, forward))

    def detach(self) -> None:
        """No more events from this client (a session left: its late messages must not reach the window)."""
        for name, forward in self._links:
            getattr(self.client, name).disconnect(forward)
        self._links = []
        self.blockSignals(True)
