"""Validation of what people type, and small domain rules. No database, no Streamlit."""

from datetime import UTC, datetime, timedelta

import pytest

from facilitation.domain.errors import InvalidInput
from facilitation.domain.model import Kind, Place, Round, clean_label, clean_text, parse_choice


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Plus de bancs  ", "Plus de bancs"),
        ("ligne 1\r\nligne 2", "ligne 1\nligne 2"),
        ("<b>gras</b> & **étoiles**", "<b>gras</b> & **étoiles**"),
        ("=1+1", "=1+1"),
        ("Cafe\u0301", "Café"),  # NFC: a combining accent becomes one character
        ("famille 👨‍👩‍👧 ok", "famille 👨‍👩‍👧 ok"),  # emoji joiners are legitimate
        ("a\tb", "a\tb"),
    ],
)
def test_clean_text_keeps_what_people_typed(raw, expected):
    assert clean_text(raw, max_chars=2000) == expected


@pytest.mark.parametrize(
    ("raw", "message_part"),
    [
        ("", "est vide"),
        ("   \n\t ", "est vide"),
        (None, "est vide"),
        ("x" * 2001, "2001 caractères pour 2000"),
        ("bonjour\x00", "caractère de contrôle"),
        ("texte \x1b[31mrouge", "caractère de contrôle"),
        ("abc\u202edcba", "caractère de contrôle"),  # right-to-left override disguises text
    ],
)
def test_clean_text_refuses_bad_input_in_french(raw, message_part):
    with pytest.raises(InvalidInput, match=message_part):
        clean_text(raw, max_chars=2000)


def test_exactly_the_limit_is_accepted():
    assert len(clean_text("é" * 2000, max_chars=2000)) == 2000


def test_labels_are_single_line():
    assert clean_label("  Café \n des  Tilleuls ", what="Le titre") == "Café des Tilleuls"
    assert clean_label("", what="Le nom", required=False) == ""
    with pytest.raises(InvalidInput, match="Le titre est vide"):
        clean_label(" ", what="Le titre")


def test_parse_choice_lists_allowed_values():
    assert parse_choice(Kind, "idée", "Type") is Kind.IDEE
    assert parse_choice(Kind, "", "Type") is None
    with pytest.raises(InvalidInput, match="Choix possibles : idée, problème"):
        parse_choice(Kind, "rumeur", "Type")


def test_place_label_skips_blank_parts():
    assert Place("Les Tilleuls", "", "Lyon").label() == "Les Tilleuls, Lyon"


def test_round_remaining_time_counts_down_and_goes_negative():
    opened = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    round_ = Round("r", "c", 1, "Q ?", 20, opened_at=opened)
    assert round_.remaining(opened + timedelta(minutes=5)) == timedelta(minutes=15)
    assert round_.remaining(opened + timedelta(minutes=25)) == timedelta(minutes=-5)
    closed = Round("r", "c", 1, "Q ?", 20, opened_at=opened, closed_at=opened)
    assert closed.remaining(opened) is None
