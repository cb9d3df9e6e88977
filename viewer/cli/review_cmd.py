"""`mothertwin review export|import|list`: a plant's review topics to and from BCF (2.1 or 3.0), and listed.

`export` writes the topics (all, or those of some statuses) as a BCF zip other BIM tools read; `import` merges
a BCF file into a plant by topic GUID and writes the result as a plant document, printing what was added,
updated and skipped; `list` prints the topics (number, status, title, equipment, assignee, due date and the
first viewpoint's camera), or JSON with --json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from viewer.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, PLANT_HELP, load_plant, plant_path, print_problems
from viewer.io import PlantFileError

STATUSES = ("open", "in progress", "resolved", "closed")


def _status(text: str) -> str:
    value = text.strip().lower().replace("_", " ").replace("-", " ")
    if value == "inprogress":
        value = "in progress"
    if value not in STATUSES:
        raise argparse.ArgumentTypeError(f"unknown status {text!r}: expected one of {', '.join(STATUSES)}")
    return value


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "review",
        help="review topics: export to BCF, import (merge) BCF, list",
        description="Review topics of a plant and BCF (BIM Collaboration Format) 2.1 and 3.0 files. Exit 0 on "
        "success, 1 when a file cannot be read or written (each problem named), 2 for a wrong command line.",
    )
    actions = parser.add_subparsers(dest="review_action", metavar="ACTION", title="actions")
    export = actions.add_parser("export", help="write the plant's review topics as a BCF file",
                                description="Write review topics as a BCF zip (topics, comments, viewpoints with "
                                "snapshots, our extension for pins).")  # fmt: skip
    export.add_argument("file", type=plant_path, help=PLANT_HELP)
    export.add_argument("-o", "--output", type=Path, required=True, help="the BCF file to write (.bcf)")
    export.add_argument("--bcf-version", choices=("2.1", "3.0"), default="2.1", help="BCF version (default 2.1)")
    export.add_argument("--status", type=_status, action="append", metavar="STATUS",
                        help=f"only topics of this status ({', '.join(STATUSES)}); may be repeated")  # fmt: skip
    export.set_defaults(func=run_export)

    merge = actions.add_parser("import", help="merge a BCF file into a plant and write the result",
                               description="Merge the topics of a BCF file into the plant by topic GUID (a second "
                               "import of the same file changes nothing) and write the plant to OUT.")  # fmt: skip
    merge.add_argument("file", type=plant_path, help=PLANT_HELP)
    merge.add_argument("bcf", type=Path, help="the BCF file to import (.bcf, BCF 2.0, 2.1 or 3.0)")
    merge.add_argument("-o", "--output", type=Path, required=True, help="the plant document to write (*.json)")
    merge.set_defaults(func=run_import)

    listing = actions.add_parser("list", help="list the plant's review topics")
    listing.add_argument("file", type=plant_path, help=PLANT_HELP)
    listing.add_argument("--json", action="store_true", help="JSON: one object per topic")
    listing.add_argument("--status", type=_status, action="append", metavar="STATUS", help="only topics of this status")
    listing.set_defaults(func=run_list)
    parser.set_defaults(func=lambda _args: _no_action(parser))


def _no_action(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    print("mothertwin review: choose an action: export, import or list", file=sys.stderr)
    return EXIT_USAGE


def _chosen(document: Any, statuses: list[str] | None) -> list[Any]:
    topics = list(document.review.topics)
    return [t for t in topics if t.status.value in statuses] if statuses else topics


def run_export(args: argparse.Namespace) -> int:
    from viewer.review.bcf_write import export_bcf

    document = load_plant(args.file)
    topics = _chosen(document, args.status)
    out: Path = args.output
    try:
        summary = export_bcf(document, out, args.bcf_version, topics)
    except OSError as exc:
        print(f"mothertwin review export: {out}: not written: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {out}: BCF {summary.version}, {summary.topics} topics, {summary.viewpoints} viewpoints, "
          f"{summary.snapshots} snapshots, {summary.bytes / 1e6:.1f} MB")  # fmt: skip
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from viewer.io import save_document
    from viewer.review.bcf_merge import merge_bcf
    from viewer.review.bcf_read import read_bcf

    out: Path = args.output
    if not out.name.lower().endswith(".json"):
        print(f"mothertwin review import: {out}: the output is a plant document (*.mtplant.json)", file=sys.stderr)
        return EXIT_USAGE
    document = load_plant(args.file)
    try:
        imported = read_bcf(args.bcf, document)
    except PlantFileError as exc:
        print_problems(exc)
        return EXIT_INVALID
    merged = merge_bcf(document, imported)
    for line in merged.report_lines():
        print(line)
    for line in imported.skipped_lines():
        print(f"skipped: {line}")
    if merged.command is not None:
        merged.command.redo(document)
    try:
        save_document(document, out)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"mothertwin review import: {out}: not written: {reason}", file=sys.stderr)
        return EXIT_INVALID
    print(f"wrote {out}: BCF {imported.version}, {len(imported.topics)} topics read: {len(merged.added)} added, "
          f"{len(merged.updated)} updated, {merged.unchanged} unchanged; {merged.comments_added} comments added, "
          f"{merged.comments_updated} updated; {len(imported.skipped)} skipped")  # fmt: skip
    return EXIT_OK


def _camera(topic: Any) -> dict[str, Any] | None:
    camera = next((v.camera for v in topic.viewpoints if v.camera is not None), None)
    return camera.to_dict() if camera is not None else None


def topic_row(topic: Any) -> dict[str, Any]:
    return {
        "number": topic.number,
        "guid": topic.guid,
        "status": topic.status.value,
        "type": topic.type.value,
        "priority": topic.priority.value,
        "title": topic.title,
        "equipment": list(topic.equipment),
        "assignee": topic.assignee,
        "due_date": topic.due_date,
        "labels": list(topic.labels),
        "comments": len(topic.comments),
        "viewpoints": len(topic.viewpoints),
        "camera": _camera(topic),
    }


def _camera_text(camera: dict[str, Any] | None) -> str:
    if camera is None:
        return "no camera"
    at = ", ".join(f"{v:.1f}" for v in camera["position"])
    to = ", ".join(f"{v:.1f}" for v in camera["focal_point"])
    parallel = camera["parallel"]
    kind = f"parallel, scale {camera['parallel_scale']:.1f}" if parallel else f"{camera['view_angle']:.0f} deg"
    return f"camera ({at}) -> ({to}), {kind}"


def run_list(args: argparse.Namespace) -> int:
    document = load_plant(args.file)
    rows = [topic_row(t) for t in _chosen(document, args.status)]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print("no review topics")
        return EXIT_OK
    for row in rows:
        equipment = ", ".join(row["equipment"]) or "-"
        print(f"#{row['number']:<4d} {row['status']:<11s} {row['title']}")
        print(f"      equipment {equipment}; assignee {row['assignee'] or '-'}; due {row['due_date'] or '-'}; "
              f"{_camera_text(row['camera'])}")  # fmt: skip
    print(f"{len(rows)} topic{'s' if len(rows) != 1 else ''}")
    return EXIT_OK
