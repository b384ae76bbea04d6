"""Votes from phones (three answers, one per phone per item, changeable), captains' shows of hands and
the plenary vote on themes, on both databases through the real resident routes (Starlette TestClient)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from facilitation.domain.agreement import THEME_PREFIX, Choice, Label, Tally
from facilitation.domain.errors import InvalidInput, NotAccepting, NotFound
from facilitation.services import cafes, contributions, votes
from tests.conftest import add_idea, committed, harvest_by_keywords, make_cafe, token_of
from tests.test_resident_page import Phone, phone_beside_an_idea, serve


@pytest.fixture
def served(database_url):
    app, runtime = serve(database_url, cafe_rate_per_phone=6)
    yield app, runtime.store(), runtime
    runtime.close()


def _vote(phone: Phone, item: str, choice: str | None, *, json: bool = False):
    nonce = re.search(r'data-support-nonce="([^"]+)"', phone.client.get(phone.link).text).group(1)
    form = {"idee": item, "nonce": nonce} | ({"choix": choice} if choice is not None else {})
    headers = {"accept": "application/json"} if json else {}
    answer = phone.client.post(f"{phone.link}/soutien", data=form, headers=headers)
    if not json:
        phone.page = answer
        answer.html = unescape(answer.text)  # the page's text as a reader sees it
    return answer


def _tallies(store, cafe_id: str, item: str) -> list[Tally]:
    return [v.tally for v in committed(store).contributions.votes_in(cafe_id) if v.item == item]


def test_a_phone_changes_its_vote_and_is_counted_once(served):
    app, store, _ = served
    cafe, idea, phone = phone_beside_an_idea(app, store, "Un composteur dans la cour")
    page = _vote(phone, idea.id, "d'accord")
    assert page.history[0].status_code == 303 and "✓ Vous êtes d'accord · 1 soutien" in page.html
    changed = _vote(phone, idea.id, "pas d'accord", json=True).json()
    assert changed["ok"] and changed["choice"] == "pas d'accord" and changed["supports"] == 0
    assert _tallies(store, cafe.id, idea.id) == [Tally(disagree=1)]
    page = _vote(phone, idea.id, "je ne sais pas")
    assert "✓ Vous ne savez pas" in page.html and 'value="je ne sais pas" aria-pressed="true"' in page.html
    # Scanned again: the same phone still has one vote, shown as its own.
    phone.page = phone.client.get(phone.link)
    assert 'value="je ne sais pas" aria-pressed="true"' in unescape(phone.page.text)
    other = Phone(app, store, cafe)
    _vote(other, idea.id, "d'accord", json=True)
    assert sorted(_tallies(store, cafe.id, idea.id), key=lambda t: t.agree) == [
        Tally(unsure=1),
        Tally(agree=1),
    ]
    assert committed(store).contributions.get(idea.id).supports == 1


def test_an_old_plus_one_form_still_says_d_accord(served):
    app, store, _ = served
    _, idea, phone = phone_beside_an_idea(app, store, "Des bancs")
    answer = _vote(phone, idea.id, None, json=True).json()
    assert answer["choice"] == "d'accord" and answer["supports"] == 1


def test_an_unknown_answer_is_refused_in_french_and_changes_nothing(served):
    app, store, _ = served
    cafe, idea, phone = phone_beside_an_idea(app, store, "Des bancs")
    answer = _vote(phone, idea.id, "peut-être", json=True)
    assert answer.status_code == 422 and "« pas d'accord »" in answer.json()["message"]
    assert _tallies(store, cafe.id, idea.id) == []


def test_the_plenary_vote_shows_the_themes_on_the_phones(served):
    app, store, _ = served
    cafe, rounds = make_cafe(store)
    _, version = harvest_by_keywords(
        store,
        cafe,
        ("Le chauffage est trop faible", "Chauffage en panne", "Ascenseur bloqué"),
        ["chauffage", "ascenseur"],
    )
    heating = next(t for t in version.topics if t.label == "Chauffage")
    phone = Phone(app, store, cafe, table=2)
    assert "Votez sur les thèmes" not in phone.page.text
    refused = _vote(phone, THEME_PREFIX + heating.key, "d'accord", json=True)
    assert refused.status_code == 409 and refused.json()["message"] == votes.CLOSED_PLENARY_MESSAGE
    cafes.close_round(store, cafe.id, rounds[0].id)  # the plenary comes after the rounds
    votes.set_plenary(store, cafe.id, True)
    phone.page = phone.client.get(phone.link)
    assert "Votez sur les thèmes de la salle" in phone.page.text and "Chauffage" in phone.page.text
    assert [t["text"] for t in phone.client.get(f"{phone.link}/etat").json()["themes"]] == [
        "Chauffage",
        "Ascenseur",
    ]
    _vote(phone, THEME_PREFIX + heating.key, "pas d'accord")
    _vote(phone, THEME_PREFIX + heating.key, "d'accord")
    assert _tallies(store, cafe.id, THEME_PREFIX + heating.key) == [Tally(agree=1)]
    assert [v.table_number for v in committed(store).contributions.votes_in(cafe.id)] == [2]
    votes.set_plenary(store, cafe.id, False)
    closed = _vote(phone, THEME_PREFIX + heating.key, "pas d'accord", json=True)
    assert closed.status_code == 409
    assert _tallies(store, cafe.id, THEME_PREFIX + heating.key) == [Tally(agree=1)]
    actions = [e.action for e in committed(store).audit.latest(cafe_id=cafe.id)]
    assert "vote en plénière ouvert" in actions and "vote en plénière fermé" in actions


def test_a_plenary_needs_themes(store):
    cafe, _ = make_cafe(store)
    with pytest.raises(InvalidInput, match="Regroupez d'abord"):
        votes.set_plenary(store, cafe.id, True)
    assert cafes.get_cafe(store, cafe.id).plenary_opened_at is None


def test_a_captain_records_a_show_of_hands_and_corrects_it(store):
    cafe, _ = make_cafe(store)
    idea = add_idea(store, cafe, "Un local vélos", table=2)
    votes.record_hands(
        store, cafe_id=cafe.id, table_number=2, contribution_id=idea.id, agree=5, disagree=1, unsure=""
    )
    votes.record_hands(
        store, cafe_id=cafe.id, table_number=2, contribution_id=idea.id, agree=6, disagree=2, unsure=1
    )
    assert _tallies(store, cafe.id, idea.id) == [Tally(6, 2, 1)]
    with pytest.raises(NotFound):  # another table's idea
        votes.record_hands(
            store, cafe_id=cafe.id, table_number=1, contribution_id=idea.id, agree=1, disagree=0, unsure=0
        )
    with pytest.raises(InvalidInput, match="Pas d'accord"):
        votes.record_hands(
            store, cafe_id=cafe.id, table_number=2, contribution_id=idea.id, agree=1, disagree="x", unsure=0
        )
    assert _tallies(store, cafe.id, idea.id) == [Tally(6, 2, 1)]
    context = votes.hands_of(store, cafes_context(store, cafe.id, 2))
    assert context == {idea.id: Tally(6, 2, 1)}


def cafes_context(store, cafe_id: str, table: int):
    from facilitation.services.contributions import table_context

    return table_context(store, cafe_id, table)


def test_theme_agreement_adds_ideas_hands_and_plenary_per_table(store):
    cafe, _ = make_cafe(store, tables=3)
    first = add_idea(store, cafe, "Chauffage trop faible", table=1)
    second = add_idea(store, cafe, "Chauffage en panne", table=2)
    for table, idea, hands in ((1, first, (4, 0, 0)), (2, second, (3, 1, 0))):
        votes.record_hands(
            store,
            cafe_id=cafe.id,
            table_number=table,
            contribution_id=idea.id,
            agree=hands[0],
            disagree=hands[1],
            unsure=hands[2],
        )
    listed = committed(store).contributions.votes_in(cafe.id)
    listed.append(votes.Vote(THEME_PREFIX + "k", "phone", 3, Tally(agree=2)))
    result = votes.agreements(listed, {"k": [first.id, second.id]})["k"]
    assert result.tally == Tally(9, 1, 0) and result.label is Label.CONSENSUS and result.side is Choice.AGREE
    assert result.reach == "d'accord à toutes les tables"
    assert set(result.by_table) == {1, 2, 3}


def test_votes_on_a_closed_round_are_refused(store):
    cafe, rounds = make_cafe(store)
    idea = add_idea(store, cafe, "Des bancs")
    cafes.close_round(store, cafe.id, rounds[0].id)
    token = cafes.join_link(store, cafe.id, 1, "").rsplit("/", 1)[1]
    with pytest.raises(NotAccepting):
        votes.vote(store, token=token, item=idea.id, choice="d'accord", browser_id="a" * 32)


def test_each_phone_agrees_with_an_idea_once(store):
    cafe, _ = make_cafe(store)
    idea = add_idea(store, cafe, "Plus de bancs")
    token = token_of(store, cafe)

    def agree(phone: str) -> votes.Voted:
        return votes.vote(store, token=token, item=idea.id, choice="d'accord", browser_id=phone)

    assert [agree("phone-a").supports, agree("phone-a").supports, agree("phone-b").supports] == [1, 1, 2]
    assert committed(store).contributions.get(idea.id).supports == 2
    context = contributions.join_table(store, token)
    assert contributions.supported_here(store, context, "phone-a") == {idea.id}
    assert contributions.supported_here(store, context, "phone-c") == set()


def test_a_phone_votes_only_on_its_own_tables_ideas(store):
    cafe, _ = make_cafe(store)
    other_table_idea = add_idea(store, cafe, "Autre table", table=2)
    with pytest.raises(NotFound):
        votes.vote(
            store, token=token_of(store, cafe, 1), item=other_table_idea.id, choice="d'accord", browser_id="p"
        )
    assert committed(store).contributions.get(other_table_idea.id).supports == 0
