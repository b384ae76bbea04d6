"""PDFs of large cafés and of words in any script: wide tables laid out, nothing dropped silently."""

from __future__ import annotations

from dataclasses import replace

import pytest

from exports.documents import render
from exports.pdf.base import UNPRINTABLE, build_pdf, para, printable
from exports.pdf.synthesis import synthesis_pdf
from facilitation.domain.errors import InvalidInput
from facilitation.services import cafes, harvest, synthesis
from tests.conftest import add_idea, make_cafe
from tests.fakes import KeywordGrouper
from tests.pdfs import pdf_text

OPTIONS = {"base_url": "http://x", "timezone": "Europe/Paris"}


def harvested(store, tables: int):
    cafe, _ = make_cafe(store, tables=tables)
    for table in (1, tables):
        add_idea(store, cafe, f"Chauffage froid à la table {table}", table=table)
        add_idea(store, cafe, f"Jardin partagé, table {table}", table=table)
    scope = harvest.scope_of([cafe.id])
    version = harvest.run_harvest(store, KeywordGrouper(["chauffage", "jardin"]), scope)
    harvest.set_kept(store, scope, [t.key for t in version.topics])
    return cafe


def test_the_synthesis_of_a_27_table_cafe_is_laid_out(sqlite_store):
    cafe = harvested(sqlite_store, 27)
    text = pdf_text(render(sqlite_store, cafe.id, "synthese", **OPTIONS)[1])
    assert "Groupes × tables" in text and "Tables 1 à 12" in text and "Tables 25 à 27" in text


def test_the_groups_by_tables_table_holds_999_tables(sqlite_store):
    cafe = harvested(sqlite_store, 2)
    base = synthesis.cafe_synthesis(sqlite_store, cafe.id)
    labels = [f"Table {n} — Résidence des Tilleuls" for n in range(1, 1000)]
    topics = [replace(t, tables={labels[-1]: 3, labels[0]: 1}) for t in base.topics]
    text = pdf_text(synthesis_pdf(replace(base, table_labels=labels, topics=topics)))
    assert "Tables 1 à 12" in text and "Tables 997 à 999" in text


def test_a_layout_failure_is_a_french_error():
    from reportlab.platypus import Table

    too_wide = Table([[para("x")] * 40], colWidths=[1] * 40)  # narrower than their padding
    with pytest.raises(InvalidInput, match="La mise en page du document « essai » a échoué"):
        build_pdf([too_wide, para("fin")], title="essai", subject="", running_header="")


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        ("Merci مرحبا بكم pour tout", f"Merci {UNPRINTABLE} pour tout"),
        ("Shalom שלום עליכם !", f"Shalom {UNPRINTABLE} !"),
        ("Le 中文 et 日本語 aussi", f"Le {UNPRINTABLE} et {UNPRINTABLE} aussi"),
        ("Été, œuf, 25 €, « oui », Ελλάδα, Москва", "Été, œuf, 25 €, « oui », Ελλάδα, Москва"),
    ],
)
def test_words_the_pdf_cannot_print_are_marked_never_dropped(written, printed):
    assert printable(written) == printed


def test_a_verbatim_in_arabic_reaches_the_pdf_as_a_marker(sqlite_store):
    cafe, _ = make_cafe(sqlite_store)
    add_idea(sqlite_store, cafe, "Chauffage : شكرا جزيلا للجميع")
    add_idea(sqlite_store, cafe, "Chauffage trop faible")
    scope = harvest.scope_of([cafe.id])
    version = harvest.run_harvest(sqlite_store, KeywordGrouper(["chauffage"]), scope)
    harvest.set_kept(sqlite_store, scope, [version.topics[0].key])
    text = pdf_text(render(sqlite_store, cafe.id, "synthese", **OPTIONS)[1])
    assert "Chauffage : [texte non imprimable]" in text
    assert cafes.get_cafe(sqlite_store, cafe.id).title in text
