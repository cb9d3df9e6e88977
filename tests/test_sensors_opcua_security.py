"""OPC UA source against a real asyncua server (another process) that only offers Basic256Sha256
SignAndEncrypt and only lets a named user in with the right password.

The address space is made up here, so these tests need no third-party material. Certificates and keys are
generated into the test's temporary folder at test time; none is kept in the repository.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from asyncua.crypto import cert_gen
from cryptography.x509.oid import ExtendedKeyUsageOID
from mothertwin_builtin_sources.opcua import OpcUaSource
from sensor_fixtures import free_port, saved_source_without_secret, wait_for_port, wait_until

from viewer.sensors import Backoff, SampleBuffer, SensorSettings, SettingsError, SourceSettings, SourceStatus
from viewer.ui.sensors.dialogs import source_settings

CLIENT_URI = "urn:mothertwin:test-client"
USER = "viewer"
PASSWORD = "c0rrect-H0rse-OPC"  # the server's; the client gets it through PASSWORD_ENV
PASSWORD_ENV = "MT_TEST_OPCUA_PASSWORD"
CONNECT_TIMEOUT = 15.0  # RSA and a fresh interpreter on a loaded machine

SECURED_SERVER = r'''
"""An asyncua server offering only Basic256Sha256 SignAndEncrypt, trusting one client certificate, and
letting in one user whose password comes from the environment."""
import asyncio, os, sys
from asyncua import Server, ua
from asyncua.common.utils import ServiceError
from asyncua.crypto import uacrypto
from asyncua.crypto.permission_rules import User, UserRole


class Users:
    def get_user(self, iserver, username=None, password=None, certificate=None):
        if username == sys.argv[5] and password == os.environ["MT_TEST_SERVER_PASSWORD"]:
            return User(role=UserRole.User)
        return None


async def main(port, certificate, key, trusted_client):
    server = Server(user_manager=Users())
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/secured/")
    server.set_security_policy([ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt])
    server.set_identity_tokens([ua.UserNameIdentityToken])
    await server.load_certificate(certificate)
    await server.load_private_key(key)
    trusted = uacrypto.der_from_x509(await uacrypto.load_certificate(trusted_client))

    async def validate(cert, application):
        if uacrypto.der_from_x509(cert) != trusted:
            raise ServiceError(ua.StatusCodes.BadCertificateUntrusted)
        if application.ApplicationUri != sys.argv[6]:
            raise ServiceError(ua.StatusCodes.BadCertificateUriInvalid)

    server.set_certificate_validator(validate)
    idx = await server.register_namespace("urn:mothertwin:test-secured")
    line = await server.nodes.objects.add_object(idx, "Line")
    press = await line.add_object(idx, "PRS-01")
    count = await press.add_variable(idx, "count", 0)
    temperature = await press.add_variable(idx, "temperature", 20.0)
    state = await press.add_variable(idx, "state", "running")
    async with server:
        tick = 0
        while True:
            tick += 1
            await count.write_value(tick)
            await temperature.write_value(20.0 + tick * 0.25)
            await state.write_value("running" if tick % 10 else "idle")
            await asyncio.sleep(0.1)


asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]))
'''


@dataclass(frozen=True)
class Certificates:
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    stranger_cert: Path  # a valid certificate the server does not trust
    stranger_key: Path


@dataclass(frozen=True)
class SecuredServer:
    port: int
    certificates: Certificates
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"opc.tcp://127.0.0.1:{self.port}/secured/"


def _make_certificates(folder: Path) -> Certificates:
    async def make() -> None:
        for name, uri, use in (
            ("server", "urn:mothertwin:test-server", ExtendedKeyUsageOID.SERVER_AUTH),
            ("client", CLIENT_URI, ExtendedKeyUsageOID.CLIENT_AUTH),
            ("stranger", CLIENT_URI, ExtendedKeyUsageOID.CLIENT_AUTH),
        ):
            await cert_gen.setup_self_signed_certificate(
                folder / f"{name}_key.pem", folder / f"{name}_cert.der", uri, socket.gethostname(), [use], {}
            )

    asyncio.run(make())
    return Certificates(
        *(folder / f"{name}_{part}" for name in ("server", "client", "stranger") for part in ("cert.der", "key.pem"))
    )


@pytest.fixture(scope="module")
def secured_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredServer]:
    folder = tmp_path_factory.mktemp("opcua-secured")
    certificates = _make_certificates(folder)
    script = folder / "secured_server.py"
    script.write_text(SECURED_SERVER)
    port = free_port()
    env = {**os.environ, "MT_TEST_SERVER_PASSWORD": PASSWORD}  # not on the command line
    arguments = [certificates.server_cert, certificates.server_key, certificates.client_cert, USER, CLIENT_URI]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, str(script), str(port), *map(str, arguments)], stdout=log, stderr=log, env=env
    )
    try:
        wait_for_port(port, timeout=30.0)
        yield SecuredServer(port, certificates, process)
    finally:
        process.kill()
        process.wait(timeout=5)
        log.close()


def _settings(server: SecuredServer, **options: str) -> SourceSettings:
    """What a user saves: the security options and the name of the variable that holds the password."""
    certificates = server.certificates
    defaults = {
        "root": "Objects/Line",
        "security_policy": "Basic256Sha256",
        "security_mode": "SignAndEncrypt",
        "certificate": str(certificates.client_cert),
        "private_key": str(certificates.client_key),
        "server_certificate": str(certificates.server_cert),
    }
    options = {k: v for k, v in (defaults | options).items() if v}
    return SourceSettings("opcua", "secured", server.url, USER, password_env=PASSWORD_ENV, options=options)


def _source(settings: SourceSettings) -> OpcUaSource:
    source = OpcUaSource.from_settings(SampleBuffer(stale_after=10.0), settings)
    source.backoff = Backoff(initial=0.2, maximum=0.5, seed=1)
    return source


def _wait_for(source: OpcUaSource, status: SourceStatus) -> None:
    try:
        wait_until(lambda: source.status is status, CONNECT_TIMEOUT, str(status))
    except AssertionError as exc:  # say where the source got to instead
        raise AssertionError(f"{exc}; source is {source.status}: {source.last_error or 'no error'}") from None


def test_certificate_and_password_bring_values(secured_server, tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    # Through a saved settings file, the way the app keeps a source.
    path = tmp_path / "plant.mtsensors.json"
    SensorSettings(sources=[_settings(secured_server)]).save(path)
    (settings,) = SensorSettings.load(path).sources
    source = _source(settings)
    assert source.security_policy == "Basic256Sha256" and source.security_mode == "SignAndEncrypt"
    store = source.store
    with source:
        _wait_for(source, SourceStatus.CONNECTED)
        assert source.tags == ["PRS-01/count", "PRS-01/state", "PRS-01/temperature"]
        # The server has been counting since it started, so any count is above 0; all three must arrive.
        wait_until(lambda: all(store.latest(tag) for tag in source.tags), CONNECT_TIMEOUT, "a value of every tag")
        first = store.latest("PRS-01/count").value
        wait_until(lambda: store.latest("PRS-01/count").value >= first + 3, CONNECT_TIMEOUT, "counts flowing")
        count = store.latest("PRS-01/count").value
        assert store.latest("PRS-01/temperature").value == pytest.approx(20.0 + 0.25 * count, abs=1.0)
        assert store.latest("PRS-01/state").value in ("running", "idle")
        assert source.last_error == "" and source.counters.malformed == 0
    assert source.status is SourceStatus.STOPPED


def test_wrong_password_is_reported_and_not_retried(secured_server, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    source = _source(_settings(secured_server))
    with source:
        _wait_for(source, SourceStatus.DOWN)
        assert "BadUserAccessDenied" in source.last_error
        assert f"rejected user {USER!r}" in source.last_error and "password" in source.last_error
        assert "not-the-password" not in source.last_error
        # A refused password is not tried again (servers may lock the account): it stays down, quietly.
        wait_until(lambda: not source._thread.is_alive(), 5, "the connection thread ending")
        assert source.status is SourceStatus.DOWN and source.counters.reconnects == 0
        assert source.store.latest("PRS-01/count") is None
    assert source.status is SourceStatus.STOPPED  # and stopping it afterwards is fine


def test_no_security_against_a_secured_server_says_what_it_offers(secured_server, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    settings = _settings(secured_server, security_policy="", certificate="", private_key="", server_certificate="")
    assert "security_policy" not in settings.options
    source = _source(settings)
    with source:
        _wait_for(source, SourceStatus.DOWN)
        assert "offers no endpoint with security None" in source.last_error
        assert "it offers Basic256Sha256/SignAndEncrypt" in source.last_error


def test_untrusted_client_certificate_keeps_trying_and_says_why(secured_server, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    certificates = secured_server.certificates
    settings = _settings(
        secured_server, certificate=str(certificates.stranger_cert), private_key=str(certificates.stranger_key)
    )
    source = _source(settings)
    with source:
        # An administrator may still trust the certificate on the server, so the source keeps trying.
        _wait_for(source, SourceStatus.RECONNECTING)
        assert "does not trust this client's certificate" in source.last_error
        assert "BadCertificateUntrusted" in source.last_error and str(certificates.stranger_cert) in source.last_error


def test_a_server_certificate_other_than_the_trusted_one_is_refused(secured_server, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    stranger = secured_server.certificates.stranger_cert
    source = _source(_settings(secured_server, server_certificate=str(stranger)))
    with source:
        _wait_for(source, SourceStatus.DOWN)
        assert f"not the trusted one in {stranger}" in source.last_error


def test_security_settings_are_checked_before_connecting(secured_server):
    certificates = secured_server.certificates
    store = SampleBuffer()
    with pytest.raises(SettingsError, match="needs a client certificate and private key"):
        OpcUaSource(store, secured_server.url, security_policy="Basic256Sha256")
    with pytest.raises(SettingsError, match="security policy 'Basic128'"):
        OpcUaSource(store, secured_server.url, security_policy="Basic128")
    with pytest.raises(SettingsError, match="security mode 'Encrypt'"):
        OpcUaSource(store, secured_server.url, security_mode="Encrypt")
    with pytest.raises(SettingsError, match=r"server certificate .*missing\.der: no such file"):
        OpcUaSource(
            store,
            secured_server.url,
            security_policy="Basic256Sha256",
            certificate=certificates.client_cert,
            private_key=certificates.client_key,
            server_certificate=certificates.server_cert.parent / "missing.der",
        )
    # The old one-string form could carry a key password into the settings file: refused, naming the new options.
    old = SourceSettings("opcua", "old", secured_server.url, options={"security": "Basic256Sha256,SignAndEncrypt"})
    with pytest.raises(SettingsError, match="set security_policy, security_mode, certificate"):
        OpcUaSource.from_settings(store, old)


def test_password_never_reaches_saved_files(secured_server, tmp_path, monkeypatch, demo_path, library):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    certificates = secured_server.certificates
    # What the Connect Source dialog turns its fields into.
    fields = {
        "url": secured_server.url,
        "root": "Objects/Line",
        "security_policy": "Basic256Sha256",
        "security_mode": "SignAndEncrypt",
        "certificate": str(certificates.client_cert),
        "private_key": str(certificates.client_key),
        "server_certificate": str(certificates.server_cert),
        "username": USER,
        "password_env": PASSWORD_ENV,
    }
    settings = source_settings("opcua", fields)
    assert settings.options == _settings(secured_server).options
    assert settings.password() == PASSWORD
    source = OpcUaSource.from_settings(SampleBuffer(), settings)
    saved_source = saved_source_without_secret(settings, source, PASSWORD, tmp_path, demo_path, library)
    path = tmp_path / "plant.mtsensors.json"
    assert saved_source["password_env"] == PASSWORD_ENV
    assert saved_source["options"]["private_key"] == str(certificates.client_key)  # a path, never the key
    # The dialog says what is missing; a password written into the options by hand is refused on load.
    with pytest.raises(SettingsError, match="needs a client certificate"):
        source_settings("opcua", fields | {"certificate": ""})
    data = json.loads(path.read_text())
    data["sources"][0]["options"]["password"] = PASSWORD
    path.write_text(json.dumps(data))
    with pytest.raises(SettingsError, match=r"\.options\.password: secrets are not kept"):
        SensorSettings.load(path)
