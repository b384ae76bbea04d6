"""Showing what people typed: always literally, never as Markdown or HTML; the states of cafés and
rounds in French.

`literal_markdown` is THE helper for every user string drawn where Streamlit reads Markdown
(st.markdown, captions, titles, expander and widget labels, st.success/info, image captions):
contributions, table names, café titles, questions, comment authors, fiche fields, topic labels,
search hits. The two places that draw HTML (`question`, `show_highlighted`) escape with html.escape.
What they show is already masked by the use cases (facilitation/domain/privacy.py): this module only
keeps it inert."""

from __future__ import annotations

import html
import re

import streamlit as st

from facilitation.domain.model import Cafe, Round

# CommonMark lets any ASCII punctuation be backslash-escaped; escaping all of it also disarms
# Streamlit's own extensions (:emoji:, :red[colour], $maths$).
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


# Streamlit's Markdown (GFM) turns "https://…", "www.…" and "a@b.c" into links after parsing, so
# escaping cannot stop it. An invisible word joiner inside each pattern does: the text reads the
# same, but no link is made (a resident's link must not become a phishing route on every phone).
WORD_JOINER = "\u2060"
# Zero-width positions: between ":" and "//", between "www" and ".", before "@".
_LINK_PATTERNS = re.compile(r"(?<=:)(?=//)|(?i:(?<=www))(?=\.)|(?=@)")


def _break_links(text: str) -> str:
    return _LINK_PATTERNS.sub(WORD_JOINER, text)


def literal_markdown(text: str) -> str:
    """Markdown source that renders exactly the given text, never as a link."""
    escaped = _ASCII_PUNCTUATION.sub(r"\\\1", _break_links(text))
    return escaped.replace("\n", "  \n")


def show_literal(text: str) -> None:
    st.markdown(literal_markdown(text))


def countdown_label(seconds: float) -> str:
    """'12:05' before the planned end, 'dépassé de 01:10' after it."""
    whole = int(abs(seconds))
    clock = f"{whole // 60:02d}:{whole % 60:02d}"
    return clock if seconds >= 0 else f"dépassé de {clock}"


READABLE_CSS = """
<style>
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {
  font-size: 1.2rem; line-height: 1.55;
}
[data-testid="stMarkdownContainer"] p.question {
  font-size: 1.6rem; font-weight: 700; line-height: 1.35; margin: 0.4rem 0 1rem;
}
label [data-testid="stMarkdownContainer"] p { font-size: 1.2rem; font-weight: 600; }
textarea, input { font-size: 1.2rem !important; }
button[kind] p { font-size: 1.2rem; font-weight: 600; }
</style>
"""


# Streamlit writes « Press Enter to submit form » / « Press Enter to apply » under a text field, in
# English, with no setting to translate it: hidden on every page (the French buttons say what to do).
def readable_type() -> None:
    """Large type for captains' and residents' screens (static CSS, no user text)."""
    st.html(READABLE_CSS)


def question(text: str) -> None:
    """The round's question in large type."""
    # Questions are typed by the organiser: escaped all the same.
    escaped = html.escape(text).replace("\n", "<br>")
    st.markdown(f'<p class="question">{escaped}</p>', unsafe_allow_html=True)


def show_highlighted(pieces: list[tuple[str, bool]]) -> None:
    """A text with some words marked (search hits): every piece escaped, only <mark> is markup."""
    body = "".join(
        f"<mark>{html.escape(piece)}</mark>" if matched else html.escape(piece) for piece, matched in pieces
    )
    st.html(f'<p style="white-space: pre-wrap; margin: 0">{body}</p>')


def cafe_state(cafe: Cafe) -> str:
    """« archivé », « terminé », or "" while the café is being prepared or held."""
    return "archivé" if cafe.archived_at else "terminé" if cafe.closed_at else ""


def round_state(round_: Round) -> str:
    """« ouvert », « fermé » or « à venir »."""
    return "ouvert" if round_.is_open else "fermé" if round_.closed_at else "à venir"
