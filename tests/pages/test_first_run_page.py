"""The first-run page (pages/first_run.py) and what points to it: with no organiser password
anywhere, the home page and every organiser page say to look at the terminal; the one-time link
chooses the passwords, signs the organiser in, leaves the address and is refused afterwards."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from facilitation.adapters.clock import utcnow
from facilitation.domain import actors
from facilitation.domain.access import check_password
from facilitation.services import first_run
from tests.pages.apptest import ORGANISER_PAGES, app, labelled, texts

NONE = {actors.ORGANISER: "", actors.MARKETING: ""}
TERMINAL = "Regardez le terminal où l'application a démarré"


@pytest.fixture
def fresh(store, monkeypatch):
    """An installation started for the first time: no organiser password in settings or database."""
    monkeypatch.delenv("CAFE_ORGANISER_PASSWORD_HASH")
    return store


def new_link(store) -> str:
    link = first_run.first_run_link(store, NONE, "http://localhost:8501", utcnow())
    (token,) = parse_qs(urlparse(link).query)[first_run.FIRST_RUN_PARAM]
    return token


def test_home_and_organiser_pages_say_where_the_link_is(fresh):
    assert TERMINAL in texts(app())
    for page in ORGANISER_PAGES:
        at = app(page=page)
        assert TERMINAL in texts(at)
        assert "?premier=" in texts(at)
        assert not at.text_input  # no password form: there is no default password


def test_home_says_nothing_once_a_password_is_set(store):
    assert TERMINAL not in texts(app())


def fill(at, organiser="cafe-des-tilleuls", again="cafe-des-tilleuls", marketing="", marketing_again=""):
    labelled(at.text_input, "Mot de passe organisateur").input(organiser)
    labelled(at.text_input, "Répétez le mot de passe organisateur").input(again)
    labelled(at.text_input, "Mot de passe de l'équipe marketing (facultatif)").input(marketing)
    labelled(at.text_input, "Répétez le mot de passe de l'équipe marketing").input(marketing_again)
    at.form_submit_button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_the_link_chooses_the_passwords_and_signs_the_organiser_in(fresh):
    token = new_link(fresh)
    at = app(premier=token)
    assert at.title[0].value == "☕ Premier démarrage"
    fill(at, marketing="equipe-marketing", marketing_again="equipe-marketing")
    assert at.session_state["organiser_signed_in"] is True
    assert first_run.FIRST_RUN_PARAM not in at.query_params  # the dead link leaves the address
    assert "vous êtes connecté comme organisateur" in texts(at)
    assert TERMINAL not in texts(at)
    passwords = first_run.staff_passwords(fresh, NONE)
    assert check_password("cafe-des-tilleuls", passwords[actors.ORGANISER])
    assert check_password("equipe-marketing", passwords[actors.MARKETING])
    # Signed in: an organiser page opens without asking the password.
    at.switch_page("pages/organiser_cafes.py").run()
    assert not [w for w in at.text_input if w.label.startswith("Mot de passe")]
    assert at.query_params["organisateur"]  # the session survives a reload (F5) from here
    # The same link, opened again (another tab, the history): refused in French.
    again = app(premier=token)
    assert "n'est plus valable" in again.error[0].value
    assert not again.text_input


def test_mismatched_passwords_are_refused_and_nothing_is_stored(fresh):
    token = new_link(fresh)
    at = fill(app(premier=token), again="cafe-des-tilleulS")
    assert "diffèrent" in at.error[0].value
    assert "organiser_signed_in" not in at.session_state
    assert first_run.staff_passwords(fresh, NONE) == NONE
    fill(at)  # the link still works
    assert at.session_state["organiser_signed_in"] is True


def test_a_forged_link_opens_nothing(fresh):
    new_link(fresh)
    at = app(premier="invente")
    assert "n'est plus valable" in at.error[0].value
    assert not at.text_input
