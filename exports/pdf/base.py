"""What every PDF shares: an embedded Unicode font, styles, escaping and the page frame.

reportlab's Paragraph reads its text as markup: an unclosed <b> raises, <font size=40> is obeyed,
<img src="/etc/passwd"/> opens a local file. Every text that comes from a person goes through
`para()`, which escapes it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.doctemplate import LayoutError

from facilitation.domain.errors import InvalidInput

FONTS = Path(__file__).resolve().parent.parent / "fonts"
FONT = "DejaVuSans"
BRAND = colors.HexColor("#8c1c2c")
MUTED = colors.HexColor("#555555")
LIGHT = colors.HexColor("#f3ecea")


@cache
def register_fonts() -> None:
    """Embed DejaVu Sans (é, œ, €, « », narrow no-break space) with bold and italic variants."""
    variants = {
        FONT: "DejaVuSans.ttf",
        f"{FONT}-Bold": "DejaVuSans-Bold.ttf",
        f"{FONT}-Oblique": "DejaVuSans-Oblique.ttf",
        f"{FONT}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
    }
    for name, filename in variants.items():
        pdfmetrics.registerFont(TTFont(name, str(FONTS / filename)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Oblique", boldItalic=f"{FONT}-BoldOblique"
    )


_BOLD, _OBLIQUE, _QUOTE_INK = f"{FONT}-Bold", f"{FONT}-Oblique", colors.HexColor("#222222")
# Every style but the body is the body with these changes (ParagraphStyle's keywords), one a line.
_CHANGES_FROM_BODY = {
    "small": dict(fontSize=8.5, leading=11, textColor=MUTED),
    "title": dict(fontName=_BOLD, fontSize=24, leading=30, textColor=BRAND, spaceAfter=10),
    "subtitle": dict(fontSize=13, leading=18, textColor=MUTED),
    "h1": dict(fontName=_BOLD, fontSize=16, leading=21, textColor=BRAND, spaceBefore=12, spaceAfter=6),
    "h2": dict(fontName=_BOLD, fontSize=12.5, leading=17, spaceBefore=8, spaceAfter=4),
    "quote": dict(fontName=_OBLIQUE, leftIndent=12, borderPadding=(2, 0, 2, 6), textColor=_QUOTE_INK),
    "cell": dict(fontSize=9, leading=11.5, spaceAfter=0),
    "cell_light": dict(fontSize=9, leading=11.5, spaceAfter=0, textColor=colors.white),
    "card_title": dict(fontName=_BOLD, fontSize=20, leading=25, alignment=TA_CENTER, textColor=BRAND),
    "card_big": dict(fontName=_BOLD, fontSize=40, leading=46, alignment=TA_CENTER),
    "card_text": dict(fontSize=13, leading=17, alignment=TA_CENTER),
}


@cache
def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles by name: « body » and its variants."""
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14.5, spaceAfter=4)
    return {"body": body} | {
        name: ParagraphStyle(name, parent=body, **changes) for name, changes in _CHANGES_FROM_BODY.items()
    }


UNPRINTABLE = "[texte non imprimable]"
# Right-to-left scripts need shaping and reordering that reportlab does not do: printed letter by
# letter they would read reversed or disjoined, so they are replaced by a visible marker instead.
_RIGHT_TO_LEFT = frozenset(("R", "AL", "AN"))
_UNPRINTABLE_RUNS = re.compile(rf"{re.escape(UNPRINTABLE)}(?:\s*{re.escape(UNPRINTABLE)})+")


@cache
def _covered() -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(FONT).face.charToGlyph)


def printable(text: str) -> str:
    """The text with every run of characters the embedded font cannot print as written (a script
    it lacks, such as Chinese, or a right-to-left one, such as Arabic or Hebrew) replaced by a
    visible « [texte non imprimable] » — never silently dropped."""
    covered, pieces = _covered(), []
    for char in text:
        bad = ord(char) not in covered or unicodedata.bidirectional(char) in _RIGHT_TO_LEFT
        # Joiners and variation selectors belong to the character before them.
        if unicodedata.category(char) in ("Mn", "Me", "Cf") and pieces and pieces[-1] == UNPRINTABLE:
            continue
        if char in "\n\t":
            bad = False
        pieces.append(UNPRINTABLE if bad else char)
    return _UNPRINTABLE_RUNS.sub(UNPRINTABLE, "".join(pieces))


def para(text: object, style: str = "body", *, bold: bool = False) -> Paragraph:
    """A paragraph of plain text: escaped, line breaks kept. Never pass markup from people here."""
    safe = escape(printable(str(text))).replace("\n", "<br/>")
    return Paragraph(f"<b>{safe}</b>" if bold else safe, styles()[style])


def quote(text: str) -> Paragraph:
    """A resident's words, quoted French-style (narrow no-break spaces keep « » with the words)."""
    return para(f"«\u202f{text}\u202f»", "quote")


def facts_table(
    rows: list[tuple[str, str]], *, label_width: float, width: float, align: str = "CENTER"
) -> Table:
    """Label and value side by side, one fact a row, the labels bold on a light column."""
    table = Table(
        [[para(label, "cell", bold=True), para(value, "cell")] for label, value in rows],
        colWidths=[label_width, width - label_width],
        hAlign=align,
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (0, -1), LIGHT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def french_date(moment: datetime) -> str:
    months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    return f"{moment.day} {months[moment.month - 1]} {moment.year}"


def build_pdf(
    story: list[Flowable],
    *,
    title: str,
    subject: str,
    running_header: str,
    pagesize=A4,
    margins: float = 18 * mm,
    decorate: bool = True,
) -> bytes:
    """Lay the story out with running header, page numbers and PDF metadata (language fr)."""
    register_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=margins,
        rightMargin=margins,
        topMargin=margins + (8 * mm if decorate else 0),
        bottomMargin=margins + (6 * mm if decorate else 0),
        title=title,
        author="Café concertation — Atelier d'innovation",
        subject=subject,
        creator="Café concertation",
        lang="fr-FR",
    )
    frame = _page_frame(running_header) if decorate else (lambda canvas, doc: None)
    try:
        document.build(story, onFirstPage=frame, onLaterPages=frame)
    except (LayoutError, ValueError) as exc:
        # reportlab explains in English ("negative availWidth", "too large on page"): say it in French.
        raise InvalidInput(
            f"La mise en page du document « {title} » a échoué : un tableau ou un texte est trop grand "
            "pour la page. Signalez-le avec le café concerné."
        ) from exc
    return buffer.getvalue()


def _page_frame(running_header: str) -> Callable:
    def draw(canvas, document) -> None:
        width, height = document.pagesize
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        header = printable(running_header[:110])
        canvas.drawString(document.leftMargin, height - document.topMargin + 10 * mm, header)
        canvas.setStrokeColor(BRAND)
        canvas.line(
            document.leftMargin,
            height - document.topMargin + 8 * mm,
            width - document.rightMargin,
            height - document.topMargin + 8 * mm,
        )
        canvas.drawRightString(
            width - document.rightMargin, document.bottomMargin - 10 * mm, f"Page {document.page}"
        )
        canvas.restoreState()

    return draw
