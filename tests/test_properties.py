"""Property-based tests over arbitrary text: storage, on-screen rendering, PDF and CSV exports.

No crash, exact round trips, nothing ever rendered as markup.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from pypdf import PdfReader
from reportlab.platypus import SimpleDocTemplate

from exports.pdf.base import para, printable
from exports.tabular import to_csv
from facilitation.domain.errors import InvalidInput
from facilitation.domain.model import Source, clean_text
from tests.conftest import add_idea, committed, make_cafe
from ui.display import WORD_JOINER, literal_markdown

# Text people could type: any printable character, markup and formula characters made likely.
TYPED = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc")),
        st.sampled_from(list("<>&*_`#[]()!:$=+-@\\|~\n\t\"'")),
    ),
    min_size=1,
    max_size=300,
)


def acceptable(text: str) -> str | None:
    try:
        return clean_text(text, max_chars=2000)
    except InvalidInput:
        return None


@pytest.fixture
def open_cafe(sqlite_store):
    """A café with its one round open, made once for all of a test's examples (as the store is)."""
    cafe, _ = make_cafe(sqlite_store, tables=1, rounds=1)
    return cafe


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TYPED)
def test_storage_round_trip_is_exact(sqlite_store, open_cafe, text):
    clean = acceptable(text)
    if clean is None:
        return
    stored = add_idea(sqlite_store, open_cafe, text, source=Source.RESIDENT)
    assert (
        committed(sqlite_store).contributions.get(stored.id).text
        == clean
        == unicodedata.normalize("NFC", text.strip().replace("\r\n", "\n").replace("\r", "\n"))
    )


def _rendered_text(markdown: str) -> str:
    """Text a CommonMark renderer shows (HTML tags would appear as elements, not text)."""
    tokens = MarkdownIt("commonmark").parseInline(markdown)
    parts = []
    for token in tokens:
        for child in token.children or []:
            if child.type in ("html_inline", "html_block"):
                parts.append("<HTML>")
            elif child.type in ("softbreak", "hardbreak"):
                parts.append("\n")
            elif child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type.endswith("_open") or child.type.endswith("_close"):
                parts.append(f"<{child.type}>")
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(text=TYPED)
def test_on_screen_text_renders_literally(text):
    clean = acceptable(text)
    if clean is None:
        return
    lines = [" ".join(line.split()) for line in clean.split("\n")]
    rendered = _rendered_text(literal_markdown(clean)).replace(WORD_JOINER, "")  # invisible
    shown = [" ".join(line.split()) for line in rendered.split("\n")]
    assert [line for line in shown if line] == [line for line in lines if line]


@settings(max_examples=60, deadline=None)
@given(text=TYPED)
def test_pdf_paragraphs_never_break_and_print_the_text(text):
    clean = acceptable(text)
    if clean is None:
        return
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build([para(clean)])
    extracted = " ".join(PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text().split())
    # What cannot be printed as written is marked « [texte non imprimable] », never dropped.
    visible = [c for c in " ".join(printable(clean).split()) if c.isascii() and c.isalnum()]
    assert [c for c in extracted if c.isascii() and c.isalnum()] == visible


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(TYPED, min_size=1, max_size=5), delimiter=st.sampled_from([",", ";"]))
def test_csv_round_trip_is_exact_apart_from_neutralised_formulas(texts, delimiter):
    records = [{"texte": t} for t in texts]
    data = to_csv(records, ["texte"], delimiter=delimiter, excel=True).decode("utf-8-sig")
    read = [row["texte"] for row in csv.DictReader(io.StringIO(data, newline=""), delimiter=delimiter)]
    expected = ["'" + t if t.startswith(("=", "+", "-", "@", "\t", "\r")) else t for t in texts]
    assert read == expected


@pytest.mark.parametrize(
    "text",
    [
        "<b>gras",
        "**x**",
        ":smile:",
        "$x$",
        "<script>alert(1)</script>",
        "1. liste",
        "[x](javascript:alert(1))",
        "https://phishing.example/login",
    ],
)
def test_known_markup_is_shown_as_typed(text):
    assert _rendered_text(literal_markdown(text)).replace(WORD_JOINER, "") == text


@pytest.mark.parametrize(
    "text", ["https://phishing.example/login", "www.evil.example", "WWW.EVIL.EXAMPLE", "jean@mail.fr"]
)
def test_no_link_pattern_survives_for_gfm_to_turn_into_a_link(text):
    # Streamlit's GFM links these after parsing, escapes or not: the pattern itself must be broken.
    rendered = _rendered_text(literal_markdown(text))
    assert not re.search(r"https?://|www\.|\w@\w", rendered, re.IGNORECASE)
