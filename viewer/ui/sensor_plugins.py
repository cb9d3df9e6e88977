"""Plugins as the window sees them: discovery, what each contributes, its status, and the user's on/off
choice kept in QSettings. No widgets: the Plugins dialog only shows `rows()` and calls `set_enabled`.

A plugin that fails (its manifest, or a contribution when first used) is reported once and disabled; the
app carries on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint
from typing import Any

from PySide6.QtCore import QSettings

from viewer.sensors.plugins import PluginError, PluginRegistry
from viewer.ui.session import Message, Severity

DISABLED_KEY = "plugins/disabled"


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

    def user_disabled(self) -> set[str]:
        value = self.settings.value(DISABLED_KEY, [])
        if isinstance(value, str):  # an INI file gives a single entry back as a string
            value = [value] if value else []
        return {str(v) for v in value or []}

    def discover(self, points: Iterable[EntryPoint] | None = None) -> list[Message]:
        """Read every plugin's manifest; returns the problems as messages (once each)."""
        self.registry = PluginRegistry.discover(points)
        self._reported = 0
        self.registry.disabled |= self.user_disabled()
        return self.new_problems()

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
        return rows

    def set_enabled(self, name: str, enabled: bool) -> None:
        """The user's choice, kept across sessions; a failed plugin stays off whatever the choice."""
        disabled = self.user_disabled()
        if enabled:
            disabled.discard(name)
            if name not in self.failed():
                self.registry.disabled.discard(name)
        else:
            disabled.add(name)
            self.registry.disabled.add(name)
        self.settings.setValue(DISABLED_KEY, sorted(disabled))

    def source_kinds(self) -> list[tuple[str, str]]:
        """(name, title) of the source kinds of enabled plugins."""
        return [(c.name, c.title or c.name) for _, c in self.registry.contributions("source")]

    def load_source(self, kind: str) -> Any:
        """The source class of a kind; PluginError (the plugin is then disabled) when it cannot be imported."""
        return self.registry.load("source", kind)


__all__ = ["PluginError", "PluginRow", "PluginsController"]
