"""`python -m facilitation nappe CAFE_ID --table N --round R PHOTO`, run as a user would (a real
process, SQLite and PostgreSQL): the photo stored without its metadata, French one-line errors."""

from __future__ import annotations

import pytest

from facilitation.adapters.photos import has_metadata
from facilitation.adapters.storage import open_store
from tests.conftest import committed, make_cafe
from tests.test_photos import SECRETS, planted_jpeg


@pytest.fixture
def cafe(database_url):
    store = open_store(database_url)
    try:
        made, _ = make_cafe(store)
    finally:
        store.engine.dispose()
    return made


def stored(database_url, cafe_id):
    store = open_store(database_url)
    try:
        with store.reading():
            return committed(store).tablecloths.in_cafe(cafe_id), [
                e.action for e in committed(store).audit.latest(cafe_id=cafe_id)
            ]
    finally:
        store.engine.dispose()


def test_nappe_attaches_a_photo_without_its_metadata(cafe, database_url, tmp_path, run_cli):
    photo = tmp_path / "nappe.jpg"
    photo.write_bytes(planted_jpeg())
    done = run_cli("nappe", cafe.id, "--table", "2", "--round", "1", str(photo), database_url=database_url)
    assert done.stdout.startswith("Photo de nappe jointe à la table 2, tour 1 (photo 1, ")
    (kept,), actions = stored(database_url, cafe.id)
    assert not has_metadata(kept.content) and not any(s in kept.content for s in SECRETS)
    assert "photo de nappe ajoutée" in actions


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (
            lambda c, p: ["nappe", c, "--table", "1", "--round", "1", str(p / "absente.jpg")],
            "impossible de lire",
        ),
        (lambda c, p: ["nappe", c, "--table", "1", "--round", "1", str(p)], "est un dossier"),
        (
            lambda c, p: ["nappe", c, "--table", "1", "--round", "1", str(p / "faux.jpg")],
            "pas une photo lisible",
        ),
        (lambda c, p: ["nappe", c, "--table", "1", "--round", "1", str(p / "gros.jpg")], "dépasse 8 Mo"),
        (
            lambda c, p: ["nappe", c, "--table", "9", "--round", "1", str(p / "bon.jpg")],
            "La table 9 n'existe pas",
        ),
        (
            lambda c, p: ["nappe", c, "--table", "1", "--round", "5", str(p / "bon.jpg")],
            "Le tour 5 n'existe pas",
        ),
        (
            lambda c, p: ["nappe", c, "--table", "un", "--round", "1", str(p / "bon.jpg")],
            "nombre entier attendu",
        ),
        (lambda c, p: ["nappe", "0" * 32, "--table", "1", "--round", "1", str(p / "bon.jpg")], "Aucun café"),
    ],
    ids=["missing", "directory", "not-an-image", "huge", "table", "round", "not-a-number", "cafe"],
)
def test_nappe_refuses_in_one_french_line(cafe, database_url, tmp_path, make_args, message, run_cli):
    (tmp_path / "faux.jpg").write_bytes(b"%PDF-1.7 pas une photo")
    (tmp_path / "gros.jpg").write_bytes(b"\xff" * (9 * 1024 * 1024))
    (tmp_path / "bon.jpg").write_bytes(planted_jpeg())
    failed = run_cli(*make_args(cafe.id, tmp_path), database_url=database_url, check=False)
    assert failed.returncode == 2, failed.stderr
    assert failed.stderr.startswith("Erreur : ") and message in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1 and "Traceback" not in failed.stderr
    assert stored(database_url, cafe.id)[0] == []
