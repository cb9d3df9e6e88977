"""Conformance reports of a child line against its mother: a document to sign (self-contained HTML, or PDF),
and JSON and CSV for tools. This module is where the rest of the code takes them from:

- `viewer.compare.report_data`: what a report says, built from the diff (`report_dict`, which the HTML, the PDF
  and the JSON all draw from), the texts and table rows they share, the colours and what the pictures mark
  (`picture_marks`), and the JSON and CSV files;
- `viewer.compare.report_html`: the HTML page; `viewer.compare.report_pdf`: the PDF (reportlab, imported only
  when a PDF is written).

The pictures arrive as PNG bytes, drawn by the scene layer.
"""

from __future__ import annotations

from pathlib import Path

from viewer.compare.layout_problems import LAYOUT_RULE
from viewer.compare.report_data import (
    ADDED,
    APPROVED_HEADERS,
    CHANGED_APPROVED,
    DECISIONS,
    DEVIATION_HEADERS,
    DIFFERENCE_HEADERS,
    DRIFT,
    LAYOUT_HEADERS,
    LAYOUT_PROBLEM,
    LEGEND,
    LEVEL_RULE,
    NONE,
    OUTPUT_HEADERS,
    REMOVED,
    REPORT_SUFFIXES,
    SIGNATURE_ROLES,
    UNCHANGED,
    ConformanceReport,
    Mark,
    PictureMarks,
    ReportError,
    approved_cells,
    clone_rows,
    deviation_cells,
    deviation_who_when,
    difference_cells,
    difference_colors,
    generated_text,
    layout_cells,
    line_text,
    output_cells,
    picture_marks,
    report_dict,
    report_format,
    result_to_dict,
    site_text,
    tolerance_rows,
    write_csv,
    write_json,
)
from viewer.compare.report_html import html_page, write_html
from viewer.io.atomic import atomic_write_text

__all__ = [
    "ADDED",
    "APPROVED_HEADERS",
    "CHANGED_APPROVED",
    "DECISIONS",
    "DEVIATION_HEADERS",
    "DIFFERENCE_HEADERS",
    "DRIFT",
    "LAYOUT_HEADERS",
    "LAYOUT_PROBLEM",
    "LAYOUT_RULE",
    "LEGEND",
    "LEVEL_RULE",
    "NONE",
    "OUTPUT_HEADERS",
    "REMOVED",
    "REPORT_SUFFIXES",
    "SIGNATURE_ROLES",
    "UNCHANGED",
    "ConformanceReport",
    "Mark",
    "PictureMarks",
    "ReportError",
    "approved_cells",
    "clone_rows",
    "deviation_cells",
    "deviation_who_when",
    "difference_cells",
    "difference_colors",
    "generated_text",
    "html_page",
    "layout_cells",
    "line_text",
    "output_cells",
    "picture_marks",
    "report_dict",
    "report_format",
    "result_to_dict",
    "site_text",
    "tolerance_rows",
    "write_csv",
    "write_html",
    "write_json",
    "write_report",
]


def write_report(path: Path, report: ConformanceReport) -> None:
    """HTML or PDF, chosen by the suffix; written atomically."""
    if report_format(path) == "pdf":
        from viewer.compare.report_pdf import write_pdf

        write_pdf(path, report)
    else:
        atomic_write_text(path, html_page(report))
