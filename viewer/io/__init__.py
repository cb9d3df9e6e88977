"""Reading and writing plant documents, equipment libraries and meshes."""

from viewer.io.errors import PlantFileError, Problem
from viewer.io.library_io import builtin_library, load_library
from viewer.io.plant_json import dumps_document, load_document, save_document

__all__ = [
    "PlantFileError",
    "Problem",
    "builtin_library",
    "dumps_document",
    "load_document",
    "load_library",
    "save_document",
]
