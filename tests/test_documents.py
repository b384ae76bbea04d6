"""Documents for the Atelier: PDF text, fonts and metadata; QR decoded from the rendered card;
exports re-read by pandas; injection cases; library versions and search. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import subprocess
import zipfile
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from exports.documents import render, renderer, single_fiche
from exports.qr import labelled_qr_png
from facilitation.domain.errors import InvalidInput, NotFound
from facilitation.domain.model import Source
from facilitation.services import cafes, documents, harvest, library_search, synthesis
from facilitation.services.records import EXPORT_COLUMNS, HEADERS
from tests.conftest import add_idea, committed, make_cafe, require_tool
from tests.fakes import KeywordGrouper
from tests.pdfs import pdf_text, render_first_pages

BASE = "http://192.168.1.20:8501"
TRICKY = [
    "<b>gras chauffage",
    '<img src="/etc/passwd"/> chauffage',
    '=HYPERLINK("http://x") ascenseur',
    "@SUM(A1) jardin partagé",
    "Chauffage : 12 € de plus, « trop cher », sœur et cœur",
    "Chauffage\u202f: espace fine insécable",
    "-1 pour l'ascenseur & les <i>escaliers</i>",
    "Long chauffage " + "très " * 300,
]


@pytest.fixture
def harvested_cafe(store):
    cafe, rounds = make_cafe(store, tables=3)
    for i, text in enumerate(TRICKY):
        if i == 5:
            cafes.open_round(store, cafe.id, rounds[1].id)
        add_idea(
            store,
            cafe,
            text,
            table=1 + i % 3,
            source=Source.RESIDENT if i % 2 else Source.CAPTAIN,
        )
    scope = harvest.scope_of([cafe.id])
    version = harvest.run_harvest(store, KeywordGrouper(["chauffage cher", "ascenseur", "jardin"]), scope)
    keep = [t.key for t in version.topics if t.label in ("Chauffage", "Ascenseur")]
    harvest.set_kept(store, scope, keep)
    return cafe


def test_synthesis_has_every_section_and_prints_user_text_literally(store, harvested_cafe, output_dir):
    _, data = render(store, harvested_cafe.id, "synthese", base_url=BASE, timezone="Europe/Paris")
    text = pdf_text(data)
    for expected in (
        "Synthèse du café concertation",
        "Café des Tilleuls",
        "Thème de l'Atelier : numérique",
        "Les questions posées",
        "Question 1 ?",
        "Chauffage",
        "Ascenseur",
        "Groupes × tables",
        "Tour par tour",
        "Mis de côté",
        "Méthode",
        "<b>gras chauffage",
        '<img src="/etc/passwd"/>',
        "12 € de plus",
        "« trop cher »",
        "sœur et cœur",
        "Page 2",
        "depuis les",
    ):
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Synthèse — Café des Tilleuls"
    assert reader.metadata.author.startswith("Café concertation")
    assert "numérique" not in reader.metadata.subject and "Lyon" in reader.metadata.subject
    assert str(reader.trailer["/Root"]["/Lang"]) == "fr-FR"
    fonts = {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in font for font in fonts)
    assert len(render_first_pages(data, output_dir, "synthese")) == 2


def test_synthesis_of_an_empty_cafe_is_still_a_clear_document(store):
    cafe, _ = make_cafe(store)
    text = pdf_text(render(store, cafe.id, "synthese", base_url=BASE, timezone="Europe/Paris")[1])
    assert "pas encore été regroupées" in text and "Aucune contribution n'a été mise de côté" in text


def test_synthesis_without_retained_topic_says_so(store, harvested_cafe):
    harvest.set_kept(store, harvest.scope_of([harvested_cafe.id]), [])
    text = pdf_text(render(store, harvested_cafe.id, "synthese", base_url=BASE, timezone="Europe/Paris")[1])
    assert "Aucun sujet n'a encore été retenu" in text and "Autres sujets évoqués" in text


def test_fiches_one_per_retained_topic_editable_and_zipped(store, harvested_cafe, output_dir):
    sheets = synthesis.fiche_sheets(store, harvested_cafe.id)
    assert [s.topic.label for s in sheets] == ["Chauffage", "Ascenseur"]
    assert sheets[0].fiche.status.value == "nouvelle"
    synthesis.update_fiche(
        store,
        harvested_cafe.id,
        sheets[0].topic.key,
        follow_up="Tester des thermostats <b>connectés</b>",
        committee="Comité des Projets Prioritaires",
        status="en étude",
    )
    name, data = single_fiche(store, harvested_cafe.id, sheets[0].topic.key)
    text = pdf_text(data)
    for expected in (
        "Fiche d'observation",
        "Chauffage",
        "Café des Tilleuls",
        "numérique",
        "Tester des thermostats <b>connectés</b>",
        "Comité des Projets Prioritaires",
        "en étude",
        "12 € de plus",
        "Déjà entendu lors de cafés précédents",
    ):
        assert expected in text, expected
    assert name == "fiche-01-chauffage.pdf"
    render_first_pages(data, output_dir, "fiche", pages=1)
    archive = zipfile.ZipFile(
        io.BytesIO(render(store, harvested_cafe.id, "fiches", base_url=BASE, timezone="Europe/Paris")[1])
    )
    assert archive.namelist() == ["fiche-01-chauffage.pdf", "fiche-02-ascenseur.pdf"]
    with pytest.raises(InvalidInput, match="Statut inconnu"):
        synthesis.update_fiche(
            store,
            harvested_cafe.id,
            sheets[0].topic.key,
            follow_up="x",
            committee="Comité Services et Qualité",
            status="perdue",
        )
    with pytest.raises(NotFound):
        synthesis.update_fiche(store, harvested_cafe.id, "zz", follow_up="x", committee="", status="")


def test_fiches_mention_related_topics_from_earlier_cafes(store, harvested_cafe):
    later, _ = make_cafe(store, tables=1, rounds=1, title="Café suivant", held_on=date(2027, 3, 1))
    for text in ("Chauffage trop cher", "Le chauffage reste froid"):
        add_idea(store, later, text)
    scope = harvest.scope_of([later.id])
    version = harvest.run_harvest(store, KeywordGrouper(["chauffage cher froid"]), scope)
    harvest.set_kept(store, scope, [version.topics[0].key])
    (sheet,) = synthesis.fiche_sheets(store, later.id)
    # "chauffage" and "cher" are keywords of the earlier café's topic too; "Ascenseur" shares none.
    assert [(r.cafe_title, r.label) for r in sheet.related] == [("Café des Tilleuls", "Chauffage")]
    assert synthesis.fiche_sheets(store, harvested_cafe.id)[0].related == []  # nothing earlier than it


def test_table_cards_scan_back_to_each_tables_link(store, output_dir):
    cafe, _ = make_cafe(store, tables=2)
    _, data = render(store, cafe.id, "cartes", base_url=BASE, timezone="Europe/Paris")
    text = pdf_text(data)
    assert (
        "Table 1 — Table des 1" in text and "Première question : Question 1 ?" in text and "Scannez" in text
    )
    zbarimg = require_tool("zbarimg", "Debian zbar-tools, pour décoder les QR codes")
    pages = render_first_pages(data, output_dir, "cartes", pages=2)
    for number, page in enumerate(pages, start=1):
        decoded = subprocess.run(
            [zbarimg, "--quiet", "--raw", str(page)], capture_output=True, text=True, check=True
        )
        assert decoded.stdout.strip() == cafes.join_link(store, cafe.id, number, BASE)
    assert PdfReader(io.BytesIO(data)).pages[0].mediabox.width == pytest.approx(419.5, abs=1)  # A5


def test_csv_and_xlsx_exports_reread_by_pandas_equal_the_stored_data(store, harvested_cafe):
    stored = {c.id: c for c in committed(store).contributions.in_cafe(harvested_cafe.id)}
    options = {"base_url": BASE, "timezone": "Europe/Paris"}
    _, csv_bytes = render(store, harvested_cafe.id, "contributions_csv", **options)
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(
        io.BytesIO(csv_bytes), sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    # Headers in plain French; read back under the records' keys.
    assert list(frame.columns) == [HEADERS[c] for c in EXPORT_COLUMNS]
    assert "Identifiant de la contribution" in frame.columns and "Nom de la table" in frame.columns
    frame = frame.rename(columns={v: k for k, v in HEADERS.items()})
    for row in frame.itertuples():
        original = stored[row.contribution_id].text
        # Formula-like cells carry a leading apostrophe in CSV (spreadsheets would run them).
        assert row.texte == ("'" + original if original[0] in "=+-@" else original)
    assert set(frame["groupe"]) >= {"Chauffage", "Ascenseur"}

    _, xlsx_bytes = render(store, harvested_cafe.id, "contributions_xlsx", **options)
    sheet = pd.read_excel(
        io.BytesIO(xlsx_bytes), sheet_name="Contributions", dtype=str, keep_default_na=False
    )
    assert list(sheet.columns) == [HEADERS[c] for c in EXPORT_COLUMNS]
    sheet = sheet.rename(columns={v: k for k, v in HEADERS.items()})
    assert {row.contribution_id: row.texte for row in sheet.itertuples()} == {
        k: c.text for k, c in stored.items()
    }
    workbook = load_workbook(io.BytesIO(xlsx_bytes))
    formula_cells = [
        c
        for row in workbook["Contributions"].iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert formula_cells and all(c.data_type == "s" for c in formula_cells)
    groups = pd.read_excel(io.BytesIO(xlsx_bytes), sheet_name="Groupes")
    assert set(groups["Groupe"]) == {"Chauffage", "Ascenseur", "Jardin"}
    assert {"Habitants", "Tables", "D'accord", "Pas d'accord", "Part d'accord (%)", "Avis"} <= set(
        groups.columns
    )

    _, json_bytes = render(store, harvested_cafe.id, "cafe_json", **options)
    export = pd.read_json(io.BytesIO(json_bytes), typ="series")
    assert export["cafe"]["titre"] == "Café des Tilleuls" and len(export["contributions"]) == len(stored)
    assert "code" not in export["tables"][0]  # captains' codes never leave the app


def test_library_keeps_versions_filters_and_searches(store, harvested_cafe):
    options = {"base_url": BASE, "timezone": "Europe/Paris"}
    first = documents.generate(store, harvested_cafe.id, "synthese", render=renderer(**options))
    second = documents.generate(store, harvested_cafe.id, "synthese", render=renderer(**options))
    assert (first.version, second.version) == (1, 2)
    assert documents.download(store, second.id).content.startswith(b"%PDF")
    (entry,) = documents.library(store, harvest.CafeFilter(theme="numérique"))
    assert [d.version for d in entry.documents] == [2, 1] and entry.documents[0].content == b""
    assert [(f.label, f.status) for f in entry.fiches] == [
        ("Chauffage", "nouvelle"),
        ("Ascenseur", "nouvelle"),
    ]
    assert documents.library(store, harvest.CafeFilter(theme="numérique"), status="en étude") == []
    sheet = synthesis.fiche_sheets(store, harvested_cafe.id)[0]
    synthesis.update_fiche(
        store,
        harvested_cafe.id,
        sheet.topic.key,
        follow_up="Suite",
        committee=sheet.fiche.committee.value,
        status="en étude",
    )
    assert len(documents.library(store, status="en étude")) == 1
    assert documents.library(store, harvest.CafeFilter(place="Marseille")) == []
    hits = library_search.search(store, "CHAUFFAGE cher")
    assert [h.contribution.text for h in hits] == [TRICKY[4]]
    assert library_search.search(store, "100%") == []  # % is a literal, not a wildcard
    with pytest.raises(InvalidInput, match="au moins un mot"):
        library_search.search(store, " a ")


def test_poster_and_table_pngs_carry_every_tables_link_and_number(store, output_dir):
    cafe, _ = make_cafe(store, tables=3)
    links = {cafes.join_link(store, cafe.id, n, BASE) for n in (1, 2, 3)}
    _, poster = render(store, cafe.id, "affiche_qr", base_url=BASE, timezone="Europe/Paris")
    assert PdfReader(io.BytesIO(poster)).pages[0].mediabox.width == pytest.approx(595, abs=1)  # A4
    text = pdf_text(poster)
    assert all(f"Table {n} — Table des {n}" in text for n in (1, 2, 3))
    zbarimg = require_tool("zbarimg", "Debian zbar-tools, pour décoder les QR codes")
    (page,) = render_first_pages(poster, output_dir, "affiche-qr", pages=1)
    decoded = subprocess.run(
        [zbarimg, "--quiet", "--raw", str(page)], capture_output=True, text=True, check=True
    )
    assert set(decoded.stdout.split()) == links
    png_path = output_dir / "qr-table-2.png"
    png_path.write_bytes(labelled_qr_png(cafes.join_link(store, cafe.id, 2, BASE), "Table 2"))
    decoded = subprocess.run(
        [zbarimg, "--quiet", "--raw", str(png_path)], capture_output=True, text=True, check=True
    )
    assert decoded.stdout.strip() == cafes.join_link(store, cafe.id, 2, BASE)


def test_synthesis_prints_what_waits_to_be_sorted(store, output_dir):
    cafe, _ = make_cafe(store)
    for text in ("Chauffage froid", "Chauffage cher", "Ascenseur en panne", "Une fête <b>des</b> voisins"):
        add_idea(store, cafe, text)
    grouper = KeywordGrouper(["chauffage", "ascenseur"], unsorted_word="fête")
    harvest.run_harvest(store, grouper, harvest.scope_of([cafe.id]))
    _, data = render(store, cafe.id, "synthese", base_url=BASE, timezone="Europe/Paris")
    text = pdf_text(data)
    assert "À classer" in text and "1 contribution ne ressemble assez à aucun groupe" in text
    assert "Une fête <b>des</b> voisins" in text  # printed literally


@pytest.mark.parametrize("kind", ["synthese", "fiches", "contributions_xlsx", "cafe_json"])
def test_a_document_reads_the_cafes_contributions_and_harvest_once(store, harvested_cafe, kind, monkeypatch):
    # A workbook, a JSON export or a fiche ZIP is several parts (records, groups, fiches): one
    # snapshot feeds them all, so the parts agree and a big café is not read three times.
    reads = {"contributions": 0, "harvest versions": 0}

    def counting(method, what):
        def counted(*args, **kwargs):
            reads[what] += 1
            return method(*args, **kwargs)

        return counted

    contribution_repository, harvest_repository = type(store.contributions), type(store.harvests)
    monkeypatch.setattr(
        contribution_repository,
        "in_cafe",
        counting(contribution_repository.in_cafe, "contributions"),
    )
    for name in ("latest", "versions"):
        monkeypatch.setattr(
            harvest_repository, name, counting(getattr(harvest_repository, name), "harvest versions")
        )
    render_kind = renderer(timezone="Europe/Paris", base_url=BASE)
    document = documents.generate(store, harvested_cafe.id, kind, render=render_kind)
    assert document.content
    assert reads == {"contributions": 1, "harvest versions": 1}


def test_every_document_handed_out_goes_through_one_audited_service(store, database_url, harvested_cafe):
    """Pages and command line get their documents from `App.documents`: each one is logged."""
    from facilitation.composition import build_app
    from facilitation.services import exchange
    from facilitation.settings import load_settings

    app = build_app(load_settings(database_url=database_url))
    service, cafe_id = app.documents, harvested_cafe.id
    try:

        def logged() -> list[tuple[str, str]]:
            return [(e.action, e.target) for e in committed(store).audit.latest(limit=5)]

        name, content = service.build(store, cafe_id, "cartes", base_url=BASE)
        assert content.startswith(b"%PDF") and logged()[0] == ("document généré", name)
        key = synthesis.fiche_sheets(store, cafe_id)[0].topic.key
        name, content = service.fiche(store, cafe_id, key)
        assert content.startswith(b"%PDF") and logged()[0] == ("document généré", name)
        name, content = service.agenda(store, exchange.committee_agenda(store, "Comité Services et Qualité"))
        assert content.startswith(b"%PDF") and logged()[0] == ("document généré", name)
        assert name.startswith("ordre-du-jour-") and name.endswith(".pdf")
        assert service.export(store, cafe_id, "json").startswith(b"[")
        assert logged()[0] == ("export", "contributions (json)")
        name, content, events = service.audit_log(store, timezone="Europe/Paris")
        assert name == "journal-audit.csv" and events > 5 and logged()[0] == ("export", "journal d'audit")
        kept = service.generate(store, cafe_id, "synthese")
        assert logged()[0] == ("document généré", kept.filename)
        assert service.download(store, kept.id).content == kept.content
        assert logged()[0] == ("document téléchargé", kept.filename)
        with pytest.raises(InvalidInput):
            service.export(store, cafe_id, "xml")
        assert service.label("synthese") == "Synthèse du café (PDF)" and service.kinds[0] == "synthese"
    finally:
        app.close()
