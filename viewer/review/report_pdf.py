"""The review report as a PDF (reportlab): A4, every page headed with the plant, the report's title and the
meeting date and footed with "page n of N"; a title page, one page per topic (its picture large, its facts,
equipment, description, decision and comment thread) and the table of actions last. Drawn from the same data
as the HTML (`viewer.review.report_data.report_dict`).

Fonts: a TrueType sans serif found on the system is embedded (DejaVu Sans, Arial, Liberation Sans), so names
in any Latin, Greek or Cyrillic script print; Korean text takes a Korean TrueType font when one is installed
(Malgun Gothic, Nanum Gothic, ...) and reportlab's built-in Korean CID font otherwise (not embedded: a reader
with Korean fonts shows it, and its text is searchable either way).
"""

from __future__ import annotations

import io
import os
import re
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Flowable,
    Image,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from viewer.io.atomic import atomic_write_bytes
from viewer.io.pdf_pages import GREY, HEAD, INK, MARGIN, PAGE, RULE, WIDTH, build_pdf, numbered_canvas, rgb
from viewer.model.review import TopicStatus
from viewer.review import report_data as rep

TOP = 20 * mm  # room for the running head
PRINT_WIDTH = 1600  # pixels: about 225 dpi over the 180 mm a picture is printed
PICTURE_HEIGHT = 112 * mm  # the most a topic's picture takes: over half the page, the facts still fit below
DECISION_BG = colors.HexColor("#f1f7ee")
DECISION_RULE = colors.HexColor("#268c46")
MEASURE_BG = colors.HexColor("#e8f0fd")
MEASURE_RULE = colors.HexColor("#0a6cff")
OVERDUE_ROW = colors.HexColor("#fdecea")
GONE = colors.HexColor("#b3261e")

LATIN_FONTS = (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("arial.ttf", "arialbd.ttf"),
               ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"))  # fmt: skip
KOREAN_FONTS = ("malgun.ttf", "NanumGothic.ttf", "NanumBarunGothic.ttf", "AppleGothic.ttf", "UnDotum.ttf",
                "NotoSansKR-Regular.ttf")  # fmt: skip
KOREAN_CID = "HYGothic-Medium"
# Hangul (jamo, compatibility jamo, syllables) and the CJK blocks a Korean text may hold.
_CJK = re.compile(r"[\u1100-\u11ff\u3000-\u303f\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+")


def _font_dirs() -> list[Path]:
    windows = os.environ.get("WINDIR", "C:/Windows")
    return [Path(p).expanduser() for p in ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts",
            "~/.local/share/fonts", f"{windows}/Fonts", "/Library/Fonts", "/System/Library/Fonts",
            "~/Library/Fonts")]  # fmt: skip


@cache
def _font_files() -> dict[str, Path]:
    """Font files on this system by lower-case file name (the first found wins)."""
    found: dict[str, Path] = {}
    for folder in _font_dirs():
        if not folder.is_dir():
            continue
        for root, _dirs, files in os.walk(folder):
            for name in files:
                if name.lower().endswith(".ttf"):
                    found.setdefault(name.lower(), Path(root) / name)
    return found


@cache
def fonts() -> tuple[str, str, str]:
    """The regular, bold and Korean font names, registered with reportlab."""
    files = _font_files()
    regular, bold = "Helvetica", "Helvetica-Bold"
    for normal_name, bold_name in LATIN_FONTS:
        normal_file, bold_file = files.get(normal_name.lower()), files.get(bold_name.lower())
        if normal_file is None or bold_file is None:
            continue
        try:
            pdfmetrics.registerFont(TTFont("ReportSans", str(normal_file)))
            pdfmetrics.registerFont(TTFont("ReportSans-Bold", str(bold_file)))
        except Exception:  # a font reportlab cannot read: try the next, the standard font last
            continue
        pdfmetrics.registerFontFamily("ReportSans", normal="ReportSans", bold="ReportSans-Bold",
                                      italic="ReportSans", boldItalic="ReportSans-Bold")  # fmt: skip
        regular, bold = "ReportSans", "ReportSans-Bold"
        break
    for name in KOREAN_FONTS:
        path = files.get(name.lower())
        if path is None:
            continue
        try:
            pdfmetrics.registerFont(TTFont("ReportKorean", str(path)))
        except Exception:  # e.g. PostScript outlines, which reportlab does not embed
            continue
        return regular, bold, "ReportKorean"
    pdfmetrics.registerFont(UnicodeCIDFont(KOREAN_CID))
    return regular, bold, KOREAN_CID


def segments(text: str) -> list[tuple[bool, str]]:
    """The text in runs: (True, run) for Korean and other CJK script, (False, run) for the rest."""
    out, at = [], 0
    for match in _CJK.finditer(text):
        if match.start() > at:
            out.append((False, text[at : match.start()]))
        out.append((True, match.group()))
        at = match.end()
    if at < len(text):
        out.append((False, text[at:]))
    return out


def markup(text: object) -> str:
    """Paragraph markup of plain text: escaped, Korean runs in the Korean font, line breaks kept."""
    korean = fonts()[2]
    parts = [f"<font name='{korean}'>{escape(run)}</font>" if cjk else escape(run) for cjk, run in segments(str(text))]
    return "".join(parts).replace("\n", "<br/>")


@cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold, _ = fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12, textColor=INK)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=10, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11),
        "cell_bold": ParagraphStyle("cell_bold", parent=body, fontName=bold, fontSize=8.5, leading=11),
        "kicker": ParagraphStyle("kicker", parent=body, fontSize=10, leading=13, textColor=GREY),
        "title": ParagraphStyle("title", parent=body, fontName=bold, fontSize=24, leading=29, spaceAfter=10),
        "h1": ParagraphStyle("h1", parent=body, fontName=bold, fontSize=15, leading=19),
        "number": ParagraphStyle("number", parent=body, fontName=bold, fontSize=15, leading=19, textColor=GREY),
        "h2": ParagraphStyle("h2", parent=body, fontName=bold, fontSize=11, leading=14, spaceBefore=9, spaceAfter=3,
                             keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=body, fontName=bold, fontSize=8, leading=10, textColor=GREY, spaceBefore=7,
                             spaceAfter=2, keepWithNext=1),
        "badge": ParagraphStyle("badge", parent=body, fontName=bold, fontSize=9, leading=11, alignment=TA_CENTER,
                                textColor=colors.white),
        "figure": ParagraphStyle("figure", parent=body, fontName=bold, fontSize=22, leading=26, alignment=TA_CENTER),
        "figure_label": ParagraphStyle("figure_label", parent=body, fontSize=8, leading=10, alignment=TA_CENTER,
                                       textColor=GREY),
        "caption": ParagraphStyle("caption", parent=body, fontSize=7.5, leading=10, textColor=GREY),
    }


def _p(text: object, style: str = "cell") -> Paragraph:
    return Paragraph(markup(text), _styles()[style])


def _grid(extra: list[tuple] | None = None) -> TableStyle:
    return TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        *(extra or []),
    ])  # fmt: skip


def _pairs(rows: list[tuple[str, str]], width: float, key_width: float = 34 * mm) -> Table:
    table = Table([[_p(k, "cell_bold"), _p(v)] for k, v in rows], colWidths=[key_width, width - key_width])
    table.setStyle(_grid([("BACKGROUND", (0, 0), (0, -1), HEAD)]))
    return table


def _box(flowables: list, background: colors.Color, rule: colors.Color) -> Table:
    """Flowables in a tinted box with a coloured bar on its left (the decision, a measurement)."""
    table = Table([[flowables]], colWidths=[WIDTH], splitInRow=1)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), background), ("LINEBEFORE", (0, 0), (0, -1), 3, rule),
                               ("LEFTPADDING", (0, 0), (-1, -1), 8), ("TOPPADDING", (0, 0), (-1, -1), 4),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))  # fmt: skip
    return table


def _status_colour(status: str) -> colors.Color:
    return rgb(rep.STATUS_COLORS.get(TopicStatus(status), (90, 98, 106)))


# ---------------------------------------------------------------- the title page


class _PageMark(Flowable):
    """Takes no room; notes the page it lands on, for the contents' page numbers."""

    def __init__(self, key: str, pages: dict[str, int]) -> None:
        super().__init__()
        self.key, self.pages = key, pages
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.pages[self.key] = self.canv.getPageNumber()


def _contents(data: dict[str, Any], pages: dict[str, int]) -> Table:
    headers = ["#", "Topic", "Type", "Status", "Priority", "Assignee", "Page"]
    body = [[_p(h, "cell_bold") for h in headers]]
    for entry in data["topics"]:
        body.append([_p(f"#{entry['number']}"), _p(entry["title"]), _p(entry["type"]), _p(entry["status"]),
                     _p(entry["priority"]), _p(entry["assignee"] or "-"), _p(pages.get(entry["guid"], "-"))])
    fixed = [10 * mm, 18 * mm, 22 * mm, 18 * mm, 30 * mm, 12 * mm]  # the topic's title takes what is left
    table = Table(body, colWidths=[fixed[0], WIDTH - sum(fixed), *fixed[1:]], repeatRows=1, splitInRow=1)
    extra: list[tuple] = [("BACKGROUND", (0, 0), (-1, 0), HEAD)]
    for row, entry in enumerate(data["topics"], start=1):
        extra.append(("LINEBEFORE", (0, row), (0, row), 3, _status_colour(entry["status"])))
    table.setStyle(_grid(extra))
    return table


def _title_page(data: dict[str, Any], pages: dict[str, int]) -> list:
    meeting = [
        ("Plant", data["plant"]["name"]),
        ("Meeting date", f"{data['meeting_date_text']} ({data['meeting_date']})"),
        ("Plant file", data["plant"]["file"] or rep.NOT_GIVEN),
        ("Topics", f"{data['total']} in this report ({rep.filter_text(data)}); {data['total_in_plant']} in the "
                   "plant"),
    ]  # fmt: skip
    places = [(p["site"], ", ".join(p["lines"]) or "no line: pinned to points") for p in data["places"]]
    counts = list(data["counts"].items())
    cards = Table([[_p(n, "figure") for _, n in counts], [_p(s, "figure_label") for s, _ in counts]],
                  colWidths=[WIDTH / len(counts)] * len(counts))  # fmt: skip
    card_style = [("BOX", (0, 0), (-1, -1), 0.8, RULE), ("LINEAFTER", (0, 0), (-2, -1), 0.5, RULE),
                  ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, 0), 8),
                  ("BOTTOMPADDING", (0, -1), (-1, -1), 8)]  # fmt: skip
    for column, (status, _) in enumerate(counts):
        card_style.append(("LINEABOVE", (column, 0), (column, 0), 4, _status_colour(status)))
    cards.setStyle(TableStyle(card_style))
    participants = data["participants"]
    story: list = [
        Spacer(1, 18 * mm),
        _p("LAYOUT REVIEW MEETING REPORT", "kicker"),
        Spacer(1, 3),
        _p(data["title"], "title"),
        _pairs(meeting, WIDTH),
        _p("Sites and lines", "h2"),
        _pairs(places or [(rep.NONE, "")], WIDTH, 60 * mm),
        _p("Participants", "h2"),
    ]
    if participants:
        half = (len(participants) + 1) // 2
        columns = [participants[:half], participants[half:]]
        rows = [[_p(f"\u2022  {columns[c][r]}" if r < len(columns[c]) else "", "body") for c in (0, 1)]
                for r in range(half)]  # fmt: skip
        table = Table(rows, colWidths=[WIDTH / 2] * 2)
        table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))  # fmt: skip
        story.append(table)
    else:
        story.append(_p(rep.NOT_GIVEN, "body"))
    story += [
        Spacer(1, 3),
        _p(f"People named on these topics: {', '.join(data['people']) or rep.NONE}.", "small"),
        _p("Topics by status", "h2"),
        cards,
        Spacer(1, 8),
        _p("Topics", "h2"),
        _contents(data, pages) if data["topics"] else _p("No topic matches the report's filter.", "body"),
        Spacer(1, 6),
        _p(f"Report made {data['generated']['text']} with MotherTwin. One page per topic follows, then the actions "
           "by due date.", "small"),
    ]  # fmt: skip
    return story


# ---------------------------------------------------------------- a topic's page


def print_picture(png: bytes) -> bytes:
    """A picture as the PDF holds it: JPEG (reportlab embeds it as it is, where a PNG is decoded and stored
    raw: ten times the file and the time), at most PRINT_WIDTH pixels wide."""
    with PILImage.open(io.BytesIO(png)) as image:
        picture = image.convert("RGB")
    if picture.width > PRINT_WIDTH:
        picture = picture.resize((PRINT_WIDTH, round(picture.height * PRINT_WIDTH / picture.width)),
                                 PILImage.Resampling.LANCZOS)  # fmt: skip
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=90, subsampling=0)  # no chroma subsampling: crisp markup edges
    return out.getvalue()


def _picture(png: bytes | None, caption: str) -> list:
    if not png:
        return [_p(caption, "caption")]
    image = Image(io.BytesIO(png))
    ratio = image.imageHeight / max(1, image.imageWidth)
    width = min(WIDTH, PICTURE_HEIGHT / ratio)
    image.drawWidth, image.drawHeight = width, width * ratio
    frame = Table([[image]], colWidths=[width])
    frame.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, RULE), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    return [frame, Spacer(1, 2), _p(caption, "caption")]


def _heading(entry: dict[str, Any]) -> Table:
    badge = Table([[_p(entry["status"].upper(), "badge")]], colWidths=[32 * mm])
    badge.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), _status_colour(entry["status"])),
                               ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    table = Table([[_p(f"#{entry['number']}", "number"), _p(entry["title"], "h1"), badge]],
                  colWidths=[16 * mm, WIDTH - 50 * mm, 34 * mm])  # fmt: skip
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (2, 0), (2, 0), "RIGHT"),
                               ("LINEBELOW", (0, 0), (-1, 0), 1.2, INK), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return table


def _equipment(entry: dict[str, Any]) -> list:
    out: list = [_p("EQUIPMENT", "h3")]
    with_line = len(entry["equipment"]) <= rep.LINE_SHOWN_UP_TO
    for e in entry["equipment"]:
        text = rep.equipment_text(e, with_line)
        style = ParagraphStyle("gone", parent=_styles()["cell"], textColor=GONE) if not e["present"] else (
            _styles()["cell"])
        out.append(Paragraph(markup(f"\u2022 {text}"), style))
    if not entry["equipment"]:
        pin = entry["pin"]
        out.append(_p(f"none: pinned at {rep.point_text(pin)} m" if pin else rep.NONE))
    if entry["related"]:
        out += [_p("RELATED TOPICS", "h3"), _p(", ".join(f"#{n}" for n in entry["related"]))]
    return out


def _comments(entry: dict[str, Any]) -> list:
    """The thread, oldest first: who and when on one line, what they said under it."""
    out: list = [_p(f"COMMENTS ({len(entry['comments'])})", "h3")]
    if not entry["comments"]:
        return [*out, _p("no comments", "small")]
    rows = []
    for c in entry["comments"]:
        when = c["date_text"] + (" (edited)" if c["edited"] else "")
        head = f"<b>{markup(c['author'] or rep.NOT_GIVEN)}</b>&nbsp;&nbsp;<font color='#5c6772' size='7.5'>" \
               f"{markup(when)}</font>"
        rows.append([[Paragraph(head, _styles()["cell"]), _p(c["text"], "body")]])
    table = Table(rows, colWidths=[WIDTH], splitInRow=1)  # a long comment runs on to the next page
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                               ("LEFTPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 3),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))  # fmt: skip
    return [*out, table]


def _topic_page(entry: dict[str, Any], png: bytes | None) -> list:
    column = (WIDTH - 6 * mm) / 2
    side = Table([[_pairs(rep.facts_rows(entry), column, 24 * mm), _equipment(entry)]],
                 colWidths=[column + 6 * mm, column], splitInRow=1)  # fmt: skip
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (0, 0), 6 * mm), ("RIGHTPADDING", (1, 0), (1, 0), 0)]))
    story: list = [_heading(entry), Spacer(1, 5), *_picture(png, rep.picture_caption(entry)), Spacer(1, 5), side]
    if entry["measurement"] is not None:
        m = entry["measurement"]
        story += [Spacer(1, 5), _box([_p(f"Measured distance {rep.metres_text(m['distance_m'])}", "cell_bold"),
                                      _p(f"from {rep.point_text(m['start'])} to {rep.point_text(m['end'])}, site "
                                         "metres", "small")], MEASURE_BG, MEASURE_RULE)]  # fmt: skip
    story += [_p("DESCRIPTION", "h3"), _p(entry["description"] or rep.NONE, "body")]
    decision = entry["decision"]
    story += [Spacer(1, 5), _box([_p("DECISION", "h3"), _p(decision or "none recorded", "body")], DECISION_BG,
                                 DECISION_RULE)]  # fmt: skip
    story += _comments(entry)
    return story


# ---------------------------------------------------------------- the actions


def _actions(data: dict[str, Any]) -> list:
    actions = data["actions"]
    body = [[_p(h, "cell_bold") for h in rep.ACTION_HEADERS]]
    extra: list[tuple] = [("BACKGROUND", (0, 0), (-1, 0), HEAD)]
    for row, action in enumerate(actions, start=1):
        cells: list[Any] = [_p(c) for c in rep.action_cells(action)]
        if action["decision"]:  # what was decided, under the topic's title
            cells[1] = [cells[1], _p(f"Decision: {action['decision']}", "small")]
        body.append(cells)
        if action["overdue"]:
            extra.append(("BACKGROUND", (0, row), (-1, row), OVERDUE_ROW))
        extra.append(("LINEBEFORE", (0, row), (0, row), 3, _status_colour(action["status"])))
    if not actions:
        body.append([_p(rep.NONE)] + [""] * (len(rep.ACTION_HEADERS) - 1))
        extra.append(("SPAN", (0, 1), (-1, 1)))
    fixed = [10 * mm, 32 * mm, 30 * mm, 22 * mm, 18 * mm]  # the topic's title takes what is left
    table = Table(body, colWidths=[fixed[0], WIDTH - sum(fixed), *fixed[1:]], repeatRows=1, splitInRow=1)
    table.setStyle(_grid(extra))
    return [_p("Actions", "h1"), Spacer(1, 2),
            _p("Every topic of this report, by due date (topics with none last); overdue ones shaded.", "small"),
            Spacer(1, 6), table]  # fmt: skip


def _story(data: dict[str, Any], pictures: dict[str, bytes], pages: dict[str, int], found: dict[str, int]) -> list:
    """The flowables; `pages`: each topic's page for the contents (known after a first build), `found`: filled
    with the pages the topics land on in this build."""
    story = _title_page(data, pages)
    for entry in data["topics"]:
        story += [PageBreak(), _PageMark(entry["guid"], found), *_topic_page(entry, pictures.get(entry["guid"]))]
    story += [PageBreak(), *_actions(data)]
    return story


# ---------------------------------------------------------------- pages


def _draw_text(page: canvas.Canvas, x: float, y: float, text: str, size: float, align: str = "left") -> None:
    """One line of running text, Korean runs in the Korean font; `align` left, right or centre of x."""
    regular, _, korean = fonts()
    runs = [(korean if cjk else regular, run) for cjk, run in segments(text)]
    width = sum(pdfmetrics.stringWidth(run, font, size) for font, run in runs)
    x -= {"left": 0.0, "right": width, "centre": width / 2}[align]
    for font, run in runs:
        page.setFont(font, size)
        page.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font, size)


def _numbered_canvas(data: dict[str, Any]) -> type[canvas.Canvas]:
    """A canvas that holds its pages until the end, so each can say "page n of N"."""
    plant = data["plant"]["name"]
    head = data["title"]
    meeting = f"Meeting {data['meeting_date']}"
    made = f"made {data['generated']['text']}"

    def decorate(page: canvas.Canvas, total: int) -> None:
        width, height = PAGE
        page.setStrokeColor(RULE)
        page.setLineWidth(0.6)
        page.line(MARGIN, height - 12 * mm, width - MARGIN, height - 12 * mm)
        page.line(MARGIN, 11 * mm, width - MARGIN, 11 * mm)
        page.setFillColor(GREY)
        _draw_text(page, MARGIN, height - 10.5 * mm, f"{plant}  |  {head}", 7.5)
        _draw_text(page, width - MARGIN, height - 10.5 * mm, meeting, 7.5, "right")
        _draw_text(page, MARGIN, 7.5 * mm, "MotherTwin review report", 7)
        _draw_text(page, width / 2, 7.5 * mm, made, 7, "centre")
        _draw_text(page, width - MARGIN, 7.5 * mm, f"Page {page._pageNumber} of {total}", 7, "right")

    return numbered_canvas(decorate)


def pdf_bytes(report: rep.ReviewReport, data: dict[str, Any] | None = None) -> bytes:
    data = data if data is not None else rep.report_dict(report)
    pictures = {guid: print_picture(png) for guid, png in rep.report_pictures(report, data).items()}
    pages: dict[str, int] = {}
    # Built twice: the first build finds the page each topic starts on, the second prints it in the contents
    # (the contents take the same room either way, so the pages stay where they were).
    for _ in range(2):
        found: dict[str, int] = {}
        pdf = _build(data, _story(data, pictures, pages, found))
        pages = found
    return pdf


def _build(data: dict[str, Any], story: list) -> bytes:
    return build_pdf(story, _numbered_canvas(data), title=data["title"], top=TOP,
                     subject=f"Layout review of {data['plant']['name']}, {data['meeting_date']}")  # fmt: skip


def write_pdf(path: Path, report: rep.ReviewReport, data: dict[str, Any] | None = None) -> None:
    atomic_write_bytes(Path(path), pdf_bytes(report, data))
