"""The review report of a layout review meeting: a title page, one page per topic and the actions, as one
self-contained HTML file or a PDF. This module is where the rest of the code takes it from:

- `viewer.review.report_data`: what a report says (`report_dict`, which the HTML and the PDF draw from), which
  topics it holds, the picture of each, and the texts both share;
- `viewer.review.report_html`: the HTML page; `viewer.review.report_pdf`: the PDF (reportlab, imported only
  when a PDF is written).

Pictures of topics without a snapshot arrive as PNG bytes (`pictures`), rendered by the scene layer:
`viewer.scene.review_pictures.write_review_report_with_pictures` renders what is missing and calls this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path

from viewer.io.atomic import atomic_write_text
from viewer.model import PlantDocument
from viewer.model.review import TopicStatus
from viewer.review.report_data import (
    REPORT_SUFFIXES,
    ReviewReport,
    ReviewReportError,
    needs_picture,
    parse_meeting_date,
    parse_participants,
    parse_statuses,
    report_dict,
    report_format,
    select_topics,
)
from viewer.review.report_html import html_page

__all__ = [
    "REPORT_SUFFIXES",
    "ReviewReport",
    "ReviewReportError",
    "html_page",
    "needs_picture",
    "parse_meeting_date",
    "parse_participants",
    "parse_statuses",
    "report_dict",
    "report_format",
    "select_topics",
    "write_report",
    "write_review_report",
]


def write_report(path: Path, report: ReviewReport) -> Path:
    """HTML or PDF, chosen by the suffix; written atomically (a failed write leaves the old file as it was)."""
    path = Path(path)
    kind = report_format(path)
    data = report_dict(report)
    if kind == "pdf":
        from viewer.review.report_pdf import write_pdf

        write_pdf(path, report, data)
    else:
        atomic_write_text(path, html_page(report, data))
    return path


def write_review_report(
    document: PlantDocument,
    path: Path,
    *,
    statuses: Iterable[TopicStatus | str] = (),
    site: str = "",
    line: str = "",
    participants: Iterable[str] | str = (),
    meeting_date: date | str | None = None,
    title: str = "",
    pictures: Mapping[str, bytes] | None = None,
    plant_file: str = "",
    generated_at: datetime | None = None,
) -> Path:
    """Write the review report of `document` to `path` (.html or .pdf) and return the path.

    `statuses`: the topics' statuses to keep (none: every topic); `site`, `line`: id or name, "" for all;
    `participants`: names, or one text "A, B"; `meeting_date`: a date or "YYYY-MM-DD" (None: today at the
    site); `pictures`: topic guid -> PNG for topics without a snapshot (the scene layer renders them).
    Raises ReviewReportError for a wrong suffix, an unknown status, site or line, or a date that is none."""
    report_format(path)  # the suffix first: before any work is done
    wanted = parse_statuses(str(s) for s in statuses)
    if isinstance(meeting_date, str):
        meeting_date = parse_meeting_date(meeting_date) if meeting_date.strip() else None
    report = ReviewReport(
        document,
        statuses=wanted,
        site=site,
        line=line,
        participants=parse_participants(participants),
        meeting_date=meeting_date,
        title=title,
        pictures=dict(pictures or {}),
        plant_file=plant_file,
        generated_at=generated_at,
    )
    return write_report(path, report)
