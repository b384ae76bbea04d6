"""Preparing a café's rounds and tables (pages/organiser_prepare.py)."""

from __future__ import annotations

from facilitation.services import cafes
from tests.conftest import make_cafe
from tests.pages.apptest import app, labelled


def test_organiser_prepares_rounds_and_tables(store):
    cafe, _ = make_cafe(store, tables=0, rounds=0)
    at = app(organiser=True, page="pages/organiser_prepare.py", cafe=cafe.id)
    labelled(at.text_area, "Question posée aux tables").input("Qu'aimeriez-vous changer ?")
    labelled(at.button, "Ajouter le tour").click().run()
    labelled(at.text_input, "Nom (facultatif)").input("Les Tilleuls")
    labelled(at.text_input, "Capitaine (facultatif)").input("Amina")
    labelled(at.button, "Ajouter la table").click().run()
    (round_,) = cafes.list_rounds(store, cafe.id)
    (table,) = cafes.list_tables(store, cafe.id)
    assert round_.question == "Qu'aimeriez-vous changer ?" and round_.planned_minutes == 20
    assert (table.number, table.name, table.captain_name) == (1, "Les Tilleuls", "Amina")
    assert at.dataframe[0].value["Code capitaine"].tolist() == [table.code]
