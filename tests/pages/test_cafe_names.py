"""Cafés are named by title, date and place in every selector (ui/organiser.cafe_names): two cafés
with the same title no longer look the same."""

from __future__ import annotations

from datetime import date

import pytest

from facilitation.services import cafes
from tests.pages.apptest import app, labelled


@pytest.fixture
def namesakes(store):
    """Three « Café des Tilleuls »: two days in Villeurbanne, one in Lyon on the first day."""
    made = [
        cafes.create_cafe(
            store,
            cafes.CafeDetails(title="Café des Tilleuls", held_on=held_on, theme="numérique", commune=commune),
        )
        for held_on, commune in (
            (date(2026, 3, 12), "Villeurbanne"),
            (date(2026, 4, 2), "Villeurbanne"),
            (date(2026, 3, 12), "Lyon"),
        )
    ]
    return made


EXPECTED = {
    "Café des Tilleuls — 12/03/2026 — Villeurbanne",
    "Café des Tilleuls — 02/04/2026 — Villeurbanne",
    "Café des Tilleuls — 12/03/2026 — Lyon",
}


@pytest.mark.parametrize("page", ["pages/organiser_prepare.py", "pages/organiser_cafes.py"])
def test_cafe_selectors_name_title_date_and_place(namesakes, page):
    at = app(organiser=True, page=page)
    assert set(labelled(at.selectbox, "Café").options) == EXPECTED


def test_the_harvest_across_cafes_names_them_too(namesakes):
    at = app(organiser=True, page="pages/organiser_harvest.py")
    at.radio[0].set_value("Plusieurs cafés").run()
    assert set(labelled(at.multiselect, "Cafés").options) == EXPECTED
