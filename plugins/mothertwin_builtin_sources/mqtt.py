"""MQTT source (paho-mqtt): batched JSON payloads and Sparkplug B, reconnecting with back-off.

paho runs its network loop in its own thread (`loop_start`), so decoding never blocks a GUI thread;
values go to the thread-safe store. A payload that cannot be read is counted, never fatal.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

import paho.mqtt.client as mqtt

from mothertwin_builtin_sources import sparkplug
from viewer.sensors import (
    PayloadError,
    Quality,
    Sample,
    SampleBuffer,
    Source,
    SourceSettings,
    SourceStatus,
    decode_json,
    parse_mqtt_url,
)

SPARKPLUG_PREFIX = "spBv1.0/"


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
        self.address = parse_mqtt_url(url)
        self.topics = list(topics)
        self.request_rebirth = request_rebirth
        self._client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"mothertwin-{uuid.uuid4().hex[:12]}", clean_session=True
        )
        user = username or self.address.username
        if user:
            self._client.username_pw_set(user, password)
        if self.address.tls:
            self._client.tls_set(ca_certs=tls_ca)
        self._client.reconnect_delay_set(min_delay=reconnect_delay[0], max_delay=reconnect_delay[1])
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._keepalive = keepalive
        self._ever_connected = False
        # Sparkplug: alias -> metric name per edge node or device (set by births), and tags per node.
        self._aliases: dict[str, dict[int, str]] = {}
        self._node_tags: dict[str, set[str]] = {}

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
        self.set_status(SourceStatus.CONNECTING)
        self._client.connect_async(self.address.host, self.address.port, keepalive=self._keepalive)
        self._client.loop_start()

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
        self.set_status(SourceStatus.STOPPED)

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        if reason.is_failure:
            self.set_status(SourceStatus.RECONNECTING, f"broker refused the connection: {reason}")
            return
        self._ever_connected = True
        client.subscribe([(topic, 0) for topic in self.topics])
        self.set_status(SourceStatus.CONNECTED)

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        if self.status is SourceStatus.STOPPED:
            return
        # paho's loop reconnects by itself with its exponential back-off (reconnect_delay_set).
        self.set_status(
            SourceStatus.RECONNECTING, f"connection to {self.address.host}:{self.address.port} lost: {reason}"
        )

    # ------------------------------------------------------------ messages

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self.count_message()
        try:
            if message.topic.startswith(SPARKPLUG_PREFIX):
                samples = self._sparkplug(message.topic, message.payload)
            else:
                samples = decode_json(message.payload)
        except PayloadError as exc:
            self.count_malformed(f"{message.topic}: {exc}")
            return
        except Exception as exc:  # a bug in decoding must not kill paho's network thread
            self.count_malformed(f"{message.topic}: {type(exc).__name__}: {exc}")
            return
        if samples:
            self.publish(samples)

    def _sparkplug(self, topic_text: str, payload: bytes) -> list[Sample]:
        topic = sparkplug.parse_topic(topic_text)
        kind = topic.message_type
        if kind in ("NCMD", "DCMD", "STATE"):
            return []
        message = sparkplug.decode(payload)
        now_ms = message.timestamp or int(time.time() * 1000)
        key = topic.device_key
        if kind in ("NDEATH", "DDEATH"):
            return self._death(topic)
        if kind in ("NBIRTH", "DBIRTH"):
            if kind == "NBIRTH":
                # A node's new birth invalidates every alias of it and its devices.
                for known in [k for k in self._aliases if k == key or k.startswith(key + "/")]:
                    del self._aliases[known]
            aliases = self._aliases.setdefault(key, {})
            for metric in message.metrics:
                if metric.HasField("alias") and metric.name:
                    aliases[metric.alias] = metric.name
        aliases = self._aliases.get(key)
        if aliases is None and kind in ("NDATA", "DDATA"):
            self._ask_rebirth(topic)
            raise PayloadError(f"{kind} from {key} before its birth certificate")
        samples = []
        unknown = 0
        for metric in message.metrics:
            name = metric.name or (aliases or {}).get(metric.alias)
            if not name:
                unknown += 1
                continue
            value = sparkplug.metric_value(metric)
            if value is None:
                continue
            tag = f"{key}/{name}"
            self._node_tags.setdefault(topic.node_key, set()).add(tag)
            stamp = metric.timestamp or now_ms
            samples.append(Sample(tag, stamp / 1000.0, value))
        if unknown:
            self._ask_rebirth(topic)
            self.count_malformed(f"{topic_text}: {unknown} metric(s) with an alias not in the birth certificate")
        return samples

    def _death(self, topic: sparkplug.Topic) -> list[Sample]:
        """The node or device is gone: its tags keep their last value with bad quality, i.e. stale."""
        prefix = topic.device_key + "/"
        tags = [t for t in self._node_tags.get(topic.node_key, ()) if t.startswith(prefix)]
        now = time.time()
        out = []
        for tag in tags:
            last = self.store.latest(tag)
            if last is not None:
                out.append(Sample(tag, max(now, last.time), last.value, Quality.BAD))
        return out

    def _ask_rebirth(self, topic: sparkplug.Topic) -> None:
        if not self.request_rebirth:
            return
        payload = sparkplug.encode([{"name": "Node Control/Rebirth", "value": True}], int(time.time() * 1000))
        self._client.publish(f"spBv1.0/{topic.group}/NCMD/{topic.edge_node}", payload)
