"""The synthesis as the marketing team and a committee read it: every group, French plurals, dates
in the café's time zone, a method note in plain words, file names cut between words (pypdf text)."""

from __future__ import annotations

from datetime import UTC, datetime

from exports.documents import renderer
from exports.pdf.fiches import slug
from exports.pdf.synthesis import synthesis_pdf
from facilitation.services import documents, harvest, synthesis
from tests.conftest import harvest_by_keywords, make_cafe
from tests.pdfs import pdf_text, render_first_pages

LATE_EVENING_UTC = datetime(2026, 11, 26, 23, 12, tzinfo=UTC)  # 00:12 on the 27th in Lyon


def harvested(store, *, keep: bool):
    cafe, _ = make_cafe(store)
    scope, version = harvest_by_keywords(
        store,
        cafe,
        (
            "Chauffage froid l'hiver",
            "Chauffage trop cher",
            "Chauffage en panne au 3e",
            "Ascenseur bloqué depuis lundi",
            "Jardin partagé au pied de l'immeuble",
            "Jardin avec des bancs",
        ),
        ["chauffage", "ascenseur", "jardin"],
    )
    if keep:
        chauffage = next(t for t in version.topics if "Chauffage" in t.label)
        harvest.set_kept(store, scope, [chauffage.key])
    return cafe


def test_every_group_is_reported_retained_first_then_the_others_with_size_and_quote(store, output_dir):
    cafe = harvested(store, keep=True)
    pdf = synthesis_pdf(synthesis.cafe_synthesis(store, cafe.id, now=LATE_EVENING_UTC))
    render_first_pages(pdf, output_dir, "tous-les-sujets", pages=3)
    text = pdf_text(pdf)
    retained, others = text.index("Chauffage"), text.index("Autres sujets évoqués")
    assert retained < others
    after = text[others:]
    assert "Jardin" in after and "2 contributions · 0 soutien" in after
    assert "Ascenseur" in after and "1 contribution · 0 soutien" in after
    assert (
        "« Ascenseur bloqué depuis lundi »" in after or "«\u202fAscenseur bloqué depuis lundi\u202f»" in after
    )


def test_with_nothing_retained_the_synthesis_still_says_what_residents_said(store):
    cafe = harvested(store, keep=False)
    text = pdf_text(synthesis_pdf(synthesis.cafe_synthesis(store, cafe.id)))
    assert "Aucun sujet n'a encore été retenu" in text
    for subject in ("Chauffage", "Ascenseur", "Jardin"):
        assert subject in text[text.index("Autres sujets évoqués") :]


def test_plurals_are_french_and_never_written_with_s_in_brackets(store):
    cafe = harvested(store, keep=True)
    text = pdf_text(synthesis_pdf(synthesis.cafe_synthesis(store, cafe.id)))
    assert "(s)" not in text
    assert "6 contributions" in text and "1 contribution," in text.replace(
        "1 contribution ·", "1 contribution,"
    )
    assert "0 soutien" in text and "0 soutiens" not in text


def test_dates_are_those_of_the_cafes_time_zone(store):
    cafe = harvested(store, keep=True)
    made = synthesis.cafe_synthesis(store, cafe.id, now=LATE_EVENING_UTC, timezone="Europe/Paris")
    assert "Document généré le 27 novembre 2026" in pdf_text(synthesis_pdf(made))
    elsewhere = synthesis.cafe_synthesis(store, cafe.id, now=LATE_EVENING_UTC, timezone="America/Cayenne")
    assert "Document généré le 26 novembre 2026" in pdf_text(synthesis_pdf(elsewhere))


def test_the_method_note_is_plain_words(store):
    cafe = harvested(store, keep=True)
    note = synthesis.cafe_synthesis(store, cafe.id).method_note
    assert "regroupées automatiquement par proximité de sens" in note
    for jargon in ("BERTopic", "KMeans", "embedding"):
        assert jargon not in note


def test_file_names_are_cut_between_words():
    assert (
        slug("Café des Tilleuls aux Tilleuls de la résidence", 40) == "cafe-des-tilleuls-aux-tilleuls-de-la"
    )
    assert slug("Été, eau") == "ete-eau"
    assert slug("x" * 80, 40) == "x" * 40  # a single word longer than the limit is still cut
    assert slug("«»") == "fiche"


def test_the_generated_synthesis_is_dated_in_the_configured_time_zone(store):
    cafe = harvested(store, keep=True)
    made = documents.generate(
        store, cafe.id, "synthese", render=renderer(base_url="http://x", timezone="Europe/Paris")
    )
    assert made.filename.endswith(".pdf") and "(s)" not in pdf_text(made.content)
