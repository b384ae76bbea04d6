"""Printable table cards (A5): café, table number, first question and a vector QR code to scan."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, Table, TableStyle

from exports.pdf.base import build_pdf, french_date, para

QR_SIZE = 80 * mm
# Printed in place of the cards, or of the poster's codes, before the café has a table.
NO_TABLE_YET = "Ce café n'a pas encore de table."
INSTRUCTION = "Scannez ce code avec l'appareil photo de votre téléphone pour donner votre avis."


@dataclass(frozen=True)
class Card:
    table_label: str
    table_number: int
    join_url: str


POSTER_QR_SIZE = 62 * mm
POSTER_COLUMNS = 2


def _qr(url: str, size: float = QR_SIZE) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    drawing.hAlign = "CENTER"
    return drawing


def table_cards_pdf(cafe_title: str, held_on, first_question: str | None, cards: list[Card]) -> bytes:
    """One A5 card per table; an empty café gets a single page saying there is no table yet."""
    story = []
    for index, card in enumerate(cards):
        if index:
            story.append(PageBreak())
        story += [
            para(cafe_title, "card_title"),
            para(french_date(held_on), "card_text"),
            para(card.table_label, "card_big"),
            Spacer(1, 3 * mm),
            _qr(card.join_url),
            Spacer(1, 3 * mm),
            para(INSTRUCTION, "card_text"),
        ]
        if first_question:
            story += [Spacer(1, 3 * mm), para(f"Première question : {first_question}", "card_text")]
    if not cards:
        story.append(para(NO_TABLE_YET, "card_title"))
    return build_pdf(
        story,
        title=f"Cartes de table — {cafe_title}",
        subject="Cartes à poser sur les tables : QR code pour participer depuis un téléphone",
        running_header=cafe_title,
        pagesize=A5,
        margins=10 * mm,
        decorate=False,
    )


def tables_poster_pdf(cafe_title: str, cards: list[Card]) -> bytes:
    """An A4 poster with every table's QR code and number, for a room without printed cards."""
    # Each row of cards is two rows of the grid: the table labels, then their codes underneath.
    grid = []
    for start in range(0, len(cards), POSTER_COLUMNS):
        row = cards[start : start + POSTER_COLUMNS]
        padding = [""] * (POSTER_COLUMNS - len(row))
        grid.append([para(card.table_label, "card_title") for card in row] + padding)
        grid.append([_qr(card.join_url, POSTER_QR_SIZE) for card in row] + padding)
    story = [para(cafe_title, "card_title"), para(INSTRUCTION, "card_text"), Spacer(1, 4 * mm)]
    if grid:
        table = Table(grid, colWidths=[90 * mm] * POSTER_COLUMNS)
        table.setStyle(
            TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
        )
        story.append(table)
    else:
        story.append(para(NO_TABLE_YET, "card_title"))
    return build_pdf(
        story,
        title=f"Affiche des QR codes — {cafe_title}",
        subject="Affiche : le QR code de chaque table pour participer depuis un téléphone",
        running_header=cafe_title,
        pagesize=A4,
        margins=12 * mm,
        decorate=False,
    )
