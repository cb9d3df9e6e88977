"""OPC UA source (asyncua): browse a folder, subscribe to its variables, reconnect with back-off.

asyncua is asyncio-only; the source runs its own event loop in its own thread, so neither a GUI thread
nor another loop is ever blocked. Values go to the thread-safe store.

Security comes from the source's settings options: `security_policy` ("None", "Basic256Sha256",
"Aes128Sha256RsaOaep", "Aes256Sha256RsaPss"), `security_mode` ("Sign" or "SignAndEncrypt"), `certificate`
and `private_key` (paths to this client's certificate and unencrypted key, .der or .pem) and
`server_certificate` (path to the trusted server certificate). The user's password comes from the
environment variable or keyring the settings name, never from a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asyncua import Client, Node, ua
from asyncua.crypto import security_policies, uacrypto
from cryptography import x509

from viewer.sensors import Backoff, Quality, Sample, SampleBuffer, SettingsError, Source, SourceSettings, SourceStatus

MAX_BROWSE_DEPTH = 6
SECURITY_POLICIES = ("None", "Basic256Sha256", "Aes128Sha256RsaOaep", "Aes256Sha256RsaPss")
SECURITY_MODES = ("SignAndEncrypt", "Sign")
# The server turned the user down: retrying with the same credentials cannot help and may lock the account.
AUTH_REJECTED = frozenset({"BadUserAccessDenied", "BadIdentityTokenInvalid", "BadIdentityTokenRejected"})
# The server does not (yet) trust this client's certificate: an administrator may trust it, so keep trying.
CERT_REJECTED = frozenset(
    {"BadCertificateUntrusted", "BadSecurityChecksFailed", "BadCertificateInvalid", "BadCertificateUriInvalid"}
)


class SetupError(ua.UaError):
    """A connection that cannot work until the settings change: reported as DOWN and not retried."""


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
        security_policy: str = "None",
        security_mode: str = "SignAndEncrypt",
        certificate: str | Path = "",
        private_key: str | Path = "",
        server_certificate: str | Path = "",
        publishing_interval_ms: float = 100.0,
        tag_prefix: str = "",
        backoff: Backoff | None = None,
    ) -> None:
        """`root` is a browse path of names below the server root ("Objects/Plant"); every variable under it
        becomes a tag named by its path below the root. `nodes` binds tags to node ids explicitly instead.
        A `security_policy` other than "None" needs this client's `certificate` and `private_key`;
        SettingsError says what is missing."""
        super().__init__(store, name)
        self.url = url
        self.root = [part for part in root.split("/") if part]
        self.nodes = dict(nodes or {})
        self.username = username
        self._password = password
        self.security_policy = security_policy or "None"
        self.security_mode = security_mode or "SignAndEncrypt"
        self.certificate = Path(certificate) if certificate else None
        self.private_key = Path(private_key) if private_key else None
        self.server_certificate = Path(server_certificate) if server_certificate else None
        self._check_security()
        self.publishing_interval_ms = publishing_interval_ms
        self.tag_prefix = tag_prefix
        self.backoff = backoff or Backoff(initial=0.5, maximum=30.0)
        self.tags: list[str] = []
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def __repr__(self) -> str:  # never shows the password
        return f"OpcUaSource({self.name!r}, {self.url!r}, security={self.security_policy}/{self.security_mode})"

    @classmethod
    def from_settings(cls, store: SampleBuffer, settings: SourceSettings) -> OpcUaSource:
        options = settings.options
        if "security" in options:  # the old one-string form could carry a key password into the file
            raise SettingsError(
                "OPC UA option 'security' is no longer read; set security_policy, security_mode, certificate, "
                "private_key and server_certificate instead"
            )
        return cls(
            store,
            settings.url,
            root=options.get("root", "Objects"),
            nodes=options.get("nodes"),
            name=settings.name,
            username=settings.username,
            password=settings.password(),
            security_policy=options.get("security_policy", "None"),
            security_mode=options.get("security_mode", "SignAndEncrypt"),
            certificate=options.get("certificate", ""),
            private_key=options.get("private_key", ""),
            server_certificate=options.get("server_certificate", ""),
        )

    def _check_security(self) -> None:
        if self.security_policy not in SECURITY_POLICIES:
            raise SettingsError(
                f"OPC UA security policy {self.security_policy!r}: expected one of {', '.join(SECURITY_POLICIES)}"
            )
        if self.security_mode not in SECURITY_MODES:
            raise SettingsError(
                f"OPC UA security mode {self.security_mode!r}: expected one of {', '.join(SECURITY_MODES)}"
            )
        if self.security_policy == "None":
            return
        if self.certificate is None or self.private_key is None:
            raise SettingsError(f"OPC UA security {self.security_policy} needs a client certificate and private key")
        for what, path in (
            ("client certificate", self.certificate),
            ("private key", self.private_key),
            ("server certificate", self.server_certificate),
        ):
            if path is not None and not path.is_file():
                raise SettingsError(f"OPC UA {what} {path}: no such file")

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
            except SetupError as exc:
                self.set_status(SourceStatus.DOWN, f"{self.url}: {exc}")
                break
            except ua.UaStatusCodeError as exc:
                if self._stop.is_set():
                    break
                code = ua.StatusCode(exc.code).name
                if code in AUTH_REJECTED:
                    who = f"user {self.username!r}" if self.username else "anonymous access"
                    message = f"the server rejected {who} ({code}): check the user name and password"
                    self.set_status(SourceStatus.DOWN, f"{self.url}: {message}")
                    break
                if code in CERT_REJECTED:
                    message = f"the server does not trust this client's certificate {self.certificate} ({code})"
                else:
                    message = f"{type(exc).__name__}: {exc}"
                self.set_status(SourceStatus.RECONNECTING, f"{self.url}: {message}")
                await self._pause()
            except (OSError, TimeoutError, ua.UaError, ConnectionError) as exc:
                if self._stop.is_set():
                    break
                self.set_status(SourceStatus.RECONNECTING, f"{self.url}: {type(exc).__name__}: {exc}")
                await self._pause()

    async def _pause(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), self.backoff.next_delay())

    async def _session(self) -> None:
        client = Client(self.url, timeout=4)
        if self.username:
            client.set_user(self.username)
            if self._password is not None:
                client.set_password(self._password)
        await self._secure(client)
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

    async def _secure(self, client: Client) -> None:
        """Pick the server's endpoint for the configured policy and mode and set the client up for it.

        The endpoints are read over an unsecured channel (the discovery every OPC UA server allows), so a
        server that does not offer the configured security is named with what it does offer. Without a
        `server_certificate` the certificate the server sends there is used: the channel is encrypted but
        not proof against a man in the middle. With one, a different server certificate is refused.
        """
        policy: type[security_policies.SecurityPolicy] = getattr(
            security_policies, f"SecurityPolicy{self.security_policy}"
        )
        secure = policy is not security_policies.SecurityPolicyNone
        mode = getattr(ua.MessageSecurityMode, self.security_mode) if secure else ua.MessageSecurityMode.None_
        endpoints = await client.connect_and_get_server_endpoints()
        endpoint = next((e for e in endpoints if e.SecurityPolicyUri == policy.URI and e.SecurityMode == mode), None)
        if endpoint is None:
            offered = sorted({_security_name(e.SecurityPolicyUri, e.SecurityMode) for e in endpoints})
            wanted = _security_name(policy.URI, mode)
            raise SetupError(
                f"the server offers no endpoint with security {wanted}; it offers {', '.join(offered) or 'none'}. "
                "Set the source's security policy and mode (with a client certificate and key) to one of those"
            )
        if not secure:
            return
        assert self.certificate is not None and self.private_key is not None  # _check_security saw to it
        try:
            sent = uacrypto.x509_from_der(endpoint.ServerCertificate)
            if self.server_certificate is not None:
                trusted = await uacrypto.load_certificate(self.server_certificate)
                if sent is None or uacrypto.der_from_x509(sent) != uacrypto.der_from_x509(trusted):
                    raise SetupError(
                        f"the server's certificate is not the trusted one in {self.server_certificate}; "
                        "if the server's certificate was renewed, trust the new one"
                    )
            own = await uacrypto.load_certificate(self.certificate)
        except (OSError, ValueError) as exc:
            raise SetupError(f"cannot read a certificate: {type(exc).__name__}: {exc}") from None
        if sent is None:
            raise SetupError(f"the server sent no certificate for {self.security_policy}")
        # Servers compare the application URI a client announces with the one in its certificate.
        uri = _certificate_uri(own)
        if uri:
            client.application_uri = uri
        try:
            await client.set_security(
                policy, str(self.certificate), str(self.private_key), None, uacrypto.der_from_x509(sent), mode
            )
        except ValueError as exc:  # a key that is not a key, or does not fit the certificate
            raise SetupError(f"cannot use private key {self.private_key}: {exc}") from None

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


def _security_name(policy_uri: str, mode: ua.MessageSecurityMode) -> str:
    """Policy and mode as the settings name them (Basic256Sha256/SignAndEncrypt); None when unsecured."""
    if mode == ua.MessageSecurityMode.None_:
        return "None"
    return f"{policy_uri.rpartition('#')[2].replace('_', '')}/{mode.name}"


def _certificate_uri(certificate: x509.Certificate) -> str | None:
    with contextlib.suppress(x509.ExtensionNotFound):
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        uris = names.get_values_for_type(x509.UniformResourceIdentifier)
        return uris[0] if uris else None
    return None


async def _child_named(node: Node, name: str) -> Node:
    for child in await node.get_children():
        if (await child.read_browse_name()).Name == name:
            return child
    raise ua.UaError(f"no node named {name!r} under {node.nodeid.to_string()}")
