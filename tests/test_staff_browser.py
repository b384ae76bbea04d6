"""The marketing team's login in a real headless Chromium: its pages only, F5 keeps it, no more."""

from __future__ import annotations

import pytest

from facilitation.domain.access import hash_password
from tests.conftest import make_cafe
from tests.screens import LAPTOP, visit_home_first
from tests.test_browser import app_shared_by_a_module

pytestmark = pytest.mark.browser


def assert_marketing_menu(page) -> None:
    """The sidebar lists the marketing team's pages and none of the organiser's."""
    sidebar = page.get_by_test_id("stSidebarNav")
    sidebar.get_by_text("Bibliothèque").wait_for(timeout=10_000)
    assert sidebar.get_by_text("Échanges et comités").count() == 1
    for hidden in ("Cafés", "Animer", "Préparer", "Récolte", "Confidentialité"):
        assert sidebar.get_by_text(hidden, exact=True).count() == 0, hidden


@pytest.fixture(scope="module")
def staff_server(tmp_path_factory):
    """The real server with both staff passwords and a café, shared by this module's tests (neither
    checks a freshly started server): its base URL."""
    passwords = {
        "CAFE_ORGANISER_PASSWORD_HASH": hash_password("mot-de-passe-organisateur"),
        "CAFE_MARKETING_PASSWORD_HASH": hash_password("mot-de-passe-marketing"),
    }
    with app_shared_by_a_module(tmp_path_factory, **passwords) as (base, store):
        make_cafe(store)
        yield base


@pytest.fixture
def library_page(staff_server, browser):
    """A laptop's page (a session of its own) on « Bibliothèque »'s sign-in: (base URL, page)."""
    page = browser.new_context(**LAPTOP).new_page()
    visit_home_first(page, staff_server)
    page.goto(f"{staff_server}/bibliotheque")
    return staff_server, page


def test_the_marketing_team_signs_in_sees_its_pages_and_cannot_run_a_cafe(library_page, browser, output_dir):
    base, page = library_page
    page.get_by_label("Mot de passe (organisateur ou équipe marketing)").fill("mot-de-passe-marketing")
    page.get_by_role("button", name="Entrer").click()
    page.get_by_text("Rechercher dans les contributions").first.wait_for(timeout=30_000)
    assert_marketing_menu(page)
    sidebar = page.get_by_test_id("stSidebarNav")
    page.screenshot(path=str(output_dir / "marketing-library.png"))
    sidebar.get_by_text("Accueil").click()  # the home page links to the marketing team's pages
    page.get_by_role("link", name="Bibliothèque").last.wait_for(timeout=30_000)
    assert page.get_by_test_id("stException").count() == 0
    sidebar.get_by_text("Bibliothèque").click()
    page.get_by_text("Rechercher dans les contributions").first.wait_for(timeout=30_000)

    page.reload()  # F5: a new Streamlit session, the signed token keeps the marketing role
    page.get_by_text("Rechercher dans les contributions").first.wait_for(timeout=30_000)
    assert page.get_by_label("Mot de passe (organisateur ou équipe marketing)").count() == 0
    assert_marketing_menu(page)  # from the reload's first run, not after a click

    token = page.url.split("organisateur=")[1].split("&")[0]
    # The bookmarked « Échanges et comités » in another window: its own menu, the fiche form.
    bookmark = browser.new_context(**LAPTOP).new_page()
    bookmark.goto(f"{base}/comites?organisateur={token}")
    bookmark.get_by_text("Nouvelle fiche de terrain").first.wait_for(timeout=30_000)
    assert_marketing_menu(bookmark)
    bookmark.screenshot(path=str(output_dir / "marketing-bookmark.png"))

    other_tab = page.context.new_page()
    other_tab.goto(f"{base}/animer?organisateur={token}")  # an organiser page, typed by hand
    other_tab.get_by_test_id("stSidebarNav").get_by_text("Bibliothèque").wait_for(timeout=30_000)
    assert_marketing_menu(other_tab)  # not registered for the marketing team: nothing of it runs
    assert other_tab.get_by_role("button", name="Ouvrir").count() == 0
    assert other_tab.get_by_text("Animer le café").count() == 0


def test_no_english_keyboard_hint_under_a_form_field(library_page):
    """Rehearsal of 6 Dec: « Press Enter to submit form » under the library's search words."""
    _, page = library_page
    password = page.get_by_label("Mot de passe (organisateur ou équipe marketing)")
    password.fill("mot-de-passe-marketing")  # typed, not yet sent: the hint shows under it
    page.wait_for_timeout(500)
    assert not page.get_by_text("Press Enter").first.is_visible()
    page.get_by_role("button", name="Entrer").click()
    words = page.get_by_role("textbox", name="Mots recherchés")
    words.fill("local")
    page.wait_for_timeout(500)
    assert not page.get_by_text("Press Enter").first.is_visible()
