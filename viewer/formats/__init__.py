"""The public plugin API for importers and exporters: everything a plugin that reads or writes another plant
format needs, and nothing else of MotherTwin (the shipped format plugins in `plugins/` use only this, as a
third party would; an import-linter contract checks it).

An importer is a `Reader`: `read(ReadRequest) -> ReadResult`, with a `MappingReport` of what became what. An
exporter is a `Writer`: `write(WriteRequest) -> {file name: bytes}`. Both are declared in a plugin's manifest
(`PluginManifest`, `Contribution` of kind "importer" or "exporter", `handles` the file suffixes) and imported
only when a file of their format is opened or written. See plugins/README.md.
"""

from viewer.app.exporting import ExportError, Writer, WriteRequest
from viewer.app.opening import (
    ImportOption,
    MappingReport,
    MappingRow,
    OpenCancelledError,
    Reader,
    ReadRequest,
    ReadResult,
)
from viewer.io.errors import PlantFileError, Problem
from viewer.io.export_geometry import BuildingMesh, building_meshes, grid_column_mesh, load_type_mesh
from viewer.model import (
    Area,
    BuildingElement,
    BuildingKind,
    Cell,
    ColumnGrid,
    Enterprise,
    Equipment,
    EquipmentLibrary,
    EquipmentPath,
    EquipmentType,
    Footprint,
    Line,
    MaterialLink,
    Parameter,
    PlantDocument,
    Pose,
    Site,
)
from viewer.model.edit import unique_name
from viewer.model.geometry import cell_world_matrices, equipment_world_matrices, pose_matrix
from viewer.sensors.plugins import Contribution, PluginManifest

__all__ = [
    "Area",
    "BuildingElement",
    "BuildingKind",
    "BuildingMesh",
    "Cell",
    "ColumnGrid",
    "Contribution",
    "Enterprise",
    "Equipment",
    "EquipmentLibrary",
    "EquipmentPath",
    "EquipmentType",
    "ExportError",
    "Footprint",
    "ImportOption",
    "Line",
    "MappingReport",
    "MappingRow",
    "MaterialLink",
    "OpenCancelledError",
    "Parameter",
    "PlantDocument",
    "PlantFileError",
    "PluginManifest",
    "Pose",
    "Problem",
    "ReadRequest",
    "ReadResult",
    "Reader",
    "Site",
    "WriteRequest",
    "Writer",
    "building_meshes",
    "cell_world_matrices",
    "equipment_world_matrices",
    "grid_column_mesh",
    "load_type_mesh",
    "pose_matrix",
    "unique_name",
]
