"""`mothertwin bench [KIND]`: the kinds of benchmark and their options.

Every option is parsed with no default of its own (argparse.SUPPRESS): only what was given is passed on, so
each benchmark runs with its own defaults, and an option before the kind (`bench --equipment 300 load`) counts
as one after it. A kind's module is imported only when it runs: the window kinds import Qt.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_USAGE = 2

# The options each kind takes (argparse dest = keyword of the benchmark's run function).
KIND_OPTIONS: dict[str, tuple[str, ...]] = {
    "load": ("equipment", "size", "frames", "naive"),
    "compare": ("equipment",),
    "formats": ("equipment", "ifc_folder"),
    "ui": ("equipment",),
    "live": ("tags", "rate", "seconds", "frames"),
    "recording": ("output", "tags", "hours", "queries", "window", "reuse"),
    "replay": ("recording", "speed", "seconds", "seeks", "msaa"),
    "bcf": ("equipment", "topics"),
    "review": ("equipment", "topics"),
    "session": ("moves", "followers", "equipment", "frames"),
    "all": ("equipment", "size", "frames", "naive", "recording"),
}
LOAD_OPTIONS = KIND_OPTIONS["load"]  # also options of `bench` itself, for `bench` with no kind
NO_KIND = ("load", "compare")  # `mothertwin bench` alone
# `bench all`: these, then recording and replay
ALL_BEFORE_RECORDING = ("load", "compare", "formats", "ui", "live", "bcf", "review", "session")
DISPLAY = "a real window: needs a display (xvfb-run -a will do)"


def _optional(parser: argparse.ArgumentParser, *flags: str, **keywords: Any) -> None:
    parser.add_argument(*flags, default=argparse.SUPPRESS, **keywords)


def _load_options(parser: argparse.ArgumentParser, size_type: Callable[[str], tuple[int, int]]) -> None:
    _optional(parser, "--equipment", type=int, help="equipment in the generated plant (default 10000)")
    _optional(parser, "--size", type=size_type, help="window WIDTHxHEIGHT (default 1280x800)")
    _optional(parser, "--frames", type=int, help="frames per orbit measurement (default 20)")
    _optional(
        parser, "--no-naive", dest="naive", action="store_false", help="skip the slow one-actor-per-equipment baseline"
    )


def _kind(kinds: argparse._SubParsersAction, name: str, text: str, **keywords: Any) -> argparse.ArgumentParser:
    """One kind: its help line is also its description, so `bench KIND --help` says what it measures."""
    keywords.setdefault("description", text[0].upper() + text[1:] + ".")
    return kinds.add_parser(name, help=text, **keywords)


def add_bench_parser(
    sub: argparse._SubParsersAction, size_type: Callable[[str], tuple[int, int]]
) -> argparse.ArgumentParser:
    """The `bench` command and one sub-command per kind; returns the `bench` parser."""
    bench = sub.add_parser(
        "bench",
        help="measure load, scene build, frame, window, live-data and replay times; prints figures",
        description="Benchmarks; each prints its figures. With no kind: load, then compare (their options "
        "may come before the kind too).",
    )
    _load_options(bench, size_type)
    _optional(bench, "--ui", action="store_true", help="the same as `bench ui` (older spelling)")
    kinds = bench.add_subparsers(dest="kind", metavar="KIND", title="kinds")

    load = _kind(
        kinds,
        "load",
        "load, scene build, first frame, orbit frames, recolouring, layout checks; against the naive way "
        "and a one-box floor",
    )
    _load_options(load, size_type)

    compare = _kind(kinds, "compare", "diff of two lines of --equipment each, linked and by position")
    _optional(compare, "--equipment", type=int, help="equipment per line (default 10000)")

    formats = _kind(
        kinds, "formats", "AutomationML export and import of the generated plant; IFC import of real files"
    )
    _optional(formats, "--equipment", type=int, help="equipment in the generated plant (default 10000)")
    _optional(formats, "--ifc-folder", type=Path, help="folder of .ifc files to time (default ../shared/data/ifc)")

    ui = _kind(kinds, "ui", f"latency while a big plant opens, cancelling, picking; {DISPLAY}")
    _optional(ui, "--equipment", type=int, help="equipment in the generated plant (default 10000)")

    live = _kind(
        kinds, "live", f"every tag at --rate through a real Mosquitto into the 3D view (needs mosquitto); {DISPLAY}"
    )
    _optional(live, "--tags", type=int, help="tags in the generated plant (default 10000)")
    _optional(live, "--rate", type=float, help="updates of every tag per second (default 10)")
    _optional(live, "--seconds", type=float, help="seconds of publishing (default 20)")
    _optional(live, "--frames", type=int, help="frames per orbit measurement (default 30)")

    recording = _kind(
        kinds, "recording", "write a synthetic recording (1 Hz per tag), time the state of every tag at random times"
    )
    recording.add_argument("output", type=Path, help="the recording to write: .parquet, else CSV")
    _optional(recording, "--tags", type=int, help="tags in the recording (default 1000)")
    _optional(recording, "--hours", type=float, help="hours of recording (default 24)")
    _optional(recording, "--queries", type=int, help="state queries at random times (default 50)")
    _optional(recording, "--window", type=float, help="look-back of each query, seconds (default 30)")
    _optional(recording, "--reuse", action="store_true", help="keep an existing file")

    replay = _kind(kinds, "replay", f"seeks and play at --speed of a recording, as far as the screen; {DISPLAY}")
    replay.add_argument(
        "recording", type=Path, help="a long Parquet/CSV recording (time, tag, value): `bench recording` makes one"
    )
    _optional(replay, "--speed", type=float, help="play speed (default 600)")
    _optional(replay, "--seconds", type=float, help="wall seconds of play (default 20)")
    _optional(replay, "--seeks", type=int, help="random seeks timed before playing (default 10)")
    _optional(replay, "--msaa", type=int, help="set the view's multisampling (default: as is)")

    bcf = _kind(kinds, "bcf", "BCF 2.1 and 3.0 export and import of review topics with snapshots, generated plant")
    _optional(bcf, "--equipment", type=int, help="equipment in the generated plant (default 10000)")
    _optional(bcf, "--topics", type=int, help="review topics with snapshots (default 1000)")
    review = _kind(
        kinds, "review", f"the Review dock and pins with --topics on a big plant: fill, filter, restore; {DISPLAY}"
    )
    _optional(review, "--equipment", type=int, help="equipment in the generated plant (default 10000)")
    _optional(review, "--topics", type=int, help="review topics, with snapshots (default 1000)")

    session = _kind(
        kinds,
        "session",
        "remote sessions through Mosquitto brokers started from packaging/mosquitto (needs mosquitto): camera "
        "move to follower frame through one broker and a bridge, orbit frame with 5 followers, many followers",
    )
    _optional(session, "--moves", type=int, help="camera moves at 30 Hz per latency measurement (default 300)")
    _optional(session, "--followers", type=int, help="followers on one broker in the last measurement (default 50)")
    _optional(session, "--equipment", type=int, help="equipment in the generated plant (default 2000)")
    _optional(session, "--frames", type=int, help="frames per orbit measurement (default 60)")

    every = _kind(
        kinds,
        "all",
        f"load, compare, formats, ui, live, bcf, review, session, recording, replay with their defaults; {DISPLAY}",
        description="Every benchmark in turn with its defaults; the options below go to those that take them.",
    )
    _load_options(every, size_type)
    _optional(
        every,
        "--recording",
        type=Path,
        help="the recording for recording and replay: used if it exists, else written there "
        "(default: a temporary file, removed after)",
    )
    return bench


def _given(args: argparse.Namespace, kind: str) -> dict[str, Any]:
    return {name: getattr(args, name) for name in KIND_OPTIONS[kind] if hasattr(args, name)}


def _run_load(options: dict[str, Any]) -> int:
    from viewer.bench.load import run_benchmark

    run_benchmark(**options)
    return 0


def _run_compare(options: dict[str, Any]) -> int:
    from viewer.bench.compare import run_compare_benchmark

    run_compare_benchmark(**options)
    return 0


def _run_formats(options: dict[str, Any]) -> int:
    from viewer.bench.formats import run_formats_benchmark

    run_formats_benchmark(**options)
    return 0


def _run_ui(options: dict[str, Any]) -> int:
    from viewer.bench.ui import run_ui_benchmark

    run_ui_benchmark(**options)
    return 0


def _run_live(options: dict[str, Any]) -> int:
    from viewer.bench.live import run

    run(**options)
    return 0


def _run_recording(options: dict[str, Any]) -> int:
    from viewer.bench.recording import run

    run(**options)
    return 0


def _run_replay(options: dict[str, Any]) -> int:
    recording: Path = options["recording"]
    if not recording.is_file():
        print(
            f"mothertwin bench replay: {recording}: no such file (make one: mothertwin bench recording FILE)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from viewer.bench.replay import run

    figures = run(**options)
    return 0 if figures["no_stutter"] else 1


def _run_bcf(options: dict[str, Any]) -> int:
    from viewer.bench.bcf import run_bcf_benchmark

    run_bcf_benchmark(**options)
    return 0


def _run_review(options: dict[str, Any]) -> int:
    from viewer.bench.review import run_review_benchmark

    run_review_benchmark(**options)
    return 0


def _run_session(options: dict[str, Any]) -> int:
    from viewer.bench.session import missing_tools, run_session_benchmark

    missing = missing_tools()
    if missing:
        print(f"mothertwin bench session: {missing}", file=sys.stderr)
        return EXIT_USAGE
    run_session_benchmark(**options)
    return 0


RUNNERS: dict[str, Callable[[dict[str, Any]], int]] = {
    "load": _run_load,
    "compare": _run_compare,
    "formats": _run_formats,
    "ui": _run_ui,
    "live": _run_live,
    "recording": _run_recording,
    "replay": _run_replay,
    "bcf": _run_bcf,
    "review": _run_review,
    "session": _run_session,
}


def _run_all(args: argparse.Namespace) -> int:
    given = _given(args, "all")
    status = 0
    for kind in ALL_BEFORE_RECORDING:
        status = max(status, RUNNERS[kind]({k: v for k, v in given.items() if k in KIND_OPTIONS[kind]}))
    with tempfile.TemporaryDirectory() as folder:
        path = given.get("recording") or Path(folder) / "replay-bench.parquet"
        status = max(status, RUNNERS["recording"]({"output": path, "reuse": "recording" in given}))
        status = max(status, RUNNERS["replay"]({"recording": path}))
    return status


def run_bench(args: argparse.Namespace) -> int:
    """Run the kind asked for (none: load then compare; `--ui`: ui); the exit status is the worst of theirs."""
    kind = getattr(args, "kind", None)
    if kind is None:
        kinds = ("ui",) if getattr(args, "ui", False) else NO_KIND
        status = 0
        for name in kinds:
            status = max(status, RUNNERS[name](_given(args, name)))
        return status
    if getattr(args, "ui", False):
        print(f"mothertwin bench: --ui is the older spelling of `bench ui`; not with `bench {kind}`", file=sys.stderr)
        return EXIT_USAGE
    before = [name for name in LOAD_OPTIONS if hasattr(args, name) and name not in KIND_OPTIONS[kind]]
    if before:  # given before the kind, and not an option of it: say so rather than drop it
        flags = ", ".join("--no-naive" if name == "naive" else f"--{name}" for name in before)
        print(f"mothertwin bench {kind}: {flags}: not an option of this kind (bench {kind} --help)", file=sys.stderr)
        return EXIT_USAGE
    if kind == "all":
        return _run_all(args)
    return RUNNERS[kind](_given(args, kind))
