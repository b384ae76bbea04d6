"""The synthesis' tablecloth pages (exports/pdf/synthesis.py): one page per round that has photos,
each photo captioned « Table N », in table order. Text read back with pypdf, images counted, and
the pages rendered to PNG (test-output/) for a person to look at."""

from __future__ import annotations

import io
import subprocess

from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from exports.pdf.synthesis import synthesis_pdf
from facilitation.services import cafes, tablecloths
from facilitation.services.snapshot import load_snapshot
from facilitation.services.synthesis import summarise
from tests.conftest import ROOT, make_cafe, require_tool

COLOURS = {1: (200, 90, 80), 2: (80, 150, 200), 3: (120, 180, 90)}


def photo(number: int, wide: bool = True) -> bytes:
    """A coloured photo saying which table it is (what a person checks on the rendered page)."""
    size = (1600, 1200) if wide else (900, 1200)
    colour = COLOURS.get(number, (60 + 12 * number, 120, 200 - 8 * number))
    image = Image.new("RGB", size, colour)
    font = ImageFont.truetype(str(ROOT / "exports" / "fonts" / "DejaVuSans-Bold.ttf"), 120)
    ImageDraw.Draw(image).text((80, 80), f"nappe {number}", fill="white", font=font)
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def made_synthesis(store) -> bytes:
    cafe, rounds = make_cafe(store, tables=3, rounds=3)
    for number in (3, 1, 2):  # attached out of order: printed by table
        tablecloths.attach(store, cafe.id, table_number=number, round_position=1, photo=photo(number))
    tablecloths.attach(store, cafe.id, table_number=2, round_position=2, photo=photo(2))
    tablecloths.attach(store, cafe.id, table_number=2, round_position=2, photo=photo(2, wide=False))
    cafes.close_round(store, cafe.id, rounds[0].id)
    return synthesis_pdf(summarise(load_snapshot(store, cafe.id)))


def test_one_page_per_round_with_its_tablecloths_captioned_by_table(sqlite_store, output_dir):
    data = made_synthesis(sqlite_store)
    pages = PdfReader(io.BytesIO(data)).pages
    texts = [" ".join(page.extract_text().split()) for page in pages]
    first = next(i for i, t in enumerate(texts) if "Nappes du tour 1" in t)
    second = next(i for i, t in enumerate(texts) if "Nappes du tour 2" in t)
    assert second == first + 1  # each round on a page of its own
    assert not any("Nappes du tour 3" in t for t in texts)  # a round without photos has no page
    round_1, round_2 = texts[first], texts[second]
    assert "Question 1 ?" in round_1 and "Question 2 ?" in round_2
    positions = [round_1.index(f"Table {n}") for n in (1, 2, 3)]
    assert positions == sorted(positions)  # table order, whatever the order attached
    assert round_2.count("Table 2") == 2 and "Table 1" not in round_2
    assert len(pages[first].images) == 3 and len(pages[second].images) == 2
    require_tool("pdftoppm", "Debian poppler-utils, pour rendre les PDF en images")
    path = output_dir / "nappes-synthese.pdf"
    path.write_bytes(data)
    for number in (first + 1, second + 1):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", str(number), "-l", str(number), str(path), str(path)[:-4]],
            check=True,
        )
    rendered = sorted(output_dir.glob("nappes-synthese-*.png"))
    assert len(rendered) >= 2


def test_fifteen_tables_keep_their_round_on_one_page(sqlite_store, output_dir):
    cafe, _ = make_cafe(sqlite_store, tables=15, rounds=1)
    for number in range(1, 16):
        tablecloths.attach(sqlite_store, cafe.id, table_number=number, round_position=1, photo=photo(number))
    data = synthesis_pdf(summarise(load_snapshot(sqlite_store, cafe.id)))
    pages = PdfReader(io.BytesIO(data)).pages
    (page,) = [p for p in pages if "Nappes du tour 1" in p.extract_text()]
    text = " ".join(page.extract_text().split())
    assert all(f"Table {n}" in text for n in range(1, 16)) and len(page.images) == 15
    require_tool("pdftoppm", "Debian poppler-utils, pour rendre les PDF en images")
    path = output_dir / "nappes-synthese-15.pdf"
    path.write_bytes(data)
    number = str(next(i for i, p in enumerate(pages, start=1) if "Nappes du tour 1" in p.extract_text()))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", number, "-l", number, str(path), str(path)[:-4]], check=True
    )
