"""Equipment types: the library entries that equipment instances refer to by name."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from viewer.model.values import Parameter, Signal


@dataclass(slots=True)
class Footprint:
    """Floor rectangle in metres, centred on the equipment origin, plus its height."""

    width: float
    depth: float
    height: float


@dataclass(slots=True)
class EquipmentType:
    name: str
    title: str
    category: str
    footprint: Footprint
    mesh: str = ""
    color: tuple[int, int, int] = (170, 170, 170)
    parameters: list[Parameter] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    # Free zone around the footprint in metres that other equipment must keep out of (None: the site default).
    clearance: float | None = None
    # Folder that `mesh` is relative to; set by whoever loaded the type, never saved.
    base_dir: Path | None = None

    def mesh_path(self) -> Path | None:
        if not self.mesh:
            return None
        path = Path(self.mesh)
        if not path.is_absolute() and self.base_dir is not None:
            path = self.base_dir / path
        return path

    def default_parameters(self) -> list[Parameter]:
        return copy.deepcopy(self.parameters)

    def default_signals(self) -> list[Signal]:
        return copy.deepcopy(self.signals)


@dataclass(slots=True)
class EquipmentLibrary:
    types: dict[str, EquipmentType] = field(default_factory=dict)

    def __contains__(self, name: str) -> bool:
        return name in self.types

    def __getitem__(self, name: str) -> EquipmentType:
        return self.types[name]

    def names(self) -> list[str]:
        return sorted(self.types)

    def merged(self, extra: dict[str, EquipmentType]) -> EquipmentLibrary:
        """The library as a document sees it: its own types override the built-in ones."""
        return EquipmentLibrary({**self.types, **extra})
