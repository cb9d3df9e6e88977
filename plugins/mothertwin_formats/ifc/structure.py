"""The spatial structure of an IFC model: where each element sits (storey, space, system), and placements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_DEPTH = 64  # levels of aggregation followed up; deeper (a cycle in a broken file) stops there


@dataclass
class Structure:
    """Where each element sits: its storey, the space it stands in, the system it belongs to."""

    container: dict[int, Any] = field(default_factory=dict)
    parent: dict[int, Any] = field(default_factory=dict)
    system: dict[int, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, model: Any) -> Structure:
        out = cls()
        for rel in model.by_type("IfcRelContainedInSpatialStructure"):
            for element in rel.RelatedElements or ():
                out.container.setdefault(element.id(), rel.RelatingStructure)
        for rel in model.by_type("IfcRelAggregates"):
            for part in rel.RelatedObjects or ():
                out.parent.setdefault(part.id(), rel.RelatingObject)
        for rel in model.by_type("IfcRelAssignsToGroup"):
            group = rel.RelatingGroup
            if group is None or not group.is_a("IfcSystem") or group.is_a("IfcZone"):
                continue  # zones group spaces, not equipment
            for obj in rel.RelatedObjects or ():
                out.system.setdefault(obj.id(), group)
        return out

    def direct_container(self, element: Any) -> Any:
        """The spatial element an element is contained in (its aggregate's, for a part)."""
        current = element
        for _ in range(MAX_DEPTH):
            found = self.container.get(current.id())
            if found is not None:
                return found
            current = self.parent.get(current.id())
            if current is None:
                return None
        return None

    def storey(self, element: Any) -> Any:
        current = self.direct_container(element)
        for _ in range(MAX_DEPTH):
            if current is None or current.is_a("IfcBuildingStorey"):
                return current
            current = self.parent.get(current.id())
        return None

    def space(self, element: Any) -> Any:
        found = self.direct_container(element)
        return found if found is not None and found.is_a("IfcSpace") else None


def _placement_matrix(element: Any, length_scale: float) -> np.ndarray:
    import ifcopenshell.util.placement

    matrix = np.eye(4)
    if getattr(element, "ObjectPlacement", None) is not None:
        matrix = np.array(ifcopenshell.util.placement.get_local_placement(element.ObjectPlacement), dtype=float)
        matrix[:3, 3] *= length_scale
    return matrix


def _latitude(value: Any) -> float | None:
    """An IfcCompoundPlaneAngleMeasure (degrees, minutes, seconds, millionths) as decimal degrees."""
    if not value:
        return None
    parts = [*value, 0, 0, 0]
    degrees = parts[0] + parts[1] / 60 + parts[2] / 3600 + parts[3] / 3.6e9
    return float(degrees)
