"""Personal data typed on one phone, seen from the other phones and the projected wall in a real
Chromium: the stored text is kept as typed, every screen shows it masked, and the wall's own link
opens no organiser page."""

from __future__ import annotations

import subprocess
import sys

import pytest

from facilitation.services import cafes
from tests.conftest import committed, make_cafe
from tests.phones import IDEA_LABEL, send_idea
from tests.serving import ROOT
from tests.test_browser import PHONE, running_app  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser

# A zero-width space hides the number from a plain pattern; the civility names a neighbour.
PLANTED = "Appelez Mme Durand au 06 12 34 56\u200b78 ou durand@exemple.fr pour la cave"
RAW_PIECES = ("Durand", "durand@exemple.fr", "56\u200b78", "06 12 34")
STORED_AS_TYPED = PLANTED


def wall_link_from_command_line(database_url: str, cafe_id: str, base: str) -> str:
    """The wall's address as the organiser gets it: `python -m facilitation wall-url`."""
    done = subprocess.run(
        [sys.executable, "-m", "facilitation", "wall-url", cafe_id, "--base-url", base],
        cwd=ROOT,
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def raw_text_anywhere(page) -> list[str]:
    """The planted pieces found in what the page shows or holds (text, fields, attributes)."""
    html = page.content()
    return [piece for piece in RAW_PIECES if piece in html]


def test_a_number_typed_on_one_phone_never_reaches_another_phone_or_the_wall(
    running_app,  # noqa: F811
    browser,
    output_dir,
):
    base, store = running_app
    cafe, _ = make_cafe(store, tables=2)
    link = cafes.join_link(store, cafe.id, 1, base)
    author, neighbour = (browser.new_context(**PHONE).new_page() for _ in range(2))
    for phone in (author, neighbour):
        phone.goto(link)
        phone.get_by_label(IDEA_LABEL).wait_for(timeout=60_000)
    send_idea(author, PLANTED)

    # Nothing is lost: the database keeps the sentence exactly as it was typed.
    with store.reading():
        stored = [c.text for c in committed(store).contributions.in_cafe(cafe.id)]
    assert stored == [STORED_AS_TYPED]

    for phone in (author, neighbour):
        phone.get_by_text("[téléphone masqué]").first.wait_for(timeout=30_000)
        assert phone.get_by_text("pour la cave").count() > 0
        assert raw_text_anywhere(phone) == []
        state = phone.evaluate("async (url) => await (await fetch(url)).text()", link + "/etat")
        assert all(piece not in state for piece in RAW_PIECES)
    neighbour.screenshot(path=output_dir / "privacy-neighbour-phone.png", full_page=True)

    served_database = store.engine.url.render_as_string(hide_password=False)
    wall_address = wall_link_from_command_line(served_database, cafe.id, base)
    assert "organisateur=" not in wall_address
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR").new_page()
    wall.goto(wall_address)
    wall.get_by_text("[téléphone masqué]").first.wait_for(timeout=60_000)
    assert raw_text_anywhere(wall) == []
    wall.screenshot(path=output_dir / "privacy-wall.png")

    # The wall's browser holds no organiser right: staff addresses give back the wall, never a page.
    for path in ("/animer", "/cafes", "/confidentialite", "/recolte"):
        wall.goto(f"{base}{path}?{wall_address.split('?', 1)[1]}")
        wall.get_by_text("[téléphone masqué]").first.wait_for(timeout=60_000)
        assert wall.get_by_text("Animer le café").count() == 0
        assert wall.get_by_label("Mot de passe organisateur").count() == 0
        assert raw_text_anywhere(wall) == []
    # Without the link, the same browser is a stranger: staff pages ask for the password.
    wall.goto(f"{base}/animer")
    wall.get_by_text("Espace organisateur").first.wait_for(timeout=60_000)
    assert raw_text_anywhere(wall) == []
