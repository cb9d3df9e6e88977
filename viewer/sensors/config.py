"""Sensor connection settings: which sources, their addresses and tag templates, saved as JSON.

Secrets never go into a file: a setting names the environment variable (or keyring entry) that holds the
password, and a saved settings file or plant document never contains the password itself.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from viewer.io.atomic import atomic_write_text
from viewer.sensors.bindings import DEFAULT_TEMPLATE, check_template

SETTINGS_FORMAT = "mothertwin-sensors"
SETTINGS_VERSION = 1
SECRET_KEYS = frozenset({"password", "passwd", "secret", "token", "private_key_password"})


class SettingsError(ValueError):
    pass


@dataclass(slots=True)
class SourceSettings:
    kind: str  # "mqtt", "opcua", "recording", "simulator", or a plugin's source name
    name: str
    url: str = ""
    username: str = ""
    password_env: str = ""  # environment variable holding the password
    keyring_service: str = ""  # or a keyring service (looked up with the username)
    options: dict[str, Any] = field(default_factory=dict)

    def password(self) -> str | None:
        """The password from the environment, else the keyring, else None. Never stored on the object."""
        if self.password_env and os.environ.get(self.password_env):
            return os.environ[self.password_env]
        if self.keyring_service:
            try:
                import keyring

                return keyring.get_password(self.keyring_service, self.username)
            except Exception:  # no keyring back end on a headless machine: same as no password
                return None
        return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "name": self.name}
        for key in ("url", "username", "password_env", "keyring_service"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.options:
            out["options"] = dict(sorted(self.options.items()))
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> SourceSettings:
        _refuse_secrets(data, where)
        if not isinstance(data.get("kind"), str) or not isinstance(data.get("name"), str):
            raise SettingsError(f"{where}: expected 'kind' and 'name' strings")
        url = data.get("url", "")
        if urlsplit(url).password:
            raise SettingsError(f"{where}.url: contains a password; name an environment variable in password_env")
        return cls(
            kind=data["kind"],
            name=data["name"],
            url=url,
            username=data.get("username", ""),
            password_env=data.get("password_env", ""),
            keyring_service=data.get("keyring_service", ""),
            options=dict(data.get("options", {})),
        )


def _refuse_secrets(data: dict[str, Any], where: str) -> None:
    for key, value in data.items():
        if key.lower() in SECRET_KEYS:
            raise SettingsError(
                f"{where}.{key}: secrets are not kept in settings files; set password_env to the name of an "
                "environment variable (or keyring_service) instead"
            )
        if isinstance(value, dict):
            _refuse_secrets(value, f"{where}.{key}")


@dataclass(slots=True)
class SensorSettings:
    sources: list[SourceSettings] = field(default_factory=list)
    default_template: str = DEFAULT_TEMPLATE
    templates: dict[str, str] = field(default_factory=dict)  # per site id

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": SETTINGS_FORMAT,
            "version": SETTINGS_VERSION,
            "default_template": self.default_template,
            "templates": dict(sorted(self.templates.items())),
            "sources": [s.to_dict() for s in self.sources],
        }

    def save(self, path: Path) -> None:
        atomic_write_text(Path(path), json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> SensorSettings:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SettingsError(f"{path}: line {exc.lineno}: not valid JSON: {exc.msg}") from None
        if not isinstance(data, dict) or data.get("format") != SETTINGS_FORMAT:
            raise SettingsError(f"{path}: expected a {SETTINGS_FORMAT!r} file")
        if data.get("version") != SETTINGS_VERSION:
            raise SettingsError(f"{path}: version {data.get('version')!r} not supported; expected {SETTINGS_VERSION}")
        settings = cls(
            sources=[
                SourceSettings.from_dict(s, f"{path}: $.sources[{i}]") for i, s in enumerate(data.get("sources", []))
            ],
            default_template=data.get("default_template", DEFAULT_TEMPLATE),
            templates=dict(data.get("templates", {})),
        )
        for template in [settings.default_template, *settings.templates.values()]:
            check_template(template)
        return settings


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool
    username: str


def parse_mqtt_url(url: str) -> BrokerAddress:
    """mqtt://host:port (plain, default 1883) or mqtts://host:port (TLS, default 8883)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise SettingsError(f"broker address {url!r}: expected mqtt://HOST:PORT or mqtts://HOST:PORT")
    if parts.password:
        shown = url.replace(f":{parts.password}@", ":***@", 1)  # an error message is shown and logged
        raise SettingsError(f"broker address {shown!r} contains a password; give it through an environment variable")
    tls = parts.scheme in ("mqtts", "ssl")
    if not parts.hostname:
        raise SettingsError(f"broker address {url!r} has no host")
    return BrokerAddress(parts.hostname, parts.port or (8883 if tls else 1883), tls, parts.username or "")


def check_tls_ca(address: BrokerAddress, tls_ca: str | None) -> None:
    """Before connecting: a CA file only means something for mqtts://, and it must exist."""
    if not tls_ca:
        return
    if not address.tls:
        raise SettingsError(f"tls_ca {tls_ca} is set but the broker address is not TLS; use mqtts://HOST:PORT")
    if not Path(tls_ca).is_file():
        raise SettingsError(f"CA certificate {tls_ca} (tls_ca): no such file")


def resolve_site_zone(settings: SourceSettings, site_zone: str | None) -> SourceSettings:
    """A recording's settings with timezone "site" (`ReadOptions`) made `site_zone` (UTC for none); any other
    settings as they are."""
    if settings.options.get("timezone") != "site":
        return settings
    return replace(settings, options={**settings.options, "timezone": site_zone or "UTC"})
