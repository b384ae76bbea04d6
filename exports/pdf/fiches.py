"""Fiches d'observation: one PDF per retained topic, and all of them in one ZIP."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from exports.pdf.base import build_pdf, facts_table, french_date, para, quote
from facilitation.domain.wording import plural
from facilitation.services.synthesis import FicheSheet

WIDTH = 174 * mm


def slug(text: str, length: int = 50) -> str:
    """A safe file name part, cut between words: 'Été, eau' → 'ete-eau'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(words) > length:
        head = words[: length + 1]  # one more: a dash right after the limit ends a whole word
        words = head.rsplit("-", 1)[0] if "-" in head else words[:length]  # one long word: cut anyway
    return words or "fiche"


def fiche_filename(sheet: FicheSheet, index: int) -> str:
    return f"fiche-{index:02d}-{slug(sheet.topic.label)}.pdf"


def _facts(sheet: FicheSheet) -> Table:
    cafe, topic, fiche = sheet.cafe, sheet.topic, sheet.fiche
    rows = [
        ("Source", f"{cafe.title} — {french_date(cafe.held_on)} — {cafe.place.label()}"),
        ("Thème de l'Atelier", cafe.theme.value),
        (
            "Fréquence",
            f"{plural(topic.size, 'contribution')}, {plural(topic.supports, 'soutien')}"
            + (f", {plural(topic.agreement, 'personne')} d'accord aux tables" if topic.agreement else ""),
        ),
        ("D'où ça vient", topic.provenance.text()),
        ("Avis des habitants", topic.opinion_text),
        ("Où c'est revenu", ", ".join(f"{name} ({n})" for name, n in topic.tables.most_common())),
        ("Quand", ", ".join(f"{name} ({n})" for name, n in sorted(topic.rounds.items()))),
        ("Statut", fiche.status.value),
        ("Comité destinataire", fiche.committee.value),
    ]
    return facts_table(rows, label_width=45 * mm, width=WIDTH)


def fiche_pdf(sheet: FicheSheet) -> bytes:
    """One fiche d'observation (A4)."""
    topic = sheet.topic
    story = [
        para("Fiche d'observation", "subtitle"),
        para(topic.label, "title"),
        _facts(sheet),
        para("L'observation, dans les mots des habitants", "h1"),
    ]
    cited = [part for q in topic.quotes for part in (quote(q.text), para(q.source, "small"))]
    story += cited or [para("Aucun verbatim.")]
    story.append(para(f"Mots-clés : {', '.join(topic.keywords)}", "small"))
    story.append(para("Déjà entendu lors de cafés précédents", "h1"))
    if sheet.related:
        story += [para(f"{r.held_on} · {r.cafe_title} : « {r.label} »") for r in sheet.related]
    else:
        story.append(para("Aucun groupe proche dans les cafés précédents."))
    story.append(para("Suite proposée", "h1"))
    story.append(para(sheet.fiche.follow_up))
    story.append(Spacer(1, 6 * mm))
    story.append(
        para(
            f"À examiner par : {sheet.fiche.committee.value}. Statut : {sheet.fiche.status.value}. "
            f"Fiche mise à jour le {french_date(sheet.fiche.updated_at)}.",
            "small",
        )
    )
    return build_pdf(
        story,
        title=f"Fiche d'observation — {topic.label}",
        subject=f"Observation issue du café « {sheet.cafe.title} » ({french_date(sheet.cafe.held_on)})",
        running_header=f"Fiche d'observation · {sheet.cafe.title} · {sheet.cafe.held_on:%d/%m/%Y}",
    )


def fiches_zip(sheets: list[FicheSheet]) -> bytes:
    """Every fiche of a café in one ZIP (an empty café gets a README saying so)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, sheet in enumerate(sheets, start=1):
            archive.writestr(fiche_filename(sheet, index), fiche_pdf(sheet))
        if not sheets:
            archive.writestr("LISEZMOI.txt", "Aucun groupe n'a été retenu pour ce café : aucune fiche.\n")
    return buffer.getvalue()
