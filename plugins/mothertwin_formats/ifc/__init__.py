"""IFC building models (IFC2X3, IFC4) as a plant: walls, slabs, columns and spaces become the site's building,
equipment-like elements (proxies, furniture, distribution and flow elements) become equipment with their
geometry as meshes and their property sets as parameters.

This module is imported when a .ifc file is chosen, also by the window's process: it stays light. The reading
itself (reading.py, with ifcopenshell) runs in a worker process (`isolated`), since ifcopenshell's geometry
iterator is known to take its process down on some files.
"""

from __future__ import annotations

from pathlib import Path

from viewer.formats import ImportOption, ReadRequest, ReadResult

STEP_MAGIC = b"ISO-10303-21;"
Z_ORIGIN_KEY = "z_origin"
Z_ORIGIN_LOWEST_STOREY = "lowest-storey"
Z_ORIGIN_FILE = "file"


class IfcReader:
    """The "ifc" importer: an IFC STEP file (ISO 10303-21) of schema IFC2X3 or IFC4."""

    name = "ifc"
    title = "IFC"
    suffixes = (".ifc",)
    isolated = True  # ifcopenshell's native geometry code may crash: read in a process of its own

    def sniff(self, head: bytes) -> bool:
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(STEP_MAGIC)

    def import_options(self, path: Path, head: bytes) -> list[ImportOption]:
        return [
            ImportOption(
                Z_ORIGIN_KEY,
                "Height zero",
                Z_ORIGIN_LOWEST_STOREY,
                (Z_ORIGIN_LOWEST_STOREY, Z_ORIGIN_FILE),
            )
        ]

    def read(self, request: ReadRequest) -> ReadResult:
        from mothertwin_formats.ifc.reading import read_ifc

        return read_ifc(request)
