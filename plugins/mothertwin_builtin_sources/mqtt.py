"""MQTT source (paho-mqtt): batched JSON payloads and Sparkplug B, reconnecting with back-off.

The MQTT client and the decoding run in a worker process. Drawing a big plant holds the interpreter lock
for hundreds of milliseconds per frame (VTK does not release it), and a network thread in the window's
own process would then stop reading, the broker's queue for us would fill, and it would drop values.
The worker reads the broker at its own pace and sends samples back as column batches a few times per
100 ms; a thread here puts each batch in the store with a handful of numpy calls.

Frames between the processes are our own format (a JSON header and raw arrays), never pickle: the values
come from the network.
"""

from __future__ import annotations

import contextlib
import json
import os
import ssl
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, BinaryIO

import numpy as np

from viewer.sensors import (
    BAD_CODE,
    BOOLEAN,
    NUMBER,
    TEXT,
    PayloadError,
    SampleBuffer,
    Source,
    SourceSettings,
    SourceStatus,
    check_tls_ca,
    decode_json_columns,
    parse_mqtt_url,
)

SPARKPLUG_PREFIX = "spBv1.0/"
FLUSH_SECONDS = 0.02  # how long the worker gathers values before sending a batch: latency vs. overhead
STOP_TIMEOUT = 5.0
MAX_BATCH_SHAPES = 10_000  # tag lists remembered per message shape (bounded: a sender may vary them)
_HEADER = struct.Struct("<I")
# CONNACK reasons (MQTT 5 numbering; paho maps 3.1.1's 4 and 5 to these) that retrying cannot cure.
CREDENTIALS_REFUSED = frozenset({134, 135})  # bad user name or password, not authorized


@dataclass(slots=True)
class WorkerConfig:
    url: str
    topics: list[str]
    username: str = ""
    password: str | None = None  # travels over the pipe only, never to disk or the command line
    tls_ca: str | None = None
    reconnect_delay: tuple[float, float] = (0.5, 30.0)
    keepalive: int = 30
    request_rebirth: bool = True
    flush_seconds: float = FLUSH_SECONDS


class MqttSource(Source):
    kind = "mqtt"

    def __init__(
        self,
        store: SampleBuffer,
        url: str,
        topics: Sequence[str] = ("#",),
        name: str = "mqtt",
        username: str = "",
        password: str | None = None,
        tls_ca: str | None = None,
        reconnect_delay: tuple[float, float] = (0.5, 30.0),
        keepalive: int = 30,
        request_rebirth: bool = True,
    ) -> None:
        super().__init__(store, name)
        self.address = parse_mqtt_url(url)  # a bad URL fails here, in the caller, not in the worker
        check_tls_ca(self.address, tls_ca)
        self.topics = list(topics)
        self._config = WorkerConfig(
            url, self.topics, username, password, tls_ca, reconnect_delay, keepalive, request_rebirth
        )
        self._process: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self._rows = np.zeros(0, np.int64)  # the worker's tag numbers -> the store's rows
        self._texts: list[str] = []

    @classmethod
    def from_settings(cls, store: SampleBuffer, settings: SourceSettings) -> MqttSource:
        options = settings.options
        return cls(
            store,
            settings.url,
            topics=options.get("topics", ["#"]),
            name=settings.name,
            username=settings.username,
            password=settings.password(),
            tls_ca=options.get("tls_ca"),
            reconnect_delay=(float(options.get("reconnect_min", 0.5)), float(options.get("reconnect_max", 30.0))),
        )

    # ------------------------------------------------------------ life cycle

    def start(self) -> None:
        self._stopping = False
        self.set_status(SourceStatus.CONNECTING)
        # A plain child interpreter running this module (not multiprocessing, which would import the
        # window's main module again first): the same on Windows and Linux, no forked Qt or VTK state.
        environment = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p and os.path.isdir(p))}
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=environment,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(asdict(self._config)).encode() + b"\n")
        self._process.stdin.flush()
        self._reader = threading.Thread(
            target=self._read, args=(self._process.stdout,), name=f"mqtt-{self.name}", daemon=True
        )
        self._reader.start()

    def stop(self) -> None:
        self._stopping = True
        process = self._process
        if process is not None:
            with contextlib.suppress(OSError, ValueError):  # the worker is gone already
                process.stdin.write(b"stop\n")
                process.stdin.close()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(1.0)
        if self._reader is not None:
            self._reader.join(STOP_TIMEOUT)
        self._process = self._reader = None
        self.set_status(SourceStatus.STOPPED)

    _stopping = False

    # ------------------------------------------------------------ frames from the worker

    def _read(self, stream: BinaryIO) -> None:
        try:
            while True:
                size = stream.read(_HEADER.size)
                frame = stream.read(_HEADER.unpack(size)[0]) if len(size) == _HEADER.size else b""
                if not frame:
                    break
                try:
                    self._on_frame(frame)
                except Exception as exc:  # a bug here must not end the reader: count it, go on
                    self.count_malformed(f"batch from the MQTT worker: {type(exc).__name__}: {exc}")
        finally:
            stream.close()
        if not self._stopping:
            code = self._process.poll() if self._process is not None else None
            self.set_status(SourceStatus.DOWN, f"the MQTT worker process ended unexpectedly (exit code {code})")

    def _on_frame(self, frame: bytes) -> None:
        (size,) = _HEADER.unpack_from(frame)
        header = json.loads(frame[_HEADER.size : _HEADER.size + size])
        if header["kind"] == "status":
            self.set_status(SourceStatus(header["status"]), header.get("error", ""))
            return
        self.counters.messages = header["messages"]
        self.counters.malformed = header["malformed"]
        if header.get("error"):
            self.last_error = header["error"]
        if header["tags"]:
            self._rows = np.concatenate([self._rows, self.store.tag_rows(header["tags"])])
        self._texts += header["texts"]
        count = header["count"]
        if not count:
            return
        body = memoryview(frame)[_HEADER.size + size :]
        numbers = np.frombuffer(body, np.int32, count, 0)
        offset = 4 * count
        times = np.frombuffer(body, np.float64, count, offset)
        values = np.frombuffer(body, np.float64, count, offset + 8 * count)
        kinds = np.frombuffer(body, np.int8, count, offset + 16 * count)
        qualities = np.frombuffer(body, np.int8, count, offset + 17 * count)
        self.counters.values += count
        self.store.put_rows(
            self._rows[numbers], times, values, qualities, source=self.name, kinds=kinds, texts=self._texts
        )


# ---------------------------------------------------------------- the worker process


def run_worker(commands: BinaryIO, data: BinaryIO) -> None:
    """The worker process: config on the first line of `commands`, column batches out on `data` until
    "stop" (or the window's end of the pipe closing)."""
    config = WorkerConfig(**json.loads(commands.readline()))
    config.reconnect_delay = tuple(config.reconnect_delay)  # type: ignore[assignment]
    stop = threading.Event()

    def listen() -> None:
        for line in commands:
            if line.strip() == b"stop":
                break
        stop.set()  # told to, or the window went away

    threading.Thread(target=listen, daemon=True).start()
    worker = _Worker(config, data)
    worker.start()
    try:
        while not stop.wait(config.flush_seconds):
            worker.flush()
    finally:
        worker.stop()
        worker.flush()
        with contextlib.suppress(OSError):
            data.close()


@dataclass(slots=True)
class _Pending:
    numbers: list[np.ndarray] = field(default_factory=list)
    times: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)
    kinds: list[np.ndarray] = field(default_factory=list)
    qualities: list[np.ndarray] = field(default_factory=list)


class _Worker:
    """The paho client and decoders. Tags and texts get numbers here; new ones travel once, in the next
    batch's header."""

    def __init__(self, config: WorkerConfig, data: BinaryIO) -> None:
        import paho.mqtt.client as mqtt

        self.config = config
        self.address = parse_mqtt_url(config.url)
        self.data = data
        self.lock = threading.Lock()
        self.send_lock = threading.Lock()  # paho's thread (status) and the flush loop both send
        self.pending = _Pending()
        self.tag_numbers: dict[str, int] = {}
        self.numbers_of_batch: dict[tuple[str, ...], np.ndarray] = {}
        self.new_tags: list[str] = []
        self.text_codes: dict[str, int] = {}
        self.new_texts: list[str] = []
        self.messages = self.malformed = 0
        self.sent_counts = (0, 0)
        self.error = ""
        # What each tag last was, so that a Sparkplug death can resend it with bad quality.
        self.last_value: dict[int, tuple[float, float, int]] = {}
        # Sparkplug: alias -> metric name per edge node or device (set by births), and tag numbers per node.
        self.aliases: dict[str, dict[int, str]] = {}
        self.node_tags: dict[str, set[int]] = {}
        self.stopping = False
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"mothertwin-{uuid.uuid4().hex[:12]}", clean_session=True
        )
        user = config.username or self.address.username
        if user:
            self.client.username_pw_set(user, config.password)
        self.setup_error = ""
        if self.address.tls:
            try:
                self.client.tls_set(ca_certs=config.tls_ca)
            except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError: a CA file that is not PEM
                self.setup_error = f"cannot use {config.tls_ca or 'the system CA certificates'} for TLS: {exc}"
        self.client.reconnect_delay_set(min_delay=config.reconnect_delay[0], max_delay=config.reconnect_delay[1])
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_connect_fail = self._on_connect_fail
        self.refused = False  # the last attempt got a CONNACK refusal, which says more than the disconnect after it
        self.client.on_message = self._on_message

    def start(self) -> None:
        if self.setup_error:
            self.status(SourceStatus.DOWN, self.setup_error)
            return
        self.client.connect_async(self.address.host, self.address.port, keepalive=self.config.keepalive)
        self.client.loop_start()

    def stop(self) -> None:
        self.stopping = True
        self.client.disconnect()
        self.client.loop_stop()

    # ------------------------------------------------------------ to the window

    def send(self, header: dict[str, Any], body: bytes = b"") -> None:
        text = json.dumps(header).encode()
        frame = _HEADER.pack(len(text)) + text + body
        with self.send_lock, contextlib.suppress(OSError, ValueError):  # the window closed its end: stop next
            self.data.write(_HEADER.pack(len(frame)) + frame)
            self.data.flush()

    def status(self, status: SourceStatus, error: str = "") -> None:
        # Data gathered before a status change goes first, so that order is kept.
        self.flush()
        self.send({"kind": "status", "status": str(status), "error": error})

    def flush(self) -> None:
        with self.lock:
            pending, self.pending = self.pending, _Pending()
            tags, self.new_tags = self.new_tags, []
            texts, self.new_texts = self.new_texts, []
            counts = (self.messages, self.malformed, self.error)
            self.error = ""
        count = sum(len(a) for a in pending.numbers)
        if not count and not tags and not texts and counts[:2] == self.sent_counts:
            return
        self.sent_counts = counts[:2]
        body = b"".join(
            np.concatenate(parts).astype(dtype).tobytes() if parts else b""
            for parts, dtype in (
                (pending.numbers, np.int32),
                (pending.times, np.float64),
                (pending.values, np.float64),
                (pending.kinds, np.int8),
                (pending.qualities, np.int8),
            )
        )
        header = {"kind": "data", "count": count, "tags": tags, "texts": texts, "messages": counts[0]}
        header.update(malformed=counts[1], error=counts[2])
        self.send(header, body)

    # ------------------------------------------------------------ paho callbacks (paho's thread)

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        self.refused = reason.is_failure
        if reason.value in CREDENTIALS_REFUSED:
            # The same password will be refused again; retrying only risks an account lock-out: stay down.
            self.stopping = True
            client.disconnect()
            user = self.config.username or self.address.username
            self.status(
                SourceStatus.DOWN,
                f"broker {self.address.host}:{self.address.port} refused user {user!r}: {reason}; "
                "check the user name and password (not retrying)",
            )
            return
        if reason.is_failure:
            self.status(SourceStatus.RECONNECTING, f"broker refused the connection: {reason}")
            return
        client.subscribe([(topic, 0) for topic in self.config.topics])
        self.status(SourceStatus.CONNECTED)

    def _on_connect_fail(self, client: Any, userdata: Any) -> None:
        # paho passes no exception, but calls this while handling the OSError from connecting (refused,
        # TLS handshake): without this a wrong CA would leave the source "connecting" with no reason given.
        error = sys.exception()
        text = f"connection to {self.address.host}:{self.address.port} failed: {error or 'unknown error'}"
        if isinstance(error, ssl.SSLCertVerificationError):
            text += "; the broker's certificate is not trusted: set tls_ca to the CA that signed it"
        self.status(SourceStatus.RECONNECTING, text)

    def _on_disconnect(self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        refused, self.refused = self.refused, False
        if self.stopping or refused:
            return
        # paho's loop reconnects by itself with its exponential back-off (reconnect_delay_set).
        self.status(SourceStatus.RECONNECTING, f"connection to {self.address.host}:{self.address.port} lost: {reason}")

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        with self.lock:
            self.messages += 1
        try:
            if message.topic.startswith(SPARKPLUG_PREFIX):
                self._sparkplug(message.topic, message.payload)
            else:
                decoded = decode_json_columns(message.payload)
                self._add(decoded.tags, decoded.times, decoded.values, decoded.qualities)
        except PayloadError as exc:
            self._count_malformed(f"{message.topic}: {exc}")
        except Exception as exc:  # a bug in decoding must not kill paho's network thread
            self._count_malformed(f"{message.topic}: {type(exc).__name__}: {exc}")

    def _count_malformed(self, reason: str) -> None:
        with self.lock:
            self.malformed += 1
            self.error = reason

    def _add(self, tags: Sequence[str], times: np.ndarray, values: Sequence[Any], qualities: np.ndarray) -> None:
        count = len(tags)
        if not count:
            return
        kinds = np.zeros(count, np.int8)
        with self.lock:
            # A publisher sends the same tags in the same order message after message: one lookup per message.
            key = tuple(tags)
            numbers = self.numbers_of_batch.get(key)
            if numbers is None:
                numbers = self._numbers(tags)
                if len(self.numbers_of_batch) < MAX_BATCH_SHAPES:
                    self.numbers_of_batch[key] = numbers
            others = [i for i, value in enumerate(values) if type(value) is not float]
            if others:
                values = list(values)
                for i in others:
                    value = values[i]
                    if type(value) is str:
                        code = self.text_codes.get(value)
                        if code is None:
                            code = self.text_codes[value] = len(self.text_codes)
                            self.new_texts.append(value)
                        values[i], kinds[i] = code, TEXT
                    elif type(value) is bool:
                        values[i], kinds[i] = float(value), BOOLEAN
                    else:
                        kinds[i] = NUMBER
            self.pending.numbers.append(numbers)
            self.pending.times.append(np.asarray(times, float))
            self.pending.values.append(np.array(values, dtype=float))
            self.pending.kinds.append(kinds)
            self.pending.qualities.append(np.asarray(qualities, np.int8))

    def _numbers(self, tags: Sequence[str]) -> np.ndarray:
        known = self.tag_numbers
        numbers = np.empty(len(tags), np.int32)
        for i, tag in enumerate(tags):
            number = known.get(tag)
            if number is None:
                number = known[tag] = len(known)
                self.new_tags.append(tag)
            numbers[i] = number
        return numbers

    # ------------------------------------------------------------ Sparkplug B

    def _sparkplug(self, topic_text: str, payload: bytes) -> None:
        from mothertwin_builtin_sources import sparkplug

        topic = sparkplug.parse_topic(topic_text)
        kind = topic.message_type
        if kind in ("NCMD", "DCMD", "STATE"):
            return
        message = sparkplug.decode(payload)
        now_ms = message.timestamp or int(time.time() * 1000)
        key = topic.device_key
        if kind in ("NDEATH", "DDEATH"):
            self._death(topic)
            return
        if kind in ("NBIRTH", "DBIRTH"):
            if kind == "NBIRTH":
                # A node's new birth invalidates every alias of it and its devices.
                for known in [k for k in self.aliases if k == key or k.startswith(key + "/")]:
                    del self.aliases[known]
            aliases = self.aliases.setdefault(key, {})
            for metric in message.metrics:
                if metric.HasField("alias") and metric.name:
                    aliases[metric.alias] = metric.name
        aliases = self.aliases.get(key)
        if aliases is None and kind in ("NDATA", "DDATA"):
            self._ask_rebirth(topic)
            raise PayloadError(f"{kind} from {key} before its birth certificate")
        tags: list[str] = []
        times: list[float] = []
        values: list[Any] = []
        unknown = 0
        for metric in message.metrics:
            name = metric.name or (aliases or {}).get(metric.alias)
            if not name:
                unknown += 1
                continue
            value = sparkplug.metric_value(metric)
            if value is None:
                continue
            tags.append(f"{key}/{name}")
            times.append((metric.timestamp or now_ms) / 1000.0)
            values.append(value if isinstance(value, str | bool) else float(value))
        self._add(tags, np.array(times), values, np.zeros(len(tags), np.int8))
        with self.lock:
            numbers = [self.tag_numbers[t] for t in tags]
        node = self.node_tags.setdefault(topic.node_key, set())
        node.update(numbers)
        for number, t, value in zip(numbers, times, values, strict=True):
            self.last_value[number] = (t, value)  # type: ignore[assignment]
        if unknown:
            self._ask_rebirth(topic)
            self._count_malformed(f"{topic_text}: {unknown} metric(s) with an alias not in the birth certificate")

    def _death(self, topic: Any) -> None:
        """The node or device is gone: its tags keep their last value with bad quality, i.e. stale."""
        prefix = topic.device_key + "/"
        names = {number: tag for tag, number in self.tag_numbers.items()}
        gone = [n for n in self.node_tags.get(topic.node_key, ()) if names[n].startswith(prefix)]
        now = time.time()
        tags, times, values = [], [], []
        for number in gone:
            last = self.last_value.get(number)
            if last is not None:
                tags.append(names[number])
                times.append(max(now, last[0]))
                values.append(last[1])
        self._add(tags, np.array(times), values, np.full(len(tags), BAD_CODE, np.int8))

    def _ask_rebirth(self, topic: Any) -> None:
        if not self.config.request_rebirth:
            return
        from mothertwin_builtin_sources import sparkplug

        payload = sparkplug.encode([{"name": "Node Control/Rebirth", "value": True}], int(time.time() * 1000))
        self.client.publish(f"spBv1.0/{topic.group}/NCMD/{topic.edge_node}", payload)


if __name__ == "__main__":
    # Stray prints must not end up in the data stream.
    _data, sys.stdout = sys.stdout.buffer, sys.stderr
    run_worker(sys.stdin.buffer, _data)
