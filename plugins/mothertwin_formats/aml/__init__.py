"""AutomationML (IEC 62714, CAEX 2.15 and 3.0): `reader.AmlReader` imports, `writer.AmlWriter` exports (CAEX 3.0),
`caex` holds what they share. `round_trip_times` is what the benchmark calls: export a plant and import it back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from viewer.formats import EquipmentLibrary, PlantDocument, ReadRequest, WriteRequest


@dataclass(frozen=True, slots=True)
class RoundTripTimes:
    export_s: float  # building and serialising the CAEX file (not writing it to disk)
    import_s: float  # parsing and mapping it back into a plant document
    equipment: int  # equipment in the imported document
    file_bytes: int


def round_trip_times(document: PlantDocument, library: EquipmentLibrary, path: Path) -> RoundTripTimes:
    """Export `document` to the AutomationML file `path` and import it back, timing each step once."""
    from mothertwin_formats.aml.reader import AmlReader
    from mothertwin_formats.aml.writer import AmlWriter

    path = Path(path)
    started = time.perf_counter()
    files = AmlWriter().write(WriteRequest(document, path, library.merged(document.types)))
    exported = time.perf_counter()
    data = files[path.name]
    path.write_bytes(data)
    read_started = time.perf_counter()
    result = AmlReader().read(ReadRequest(path, data, library, lambda fraction, stage: None, lambda: False))
    done = time.perf_counter()
    return RoundTripTimes(exported - started, done - read_started, result.document.equipment_count(), len(data))
