"""The wall's tablecloths between rounds, in a real headless Chromium at 1080p and 4K: the photos of
twelve tables fit on the screen (no scrolling either way), several to a row, each captioned, larger
in 4K. Screenshots: test-output/wall-nappes-1080p.png, wall-nappes-4k.png."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from facilitation.domain.access import hash_password
from facilitation.services import cafes, tablecloths
from tests.conftest import ROOT, make_cafe
from tests.test_browser import served_app
from tests.test_wall_projector import projector_pages

pytestmark = pytest.mark.browser
TABLES = 12

MEASURE = """() => {
  const photos = [...document.querySelectorAll('[class*="st-key-wall_tablecloth_"] img')];
  return {
    scrollHeight: document.documentElement.scrollHeight,
    scrollWidth: document.documentElement.scrollWidth,
    photos: photos.map(p => { const r = p.getBoundingClientRect();
      return {left: r.left, right: r.right, top: Math.round(r.top), bottom: r.bottom, width: r.width}; }),
    captions: [...document.querySelectorAll('[class*="st-key-wall_tablecloth_"] '
      + '[data-testid="stCaptionContainer"]')].map(c => c.textContent),
  };
}"""


def tablecloth(number: int) -> bytes:
    image = Image.new("RGB", (1600, 1200), (240 - 8 * number, 225, 200 + 4 * number))
    font = ImageFont.truetype(str(ROOT / "exports" / "fonts" / "DejaVuSans-Bold.ttf"), 160)
    ImageDraw.Draw(image).text((100, 100), f"Nappe {number}", fill=(40, 40, 90), font=font)
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def test_the_tablecloths_fit_1080p_and_4k_walls(sqlite_url, browser, tmp_path, monkeypatch, output_dir):
    monkeypatch.setenv("CAFE_ORGANISER_PASSWORD_HASH", hash_password("mot-de-passe-organisateur"))

    def photographed_round(store):
        cafe, rounds = make_cafe(store, tables=TABLES)
        for number in range(1, TABLES + 1):
            tablecloths.attach(
                store, cafe.id, table_number=number, round_position=1, photo=tablecloth(number)
            )
        cafes.close_round(store, cafe.id, rounds[0].id)
        return cafe

    with served_app(sqlite_url, tmp_path / "streamlit.log", photographed_round) as (base, store, cafe):
        widths = {}
        for name, width, height, page in projector_pages(browser, base, store, cafe):
            page.get_by_text("Les nappes du tour 1").wait_for(timeout=30_000)
            page.wait_for_function(
                "n => [...document.querySelectorAll('img')]"
                ".filter(i => i.complete && i.naturalWidth).length >= n",
                arg=TABLES,
                timeout=30_000,
            )
            page.wait_for_timeout(500)
            page.screenshot(path=str(output_dir / f"wall-nappes-{name}.png"))
            measured = page.evaluate(MEASURE)
            assert measured["captions"] == [f"Table {n}" for n in range(1, TABLES + 1)]
            assert len(measured["photos"]) == TABLES
            assert measured["scrollWidth"] <= width, f"{name}: horizontal scroll"
            assert measured["scrollHeight"] <= height, f"{name}: the wall scrolls vertically"
            for photo in measured["photos"]:
                assert photo["left"] >= 0 and photo["right"] <= width, f"{name}: photo outside {photo}"
                assert photo["bottom"] <= height, f"{name}: photo below the screen {photo}"
            rows = [photo["top"] for photo in measured["photos"]]
            assert max(rows.count(top) for top in rows) >= 4, f"{name}: photos do not share rows"
            widths[name] = measured["photos"][0]["width"]
        assert widths["4k"] > 1.5 * widths["1080p"], widths  # bigger on a bigger screen
