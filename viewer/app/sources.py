"""The live sources feeding one store: created through the plugins, started off the caller's thread,
polled for status. No Qt: the window, a follow-me session or a command line run the same manager.

Creating a source can touch the network or a file (OPC UA, a recording), so it happens on a short-lived
thread; whoever polls only reads counters and statuses, never waits on a socket. Passwords come from the
environment variable the settings name and never reach the plant document.

`notice` and `sources_changed` are psygnal signals emitted on the thread that made the change (a
connecting or stopping thread, or the caller's): a GUI hands them over to its own thread.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from psygnal import Signal

from viewer.app.document import Message, Severity
from viewer.sensors import Bindings, SampleBuffer, Source, SourceSettings, SourceStatus
from viewer.sensors.plugins import PluginError, PluginRegistry

STOP_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class SourceRow:
    name: str
    kind: str
    address: str
    status: str
    messages: int
    values: int
    malformed: int
    reconnects: int
    error: str


class SourceLoader(Protocol):
    """What creates source classes: the window's plugins controller, or a plugin registry."""

    def load_source(self, kind: str) -> type[Source]:
        """The source class of a kind; PluginError when it cannot be had."""
        ...


@dataclass(frozen=True, slots=True)
class RegistrySources:
    """A plugin registry as a source loader (no window: no user's on/off choice to keep)."""

    registry: PluginRegistry

    def load_source(self, kind: str) -> type[Source]:
        cls: type[Source] = self.registry.load("source", kind)
        return cls


def describe(settings: SourceSettings) -> str:
    if settings.kind == "simulator":
        return f"built-in simulator, {settings.options.get('rate', 1.0):g} Hz"
    extra = " (Sparkplug B)" if settings.options.get("sparkplug") else ""
    return (settings.url or settings.kind) + extra


def build_source(cls: type[Source], store: SampleBuffer, settings: SourceSettings, bindings: Bindings) -> Source:
    """A source object from its settings; the simulator needs the bindings to know what to simulate."""
    if settings.kind == "simulator":
        options = settings.options
        simulator: Any = cls  # its own constructor, not the Source one
        made: Source = simulator(
            store, bindings, seed=int(options.get("seed", 0)), rate=float(options.get("rate", 1.0)), name=settings.name
        )
        return made
    return cls.from_settings(store, settings)  # type: ignore[attr-defined]


class SourceManager:
    """The live sources feeding one store. Signals are emitted from worker threads."""

    notice = Signal(object)  # a Message: a source started, failed, went stale, came back
    sources_changed = Signal()

    def __init__(self, store: SampleBuffer, plugins: SourceLoader) -> None:
        self.store = store
        self.plugins = plugins
        self._lock = threading.Lock()
        self._sources: dict[str, tuple[SourceSettings, Source]] = {}
        self._pending: dict[str, SourceSettings] = {}
        self._last_status: dict[str, str] = {}
        self._threads: list[threading.Thread] = []

    def unique_name(self, base: str) -> str:
        with self._lock:
            taken = set(self._sources) | set(self._pending)
        name, n = base, 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        return name

    def connect_source(self, settings: SourceSettings, bindings: Bindings) -> str:
        """Create and start a source on a worker thread; returns its (unique) name at once."""
        settings.name = self.unique_name(settings.name or settings.kind)
        with self._lock:
            self._pending[settings.name] = settings
        thread = threading.Thread(
            target=self._create, args=(settings, bindings), name=f"connect-{settings.name}", daemon=True
        )
        self._threads.append(thread)
        thread.start()
        self.sources_changed.emit()
        return settings.name

    def _create(self, settings: SourceSettings, bindings: Bindings) -> None:
        try:
            cls = self.plugins.load_source(settings.kind)
            source = build_source(cls, self.store, settings, bindings)
            source.start()
        except PluginError as exc:
            self._failed(settings, str(exc))
            return
        except Exception as exc:  # a bad address or file: reported, never raised into the caller
            self._failed(settings, f"{type(exc).__name__}: {exc}")
            return
        with self._lock:
            self._pending.pop(settings.name, None)
            self._sources[settings.name] = (settings, source)
        self.notice.emit(Message(Severity.INFO, f"source {settings.name} started: {describe(settings)}"))
        self.sources_changed.emit()

    def _failed(self, settings: SourceSettings, reason: str) -> None:
        with self._lock:
            self._pending.pop(settings.name, None)
        self.notice.emit(Message(Severity.ERROR, f"source {settings.name} could not start: {reason}"))
        self.sources_changed.emit()

    def disconnect_source(self, name: str) -> None:
        """Stop a source off the caller's thread; its tags go stale (their source is stopped)."""
        with self._lock:
            entry = self._sources.pop(name, None)
        if entry is None:
            return
        thread = threading.Thread(target=entry[1].stop, name=f"stop-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()
        self._last_status.pop(name, None)
        self.notice.emit(Message(Severity.INFO, f"source {name} disconnected"))
        self.sources_changed.emit()

    def stop_all(self) -> None:
        """Closing: stop every source, waiting a bounded time for each."""
        with self._lock:
            entries = list(self._sources.values())
            self._sources.clear()
        for _, source in entries:
            with contextlib.suppress(Exception):  # closing anyway: a source that fails to stop must not stop that
                source.stop()
        for thread in self._threads:
            thread.join(timeout=STOP_TIMEOUT)
        self._threads.clear()

    def sources(self) -> list[Source]:
        with self._lock:
            return [source for _, source in self._sources.values()]

    def source(self, name: str) -> Source | None:
        with self._lock:
            entry = self._sources.get(name)
        return entry[1] if entry else None

    def rows(self) -> list[SourceRow]:
        with self._lock:
            entries = list(self._sources.values())
            pending = list(self._pending.values())
        rows = [
            SourceRow(
                s.name,
                s.kind,
                describe(s),
                str(src.status),
                src.counters.messages,
                src.counters.values,
                src.counters.malformed,
                src.counters.reconnects,
                src.last_error,
            )
            for s, src in entries
        ]
        rows += [SourceRow(s.name, s.kind, describe(s), "connecting", 0, 0, 0, 0, "") for s in pending]
        return rows

    def poll_transitions(self) -> list[Message]:
        """Status changes since the last poll, as notices (called from one thread: the poller's)."""
        out = []
        for source in self.sources():
            status = str(source.status)
            before = self._last_status.get(source.name)
            if status == before:
                continue
            self._last_status[source.name] = status
            if status in (SourceStatus.RECONNECTING, SourceStatus.DOWN):
                reason = f": {source.last_error}" if source.last_error else ""
                out.append(
                    Message(Severity.WARNING, f"source {source.name} {status}{reason}; its values are stale")
                )
            elif status == SourceStatus.CONNECTED and before is not None:
                out.append(Message(Severity.INFO, f"source {source.name} connected again"))
        return out
