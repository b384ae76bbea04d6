"""The host's handover in a real Chromium: the organiser closes round 1 and opens round 2 on « Animer »
while the captain's page is open; the captain's screen shows, by itself, the table's round-1 ideas
(masked, most supported first) and the round-2 question, and the printed page says the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facilitation.domain.access import hash_password
from facilitation.services import cafes, votes
from tests.conftest import add_idea, make_cafe, resident, token_of
from tests.pdfs import pdf_text
from tests.screens import LAPTOP, sign_in_organiser
from tests.serving import start_app, stop_app
from tests.test_browser import open_captain_page

pytestmark = pytest.mark.browser

PASSWORD = "mot-de-passe-du-relais"
PHONE_NUMBER = "06 12 34 56 78"


@pytest.fixture
def served(sqlite_url, tmp_path):
    """The app with an organiser password, on its own SQLite file."""
    from facilitation.adapters.storage import open_store

    base, process = start_app(
        sqlite_url, tmp_path / "streamlit.log", CAFE_ORGANISER_PASSWORD_HASH=hash_password(PASSWORD)
    )
    store = open_store(sqlite_url)
    yield base, store
    store.engine.dispose()
    stop_app(process)


def test_the_handover_appears_on_the_captains_screen_when_the_organiser_moves_to_round_2(
    served, browser, output_dir
):
    base, store = served
    cafe, rounds = make_cafe(store)
    add_idea(store, cafe, "Des bancs près des jeux")
    token = token_of(store, cafe)
    phoned = resident(store, token, f"Un jardin partagé, appelez-moi au {PHONE_NUMBER}").contribution
    votes.vote(store, token=token, item=phoned.id, choice="d'accord", browser_id="voisin")
    add_idea(store, cafe, "Une idée de la table 2", table=2)

    with store.reading():  # reads happen in a unit of work
        code = cafes.get_table(store, cafe.id, 1).code
    captain = open_captain_page(browser, base, code)
    captain.get_by_text("Question 1 ?").first.wait_for(timeout=30_000)
    assert captain.get_by_text("Passage de relais").count() == 0

    organiser = browser.new_context(**LAPTOP).new_page()
    sign_in_organiser(organiser, base, f"animer?cafe={cafe.id}", PASSWORD)
    organiser.get_by_text("Animer le café").wait_for(timeout=30_000)
    organiser.get_by_role("button", name="Fermer", exact=True).click()
    organiser.locator(f".st-key-open_{rounds[1].id}").get_by_role("button", name="Ouvrir").wait_for(
        timeout=20_000
    )
    organiser.locator(f".st-key-open_{rounds[1].id}").get_by_role("button", name="Ouvrir").click()
    organiser.get_by_text("Temps restant — tour 2").wait_for(timeout=20_000)
    assert cafes.live_round(store, cafe.id).id == rounds[1].id

    # The captain touched nothing: the screen follows the café (round 2's question, open for
    # capture) and briefs the host.
    captain.locator("p.question").filter(has_text="Question 2 ?").wait_for(timeout=15_000)
    captain.get_by_text("Aucun tour n'est ouvert").wait_for(state="detached", timeout=15_000)
    panel = captain.locator(".st-key-handover")
    panel.get_by_text("Passage de relais — tour 1").wait_for(timeout=15_000)
    shown = panel.inner_text()
    assert "Ce que la table a dit (2 idées)" in shown
    assert shown.index("Un jardin partagé") < shown.index("Des bancs près des jeux")  # 1 support first
    assert PHONE_NUMBER not in captain.locator("body").inner_text()
    assert "[téléphone masqué]" in shown and "Une idée de la table 2" not in shown
    assert re.search(r"Question du tour 2\s+Question 2 \?", shown)
    assert "Les thèmes viendront après la récolte" in shown
    captain.set_viewport_size({"width": 1280, "height": 1800})  # the whole panel above the capture bar
    panel.screenshot(path=str(output_dir / "handover-captain.png"))

    with captain.expect_download() as download:
        panel.get_by_role("button", name=re.compile("Imprimer")).click()
    printed = pdf_text(Path(download.value.path()).read_bytes())
    assert download.value.suggested_filename.startswith("relais-tour-1-table-01-")
    assert "[téléphone masqué]" in printed and PHONE_NUMBER not in printed and "Question 2 ?" in printed

    panel.get_by_role("button", name="Masquer le passage de relais").click()
    captain.get_by_role("button", name=re.compile("Revoir le passage de relais du tour 1")).click()
    captain.locator(".st-key-handover").get_by_text("Passage de relais — tour 1").wait_for(timeout=15_000)
