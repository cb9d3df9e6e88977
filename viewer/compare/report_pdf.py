"""The conformance report as a PDF to sign (reportlab): A4, every page headed with the two lines and footed
with the child revision and "page n of N"; the verdict and what it was run on first, the pictures, the tables,
and the approval block last. Drawn from the same data as the HTML (`viewer.compare.report_data.report_dict`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from viewer.compare import report_data as rep
from viewer.io.atomic import atomic_write_bytes
from viewer.io.pdf_pages import GREY, HEAD, INK, MARGIN, PAGE, RULE, WIDTH, build_pdf, numbered_canvas, rgb

PROBLEM_ROW = colors.HexColor("#fbe3f4")
DRIFT_ROW = colors.HexColor("#fff1e0")
LEVEL_COLOURS = {"4": "#1e7d3c", "3": "#2d6fb8", "2": "#b86a00", "1": "#b3261e"}

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=8.5, leading=11, textColor=INK)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.2, leading=9)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=7.2, leading=8.8)
CELL_BOLD = ParagraphStyle("cell_bold", parent=CELL, fontName="Helvetica-Bold")
MONO = ParagraphStyle("mono", parent=CELL, fontName="Courier", fontSize=6.8)
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=18, leading=22, spaceAfter=2)
H2 = ParagraphStyle("h2", parent=BODY, fontName="Helvetica-Bold", fontSize=11.5, leading=14, spaceBefore=10,
                    spaceAfter=4, keepWithNext=1)  # fmt: skip
FIGURE = ParagraphStyle("figure", parent=BODY, fontName="Helvetica-Bold", fontSize=13, leading=15, alignment=TA_CENTER)
FIGURE_LABEL = ParagraphStyle("figure_label", parent=SMALL, alignment=TA_CENTER, textColor=GREY)


def _p(text: object, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _grid(extra: list[tuple] | None = None) -> TableStyle:
    return TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        *(extra or []),
    ])  # fmt: skip


def _table(headers: list[str], rows: list[list[str]], widths: list[float], shade: list[colors.Color | None]) -> Table:
    """A data table with a repeated header; an empty one says "none"."""
    body = [[_p(h, CELL_BOLD) for h in headers]]
    extra: list[tuple] = []
    if not rows:
        body.append([_p(rep.NONE)] + [""] * (len(headers) - 1))
        extra.append(("SPAN", (0, 1), (-1, 1)))
    for n, (cells, colour) in enumerate(zip(rows, shade, strict=True), start=1):
        body.append([_p(c) for c in cells])
        if colour is not None:
            extra.append(("BACKGROUND", (0, n), (-1, n), colour))
    total = sum(widths)
    table = Table(body, colWidths=[w * WIDTH / total for w in widths], repeatRows=1)
    table.setStyle(_grid(extra))
    return table


def _pairs(rows: list[tuple[str, str]], mono_keys: tuple[str, ...] = ()) -> Table:
    body = [[_p(k, CELL_BOLD), _p(v, MONO if k in mono_keys else CELL)] for k, v in rows]
    table = Table(body, colWidths=[48 * mm, WIDTH - 48 * mm])
    table.setStyle(_grid([("BACKGROUND", (0, 0), (0, -1), HEAD), ("BACKGROUND", (1, 0), (1, 0), colors.white)]))
    return table


def _identity(data: dict[str, Any]) -> Table:
    mother, child = data["mother"], data["child"]
    body = [
        [_p("", CELL_BOLD), _p("Mother", CELL_BOLD), _p("Child", CELL_BOLD)],
        [_p("Site", CELL_BOLD), _p(rep.site_text(mother)), _p(rep.site_text(child))],
        [_p("Line", CELL_BOLD), _p(rep.line_text(mother)), _p(rep.line_text(child))],
        [_p("Document", CELL_BOLD), _p(mother["file"] or "-"), _p(child["file"] or "-")],
        [_p("Revision (sha256)", CELL_BOLD), _p(mother["revision"] or "not given", MONO), _p(child["revision"], MONO)],
    ]
    table = Table(body, colWidths=[30 * mm, (WIDTH - 30 * mm) / 2, (WIDTH - 30 * mm) / 2])
    table.setStyle(_grid([("BACKGROUND", (0, 0), (0, -1), HEAD)]))
    return table


def _verdict(data: dict[str, Any]) -> list:
    summary = data["summary"]
    level = summary["level"]
    colour = LEVEL_COLOURS.get(level[:1], "#1d2733")
    big = ParagraphStyle("level", parent=TITLE, fontSize=16, leading=20, textColor=colors.HexColor(colour))
    layout = str(summary["layout_problems"]) if summary["layout_checked"] else "not checked"
    layout_label = f"layout problems ({summary['layout_blocking']} blocking)" if summary["layout_checked"] else (
        "layout problems")  # fmt: skip
    figures = [
        (f"{summary['conformance_percent']:.1f} %", "conformance"),
        (str(summary["differences"]), "differences"),
        (str(summary["drift"]), "drift"),
        (str(summary["approved"]), "approved deviations"),
        (layout, layout_label),
        (str(summary["matched"]), "matched equipment"),
        (f"{summary['added']} / {summary['removed']}", "added / removed"),
    ]
    cards = Table(
        [[_p(v, FIGURE) for v, _ in figures], [_p(t, FIGURE_LABEL) for _, t in figures]],
        colWidths=[WIDTH / len(figures)] * len(figures),
    )
    card_style = [("BOX", (0, 0), (-1, -1), 0.8, RULE), ("LINEAFTER", (0, 0), (-2, -1), 0.5, RULE),
                  ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]  # fmt: skip
    if summary["layout_blocking"]:
        card_style.append(("BACKGROUND", (4, 0), (4, -1), PROBLEM_ROW))
    cards.setStyle(TableStyle(card_style))
    reasons = [Paragraph(f"&bull; {escape(r)}", BODY) for r in summary["level_reasons"]]
    return [
        Paragraph(f"Copy Exactly level {escape(level)}", big),
        cards,
        Spacer(1, 4),
        *reasons,
        Spacer(1, 4),
        Paragraph(f"<b>Rule.</b> {escape(rep.LEVEL_RULE)}", SMALL),
        Spacer(1, 2),
        Paragraph(f"<b>Layout rule.</b> {escape(rep.LAYOUT_RULE)}", SMALL),
    ]


def _legend() -> Table:
    cells, style = [], [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 2)]
    for n, (colour, text) in enumerate(rep.LEGEND):
        cells += ["", _p(text, SMALL)]
        style.append(("BACKGROUND", (2 * n, 0), (2 * n, 0), rgb(colour)))
    widths = [w for _, text in rep.LEGEND for w in (4 * mm, stringWidth(text, SMALL.fontName, SMALL.fontSize) + 8)]
    table = Table([cells], colWidths=widths, rowHeights=[9], hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def _picture(png: bytes | None, caption: str, height_limit: float) -> list:
    if not png:
        return [_p(f"{caption}: no picture", BODY)]
    image = Image(io.BytesIO(png))
    ratio = image.imageHeight / max(1, image.imageWidth)
    width = min(WIDTH, height_limit / ratio)
    image.drawWidth, image.drawHeight = width, width * ratio
    return [image, Paragraph(escape(caption), FIGURE_LABEL), Spacer(1, 4)]


def _approval(data: dict[str, Any]) -> list:
    intro = (
        f"Signing confirms the verdict of this report, level {data['summary']['level']}, for child revision "
        f"{(data['child']['revision'] or '-')[:16]}... against mother revision "
        f"{(data['mother']['revision'] or 'not given')[:16]}... (full hashes on page 1)."
    )
    rows = [[_p("Role", CELL_BOLD), _p("Name", CELL_BOLD), _p("Signature", CELL_BOLD), _p("Date", CELL_BOLD)]]
    rows += [[_p(role, CELL_BOLD), "", "", ""] for role in rep.SIGNATURE_ROLES]
    signatures = Table(rows, colWidths=[32 * mm, 55 * mm, 60 * mm, WIDTH - 147 * mm],
                       rowHeights=[None] + [15 * mm] * len(rep.SIGNATURE_ROLES))  # fmt: skip
    signatures.setStyle(_grid([("BOX", (0, 0), (-1, -1), 1.0, INK), ("BACKGROUND", (0, 1), (0, -1), HEAD)]))
    # Tick boxes are drawn cells, not glyphs: the standard PDF fonts have no ballot box.
    choices = [cell for choice in rep.DECISIONS for cell in ("", _p(choice))]
    box = 4 * mm
    decision = Table([[_p("Decision", CELL_BOLD), *choices]],
                     colWidths=[32 * mm, *[w for _ in rep.DECISIONS for w in (box, (WIDTH - 32 * mm) / 3 - box)]],
                     rowHeights=[box + 3 * mm])  # fmt: skip
    decision_style = [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BOX", (0, 0), (-1, -1), 1.0, INK),
                      ("BACKGROUND", (0, 0), (0, 0), HEAD)]  # fmt: skip
    for n in range(len(rep.DECISIONS)):
        decision_style.append(("BOX", (1 + 2 * n, 0), (1 + 2 * n, 0), 0.8, INK))
    decision.setStyle(TableStyle(decision_style))
    remarks = Table([[_p("Conditions and remarks", CELL_BOLD), ""]], colWidths=[32 * mm, WIDTH - 32 * mm],
                    rowHeights=[22 * mm])  # fmt: skip
    remarks.setStyle(_grid([("BOX", (0, 0), (-1, -1), 1.0, INK), ("BACKGROUND", (1, 0), (1, 0), colors.white)]))
    approved = data["approved_deviations"]
    register = _table(rep.APPROVED_HEADERS, [rep.approved_cells(v) for v in approved], [9, 14, 14, 26, 11, 11, 10],
                      [None] * len(approved))  # fmt: skip
    block = [
        Paragraph("Approval", H2),
        Paragraph(escape(intro), BODY),
        Spacer(1, 4),
        signatures,
        decision,
        remarks,
        Spacer(1, 6),
        Paragraph("Approved deviations (who approved, and when)", CELL_BOLD),
        Spacer(1, 2),
        register,
    ]
    return [KeepTogether(block)]


def _story(report: rep.ConformanceReport, data: dict[str, Any]) -> list:
    summary = data["summary"]
    child, mother, generated = data["child"], data["mother"], data["generated"]
    subtitle = (
        f"Child line <b>{escape(rep.line_text(child))}</b> at {escape(rep.site_text(child))}, against its mother "
        f"line <b>{escape(rep.line_text(mother))}</b> at {escape(rep.site_text(mother))}."
    )
    story: list = [
        Paragraph("Conformance report", TITLE),
        Paragraph(subtitle, BODY),
        Spacer(1, 3),
        Paragraph(f"<b>Report made</b> {escape(rep.generated_text(data))}; {escape(generated['utc_text'])}.", BODY),
        Spacer(1, 5),
        _identity(data),
        Paragraph("Verdict", H2),
        *_verdict(data),
        Paragraph("Clone record", H2),
        _pairs(rep.clone_rows(data), mono_keys=("Mother revision at the clone",)),
        Paragraph("Tolerances and inputs", H2),
        _pairs(rep.tolerance_rows(data)),
        PageBreak(),
        Paragraph("Pictures", H2),
        _legend(),
        Spacer(1, 4),
    ]
    story += _picture(report.mother_picture, f"Mother: {rep.line_text(mother)} at {rep.site_text(mother)}, "
                      "from above", 105 * mm)  # fmt: skip
    story += _picture(report.child_picture, f"Child: {rep.line_text(child)} at {rep.site_text(child)}, from above; "
                      "callouts name what differs or clashes", 105 * mm)  # fmt: skip
    problems = data["layout_problems"]
    story += [CondPageBreak(40 * mm), Paragraph("Layout problems at the child site", H2)]
    if summary["layout_checked"]:
        story.append(_table(rep.LAYOUT_HEADERS, [rep.layout_cells(p) for p in problems], [11, 16, 36, 20, 17],
                            [PROBLEM_ROW if p["deviation"] is None else None for p in problems]))  # fmt: skip
    else:
        story.append(_p("Layout not checked.", BODY))
    differences = data["differences"]
    deviations = data["deviations"]
    outputs = data["outputs"]
    story += [
        Paragraph("Differences", H2),
        _table(rep.DIFFERENCE_HEADERS, [rep.difference_cells(d) for d in differences], [10, 17, 17, 13, 13, 13, 6, 11],
               [DRIFT_ROW if d["status"] == "drift" else None for d in differences]),
        Paragraph("Deviation register", H2),
        _table(rep.DEVIATION_HEADERS, [rep.deviation_cells(v) for v in deviations], [8, 14, 14, 8, 8, 14, 9, 9, 10, 9],
               [None] * len(deviations)),
        Paragraph("Process outputs", H2),
        _table(rep.OUTPUT_HEADERS, [rep.output_cells(o) for o in outputs], [16, 16, 13, 13, 12, 9, 8, 9],
               [DRIFT_ROW if o["significant"] else None for o in outputs]),
    ]  # fmt: skip
    story += _approval(data)
    return story


def _numbered_canvas(data: dict[str, Any]) -> type[canvas.Canvas]:
    """A canvas that holds its pages until the end, so each can say "page n of N"."""
    left = f"Conformance report: {rep.line_text(data['child'])} against {rep.line_text(data['mother'])}"
    revision = f"child revision sha256 {(data['child']['revision'] or '-')[:16]}..."
    made = f"made {data['generated']['child_site_time']['text']}"

    def decorate(page: canvas.Canvas, total: int) -> None:
        width, height = PAGE
        page.setStrokeColor(RULE)
        page.setLineWidth(0.6)
        page.line(MARGIN, height - 11 * mm, width - MARGIN, height - 11 * mm)
        page.line(MARGIN, 11 * mm, width - MARGIN, 11 * mm)
        page.setFillColor(GREY)
        page.setFont("Helvetica", 7)
        page.drawString(MARGIN, height - 9.5 * mm, left)
        page.drawRightString(width - MARGIN, height - 9.5 * mm, "MotherTwin")
        page.drawString(MARGIN, 7.5 * mm, revision)
        page.drawCentredString(width / 2, 7.5 * mm, made)
        page.drawRightString(width - MARGIN, 7.5 * mm, f"Page {page._pageNumber} of {total}")

    return numbered_canvas(decorate)


def pdf_bytes(report: rep.ConformanceReport) -> bytes:
    data = rep.report_dict(report)
    return build_pdf(_story(report, data), _numbered_canvas(data), title=data["title"],
                     subject=f"Copy Exactly level {data['summary']['level']}")  # fmt: skip


def write_pdf(path: Path, report: rep.ConformanceReport) -> None:
    atomic_write_bytes(Path(path), pdf_bytes(report))
