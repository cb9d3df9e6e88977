"""Helpers to create equipment from library types, shared by the demo plant and the synthetic generator."""

from __future__ import annotations

from viewer.model.library import EquipmentLibrary
from viewer.model.plant import Equipment
from viewer.model.values import Pose


def new_equipment(
    library: EquipmentLibrary, type_name: str, ident: str, name: str, x: float, y: float, yaw: float = 0.0
) -> Equipment:
    """An equipment of a type with the type's default parameters and signals copied in.

    Copied, not referenced: Copy Exactly compares per-instance values, and an instance may deviate.
    """
    equipment_type = library[type_name]
    return Equipment(
        id=ident,
        name=name,
        type=type_name,
        pose=Pose(x=float(round(x, 3)), y=float(round(y, 3)), yaw=float(yaw)),
        parameters=equipment_type.default_parameters(),
        signals=equipment_type.default_signals(),
    )
