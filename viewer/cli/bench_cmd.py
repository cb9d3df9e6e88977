"""`mothertwin bench`: the benchmarks; their kinds and options are `viewer.bench.command`'s."""

from __future__ import annotations

import argparse

from viewer.cli.common import size_type


def add_parser(sub: argparse._SubParsersAction) -> None:
    from viewer.bench.command import add_bench_parser

    parser = add_bench_parser(sub, size_type)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from viewer.bench.command import run_bench

    return run_bench(args)
