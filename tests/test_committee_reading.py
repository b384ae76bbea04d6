"""What a committee reads first: the synthesis's one-page summary (themes ranked by support and
agreement with their label, strongest quotes with their provenance, questions), provenance on every
theme and quote, the agenda quoting residents with figures. PDF text read back with pypdf."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader

from exports.documents import render
from exports.pdf.agenda import agenda_pdf
from facilitation.domain.agreement import THEME_PREFIX
from facilitation.domain.model import Source
from facilitation.services import cafes, exchange, harvest, votes
from tests.conftest import add_idea, make_cafe
from tests.fakes import KeywordGrouper
from tests.pdfs import pdf_text

BASE = "http://cafe.local"


def _hands(store, cafe, idea, table: int, agree: int, disagree: int = 0, unsure: int = 0) -> None:
    votes.record_hands(
        store,
        cafe_id=cafe.id,
        table_number=table,
        contribution_id=idea.id,
        agree=agree,
        disagree=disagree,
        unsure=unsure,
    )


@pytest.fixture
def voted_cafe(store):
    """Three themes whose labels are known: heating shared by every table (consensus), the lift
    carried by table 1 alone against the others (divided), the garden with two opinions (too few)."""
    cafe, rounds = make_cafe(store, tables=3)
    heating = [
        add_idea(store, cafe, "Le chauffage est froid tout l'hiver", table=1),
        add_idea(store, cafe, "Chauffage en panne au 3e", table=2, source=Source.RESIDENT),
    ]
    lift = add_idea(store, cafe, "L'ascenseur tombe en panne chaque semaine", table=1)
    garden = add_idea(store, cafe, "Un jardin partagé ?", table=3)
    cafes.open_round(store, cafe.id, rounds[1].id)
    heating.append(add_idea(store, cafe, "Le chauffage collectif coûte cher", table=3))
    _hands(store, cafe, heating[0], 1, 5, 1)
    _hands(store, cafe, heating[1], 2, 6)
    _hands(store, cafe, heating[2], 3, 4, 0, 1)
    _hands(store, cafe, lift, 1, 6)
    _hands(store, cafe, garden, 3, 2)
    scope = harvest.scope_of([cafe.id])
    version = harvest.run_harvest(store, KeywordGrouper(["chauffage", "ascenseur", "jardin"]), scope)
    harvest.set_kept(store, scope, [t.key for t in version.topics if t.label in ("Chauffage", "Ascenseur")])
    # In plenary, five phones at each of tables 2 and 3 say they disagree with the lift theme.
    lift_key = next(t.key for t in version.topics if t.label == "Ascenseur")
    cafes.close_round(store, cafe.id, rounds[1].id)
    votes.set_plenary(store, cafe.id, True)
    for table in (2, 3):
        token = cafes.join_link(store, cafe.id, table, "").rsplit("/", 1)[1]
        for phone in range(5):
            votes.vote(
                store,
                token=token,
                item=THEME_PREFIX + lift_key,
                choice="pas d'accord",
                browser_id=f"{table}-{phone}",
            )
    return cafe


def test_the_synthesis_opens_with_a_one_page_summary(store, voted_cafe):
    _, data = render(store, voted_cafe.id, "synthese", base_url=BASE, timezone="Europe/Paris")
    first = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert "L'essentiel en une page" in first
    assert "Les thèmes, classés par soutiens et par accord" in first
    # Ranked by support and agreement: the consensus first, its provenance and label on the row.
    assert first.index("Chauffage") < first.index("Ascenseur") < first.index("Jardin")
    assert "3 habitants · 3 tables · tours 1–2 · 0 soutien" in first
    assert "consensus (d'accord)" in first and "d'accord à toutes les tables" in first
    assert "avis partagés" in first and "porté par une table (table 1)" in first
    assert "trop peu d'avis" in first
    assert "Les paroles les plus fortes" in first and "Table des 1, tour 1" in first
    assert "Les questions qui ont émergé" in first and "Un jardin partagé ?" in first


def test_every_theme_and_quote_says_where_it_came_from(store, voted_cafe):
    _, data = render(store, voted_cafe.id, "synthese", base_url=BASE, timezone="Europe/Paris")
    text = pdf_text(data)
    assert (
        "Avis : consensus (d'accord) · 88 % d'accord (15 d'accord · 1 pas d'accord · 1 je ne sais pas)"
        in text
    )
    assert "« Chauffage en panne au 3e » Table 2 — Table des 2, tour 1" in text
    assert "« Le chauffage collectif coûte cher » Table 3 — Table des 3, tour 2" in text
    _, fiches = render(store, voted_cafe.id, "fiches", base_url=BASE, timezone="Europe/Paris")
    with zipfile.ZipFile(io.BytesIO(fiches)) as archive:
        heating = next(n for n in archive.namelist() if "chauffage" in n)
        fiche = pdf_text(archive.read(heating))
    assert "D'où ça vient 3 habitants · 3 tables · tours 1–2" in fiche
    assert "Table des 2, tour 1" in fiche


def test_the_agenda_quotes_residents_with_figures(store, voted_cafe):
    agenda = exchange.committee_agenda(store, "Comité de Management Stratégique")
    heating = next(card for card in agenda.fiches if card.title == "Chauffage")
    assert agenda.figures[heating.ref][0] == "3 habitants · 3 tables · tours 1–2 · 0 soutien"
    text = pdf_text(agenda_pdf(agenda, "Europe/Paris"))
    assert "Chiffres 3 habitants · 3 tables · tours 1–2 · 0 soutien" in text
    assert "« Le chauffage est froid tout l'hiver » Table 1 — Table des 1, tour 1" in text
    assert "Avis : consensus (d'accord)" in text
