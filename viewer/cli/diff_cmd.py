"""`mothertwin diff`: compare a child line with its mother; the report to sign, JSON, CSV; exit 1 on drift."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from viewer.cli.common import DEMO, EXIT_OK, EXIT_USAGE, load_plant, plant_path, print_problems
from viewer.io import PlantFileError, builtin_library

if TYPE_CHECKING:
    from viewer.compare import DiffResult
    from viewer.compare.outputs import OutputComparison

EXIT_DIFFERS = 1  # the child line does not conform under --fail-on
FAIL_ON = ("drift", "any", "never")
TOLERANCES_HELP = '{"position": m, "rotation": deg, "parameters": {name: abs}}'


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "diff",
        help="compare a child line with its mother; report, JSON, CSV; exit 1 on drift",
        description="Compare a child line with its mother line. Exit status: 0 the child conforms (under "
        "--fail-on), 1 it does not, 2 the input cannot be used (a file, a line name, a recording).",
    )
    parser.add_argument("mother", help="MOTHER.json or MOTHER.json:LINE (demo or demo:LINE: the demo plant)")
    parser.add_argument("child", help="CHILD.json or CHILD.json:LINE (the line cloned from the mother by default)")
    parser.add_argument(
        "--report", type=Path, help="conformance report to sign: R.html (self-contained) or R.pdf, by the suffix"
    )
    parser.add_argument("--json", type=Path, help="differences and summary as JSON")
    parser.add_argument("--csv", type=Path, help="differences as CSV")
    parser.add_argument("--tolerances", type=Path, help=f"JSON: {TOLERANCES_HELP}")
    parser.add_argument("--mother-recording", type=Path, help="recording of the mother line (process outputs)")
    parser.add_argument("--child-recording", type=Path, help="recording of the child line (process outputs)")
    parser.add_argument("--period", default="1970-01-01T00:00:00Z/2100-01-01T00:00:00Z", help="START/END (ISO 8601)")
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="drift",
        help="what makes the exit status 1: drift (default: differences no approved deviation covers, and "
        "process outputs that differ significantly), any (every difference, approved deviations too: Copy "
        "Exactly with no exceptions), never (always 0 once the comparison ran)",
    )
    parser.set_defaults(func=run)


def _split_line(spec: str) -> tuple[Path, str | None]:
    """FILE or FILE:LINE (a drive letter such as C: is part of the file); demo or demo:LINE for the demo plant."""
    head, sep, tail = spec.rpartition(":")
    if sep and head and (Path(head).suffix or head == DEMO) and not Path(spec).exists():
        return plant_path(head), tail
    return plant_path(spec), None


def run(args: argparse.Namespace) -> int:
    from viewer.compare import CloneError, Tolerances, diff_lines, find_line
    from viewer.compare.report import ConformanceReport, ReportError, report_format, write_csv, write_json

    if args.report:
        try:
            report_format(args.report)
        except ReportError as exc:
            print(f"mothertwin diff: --report {exc}", file=sys.stderr)
            return EXIT_USAGE
    mother_path, mother_line_name = _split_line(args.mother)
    child_path, child_line_name = _split_line(args.child)
    # Exit 1 means "differs" here: a file that cannot be read is an input error, exit 2.
    try:
        mother = load_plant(mother_path)
        child = mother if child_path.resolve() == mother_path.resolve() else load_plant(child_path)
    except PlantFileError as exc:
        print_problems(exc)
        return EXIT_USAGE
    try:
        child_line, mother_line = _resolve_pair(mother, child, mother_line_name, child_line_name, find_line)
    except CloneError as exc:
        print(f"mothertwin diff: {exc}", file=sys.stderr)
        return EXIT_USAGE
    tolerances = Tolerances()
    if args.tolerances:
        from viewer.io.jsonfmt import read_json

        try:
            data, _ = read_json(args.tolerances)
            tolerances = Tolerances(
                position=float(data.get("position", tolerances.position)),
                rotation=float(data.get("rotation", tolerances.rotation)),
                parameters={str(k): float(v) for k, v in data.get("parameters", {}).items()},
                walkway=float(data.get("walkway", tolerances.walkway)),
            )
        except PlantFileError as exc:
            print_problems(exc)
            return EXIT_USAGE
        except (AttributeError, TypeError, ValueError) as exc:
            print(f"mothertwin diff: {args.tolerances}: {TOLERANCES_HELP} expected ({exc})", file=sys.stderr)
            return EXIT_USAGE
    library = builtin_library()
    result = diff_lines(mother_line, child_line, child, tolerances, library=library)
    outputs = []
    compared = bool(args.mother_recording and args.child_recording)
    if compared:
        try:
            outputs = _compare_recorded_outputs(args, mother, child, result)
        except ValueError as exc:  # a recording that cannot be read, a --period that is no time
            print(f"mothertwin diff: {exc}", file=sys.stderr)
            return EXIT_USAGE
    for line in result.summary():
        print(line)
    if outputs:
        differing = sum(o.significant for o in outputs)
        print(f"process outputs: {len(outputs)} signals compared, {differing} differ significantly")
    report = ConformanceReport(
        result,
        child,
        mother,
        outputs,
        tolerances,
        generated_at=float(round(time.time())),
        mother_file=str(mother_path),
        child_file=str(child_path),
        mother_recording=str(args.mother_recording) if compared else "",
        child_recording=str(args.child_recording) if compared else "",
        period=_period(args.period) if compared else None,
    )
    if args.report:
        from viewer.compare.report import write_report
        from viewer.scene.report_pictures import report_pictures

        report.mother_picture, report.child_picture = report_pictures(report, library)
        write_report(args.report, report)
        print(f"wrote {args.report}")
    if args.json:
        write_json(args.json, result, outputs, child, report)
        print(f"wrote {args.json}")
    if args.csv:
        write_csv(args.csv, result)
        print(f"wrote {args.csv}")
    failure = _diff_failure(args.fail_on, result, outputs)
    if failure:
        print(f"mothertwin diff: {failure} (--fail-on {args.fail_on})", file=sys.stderr)
        return EXIT_DIFFERS
    return EXIT_OK


def _period(text: str) -> tuple[float, float]:
    from viewer.sensors.recording import parse_time

    start, end = (parse_time(t) for t in text.split("/"))
    return start, end


def _diff_failure(fail_on: str, result: DiffResult, outputs: list[OutputComparison]) -> str:
    """Why `diff` exits 1 under `--fail-on`, or "" when it passes: drift (differences no approved deviation
    covers, layout problems of the child no deviation covers, and process outputs that differ significantly),
    any difference or layout problem at all, or never."""
    if fail_on == "never":
        return ""
    differing = sum(o.significant for o in outputs)
    counted = len(result.drift) if fail_on == "drift" else len(result.differences)
    what = "drift" if fail_on == "drift" else "differences (approved or not)"
    parts = [f"{counted} {what}"] if counted else []
    layout = len(result.blocking) + len(result.open_walkways) if fail_on == "drift" else len(result.layout_problems)
    if layout:
        parts.append(f"{layout} layout problems at the child site")
    if differing:
        parts.append(f"{differing} process outputs differ significantly")
    return " and ".join(parts) + " found" if parts else ""


def _resolve_pair(mother, child, mother_name, child_name, find_line):  # noqa: ANN001
    """Which two lines to compare: named, or found through the child's clone record."""
    from viewer.compare import CloneError

    if child_name is None:
        cloned = [li for s in child.sites for a in s.areas for li in a.lines if li.clone_record is not None]
        if mother_name is not None:
            _, _, wanted = find_line(mother, mother_name)
            cloned = [li for li in cloned if li.clone_record.mother_line == wanted.id]
        if len(cloned) != 1:
            raise CloneError(f"found {len(cloned)} cloned lines in the child document: name one as FILE:LINE")
        child_line = cloned[0]
    else:
        _, _, child_line = find_line(child, child_name)
    if mother_name is None:
        if child_line.clone_record is None:
            raise CloneError(f"{child_line.name} was not cloned: name the mother line as FILE:LINE")
        mother_name = child_line.clone_record.mother_line
    _, _, mother_line = find_line(mother, mother_name)
    return child_line, mother_line


def _compare_recorded_outputs(args: argparse.Namespace, mother, child, result):  # noqa: ANN001
    from viewer.compare.outputs import compare_outputs, recording_loader
    from viewer.sensors.bindings import Bindings
    from viewer.sensors.recording import Recording, parse_time

    start, end = (parse_time(t) for t in args.period.split("/"))
    mother_recording, child_recording = Recording(args.mother_recording), Recording(args.child_recording)
    try:
        mother_paths = [p for p in mother.iter_equipment() if p.line is result.mother_line]
        child_paths = [p for p in child.iter_equipment() if p.line is result.child_line]
        return compare_outputs(
            result,
            recording_loader(mother_recording, Bindings.build(mother_paths), start, end),
            recording_loader(child_recording, Bindings.build(child_paths), start, end),
        )
    finally:
        mother_recording.close()
        child_recording.close()
