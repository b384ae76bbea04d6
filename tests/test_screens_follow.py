"""Screens that follow rounds opening and closing, many times, in a real Chromium.

The rehearsal found captain screens and the wall going blank for good when a round opened or
closed: Streamlit's frontend threw « Bad delta path index » and dropped the page. A full rerun
that ends with st.stop() (the waiting screen) kept the fragments of the previous layout, and a
timer tick of one of them, queued behind that rerun, then wrote into places the new layout no
longer had. Here the rounds open and close again and again under the screens, and no page may
throw, go blank or stay behind.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from facilitation.domain.access import hash_password
from facilitation.services import cafes
from tests import serving
from tests.conftest import add_idea, committed
from tests.screens import LAPTOP, sign_in_organiser
from tests.serving import stop_app
from tests.test_browser import capture_field

pytestmark = pytest.mark.browser

PASSWORD = "tours-en-boucle"
WAITING = {"captain": "Aucun tour n'est ouvert", "wall": "Le prochain tour va commencer."}
# A round closes 0, 1.5 or 3 s after its last sentence, so that the lists' timers tick at different
# moments of the cycle: one cycle per delay covers each, and a round still opens after a close twice.
PHASES_S = (0.0, 1.5, 3.0)
CYCLES = len(PHASES_S)


def shows(page, text: str, errors: list[str]) -> None:
    """Wait until `page` shows `text`; a screen that never does fails with the pages' errors."""
    try:
        page.get_by_text(text).first.wait_for(timeout=15_000)
    except PlaywrightTimeout:
        pytest.fail(f"{page.url} never showed « {text} » (page errors: {errors})")


def test_screens_survive_rounds_opening_and_closing_again_and_again(
    sqlite_url, browser, tmp_path, output_dir
):
    from facilitation.adapters.storage import open_store

    store = open_store(sqlite_url)
    cafe = cafes.create_cafe(
        store,
        cafes.CafeDetails(
            title="Café des boucles", held_on=date(2026, 11, 27), theme="numérique", commune="Lyon"
        ),
    )
    rounds = [
        cafes.add_round(store, cafe.id, question=f"Question numéro {i} ?", planned_minutes=20)
        for i in range(1, CYCLES + 1)
    ]
    tables = [cafes.add_table(store, cafe.id, number=n, name=f"Table {n}") for n in (1, 2, 3)]
    try:
        base, process = serving.start_app(
            sqlite_url, tmp_path / "streamlit.log", CAFE_ORGANISER_PASSWORD_HASH=hash_password(PASSWORD)
        )
    except serving.AppDidNotStart as exc:
        pytest.fail(f"Streamlit did not start: {exc}")
    errors: list[str] = []
    screens: dict[str, tuple[str, object]] = {}

    def new_screen(name: str):
        page = browser.new_context(**LAPTOP).new_page()
        page.on("pageerror", lambda error: errors.append(f"{name}: {error}"))
        return page

    try:
        wall = new_screen("mur")
        # Streamlit (issue #9992) shows "Page not found" once when the first visit of a fresh server
        # deep-links to a page other than the home page: visit the home page first.
        wall.goto(base)
        wall.get_by_text("Café concertation").first.wait_for(timeout=60_000)
        sign_in_organiser(wall, base, f"mur?cafe={cafe.id}", PASSWORD)
        screens["mur"] = ("wall", wall)
        for table in tables:
            page = new_screen(f"capitaine {table.number}")
            page.goto(f"{base}/capitaine?code={table.code}")
            screens[f"capitaine {table.number}"] = ("captain", page)
        for kind, page in screens.values():
            page.get_by_text(WAITING[kind]).first.wait_for(timeout=60_000)
        for index, round_ in enumerate(rounds):
            cafes.open_round(store, cafe.id, round_.id)
            for number in (1, 2, 3):
                add_idea(store, cafe, f"Idée {number} du tour {index + 1}", table=number)
            for _, page in screens.values():
                shows(page, round_.question, errors)
            for name, (kind, page) in screens.items():
                if kind == "captain":  # a sentence sent (a full rerun of its own), then another begun
                    capture_field(page).click()
                    capture_field(page).fill("")  # what was left unfinished when the last round closed
                    sentence = f"{name} au tour {index + 1}"
                    page.keyboard.type(sentence, delay=5)
                    page.keyboard.press("Enter")
                    shows(page, sentence, errors)  # in the table's list: stored
                    page.keyboard.type("en train d'écrire", delay=5)
            time.sleep(PHASES_S[index])  # the lists' timers tick at different moments of the cycle
            cafes.close_round(store, cafe.id, round_.id)
            for kind, page in screens.values():
                shows(page, WAITING[kind], errors)
            time.sleep(2)  # ticks queued behind the rerun would land now
            for kind, page in screens.values():
                shows(page, WAITING[kind], errors)  # still there: not blanked since
            assert not errors, errors
        sent = {c.text for c in committed(store).contributions.in_cafe(cafe.id)}
        assert {f"capitaine {t.number} au tour {i}" for t in tables for i in range(1, CYCLES + 1)} <= sent
    finally:
        for name, (_, page) in screens.items():
            page.screenshot(path=str(output_dir / f"follow-{name.replace(' ', '-')}.png"))
        stop_app(process)
        store.engine.dispose()
    assert not errors, errors
