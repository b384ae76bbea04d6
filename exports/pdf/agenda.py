"""A committee's meeting agenda: the fiches awaiting its decision, printable (A4)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from exports.pdf.base import LIGHT, build_pdf, french_date, para, quote
from facilitation.adapters.clock import local_time
from facilitation.domain.wording import plural, shorten
from facilitation.services.exchange import Agenda, FicheCard

WIDTH = 174 * mm


def _fiche_block(number: int, card: FicheCard, agenda: Agenda) -> KeepTogether:
    facts = Table(
        [
            [para(label, "cell", bold=True), para(value, "cell")]
            for label, value in (
                ("Source", f"{card.source} — {card.author}"),
                *(("Chiffres", line) for line in agenda.figures.get(card.ref, [])),
                ("Lieu et date", f"{card.where} — {french_date(card.when)}"),
                ("Thème", card.theme.value),
                ("Statut", card.status.value),
                ("Suite proposée", card.follow_up or "à définir"),
                ("Décision", "☐ en étude   ☐ expérimentée   ☐ industrialisée   ☐ écartée"),
            )
        ],
        colWidths=[35 * mm, WIDTH - 35 * mm],
    )
    facts.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), LIGHT), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return KeepTogether(
        [
            para(f"{number}. {card.title}", "h2"),
            para(card.summary),
            *[
                part
                for q in agenda.quotes.get(card.ref, [])
                for part in (quote(shorten(q.text, 280)), para(q.source, "small"))
            ],
            Spacer(1, 2 * mm),
            facts,
            Spacer(1, 4 * mm),
        ]
    )


def agenda_pdf(agenda: Agenda, timezone: str) -> bytes:
    """The agenda of the committee's next meeting, one block per fiche, a box to tick for the decision."""
    printed_on = local_time(agenda.generated_at, timezone)
    story = [
        para(f"Ordre du jour — {agenda.committee.value}", "title"),
        para(
            f"{plural(len(agenda.fiches), 'fiche')} en attente d'une décision · imprimé le "
            f"{french_date(printed_on)}",
            "small",
        ),
        Spacer(1, 5 * mm),
    ]
    if not agenda.fiches:
        story.append(para("Aucune fiche n'attend ce comité."))
    story += [_fiche_block(number, card, agenda) for number, card in enumerate(agenda.fiches, start=1)]
    return build_pdf(
        story,
        title=f"Ordre du jour — {agenda.committee.value}",
        subject="Fiches d'observation en attente de décision",
        running_header=f"Atelier d'innovation — {agenda.committee.value}",
    )
