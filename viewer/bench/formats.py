"""`mothertwin bench formats`: the generated plant written to AutomationML and imported back (target: 10,000
equipment imported in 3 s or less), against two floors measured in the same run: parsing the same .aml with
lxml and nothing more, and loading the same plant from its MotherTwin JSON. Then the real IFC files of
`--ifc-folder` (the shared test data where present), each imported through its worker process."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from viewer.bench.figures import figure_line, verdict

AML_IMPORT_TARGET = 3.0  # seconds for 10,000 equipment
SCENE_EXPORT_TARGET = 2.0  # seconds for 10,000 equipment, glTF and OpenUSD each
SCENE_FORMATS = (("glTF export (.glb)", "glb", ".glb"), ("OpenUSD export (.usdc)", "usdc", ".usdc"),
                 ("OpenUSD export (.usda)", "usda", ".usda"))  # fmt: skip
REPEATS = 3


def _best(action, repeats: int = REPEATS) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def _default_ifc_folder() -> Path:
    return Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ifc"


def scene_export_figures(document, library, registry, equipment: int) -> dict[str, float]:  # noqa: ANN001
    """The plant exported for other 3D tools (glTF, OpenUSD): time and file size per format (target: 2 s or
    less each for 10,000 equipment)."""
    from viewer.app.exporting import export_plant, find_writer

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for label, format_name, suffix in SCENE_FORMATS:
            path = Path(folder) / f"plant{suffix}"
            writer = find_writer(registry, format_name)
            seconds = _best(lambda: export_plant(document, path, writer, library=library))  # noqa: B023
            figures[f"{format_name}_export_s"] = seconds
            figures[f"{format_name}_export_mb"] = path.stat().st_size / 1e6
            figure_line(
                label, f"{seconds:.2f} s",
                verdict(seconds <= SCENE_EXPORT_TARGET * equipment / 10_000,
                        f"<= {SCENE_EXPORT_TARGET:g} s per 10,000 equipment")
                + f"; {path.stat().st_size / 1e6:.1f} MB written",
            )  # fmt: skip
    return figures


def run_formats_benchmark(equipment: int = 10_000, ifc_folder: Path | None = None) -> dict[str, float]:
    from lxml import etree

    from viewer.app.exporting import export_plant, find_writer
    from viewer.app.opening import open_plant
    from viewer.io import builtin_library, load_document, save_document
    from viewer.model.synthetic import generate_plant
    from viewer.sensors.plugins import PluginRegistry, is_shipped

    registry = PluginRegistry.discover(allow=is_shipped)
    library = builtin_library()
    document = generate_plant(library, equipment, seed=7)
    figures: dict[str, float] = {}
    print(f"File formats: the generated plant of {equipment:,} equipment (best of {REPEATS})")
    with tempfile.TemporaryDirectory() as folder:
        json_path, aml_path = Path(folder) / "plant.mtplant.json", Path(folder) / "plant.aml"
        save_document(document, json_path)
        writer = find_writer(registry, "aml")
        figures["aml_export_s"] = _best(lambda: export_plant(document, aml_path, writer, library=library))
        data = aml_path.read_bytes()
        figures["json_load_s"] = _best(lambda: load_document(json_path, library))
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        figures["xml_parse_s"] = _best(lambda: etree.fromstring(data, parser))
        imported = []
        figures["aml_import_s"] = _best(lambda: imported.append(open_plant(aml_path, library, registry=registry)))
        count = imported[-1].document.equipment_count() if imported and imported[-1] else 0
        figure_line("AML export", f"{figures['aml_export_s']:.2f} s", f"{len(data) / 1e6:.1f} MB written")
        figure_line(
            "AML import", f"{figures['aml_import_s']:.2f} s",
            verdict(figures["aml_import_s"] <= AML_IMPORT_TARGET * equipment / 10_000 and count == equipment,
                    f"<= {AML_IMPORT_TARGET:g} s per 10,000 equipment; {count:,} equipment back"),
        )  # fmt: skip
        figure_line(
            "  floor: lxml parse of the same file", f"{figures['xml_parse_s']:.2f} s",
            f"import is {figures['aml_import_s'] / figures['xml_parse_s']:.1f}x the parse",
        )  # fmt: skip
        figure_line(
            "  MotherTwin JSON load of the same plant", f"{figures['json_load_s']:.2f} s",
            f"import is {figures['aml_import_s'] / figures['json_load_s']:.1f}x the JSON load "
            f"({json_path.stat().st_size / 1e6:.1f} MB)",
        )  # fmt: skip
    figures.update(scene_export_figures(document, library, registry, equipment))
    folder = ifc_folder if ifc_folder is not None else _default_ifc_folder()
    files = sorted(folder.glob("*.ifc")) if folder.is_dir() else []
    if not files:
        print(f"  IFC: no .ifc files in {folder} (give --ifc-folder)")
        return figures
    for path in files:
        times, opened = [], None
        for _ in range(REPEATS):
            start = time.perf_counter()
            opened = open_plant(path, library, registry=registry)
            times.append(time.perf_counter() - start)
        assert opened is not None
        site = opened.document.sites[0] if opened.document.sites else None
        building = len(site.building) if site else 0
        name = f"IFC import {path.name} ({path.stat().st_size / 1e3:.0f} kB)"
        figures[f"ifc_{path.stem}_s"] = min(times)
        figure_line(
            name, f"{min(times):.2f} s",
            f"median {statistics.median(times):.2f} s; {opened.document.equipment_count()} equipment, "
            f"{building} building elements; in a worker process",
        )  # fmt: skip
    return figures
