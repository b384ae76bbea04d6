"""The one wording helper (facilitation/domain/wording.py): French plurals for 0, 1 and 2, cafés named by
title, date and place; and no screen, document or command writes « {n} word(s) » by hand."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from facilitation.domain.access import new_id
from facilitation.domain.model import Cafe, Place, Theme
from facilitation.domain.wording import cafe_label, cafe_labels, counted, plural
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 contribution"), (1, "1 contribution"), (2, "2 contributions"), (-1, "-1 contribution")],
)
def test_plural_zero_and_one_take_the_singular(count, expected):
    assert plural(count, "contribution") == expected


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0 session fermée"), (1, "1 session fermée"), (2, "2 sessions fermées")]
)
def test_plural_with_an_irregular_form(count, expected):
    assert plural(count, "session fermée", "sessions fermées") == expected


@pytest.mark.parametrize(
    ("count", "word", "expected"),
    [
        (0, "nouvelle", "0 nouvelle"),
        (1, "nouvelle", "1 nouvelle"),
        (2, "nouvelle", "2 nouvelles"),
        (2, "en étude", "2 en étude"),
        (2, "écartée", "2 écartées"),
    ],
)
def test_counted_statuses(count, word, expected):
    assert counted(count, word) == expected


def cafe(title="Café des Tilleuls", held_on=date(2026, 3, 12), commune="Villeurbanne", **place) -> Cafe:
    return Cafe(
        id=new_id(),
        title=title,
        held_on=held_on,
        place=Place(commune=commune, **place),
        theme=Theme.NUMERIQUE if hasattr(Theme, "NUMERIQUE") else next(iter(Theme)),
        description="",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_cafes_are_named_by_title_date_and_place():
    assert cafe_label(cafe()) == "Café des Tilleuls — 12/03/2026 — Villeurbanne"
    assert (
        cafe_label(cafe(commune="", residence="Les Tilleuls"))
        == "Café des Tilleuls — 12/03/2026 — Les Tilleuls"
    )
    same_title = [cafe(), cafe(held_on=date(2026, 4, 2)), cafe(commune="Lyon")]
    assert len(set(cafe_labels(same_title).values())) == 3  # same title, told apart


def test_two_cafes_that_read_the_same_are_told_apart():
    first, second = cafe(), cafe(residence="autre")  # same title, date and commune
    labels = cafe_labels([first, second])
    assert labels[first.id] != labels[second.id]
    assert all(label.startswith("Café des Tilleuls — 12/03/2026 — Villeurbanne") for label in labels.values())


# Nouns and adjectives the app counts. A count written before one of them by hand (« {n} tables »)
# reads « 1 tables » or « 2 nouvelle » sooner or later: it must go through plural() or counted().
COUNTED = (
    r"contributions?|idées?|tables?|tours?|groupes?|soutiens?|fiches?|cafés?|nouvelles?|sessions?|"
    r"lignes?|versions?|thèmes?|jours?|photos?|commentaires?|personnes?|téléphones?|événements?|"
    r"éléments?|documents?|autres"
)
BY_HAND = re.compile(r"\{(?![A-Z_]+\})[^{}]+\}\**\s+(?:" + COUNTED + r")\b")
SOURCES = ["pages", "ui", "web", "facilitation", "exports", "cli/commands.py"]


def test_no_count_is_written_before_a_word_by_hand():
    found = []
    for source in SOURCES:
        path = ROOT / source
        for file in [path] if path.is_file() else sorted(path.rglob("*.py")):
            for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
                # {MAX_…} constants are at least 2; a count that goes through the helper is fine.
                if BY_HAND.search(line) and "plural(" not in line and "counted(" not in line:
                    found.append(f"{file.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
