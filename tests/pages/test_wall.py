"""The projected wall (pages/wall.py): the open question and the latest contributions, no controls."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import add_idea, make_cafe
from tests.pages.apptest import app, labelled, texts


def test_wall_shows_the_open_question_and_latest_contributions_without_controls(store):
    cafe, _ = make_cafe(store)
    idea = add_idea(store, cafe, "Un *jardin* partagé", table=2)
    with store:
        store.contributions.add_support(idea.id, "quelqu'un", datetime.now(UTC))
    at = app(organiser=True, page="pages/wall.py", cafe=cafe.id)
    assert "Question 1 ?" in texts(at)
    assert r"Un \*jardin\* partagé" in texts(at)
    assert "Table 2 — Table des 2 · 👍 1" in [c.value for c in at.caption]
    assert at.metric[0].label == "Temps restant — tour 1"
    assert not at.button and not at.selectbox and not at.text_input and not at.chat_input


def test_wall_is_behind_the_organiser_password(store):
    cafe, _ = make_cafe(store)
    at = app(page="pages/wall.py", cafe=cafe.id)
    assert labelled(at.text_input, "Mot de passe organisateur")
    assert "Question 1 ?" not in texts(at)


def test_wall_shows_the_themes_of_an_open_plenary_vote_with_the_answers(store):
    from facilitation.domain.agreement import THEME_PREFIX
    from facilitation.services import cafes, harvest, votes
    from tests.fakes import KeywordGrouper

    cafe, rounds = make_cafe(store)
    add_idea(store, cafe, "Le chauffage est froid")
    add_idea(store, cafe, "Chauffage en panne")
    scope = harvest.scope_of([cafe.id])
    (heating,) = [
        t
        for t in harvest.run_harvest(store, KeywordGrouper(["chauffage"]), scope).topics
        if t.label == "Chauffage"
    ]
    cafes.close_round(store, cafe.id, rounds[0].id)
    at = app(organiser=True, page="pages/wall.py", cafe=cafe.id)
    assert "Chauffage" not in texts(at)
    votes.set_plenary(store, cafe.id, True)
    token = cafes.join_link(store, cafe.id, 1, "").rsplit("/", 1)[1]
    votes.vote(store, token=token, item=THEME_PREFIX + heating.key, choice="d'accord", browser_id="p1")
    at.run()
    assert "Chauffage" in texts(at)
    assert "1 d'accord · 0 pas d'accord · 0 je ne sais pas" in [c.value.replace("\\", "") for c in at.caption]
    assert not at.button
