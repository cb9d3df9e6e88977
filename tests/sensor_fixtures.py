"""Fixtures for the sensor tests: real peers (a Mosquitto broker, an asyncua server) on loopback.

Import the fixtures you use into a test module (`from sensor_fixtures import mosquitto_broker`); the
processes are killed at teardown whatever the test did.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def simulate_command(url: str, demo_path: Path, *options: str) -> list[str]:
    """`mothertwin simulate` of the demo's mother plant to the broker at `url`, as a fresh interpreter runs it."""
    return [sys.executable, "-m", "viewer.cli", "simulate", str(demo_path), "--mqtt", url,
            "--site", "Ochang mother plant", *options]  # fmt: skip


def saved_source_without_secret(
    settings: object, source: object, secret: str, tmp_path: Path, demo_path: Path, library: object
) -> dict:
    """Save `settings` and the demo plant next to each other and check `secret` is in neither file, nor in the
    source's repr; returns the saved source entry (for checks of what was saved instead)."""
    import json

    from viewer.io import load_document, save_document
    from viewer.sensors import SensorSettings

    assert secret not in repr(source)
    path = tmp_path / "plant.mtsensors.json"
    SensorSettings(sources=[settings]).save(path)
    document_path = tmp_path / "plant.mtplant.json"
    save_document(load_document(demo_path, library), document_path)
    for saved in (path, document_path):
        assert secret not in saved.read_text()
    return json.loads(path.read_text())["sources"][0]


def plugin_package(root: Path, package: str, manifest: str, monkeypatch: pytest.MonkeyPatch, **modules: str) -> Path:
    """A plugin package on the import path: `manifest` (Python) is its __init__, after the manifest classes are
    imported; `modules` are more modules by name."""
    folder = root / package
    folder.mkdir()
    (folder / "__init__.py").write_text(
        "from viewer.sensors.plugins import Contribution, PluginManifest\n" + manifest.strip() + "\n"
    )
    for name, text in modules.items():
        (folder / f"{name}.py").write_text(text)
    monkeypatch.syspath_prepend(str(root))
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


def wait_until(condition: Callable[[], object], timeout: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Broker:
    """A real Mosquitto on a free loopback port; `kill` and `start` again keep the port."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.config = folder / "mosquitto.conf"
        self.log = folder / "mosquitto.log"
        self.config.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None


@pytest.fixture
def mosquitto_broker(tmp_path: Path) -> Iterator[Broker]:
    if not Path(MOSQUITTO).exists():
        pytest.skip("mosquitto is not installed (Debian package `mosquitto`)")
    broker = Broker(tmp_path)
    broker.start()
    try:
        yield broker
    finally:
        broker.kill()


OPCUA_SERVER = r'''
"""A real asyncua server on loopback with the DI and Machinery nodesets and one machine that changes."""
import asyncio, sys
from asyncua import Server, ua

async def main(port, nodesets):
    server = Server()
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/mothertwin/")
    server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    for path in nodesets:
        await server.import_xml(path)
    idx = await server.register_namespace("urn:mothertwin:test-plant")
    machines = await server.nodes.objects.add_folder(idx, "Plant")
    press = await machines.add_object(idx, "OC-ELE1-PRS-01")
    state = await press.add_variable(idx, "state", "running")
    temperature = await press.add_variable(idx, "roll_temperature", 80.0)
    count = await press.add_variable(idx, "count", 0)
    async with server:
        print("READY", flush=True)
        tick = 0
        while True:
            tick += 1
            await temperature.write_value(80.0 + tick * 0.5)
            await count.write_value(tick)
            await state.write_value("fault" if tick % 20 >= 15 else "running")
            await asyncio.sleep(0.1)

asyncio.run(main(int(sys.argv[1]), sys.argv[2:]))
'''


class OpcUaServer:
    def __init__(self, port: int, process: subprocess.Popen) -> None:
        self.port = port
        self.process = process

    @property
    def url(self) -> str:
        return f"opc.tcp://127.0.0.1:{self.port}/mothertwin/"


@pytest.fixture
def opcua_server(shared_data: Path, tmp_path: Path) -> Iterator[OpcUaServer]:
    script = tmp_path / "opcua_server.py"
    script.write_text(OPCUA_SERVER)
    port = free_port()
    nodesets = [
        shared_data / "opcua-nodesets" / "DI" / "Opc.Ua.Di.NodeSet2.xml",
        shared_data / "opcua-nodesets" / "Machinery" / "Opc.Ua.Machinery.NodeSet2.xml",
    ]
    log = (tmp_path / "opcua.log").open("wb")
    process = subprocess.Popen([sys.executable, str(script), str(port), *map(str, nodesets)], stdout=log, stderr=log)
    try:
        wait_for_port(port, timeout=30.0)
        yield OpcUaServer(port, process)
    finally:
        process.kill()
        process.wait(timeout=5)
        log.close()


# ---------------------------------------------------------------- a secured Mosquitto (TLS, user and password)

MQTT_USER = "viewer"
MQTT_PASSWORD = "c0rrect-H0rse-MQTT"  # the broker's; clients get it through an environment variable
MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"


@dataclass(frozen=True, slots=True)
class TlsFiles:
    ca: Path  # the CA that signed the broker's certificate
    other_ca: Path  # a CA that signed nothing here: a client trusting only it must refuse the broker
    cert: Path
    key: Path


def _pem_name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_usage(ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _make_ca(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())  # EC: fast to make on a loaded machine
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_pem_name(common_name))
        .issuer_name(_pem_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def make_tls_files(folder: Path) -> TlsFiles:
    """A CA and a broker certificate for 127.0.0.1 and localhost, made now (keys are never committed)."""
    ca_key, ca_cert = _make_ca("MotherTwin test CA")
    _, other_cert = _make_ca("MotherTwin stranger CA")
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_pem_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(folder / "ca.pem", folder / "other-ca.pem", folder / "broker.pem", folder / "broker.key")
    files.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.other_ca.write_bytes(other_cert.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    files.key.chmod(0o600)
    return files


class SecureBroker(Broker):
    """Mosquitto with only a TLS listener, no anonymous clients and one user (MQTT_USER, MQTT_PASSWORD)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.tls = make_tls_files(folder)
        passwords = folder / "passwords"
        # Written in plain text, then hashed in place by mosquitto_passwd: the password is never an argument.
        passwords.write_text(f"{MQTT_USER}:{MQTT_PASSWORD}\n")
        passwords.chmod(0o600)
        subprocess.run([MOSQUITTO_PASSWD, "-U", str(passwords)], check=True, capture_output=True, timeout=30)
        lines = [
            f"listener {self.port} 127.0.0.1",
            f"cafile {self.tls.ca}",
            f"certfile {self.tls.cert}",
            f"keyfile {self.tls.key}",
            "allow_anonymous false",
            f"password_file {passwords}",
            "persistence false",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            lines.append("user root")  # else Mosquitto drops to `mosquitto`, which cannot read tmp_path
        self.config.write_text("\n".join(lines) + "\n")

    @property
    def url(self) -> str:
        return f"mqtts://127.0.0.1:{self.port}"


@pytest.fixture
def secure_mosquitto_broker(tmp_path: Path) -> Iterator[SecureBroker]:
    if not Path(MOSQUITTO).exists() or not Path(MOSQUITTO_PASSWD).exists():
        pytest.skip("mosquitto or mosquitto_passwd is not installed (Debian package `mosquitto`)")
    broker = SecureBroker(tmp_path)
    broker.start()
    try:
        yield broker
    finally:
        broker.kill()
