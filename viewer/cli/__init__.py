"""The `mothertwin` command: open, render, simulate, validate, info, generate, bench, clone, diff, build-assets.

`viewer/cli/parser.py` builds the argument parser from the command modules (`*_cmd.py`, one per command);
`common.py` holds what they share.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from viewer.cli import open_cmd
from viewer.cli.common import EXIT_INVALID, load_plant, print_problems
from viewer.cli.open_cmd import display_problem
from viewer.cli.parser import build_parser
from viewer.io import PlantFileError

__all__ = ["build_parser", "display_problem", "main"]

_load = load_plant  # the name tests and scripts have used for "open a command's plant file"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return open_cmd.run(argparse.Namespace(file=None))
    try:
        return args.func(args)
    except PlantFileError as exc:
        print_problems(exc)
        return EXIT_INVALID
