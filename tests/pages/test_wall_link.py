"""The wall's own link (read-only, one café, revocable) and the staff sessions' sign-out, driven
through the real app with AppTest."""

from __future__ import annotations

import pytest

from facilitation.domain.access import WALL_PARAM, hash_password, make_join_token
from facilitation.services import audit, cafes
from tests.conftest import add_idea, committed, make_cafe
from tests.pages.apptest import ORGANISER_PAGES, PASSWORD, app, labelled, texts

BASE = "http://localhost:8501"  # CAFE_PUBLIC_BASE_URL of the page tests


def wall_token(store, cafe) -> str:
    return cafes.wall_link(store, cafe.id, BASE).split(f"{WALL_PARAM}=", 1)[1]


# -- the wall link -----------------------------------------------------------------------------
def test_the_wall_link_shows_its_cafes_wall_and_registers_no_other_page(store):
    cafe, _ = make_cafe(store)
    other, _ = make_cafe(store)
    add_idea(store, cafe, "Un jardin partagé", table=2)
    add_idea(store, other, "Secret d'un autre café")
    at = app(**{WALL_PARAM: wall_token(store, cafe)})
    assert "Question 1 ?" in texts(at) and "Un jardin partagé" in texts(at)
    assert "Secret d'un autre café" not in texts(at)
    assert not at.text_input and not at.button and not at.sidebar.button
    assert "organisateur" not in at.query_params
    for page in [*ORGANISER_PAGES, "pages/fiches_exchange.py", "pages/captain.py", "pages/home.py"]:
        if page == "pages/wall.py":
            continue
        with pytest.raises(ValueError):  # not even registered in this session's navigation
            at.switch_page(page)


def test_an_organiser_token_next_to_the_wall_link_opens_nothing_more(store):
    cafe, _ = make_cafe(store)
    signed = app(organiser=True, page="pages/organiser_cafes.py")
    token = signed.session_state["organiser_token"]
    at = app(organisateur=token, cafe=cafe.id, **{WALL_PARAM: wall_token(store, cafe)})
    with pytest.raises(ValueError):
        at.switch_page("pages/organiser_run.py")
    assert "Question 1 ?" in texts(at) and not at.button


@pytest.mark.parametrize("how", ["forged", "other café", "resident link", "revoked"])
def test_a_bad_wall_link_says_so_in_french_and_shows_nothing(store, how):
    cafe, _ = make_cafe(store)
    other, _ = make_cafe(store)
    token = wall_token(store, cafe)
    with store.reading():
        secret = committed(store).trust.link_secret()
    if how == "forged":
        token = token[:-3] + "xyz"
    elif how == "other café":
        token = token.replace(cafe.id, other.id)
    elif how == "resident link":
        token = make_join_token(secret, cafe.id, 1)
    else:
        cafes.revoke_wall_link(store, cafe.id, BASE)
    at = app(**{WALL_PARAM: token})
    assert at.error[0].value.startswith("Ce lien de mur n'est pas valable")
    assert "Question 1 ?" not in texts(at) and not at.text_input and not at.button
    with pytest.raises(ValueError):
        at.switch_page("pages/organiser_cafes.py")


def test_animer_shows_the_wall_link_without_organiser_token_and_revokes_it(store):
    cafe, _ = make_cafe(store)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    assert at.query_params["organisateur"]  # the organiser's own page keeps its token…
    (button,) = at.link_button
    old_link = cafes.wall_link(store, cafe.id, BASE)
    assert button.proto.url == old_link and "organisateur" not in old_link  # …not the wall's link
    assert at.code[0].value == old_link
    labelled(at.button, "Révoquer le lien du mur").click().run()
    assert cafes.wall_link(store, cafe.id, BASE) == old_link  # asked first
    labelled(at.button, "Oui, révoquer le lien du mur").click().run()
    new_link = cafes.wall_link(store, cafe.id, BASE)
    assert new_link != old_link and at.link_button[0].proto.url == new_link
    assert "n'est pas valable" in app(**{WALL_PARAM: old_link.split("=", 1)[1]}).error[0].value


def test_the_organisers_wall_page_keeps_the_token_out_of_its_address(store):
    cafe, _ = make_cafe(store)
    signed = app(organiser=True, page="pages/organiser_cafes.py")
    token = signed.query_params["organisateur"]
    at = app(page="pages/wall.py", organisateur=token, cafe=cafe.id)  # opened with the token
    assert "Question 1 ?" in texts(at)
    assert "organisateur" not in at.query_params and not at.sidebar.button


# -- signing out -------------------------------------------------------------------------------
def sign_in(page: str = "pages/organiser_cafes.py", password: str = PASSWORD, **query):
    at = app(page=page, **query)
    password_field = next(w for w in at.text_input if w.label.startswith("Mot de passe"))
    password_field.input(password)
    at.form_submit_button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_signing_out_clears_the_session_and_refuses_the_token_afterwards(store):
    at = sign_in()
    token = at.query_params["organisateur"]
    assert app(page="pages/organiser_cafes.py", organisateur=token).session_state["organiser_signed_in"]
    labelled(at.sidebar.button, "Se déconnecter").click().run()
    assert "organisateur" not in at.query_params
    assert "organiser_signed_in" not in at.session_state and "organiser_token" not in at.session_state
    assert "Vous êtes déconnecté" in texts(at)
    labelled(at.text_input, "Mot de passe organisateur")
    # The copied or bookmarked address no longer opens anything, and leaves the address bar.
    copied = app(page="pages/organiser_cafes.py", organisateur=token)
    assert "organiser_signed_in" not in copied.session_state and "organisateur" not in copied.query_params
    labelled(copied.text_input, "Mot de passe organisateur")
    assert ("organisateur", "déconnexion") in [
        (e["acteur"], e["action"]) for e in audit.audit_records(store, timezone="Europe/Paris")
    ]


def test_the_marketing_team_signs_out_too(store, monkeypatch):
    monkeypatch.setenv("CAFE_MARKETING_PASSWORD_HASH", hash_password("mot-de-passe-marketing"))
    at = sign_in("pages/library.py", "mot-de-passe-marketing")
    token = at.query_params["organisateur"]
    labelled(at.sidebar.button, "Se déconnecter").click().run()
    assert "staff_role" not in at.session_state
    assert "staff_role" not in app(page="pages/library.py", organisateur=token).session_state


def test_disconnecting_every_session_refuses_old_tokens_and_a_new_sign_in_works(store, monkeypatch):
    monkeypatch.setenv("CAFE_MARKETING_PASSWORD_HASH", hash_password("mot-de-passe-marketing"))
    elsewhere = sign_in()  # another tab, still open
    marketing = sign_in("pages/library.py", "mot-de-passe-marketing")
    old_tokens = [elsewhere.query_params["organisateur"], marketing.query_params["organisateur"]]
    cafe, _ = make_cafe(store)
    at = sign_in("pages/organiser_privacy.py", cafe=cafe.id)
    old_tokens.append(at.query_params["organisateur"])
    labelled(at.button, "Déconnecter toutes les sessions").click().run()
    assert "Toutes les sessions sont déconnectées (3 sessions fermées)" in texts(at)
    labelled(at.text_input, "Mot de passe organisateur")
    for token in old_tokens:
        assert "staff_role" not in app(page="pages/library.py", organisateur=token).session_state
    # The tab that stayed open is signed out at its next run, and says why.
    elsewhere.run()
    assert "Votre session a été fermée" in texts(elsewhere)
    assert "organiser_signed_in" not in elsewhere.session_state
    labelled(elsewhere.text_input, "Mot de passe organisateur")
    again = sign_in()
    assert again.session_state["organiser_signed_in"] is True and not again.error
    event = audit.audit_records(store, timezone="Europe/Paris")[0]
    assert (event["acteur"], event["action"]) == ("organisateur", "toutes les sessions déconnectées")
