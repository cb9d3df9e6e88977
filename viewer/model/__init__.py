"""The plant model: plain data with no Qt and no VTK."""

from viewer.model.library import EquipmentLibrary, EquipmentType, Footprint
from viewer.model.plant import (
    FORMAT_NAME,
    FORMAT_VERSION,
    Area,
    Cell,
    CloneRecord,
    ColumnGrid,
    Deviation,
    DeviationChange,
    DeviationStatus,
    Enterprise,
    Equipment,
    EquipmentPath,
    Line,
    PlantDocument,
    Site,
)
from viewer.model.values import Limits, Parameter, Pose, Signal, SignalKind
from viewer.model.views import CameraState, Viewpoint

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "Area",
    "CameraState",
    "Cell",
    "CloneRecord",
    "ColumnGrid",
    "Deviation",
    "DeviationChange",
    "DeviationStatus",
    "Enterprise",
    "Equipment",
    "EquipmentLibrary",
    "EquipmentPath",
    "EquipmentType",
    "Footprint",
    "Limits",
    "Line",
    "Parameter",
    "PlantDocument",
    "Pose",
    "Signal",
    "SignalKind",
    "Site",
    "Viewpoint",
]
