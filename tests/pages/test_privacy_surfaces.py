"""Privacy is a display property: a contribution holding a name, a phone number and an e-mail is
stored as typed, shown masked on every staff screen, in the search (page and command line), the
fiches, the exchange, the exports and every PDF, and shown as typed only in the organiser's
moderation view, after an audited reveal. User text is drawn literally (no link, no image)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from openpyxl import load_workbook

from exports.documents import render, table_handover
from exports.pdf.agenda import agenda_pdf
from facilitation.domain import actors
from facilitation.domain.model import cafe_fiche_ref
from facilitation.services import audit, cafes, exchange, harvest, synthesis
from tests.conftest import add_idea, committed, make_cafe
from tests.fakes import KeywordGrouper
from tests.pages.apptest import app, labelled, texts
from tests.pdfs import pdf_text

PLANTED = "Chauffage en panne, appelez Mme Durand 06 12 34 56 78 durand@example.fr"
RAW = ("Durand", "06 12 34 56 78", "durand@example.fr", "example")
MASKED = "Chauffage en panne, appelez Mme [nom masqué] [téléphone masqué] [courriel masqué]"
OPTIONS = {"base_url": "http://x", "timezone": "Europe/Paris"}


def everything_drawn(at) -> str:
    """Every text a page draws: markdown, captions, titles, expander labels, HTML, widget values."""
    parts = [texts(at)]
    parts += [c.value for c in at.caption] + [e.label for e in at.expander]
    parts += [h.proto.body for h in at.get("html")]
    parts += [str(w.value) for w in at.text_area] + [o for s in at.selectbox for o in s.options]
    return "\n".join(parts)


def assert_masked(shown: str, where: str) -> None:
    for raw in RAW:
        assert raw not in shown, f"{raw!r} shown raw on {where}"


def planted_cafe(store):
    """A café whose retained group « Chauffage » holds the planted contribution, with its fiche
    commented and decided on with the same words, and a field fiche quoting them."""
    cafe, _ = make_cafe(store)
    planted = add_idea(store, cafe, PLANTED)
    add_idea(store, cafe, "Chauffage froid", table=2)
    scope = harvest.scope_of([cafe.id])
    version = harvest.run_harvest(store, KeywordGrouper(["chauffage"]), scope)
    key = version.topics[0].key
    harvest.set_kept(store, scope, [key])
    committee = "Comité Services et Qualité"
    synthesis.update_fiche(store, cafe.id, key, follow_up=PLANTED, committee=committee, status="nouvelle")
    ref = cafe_fiche_ref(cafe.id, key)
    exchange.add_comment(store, ref, author="Agent", text=PLANTED)
    exchange.create_field_fiche(
        store,
        title="Chauffage Mme Durand",
        observation=PLANTED,
        author="Agent",
        observed_on=date(2026, 11, 20),
        place="Lyon",
        theme="numérique",
        follow_up=PLANTED,
    )
    return cafe, planted


def test_personal_data_is_masked_everywhere_but_the_audited_moderation_view(store, sqlite_url, run_cli):
    cafe, planted = planted_cafe(store)
    code = cafes.get_table(store, cafe.id, 1).code

    wall = app(organiser=True, page="pages/wall.py", cafe=cafe.id)
    assert MASKED in _literal(everything_drawn(wall))
    assert_masked(everything_drawn(wall), "the wall")

    captain = app(page="pages/captain.py", code=code)
    assert_masked(everything_drawn(captain), "the captain's page")
    cafes.open_round(store, cafe.id, cafes.round_at(store, cafe.id, 2).id)  # the host's handover
    captain.run()
    assert MASKED in _literal(everything_drawn(captain))
    assert_masked(everything_drawn(captain), "the captain's handover")
    handover_pdf = pdf_text(table_handover(store, cafe.id, 1, 1)[1])
    assert "[téléphone masqué]" in handover_pdf
    assert_masked(handover_pdf, "the handover PDF")

    library = app(organiser=True, page="pages/library.py")
    labelled(library.text_input, "Mots recherchés").input("chauffage")
    labelled(library.button, "Rechercher").click().run()
    assert "**2 contributions trouvées**" in texts(library)
    assert_masked(everything_drawn(library), "the library")
    labelled(library.text_input, "Mots recherchés").input("Durand")
    labelled(library.button, "Rechercher").click().run()
    assert "**0 contribution trouvée**" in texts(library)  # a masked word finds nothing

    fiches = app(organiser=True, page="pages/fiches_exchange.py")
    assert "Chauffage Mme [nom masqué]" in _literal(everything_drawn(fiches))
    assert_masked(everything_drawn(fiches), "the fiches and exchange")

    printed = run_cli("search", "chauffage", database_url=sqlite_url).stdout
    assert "[téléphone masqué]" in printed
    assert_masked(printed, "the search command")

    outputs = []
    for kind in ("contributions_csv", "groupes_csv", "cafe_json"):
        outputs.append(render(store, cafe.id, kind, **OPTIONS)[1].decode("utf-8-sig"))
    workbook = load_workbook(io.BytesIO(render(store, cafe.id, "contributions_xlsx", **OPTIONS)[1]))
    outputs += [str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row]
    outputs.append(pdf_text(render(store, cafe.id, "synthese", **OPTIONS)[1]))
    with zipfile.ZipFile(io.BytesIO(render(store, cafe.id, "fiches", **OPTIONS)[1])) as fiches_zip:
        outputs += [pdf_text(fiches_zip.read(name)) for name in fiches_zip.namelist()]
    agenda = exchange.committee_agenda(store, exchange.all_fiches(store)[0].committee.value)
    outputs.append(pdf_text(agenda_pdf(agenda, "Europe/Paris")))
    assert_masked("\n".join(outputs), "the exports and PDFs")
    assert "[téléphone masqué]" in pdf_text(agenda_pdf(agenda, "Europe/Paris"))

    run = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    assert_masked(everything_drawn(run), "« Animer » before the reveal")
    assert not [e for e in audit.audit_records(store, timezone="Europe/Paris") if "original" in e["action"]]
    run.toggle(key=f"reveal_{planted.id}").set_value(True).run()
    assert PLANTED in _literal(everything_drawn(run))
    run.run()  # the live list redraws: one reveal, one audit row
    (row,) = [e for e in audit.audit_records(store, timezone="Europe/Paris") if "original" in e["action"]]
    assert (row["acteur"], row["objet"], row["cafe_id"]) == (actors.ORGANISER, planted.id, cafe.id)
    assert_masked(json.dumps(row, ensure_ascii=False), "the audit log")
    assert committed(store).contributions.get(planted.id).text == PLANTED  # stored as typed


def test_a_captain_corrects_the_masked_text_without_losing_what_was_hidden(store):
    cafe, _ = make_cafe(store)
    planted = add_idea(store, cafe, "Chaufage en panne, Mme Durand 06 12 34 56 78")
    at = app(page="pages/captain.py", code=cafes.get_table(store, cafe.id, 1).code)
    field = labelled(at.text_area, "Texte")
    assert field.value == "Chaufage en panne, Mme [nom masqué] [téléphone masqué]"
    field.input(field.value.replace("Chaufage", "Chauffage"))
    labelled(at.button, "Enregistrer la correction").click().run()
    assert (
        committed(store).contributions.get(planted.id).text == "Chauffage en panne, Mme Durand 06 12 34 56 78"
    )


def test_markdown_and_html_typed_by_people_render_literally_on_staff_pages(store):
    cafe, _ = make_cafe(store)
    cafes.update_table(store, cafe.id, 1, name="![x](http://evil/p.png)")
    add_idea(store, cafe, "**gras** <img src=x> $x$ :red[rouge] :smile: # titre")
    field = exchange.create_field_fiche(
        store,
        title="[clic](javascript:alert(1))",
        observation="Observation",
        author="Agent",
        observed_on=date(2026, 11, 20),
        place="Lyon",
        theme="numérique",
    )
    from facilitation.domain.model import field_fiche_ref

    exchange.add_comment(store, field_fiche_ref(field.id), author="[clic](http://evil)", text="Bonjour")

    wall = app(organiser=True, page="pages/wall.py", cafe=cafe.id)
    for element in [*wall.markdown, *wall.caption]:
        assert "](" not in _unescaped_links(element.value), element.value
    (card,) = [c for c in wall.caption if "evil" in c.value]
    assert _literal(card.value) == "Table 1 — ![x](http://evil/p.png)"
    (idea,) = [m for m in wall.markdown if "gras" in m.value]
    assert _literal(idea.value) == "**gras** <img src=x> $x$ :red[rouge] :smile: # titre"

    fiches = app(organiser=True, page="pages/fiches_exchange.py")
    (expander,) = [e for e in fiches.expander if "clic" in e.label]
    assert _literal(expander.label).startswith("[clic](javascript:alert(1)) — terrain")
    (author,) = [c for c in fiches.caption if "evil" in c.value]
    assert _literal(author.value).startswith("[clic](http://evil) — ")
    assert "](" not in _unescaped_links(expander.label) and "](" not in _unescaped_links(author.value)


def _literal(markdown: str) -> str:
    """The text a literal_markdown source renders: escapes and invisible word joiners removed."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def _unescaped_links(markdown: str) -> str:
    """The source with escaped characters dropped: a link or an image left means one renders."""
    import re

    return re.sub(r"\\.", "", markdown)
