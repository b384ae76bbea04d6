"""A captain photographs the tablecloth with the laptop's camera, in a real headless Chromium (a fake
camera device): the camera's words are in French, the photo is stored without metadata, and shown.
Screenshot: test-output/capitaine-nappe.png."""

from __future__ import annotations

import time

import pytest

from facilitation.adapters.photos import has_metadata
from facilitation.adapters.storage import open_store
from facilitation.services import cafes
from tests.conftest import make_cafe, require_tool
from tests.screens import CHROMIUM_ARGS
from tests.serving import stop_app
from tests.test_browser import start_app
from tests.test_french_browser import READ_SCRIPT, english_on

pytestmark = pytest.mark.browser
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
def camera_browser():
    chromium = require_tool("/usr/bin/chromium", "Debian chromium, pour les tests dans un vrai navigateur")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[*CHROMIUM_ARGS, *FAKE_CAMERA])
        yield browser
        browser.close()


def test_a_captain_takes_the_tablecloth_photo_with_the_laptop_camera(
    sqlite_url, camera_browser, tmp_path, output_dir
):
    store = open_store(sqlite_url)
    cafe, rounds = make_cafe(store)
    base, process = start_app(sqlite_url, tmp_path / "streamlit.log")
    try:
        context = camera_browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        context.grant_permissions(["camera"], origin=base)
        page = context.new_page()
        refused = []  # what the page's security policy blocked (the camera's snapshot was, once)
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(base)
        page.get_by_text("Café concertation").first.wait_for(timeout=30_000)
        page.goto(f"{base}/capitaine?code={cafes.get_table(store, cafe.id, 1).code}")
        page.get_by_text("Photo de la nappe").first.click()
        page.get_by_text("Prendre la photo avec la caméra de l'ordinateur").click()
        shoot = page.get_by_role("button", name="Prendre la photo", exact=True)
        shoot.wait_for(timeout=30_000)
        page.wait_for_timeout(3000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('button')].some(b => b.innerText.trim() === "
            "'Prendre la photo' && !b.disabled)",
            timeout=30_000,
        )
        shoot.click()
        page.get_by_text("Effacer la photo").wait_for(timeout=30_000)
        page.wait_for_timeout(2_000)  # the snapshot's upload, then the rerun that hands it to the page
        assert english_on(page) == [] and "Take Photo" not in page.evaluate(READ_SCRIPT)
        page.get_by_role("button", name="Joindre la photo").click()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with store.reading():
                photos = store.tablecloths.in_cafe(cafe.id)
            if photos:
                break
            time.sleep(0.3)
        page.screenshot(path=str(output_dir / "capitaine-nappe.png"), full_page=True)
        assert refused == []
        (photo,) = photos
        assert photo.round_id == rounds[0].id and not has_metadata(photo.content)
        page.get_by_text("Photo 1 · tour 1").wait_for(timeout=30_000)
        page.screenshot(path=str(output_dir / "capitaine-nappe.png"), full_page=True)
    finally:
        stop_app(process)
        store.engine.dispose()
