"""The staff gate in front of every organiser and shared page (ui/access.py), page by page: the
organiser's password (required, throttled, kept across a reload) and the marketing team's role,
which reads, downloads and comments while the organiser keeps everything. The marketing login in a
real browser is in test_staff_browser.py."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from facilitation import audit, exchange
from facilitation.access import hash_password
from tests.conftest import make_cafe
from tests.pages.apptest import ORGANISER_PAGES, PASSWORD, app, compost_fiche, labelled, texts


# -- the organiser's password ------------------------------------------------------------------
def test_organiser_pages_refuse_to_open_without_a_configured_password(store, monkeypatch):
    monkeypatch.delenv("CAFE_ORGANISER_PASSWORD_HASH")
    for page in ORGANISER_PAGES:
        at = app(page=page)
        assert "Aucun mot de passe organisateur n'est configuré" in at.error[0].value
        assert "python -m facilitation hash-password" in texts(at)
        assert not at.text_input  # no password form: there is no default password


def password_field(at):
    """The staff login's password field (its label names who may enter: organiser, marketing)."""
    (field,) = [w for w in at.text_input if w.label.startswith("Mot de passe")]
    return field


@pytest.mark.parametrize("page", [*ORGANISER_PAGES, "pages/fiches_exchange.py"])
def test_organiser_pages_ask_for_the_password(store, page):
    at = app(page=page)
    password_field(at).input("mauvais")
    at.form_submit_button[0].click().run()
    assert at.error[0].value == "Mot de passe incorrect."
    assert "organiser_signed_in" not in at.session_state
    password_field(at).input(PASSWORD)
    at.form_submit_button[0].click().run()
    assert at.session_state["organiser_signed_in"] is True
    assert not at.exception


def test_repeated_wrong_passwords_slow_the_login_down(store):
    at = app(page="pages/organiser_cafes.py")
    for _ in range(3):
        labelled(at.text_input, "Mot de passe organisateur").input("mauvais")
        at.form_submit_button[0].click().run()
    labelled(at.text_input, "Mot de passe organisateur").input(PASSWORD)
    at.form_submit_button[0].click().run()
    assert at.error[0].value.startswith("Trop d'essais manqués : réessayez dans")
    assert "organiser_signed_in" not in at.session_state


def sign_in(page: str = "pages/organiser_cafes.py", password: str = PASSWORD, **query) -> AppTest:
    at = app(page=page, **query)
    labelled(at.text_input, "Mot de passe organisateur").input(password)
    at.form_submit_button[0].click().run()
    return at


def test_wrong_passwords_from_another_connection_do_not_delay_the_organiser(store):
    for _ in range(6):  # someone on the café Wi-Fi
        assert sign_in(password="au-hasard").error
    at = sign_in()
    assert at.session_state["organiser_signed_in"] is True and not at.error


def test_the_organiser_stays_signed_in_across_a_reload(store):
    at = sign_in()
    token = at.query_params["organisateur"]
    reloaded = app(page="pages/organiser_cafes.py", organisateur=token)  # F5: a new session
    assert reloaded.session_state["organiser_signed_in"] is True
    assert not [w for w in reloaded.text_input if w.label == "Mot de passe organisateur"]


@pytest.mark.parametrize("token", ["9999999999.forged", "1000.abc", ""])
def test_a_forged_or_expired_organiser_token_asks_for_the_password(store, token):
    at = app(page="pages/organiser_cafes.py", organisateur=token)
    assert "organiser_signed_in" not in at.session_state
    labelled(at.text_input, "Mot de passe organisateur")


# -- the marketing team ------------------------------------------------------------------------
MARKETING_PASSWORD = "mot-de-passe-marketing"
# Organiser pages the marketing team must not open (the library is shared; the wall is not listed here).
ORGANISER_ONLY = [page for page in ORGANISER_PAGES if page not in ("pages/library.py", "pages/wall.py")]
SHARED = ["pages/library.py", "pages/fiches_exchange.py"]


@pytest.fixture
def marketing(store, monkeypatch):
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
    # Registered hidden in a marketing session (its address opens, without Streamlit's « Page not
    # found » dialog), out of its menu; the page itself refuses.
    at.switch_page(page).run()
    assert "réservée à l'organisateur" in at.error[0].value
    # A new tab on an organiser page's address with the marketing token: the page itself refuses.
    typed = app(organisateur=at.query_params["organisateur"], cafe=cafe.id)
    typed.switch_page(page).run()
    assert "réservée à l'organisateur" in typed.error[0].value
    # Nothing to act with but « Se déconnecter » in the sidebar.
    assert not typed.main.button and not typed.text_area and not typed.form_submit_button
    assert [b.label for b in typed.sidebar.button] == ["Se déconnecter"]


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


def test_without_a_marketing_password_the_marketing_role_does_not_exist(store):
    at = app(page="pages/library.py")
    labelled(at.text_input, "Mot de passe (organisateur ou équipe marketing)").input(MARKETING_PASSWORD)
    at.form_submit_button[0].click().run()
    assert "Mot de passe incorrect" in at.error[0].value and "staff_role" not in at.session_state
