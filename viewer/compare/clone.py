"""Clone a mother line into a child site: same cells, equipment, parameters and signals; new ids that keep
a `mother_id` link; the line placed (origin, rotation, mirror) at the child's building; a clone record.

Signals carry no tags: tags come from the child site's tag template, so the clone re-binds itself there.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import ClassVar

from viewer.io.plant_json import dumps_document
from viewer.model import Area, CloneRecord, Line, PlantDocument, Pose, Site
from viewer.model.edit import all_ids
from viewer.model.undo import Command


class CloneError(ValueError):
    """A clone that cannot be made; the message says why."""


def document_revision(document: PlantDocument) -> str:
    """Content hash of a document as it would be saved: identifies the mother revision a child came from."""
    return hashlib.sha256(dumps_document(document).encode("utf-8")).hexdigest()


def find_line(document: PlantDocument, name: str, site: Site | None = None) -> tuple[Site, Area, Line]:
    """A line by name or id (in one site, or in the whole document)."""
    found = [
        (s, a, li)
        for s in document.sites
        if site is None or s is site
        for a in s.areas
        for li in a.lines
        if name in (li.id, li.name)
    ]
    if not found:
        known = ", ".join(li.name for s in document.sites for a in s.areas for li in a.lines) or "none"
        raise CloneError(f"no line named {name!r}; lines in the document: {known}")
    if len(found) > 1:
        raise CloneError(f"{len(found)} lines are named {name!r}; use the line id")
    return found[0]


def _child_id(mother_site: Site, child_site: Site, ident: str, taken: set[str]) -> str:
    """OC-ELE1-COT-01 at site HM becomes HM-ELE1-COT-01; ids without the site prefix get it in front."""
    prefix = f"{mother_site.id}-"
    stem = ident[len(prefix) :] if ident.startswith(prefix) else ident
    candidate = f"{child_site.id}-{stem}"
    n = 2
    while candidate in taken:
        candidate = f"{child_site.id}-{stem}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def _mirrored(pose: Pose) -> Pose:
    """Mirror across the line's x axis (a left-hand copy of the line): y and the turn change sign."""
    return replace(pose, y=-pose.y, yaw=-pose.yaw, roll=-pose.roll)


def clone_line(
    mother: PlantDocument,
    line_name: str,
    child: PlantDocument,
    child_site_name: str,
    origin: tuple[float, float] = (0.0, 0.0),
    rotate: float = 0.0,
    mirror: bool = False,
    now: datetime | None = None,
    revision: str | None = None,
) -> Line:
    """Add a copy of the mother's line to `child` (which may be the same document) and return it.

    The copy goes into an area of the child site named like the mother's area (created when missing); the
    line's own pose places it: origin (metres, child site coordinates) and rotation (degrees about Z).
    `revision` is the mother document's revision when the caller has it already (trial clones in a row).
    """
    mother_site, mother_area, mother_line = find_line(mother, line_name)
    revision = revision or document_revision(mother)  # before anything is added (mother and child may be one document)
    try:
        child_site = child.site_by_name(child_site_name)
    except KeyError as exc:
        raise CloneError(exc.args[0]) from None
    if child_site is mother_site:
        raise CloneError(f"the line is already at {child_site.name!r}: choose another site for the clone")
    taken = all_ids(child) | all_ids(mother)
    area = next((a for a in child_site.areas if a.name == mother_area.name), None)
    if area is None:
        area = Area(_child_id(mother_site, child_site, mother_area.id, taken), mother_area.name)
        child_site.areas.append(area)
    line = Line(
        id=_child_id(mother_site, child_site, mother_line.id, taken),
        name=mother_line.name,
        pose=Pose(x=float(origin[0]), y=float(origin[1]), yaw=float(rotate)),
        clone_record=CloneRecord(
            mother_site=mother_site.id,
            mother_line=mother_line.id,
            mother_revision=revision,
            cloned_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
            origin=(float(origin[0]), float(origin[1])),
            rotate=float(rotate),
            mirror=mirror,
        ),
    )
    for mother_cell in mother_line.cells:
        cell = copy.deepcopy(mother_cell)
        cell.id = _child_id(mother_site, child_site, mother_cell.id, taken)
        if mirror:
            cell.pose = _mirrored(cell.pose)
        for equipment, mother_equipment in zip(cell.equipment, mother_cell.equipment, strict=True):
            equipment.id = _child_id(mother_site, child_site, mother_equipment.id, taken)
            equipment.mother_id = mother_equipment.id
            if mirror:
                equipment.pose = _mirrored(equipment.pose)
        line.cells.append(cell)
    # The line keeps the mother line's own turn and offset relative to its area: placing is by the new pose.
    area.lines.append(line)
    for name, equipment_type in mother.types.items():
        child.types.setdefault(name, copy.deepcopy(equipment_type))
    return line


@dataclass
class CloneLineCommand(Command):
    """Clone as one undoable edit of the (one) document that holds both sites."""

    structural: ClassVar[bool] = True

    line_name: str
    child_site_name: str
    origin: tuple[float, float] = (0.0, 0.0)
    rotate: float = 0.0
    mirror: bool = False
    text: str = "Clone line"
    snapshot: list | None = None  # the child site's areas before the clone
    types_before: dict | None = None
    line_id: str = ""
    now: datetime | None = None  # fixed at the first redo, so a redo rebuilds exactly the same line

    def redo(self, document: PlantDocument) -> set[str]:
        self.now = self.now or datetime.now(UTC)
        site = document.site_by_name(self.child_site_name)
        self.snapshot = list(site.areas)
        areas_before = {id(a): list(a.lines) for a in site.areas}
        self.types_before = dict(document.types)
        line = clone_line(document, self.line_name, document, self.child_site_name, self.origin, self.rotate,
                          self.mirror, self.now)  # fmt: skip
        self._areas_before = areas_before
        self.line_id = line.id
        return {e.id for cell in line.cells for e in cell.equipment}

    def undo(self, document: PlantDocument) -> set[str]:
        site = document.site_by_name(self.child_site_name)
        removed = {e.id for a in site.areas for li in a.lines if li.id == self.line_id for c in li.cells
                   for e in c.equipment}  # fmt: skip
        site.areas[:] = self.snapshot or []
        for area in site.areas:
            area.lines[:] = self._areas_before.get(id(area), area.lines)
        document.types = dict(self.types_before or {})
        return removed
