"""Live sources of the window: the application layer's `SourceManager` (viewer.app.sources) with its
notices handed over as Qt signals.

No widgets. The manager's psygnal signals fire on connecting and stopping threads; they are re-emitted here
as Qt signals of a QObject living on the GUI thread, so receivers connected the default way get them queued
on the GUI thread, as widget updates must.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from viewer.app.document import Message
from viewer.app.sources import STOP_TIMEOUT, SourceLoader, SourceRow, build_source, describe
from viewer.app.sources import SourceManager as SourceRunner
from viewer.sensors import Bindings, SampleBuffer, Source, SourceSettings


class SourceManager(QObject):
    """The live sources feeding one store. Signals are emitted from worker threads: connect them queued
    (the default for a QObject living on the GUI thread)."""

    message = Signal(object)  # Message
    sources_changed = Signal()

    def __init__(self, store: SampleBuffer, plugins: SourceLoader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = SourceRunner(store, plugins)
        self.runner.notice.connect(self.message.emit)
        self.runner.sources_changed.connect(self.sources_changed.emit)

    @property
    def store(self) -> SampleBuffer:
        return self.runner.store

    @property
    def plugins(self) -> SourceLoader:
        return self.runner.plugins

    def unique_name(self, base: str) -> str:
        return self.runner.unique_name(base)

    def connect_source(self, settings: SourceSettings, bindings: Bindings) -> str:
        """Create and start a source on a worker thread; returns its (unique) name at once."""
        return self.runner.connect_source(settings, bindings)

    def disconnect_source(self, name: str) -> None:
        """Stop a source off the GUI thread; its tags go stale (their source is stopped)."""
        self.runner.disconnect_source(name)

    def stop_all(self) -> None:
        """Window closing: stop every source, waiting a bounded time for each."""
        self.runner.stop_all()

    def sources(self) -> list[Source]:
        return self.runner.sources()

    def source(self, name: str) -> Source | None:
        return self.runner.source(name)

    def rows(self) -> list[SourceRow]:
        return self.runner.rows()

    def poll_transitions(self) -> list[Message]:
        """Status changes since the last poll, as messages (called on the GUI thread's timer)."""
        return self.runner.poll_transitions()


__all__ = ["STOP_TIMEOUT", "SourceManager", "SourceRow", "build_source", "describe"]
