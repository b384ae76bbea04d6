"""The organiser's list of cafés (pages/organiser_cafes.py): create, archive, and what it shows when
the database cannot be reached."""

from __future__ import annotations

import pytest

from facilitation.services import cafes
from tests.conftest import make_cafe
from tests.pages.apptest import UNREACHABLE, UNREACHABLE_AT_SIGN, app, labelled


@pytest.mark.parametrize("url", [UNREACHABLE, UNREACHABLE_AT_SIGN])
def test_an_unreachable_database_shows_the_organiser_its_address_without_credentials(store, monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    at = app(organiser=True, page="pages/organiser_cafes.py")
    assert at.error[0].value == "Le service est momentanément indisponible. Réessayez dans un instant."
    detail = at.caption[0].value
    assert "Impossible de joindre la base de données" in detail and "127.0.0.1:59999/db" in detail
    for secret in ("S3cretQ", "password", "er2", "hunt", "cafe@", "postgres@"):
        assert secret not in detail
    assert not at.text_input and not at.dataframe


def test_organiser_creates_a_cafe(store):
    at = app(organiser=True, page="pages/organiser_cafes.py")
    labelled(at.text_input, "Titre").input("Café des Érables")
    labelled(at.selectbox, "Thème de l'Atelier").select("défi énergétique")
    labelled(at.text_input, "Commune").input("Vaulx-en-Velin")
    labelled(at.text_area, "Description montrée aux habitants").input("Parlons chauffage.")
    labelled(at.button, "Créer le café").click().run()
    assert "Café créé : Café des Érables" in at.success[0].value
    (cafe,) = cafes.list_cafes(store)
    assert (cafe.title, cafe.theme.value, cafe.place.commune) == (
        "Café des Érables",
        "défi énergétique",
        "Vaulx-en-Velin",
    )
    assert at.query_params["cafe"] == cafe.id
    assert at.dataframe[0].value["Titre"].tolist() == ["Café des Érables"]


def test_create_buttons_clicked_again_create_nothing_more(store):
    at = app(organiser=True, page="pages/organiser_cafes.py")
    labelled(at.text_input, "Titre").input("Café des Érables")
    labelled(at.text_input, "Commune").input("Vaulx-en-Velin")
    labelled(at.button, "Créer le café").click().run()
    labelled(at.button, "Créer le café").click().run()  # the second tap of a double click
    assert len(cafes.list_cafes(store)) == 1
    (cafe,) = cafes.list_cafes(store)
    at = app(organiser=True, page="pages/organiser_prepare.py", cafe=cafe.id)
    labelled(at.text_area, "Question posée aux tables").input("Qu'aimez-vous ici ?")
    for _ in range(2):
        labelled(at.button, "Ajouter le tour").click().run()
        labelled(at.button, "Ajouter la table").click().run()
    assert len(cafes.list_rounds(store, cafe.id)) == 1
    assert [t.number for t in cafes.list_tables(store, cafe.id)] == [1, 2]  # the form offers the next number


def test_creating_a_cafe_without_a_place_writes_nothing(store):
    at = app(organiser=True, page="pages/organiser_cafes.py")
    labelled(at.text_input, "Titre").input("Café sans lieu")
    labelled(at.button, "Créer le café").click().run()
    assert "Indiquez au moins le lieu" in at.error[0].value
    assert cafes.list_cafes(store) == []


def test_organiser_archives_a_cafe(store):
    cafe, _ = make_cafe(store)
    at = app(organiser=True, page="pages/organiser_cafes.py")
    labelled(at.button, "Archiver ce café").click().run()
    assert cafes.get_cafe(store, cafe.id).archived_at is not None
