"""The first run end to end in a real headless Chromium: the server started with no organiser
password prints a one-time link; the home page says where it is; the link chooses the password,
the organiser lands signed in; opened again, the link is refused."""

from __future__ import annotations

import re
import time

import pytest

from tests.serving import stop_app
from tests.test_browser import start_app

pytestmark = pytest.mark.browser


def printed_link(log_path, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"http://localhost:\d+/\?premier=[\w-]+", log_path.read_text())
        if found:
            return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no first-run link in the server's log:\n{log_path.read_text()}")


def test_first_run_from_the_terminal_link_to_a_signed_in_organiser(
    sqlite_url, browser, tmp_path, monkeypatch, output_dir
):
    monkeypatch.delenv("CAFE_ORGANISER_PASSWORD_HASH", raising=False)
    monkeypatch.delenv("CAFE_MARKETING_PASSWORD_HASH", raising=False)
    log = tmp_path / "streamlit.log"
    base, process = start_app(sqlite_url, log)
    try:
        link = printed_link(log)
        assert link.count("?premier=") == 1 and log.read_text().count("?premier=") == 1  # once
        token = link.split("?premier=")[1]
        page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR").new_page()
        page.goto(base)
        page.get_by_text("Regardez le terminal où l'application a démarré").wait_for(timeout=30_000)

        page.goto(f"{base}/?premier={token}")
        page.get_by_text("Premier démarrage").first.wait_for(timeout=30_000)
        page.get_by_label("Mot de passe organisateur", exact=True).fill("cafe-des-tilleuls")
        page.get_by_label("Répétez le mot de passe organisateur").fill("cafe-des-tilleuls")
        page.get_by_label("Mot de passe de l'équipe marketing (facultatif)").fill("equipe-marketing")
        page.get_by_label("Répétez le mot de passe de l'équipe marketing").fill("equipe-marketing")
        page.get_by_role("button", name="Enregistrer et entrer").click()
        page.get_by_text("vous êtes connecté comme organisateur").wait_for(timeout=30_000)
        assert "premier=" not in page.url
        page.screenshot(path=str(output_dir / "first-run-signed-in.png"))
        page.get_by_test_id("stSidebarNav").get_by_text("Cafés").click()
        page.get_by_text("Créer un café").first.wait_for(timeout=30_000)
        assert page.get_by_label("Mot de passe organisateur").count() == 0
        assert page.get_by_test_id("stException").count() == 0
        assert page.get_by_text("Page not found").count() == 0

        again = page.context.new_page()
        again.goto(f"{base}/?premier={token}")
        again.get_by_text("n'est plus valable").wait_for(timeout=30_000)
        assert again.get_by_label("Mot de passe organisateur").count() == 0
        again.screenshot(path=str(output_dir / "first-run-link-used.png"))
    finally:
        stop_app(process)
