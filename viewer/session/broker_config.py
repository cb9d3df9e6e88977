"""The shipped Mosquitto files of packaging/mosquitto/ filled in for a broker on loopback: its port, folders and
certificate paths, the bridge's address and password. Used by `mothertwin bench session` and the broker tests,
so both run the shipped configuration itself rather than one of their own. No Qt, no VTK.

Filling replaces each shipped value by the one given; a shipped value no longer in the file is an error that
names the file and the value (the shipped file changed: whoever fills it must follow).
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

SHIPPED = Path(__file__).resolve().parents[2] / "packaging" / "mosquitto"
SITE_CONFIG = SHIPPED / "session-site.conf"
ACL = SHIPPED / "session.acl"
BRIDGE_CONFIG = SHIPPED / "bridge-to-mother.conf"
MAKE_USERS = SHIPPED / "make-users.sh"
BRIDGE_LOGIN = "bridge-holland"  # the bridge's login in session.acl and bridge-to-mother.conf


class BrokerConfigError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class BrokerTls:
    ca: Path  # the CA that signed the broker's certificate (what clients trust)
    cert: Path
    key: Path


def filled(text: str, replacements: dict[str, str], name: str) -> str:
    """`text` with each shipped value replaced; BrokerConfigError for a value no longer in it."""
    for shipped, value in replacements.items():
        if shipped not in text:
            raise BrokerConfigError(f"{name} no longer has {shipped!r}")
        text = text.replace(shipped, value)
    return text


def site_config(
    port: int, password_file: Path, tls: BrokerTls, data: Path, log: Path, included: Path, acl: Path = ACL
) -> str:
    """session-site.conf for a broker listening on 127.0.0.1:`port`, its files where given."""
    text = filled(
        SITE_CONFIG.read_text(),
        {
            "password_file /etc/mosquitto/mothertwin/passwords": f"password_file {password_file}",
            "acl_file /etc/mosquitto/mothertwin/session.acl": f"acl_file {acl}",
            "\nlistener 8883\n": f"\nlistener {port} 127.0.0.1\n",
            "cafile /etc/mosquitto/certs/ca.crt": f"cafile {tls.ca}",
            "certfile /etc/mosquitto/certs/broker.crt": f"certfile {tls.cert}",
            "keyfile /etc/mosquitto/certs/broker.key": f"keyfile {tls.key}",
            "persistence_location /var/lib/mosquitto/": f"persistence_location {data}/",
            "log_dest file /var/log/mosquitto/mosquitto.log": f"log_dest file {log}",
            "include_dir /etc/mosquitto/conf.d": f"include_dir {included}",
        },
        SITE_CONFIG.name,
    )
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        text += "user root\n"  # else Mosquitto drops to `mosquitto`, which cannot read a private folder
    return text


def bridge_config(mother_port: int, bridge_password: str, mother_ca: Path) -> str:
    """bridge-to-mother.conf for a child broker whose mother listens on 127.0.0.1:`mother_port`."""
    return filled(
        BRIDGE_CONFIG.read_text(),
        {
            "address mother-broker.example.com:8883": f"address 127.0.0.1:{mother_port}",
            "remote_password CHANGE-ME-bridge-password": f"remote_password {bridge_password}",
            "bridge_cafile /etc/mosquitto/certs/mother-ca.crt": f"bridge_cafile {mother_ca}",
        },
        BRIDGE_CONFIG.name,
    )


def make_users(
    password_file: Path, lines: str, mosquitto_passwd: str, env: dict[str, str] | None = None, *args: str
) -> str:
    """Run the shipped make-users.sh with `lines` (login:password) on stdin, checking the logins against the
    shipped ACL; returns what it said on stderr. The passwords never appear on a command line."""
    done = subprocess.run(
        ["bash", str(MAKE_USERS), str(password_file), *args],
        input=lines, text=True, check=True, capture_output=True, timeout=60,
        env={**os.environ, "MOSQUITTO_PASSWD": mosquitto_passwd, "ACL_FILE": str(ACL), **(env or {})},
    )  # fmt: skip
    return done.stderr


def make_loopback_tls(folder: Path) -> BrokerTls:
    """A CA and a broker certificate for 127.0.0.1 and localhost valid for a day, made now (EC: quick)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    def usage(ca: bool) -> x509.KeyUsage:
        return x509.KeyUsage(True, False, False, False, False, ca, ca, False, False)

    now = datetime.now(UTC)
    ca_name = name("MotherTwin loopback CA")
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    loopback = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder().subject_name(name("localhost")).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(loopback), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    tls = BrokerTls(folder / "ca.pem", folder / "broker.pem", folder / "broker.key")
    tls.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    tls.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())  # fmt: skip
    tls.key.touch(mode=0o600)
    tls.key.write_bytes(private)
    return tls
