"""The `mothertwin` argument parser: one sub-command per module of this package, in the order `--help` lists them.

A new command is a module `viewer/cli/NAME_cmd.py` with `add_parser(sub)` (its sub-parser, which sets
`func=run`) and `run(args) -> int` (the exit status), named in COMMANDS below. A command module keeps its heavy
imports (VTK, Qt, pyvista, DuckDB, the benchmarks) inside `run`: building the parser imports none of them.
"""

from __future__ import annotations

import argparse

from viewer.cli import (
    bench_cmd,
    build_assets_cmd,
    clone_cmd,
    diff_cmd,
    export_cmd,
    generate_cmd,
    import_cmd,
    info_cmd,
    open_cmd,
    render_cmd,
    review_cmd,
    review_report_cmd,
    simulate_cmd,
    validate_cmd,
)

COMMANDS = (
    render_cmd,
    simulate_cmd,
    validate_cmd,
    info_cmd,
    generate_cmd,
    bench_cmd,
    clone_cmd,
    diff_cmd,
    import_cmd,
    export_cmd,
    build_assets_cmd,
    review_cmd,
    open_cmd,
    review_report_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mothertwin", description="3D digital twin of production plants: mother line and child sites."
    )
    sub = parser.add_subparsers(dest="command")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser
