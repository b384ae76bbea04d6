"""Printable table cards (A5): café, table number, first question and a vector QR code to scan."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer

from exports.pdf.base import build_pdf, french_date, para

QR_SIZE = 80 * mm
INSTRUCTION = "Scannez ce code avec l'appareil photo de votre téléphone pour donner votre avis."


@dataclass(frozen=True)
class Card:
    table_label: str
    table_number: int
    join_url: str


def _qr(url: str) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (right - left), 0, 0, QR_SIZE / (top - bottom), 0, 0]
    )
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
        story.append(para("Ce café n'a pas encore de table.", "card_title"))
    return build_pdf(
        story,
        title=f"Cartes de table — {cafe_title}",
        subject="Cartes à poser sur les tables : QR code pour participer depuis un téléphone",
        running_header=cafe_title,
        pagesize=A5,
        margins=10 * mm,
        decorate=False,
    )
