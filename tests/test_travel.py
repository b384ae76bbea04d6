"""Ideas that travel (« je prolonge ») and questions that emerge: use cases, storage on SQLite and
PostgreSQL, transfers, erasure, exports, the synthesis and its PDF (issue #23)."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from exports.pdf.synthesis import MARKED_LABEL, synthesis_pdf
from facilitation.adapters.storage import open_store
from facilitation.domain.access import new_id
from facilitation.domain.errors import InvalidInput
from facilitation.services import audit, backups, cafes, contributions, rgpd, synthesis, votes
from facilitation.services.contributions import UNKNOWN_IDEA_MESSAGE, Visit
from facilitation.services.records import EXPORT_COLUMNS, HEADERS, contribution_records
from facilitation.services.snapshot import load_snapshot
from tests.conftest import add_idea, committed, make_cafe, resident, token_of
from tests.pdfs import pdf_text, render_first_pages

LIMITS = {"max_bytes": 50_000_000, "max_text_chars": 2000}


def _travelled(store):
    """A café of 3 tables: round 1 had an idea at tables 1 and 3, round 2 is open."""
    cafe, rounds = make_cafe(store, tables=3, rounds=2)
    first = add_idea(store, cafe, "Un composteur partagé au pied de l'immeuble, écrire à jo@ex.fr", table=1)
    elsewhere = add_idea(store, cafe, "Repeindre la cage d'escalier", table=3)
    cafes.open_round(store, cafe.id, rounds[1].id)
    return cafe, rounds, first, elsewhere


def _resident(store, cafe, table, text, **options):
    return resident(store, token_of(store, cafe, table), text, **options)


def test_a_phone_builds_on_an_idea_of_a_table_it_joined_earlier(store):
    cafe, rounds, first, _elsewhere = _travelled(store)
    visits = (Visit(1, rounds[0].id),)
    heard = votes.phone_view(store, token_of(store, cafe, 2), new_id(), visits=lambda _secret: visits).heard
    # Only the table it joined, masked, with where it was said.
    assert [(h.contribution.id, h.where) for h in heard] == [(first.id, "Table 1, tour 1")]
    assert "jo@ex.fr" not in heard[0].contribution.text
    stored = _resident(
        store, cafe, 2, "Et des bacs à compost à chaque étage", builds_on=first.id, visits=visits
    ).contribution
    assert stored.builds_on == first.id
    assert committed(store).contributions.get(stored.id).builds_on == first.id


def test_forged_unknown_and_unheard_ideas_are_refused_and_change_nothing(store):
    cafe, rounds, first, elsewhere = _travelled(store)
    other, _ = make_cafe(store)
    foreign = add_idea(store, other, "Une idée d'un autre café")
    here = _resident(store, cafe, 2, "Une idée de cette table, ce tour")
    visits = (Visit(1, rounds[0].id), Visit(2, rounds[1].id))
    before = committed(store).contributions.count(cafe.id)
    for forged in (elsewhere.id, foreign.id, new_id(), "<script>", "x" * 40, here.contribution.id):
        with pytest.raises(InvalidInput) as refused:
            _resident(store, cafe, 2, "Je prolonge", builds_on=forged, visits=visits)
        assert refused.value.message == UNKNOWN_IDEA_MESSAGE
    # A visit to another café's table says nothing about this café.
    with pytest.raises(InvalidInput):
        _resident(store, cafe, 2, "Je prolonge", builds_on=first.id, visits=(Visit(9, rounds[0].id),))
    assert committed(store).contributions.count(cafe.id) == before


def test_a_captain_links_and_marks_a_question_and_both_are_audited(store):
    cafe, _rounds, first, elsewhere = _travelled(store)
    later = add_idea(store, cafe, "Pourquoi pas un compost collectif ?", table=2)
    code = cafes.get_table(store, cafe.id, 2).code
    offered = contributions.ideas_to_link(store, code, later.id)
    assert {h.contribution.id for h in offered} == {first.id, elsewhere.id}
    updated = contributions.annotate_contribution(
        store, table_code=code, contribution_id=later.id, builds_on=first.id, emerging_question=True
    )
    assert (updated.builds_on, updated.emerging_question) == (first.id, True)
    actions = [e["action"] for e in audit.audit_records(store, cafe_id=cafe.id, timezone="Europe/Paris")]
    assert "contribution reliée à l'idée qu'elle prolonge" in actions
    assert "question qui émerge marquée" in actions
    # An idea of the same table and round is no idea « from elsewhere »; nothing changes.
    same = add_idea(store, cafe, "Une autre idée de la table 2", table=2)
    with pytest.raises(InvalidInput):
        contributions.annotate_contribution(
            store, table_code=code, contribution_id=later.id, builds_on=same.id, emerging_question=True
        )
    assert committed(store).contributions.get(later.id).builds_on == first.id
    # Nor may a captain link an idea of another table.
    with pytest.raises(Exception, match="n'existe pas à votre table"):
        contributions.annotate_contribution(
            store, table_code=code, contribution_id=first.id, builds_on=None, emerging_question=True
        )


def test_erasing_an_idea_clears_the_links_to_it(store):
    cafe, rounds, first, _ = _travelled(store)
    visits = (Visit(1, rounds[0].id),)
    child = _resident(store, cafe, 2, "Je prolonge le composteur", builds_on=first.id, visits=visits)
    rgpd.erase_contribution(store, cafe.id, first.id)
    kept = committed(store).contributions.get(child.contribution.id)
    assert kept is not None and kept.builds_on is None


def test_links_and_marks_travel_with_a_transfer_and_an_erased_idea_stays_erased(
    sqlite_store, database_url, tmp_path
):
    cafe, rounds, first, _ = _travelled(sqlite_store)
    child = _resident(
        sqlite_store,
        cafe,
        2,
        "Je prolonge le composteur ?",
        builds_on=first.id,
        visits=(Visit(1, rounds[0].id),),
        emerging_question=True,
    ).contribution
    path = tmp_path / "cafe.json"
    backups.export_transfer(sqlite_store, cafe.id, path)
    elsewhere = open_store(database_url)
    try:
        backups.import_transfer(elsewhere, path, **LIMITS)
        moved = committed(elsewhere).contributions.get(child.id)
        assert (moved.builds_on, moved.emerging_question) == (first.id, True)
        # Erased there, the idea never comes back with a reimport, nor does a link to it.
        rgpd.erase_contribution(elsewhere, cafe.id, first.id)
        backups.import_transfer(elsewhere, path, **LIMITS)
        assert committed(elsewhere).contributions.get(first.id) is None
        assert committed(elsewhere).contributions.get(child.id).builds_on is None
    finally:
        elsewhere.engine.dispose()


def test_a_transfer_linking_to_another_cafe_or_a_malformed_id_is_refused(store, tmp_path):
    cafe, _rounds, first, _ = _travelled(store)
    other, _ = make_cafe(store)
    foreign = add_idea(store, other, "Ailleurs")
    path = tmp_path / "cafe.json"
    # Reimported here, where the other café exists: the link crosses cafés. Elsewhere: it leads nowhere.
    fresh = open_store(f"sqlite:///{tmp_path}/ailleurs.db")
    for wrong, into, said in (
        (foreign.id, store, "désigne une ligne d'un autre café"),
        (foreign.id, fresh, "builds_on ne désigne aucune ligne"),
        ("pas-un-id", fresh, "builds_on : identifiant mal formé"),
    ):
        payload = committed(store).archive.dump(cafe.id)
        payload["tables"]["contributions"][1]["builds_on"] = wrong
        path.write_text(json.dumps(payload))
        with pytest.raises(InvalidInput, match=said):
            backups.import_transfer(into, path, **LIMITS)
    assert (
        committed(store).contributions.get(first.id).builds_on is None
        and committed(fresh).contributions.in_cafe(cafe.id) == []
    )
    payload = committed(store).archive.dump(cafe.id)
    payload["tables"]["contributions"][0]["emerging_question"] = "oui"
    path.write_text(json.dumps(payload))
    with pytest.raises(InvalidInput, match="vrai ou faux attendu"):
        backups.import_transfer(fresh, path, **LIMITS)
    fresh.engine.dispose()


def test_the_export_gives_each_contribution_its_prolonge_field(store):
    cafe, rounds, first, elsewhere = _travelled(store)
    child = _resident(
        store, cafe, 2, "Je prolonge", builds_on=first.id, visits=(Visit(1, rounds[0].id),)
    ).contribution
    records = {
        r["contribution_id"]: r for r in contribution_records(load_snapshot(store, cafe.id), timezone="UTC")
    }
    assert records[child.id]["prolonge"] == first.id
    assert records[first.id]["prolonge"] == "" and records[elsewhere.id]["prolonge"] == ""
    assert "prolonge" in EXPORT_COLUMNS and HEADERS["prolonge"] == "prolonge"


def _first_page(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def test_marked_questions_head_the_synthesis_and_paths_are_listed(store, output_dir):
    cafe, _rounds, first, _elsewhere = _travelled(store)
    add_idea(store, cafe, "Qui vide le composteur ?", table=3)  # reads as a question, not marked
    marked = add_idea(store, cafe, "Comment partager les outils du jardin", table=2)
    contributions.annotate_contribution(
        store,
        table_code=cafes.get_table(store, cafe.id, 2).code,
        contribution_id=marked.id,
        builds_on=first.id,
        emerging_question=True,
    )
    read = synthesis.cafe_synthesis(store, cafe.id)
    assert [(q.text, q.marked) for q in read.questions][:2] == [
        ("Comment partager les outils du jardin", True),
        ("Qui vide le composteur ?", False),
    ]
    assert [p.line for p in read.paths] == [
        "Table 1, tour 1 → Table 2, tour 2 : Comment partager les outils du jardin"
    ]
    assert "jo@ex.fr" not in read.paths[0].origin  # masked like every other surface
    pdf = synthesis_pdf(read)
    first_page = _first_page(pdf)
    assert first_page.index("Les questions qui ont émergé") < first_page.index("Comment partager")
    assert first_page.index("Comment partager") < first_page.index("Qui vide le composteur")
    assert MARKED_LABEL in first_page
    text = pdf_text(pdf)
    assert "Le parcours des idées" in text
    assert "Table 1, tour 1 → Table 2, tour 2 : Comment partager les outils du jardin" in text
    assert "jo@ex.fr" not in text
    # Rendered for a person to look at (test-output/travel-synthese-*.png).
    assert render_first_pages(pdf, output_dir, "travel-synthese", pages=3)


def mark_question(store, cafe, idea) -> None:
    """Table 1's captain marks `idea` as a question that emerged."""
    table_code = cafes.get_table(store, cafe.id, 1).code
    contributions.annotate_contribution(
        store, table_code=table_code, contribution_id=idea.id, builds_on=None, emerging_question=True
    )


def test_questions_marked_at_earlier_cafes_are_offered_to_the_next(store):
    earlier, _ = make_cafe(store)
    asked = add_idea(store, earlier, "Qui entretient le jardin ?")
    add_idea(store, earlier, "Pas une question marquée ?")
    mark_question(store, earlier, asked)
    following = cafes.create_cafe(
        store,
        cafes.CafeDetails(
            title="Café suivant", held_on=date(2026, 12, 10), theme="numérique", commune="Lyon"
        ),
    )
    offered = synthesis.emerged_questions(store, following.id)
    assert [(q.text, q.cafe_title) for q in offered] == [("Qui entretient le jardin ?", "Café des Tilleuls")]
    assert synthesis.emerged_questions(store, earlier.id) == []  # its own questions are not « earlier »
