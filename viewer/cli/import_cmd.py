"""`mothertwin import`: a plant from another format (AutomationML, IFC, DXF: the importer plugins) into a plant
document, printing the importer's mapping report; with --into, added to an existing document instead."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from viewer.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, plant_path, print_problems, shipped_plugins
from viewer.io import PlantFileError


def option_pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "import",
        help="import a plant from AutomationML (.aml), IFC (.ifc) or a DXF layout (.dxf) into a plant document",
        description="Import a plant layout from another format with its importer plugin and print what became "
        "site, area, line, cell and equipment, what was kept and what was skipped. Exit 0 on success, 1 when the "
        "file cannot be imported (each problem named), 2 for a wrong command line.",
    )
    parser.add_argument("file", type=Path, help="the file to import (.aml, .ifc, .dxf)")
    parser.add_argument("-o", "--output", type=Path, help="the plant document to write (*.mtplant.json)")
    parser.add_argument("--site", help="name of the imported site; with --into, the site of PLANT it goes into")
    parser.add_argument("--into", type=plant_path, metavar="PLANT", help="add the import to this plant document")
    parser.add_argument(
        "--option",
        type=option_pair,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an importer's choice (see --list-options), e.g. units=mm or height:PRESS=2.5",
    )
    parser.add_argument(
        "--layer-map",
        metavar="MAP",
        help="DXF: layers to lines, cells or the building, e.g. 'EQUIP-L1=line:Line 1,A-WALL=building'",
    )
    parser.add_argument("--list-options", action="store_true", help="list the importer's choices for FILE and exit")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from viewer.app.importing import import_plant, merge_into, place_files
    from viewer.app.opening import import_options
    from viewer.io import save_document

    registry = shipped_plugins()
    source: Path = args.file
    try:
        if args.list_options:
            for option in import_options(source, registry):
                choices = f" (one of: {', '.join(option.choices)})" if option.choices else ""
                print(f"{option.key}={option.default}\t{option.title}{choices}")
            return EXIT_OK
        if args.output is None:
            print("mothertwin import: -o OUT.mtplant.json is required", file=sys.stderr)
            return EXIT_USAGE
        out: Path = args.output
        if not out.name.lower().endswith(".json"):
            print(f"mothertwin import: {out}: the output is a plant document (*.mtplant.json)", file=sys.stderr)
            return EXIT_USAGE
        if out.resolve() == source.resolve():
            print(f"mothertwin import: {out}: would write over the imported file", file=sys.stderr)
            return EXIT_USAGE
        options = dict(args.option)
        if args.layer_map:
            options["layer-map"] = args.layer_map
        progress = _progress if sys.stderr.isatty() else None
        imported = import_plant(source, args.site, options, registry=registry, progress=progress)
        assert imported is not None  # only a cancel gives none
        document = imported.document
        if args.into is not None:
            from viewer.cli.common import load_plant

            document = load_plant(args.into)
            merge_into(document, imported.document, args.site, source)
    except PlantFileError as exc:
        print_problems(exc)
        return EXIT_INVALID
    for line in imported.report_lines():
        print(line)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        place_files(document, imported.assets, out.parent)
        save_document(document, out)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"mothertwin import: {out}: not written: {reason}", file=sys.stderr)
        return EXIT_INVALID
    count = sum(len(c.equipment) for s in imported.sites for a in s.areas for li in a.lines for c in li.cells)
    into = f" into {args.into}" if args.into is not None else ""
    sites = len(document.sites)
    print(f"wrote {out}{into}: {count} equipment imported, {sites} site{'s' if sites != 1 else ''} in the document")
    return EXIT_OK


def _progress(fraction: float, stage: str) -> None:
    print(f"\r{stage or 'Importing'} {fraction:4.0%}", end="", file=sys.stderr, flush=True)
