"""`mothertwin build-assets`: regenerate the equipment library and the demo plant."""

from __future__ import annotations

import argparse
from pathlib import Path

from viewer.cli.common import EXIT_OK


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("build-assets", help="regenerate the equipment library and the demo plant")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "assets")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from viewer.assets_gen.build import build_assets

    for line in build_assets(args.out):
        print(line)
    return EXIT_OK
