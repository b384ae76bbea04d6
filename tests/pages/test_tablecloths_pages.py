"""Tablecloths on the pages (ui/tablecloths.py): a captain and the organiser attach a photo, the
drafts read on it are stored only once ticked and added, the wall shows the round's tablecloths
between rounds. OCR is a stand-in here (the real Tesseract: tests/test_ocr_tesseract.py)."""

from __future__ import annotations

import pytest

from facilitation.adapters.ocr import UNAVAILABLE, TesseractReader
from facilitation.adapters.photos import has_metadata
from facilitation.services import cafes, tablecloths
from tests.conftest import make_cafe
from tests.pages.apptest import app, labelled, texts
from tests.test_photos import SECRETS, planted_jpeg
from tests.test_tablecloths import contributions_of, jpeg, stored

UPLOADER = "Photo de la nappe (JPEG, PNG ou WebP, 8 Mo au plus)"
READ_TEXT = "Une cour avec des bancs.\nUn local vélos fermé !\n\n- Des jeux pour les petits\n"


@pytest.fixture
def ocr(monkeypatch):
    """Tesseract as if installed, reading READ_TEXT on any photo; counts the readings."""
    calls = []
    monkeypatch.setattr(TesseractReader, "available", lambda self: True)
    monkeypatch.setattr(TesseractReader, "read", lambda self, jpeg: calls.append(jpeg) or READ_TEXT)
    return calls


def captain_app(store, cafe, table=1):
    return app(page="pages/captain.py", code=cafes.get_table(store, cafe.id, table).code)


def test_a_captain_attaches_a_photo_of_their_table_without_its_metadata(store):
    cafe, rounds = make_cafe(store)
    at = captain_app(store, cafe)
    labelled(at.get("file_uploader"), UPLOADER).upload("nappe.jpg", planted_jpeg(), "image/jpeg")
    at.run()
    labelled(at.button, "Joindre la photo").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (photo,) = stored(store, cafe.id)
    table_1 = cafes.get_table(store, cafe.id, 1)
    assert (photo.round_id, photo.table_id) == (rounds[0].id, table_1.id)
    assert not has_metadata(photo.content) and not any(s in photo.content for s in SECRETS)
    assert at.get("image"), "the attached photo is shown"
    # A file that is no photo: refused in French, nothing more stored.
    labelled(at.get("file_uploader"), UPLOADER).upload("nappe.jpg", b"%PDF-1.7 rien", "image/jpeg")
    at.run()
    labelled(at.button, "Joindre la photo").click().run()
    assert "n'est pas une photo lisible" in texts(at)
    assert len(stored(store, cafe.id)) == 1


def test_between_rounds_the_captain_attaches_the_tablecloth_of_the_round_just_closed(store):
    cafe, rounds = make_cafe(store)
    cafes.close_round(store, cafe.id, rounds[0].id)
    at = captain_app(store, cafe, table=2)
    assert "Aucun tour n'est ouvert" in texts(at)
    labelled(at.get("file_uploader"), UPLOADER).upload("nappe.png", jpeg(), "image/jpeg")
    at.run()
    labelled(at.button, "Joindre la photo").click().run()
    (photo,) = stored(store, cafe.id)
    assert photo.round_id == rounds[0].id and photo.table_id == cafes.get_table(store, cafe.id, 2).id


def test_the_organiser_attaches_any_table_and_round_and_removes_a_photo(store):
    cafe, rounds = make_cafe(store)
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    at.selectbox(key="tablecloth_table").select(2).run()
    at.selectbox(key="tablecloth_round_choice").select(rounds[1].id).run()
    labelled(at.get("file_uploader"), UPLOADER).upload("nappe.jpg", jpeg(), "image/jpeg")
    at.run()
    labelled(at.button, "Joindre la photo").click().run()
    (photo,) = stored(store, cafe.id)
    assert photo.round_id == rounds[1].id and photo.table_id == cafes.get_table(store, cafe.id, 2).id
    at.button(key=f"remove_{photo.id}").click().run()
    assert stored(store, cafe.id) == []


def test_drafts_are_stored_only_once_ticked_and_added(store, ocr):
    cafe, rounds = make_cafe(store)
    photo = tablecloths.attach(store, cafe.id, table_number=1, round_position=1, photo=jpeg())
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    at.button(key=f"read_{photo.id}").click().run()
    assert len(ocr) == 1
    drafts = [w.value for w in at.text_input if w.label.startswith("Brouillon ")]
    assert drafts == ["Une cour avec des bancs.", "Un local vélos fermé !", "Des jeux pour les petits"]
    assert contributions_of(store, cafe.id) == []  # offered, not stored
    # « Ajouter » with nothing ticked: refused, nothing stored.
    labelled(at.button, "Ajouter").click().run()
    assert "Cochez au moins un brouillon" in texts(at)
    assert contributions_of(store, cafe.id) == []
    # One ticked and corrected, one ticked, one left: two contributions, as confirmed.
    labelled(at.checkbox, "Garder 1").check()
    labelled(at.text_input, "Brouillon 1").input("Une cour avec des bancs et des arbres.")
    labelled(at.checkbox, "Garder 3").check()
    labelled(at.button, "Ajouter").click().run()
    assert "2 contributions ajoutées à la table." in texts(at)
    listed = contributions_of(store, cafe.id)
    assert sorted(c.text for c in listed) == [
        "Des jeux pour les petits",
        "Une cour avec des bancs et des arbres.",
    ]
    assert {c.round_id for c in listed} == {rounds[0].id}
    assert not [w for w in at.text_input if w.label.startswith("Brouillon ")]  # drafts gone


def test_a_captain_confirms_drafts_for_their_own_table(store, ocr):
    cafe, _ = make_cafe(store)
    at = captain_app(store, cafe, table=2)
    labelled(at.get("file_uploader"), UPLOADER).upload("nappe.jpg", jpeg(), "image/jpeg")
    at.run()
    labelled(at.button, "Joindre la photo").click().run()
    (photo,) = stored(store, cafe.id)
    at.button(key=f"read_{photo.id}").click().run()
    labelled(at.checkbox, "Garder 2").check()
    labelled(at.button, "Ajouter").click().run()
    (added,) = contributions_of(store, cafe.id)
    assert added.text == "Un local vélos fermé !" and added.table_id == photo.table_id


def test_without_tesseract_the_page_says_reading_is_unavailable(store, monkeypatch):
    monkeypatch.setattr(TesseractReader, "available", lambda self: False)
    cafe, _ = make_cafe(store)
    photo = tablecloths.attach(store, cafe.id, table_number=1, round_position=1, photo=jpeg())
    at = app(organiser=True, page="pages/organiser_run.py", cafe=cafe.id)
    assert UNAVAILABLE in texts(at)
    assert not [b for b in at.button if b.key == f"read_{photo.id}"]


def test_the_wall_shows_the_tablecloths_of_the_round_just_closed(store):
    cafe, rounds = make_cafe(store, tables=3)
    for number in (2, 1):
        tablecloths.attach(store, cafe.id, table_number=number, round_position=1, photo=jpeg())
    at = app(organiser=True, page="pages/wall.py", cafe=cafe.id)
    assert "Les nappes du tour 1" not in [s.value for s in at.subheader]  # the round is still open
    cafes.close_round(store, cafe.id, rounds[0].id)
    at.run()
    assert "Les nappes du tour 1" in [s.value for s in at.subheader]
    assert len(at.get("image")) == 2
    assert [c.value for c in at.caption if c.value.startswith("Table ")] == ["Table 1", "Table 2"]
    assert not at.button and not at.get("file_uploader")  # a room screen: nothing to click


def test_the_wall_link_shows_the_gallery_too(store):
    cafe, rounds = make_cafe(store)
    tablecloths.attach(store, cafe.id, table_number=1, round_position=1, photo=jpeg())
    cafes.close_round(store, cafe.id, rounds[0].id)
    token = cafes.wall_link(store, cafe.id, "http://x").split("ecran=")[1]
    at = app(ecran=token)
    assert "Les nappes du tour 1" in [s.value for s in at.subheader]
    assert len(at.get("image")) == 1
