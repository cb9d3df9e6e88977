"""The plugin API: entry points in the group `mothertwin.plugins`, each naming a small manifest.

A manifest declares what the plugin contributes (sources, importers, exporters) as "module:attr" names;
nothing behind them is imported until used (napari npe2's way). A plugin whose manifest or contribution
fails to load is reported and disabled, and the app carries on.

A plugin is code that runs inside the app, so only the plugins shipped with MotherTwin are read at once;
another one is only listed (from its package metadata, nothing imported) until the user enables it.
"""

from __future__ import annotations

import importlib
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any

ENTRY_POINT_GROUP = "mothertwin.plugins"
KINDS = ("source", "importer", "exporter")
API_VERSION = 1
SHIPPED_DISTRIBUTION = "mothertwin"  # the plugins installed with the app itself


def is_shipped(point: EntryPoint) -> bool:
    """True for an entry point of MotherTwin's own distribution (the plugins in its plugins/ folder)."""
    return point.dist is not None and point.dist.name == SHIPPED_DISTRIBUTION


@dataclass(frozen=True, slots=True)
class Contribution:
    kind: str  # one of KINDS
    name: str  # "mqtt", "opcua", ...: what settings files refer to
    target: str  # "package.module:attribute", imported on first use
    title: str = ""
    # Sources: URL schemes or file suffixes it handles, for choosing a source from an address. Importers: the
    # file suffixes it reads (".aml", ".ifc"), for choosing a reader without importing it
    # (viewer.app.opening; the target is a Reader, an object or a class made without arguments).
    handles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PluginManifest:
    name: str
    version: str
    contributions: tuple[Contribution, ...]
    api_version: int = API_VERSION

    def __post_init__(self) -> None:
        for c in self.contributions:
            if c.kind not in KINDS:
                raise ValueError(f"plugin {self.name!r}: contribution {c.name!r} has kind {c.kind!r}; expected {KINDS}")
            if ":" not in c.target:
                raise ValueError(f"plugin {self.name!r}: contribution {c.name!r} target must be 'module:attr'")


@dataclass(slots=True)
class PluginProblem:
    plugin: str
    message: str
    details: str = ""


class PluginError(LookupError):
    pass


@dataclass
class PluginRegistry:
    manifests: dict[str, PluginManifest] = field(default_factory=dict)
    problems: list[PluginProblem] = field(default_factory=list)
    disabled: set[str] = field(default_factory=set)
    # Found but not enabled by the user: entry point name -> entry point; nothing of theirs was imported.
    pending: dict[str, EntryPoint] = field(default_factory=dict)
    entry_names: dict[str, str] = field(default_factory=dict)  # manifest name -> entry point name
    _loaded: dict[tuple[str, str], Any] = field(default_factory=dict)

    @classmethod
    def discover(
        cls, points: Iterable[EntryPoint] | None = None, allow: Callable[[EntryPoint], bool] | None = None
    ) -> PluginRegistry:
        """Read the manifest of every plugin `allow` lets in (all without it; cheap: the manifest module
        only); the others wait in `pending`."""
        registry = cls()
        for point in entry_points(group=ENTRY_POINT_GROUP) if points is None else points:
            if allow is None or allow(point):
                registry._add_entry_point(point)
            else:
                registry.pending[point.name] = point
        return registry

    def enable_pending(self, name: str) -> bool:
        """Read the manifest of a pending plugin now (the user enabled it); False if none is pending."""
        point = self.pending.pop(name, None)
        if point is None:
            return False
        self._add_entry_point(point)
        return True

    def _add_entry_point(self, point: EntryPoint) -> None:
        try:
            manifest = point.load()
            if callable(manifest) and not isinstance(manifest, PluginManifest):
                manifest = manifest()
            if not isinstance(manifest, PluginManifest):
                raise TypeError(f"entry point {point.value!r} gave {type(manifest).__name__}, not a PluginManifest")
            if manifest.api_version > API_VERSION:
                raise ValueError(f"needs plugin API {manifest.api_version}; this MotherTwin has {API_VERSION}")
        except Exception as exc:
            self._fail(point.name, f"plugin {point.name!r} could not be loaded and is disabled: {exc}")
            return
        self.manifests[manifest.name] = manifest
        self.entry_names[manifest.name] = point.name

    def _fail(self, plugin: str, message: str) -> None:
        self.problems.append(PluginProblem(plugin, message, traceback.format_exc()))
        self.disabled.add(plugin)

    def contributions(self, kind: str) -> list[tuple[str, Contribution]]:
        """(plugin name, contribution) of a kind, from enabled plugins."""
        return [
            (m.name, c)
            for m in self.manifests.values()
            if m.name not in self.disabled
            for c in m.contributions
            if c.kind == kind
        ]

    def is_loaded(self, plugin: str) -> bool:
        """True once any contribution of the plugin has been imported."""
        manifest = self.manifests.get(plugin)
        return manifest is not None and any((c.kind, c.name) in self._loaded for c in manifest.contributions)

    def names(self, kind: str) -> list[str]:
        return sorted(c.name for _, c in self.contributions(kind))

    def find(self, kind: str, name: str) -> tuple[str, Contribution]:
        for plugin, contribution in self.contributions(kind):
            if contribution.name == name:
                return plugin, contribution
        known = ", ".join(self.names(kind)) or "none"
        raise PluginError(f"no {kind} named {name!r}; available: {known}")

    def load(self, kind: str, name: str) -> Any:
        """Import a contribution on first use; on failure the plugin is disabled and PluginError raised."""
        plugin, contribution = self.find(kind, name)
        key = (kind, name)
        if key not in self._loaded:
            module_name, _, attr = contribution.target.partition(":")
            try:
                obj: Any = importlib.import_module(module_name)
                for part in attr.split("."):
                    obj = getattr(obj, part)
            except Exception as exc:
                self._fail(plugin, f"plugin {plugin!r}: {kind} {name!r} ({contribution.target}) failed to load: {exc}")
                raise PluginError(self.problems[-1].message) from exc
            self._loaded[key] = obj
        return self._loaded[key]
