"""Transfer and backup files (facilitation.services.backups): a laptop café moved to PostgreSQL, a backup
restored; both private, idempotent, and without derived data."""

from __future__ import annotations

import gzip

import numpy as np

from exports.documents import renderer
from facilitation.adapters.storage import open_store
from facilitation.services import backups, documents, harvest, rgpd
from tests.conftest import committed
from tests.fakes import KeywordGrouper

OPTIONS = {"base_url": "http://x", "timezone": "Europe/Paris"}
LIMITS = {"max_bytes": 50_000_000, "max_text_chars": 2000}


def test_a_laptop_cafe_moves_to_postgresql_idempotently(sqlite_store, postgres_url, tmp_path):
    from facilitation.services.demo import create_demo_cafe

    cafe = create_demo_cafe(sqlite_store)
    scope = harvest.scope_of([cafe.id])
    harvest.run_harvest(sqlite_store, KeywordGrouper(["chauffage", "ascenseur"]), scope)
    rgpd.flag_name(sqlite_store, cafe.id, "Durand", by_organiser=True)
    path = tmp_path / "cafe.json"
    backups.export_transfer(sqlite_store, cafe.id, path)
    assert path.stat().st_mode & 0o777 == 0o600  # personal data: readable by its owner only
    head_office = open_store(postgres_url)
    first = backups.import_transfer(head_office, path, **LIMITS)
    again = backups.import_transfer(head_office, path, **LIMITS)
    assert first.added["contributions"] == 120 and again.total == 0
    assert committed(head_office).contributions.in_cafe(cafe.id) == committed(
        sqlite_store
    ).contributions.in_cafe(cafe.id)
    assert committed(head_office).cafes.tables(cafe.id) == committed(sqlite_store).cafes.tables(cafe.id)
    assert harvest.versions(head_office, scope) == harvest.versions(sqlite_store, scope)
    assert committed(head_office).trust.masked_names(cafe.id) == ["Durand"]
    # The demo's votes (phones and shows of hands) travel with their café.
    assert sorted(committed(head_office).contributions.votes_in(cafe.id), key=repr) == sorted(
        committed(sqlite_store).contributions.votes_in(cafe.id), key=repr
    )
    assert committed(head_office).contributions.votes_in(cafe.id)
    head_office.engine.dispose()


def test_backup_and_restore_round_trip(store, tmp_path):
    from facilitation.services.demo import create_demo_cafe

    cafe = create_demo_cafe(store)
    documents.generate(store, cafe.id, "synthese", render=renderer(**OPTIONS))
    first = committed(store).contributions.in_cafe(cafe.id)[0]
    with store:
        store.vectors.save("m", {first.id: ("h" * 64, np.ones(4, dtype=np.float32))})
    secret = committed(store).trust.link_secret()
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "sauvegarde.json.gz"
    backups.backup(store, path)
    assert b"contribution_vectors" not in gzip.decompress(path.read_bytes())  # derived: not kept
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["sauvegarde.json.gz"]  # no temporary file left
    restored = open_store(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    backups.restore(restored, path, **LIMITS)
    assert committed(restored).contributions.in_cafe(cafe.id) == committed(store).contributions.in_cafe(
        cafe.id
    )
    assert committed(restored).trust.link_secret() == secret  # printed QR codes keep working
    votes = committed(store).contributions.votes_in(cafe.id)
    assert votes and sorted(committed(restored).contributions.votes_in(cafe.id), key=repr) == sorted(
        votes, key=repr
    )
    (document,) = committed(restored).documents.in_cafe(cafe.id)
    assert (
        committed(restored).documents.get(document.id).content
        == committed(store).documents.get(document.id).content
    )
    assert backups.restore(restored, path, **LIMITS).total == 0
    restored.engine.dispose()
