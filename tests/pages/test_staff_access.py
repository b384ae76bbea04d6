"""The staff gate in front of every organiser and shared page (ui/access.py), page by page: the
organiser's password (required, throttled, kept across a reload) and the marketing team's role,
which reads, downloads and comments while the organiser keeps everything. The marketing login in a
real browser is in test_staff_browser.py."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from facilitation.domain import actors
from facilitation.domain.access import hash_password
from facilitation.services import audit, exchange
from tests.conftest import ROOT, make_cafe
from tests.pages.apptest import ORGANISER_PAGES, PASSWORD, app, labelled, texts


# -- the organiser's password ------------------------------------------------------------------
def test_organiser_pages_refuse_to_open_without_a_configured_password(store, monkeypatch):
    monkeypatch.delenv("CAFE_ORGANISER_PASSWORD_HASH")
    for page in ORGANISER_PAGES:
        at = app(page=page)
        assert "restent fermées tant qu'aucun mot de passe n'est choisi" in at.warning[0].value
        assert "Regardez le terminal où l'application a démarré" in texts(at)
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
    assert at.session_state["staff_role"] == actors.MARKETING
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
    assert typed.session_state["staff_role"] == actors.MARKETING


def listed_pages(at: AppTest) -> set[str]:
    """The pages the run's st.navigation registered (AppTest keeps them), hidden ones included:
    which are listed in the sidebar is checked in Chromium (tests/test_staff_browser.py)."""
    return {Path(info["script_path"]).name for info in at._registered_pages.values()}


MARKETING_MENU = {"home.py", "captain.py", "library.py", "fiches_exchange.py"}


def bookmarked(token: str) -> AppTest:
    """A bookmark or a reload: a new session whose very first run has only the token in its address."""
    bookmark = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    bookmark.query_params["organisateur"] = token
    bookmark.run()
    assert not bookmark.exception, bookmark.exception
    return bookmark


def test_a_marketing_bookmark_lists_only_the_marketing_pages_from_its_first_run(marketing):
    token = signed_in_as_marketing("pages/library.py").query_params["organisateur"]
    bookmark = bookmarked(token)
    assert listed_pages(bookmark) >= MARKETING_MENU
    # The home page points the team to its own pages, never to the organiser's.
    assert "Équipe marketing" in [h.value for h in bookmark.subheader]
    links = [link.proto.label for link in bookmark.get("page_link")]
    assert links == ["Ouvrir ma table", "Bibliothèque", "Échanges et comités"]
    assert bookmark.session_state["staff_role"] == actors.MARKETING
    bookmark.switch_page("pages/organiser_run.py").run()
    assert "réservée à l'organisateur" in bookmark.error[0].value
    bookmark.switch_page("pages/fiches_exchange.py").run()
    assert not bookmark.error and "Nouvelle fiche de terrain" in [t.label for t in bookmark.tabs]
    # The organiser's bookmark keeps the organiser's menu; a refused token signs nobody in.
    assert {"organiser_run.py", "organiser_privacy.py"} <= listed_pages(
        bookmarked(sign_in().query_params["organisateur"])
    )
    for refused in ("9999999999.forged", token[:-2]):
        anonymous = bookmarked(refused)
        assert "staff_role" not in anonymous.session_state
        assert "organiser_run.py" in listed_pages(anonymous)  # each page asks for the password


@pytest.mark.parametrize("page", ORGANISER_ONLY)
def test_the_marketing_password_is_refused_on_the_organisers_login(marketing, page):
    at = app(page=page)
    labelled(at.text_input, "Mot de passe organisateur").input(MARKETING_PASSWORD)
    at.form_submit_button[0].click().run()
    # The same password gives the marketing role, which this page then refuses.
    assert "réservée à l'organisateur" in at.error[0].value


def png() -> bytes:
    """A small photo as a phone's gallery would give it."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_marketing_team_writes_a_field_fiche_and_comments_but_decides_nothing(marketing):
    at = signed_in_as_marketing("pages/fiches_exchange.py")
    labelled(at.text_input, "Titre").input("Boîtes à livres")
    labelled(at.text_area, "Observation").input("Des livres échangés dans les halls.")
    labelled(at.text_input, "Auteur (nom, service ou partenaire)").input("Claire, marketing")
    labelled(at.text_input, "Lieu (résidence, quartier, commune)").input("Les Tilleuls")
    labelled(at.selectbox, "Thème de l'Atelier").select("mieux-vivre ensemble")
    labelled(at.get("file_uploader"), "Photos (facultatif, 4 au plus)").upload("hall.png", png(), "image/png")
    labelled(at.button, "Créer la fiche").click().run()
    assert "Fiche « Boîtes à livres » créée" in at.success[0].value
    (card,) = exchange.all_fiches(marketing)
    assert card.author == "Claire, marketing"
    (photo,) = exchange.fiche_photos(marketing, card.ref)
    assert photo.startswith(b"\xff\xd8")  # stored re-encoded as a JPEG
    at.run()
    assert not [b for b in at.button if b.label == "Enregistrer la décision"]
    labelled(at.get("file_uploader"), "Ajouter des photos (4 au plus par fiche)").upload(
        "cour.png", png(), "image/png"
    )
    labelled(at.button, "Ajouter les photos").click().run()
    assert not at.error and len(exchange.fiche_photos(marketing, card.ref)) == 2
    labelled(at.text_input, "Votre nom").input("Claire")
    labelled(at.text_area, "Commentaire").input("À présenter au prochain comité ?")
    labelled(at.button, "Publier le commentaire").click().run()
    assert [c.author for c in exchange.comments(marketing, card.ref)] == ["Claire"]
    events = audit.audit_records(marketing, timezone="Europe/Paris")
    assert [(e["acteur"], e["action"], e["objet"]) for e in events[:3]] == [
        ("équipe marketing", "fiche commentée", card.ref),
        ("équipe marketing", "photos ajoutées à une fiche", card.ref),
        ("équipe marketing", "fiche de terrain créée", card.ref),
    ]


def test_a_reload_keeps_the_marketing_role_not_more(marketing):
    at = signed_in_as_marketing("pages/library.py")
    token = at.query_params["organisateur"]
    reloaded = app(page="pages/library.py", organisateur=token)
    assert reloaded.session_state["staff_role"] == actors.MARKETING and not reloaded.error
    reloaded.switch_page("pages/fiches_exchange.py").run()
    assert not [b for b in reloaded.button if b.label == "Enregistrer la décision"]


def test_without_a_marketing_password_the_marketing_role_does_not_exist(store):
    at = app(page="pages/library.py")
    labelled(at.text_input, "Mot de passe (organisateur ou équipe marketing)").input(MARKETING_PASSWORD)
    at.form_submit_button[0].click().run()
    assert "Mot de passe incorrect" in at.error[0].value and "staff_role" not in at.session_state
