"""Contributions at the tables, on SQLite and PostgreSQL."""

import pytest

from facilitation.domain.access import make_join_token, new_id
from facilitation.domain.errors import AccessDenied, InvalidInput, NotAccepting, NotFound, RoundChanged
from facilitation.domain.model import Source
from facilitation.services import cafes, contributions
from tests.conftest import committed, make_cafe, resident


def captain_submit(store, cafe, text="Plus de bancs", table=1, **fields):
    return contributions.submit_contribution(
        store,
        cafe_id=cafe.id,
        table_number=table,
        submission=contributions.Submission(
            text=text, submission_id=fields.pop("submission_id", new_id()), max_chars=2000, **fields
        ),
        source=Source.CAPTAIN,
    )


def token_for(store, cafe, table=1):
    return make_join_token(committed(store).trust.link_secret(), cafe.id, table)


def test_captain_records_with_optional_fields(store):
    cafe, rounds = make_cafe(store)
    result = captain_submit(store, cafe, kind="idée", profile="personne âgée", agreement_count="4")
    assert result.created
    stored = committed(store).contributions.get(result.contribution.id)
    assert stored.round_id == rounds[0].id and stored.source is Source.CAPTAIN
    assert (stored.kind.value, stored.profile.value, stored.agreement_count) == ("idée", "personne âgée", 4)


def test_a_retried_submit_is_stored_once(store):
    cafe, _ = make_cafe(store)
    submission = new_id()
    first = captain_submit(store, cafe, submission_id=submission)
    again = captain_submit(store, cafe, submission_id=submission)
    assert first.created and not again.created
    assert again.contribution.id == first.contribution.id
    assert len(committed(store).contributions.in_cafe(cafe.id)) == 1


def test_a_submission_id_cannot_be_replayed_on_another_table(store):
    cafe, _ = make_cafe(store)
    submission = new_id()
    captain_submit(store, cafe, submission_id=submission, table=1)
    with pytest.raises(InvalidInput, match="déjà utilisé"):
        captain_submit(store, cafe, submission_id=submission, table=2)


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"text": "   "}, InvalidInput, "vide"),
        ({"text": "x" * 2001}, InvalidInput, "trop longue"),
        ({"text": "a\x07b"}, InvalidInput, "contrôle"),
        ({"kind": "rumeur"}, InvalidInput, "Type inconnu"),
        ({"agreement_count": -1}, InvalidInput, "entre 0 et"),
        ({"agreement_count": "plein"}, InvalidInput, "un nombre"),
        ({"submission_id": "../../etc"}, InvalidInput, "Identifiant d'envoi"),
        ({"table": 7}, NotFound, "La table 7"),
    ],
)
def test_bad_contributions_write_nothing(store, fields, error, message):
    cafe, _ = make_cafe(store)
    with pytest.raises(error, match=message):
        captain_submit(store, cafe, **fields)
    assert committed(store).contributions.in_cafe(cafe.id, include_deleted=True) == []


def test_nothing_is_accepted_without_an_open_round_or_once_closed(store):
    cafe, rounds = make_cafe(store, open_first=False)
    with pytest.raises(NotAccepting, match="Aucun tour n'est ouvert"):
        captain_submit(store, cafe)
    cafes.open_round(store, cafe.id, rounds[0].id)
    cafes.close_cafe(store, cafe.id)
    with pytest.raises(NotAccepting, match="café est terminé"):
        captain_submit(store, cafe)
    assert committed(store).contributions.in_cafe(cafe.id) == []


def test_resident_submits_through_the_signed_link_only(store):
    cafe, _ = make_cafe(store)
    result = resident(store, token_for(store, cafe, 2), "<b>gras</b> & **étoiles**")
    assert result.contribution.source is Source.RESIDENT
    assert result.contribution.text == "<b>gras</b> & **étoiles**"
    assert cafes.get_table(store, cafe.id, 2).id == result.contribution.table_id
    forged = make_join_token("autre-secret", cafe.id, 2)
    with pytest.raises(AccessDenied):
        resident(store, forged, "x")
    assert len(committed(store).contributions.in_cafe(cafe.id)) == 1


def test_a_valid_signature_for_a_missing_table_is_refused(store):
    cafe, _ = make_cafe(store, tables=1)
    with pytest.raises(AccessDenied, match="aucune table"):
        contributions.join_table(store, token_for(store, cafe, 5))


def test_residents_see_their_tables_open_round_only(store):
    cafe, rounds = make_cafe(store)
    captain_submit(store, cafe, "à la table 1", table=1)
    captain_submit(store, cafe, "à la table 2", table=2)
    cafes.open_round(store, cafe.id, rounds[1].id)
    captain_submit(store, cafe, "tour 2 table 1", table=1)
    context = contributions.join_table(store, token_for(store, cafe, 1))
    assert [c.text for c in context.contributions] == ["tour 2 table 1"]


def test_captain_enters_with_code_and_edits_deletes_own_table_only(store):
    cafe, _ = make_cafe(store)
    table1, table2 = cafes.list_tables(store, cafe.id)
    mine = captain_submit(store, cafe, "Plus de banc", table=1).contribution
    theirs = captain_submit(store, cafe, "Autre table", table=2).contribution

    context = contributions.enter_table(store, table1.code.lower())
    assert context.table == table1 and context.open_round is not None
    with pytest.raises(AccessDenied, match="Code de table inconnu"):
        contributions.enter_table(store, "ZZZZZZ")

    contributions.edit_contribution(
        store,
        table_code=table1.code,
        contribution_id=mine.id,
        text="Plus de bancs",
        max_chars=2000,
        kind="proposition",
    )
    edited = committed(store).contributions.get(mine.id)
    assert (edited.text, edited.kind.value) == ("Plus de bancs", "proposition") and edited.updated_at
    with pytest.raises(NotFound):
        contributions.edit_contribution(
            store, table_code=table1.code, contribution_id=theirs.id, text="piraté", max_chars=2000
        )
    with pytest.raises(NotFound):
        contributions.delete_contribution(store, table_code=table2.code, contribution_id=mine.id)

    contributions.delete_contribution(store, table_code=table1.code, contribution_id=mine.id)
    assert [c.id for c in committed(store).contributions.in_cafe(cafe.id)] == [theirs.id]
    assert [c.id for c in contributions.deleted_contributions(store, cafe.id)] == [mine.id]
    contributions.restore_contribution(store, cafe.id, mine.id)
    assert {c.id for c in committed(store).contributions.in_cafe(cafe.id)} == {mine.id, theirs.id}


def test_overview_counts_per_table_and_round(store):
    cafe, rounds = make_cafe(store)
    for index, table in enumerate((1, 1, 2)):
        captain_submit(store, cafe, text=f"Idée {index}", table=table)
    resident(store, token_for(store, cafe, 2), "du téléphone")
    view = contributions.overview(store, cafe.id)
    table1, table2 = view.tables
    assert view.counts[(rounds[0].id, table1.id)] == 2 and view.counts[(rounds[0].id, table2.id)] == 2
    assert (view.total, view.from_residents) == (4, 1)
    assert view.latest[0].text == "du téléphone"


# -- a submit carries its round; the same text is stored once ---------------------------------
def test_a_submit_for_a_round_that_closed_is_refused_not_misfiled(store):
    cafe, rounds = make_cafe(store)
    cafes.open_round(store, cafe.id, rounds[1].id)
    with pytest.raises(RoundChanged, match="La question a changé : le tour 2 est ouvert"):
        captain_submit(store, cafe, text="Écrit pendant le tour 1", round_id=rounds[0].id)
    assert committed(store).contributions.in_cafe(cafe.id) == []
    stored = captain_submit(store, cafe, text="Écrit pendant le tour 2", round_id=rounds[1].id)
    assert stored.contribution.round_id == rounds[1].id


def test_a_resident_submit_carries_its_round_too(store):
    cafe, rounds = make_cafe(store)
    cafes.close_round(store, cafe.id, rounds[0].id)
    with pytest.raises(NotAccepting, match="Aucun tour n'est ouvert"):
        resident(store, token_for(store, cafe), "Trop tard", round_id=rounds[0].id)
    assert committed(store).contributions.in_cafe(cafe.id) == []


@pytest.mark.parametrize("source", [Source.CAPTAIN, Source.RESIDENT])
def test_the_same_text_from_one_table_is_stored_once_per_round(store, source):
    """From one captain's table, or from one phone (two residents may write the same words)."""
    cafe, rounds = make_cafe(store)
    phone = new_id()

    def send(text, table=1):
        if source is Source.RESIDENT:
            return resident(store, token_for(store, cafe, table), text, browser_id=phone)
        return captain_submit(store, cafe, text=text, table=table)

    first = send("Des bancs à l'ombre")
    again = send("  Des bancs à l'ombre ")  # a second tap with a fresh id: nothing new
    assert first.created and not again.created
    assert again.contribution.id == first.contribution.id
    assert send("Des bancs à l'ombre", table=2).created  # another table may say the same
    cafes.open_round(store, cafe.id, rounds[1].id)
    assert send("Des bancs à l'ombre").created  # and so may the next round
    texts = [c.text for c in committed(store).contributions.in_cafe(cafe.id)]
    assert texts == ["Des bancs à l'ombre"] * 3


def test_a_captain_code_and_a_staff_password_are_each_tried_in_one_transaction(store):
    """The throttle's count, the check and the outcome (entry or refusal, audited) are one
    transaction: nothing happens between the check and the entry."""
    from sqlalchemy import event

    from facilitation.domain.access import hash_password
    from facilitation.domain.actors import ORGANISER
    from facilitation.services import sessions
    from facilitation.services.abuse import Client

    cafe, _ = make_cafe(store)
    code = committed(store).cafes.tables(cafe.id)[0].code
    begun: list[int] = []
    event.listen(store.engine, "begin", lambda connection: begun.append(1))
    assert contributions.try_table_code(store, code, Client("192.0.2.1", "s")).table.code == code
    assert len(begun) == 1
    with pytest.raises(AccessDenied, match="Code de table inconnu"):
        contributions.try_table_code(store, "ZZZZZZ", Client("192.0.2.1", "s"))
    assert len(begun) == 2
    assert committed(store).audit.latest(limit=1)[0].action == "code capitaine refusé"
    begun.clear()
    passwords = {ORGANISER: hash_password("le-bon-mot-de-passe")}
    now = store.clock()
    assert (
        sessions.sign_in(store, "le-bon-mot-de-passe", passwords, now, Client("192.0.2.1", "t")).role
        == ORGANISER
    )
    assert len(begun) == 1
