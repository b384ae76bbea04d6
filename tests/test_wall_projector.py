"""The wall on real projectors, in a real headless Chromium: at 1080p (1920×1080) and 4K
(3840×2160) the question and twelve cards fit on the screen (no scrolling either way), the cards wrap
several to a row and scale with the screen, long words and long texts wrap inside their card.
Screenshots go to the test's folder in test-output/ (wall-1080p.png, wall-4k.png)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from facilitation.domain.access import hash_password
from facilitation.services import cafes
from tests.conftest import add_idea, make_cafe
from tests.screens import visit_home_first
from tests.test_browser import served_app

pytestmark = pytest.mark.browser

PROJECTORS = {"1080p": (1920, 1080), "4k": (3840, 2160)}
LONG_WORD = "Anticonstitutionnellement" * 8  # 200 letters, no space to break at
LONG_TEXT = " ".join(["Il faudrait repeindre la cage d'escalier du bâtiment B et réparer l'éclairage"] * 20)

MEASURE = """() => {
  // A card: the block holding a contribution and its « Table N » caption.
  const cards = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
    .filter(c => c.textContent.startsWith('Table')).map(c => c.closest('[data-testid="stVerticalBlock"]'));
  return {
    viewport: window.innerWidth,
    scrollHeight: document.documentElement.scrollHeight,
    scrollWidth: document.documentElement.scrollWidth,
    cards: cards.map(c => { const r = c.getBoundingClientRect();
      return {left: r.left, right: r.right, top: Math.round(r.top), bottom: r.bottom,
              overflow: c.scrollWidth - c.clientWidth}; }),
    text: parseFloat(getComputedStyle(cards[0].querySelector('p')).fontSize),
    widest: Math.max(...[...document.querySelectorAll('p, h1, [data-testid="stMetricValue"]')]
      .map(e => e.getBoundingClientRect().right)),
  };
}"""


def projector_pages(browser, base: str, store, cafe) -> Iterator[tuple[str, int, int, object]]:
    """For each projector of PROJECTORS: its name, width, height, and a page of its size opening the
    café's wall link."""
    link = cafes.wall_link(store, cafe.id, base)
    for name, (width, height) in PROJECTORS.items():
        page = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR").new_page()
        visit_home_first(page, base)
        page.goto(link)
        yield name, width, height, page


def test_the_wall_fits_1080p_and_4k_projectors(sqlite_url, browser, tmp_path, monkeypatch, output_dir):
    monkeypatch.setenv("CAFE_ORGANISER_PASSWORD_HASH", hash_password("mot-de-passe-organisateur"))

    def twelve_ideas(store):
        cafe, _ = make_cafe(store, tables=4)
        short = [f"Idée numéro {n} : un jardin partagé au pied de la tour" for n in range(8)]
        texts = [LONG_WORD, LONG_TEXT, LONG_TEXT[:400], LONG_TEXT[:300], *short]
        for number, text in enumerate(texts):
            add_idea(store, cafe, text, table=number % 4 + 1)
        return cafe

    with served_app(sqlite_url, tmp_path / "streamlit.log", twelve_ideas) as (base, store, cafe):
        sizes = {}
        for name, width, height, page in projector_pages(browser, base, store, cafe):
            page.get_by_text("Idée numéro 7").wait_for(timeout=30_000)
            page.wait_for_timeout(500)  # the fonts settle
            page.screenshot(path=str(output_dir / f"wall-{name}.png"))
            measured = page.evaluate(MEASURE)
            assert measured["scrollWidth"] <= width, f"{name}: horizontal scroll"
            assert measured["widest"] <= width, f"{name}: something wider than the screen"
            assert len(measured["cards"]) == 12
            assert measured["scrollHeight"] <= height, f"{name}: the wall scrolls vertically"
            for card in measured["cards"]:
                assert card["left"] >= 0 and card["right"] <= width, f"{name}: card outside {card}"
                assert card["bottom"] <= height, f"{name}: card below the screen {card}"
                assert card["overflow"] <= 1, f"{name}: text wider than its card {card}"
            rows = [card["top"] for card in measured["cards"]]
            per_row = max(rows.count(top) for top in rows)
            assert 3 <= per_row <= 5 and len(set(rows)) >= 2, f"{name}: cards do not wrap ({per_row} per row)"
            sizes[name] = measured["text"]
        assert sizes["4k"] > 1.5 * sizes["1080p"], sizes  # the text scales with the projector
