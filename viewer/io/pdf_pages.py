"""The reports' PDF house style (reportlab): A4 with 15 mm margins, the ink, grey, rule and heading colours, and
pages that know how many there are for every report's "page n of N" header and footer."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

PAGE = A4
MARGIN = 15 * mm
WIDTH = PAGE[0] - 2 * MARGIN  # of the text between the margins
INK = colors.HexColor("#1d2733")
GREY = colors.HexColor("#5c6772")
RULE = colors.HexColor("#c3ccd5")
HEAD = colors.HexColor("#e8edf2")  # table headings



def rgb(value: tuple[int, int, int]) -> colors.Color:
    """A colour of the window's palette (0-255) for reportlab."""
    return colors.Color(*(c / 255 for c in value))


# Draws one page's header and footer: the canvas (its page number is `_pageNumber`) and the page count.
Decorate = Callable[[canvas.Canvas, int], None]


def numbered_canvas(decorate: Decorate) -> type[canvas.Canvas]:
    """A canvas class that holds its pages until the end, then decorates each with the page count known."""

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for state in self._pages:
                self.__dict__.update(state)
                self.saveState()
                decorate(self, len(self._pages))
                self.restoreState()
                super().showPage()
            super().save()

    return NumberedCanvas


def build_pdf(
    story: list, canvas_class: type[canvas.Canvas], *, title: str, subject: str, top: float = MARGIN
) -> bytes:
    """The bytes of a report: `story` in one body frame between the margins (`top`: room left for a header),
    on pages made by `canvas_class` (a `numbered_canvas`)."""
    buffer = io.BytesIO()
    document = BaseDocTemplate(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=top,
                               bottomMargin=MARGIN, title=title, author="MotherTwin", subject=subject)  # fmt: skip
    frame = Frame(MARGIN, MARGIN, WIDTH, PAGE[1] - MARGIN - top, id="body", leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)  # fmt: skip
    document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    document.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()
