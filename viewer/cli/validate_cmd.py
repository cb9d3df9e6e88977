"""`mothertwin validate`: check a plant document, and with --checks run the layout checks on every site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from viewer.cli.common import EXIT_INVALID, EXIT_OK, PLANT_HELP, load_plant, plant_path
from viewer.io import builtin_library
from viewer.model import EquipmentLibrary, PlantDocument


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help="check a plant document; exit 1 listing every problem")
    parser.add_argument("file", type=plant_path, help=PLANT_HELP)
    parser.add_argument(
        "--checks",
        action="store_true",
        help="also run the layout checks on every site (overlaps, walkways below 1 m or the type's clearance, "
        "equipment outside the building or on a column); exit 1 listing each clash",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from viewer.scene.batch import TypeMeshes

    document = load_plant(args.file)
    library = builtin_library().merged(document.types)
    meshes = TypeMeshes(library)
    for type_name in sorted({p.equipment.type for p in document.iter_equipment()}):
        meshes.get(type_name)
    for warning in meshes.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{args.file}: valid ({document.equipment_count()} equipment, {len(document.sites)} sites)")
    return _layout_checks(args.file, document, library) if args.checks else EXIT_OK


def _layout_checks(path: Path, document: PlantDocument, library: EquipmentLibrary) -> int:
    """`validate --checks`: the window's layout checks on every site, each clash listed; exit 1 on any."""
    from viewer.model.checks import LayoutChecker

    clashes = 0
    for site in document.sites:
        found = LayoutChecker(document, library, site).current()
        for violation in found:
            print(f"{path}: site {site.name} ({site.id}): {violation.kind}: {violation.message}", file=sys.stderr)
        clashes += len(found)
    if clashes:
        count = f"{clashes} layout clash{'es' if clashes != 1 else ''}"
        print(f"{count} found ({len(document.sites)} sites checked)", file=sys.stderr)
        return EXIT_INVALID
    print(f"{path}: layout checks passed: no overlaps, walkways, equipment outside the building or on columns")
    return EXIT_OK
