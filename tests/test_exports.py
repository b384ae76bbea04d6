"""Bytes out: CSV/JSON and QR codes."""

import csv
import io
import json
import subprocess

import pytest

from exports.qr import qr_png
from exports.tabular import neutralise_formula, to_csv, to_json
from tests.conftest import require_tool


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 6 12", "'+33 6 12"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Plus de bancs", "Plus de bancs"),
        (3, 3),
        (None, None),
    ],
)
def test_spreadsheet_formulas_are_neutralised(value, expected):
    assert neutralise_formula(value) == expected


def test_csv_is_utf8_with_optional_bom_and_semicolons():
    records = [{"texte": "Été « chaud », 2 €", "n": 1}, {"texte": "ligne 1\nligne 2; fin", "n": 2}]
    plain = to_csv(records, ["texte", "n"])
    assert not plain.startswith(b"\xef\xbb\xbf")
    excel = to_csv(records, ["texte", "n"], delimiter=";", excel=True)
    assert excel.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(excel.decode("utf-8-sig")), delimiter=";"))
    assert [r["texte"] for r in rows] == [r["texte"] for r in records]


def test_json_keeps_accents():
    data = to_json([{"texte": "Café « ouvert »"}])
    assert "Café « ouvert »".encode() in data and json.loads(data)[0]["texte"] == "Café « ouvert »"


def test_qr_png_decodes_back_to_the_link(tmp_path):
    zbarimg = require_tool("zbarimg", "Debian zbar-tools, pour décoder les QR codes")
    link = "http://192.168.1.20:8501/j/0123456789abcdef0123456789abcdef.12.AbCdEfGhIjKlMnOpQrStUv"
    path = tmp_path / "qr.png"
    path.write_bytes(qr_png(link))
    decoded = subprocess.run(
        [zbarimg, "--quiet", "--raw", str(path)], capture_output=True, text=True, check=True
    )
    assert decoded.stdout.strip() == link
