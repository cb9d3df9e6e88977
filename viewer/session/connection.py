"""The broker side of a session: the login (password from the environment or the keyring, TLS), the join
URL, and a paho-mqtt 2.x MQTT v5 client set up to keep its subscriptions across reconnects."""

from __future__ import annotations

import ssl
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from viewer.sensors import SourceSettings, parse_mqtt_url
from viewer.sensors.config import BrokerAddress
from viewer.session.messages import SessionError, check_session_id

SESSION_EXPIRY = 300  # seconds the broker keeps our subscription while we are away (clean_start False)
CREDENTIALS_REFUSED = frozenset({134, 135})  # CONNACK: bad user name or password, not authorized


class ConnectionState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    REFUSED = "refused"  # the broker refused the login: not retried (a lock-out risk)
    DISCONNECTED = "disconnected"


@dataclass(frozen=True, slots=True)
class SessionCredentials:
    """The broker login. The password comes from the environment variable `password_env` or the keyring, as
    the sensor sources' does, and is never kept on this object, written to a file or put on a command line."""

    username: str
    password_env: str = ""
    keyring_service: str = ""
    tls_ca: str | None = None  # CA certificate file for mqtts:// (else the system's)

    def password(self) -> str | None:
        settings = SourceSettings(
            kind="mqtt",
            name="session",
            username=self.username,
            password_env=self.password_env,
            keyring_service=self.keyring_service,
        )
        return settings.password()


def join_url(broker_url: str, session: str) -> str:
    """mqtt[s]://host:port/<session id>: what a presenter hands out."""
    address = parse_mqtt_url(broker_url)
    scheme = "mqtts" if address.tls else "mqtt"
    return f"{scheme}://{address.host}:{address.port}/{check_session_id(session)}"


def parse_join_url(url: str) -> tuple[str, str]:
    """(broker URL, session id) of a join URL; SessionError naming what is wrong."""
    try:
        address = parse_mqtt_url(url)
    except ValueError as exc:
        raise SessionError(f"join URL: {exc}") from None
    session = urlsplit(url).path.strip("/")
    if not session:
        raise SessionError(f"join URL {url!r}: expected mqtt[s]://HOST:PORT/SESSION_ID")
    scheme = "mqtts" if address.tls else "mqtt"
    user = f"{address.username}@" if address.username else ""
    return f"{scheme}://{user}{address.host}:{address.port}", check_session_id(session)


def session_of_join_url(url: str, address: BrokerAddress) -> str:
    """The session id of a join URL that names the broker at `address`; SessionError for another broker."""
    broker, session = parse_join_url(url)
    joined = parse_mqtt_url(broker)
    if (joined.host, joined.port) != (address.host, address.port):
        raise SessionError(f"join URL {url!r} names broker {joined.host}:{joined.port}, this client's is "
                           f"{address.host}:{address.port}")  # fmt: skip
    return session


def connect_failure_text(address: BrokerAddress, error: BaseException | None) -> str:
    """Why connecting failed (paho passes no exception to on_connect_fail; it is the one being handled)."""
    text = f"connection to {address.host}:{address.port} failed: {error or 'unknown error'}"
    if isinstance(error, ssl.SSLCertVerificationError):
        text += "; the broker's certificate is not trusted: give the CA that signed it"
    return text


def connect_properties() -> Any:
    """CONNECT properties: the broker keeps the session (subscriptions, queued QoS 1) for SESSION_EXPIRY s."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = SESSION_EXPIRY
    return properties


def new_mqtt_client(
    address: BrokerAddress,
    credentials: SessionCredentials,
    username: str,
    will_topic: str,
    reconnect_delay: tuple[int, int],
) -> Any:
    """A paho client (not connected) with the login, TLS and a Last Will that clears `will_topic` (retained)."""
    import paho.mqtt.client as mqtt

    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=f"mothertwin-{username}-{uuid.uuid4().hex[:10]}",
        protocol=mqtt.MQTTv5,
    )
    client.username_pw_set(username, credentials.password())
    if address.tls:
        try:
            client.tls_set(ca_certs=credentials.tls_ca)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError: a CA file that is not PEM
            where = credentials.tls_ca or "the system CA certificates"
            raise SessionError(f"cannot use {where} for TLS: {exc}") from None
    client.will_set(will_topic, b"", qos=1, retain=True)
    client.reconnect_delay_set(min_delay=reconnect_delay[0], max_delay=reconnect_delay[1])
    return client
