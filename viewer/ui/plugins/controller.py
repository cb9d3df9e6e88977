"""Plugins as the window sees them: discovery, what each contributes, its status, and the user's on/off
choice kept in QSettings. No widgets: the Plugins dialog only shows `rows()` and calls `set_enabled`.

A plugin that fails (its manifest, or a contribution when first used) is reported once and disabled; the
app carries on. A plugin not shipped with MotherTwin stays unread until the user enables it (it is code).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint
from typing import Any

from PySide6.QtCore import QSettings

from viewer.app.document import Message, Severity
from viewer.sensors.plugins import PluginError, PluginRegistry, is_shipped

DISABLED_KEY = "plugins/disabled"
ENABLED_KEY = "plugins/enabled"  # entry-point names of plugins from elsewhere that the user enabled


@dataclass(frozen=True, slots=True)
class PluginRow:
    name: str
    version: str
    contributions: list[str]  # "source mqtt: MQTT (JSON, Sparkplug B)"
    status: str  # "loaded", "available", "failed", "disabled"
    reason: str  # why it failed
    enabled: bool  # the user's choice


class PluginsController:
    def __init__(self, settings: QSettings) -> None:
        self.settings = settings
        self.registry = PluginRegistry()
        self._reported = 0

    def _names(self, key: str) -> set[str]:
        value = self.settings.value(key, [])
        if isinstance(value, str):  # an INI file gives a single entry back as a string
            value = [value] if value else []
        return {str(v) for v in value or []}

    def user_disabled(self) -> set[str]:
        return self._names(DISABLED_KEY)

    def user_enabled(self) -> set[str]:
        return self._names(ENABLED_KEY)

    def _allowed(self, point: EntryPoint) -> bool:
        return is_shipped(point) or point.name in self.user_enabled()

    def discover(self, points: Iterable[EntryPoint] | None = None) -> list[Message]:
        """Read the manifests of the shipped plugins and of those the user enabled; returns the problems, and
        a note per plugin waiting to be enabled, as messages (once each)."""
        self.registry = PluginRegistry.discover(points, allow=self._allowed)
        self._reported = 0
        self.registry.disabled |= self.user_disabled()
        waiting = [
            Message(
                Severity.INFO,
                f"plugin {name!r} ({_origin(point)}) is installed but not enabled: a plugin is code that runs "
                "inside MotherTwin; enable it in Tools > Plugins if you trust where it comes from",
                where=f"plugin {name}",
            )
            for name, point in sorted(self.registry.pending.items())
        ]
        return self.new_problems() + waiting

    def new_problems(self) -> list[Message]:
        problems = self.registry.problems[self._reported :]
        self._reported = len(self.registry.problems)
        return [Message(Severity.ERROR, p.message, where=f"plugin {p.plugin}") for p in problems]

    def failed(self) -> dict[str, str]:
        return {p.plugin: p.message for p in self.registry.problems}

    def rows(self) -> list[PluginRow]:
        failed = self.failed()
        disabled = self.user_disabled()
        rows = []
        for name, manifest in sorted(self.registry.manifests.items()):
            if name in failed:
                status = "failed"
            elif name in disabled:
                status = "disabled"
            else:
                status = "loaded" if self.registry.is_loaded(name) else "available"
            contributions = [f"{c.kind} {c.name}: {c.title or c.target}" for c in manifest.contributions]
            rows.append(
                PluginRow(name, manifest.version, contributions, status, failed.get(name, ""), name not in disabled)
            )
        for name in sorted(set(failed) - set(self.registry.manifests)):
            rows.append(PluginRow(name, "", [], "failed", failed[name], name not in disabled))
        for name, point in sorted(self.registry.pending.items()):
            version = point.dist.version if point.dist is not None else ""
            what = [f"not read yet: {_origin(point)}, {point.value}"]
            rows.append(PluginRow(name, version, what, "not enabled", "", False))
        return rows

    def set_enabled(self, name: str, enabled: bool) -> None:
        """The user's choice, kept across sessions; a failed plugin stays off whatever the choice. Enabling a
        plugin from elsewhere reads its manifest now (its problems: `new_problems`); disabling it leaves it
        unread from the next start on."""
        entry_name = self.registry.entry_names.get(name, name)
        trusted = self.user_enabled()
        if entry_name in self.registry.pending:
            if enabled:
                self.settings.setValue(ENABLED_KEY, sorted(trusted | {entry_name}))
                self.registry.enable_pending(entry_name)
            return
        disabled = self.user_disabled()
        if enabled:
            disabled.discard(name)
            if name not in self.failed():
                self.registry.disabled.discard(name)
        else:
            disabled.add(name)
            self.registry.disabled.add(name)
            if entry_name in trusted:
                self.settings.setValue(ENABLED_KEY, sorted(trusted - {entry_name}))
        self.settings.setValue(DISABLED_KEY, sorted(disabled))

    def source_kinds(self) -> list[tuple[str, str]]:
        """(name, title) of the source kinds of enabled plugins."""
        return [(c.name, c.title or c.name) for _, c in self.registry.contributions("source")]

    def load_source(self, kind: str) -> Any:
        """The source class of a kind; PluginError (the plugin is then disabled) when it cannot be imported."""
        return self.registry.load("source", kind)


def _origin(point: EntryPoint) -> str:
    """Where an entry point comes from: its distribution and version, as pip knows them."""
    if point.dist is None:
        return "no package metadata"
    return f"package {point.dist.name} {point.dist.version}"


__all__ = ["PluginError", "PluginRow", "PluginsController"]
