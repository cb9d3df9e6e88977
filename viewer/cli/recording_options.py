"""The options of the commands that read a recording (`render`, `open`): how its times are read. They are
the recording source's settings (`ReadOptions`, kept in `SourceSettings.options`), so a file reads the same
in the window and on the command line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from viewer.sensors import ReadOptions
from viewer.sensors.recording_read import OPTION_KEYS


def add_recording_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("how the recording's times are read (CSV)")
    group.add_argument("--time-column", metavar="NAME", help="the column holding the time (default: found by name)")
    group.add_argument("--rate", type=float, metavar="HZ", help="no time column: the rows are HZ per second ...")
    group.add_argument(
        "--start", metavar="T", help="... from T (ISO 8601 or epoch s); with a numeric time column: its zero"
    )
    group.add_argument(
        "--timezone",
        metavar="ZONE",
        help="zone of times without a UTC offset (IANA name, or 'site': the site's); default UTC",
    )
    group.add_argument("--decimal", choices=(",", "."), help="decimal separator of the values (default: found)")


def recording_options(args: argparse.Namespace) -> dict[str, Any]:
    """The read options given on the command line, as a recording source's settings options."""
    return ReadOptions.from_options({k: getattr(args, k, None) for k in OPTION_KEYS}).to_options()


def progress_printer(command: str) -> Any:
    """A `progress` callback that says every tenth of a big CSV's conversion on stderr."""
    said = [-1]

    def say(fraction: float, what: str) -> None:
        tenth = int(fraction * 10)
        if tenth != said[0]:
            said[0] = tenth
            print(f"mothertwin {command}: {what}: {tenth * 10} %", file=sys.stderr, flush=True)

    return say
