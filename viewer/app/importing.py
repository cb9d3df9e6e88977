"""Importing a plant from another format: one path for every importer, the command line's `mothertwin import`
and the window's File > Import alike.

`import_plant` opens the file with its importer (viewer.app.opening: chosen by suffix from the plugins'
manifests, in a worker process where the importer asks for one), names the imported site as asked, and adds it
to an existing document when one is given (`into`): nothing of that document changes unless the whole import
succeeds. `place_files` then makes the document's own files (meshes an importer made, meshes it found beside the
imported file) sit where the saved document will find them.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from viewer.app.opening import Cancelled, MappingReport, OpenedPlant, Progress, open_plant
from viewer.io import PlantFileError, Problem, builtin_library
from viewer.io.atomic import atomic_write_bytes
from viewer.model import EquipmentLibrary, PlantDocument, Site

if TYPE_CHECKING:
    from viewer.sensors.plugins import PluginRegistry

ID_CLASH_SHOWN = 5  # clashing ids named in the message; the rest counted


@dataclass
class ImportedPlant:
    """The outcome of an import: the document (the imported one, or a copy of `into` with the import added),
    the sites it brought, the importer's report and what it noted."""

    document: PlantDocument
    sites: list[Site]
    report: MappingReport | None
    problems: list[Problem] = field(default_factory=list)
    assets: dict[str, bytes] = field(default_factory=dict)
    source: Path = Path()  # the imported file (relative meshes start from its folder)

    def report_lines(self) -> list[str]:
        lines = self.report.lines() if self.report else [f"Imported {self.source.name}"]
        return lines + [f"  warning {p.where}: {p.message}" for p in self.problems]


def _ids(document: PlantDocument) -> set[str]:
    ids = {document.enterprise.id}
    for site in document.sites:
        ids.add(site.id)
        for area in site.areas:
            ids.add(area.id)
            for line in area.lines:
                ids.add(line.id)
                for cell in line.cells:
                    ids.add(cell.id)
                    ids.update(e.id for e in cell.equipment)
    return ids


def merge_into(target: PlantDocument, imported: PlantDocument, site_name: str | None, source: Path) -> list[Site]:
    """Add the imported sites to `target` (changed in place; the caller passes a copy): into the site named
    `site_name` when the target has one, else as new sites. Raises PlantFileError when ids clash or a type of
    the same name differs."""
    taken = _ids(target)
    new_ids = _ids(imported) - {imported.enterprise.id}
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
    into: PlantDocument | None = None,
    site_name: str | None = None,
    options: Mapping[str, str] | None = None,
    library: EquipmentLibrary | None = None,
    registry: PluginRegistry | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportedPlant | None:
    """Import a file with its importer; None when cancelled. `site_name` names the imported site (when the
    file brings one) or, with `into`, chooses the site of `into` it goes into. `into` is not changed: the
    result holds a copy with the import added. Raises PlantFileError (nothing is changed)."""
    path = Path(path)
    opened: OpenedPlant | None = open_plant(path, library or builtin_library(), progress, cancelled, registry, options)
    if opened is None:
        return None
    if not opened.imported:
        raise PlantFileError.single(
            path, "file", "this is a MotherTwin plant document already: open it (File > Open) instead of importing it"
        )
    imported = opened.document
    if (
        site_name is not None
        and len(imported.sites) == 1
        and (into is None or not any(site_name in (s.name, s.id) for s in into.sites))
    ):
        imported.sites[0].name = site_name
    if into is None:
        document, sites = imported, list(imported.sites)
    else:
        document = copy.deepcopy(into)
        sites = merge_into(document, imported, site_name, path)
    return ImportedPlant(document, sites, opened.report, list(opened.problems), dict(opened.assets), path)


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
        try:
            kind.mesh = Path(os.path.relpath(mesh, folder)).as_posix()
        except ValueError:  # another drive (Windows)
            kind.mesh = mesh.as_posix()
        kind.base_dir = folder
    return written
