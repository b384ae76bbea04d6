"""The real reader: Debian's tesseract with its French data reads printed French on a photo, through
the same path as the pages (a tablecloth attached, then read as drafts). Skipped with the reason
where tesseract-ocr-fra is absent; a failure in CI (scripts/setup.sh --dev installs it)."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image, ImageDraw, ImageFont

from facilitation.adapters.ocr import TesseractReader
from facilitation.services import tablecloths
from tests.conftest import ROOT, make_cafe, require_tool

LINES = ("Des bancs dans la cour", "Un local pour les vélos", "Rénover les ascenseurs")


def french_tablecloth() -> bytes:
    """A photo-like JPEG: printed French lines on paper-coloured ground, slightly tilted."""
    font = ImageFont.truetype(str(ROOT / "exports" / "fonts" / "DejaVuSans.ttf"), 56)
    image = Image.new("RGB", (1600, 1000), (246, 240, 226))
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(LINES):
        draw.text((120, 160 + index * 220), line, fill=(30, 30, 60), font=font)
    out = io.BytesIO()
    image.rotate(1.5, fillcolor=(246, 240, 226)).save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.fixture
def reader() -> TesseractReader:
    require_tool("tesseract", "lecture des nappes : paquets Debian tesseract-ocr et tesseract-ocr-fra")
    found = TesseractReader()
    if not found.available():
        message = "données françaises de Tesseract absentes (paquet Debian tesseract-ocr-fra)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_tesseract_reads_french_words_on_a_tablecloth_as_drafts(reader, sqlite_store):
    cafe, _ = make_cafe(sqlite_store)
    photo = tablecloths.attach(
        sqlite_store, cafe.id, table_number=1, round_position=1, photo=french_tablecloth()
    )
    drafts = tablecloths.read_drafts(sqlite_store, cafe.id, photo.id, reader, max_chars=500)
    words = " ".join(drafts).lower()
    for word in ("bancs", "cour", "local", "vélos", "rénover", "ascenseurs"):
        assert word in words, drafts
    assert len(drafts) == 3, drafts
    with sqlite_store.reading():
        assert sqlite_store.contributions.in_cafe(cafe.id) == []  # read, offered, not stored
