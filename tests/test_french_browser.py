"""Addresses that open and French everywhere, on the real server (serve.py) in a real headless Chromium.

Every page is opened by its address on a freshly started server, as a bookmark, a reload or a
colleague's link would: no Streamlit « Page not found » dialog, and no English word of Streamlit's
own on any page a person looks at."""

from __future__ import annotations

import re

import pytest

from facilitation.domain.access import hash_password
from facilitation.services import cafes, harvest
from facilitation.services.demo import create_demo_cafe
from tests.conftest import token_of
from tests.test_browser import served_app

pytestmark = pytest.mark.browser
PASSWORD = "mot-de-passe-organisateur"
OPEN_QUESTION = "lesquelles tester en priorité"  # the demo café's open round
MARKETING_PASSWORD = "mot-de-passe-marketing"
LAPTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "fr-FR"}

# Streamlit's built-in English a person could read: hints, menus, uploader, dialogs, tooltips.
ENGLISH = [
    "Press Enter",
    "Press ⌘",
    "Press Ctrl",
    "to submit form",
    "to apply",
    "Select all",
    "Drag and drop",
    "Browse files",
    "per file",
    "Limit",
    "Page not found",
    "No results",
    "Choose an option",
    "Choose options",
    "Clear",
    "Submit",
    "Close",
    "Search",
    "Download as CSV",
    "Fullscreen",
    "Copy to clipboard",
    "Running...",
    "Skip to main content",
    "Collapse sidebar",
    "Expand sidebar",
    "View less",
    "Upload",
    "file upload",
]
ENGLISH_WORDS = re.compile("|".join(rf"(?<![\w-]){re.escape(word)}(?![\w-])" for word in ENGLISH))

# Everything a person reads or hears on the page: its text, placeholders, labels read aloud, tooltips.
READ_SCRIPT = """
() => {
  const said = [document.body.innerText];
  for (const element of document.querySelectorAll("[placeholder], [aria-label], [title], [data-title]")) {
    for (const name of ["placeholder", "aria-label", "title", "data-title"]) {
      const value = element.getAttribute(name);
      if (value) said.push(value);
    }
  }
  return said.join("\\n");
}
"""


def english_on(page) -> list[str]:
    """The English words of ENGLISH found on the page, as read by a person (text and attributes)."""
    return sorted(set(ENGLISH_WORDS.findall(page.evaluate(READ_SCRIPT))))


def dialogs(page) -> list[str]:
    return [dialog.inner_text() for dialog in page.get_by_role("dialog").all()]


@pytest.fixture
def served(sqlite_url, tmp_path, monkeypatch):
    """A freshly started server on its own SQLite file, with a demo café in progress."""
    monkeypatch.setenv("CAFE_ORGANISER_PASSWORD_HASH", hash_password(PASSWORD))
    monkeypatch.setenv("CAFE_MARKETING_PASSWORD_HASH", hash_password(MARKETING_PASSWORD))
    with served_app(sqlite_url, tmp_path / "streamlit.log", create_demo_cafe) as served:
        yield served


def sign_in(page, label: str, password: str) -> str:
    """Sign in on the login form shown; the token the address then carries."""
    page.get_by_label(label).fill(password)
    page.get_by_role("button", name="Entrer").click()
    page.wait_for_url(re.compile("organisateur="), timeout=30_000)
    return page.url.split("organisateur=")[1].split("&")[0]


def test_every_address_opens_its_page_first_time_after_reload_and_unknown_ones_in_french(
    served, browser, output_dir
):
    base, _store, cafe = served
    # The very first visit of a fresh server is a deep link (a bookmark): no dialog, the page.
    page = browser.new_context(**LAPTOP).new_page()
    page.goto(f"{base}/cafes")
    page.get_by_label("Mot de passe organisateur").wait_for(timeout=30_000)
    page.wait_for_timeout(1_000)
    assert dialogs(page) == []
    token = sign_in(page, "Mot de passe organisateur", PASSWORD)
    page.get_by_text("Cafés concertation").first.wait_for(timeout=30_000)

    shown = {
        "cafes": "Cafés concertation",
        "preparer": "Préparer",
        f"animer?cafe={cafe.id}": "Animer le café",
        "qr": "QR code de la table 1",
        "recolte": "Récolte",
        "fiches": "Fiches",
        "confidentialite": "Journal d'audit",
        "bibliotheque": "Rechercher dans les contributions",
        "comites": "Échanges",
        f"mur?cafe={cafe.id}": OPEN_QUESTION,
        "capitaine": "Capitaine de table",
    }
    for address, text in shown.items():
        separator = "&" if "?" in address else "?"
        tab = browser.new_context(**LAPTOP).new_page()  # a colleague's link: a new browser, a new session
        tab.goto(f"{base}/{address}{separator}organisateur={token}")
        tab.get_by_text(text).first.wait_for(timeout=30_000)
        if not address.startswith("mur"):  # the room screen's address never keeps the token
            tab.reload()  # F5
            tab.get_by_text(text).first.wait_for(timeout=30_000)
        tab.wait_for_timeout(500)
        assert dialogs(tab) == [], address
        assert tab.get_by_text("Page introuvable").count() == 0, address
        tab.context.close()

    # An unknown address, typed or nested: a French page pointing to the home, captain, organiser pages.
    for address in ("nimporte", "nimporte/quoi", "Animer"):
        tab = browser.new_context(**LAPTOP).new_page()
        tab.goto(f"{base}/{address}")
        tab.get_by_text("Page introuvable").first.wait_for(timeout=30_000)
        tab.wait_for_timeout(500)
        for link in ("Accueil", "Ma table (capitaine)", "Espace organisateur"):
            assert tab.get_by_role("link", name=link).count() >= 1, (address, link)
        assert dialogs(tab) == [], address
        if address == "nimporte":
            tab.screenshot(path=str(output_dir / "address-unknown.png"))
        tab.get_by_role("link", name="Ma table (capitaine)").first.click()
        tab.get_by_text("Capitaine de table").first.wait_for(timeout=30_000)
        tab.context.close()

    # A longer address under a page's (an old link): that page.
    tab = browser.new_context(**LAPTOP).new_page()
    tab.goto(f"{base}/capitaine/ancien-lien")
    tab.get_by_text("Capitaine de table").first.wait_for(timeout=30_000)
    assert dialogs(tab) == [] and tab.url == f"{base}/capitaine"
    tab.context.close()

    # The marketing team's bookmark of an organiser page: the page opens and refuses, no dialog;
    # its menu still lists only its own pages.
    tab = browser.new_context(**LAPTOP).new_page()
    tab.goto(f"{base}/bibliotheque")
    marketing = sign_in(tab, "Mot de passe (organisateur ou équipe marketing)", MARKETING_PASSWORD)
    tab.get_by_text("Rechercher dans les contributions").first.wait_for(timeout=30_000)
    tab.goto(f"{base}/animer?organisateur={marketing}")
    tab.get_by_text("Cette page est réservée à l'organisateur").wait_for(timeout=30_000)
    tab.wait_for_timeout(500)
    assert dialogs(tab) == []
    menu = tab.get_by_test_id("stSidebarNav")
    assert menu.get_by_text("Bibliothèque").count() == 1
    for hidden in ("Animer", "Préparer", "Récolte", "Confidentialité"):
        assert menu.get_by_text(hidden).count() == 0, hidden


def test_no_english_on_any_page_a_person_looks_at(served, browser, output_dir):
    base, store, cafe = served
    scope = harvest.scope_of([cafe.id])
    from tests.fakes import KeywordGrouper

    harvest.run_harvest(store, KeywordGrouper(["bruit", "jardin", "ascenseur"]), scope)
    page = browser.new_context(**LAPTOP).new_page()
    page.goto(f"{base}/cafes")
    token = sign_in(page, "Mot de passe organisateur", PASSWORD)
    found: dict[str, list[str]] = {}

    def look(tab, name: str, text: str, *, typing: bool = True) -> None:
        tab.get_by_text(text).first.wait_for(timeout=30_000)
        tab.wait_for_timeout(2_000)  # charts, tables, fragments and uploaders draw after the first text
        field = tab.locator('[data-testid="stForm"] input[type="text"]:not([role="combobox"]):visible')
        typing = typing and field.count() > 0
        if typing:  # a field being typed in shows Streamlit's « Press Enter to submit form »
            field.first.click()
            tab.keyboard.type("a")
            tab.wait_for_timeout(500)
        tab.screenshot(path=str(output_dir / f"french-{name}.png"), full_page=True)
        english = english_on(tab)
        if english:
            found[name] = english
        if typing:
            tab.keyboard.press("Tab")  # leave the field typed in: no hint or menu left over the page

    staff = {
        "accueil": ("", "Capitaine de table"),
        "cafes": ("cafes", "Cafés concertation"),
        "preparer": (f"preparer?cafe={cafe.id}", "Préparer"),
        "animer": (f"animer?cafe={cafe.id}", "Animer le café"),
        "qr": (f"qr?cafe={cafe.id}", "QR code de la table 1"),
        "mur": (f"mur?cafe={cafe.id}", OPEN_QUESTION),
        "recolte": (f"recolte?cafe={cafe.id}", "Graphiques"),
        "fiches": (f"fiches?cafe={cafe.id}", "Fiches"),
        "confidentialite": ("confidentialite", "Journal d'audit"),
        "comites": ("comites", "Échanges"),
        "bibliotheque": ("bibliotheque", "Rechercher dans les contributions"),
        "introuvable": ("nimporte", "Page introuvable"),
    }
    for name, (address, text) in staff.items():
        separator = "&" if "?" in address else "?"
        page.goto(f"{base}/{address}{separator}organisateur={token}")
        look(page, name, text)
        if name == "comites":  # the field fiche's form: its photo uploader
            page.get_by_role("tab", name="Nouvelle fiche de terrain").click()
            page.get_by_text("Photos (facultatif, 4 au plus)").scroll_into_view_if_needed()
            look(page, "comites-fiche", "Photos (facultatif, 4 au plus)")
            said = page.evaluate(READ_SCRIPT)  # said in French, not merely absent
            assert "8 Mo au plus par fichier" in said and "Parcourir" in said
            assert "Entrée pour envoyer le formulaire" in said and "Choisissez une option" in said
        if name == "recolte":
            page.locator('[data-testid="stExpander"] summary').filter(has_text="Ascenseur").click()
            page.get_by_text("Cohésion").locator("visible=true").first.wait_for(timeout=30_000)
            assert re.search(r"Cohésion : 0,\d\d \(", page.evaluate(READ_SCRIPT))  # a decimal comma
            page.locator('[data-testid="stExpander"] summary').filter(has_text="Ascenseur").click()
            # An open multiselect menu: « Select all », then « No results ».
            page.get_by_role("tab", name="Fusionner").click()
            menu = page.locator('[data-testid="stMultiSelect"]:visible').first
            menu.locator("input").click()
            for _ in range(5):  # a rerun drawn just then can close the menu: open it again
                page.wait_for_timeout(500)
                if page.get_by_role("option").count():
                    break
                page.keyboard.press("ArrowDown")
            page.get_by_role("option").first.wait_for(timeout=30_000)
            look(page, "recolte-menu", "Graphiques", typing=False)
            assert "Tout sélectionner" in page.evaluate(READ_SCRIPT)
            page.keyboard.type("zzzz")
            page.wait_for_timeout(800)
            look(page, "recolte-menu-vide", "Graphiques", typing=False)
            assert "Aucun résultat" in page.evaluate(READ_SCRIPT)
            page.keyboard.press("Escape")

    captain = browser.new_context(**LAPTOP).new_page()
    captain.goto(f"{base}/capitaine?code={cafes.get_table(store, cafe.id, 1).code}")
    look(captain, "capitaine", OPEN_QUESTION)
    captain.goto(f"{base}/capitaine")  # the login form, signed out
    wall = browser.new_context(**LAPTOP).new_page()
    wall.goto(cafes.wall_link(store, cafe.id, base))
    look(wall, "mur-lien", OPEN_QUESTION)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR").new_page()
    phone.goto(f"{base}/j/{token_of(store, cafe)}")
    look(phone, "telephone", OPEN_QUESTION)

    assert found == {}
