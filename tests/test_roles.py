"""Roles on every staff page (AppTest): the marketing team reads, downloads and comments; the
organiser keeps everything. The marketing login in a real browser is in test_staff_browser.py."""

from __future__ import annotations

import pytest

from facilitation import audit, exchange
from facilitation.access import hash_password
from tests.conftest import make_cafe
from tests.test_page_exchange import compost_fiche
from tests.test_pages import app, labelled, store  # noqa: F401 - the page tests' fixture and helpers

MARKETING_PASSWORD = "mot-de-passe-marketing"
ORGANISER_ONLY = [
    "pages/organiser_cafes.py",
    "pages/organiser_prepare.py",
    "pages/organiser_run.py",
    "pages/organiser_qr.py",
    "pages/organiser_harvest.py",
    "pages/organiser_fiches.py",
    "pages/organiser_privacy.py",
]
SHARED = ["pages/library.py", "pages/fiches_exchange.py"]


@pytest.fixture
def marketing(store, monkeypatch):  # noqa: F811
    monkeypatch.setenv("CAFE_MARKETING_PASSWORD_HASH", hash_password(MARKETING_PASSWORD))
    return store


def signed_in_as_marketing(page: str):
    at = app(page=page)
    labelled(at.text_input, "Mot de passe (organisateur ou équipe marketing)").input(MARKETING_PASSWORD)
    at.form_submit_button[0].click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", SHARED)
def test_the_marketing_password_opens_the_shared_pages(marketing, page):
    at = signed_in_as_marketing(page)
    assert at.session_state["staff_role"] == audit.MARKETING
    assert "organiser_signed_in" not in at.session_state
    assert not at.error and at.title[0].value != "Espace organisateur"


@pytest.mark.parametrize("page", ORGANISER_ONLY)
def test_the_marketing_team_cannot_open_an_organiser_page(marketing, page):
    cafe, _ = make_cafe(marketing)
    at = signed_in_as_marketing("pages/library.py")
    with pytest.raises(ValueError):  # not even registered in a marketing session's navigation
        at.switch_page(page)
    # A new tab on an organiser page's address with the marketing token: the page itself refuses.
    typed = app(organisateur=at.query_params["organisateur"], cafe=cafe.id)
    typed.switch_page(page).run()
    assert "réservée à l'organisateur" in typed.error[0].value
    assert not typed.button and not typed.text_area and not typed.form_submit_button


@pytest.mark.parametrize("page", ORGANISER_ONLY)
def test_the_marketing_password_is_refused_on_the_organisers_login(marketing, page):
    at = app(page=page)
    labelled(at.text_input, "Mot de passe organisateur").input(MARKETING_PASSWORD)
    at.form_submit_button[0].click().run()
    # The same password gives the marketing role, which this page then refuses.
    assert "réservée à l'organisateur" in at.error[0].value


def test_the_marketing_team_comments_but_decides_and_creates_nothing(marketing):
    compost_fiche(marketing)
    at = signed_in_as_marketing("pages/fiches_exchange.py")
    assert not [b for b in at.button if b.label in ("Enregistrer la décision", "Créer la fiche")]
    labelled(at.text_input, "Votre nom").input("Claire")
    labelled(at.text_area, "Commentaire").input("À présenter au prochain comité ?")
    labelled(at.button, "Publier le commentaire").click().run()
    (card,) = exchange.all_fiches(marketing)
    assert [c.author for c in exchange.comments(marketing, card.ref)] == ["Claire"]
    events = audit.audit_records(marketing, timezone="Europe/Paris")
    assert (events[0]["acteur"], events[0]["action"]) == ("équipe marketing", "fiche commentée")


def test_a_reload_keeps_the_marketing_role_not_more(marketing):
    at = signed_in_as_marketing("pages/library.py")
    token = at.query_params["organisateur"]
    reloaded = app(page="pages/library.py", organisateur=token)
    assert reloaded.session_state["staff_role"] == audit.MARKETING and not reloaded.error
    reloaded.switch_page("pages/fiches_exchange.py").run()
    assert not [b for b in reloaded.button if b.label == "Enregistrer la décision"]


def test_without_a_marketing_password_the_marketing_role_does_not_exist(store):  # noqa: F811
    at = app(page="pages/library.py")
    labelled(at.text_input, "Mot de passe (organisateur ou équipe marketing)").input(MARKETING_PASSWORD)
    at.form_submit_button[0].click().run()
    assert "Mot de passe incorrect" in at.error[0].value and "staff_role" not in at.session_state
