"""Importing a plant from another format: one path for every importer, the command line's `mothertwin import`
and the window's File > Import alike.

`import_plant` opens the file with its importer (viewer.app.opening: chosen by suffix from the plugins'
manifests, in a worker process where the importer asks for one) and names the imported site as asked;
`merge_into` (or the undoable `AddImportedPlant`) adds it to an open plant, checking everything before it
changes anything. `place_files` makes the document's own files (meshes an importer made, meshes it found
beside the imported file) sit where the saved document will find them.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from viewer.app.opening import Cancelled, MappingReport, OpenedPlant, Progress, open_plant
from viewer.io import PlantFileError, Problem, builtin_library
from viewer.io.atomic import atomic_write_bytes
from viewer.model import EquipmentLibrary, PlantDocument, Site
from viewer.model.edit import all_ids
from viewer.model.undo import Command
from viewer.paths import cache_dir

if TYPE_CHECKING:
    from viewer.sensors.plugins import PluginRegistry

ID_CLASH_SHOWN = 5  # clashing ids named in the message; the rest counted
IMPORTED_MESHES = "meshes"  # the folder beside a document that meshes made by an import are copied into


def staging_folder(source: Path, data_hash: str) -> Path:
    """Where the files an import made wait while the imported plant has no folder of its own (opened from
    the window, not saved yet): in the cache, one folder per imported file's content."""
    return cache_dir() / "imports" / f"{Path(source).stem}-{data_hash[:12]}"


@dataclass
class ImportedPlant:
    """The outcome of an import: the imported document, its sites, the importer's report, what it noted and
    the files it made."""

    document: PlantDocument
    sites: list[Site]
    report: MappingReport | None
    problems: list[Problem] = field(default_factory=list)
    assets: dict[str, bytes] = field(default_factory=dict)
    source: Path = Path()  # the imported file (relative meshes start from its folder)

    def report_lines(self) -> list[str]:
        lines = self.report.lines() if self.report else [f"Imported {self.source.name}"]
        return lines + [f"  warning {p.where}: {p.message}" for p in self.problems]


def merge_into(target: PlantDocument, imported: PlantDocument, site_name: str | None, source: Path) -> list[Site]:
    """Add the imported sites to `target` (changed in place; the caller passes a copy): into the site named
    `site_name` when the target has one, else as new sites. Raises PlantFileError when ids clash or a type of
    the same name differs."""
    taken = all_ids(target)
    new_ids = all_ids(imported) - {imported.enterprise.id}
    merging_site = None
    if site_name is not None:
        merging_site = next((s for s in target.sites if site_name in (s.name, s.id)), None)
    if merging_site is not None:
        new_ids -= {s.id for s in imported.sites}
    clashes = sorted(new_ids & taken)
    if clashes:
        shown = ", ".join(clashes[:ID_CLASH_SHOWN]) + (f" and {len(clashes) - ID_CLASH_SHOWN} more"
                                                        if len(clashes) > ID_CLASH_SHOWN else "")  # fmt: skip
        raise PlantFileError.single(
            source,
            "ids",
            f"{len(clashes)} ids of the imported file are already used in the plant it goes into ({shown}): "
            "was this file imported into it before?",
        )
    for name, kind in imported.types.items():
        known = target.types.get(name)
        if known is not None and (known.mesh, known.footprint) != (kind.mesh, kind.footprint):
            raise PlantFileError.single(
                source, f"type {name!r}", "the plant it goes into has a different equipment type of that name"
            )
    target.types.update(imported.types)
    target.links.extend(imported.links)
    if merging_site is not None:
        for site in imported.sites:
            merging_site.areas.extend(site.areas)
            merging_site.building.extend(site.building)
            if not merging_site.footprint:
                merging_site.footprint = list(site.footprint)
        return [merging_site]
    target.sites.extend(imported.sites)
    return list(imported.sites)


def import_plant(
    path: Path,
    site_name: str | None = None,
    options: Mapping[str, str] | None = None,
    library: EquipmentLibrary | None = None,
    registry: PluginRegistry | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportedPlant | None:
    """Import a file with its importer; None when cancelled. `site_name` names the imported site when the file
    brings one. Raises PlantFileError naming the file, the place in it and what was expected. Add the result
    to an open plant with `merge_into` or, undoably, `AddImportedPlant`."""
    path = Path(path)
    opened: OpenedPlant | None = open_plant(path, library or builtin_library(), progress, cancelled, registry, options)
    if opened is None:
        return None
    if not opened.imported:
        raise PlantFileError.single(
            path, "file", "this is a MotherTwin plant document already: open it (File > Open) instead of importing it"
        )
    imported = opened.document
    if site_name is not None and len(imported.sites) == 1:
        imported.sites[0].name = site_name
    return ImportedPlant(
        imported, list(imported.sites), opened.report, list(opened.problems), dict(opened.assets), path
    )


@dataclass
class AddImportedPlant(Command):
    """An import added to the open plant as one undoable edit: its sites (or its areas, into the site named
    `site_name`), its equipment types, building elements and links."""

    structural: ClassVar[bool] = True

    imported: PlantDocument
    site_name: str | None = None
    source: Path = Path()
    text: str = "Import"
    _before: tuple[Any, ...] | None = None

    def redo(self, document: PlantDocument) -> set[str]:
        merging = next((s for s in document.sites if self.site_name in (s.name, s.id)), None)
        site_state = (
            (merging, list(merging.areas), list(merging.building), list(merging.footprint)) if merging else None
        )
        before = (list(document.sites), dict(document.types), list(document.links), site_state)
        merge_into(document, copy.deepcopy(self.imported), self.site_name, self.source)
        self._before = before
        return {e.id for s in self.imported.sites for a in s.areas for li in a.lines for c in li.cells
                for e in c.equipment}  # fmt: skip

    def undo(self, document: PlantDocument) -> set[str]:
        assert self._before is not None
        sites, types, links, site_state = self._before
        document.sites[:] = sites
        document.types = types
        document.links[:] = links
        if site_state is not None:
            site, areas, building, footprint = site_state
            site.areas[:], site.building[:], site.footprint[:] = areas, building, footprint
        return {e.id for s in self.imported.sites for a in s.areas for li in a.lines for c in li.cells
                for e in c.equipment}  # fmt: skip


def place_files(document: PlantDocument, assets: Mapping[str, bytes], folder: Path) -> list[Path]:
    """Make the document's files sit where a document saved in `folder` finds them: the importer's `assets`
    are written there (atomically, never outside it), and every type mesh that lives elsewhere (beside the
    imported file) is referred to from there (a relative path, or an absolute one across drives). Returns
    the files written. Raises OSError (a read-only folder, a full disk)."""
    folder = Path(folder).resolve()
    written = []
    for name, content in assets.items():
        target = (folder / name).resolve()
        if not target.is_relative_to(folder):
            raise ValueError(f"an importer's file {name!r} would land outside {folder}")
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, content)
        written.append(target)
    for kind in document.types.values():
        if not kind.mesh or kind.mesh in assets or kind.base_dir is None or Path(kind.base_dir).resolve() == folder:
            kind.base_dir = folder
            continue
        mesh = (Path(kind.base_dir) / kind.mesh).resolve()
        if mesh.is_relative_to(cache_dir().resolve()) and mesh.is_file():
            # Made by an import before the plant had a folder: it travels with the document now.
            target = folder / IMPORTED_MESHES / mesh.name
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, mesh.read_bytes())
            written.append(target)
            mesh = target
        try:
            kind.mesh = Path(os.path.relpath(mesh, folder)).as_posix()
        except ValueError:  # another drive (Windows)
            kind.mesh = mesh.as_posix()
        kind.base_dir = folder
    return written
