"""Write the built-in library (GLB + manifest per type) and the demo plant into an assets folder."""

from __future__ import annotations

from pathlib import Path

from viewer.assets_gen.demo_drawing import write_demo_drawing
from viewer.assets_gen.demo_plant import build_demo_plant, build_library_showcase
from viewer.assets_gen.library_spec import LIBRARY, TypeSpec
from viewer.assets_gen.primitives import MeshBuilder
from viewer.io.atomic import atomic_write_text
from viewer.io.library_io import MANIFEST_SUFFIX, load_library, type_manifest_text
from viewer.io.plant_json import save_document
from viewer.model import EquipmentType


def build_type_mesh(spec: TypeSpec) -> MeshBuilder:
    builder = MeshBuilder()
    width, depth, height = spec.footprint
    spec.build(builder, width, depth, height, spec.color)
    return builder


def build_library(folder: Path) -> list[str]:
    """Write every type; returns one line per type with its triangle count."""
    folder.mkdir(parents=True, exist_ok=True)
    report = []
    for spec in LIBRARY:
        builder = build_type_mesh(spec)
        builder.write_glb(folder / f"{spec.name}.glb")
        equipment_type = EquipmentType(
            name=spec.name,
            title=spec.title,
            category=spec.category,
            footprint=spec.footprint_model,
            mesh=f"{spec.name}.glb",
            color=spec.color,
            parameters=spec.parameters,
            signals=spec.signals,
            clearance=spec.clearance,
        )
        atomic_write_text(folder / f"{spec.name}{MANIFEST_SUFFIX}", type_manifest_text(equipment_type))
        report.append(f"{spec.name:20s} {builder.triangle_count():6d} triangles")
    return report


def build_assets(assets: Path) -> list[str]:
    report = build_library(assets / "library")
    library = load_library(assets / "library")
    demo = build_demo_plant(library)
    (assets / "demo").mkdir(parents=True, exist_ok=True)
    save_document(demo, assets / "demo" / "battery-plant.mtplant.json")
    save_document(build_library_showcase(library), assets / "demo" / "library-showcase.mtplant.json")
    report.append(f"demo plant: {demo.equipment_count()} equipment")
    write_demo_drawing(assets / "demo" / "cell-hall.dxf")
    report.append("demo drawing: cell-hall.dxf (a layout to import)")
    return report
