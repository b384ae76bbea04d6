"""Tablecloths (facilitation/services/tablecloths.py): photos per table × round kept without metadata, refused
in French when crafted, bounded per table × round, a captain's own table and rounds only, erased with
their café, carried by transfers; OCR drafts stored only once a person confirmed them. SQLite and
PostgreSQL (the `store` fixture), OCR through a fake reader (the real one: test_ocr_tesseract.py)."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from facilitation.adapters.ocr import UNAVAILABLE, draft_lines
from facilitation.adapters.photos import has_metadata
from facilitation.adapters.storage import open_store
from facilitation.adapters.storage.validation import ImportRefused
from facilitation.domain import actors
from facilitation.domain.errors import AccessDenied, InvalidInput, NotFound
from facilitation.services import cafes, rgpd, tablecloths
from tests.conftest import acting_as, committed, make_cafe
from tests.test_photos import SECRETS, planted_jpeg, segments

# What prepare_photo writes before the pixels: JFIF header, tables, frame, scan. Nothing else.
PIXEL_SEGMENTS = {0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD, 0xDA}


def jpeg(size=(640, 480), colour="white") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


class FakeReader:
    """A TextReader that « reads » a fixed text and counts its calls."""

    def __init__(self, text: str = "", available: bool = True) -> None:
        self.text, self.is_available, self.calls = text, available, 0

    def available(self) -> bool:
        return self.is_available

    def read(self, image: bytes) -> str:
        self.calls += 1
        return self.text


TABLECLOTH_TEXT = (
    "Plus de bancs dans la cour.\nUn local vélos\nfermé à clé !\n\n- Des jeux pour les petits\n~ ~ |\n"
)


def stored(store, cafe_id):
    """The café's tablecloth photos, as committed."""
    return committed(store).tablecloths.in_cafe(cafe_id)


def contributions_of(store, cafe_id):
    """The café's contributions, as committed."""
    return committed(store).contributions.in_cafe(cafe_id)


def test_a_photo_with_gps_exif_is_stored_with_its_pixels_only(store):
    cafe, rounds = make_cafe(store)
    planted = planted_jpeg()
    assert b"Dupont" in planted and has_metadata(planted)
    photo = tablecloths.attach(
        store, cafe.id, table_number=1, round_position=1, photo=planted, name="nappe.jpg"
    )
    (kept,) = stored(store, cafe.id)
    assert kept.id == photo.id and (kept.round_id, kept.position) == (rounds[0].id, 1)
    for secret in SECRETS:
        assert secret not in kept.content
    assert {marker for marker, _ in segments(kept.content)} <= PIXEL_SEGMENTS
    assert not has_metadata(kept.content)
    with Image.open(io.BytesIO(kept.content)) as image:
        assert image.size == (320, 240) and not image.getexif()


def bomb_png() -> bytes:
    """A few kilobytes that open as 50 million pixels."""
    out = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7 not a photo at all", "n'est pas une photo lisible"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "n'est pas une photo lisible"),
        (b"\x00" * (8 * 1024 * 1024 + 1), "dépasse 8 Mo"),
        (bomb_png(), "trop grande"),
    ],
    ids=["pdf", "truncated", "huge", "bomb"],
)
def test_crafted_files_are_refused_in_french_and_store_nothing(store, data, message):
    cafe, _ = make_cafe(store)
    with pytest.raises(InvalidInput, match=message):
        tablecloths.attach(store, cafe.id, table_number=1, round_position=1, photo=data, name="nappe.jpg")
    assert stored(store, cafe.id) == []


def test_four_photos_per_table_and_round_then_a_french_refusal(store):
    cafe, _ = make_cafe(store)
    for shade in range(tablecloths.MAX_PER_TABLE_ROUND):
        tablecloths.attach(
            store, cafe.id, table_number=1, round_position=1, photo=jpeg(colour=(60 * shade, 0, 0))
        )
    with pytest.raises(InvalidInput, match="quatre au plus"):
        tablecloths.attach(store, cafe.id, table_number=1, round_position=1, photo=jpeg(colour="blue"))
    # Another table, another round: each has its own four.
    tablecloths.attach(store, cafe.id, table_number=2, round_position=1, photo=jpeg())
    tablecloths.attach(store, cafe.id, table_number=1, round_position=2, photo=jpeg())
    positions = sorted((p.position for p in stored(store, cafe.id) if p.position), reverse=True)
    assert len(positions) == 6 and positions[0] == 4
    # One removed frees a place, at the next position.
    first = stored(store, cafe.id)[0]
    tablecloths.remove(store, cafe.id, first.id)
    assert len(stored(store, cafe.id)) == 5


def test_the_same_photo_sent_twice_is_kept_once(store):
    cafe, _ = make_cafe(store)
    code = cafes.get_table(store, cafe.id, 1).code
    first = tablecloths.attach(store, cafe.id, table_number=1, round_position=1, photo=planted_jpeg())
    again = tablecloths.attach(store, cafe.id, table_number=1, round_position=1, photo=planted_jpeg())
    round_id = cafes.round_at(store, cafe.id, 1).id
    by_captain = tablecloths.attach_as_captain(
        store, table_code=code, round_id=round_id, photo=planted_jpeg()
    )
    assert again.id == first.id == by_captain.id and len(stored(store, cafe.id)) == 1
    # Elsewhere it is another tablecloth.
    tablecloths.attach(store, cafe.id, table_number=2, round_position=1, photo=planted_jpeg())
    assert len(stored(store, cafe.id)) == 2


def test_unknown_table_round_or_cafe_are_french_errors(store):
    cafe, _ = make_cafe(store)
    with pytest.raises(NotFound, match="La table 9 n'existe pas"):
        tablecloths.attach(store, cafe.id, table_number=9, round_position=1, photo=jpeg())
    with pytest.raises(NotFound, match="Le tour 7 n'existe pas"):
        tablecloths.attach(store, cafe.id, table_number=1, round_position=7, photo=jpeg())
    with pytest.raises(NotFound):
        tablecloths.attach(store, "0" * 32, table_number=1, round_position=1, photo=jpeg())


def test_a_captain_attaches_to_the_open_round_or_the_one_just_closed_of_their_own_table(store):
    cafe, rounds = make_cafe(store, rounds=3)
    code = cafes.get_table(store, cafe.id, 1).code
    assert [r.id for r in tablecloths.captain_rounds(store, code)] == [rounds[0].id]
    tablecloths.attach_as_captain(store, table_code=code, round_id=rounds[0].id, photo=jpeg())
    with pytest.raises(AccessDenied, match="tour en cours ou celui qui vient de fermer"):
        tablecloths.attach_as_captain(store, table_code=code, round_id=rounds[2].id, photo=jpeg())
    cafes.open_round(store, cafe.id, rounds[1].id)  # round 1 closes: still offered, as just closed
    assert {r.id for r in tablecloths.captain_rounds(store, code)} == {rounds[0].id, rounds[1].id}
    tablecloths.attach_as_captain(store, table_code=code, round_id=rounds[0].id, photo=jpeg())
    cafes.open_round(store, cafe.id, rounds[2].id)  # now round 1 is two rounds ago
    with pytest.raises(AccessDenied):
        tablecloths.attach_as_captain(store, table_code=code, round_id=rounds[0].id, photo=jpeg())
    with pytest.raises(AccessDenied, match="Code de table inconnu"):
        tablecloths.attach_as_captain(store, table_code="ZZZZZZ", round_id=rounds[2].id, photo=jpeg())
    # Another table's photo: neither readable nor removable with this code.
    other = tablecloths.attach(store, cafe.id, table_number=2, round_position=3, photo=jpeg())
    with pytest.raises(AccessDenied):
        tablecloths.remove(store, cafe.id, other.id, table_code=code)
    with pytest.raises(AccessDenied):
        tablecloths.read_drafts(store, cafe.id, other.id, FakeReader("x"), max_chars=500, table_code=code)
    logged = {(e.action, e.actor) for e in committed(store).audit.latest(cafe_id=cafe.id)}
    assert ("photo de nappe ajoutée", actors.captain(1)) in logged


def test_a_forged_photo_id_is_not_found(store):
    cafe, _ = make_cafe(store)
    other, _ = make_cafe(store)
    elsewhere = tablecloths.attach(store, other.id, table_number=1, round_position=1, photo=jpeg())
    for forged in ("0" * 32, "../../etc/passwd", elsewhere.id):
        with pytest.raises(NotFound, match="Cette photo de nappe n'existe pas"):
            tablecloths.remove(store, cafe.id, forged)
        with pytest.raises(NotFound):
            tablecloths.add_drafts(store, cafe.id, forged, ["Un texte"], max_chars=500)
    assert len(stored(store, other.id)) == 1


def test_drafts_are_offered_and_only_the_confirmed_ones_become_contributions(store):
    cafe, rounds = make_cafe(store)
    cafes.open_round(store, cafe.id, rounds[1].id)  # the photo's round has closed meanwhile
    photo = tablecloths.attach(store, cafe.id, table_number=2, round_position=1, photo=jpeg())
    reader = FakeReader(TABLECLOTH_TEXT)
    with acting_as(actors.ORGANISER):
        drafts = tablecloths.read_drafts(store, cafe.id, photo.id, reader, max_chars=500)
    assert drafts == [
        "Plus de bancs dans la cour.",
        "Un local vélos fermé à clé !",
        "Des jeux pour les petits",
    ]
    assert contributions_of(store, cafe.id) == []  # reading stores nothing
    with acting_as(actors.ORGANISER):
        added = tablecloths.add_drafts(
            store, cafe.id, photo.id, [drafts[0], "Un local vélos fermé à clef !"], max_chars=500
        )
    assert added == 2
    listed = contributions_of(store, cafe.id)
    assert sorted(c.text for c in listed) == ["Plus de bancs dans la cour.", "Un local vélos fermé à clef !"]
    table_2 = cafes.get_table(store, cafe.id, 2)
    where = {(c.round_id, c.table_id, c.source.value) for c in listed}
    assert where == {(rounds[0].id, table_2.id, "capitaine")}
    # « Ajouter » twice (a double click, a reload): nothing more.
    assert tablecloths.add_drafts(store, cafe.id, photo.id, [drafts[0]], max_chars=500) == 0
    assert len(contributions_of(store, cafe.id)) == 2
    actions = [e.action for e in committed(store).audit.latest(cafe_id=cafe.id)]
    assert actions.count("contribution ajoutée depuis une nappe") == 2


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ([], "Cochez au moins un brouillon"),
        (["Une bonne idée", "   "], "est vide"),
        (["Une bonne idée", "x" * 501], "trop long|dépasse|caractères"),
        (["Une bonne idée"] * 41, "40 brouillons au plus"),
    ],
    ids=["none", "blank", "long", "too-many"],
)
def test_bad_confirmed_drafts_are_refused_and_change_nothing(store, texts, message):
    cafe, _ = make_cafe(store)
    photo = tablecloths.attach(store, cafe.id, table_number=1, round_position=1, photo=jpeg())
    with pytest.raises(InvalidInput, match=message):
        tablecloths.add_drafts(store, cafe.id, photo.id, texts, max_chars=500)
    assert contributions_of(store, cafe.id) == []


def test_without_tesseract_reading_is_said_unavailable(store):
    cafe, _ = make_cafe(store)
    photo = tablecloths.attach(store, cafe.id, table_number=1, round_position=1, photo=jpeg())
    reader = FakeReader("texte", available=False)
    with pytest.raises(InvalidInput) as refused:
        tablecloths.read_drafts(store, cafe.id, photo.id, reader, max_chars=500)
    assert refused.value.message == UNAVAILABLE and reader.calls == 0


def test_the_photos_go_with_their_cafe_and_hold_their_round(store):
    cafe, rounds = make_cafe(store)
    tablecloths.attach(store, cafe.id, table_number=1, round_position=2, photo=jpeg())
    with pytest.raises(InvalidInput, match="photos de nappes"):
        cafes.delete_round(store, cafe.id, rounds[1].id)
    with acting_as(actors.ORGANISER):
        rgpd.erase_cafe(store, cafe.id, confirm_title=cafe.title)
    with store.reading():
        assert committed(store).tablecloths.in_cafe(cafe.id) == []


def test_the_photos_are_purged_with_the_contributions(store):
    cafe, _ = make_cafe(store)
    tablecloths.attach(store, cafe.id, table_number=1, round_position=1, photo=jpeg())
    rgpd.purge_expired(store, 1, today=datetime(2030, 1, 1, tzinfo=UTC).date())
    assert stored(store, cafe.id) == []
    assert "photos de nappes purgées (durée de conservation)" in {
        e.action for e in committed(store).audit.latest(cafe_id=cafe.id)
    }


def test_a_transfer_carries_the_photos_and_refuses_one_with_metadata(store, tmp_path):
    cafe, _ = make_cafe(store)
    photo = tablecloths.attach(store, cafe.id, table_number=1, round_position=1, photo=jpeg())
    payload = committed(store).archive.dump(cafe.id)
    assert [row["id"] for row in payload["tables"]["tablecloths"]] == [photo.id]
    elsewhere = open_store(f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}")
    try:
        forged = {**payload, "tables": {**payload["tables"]}}
        row = {**payload["tables"]["tablecloths"][0], "content": base64.b64encode(planted_jpeg()).decode()}
        forged["tables"]["tablecloths"] = [row]
        now = datetime.now(UTC)
        with pytest.raises(ImportRefused, match="métadonnées"), elsewhere:
            elsewhere.archive.load(forged, transfer_only=True, max_text_chars=2000, now=now)
        with elsewhere:
            elsewhere.archive.load(payload, transfer_only=True, max_text_chars=2000, now=now)
        (moved,) = stored(elsewhere, cafe.id)
        assert moved.content == photo.content
    finally:
        elsewhere.engine.dispose()


def test_the_wall_gallery_shows_the_last_photo_of_each_table_for_the_round_just_closed(store):
    cafe, rounds = make_cafe(store)
    assert tablecloths.round_gallery(store, cafe.id) is None  # nothing closed yet
    tablecloths.attach(store, cafe.id, table_number=2, round_position=1, photo=jpeg(colour="red"))
    tablecloths.attach(store, cafe.id, table_number=1, round_position=1, photo=jpeg(colour="blue"))
    last = tablecloths.attach(store, cafe.id, table_number=1, round_position=1, photo=jpeg(colour="green"))
    cafes.close_round(store, cafe.id, rounds[0].id)
    gallery = tablecloths.round_gallery(store, cafe.id)
    assert gallery.round_.position == 1
    assert (gallery.photos[0][0].number, gallery.photos[0][1].id) == (1, last.id)
    assert [t.number for t, _ in gallery.photos] == [1, 2]


def test_draft_lines_clean_what_ocr_read():
    raw = (
        "Rénover les loge-\nments du bâtiment B. Mettre des bancs ! Pourquoi pas\n"
        "un composteur ?\n\n• Plus de lumière\n2) Un jardin partagé\n\x1b[31m|||\n"
        "Plus de lumière\n\n\f@@ ## %%\n"
    )
    assert draft_lines(raw, max_chars=500) == [
        "Rénover les logements du bâtiment B.",
        "Mettre des bancs !",
        "Pourquoi pas un composteur ?",
        "Plus de lumière",
        "Un jardin partagé",
    ]
    assert draft_lines("une phrase beaucoup trop longue", max_chars=10) == ["une phrase"]
    assert draft_lines("", max_chars=500) == []
    assert len(draft_lines("\n\n".join(f"Idée numéro {i}" for i in range(100)), max_chars=500)) == 40
