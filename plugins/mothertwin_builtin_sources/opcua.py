"""OPC UA source (asyncua): browse a folder, subscribe to its variables, reconnect with back-off.

asyncua is asyncio-only; the source runs its own event loop in its own thread, so neither a GUI thread
nor another loop is ever blocked. Values go to the thread-safe store.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from datetime import UTC, datetime
from typing import Any

from asyncua import Client, Node, ua

from viewer.sensors import Backoff, Quality, Sample, SampleBuffer, Source, SourceSettings, SourceStatus

MAX_BROWSE_DEPTH = 6


class _Handler:
    """asyncua subscription handler: one callback per data change, on the source's loop."""

    def __init__(self, source: OpcUaSource, tags: dict[Any, str]) -> None:
        self.source = source
        self.tags = tags

    def datachange_notification(self, node: Node, value: Any, data: Any) -> None:
        self.source.count_message()
        tag = self.tags.get(node.nodeid)
        if tag is None:
            return
        data_value = data.monitored_item.Value
        stamp = data_value.SourceTimestamp or data_value.ServerTimestamp or datetime.now(UTC)
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)  # asyncua gives naive UTC datetimes
        quality = Quality.GOOD if data_value.StatusCode is None or data_value.StatusCode.is_good() else Quality.BAD
        if isinstance(value, int | float | str | bool):
            self.source.publish(
                [Sample(tag, stamp.timestamp(), value if isinstance(value, bool | str) else float(value), quality)]
            )
        else:
            self.source.count_malformed(f"{tag}: value of type {type(value).__name__} cannot be drawn")


class OpcUaSource(Source):
    kind = "opcua"

    def __init__(
        self,
        store: SampleBuffer,
        url: str,
        root: str = "Objects",
        nodes: dict[str, str] | None = None,
        name: str = "opcua",
        username: str = "",
        password: str | None = None,
        security: str | None = None,
        publishing_interval_ms: float = 100.0,
        tag_prefix: str = "",
        backoff: Backoff | None = None,
    ) -> None:
        """`root` is a browse path of names below the server root ("Objects/Plant"); every variable under it
        becomes a tag named by its path below the root. `nodes` binds tags to node ids explicitly instead.
        `security` is asyncua's string, e.g. "Basic256Sha256,SignAndEncrypt,cert.der,key.pem"."""
        super().__init__(store, name)
        self.url = url
        self.root = [part for part in root.split("/") if part]
        self.nodes = dict(nodes or {})
        self.username = username
        self._password = password
        self.security = security
        self.publishing_interval_ms = publishing_interval_ms
        self.tag_prefix = tag_prefix
        self.backoff = backoff or Backoff(initial=0.5, maximum=30.0)
        self.tags: list[str] = []
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    @classmethod
    def from_settings(cls, store: SampleBuffer, settings: SourceSettings) -> OpcUaSource:
        options = settings.options
        return cls(
            store,
            settings.url,
            root=options.get("root", "Objects"),
            nodes=options.get("nodes"),
            name=settings.name,
            username=settings.username,
            password=settings.password(),
            security=options.get("security"),
        )

    # ------------------------------------------------------------ life cycle

    def start(self) -> None:
        if self._thread is not None:
            return
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name=f"opcua-{self.name}", daemon=True)
        self._thread.start()
        ready.wait(timeout=5.0)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10.0)
            self._thread = None
        self.set_status(SourceStatus.STOPPED)

    def _run(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._main(ready))
        finally:
            self._loop.close()
            self._loop = None

    async def _main(self, ready: threading.Event) -> None:
        self._stop = asyncio.Event()
        ready.set()
        self.set_status(SourceStatus.CONNECTING)
        while not self._stop.is_set():
            try:
                await self._session()
            except (OSError, TimeoutError, ua.UaError, ConnectionError) as exc:
                if self._stop.is_set():
                    break
                self.set_status(SourceStatus.RECONNECTING, f"{self.url}: {type(exc).__name__}: {exc}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.backoff.next_delay())

    async def _session(self) -> None:
        client = Client(self.url, timeout=4)
        if self.username:
            client.set_user(self.username)
            if self._password is not None:
                client.set_password(self._password)
        if self.security:
            await client.set_security_string(self.security)
        async with client:
            tags = await self._resolve(client)
            handler = _Handler(self, {node.nodeid: tag for tag, node in tags.items()})
            subscription = await client.create_subscription(self.publishing_interval_ms, handler)
            await subscription.subscribe_data_change(list(tags.values()))
            self.tags = sorted(tags)
            self.backoff.reset()
            self.set_status(SourceStatus.CONNECTED)
            while not self._stop.is_set():
                try:
                    await asyncio.wait_for(self._stop.wait(), 0.5)
                except TimeoutError:
                    await client.check_connection()  # raises once the server is gone

    async def _resolve(self, client: Client) -> dict[str, Node]:
        if self.nodes:
            return {self.tag_prefix + tag: client.get_node(node_id) for tag, node_id in self.nodes.items()}
        node = client.nodes.root
        for name in self.root:
            node = await _child_named(node, name)
        found: dict[str, Node] = {}
        await self._browse(node, [], found, 0)
        return found

    async def _browse(self, node: Node, path: list[str], found: dict[str, Node], depth: int) -> None:
        if depth > MAX_BROWSE_DEPTH:
            return
        for child in await node.get_children():
            name = (await child.read_browse_name()).Name
            node_class = await child.read_node_class()
            if node_class == ua.NodeClass.Variable:
                found[self.tag_prefix + "/".join([*path, name])] = child
            elif node_class == ua.NodeClass.Object:
                await self._browse(child, [*path, name], found, depth + 1)


async def _child_named(node: Node, name: str) -> Node:
    for child in await node.get_children():
        if (await child.read_browse_name()).Name == name:
            return child
    raise ua.UaError(f"no node named {name!r} under {node.nodeid.to_string()}")
