"""`mothertwin generate`: a synthetic plant of a given size, for benchmarks."""

from __future__ import annotations

import argparse
from pathlib import Path

from viewer.cli.common import EXIT_OK
from viewer.io import builtin_library, save_document


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("generate", help="write a synthetic plant for benchmarks")
    parser.add_argument("--equipment", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from viewer.model.synthetic import generate_plant

    document = generate_plant(builtin_library(), args.equipment, args.seed)
    save_document(document, args.output)
    print(f"wrote {args.output}: {document.equipment_count()} equipment in {len(document.sites)} sites")
    return EXIT_OK
