"""IFC property and quantity sets as parameters, in SI where the file's unit for them is known."""

from __future__ import annotations

import math
from typing import Any

from viewer.formats import Parameter

SI_UNITS = {"LENGTHUNIT": "m", "AREAUNIT": "m2", "VOLUMEUNIT": "m3", "MASSUNIT": "kg", "TIMEUNIT": "s"}
QUANTITY_UNITS = {
    "IfcQuantityLength": "LENGTHUNIT",
    "IfcQuantityArea": "AREAUNIT",
    "IfcQuantityVolume": "VOLUMEUNIT",
    "IfcQuantityWeight": "MASSUNIT",
    "IfcQuantityTime": "TIMEUNIT",
    "IfcQuantityCount": "",
}


class Properties:
    """Property and quantity sets as parameters, read once per set (many elements share one), values in SI where
    the file's unit for them is known (lengths in metres however the file measures them)."""

    def __init__(self, model: Any) -> None:
        import ifcopenshell.util.unit as units

        self.model = model
        self.units = units
        self._scales: dict[str, tuple[float, str] | None] = {}
        self._sets: dict[int, list[Parameter]] = {}
        self.occurrence: dict[int, list[Any]] = {}
        for rel in model.by_type("IfcRelDefinesByProperties"):
            definitions = rel.RelatingPropertyDefinition
            if not isinstance(definitions, tuple):  # IFC4 allows a set of definitions
                definitions = (definitions,)
            for obj in rel.RelatedObjects or ():
                self.occurrence.setdefault(obj.id(), []).extend(d for d in definitions if d is not None)
        self.type_of: dict[int, Any] = {}
        for rel in model.by_type("IfcRelDefinesByType"):
            for obj in rel.RelatedObjects or ():
                self.type_of[obj.id()] = rel.RelatingType

    def scale(self, unit_type: str) -> tuple[float, str] | None:
        """Factor to SI and its symbol for a unit type of the project (None: no conversion known)."""
        if unit_type not in self._scales:
            found: tuple[float, str] | None = None
            try:
                if unit_type in SI_UNITS:
                    found = (float(self.units.calculate_unit_scale(self.model, unit_type)), SI_UNITS[unit_type])
                elif unit_type == "PLANEANGLEUNIT":
                    radians = float(self.units.calculate_unit_scale(self.model, unit_type))
                    found = (math.degrees(radians), "deg")
                elif unit_type:
                    project_unit = self.units.get_project_unit(self.model, unit_type)
                    if project_unit is not None:
                        found = (1.0, str(self.units.get_unit_symbol(project_unit) or ""))
            except Exception:  # an odd unit definition: the value is kept as written, without a unit
                found = None
            self._scales[unit_type] = found
        return self._scales[unit_type]

    def _measured(self, value: Any, unit: Any) -> tuple[Any, str]:
        """(value, unit) of an IFC measure: converted to SI by the project's unit for its kind."""
        raw = value.wrappedValue if hasattr(value, "wrappedValue") else value
        if unit is not None:
            try:
                return raw, str(self.units.get_unit_symbol(unit) or "")
            except Exception:
                return raw, ""
        if not isinstance(raw, (int, float)) or isinstance(raw, bool) or not hasattr(value, "is_a"):
            return raw, ""
        try:
            unit_type = self.units.get_measure_unit_type(value.is_a()) or ""
        except Exception:
            unit_type = ""
        found = self.scale(unit_type) if unit_type else None
        if found is None:
            return raw, ""
        factor, symbol = found
        return (raw * factor if factor != 1.0 else raw), symbol

    def _parameters(self, definition: Any) -> list[Parameter]:
        key = definition.id()
        if key in self._sets:
            return self._sets[key]
        out: list[Parameter] = []
        set_name = definition.Name or definition.is_a()
        if definition.is_a("IfcPropertySet"):
            for prop in definition.HasProperties or ():
                value, unit = self._property(prop)
                if value is not None:
                    out.append(Parameter(f"{set_name}/{prop.Name}", value, unit))
        elif definition.is_a("IfcElementQuantity"):
            for quantity in definition.Quantities or ():
                value, unit = self._quantity(quantity)
                if value is not None:
                    out.append(Parameter(f"{set_name}/{quantity.Name}", value, unit))
        self._sets[key] = out
        return out

    def _property(self, prop: Any) -> tuple[Any, str]:
        if prop.is_a("IfcPropertySingleValue"):
            if prop.NominalValue is None:
                return None, ""
            value, unit = self._measured(prop.NominalValue, prop.Unit)
            return plain(value), unit
        if prop.is_a("IfcPropertyEnumeratedValue"):
            values = [v.wrappedValue for v in prop.EnumerationValues or ()]
            return ("; ".join(str(v) for v in values) if values else None), ""
        if prop.is_a("IfcPropertyListValue"):
            values = [v.wrappedValue for v in prop.ListValues or ()]
            return ("; ".join(str(v) for v in values) if values else None), ""
        if prop.is_a("IfcPropertyBoundedValue"):
            low, high = prop.LowerBoundValue, prop.UpperBoundValue
            if low is None and high is None:
                return None, ""
            low_text = "" if low is None else str(low.wrappedValue)
            high_text = "" if high is None else str(high.wrappedValue)
            return f"{low_text} .. {high_text}", ""
        return None, ""  # complex and table properties: nothing one value can hold

    def _quantity(self, quantity: Any) -> tuple[Any, str]:
        unit_type = QUANTITY_UNITS.get(quantity.is_a())
        if unit_type is None or len(quantity) < 4 or quantity[3] is None:
            return None, ""
        raw = quantity[3]
        found = self.scale(unit_type) if unit_type else None
        if getattr(quantity, "Unit", None) is not None:
            return plain(raw), self._measured(raw, quantity.Unit)[1]
        if found is None:
            return plain(raw), ""
        return plain(raw * found[0]), found[1]

    def of(self, element: Any) -> list[Parameter]:
        """An element's parameters: its type's sets, overridden by its own."""
        by_name: dict[str, Parameter] = {}
        element_type = self.type_of.get(element.id())
        for definition in (getattr(element_type, "HasPropertySets", None) or ()) if element_type else ():
            for parameter in self._parameters(definition):
                by_name[parameter.name] = parameter
        for definition in self.occurrence.get(element.id(), ()):
            for parameter in self._parameters(definition):
                by_name[parameter.name] = parameter
        return list(by_name.values())


def plain(value: Any) -> Any:
    """A value the plant document holds: a number, text or true/false."""
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if value is None:
        return None
    return str(value)
