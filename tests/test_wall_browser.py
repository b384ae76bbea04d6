"""The wall's own link and the staff pages' security headers, on the real server: over HTTP, and in
a real headless Chromium (the pages still render and run under their Content-Security-Policy)."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from facilitation.adapters.clock import utcnow
from facilitation.domain.access import hash_password
from facilitation.services import cafes, public_address, sessions
from tests.conftest import add_idea, keep_chauffage, make_cafe
from tests.screens import sign_in_organiser, visit_home_first
from tests.test_browser import app_shared_by_a_module

PASSWORD = "mot-de-passe-organisateur"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real server (serve.py) with an organiser password, shared by this module's tests."""
    password_hash = hash_password(PASSWORD)
    with app_shared_by_a_module(tmp_path_factory, CAFE_ORGANISER_PASSWORD_HASH=password_hash) as server:
        yield server


@pytest.fixture
def served(server):
    """The shared server and a café of this test's own, its first round open."""
    base, store = server
    return base, store, make_cafe(store)[0]


def headers_of(url: str) -> dict[str, str]:
    """The response headers, whatever the status (a forged resident link answers 403)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return {name.lower(): value for name, value in response.headers.items()}
    except urllib.error.HTTPError as refused:
        return {name.lower(): value for name, value in refused.headers.items()}


def test_staff_pages_and_streamlit_files_carry_security_headers(served):
    base, _, cafe = served
    for path in ("/", "/animer", f"/animer?organisateur=x&cafe={cafe.id}", "/mur", "/_stcore/health"):
        headers = headers_of(base + path)
        assert headers["referrer-policy"] == "no-referrer", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy, path
        assert "unsafe-eval" not in policy and "script-src 'self' 'sha256-" in policy, path
    # The captain's capture box is a frame of the app's own pages: framed by the same origin only.
    box = headers_of(base + "/component/ui.capture.capture_box/index.html")
    assert box["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in box["content-security-policy"]
    assert "script-src 'self' 'sha256-" in box["content-security-policy"]
    # The resident page keeps its own, stricter policy (no inline style at all).
    resident = headers_of(base + "/j/forged")
    assert "style-src 'self';" in resident["content-security-policy"]


def policy_violations(page) -> list[str]:
    """Console messages of this page reporting something the Content-Security-Policy blocked."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: found.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return found


@pytest.mark.browser
def test_the_wall_link_shows_the_question_and_opens_nothing_else(served, browser, output_dir):
    base, store, cafe = served
    add_idea(store, cafe, "Un jardin partagé", table=2)
    public_address.set_public_base_url(store, base)  # the address « Animer » builds links on
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    organiser = context.new_page()
    organiser_blocked = policy_violations(organiser)
    visit_home_first(organiser, base)
    sign_in_organiser(organiser, base, f"animer?cafe={cafe.id}", PASSWORD)
    organiser.get_by_text("Animer le café").wait_for(timeout=30_000)
    button = organiser.get_by_role("link", name="Mur de projection (écran de la salle)")
    wall_address = button.get_attribute("href")
    assert wall_address == cafes.wall_link(store, cafe.id, base)
    assert "organisateur" in organiser.url and "organisateur" not in wall_address

    with context.expect_page() as opened:  # the button opens the wall in a new tab
        button.click()
    wall = opened.value
    wall_blocked = policy_violations(wall)
    link = wall_address
    wall.get_by_text("Question 1 ?").wait_for(timeout=30_000)
    wall.get_by_text("Un jardin partagé").wait_for(timeout=30_000)
    assert wall.get_by_label("Mot de passe organisateur").count() == 0
    assert wall.get_by_test_id("stSidebarNav").count() == 0
    wall.screenshot(path=str(output_dir / "wall-link.png"))

    # With the wall's link, an organiser page's address lands back on the wall, in a fresh tab too.
    for path in ("animer", "confidentialite", "preparer"):
        other = context.new_page()
        other.goto(link.replace("/?", f"/{path}?") + f"&cafe={cafe.id}")
        other.get_by_text("Question 1 ?").wait_for(timeout=30_000)
        assert other.get_by_text("Animer le café").count() == 0
        assert other.get_by_label("Mot de passe organisateur").count() == 0
        # Every address of the wall link runs the wall itself: no « Page not found » dialog either.
        assert other.get_by_role("dialog").count() == 0
        buttons = {b.get_attribute("aria-label") or b.inner_text() for b in other.get_by_role("button").all()}
        assert buttons <= {"Rejeter"}, buttons
        other.close()

    # Revoked: the screen showing it empties by itself, and says why.
    cafes.revoke_wall_link(store, cafe.id, base)
    wall.get_by_text("Ce lien de mur n'est pas valable").wait_for(timeout=30_000)
    assert wall.get_by_text("Question 1 ?").count() == 0
    assert organiser_blocked == [] and wall_blocked == []

    # Every session closed from elsewhere: « Animer », left open, stops showing the café by itself.
    sessions.sign_out_everyone(store, utcnow())
    organiser.get_by_label("Mot de passe organisateur").wait_for(timeout=30_000)
    assert organiser.get_by_text("En direct").count() == 0 and "organisateur" not in organiser.url


@pytest.mark.browser
def test_every_staff_page_runs_under_the_security_policy(served, browser):
    """Each page draws (charts, tables, QR codes, downloads) with nothing blocked by the policy."""
    base, store, cafe = served
    keep_chauffage(store, cafe)
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR").new_page()
    blocked = policy_violations(page)
    visit_home_first(page, base)
    sign_in_organiser(page, base, "cafes", PASSWORD)
    page.get_by_text("Cafés concertation").first.wait_for(timeout=30_000)
    token = page.url.split("organisateur=")[1].split("&")[0]
    shown = {
        "preparer": "Préparer",
        "animer": "Animer le café",
        "qr": "QR code de la table 1",
        "recolte": "Graphiques",
        "fiches": "Fiches",
        "confidentialite": "Journal d'audit",
        "bibliotheque": "Rechercher dans les contributions",
        "comites": "Échanges",
        "mur": "Question 1 ?",
    }
    for path, text in shown.items():
        page.goto(f"{base}/{path}?cafe={cafe.id}&organisateur={token}")
        page.get_by_text(text).first.wait_for(timeout=30_000)
        page.wait_for_timeout(1_500)  # charts, images and fragments draw after the first text
        assert page.get_by_test_id("stException").count() == 0, path
        assert blocked == [], (path, blocked)
    page.goto(f"{base}/capitaine?code={cafes.get_table(store, cafe.id, 1).code}")
    page.get_by_text("Question 1 ?").first.wait_for(timeout=30_000)
    # The capture box (its own files) and the script that puts the cursor back in it (by hash).
    box = page.frame_locator('iframe[src*="capture_box"]').locator("#box")
    box.wait_for(timeout=30_000)
    page.locator('[data-testid="stBottom"]').get_by_label("Type", exact=True).click()
    page.get_by_role("option", name="problème").click()
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.tagName === 'IFRAME'"
        " && document.activeElement.contentDocument.activeElement.id === 'box'",
        timeout=10_000,
    )
    box.type("Sous la politique de sécurité")
    box.press("Enter")
    page.get_by_text("Sous la politique de sécurité").first.wait_for(timeout=15_000)
    assert blocked == []


@pytest.mark.browser
def test_a_wall_left_open_between_rounds_empties_when_its_link_is_revoked(served, browser):
    base, store, cafe = served
    cafes.close_round(store, cafe.id, cafes.open_round_of(store, cafe.id).id)
    page = browser.new_page()
    visit_home_first(page, base)
    page.goto(cafes.wall_link(store, cafe.id, base))
    page.get_by_text("Le prochain tour va commencer.").wait_for(timeout=30_000)
    cafes.revoke_wall_link(store, cafe.id, base)
    # No round opens to reload the page: the link itself is checked again, and the screen empties.
    page.get_by_text("Ce lien de mur n'est pas valable").wait_for(timeout=30_000)
    assert page.get_by_text("Café des Tilleuls").count() == 0
    page.close()
