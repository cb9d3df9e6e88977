"""`mothertwin review-report`: the report of a layout review meeting (HTML or PDF) from a plant's review topics."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from viewer.cli.common import EXIT_OK, EXIT_USAGE, PLANT_HELP, load_plant, plant_library, plant_path, print_problems
from viewer.io import PlantFileError

PROG = "mothertwin review-report"


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "review-report",
        help="report of a layout review meeting: title page, a page per topic, the actions (HTML or PDF)",
        description="Write the report of a layout review meeting from the plant's review topics: a title page "
        "(plant, sites and lines, date, participants, topics by status), one page per topic (its snapshot with "
        "markup, or a picture rendered from its viewpoint; equipment, description, decision, comments) and the "
        "actions by due date. Exit status 2 when the input cannot be used.",
    )
    parser.add_argument("file", type=plant_path, help=PLANT_HELP)
    parser.add_argument("-o", "--output", type=Path, required=True, help="R.html (self-contained) or R.pdf")
    parser.add_argument(
        "--status",
        action="append",
        default=[],
        metavar="STATUS",
        help="keep topics of this status: open, in-progress, resolved, closed; repeat it or give a comma list "
        "(default: every topic)",
    )
    parser.add_argument("--site", default="", help="only the topics at this site (name or id)")
    parser.add_argument("--line", default="", help="only the topics on equipment of this line (name or id)")
    parser.add_argument("--participants", default="", help='who was in the meeting, as "A, B, C"')
    parser.add_argument("--date", default="", help="the meeting's date, YYYY-MM-DD (default: today at the site)")
    parser.add_argument("--title", default="", help="the report's title (default: Layout review: the site or line)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from viewer.review.report import ReviewReportError, parse_meeting_date, parse_statuses, report_format

    try:
        report_format(args.output)
        statuses = parse_statuses(args.status)
        meeting_date = parse_meeting_date(args.date) if args.date else None
    except ReviewReportError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        document = load_plant(args.file)
    except PlantFileError as exc:
        print_problems(exc)
        return EXIT_USAGE
    from viewer.scene.review_pictures import write_review_report_with_pictures

    try:
        written = write_review_report_with_pictures(
            document,
            plant_library(document),
            args.output,
            statuses=statuses,
            site=args.site,
            line=args.line,
            participants=args.participants,
            meeting_date=meeting_date,
            title=args.title,
            plant_file=str(args.file),
        )
    except ReviewReportError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"{PROG}: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    from viewer.review.report import ReviewReport, select_topics

    shown = len(select_topics(ReviewReport(document, statuses=statuses, site=args.site, line=args.line)))
    note = "" if document.review.topics else ": the plant has no review topics"
    print(f"wrote {written} ({shown} of {len(document.review.topics)} topics{note})")
    return EXIT_OK
