"""The host's handover between rounds (facilitation/services/handover.py): the table's ideas of the round just
closed, most supported first, their themes and the next question, masked; its one-page PDF and the
`handover` command; and « who spoke » per table and round for « Animer »."""

from __future__ import annotations

import pytest

from exports.documents import all_handovers, table_handover
from facilitation.domain.errors import NotFound
from facilitation.services import cafes, contributions, harvest, votes
from facilitation.services.handover import DOMINATED, NO_HARVEST, QUIET, handover, handovers, who_spoke
from tests.conftest import add_idea, committed, make_cafe, resident, token_of
from tests.fakes import KeywordGrouper
from tests.pdfs import pdf_text, render_first_pages

PHONE_NUMBER = "06 12 34 56 78"


def round_one_said(store, cafe):
    """Table 1's round 1: a captain's idea counted by hands, a phone's idea with a phone number and
    two +1, a plain idea; table 2 says something else."""
    counted = add_idea(store, cafe, "Des bancs près de l'aire de jeux")
    token = token_of(store, cafe)
    phoned = resident(store, token, f"Un jardin partagé, appelez-moi au {PHONE_NUMBER}").contribution
    plain = add_idea(store, cafe, "Le chauffage est trop froid")
    for phone in ("tel-a", "tel-b"):
        votes.vote(store, token=token, item=phoned.id, choice="d'accord", browser_id=phone)
    votes.record_hands(
        store, cafe_id=cafe.id, table_number=1, contribution_id=counted.id, agree=5, disagree=1, unsure=0
    )
    add_idea(store, cafe, "Idée de l'autre table", table=2)
    return counted, phoned, plain


def test_the_handover_lists_the_tables_ideas_most_supported_first_masked_with_the_next_question(store):
    cafe, rounds = make_cafe(store)
    counted, phoned, plain = round_one_said(store, cafe)
    gone = add_idea(store, cafe, "Supprimée par le capitaine")
    with store.reading():  # reads happen in a unit of work
        code = cafes.get_table(store, cafe.id, 1).code
    contributions.delete_contribution(store, table_code=code, contribution_id=gone.id)
    cafes.open_round(store, cafe.id, rounds[1].id)  # closes round 1
    add_idea(store, cafe, "Dite au tour 2")

    briefing = handover(store, cafe.id, 1, 1)
    assert [i.contribution.id for i in briefing.ideas] == [counted.id, phoned.id, plain.id]
    assert [(i.supports, i.hands, i.score) for i in briefing.ideas] == [(0, 5, 5), (2, 0, 2), (0, 0, 0)]
    shown_text = briefing.ideas[1].contribution.text
    assert PHONE_NUMBER not in shown_text and "[téléphone masqué]" in shown_text
    with store.reading():
        assert committed(store).contributions.get(phoned.id).text.endswith(PHONE_NUMBER)  # stored as written
    assert (briefing.closed.position, briefing.following.question) == (1, "Question 2 ?")
    assert not briefing.harvested and briefing.themes == [] and briefing.themes_note == NO_HARVEST
    # Every table at once, in one read: the same briefing for table 1.
    assert [h.table.number for h in handovers(store, cafe.id, 1)] == [1, 2]
    assert handovers(store, cafe.id, 1)[0] == briefing


def test_the_last_round_has_no_next_question_and_unknown_rounds_or_tables_are_refused(sqlite_store):
    cafe, rounds = make_cafe(sqlite_store, rounds=1)
    add_idea(sqlite_store, cafe, "Seule idée")
    cafes.close_round(sqlite_store, cafe.id, rounds[0].id)
    assert handover(sqlite_store, cafe.id, 1, 1).following is None
    with pytest.raises(NotFound, match="Le tour 4 n'existe pas dans ce café"):
        handover(sqlite_store, cafe.id, 1, 4)
    with pytest.raises(NotFound, match="La table 9 n'existe pas dans ce café"):
        handover(sqlite_store, cafe.id, 9, 1)
    with pytest.raises(NotFound, match="Aucun café"):
        handover(sqlite_store, "pas-un-id", 1, 1)


def test_the_handover_names_the_harvests_themes_without_running_a_grouping(sqlite_store):
    cafe, rounds = make_cafe(sqlite_store)
    _, phoned, plain = round_one_said(sqlite_store, cafe)
    harvest.run_harvest(
        sqlite_store, KeywordGrouper(["jardin", "chauffage", "bancs"]), harvest.scope_of([cafe.id])
    )
    late = add_idea(sqlite_store, cafe, "Arrivée après la récolte")
    cafes.open_round(sqlite_store, cafe.id, rounds[1].id)

    briefing = handover(sqlite_store, cafe.id, 1, 1)
    by_id = {i.contribution.id: i.theme for i in briefing.ideas}
    assert by_id[phoned.id].endswith("Jardin") and by_id[plain.id].endswith("Chauffage")
    assert by_id[late.id] == ""  # not grouped yet: no theme invented
    assert briefing.harvested and briefing.themes_note == ""
    assert sorted(n for _, n in briefing.themes) == [1, 1, 1]


def test_the_handover_pdf_is_one_page_masked_with_the_ideas_and_next_question(sqlite_store, output_dir):
    cafe, rounds = make_cafe(sqlite_store)
    round_one_said(sqlite_store, cafe)
    add_idea(sqlite_store, cafe, "<b>gras</b> & <font size=40>énorme</font>")
    for n in range(20):  # more than a page's worth: still one page
        add_idea(sqlite_store, cafe, f"Idée numéro {n} " + "avec beaucoup de mots " * 12)
    cafes.open_round(sqlite_store, cafe.id, rounds[1].id)

    name, data = table_handover(sqlite_store, cafe.id, 1, 1)
    assert name.startswith("relais-tour-1-table-01-") and name.endswith(".pdf")
    text = pdf_text(data)
    assert "Passage de relais" in text and "Table 1 — Table des 1" in text
    assert "Des bancs près de l'aire de jeux" in text and "5 d'accord à main levée" in text
    assert "[téléphone masqué]" in text and PHONE_NUMBER not in text
    assert "<b>gras</b> & <font size=40>énorme</font>" in text  # printed literally
    assert "Question du tour 2" in text and "Question 2 ?" in text
    assert NO_HARVEST in text
    assert "Idée de l'autre table" not in text  # table 2's
    assert text.count("Page 1") == 1 and "Page 2" not in text
    (png,) = render_first_pages(data, output_dir, "handover-table-1")
    assert png.stat().st_size > 10_000
    assert [n for n, _ in all_handovers(sqlite_store, cafe.id, 1)] == [
        name,
        name.replace("table-01", "table-02"),
    ]


def test_the_handover_command_writes_one_pdf_per_table_and_refuses_in_french(
    sqlite_url, sqlite_store, tmp_path, monkeypatch, capsys
):
    import cli

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    cafe, rounds = make_cafe(sqlite_store, tables=3)
    round_one_said(sqlite_store, cafe)
    cafes.open_round(sqlite_store, cafe.id, rounds[1].id)
    out = tmp_path / "relais"
    assert cli.main(["handover", cafe.id, "--round", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    written = sorted(p.name for p in out.iterdir())
    assert [n.split("-cafe-")[0] for n in written] == [f"relais-tour-1-table-0{n}" for n in (1, 2, 3)]
    assert printed.startswith(f"3 passages de relais écrits (tour 1) dans {out} :")
    assert all(name in printed for name in written)
    assert "[téléphone masqué]" in pdf_text((out / written[0]).read_bytes())
    assert "Idée de l'autre table" in pdf_text((out / written[1]).read_bytes())

    assert cli.main(["handover", cafe.id, "--round", "5", "--out", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err.strip() == "Erreur : Le tour 5 n'existe pas dans ce café."
    assert cli.main(["handover", "0" * 32, "--round", "1", "--out", str(tmp_path / "x")]) == 2
    assert "Aucun café ne porte l'identifiant" in capsys.readouterr().err
    assert cli.main(["handover", cafe.id, "--round", "un", "--out", str(tmp_path / "x")]) == 2
    assert "--round : nombre entier attendu" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_who_spoke_counts_captain_and_phones_and_flags_quiet_and_dominated_tables(store):
    cafe, rounds = make_cafe(store, tables=3)
    token = token_of(store, cafe)
    for n in range(4):
        resident(store, token, f"Toujours le même téléphone {n}", browser_id="bavard")
    resident(store, token, "Un autre téléphone", browser_id="discret")
    add_idea(store, cafe, "Le capitaine note")
    add_idea(store, cafe, "Table 2 équilibrée", table=2)
    resident(store, token_of(store, cafe, 2), "Un téléphone à la table 2", browser_id="voisin")

    voices = {(v.round.position, v.table.number): v for v in who_spoke(store, cafe.id)}
    assert set(voices) == {(1, 1), (1, 2), (1, 3)}  # round 2 not opened yet
    one, two, three = voices[(1, 1)], voices[(1, 2)], voices[(1, 3)]
    assert (one.from_captain, one.from_phones, one.phones, one.top_phone) == (1, 5, 2, 4)
    assert one.flag == DOMINATED  # 4 of 6 from one phone
    assert (two.from_captain, two.from_phones, two.phones, two.flag) == (1, 1, 1, "")
    assert three.total == 0 and three.flag == QUIET
    assert "bavard" not in repr(voices) and "author" not in repr(voices)  # never the phone's key

    cafes.open_round(store, cafe.id, rounds[1].id)
    listed = who_spoke(store, cafe.id)
    assert [v.round.position for v in listed] == [2, 2, 2, 1, 1, 1]  # the latest round first
    assert all(v.flag == QUIET for v in listed[:3])
