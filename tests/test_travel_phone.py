"""« Je prolonge une idée » and « c'est une question qui émerge » on the phone, over HTTP without
JavaScript (Starlette's test client, SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from facilitation.services import cafes
from facilitation.services.contributions import UNKNOWN_IDEA_MESSAGE
from tests.conftest import add_idea, committed, make_cafe, transactions_begun
from tests.test_resident_page import Phone, serve
from web.resident import VISITS_COOKIE


@pytest.fixture
def served(database_url):
    app, runtime = serve(database_url, cafe_rate_per_phone=30)
    yield app, runtime.store()
    runtime.close()


def _move(phone: Phone, store, cafe, table: int) -> None:
    """The resident scans the QR code of another table (same phone, same cookies)."""
    phone.link = cafes.join_link(store, cafe.id, table, "")
    phone.page = phone.client.get(phone.link)


def _heard(page_text: str) -> list[str]:
    return re.findall(r'name="prolonge" value="([0-9a-f]{32})"', page_text)


def _kept_text(html: str) -> str:
    found = re.search(r'<textarea id="texte"[^>]*>(.*?)</textarea>', html, re.S)
    return unescape(found.group(1)) if found else ""


def _prolong_form(phone: Phone, text: str, idea_id: str, **extra: str) -> dict[str, str]:
    page = phone.client.get(phone.link + "/prolonge").text
    fields = {name: phone.field(name, page) for name in ("sid", "nonce", "tour", "vue")}
    return {**fields, "texte": text, "prolonge": idea_id, **extra}


def _spoken_at_table_1(app, store):
    """A phone that sent an idea at table 1 of a three-table café, and two ideas it never heard: one
    of table 3, one of another café. Returns the café, the phone and the three ideas."""
    cafe, _ = make_cafe(store, tables=3)
    other, _ = make_cafe(store)
    phone = Phone(app, store, cafe, table=1)
    phone.send("Un composteur partagé, écrivez à jo@ex.fr")
    (idea,) = committed(store).contributions.in_cafe(cafe.id)
    unheard = add_idea(store, cafe, "Une idée de la table 3", table=3)
    foreign = add_idea(store, other, "Une idée d'un autre café")
    return cafe, phone, idea, unheard, foreign


def test_a_phone_prolongs_an_idea_of_the_table_it_joined_before(served):
    app, store = served
    cafe, phone, idea, unheard, foreign = _spoken_at_table_1(app, store)
    assert 'id="prolong-link" hidden' in phone.page.text  # no earlier table yet
    _move(phone, store, cafe, 2)
    assert 'id="prolong-link">' in phone.page.text  # shown now that an earlier table exists
    page = phone.client.get(phone.link + "/prolonge")
    assert page.status_code == 200 and "<h1>Je prolonge une idée</h1>" in page.text
    # Only the ideas of the table joined earlier, masked, with where they were said.
    assert _heard(page.text) == [idea.id]
    assert "Table 1, tour 1" in page.text and "jo@ex.fr" not in page.text
    assert unheard.id not in page.text and foreign.id not in page.text
    assert "<script" not in page.text  # a plain form: no JavaScript needed
    assert 'type="radio"' in page.text and "C'est une question qui émerge" in page.text
    sent = phone.client.post(phone.link, data=_prolong_form(phone, "Et un composteur par étage", idea.id))
    assert sent.history[0].status_code == 303 and "Merci ! Votre idée a bien été envoyée." in sent.text
    stored = next(
        c for c in committed(store).contributions.in_cafe(cafe.id) if c.text == "Et un composteur par étage"
    )
    assert stored.builds_on == idea.id and not stored.emerging_question


def test_forged_unheard_and_foreign_ideas_are_refused_in_french_and_change_nothing(served):
    app, store = served
    cafe, phone, _, unheard, foreign = _spoken_at_table_1(app, store)
    _move(phone, store, cafe, 2)
    before = committed(store).contributions.count(cafe.id)
    for forged in (unheard.id, foreign.id, "0" * 32, "<b>x</b>", ""):
        answer = phone.client.post(phone.link, data=_prolong_form(phone, "Je prolonge", forged))
        assert answer.status_code == 422, forged
        message = unescape(answer.text)
        assert UNKNOWN_IDEA_MESSAGE in message or "Choisissez l'idée que vous prolongez" in message
        assert _kept_text(answer.text) == "Je prolonge"  # the text stays in its box
    assert committed(store).contributions.count(cafe.id) == before


def test_a_forged_visits_cookie_offers_nothing_and_proves_nothing(served):
    app, store = served
    cafe, _ = make_cafe(store, tables=3)
    table3 = add_idea(store, cafe, "Une idée de la table 3", table=3)
    phone = Phone(app, store, cafe, table=1)
    round_id = committed(store).cafes.rounds(cafe.id)[0].id
    # A cookie claiming a visit to table 3, with a made-up signature.
    phone.client.cookies.set(VISITS_COOKIE, f"{cafe.id}_3_{round_id}.AAAAAAAAAAAAAAAAAAAAAA", path="/j/")
    assert _heard(phone.client.get(phone.link + "/prolonge").text) == []
    # The main page's form, posted as the « je prolonge » one would be (no list was offered).
    form = {**phone.form("Je prolonge"), "vue": "prolonge", "prolonge": table3.id}
    phone.client.cookies.set(VISITS_COOKIE, f"{cafe.id}_3_{round_id}.AAAAAAAAAAAAAAAAAAAAAA", path="/j/")
    assert phone.client.post(phone.link, data=form).status_code == 422
    assert [c.text for c in committed(store).contributions.in_cafe(cafe.id)] == ["Une idée de la table 3"]


def test_a_resident_marks_a_question_that_emerges_without_javascript(served):
    app, store = served
    cafe, _ = make_cafe(store)
    phone = Phone(app, store, cafe, table=1)
    assert 'type="checkbox" id="emerging-question" name="question" value="1"' in phone.page.text
    assert '<label for="emerging-question">C\'est une question qui émerge</label>' in phone.page.text
    phone.send("Qui décide des horaires du local ?", question="1")
    phone.send("Une idée sans case cochée")
    marks = {c.text: c.emerging_question for c in committed(store).contributions.in_cafe(cafe.id)}
    assert marks == {"Qui décide des horaires du local ?": True, "Une idée sans case cochée": False}


def test_a_phone_that_stays_at_its_table_hears_the_earlier_round_there(served):
    app, store = served
    cafe, rounds = make_cafe(store)
    phone = Phone(app, store, cafe, table=1)
    phone.send("Idée du premier tour")
    cafes.open_round(store, cafe.id, rounds[1].id)
    # The page is polled (JavaScript) while the round changes: the state says « je prolonge » is open.
    state = phone.client.get(phone.link + "/etat").json()
    assert state["can_prolong"] is True and state["round_label"] == "Tour 2"
    (first,) = committed(store).contributions.in_cafe(cafe.id)
    assert _heard(phone.client.get(phone.link + "/prolonge").text) == [first.id]


def test_the_prolong_page_is_read_in_one_transaction(served):
    """The table, the link secret that checks the visits cookie and the heard ideas: read together,
    so that the list offered is the one of the table and round shown."""
    app, store = served
    cafe, _ = make_cafe(store, tables=2)
    phone = Phone(app, store, cafe, table=1)
    phone.send("Un composteur partagé")
    _move(phone, store, cafe, 2)
    begun = transactions_begun(store)
    page = phone.client.get(phone.link + "/prolonge")
    assert page.status_code == 200 and len(_heard(page.text)) == 1
    assert len(begun) == 1
