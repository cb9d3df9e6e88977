"""The plant as BCF sees it: components by id, the groups above them, where they stand.

BCF names components one by one (by IFC GlobalId, or by the id of the tool that made them); MotherTwin hides
whole areas, lines or cells. This index turns one into the other, and finds equipment back by either id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from viewer.model import PlantDocument
from viewer.model.geometry import equipment_world_matrices
from viewer.model.review import Vec3


@dataclass
class PlantIndex:
    ids: dict[str, int] = field(default_factory=dict)  # equipment id -> row
    site_of: list[str] = field(default_factory=list)
    paths: list[tuple[str, ...]] = field(default_factory=list)  # site, area, line, cell, equipment ids
    positions: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    by_site: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, document: PlantDocument) -> PlantIndex:
        index = cls()
        for path in document.iter_equipment():
            row = len(index.paths)
            index.ids.setdefault(path.equipment.id, row)
            index.site_of.append(path.site.id)
            index.paths.append((path.site.id, path.area.id, path.line.id, path.cell.id, path.equipment.id))
            index.by_site.setdefault(path.site.id, []).append(row)
        matrices = equipment_world_matrices(document)
        index.positions = matrices[:, :3, 3] if len(matrices) else np.zeros((0, 3))
        return index

    def equipment_id(self, row: int) -> str:
        return self.paths[row][-1]

    def visibility(self, site: str, hidden: Iterable[str], isolated: str | None) -> tuple[list[str], list[str]]:
        """The site's equipment hidden and shown by hidden groups and an isolated one, ids in plant order."""
        gone = frozenset(hidden)
        shown: list[str] = []
        not_shown: list[str] = []
        for row in self.by_site.get(site, ()):
            path = self.paths[row]
            hides = bool(gone.intersection(path)) or (isolated is not None and isolated not in path)
            (not_shown if hides else shown).append(path[-1])
        return not_shown, shown

    def site_ids(self, site: str) -> list[str]:
        return [self.paths[row][-1] for row in self.by_site.get(site, ())]

    def centre(self, ids: Sequence[str]) -> Vec3 | None:
        rows = [self.ids[i] for i in ids if i in self.ids]
        if not rows:
            return None
        x, y, z = (float(v) for v in self.positions[rows].mean(axis=0))
        return (x, y, z)
