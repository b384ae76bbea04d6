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
