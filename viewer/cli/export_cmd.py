"""`mothertwin export`: a plant document (or one site, or line, of it) to another format through the exporter
plugins: AutomationML (CAEX 3.0), glTF 2.0 (GLB or .gltf) and OpenUSD (crate or text)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from viewer.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, PLANT_HELP, plant_path, shipped_plugins
from viewer.cli.import_cmd import option_pair
from viewer.io import PlantFileError


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "export",
        help="export a plant document to AutomationML (.aml), glTF (.glb, .gltf) or OpenUSD (.usd, .usda, .usdc)",
        description="Write a plant document, or one site or line of it, in another format. Files are written "
        "atomically: a failed export leaves nothing half-written. Exit 0 written, 1 not, 2 a wrong command line.",
    )
    parser.add_argument("file", type=plant_path, help=PLANT_HELP)
    parser.add_argument(
        "--format", help="aml, glb, gltf, usd, usda or usdc (the exporter plugins'); default: the output's suffix"
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="the file to write (e.g. plant.aml)")
    parser.add_argument("--site", help="export only this site (name or id)")
    parser.add_argument("--line", help="export only this line (name or id) with its site")
    parser.add_argument("--option", type=option_pair, action="append", default=[], metavar="KEY=VALUE",
                        help="an exporter's option")  # fmt: skip
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from viewer.app.exporting import ExportError, choose_scope, export_plant, find_writer
    from viewer.cli.common import load_plant

    out: Path = args.output
    try:
        document = load_plant(args.file)
    except PlantFileError as exc:
        from viewer.cli.common import print_problems

        print_problems(exc)
        return EXIT_INVALID
    try:
        writer = find_writer(shipped_plugins(), args.format or out.suffix)
        site, line = choose_scope(document, args.site, args.line)
    except ExportError as exc:
        print(f"mothertwin export: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        written = export_plant(document, out, writer, site, line, dict(args.option))
    except (ExportError, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"mothertwin export: {out}: not written: {reason}", file=sys.stderr)
        return EXIT_INVALID
    scope = f"line {line.name}" if line else f"site {site.name}" if site else "the plant"
    for path in written:
        print(f"wrote {path} ({scope}, {path.stat().st_size:,} bytes)")
    return EXIT_OK
