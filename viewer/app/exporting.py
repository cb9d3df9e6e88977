"""Exporting a plant to another format: the `exporter` contributions of plugins (AutomationML today; glTF and
OpenUSD plug in the same way), one path for `mothertwin export` and the window's File > Export.

An exporter is given the document and what to export (a site, a line) and gives back the bytes of the files
it makes; MotherTwin writes them all to temporary files and renames them into place once every one is on disk,
so a failed or cancelled export leaves nothing half-written and existing files of the same names as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from viewer.app.opening import Cancelled, Progress
from viewer.io import builtin_library
from viewer.io.atomic import atomic_write_files
from viewer.model import EquipmentLibrary, Line, PlantDocument, Site

if TYPE_CHECKING:
    from viewer.sensors.plugins import PluginRegistry

EXPORTER_KIND = "exporter"  # the plugin contribution kind of a writer


class ExportError(ValueError):
    """What was asked cannot be exported (no such site or line, a format nobody writes); says which."""


@dataclass(frozen=True, slots=True)
class WriteRequest:
    """What an exporter is given. `site` and `line` narrow the export (None: everything of the document;
    a line comes with its site). `path` is where the main file goes, for names and relative references."""

    document: PlantDocument
    path: Path
    library: EquipmentLibrary
    site: Site | None = None
    line: Line | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    progress: Progress = lambda fraction, stage: None
    cancelled: Cancelled = lambda: False


@runtime_checkable
class Writer(Protocol):
    """A file format MotherTwin writes a plant to. `write` returns the files by name relative to the main
    file's folder, the main file first under the request's own file name."""

    name: str
    suffixes: tuple[str, ...]

    def write(self, request: WriteRequest) -> dict[str, bytes]: ...


def exporter_names(registry: PluginRegistry) -> list[str]:
    return registry.names(EXPORTER_KIND)


def find_writer(registry: PluginRegistry, format_name: str) -> Writer:
    """The exporter named `format_name` ("aml") or declaring it as a suffix. Raises ExportError."""
    from viewer.sensors.plugins import PluginError

    wanted = format_name.lower().lstrip(".")
    for _plugin, contribution in registry.contributions(EXPORTER_KIND):
        handles = [h.lower().lstrip(".") for h in contribution.handles]
        if wanted == contribution.name.lower() or wanted in handles:
            try:
                loaded = registry.load(EXPORTER_KIND, contribution.name)
            except PluginError as exc:
                raise ExportError(f"the {contribution.name!r} exporter cannot be loaded: {exc}") from exc
            writer = loaded() if isinstance(loaded, type) else loaded
            if not isinstance(writer, Writer):
                raise ExportError(f"{contribution.target} is not an exporter (name, suffixes, write(request))")
            return writer
    known = ", ".join(exporter_names(registry)) or "none"
    raise ExportError(f"no exporter writes {format_name!r}; formats: {known}")


def choose_scope(
    document: PlantDocument, site_name: str | None, line_name: str | None
) -> tuple[Site | None, Line | None]:
    """The site and line an export is narrowed to, by name or id. Raises ExportError naming what exists."""
    site = None
    if site_name is not None:
        try:
            site = document.site_by_name(site_name)
        except KeyError as exc:
            raise ExportError(str(exc.args[0])) from exc
    if line_name is None:
        return site, None
    sites = [site] if site is not None else document.sites
    for candidate in sites:
        for area in candidate.areas:
            for line in area.lines:
                if line_name in (line.name, line.id):
                    return candidate, line
    known = ", ".join(li.name for s in sites for a in s.areas for li in a.lines) or "none"
    raise ExportError(f"no line named {line_name!r}; lines: {known}")


def export_plant(
    document: PlantDocument,
    path: Path,
    writer: Writer,
    site: Site | None = None,
    line: Line | None = None,
    options: Mapping[str, str] | None = None,
    library: EquipmentLibrary | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> list[Path]:
    """Write the document (or its site, or line) with `writer`; returns the files written. Every file is
    written atomically once the exporter has made them all. Raises OSError (a read-only folder, a full
    disk) with nothing half-written, ExportError for what the exporter refuses."""
    path = Path(path)
    request = WriteRequest(
        document,
        path,
        (library or builtin_library()).merged(document.types),
        site,
        line,
        dict(options or {}),
        progress or (lambda fraction, stage: None),
        cancelled or (lambda: False),
    )
    files = writer.write(request)
    folder = path.parent.resolve()
    targets = []
    for name in files:
        target = (folder / name).resolve()
        if not target.is_relative_to(folder):
            raise ExportError(f"the {writer.name} exporter named a file outside {folder}: {name!r}")
        targets.append(target)
    atomic_write_files(list(zip(targets, files.values(), strict=True)))
    return targets
