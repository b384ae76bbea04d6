"""The real storage: migrations, SQLite settings, time zones, outages."""

import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, text

from facilitation.adapters.clock import local_time
from facilitation.adapters.storage import SqlUnitOfWork, open_store
from facilitation.adapters.storage.audit import SqlAuditRepository
from facilitation.adapters.storage.contributions import is_search_index
from facilitation.adapters.storage.engine import create_db_engine, head_revision, migrate
from facilitation.adapters.storage.rows import to_model
from facilitation.adapters.storage.schema import metadata
from facilitation.domain.errors import NOTHING_SAVED, SERVICE_UNAVAILABLE, StorageUnavailable
from facilitation.domain.model import Round
from facilitation.services import cafes, contributions
from tests.conftest import add_idea, committed, make_cafe
from tests.fakes import FakeUnitOfWork


def test_migrations_create_every_table_and_run_again_harmlessly(store):
    names = {name for name in inspect(store.engine).get_table_names() if not is_search_index(name)}
    assert names == {t.name for t in metadata.sorted_tables} | {"alembic_version"}
    migrate(store.engine)  # a second instance starting on the same database
    with store.engine.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            == head_revision()
        )


def test_migrations_match_the_declared_schema(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": lambda obj, name, kind, reflected, other: not is_search_index(name)},
        )
        differences = compare_metadata(context, metadata)
    # Types are compared loosely across dialects; any table, column or index drift shows up here.
    assert [d for d in differences if d[0] not in ("modify_type",)] == []


def test_a_row_fills_its_model_by_column_name_and_a_missing_column_is_refused(store):
    with store.engine.connect() as connection:
        row = connection.execute(
            text("SELECT 'r' AS id, 'c' AS cafe_id, 1 AS position, 'Q ?' AS question, 20 AS planned_minutes")
        ).one()
    # opened_at and closed_at have defaults, yet a query that forgot them must not read as « never ».
    with pytest.raises(AttributeError):
        to_model(Round, row)
    assert to_model(Round, row, opened_at=None, closed_at=None) == Round("r", "c", 1, "Q ?", 20)


def test_sqlite_file_is_created_on_first_start_in_wal_mode(tmp_path):
    path = tmp_path / "nouveau" / "cafe.sqlite3"
    store = open_store(f"sqlite:///{path}")
    assert path.exists()
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_timestamps_are_stored_in_utc_and_shown_in_paris_time(store):
    paris_evening = datetime(2026, 7, 14, 20, 30, tzinfo=ZoneInfo("Europe/Paris"))
    cafe = cafes.create_cafe(
        store,
        cafes.CafeDetails(title="Café d'été", held_on=date(2026, 7, 14), theme="autre", commune="Lyon"),
        now=paris_evening,
    )
    stored = cafes.get_cafe(store, cafe.id).created_at
    assert stored.tzinfo == UTC and stored == paris_evening
    assert stored.hour == 18
    assert local_time(stored, "Europe/Paris").hour == 20


def test_naive_datetimes_are_refused(store):
    with pytest.raises(Exception, match="naive datetime"):
        cafes.create_cafe(
            store,
            cafes.CafeDetails(title="C", held_on=date(2026, 1, 1), theme="autre", commune="L"),
            now=datetime(2026, 1, 1),
        )


def test_link_secret_is_created_once_and_shared(store, database_url):
    first = committed(store).trust.link_secret()
    assert len(first) >= 40
    other_instance = open_store(database_url)
    assert committed(other_instance).trust.link_secret() == first
    other_instance.engine.dispose()


def test_unreachable_database_is_named_without_any_credential():
    with pytest.raises(StorageUnavailable) as caught:
        open_store("postgresql+psycopg://cafe:hunter2@127.0.0.1:1/cafes?connect_timeout=2")
    assert caught.value.message == SERVICE_UNAVAILABLE
    detail = caught.value.detail
    assert "Impossible de joindre la base de données" in detail and "127.0.0.1:1/cafes" in detail
    assert "hunter2" not in detail and "cafe@" not in detail and "connect_timeout" not in detail


def test_an_outage_after_start_is_a_french_error():
    # A store whose server has gone away: every call becomes StorageUnavailable, nothing half-done.
    gone = SqlUnitOfWork(
        create_db_engine("postgresql+psycopg://cafe:hunter2@127.0.0.1:1/cafes?connect_timeout=2")
    )
    with pytest.raises(StorageUnavailable) as caught:
        committed(gone).cafes.get("abc")
    assert "ne répond pas" in caught.value.detail and "hunter2" not in caught.value.detail
    assert caught.value.message == NOTHING_SAVED


def test_a_sqlite_folder_that_cannot_be_created_is_explained():
    with pytest.raises(StorageUnavailable) as caught:
        open_store("sqlite:////proc/pas-de-dossier/cafe.sqlite3")
    assert "Impossible de créer le dossier" in caught.value.detail


def test_a_full_disk_says_so(sqlite_url):
    from sqlalchemy import event

    store = open_store(sqlite_url)
    make_cafe(store)
    with store.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
    store.engine.dispose()

    @event.listens_for(store.engine, "connect")
    def _small_disk(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    with pytest.raises(StorageUnavailable) as caught:
        for _ in range(200):
            cafes.create_cafe(
                store,
                cafes.CafeDetails(
                    title="x", held_on=date(2026, 1, 1), theme="autre", commune="L", description="x" * 1990
                ),
            )
    assert "Le disque de la base de données est plein" in caught.value.detail
    assert caught.value.message == NOTHING_SAVED
    store.engine.dispose()


def test_an_action_and_its_audit_row_are_saved_together_or_not_at_all(store, monkeypatch):
    cafe, rounds = make_cafe(store)

    def crash(self, event):
        raise RuntimeError("le serveur s'arrête ici")

    monkeypatch.setattr(SqlAuditRepository, "add", crash)
    with pytest.raises(RuntimeError):
        cafes.close_cafe(store, cafe.id)
    monkeypatch.undo()
    assert not cafes.get_cafe(store, cafe.id).is_closed
    assert cafes.open_round_of(store, cafe.id).id == rounds[0].id
    assert "café terminé" not in [e.action for e in committed(store).audit.latest(cafe_id=cafe.id)]


def test_a_read_only_unit_of_work_refuses_to_write_and_writers_need_one(store):
    cafe, _ = make_cafe(store)
    closed = replace(cafes.get_cafe(store, cafe.id), title="Autre")
    with store.reading(), pytest.raises(RuntimeError, match="read-only"), store:
        pass
    with store.reading(), pytest.raises(RuntimeError, match="writer"):
        store.cafes.update(closed)
    with pytest.raises(RuntimeError, match="writer"):
        store.cafes.update(closed)
    assert cafes.get_cafe(store, cafe.id).title == "Café des Tilleuls"


@pytest.mark.parametrize("make", [lambda store: store, lambda store: FakeUnitOfWork()], ids=["sql", "fake"])
def test_a_repository_read_outside_a_unit_of_work_raises(store, make):
    """A read outside `with uow:` / `with uow.reading():` would be a snapshot of its own: a use case
    that forgot its transaction fails here instead of racing in a café."""
    uow = make(store)
    for read in (
        uow.cafes.list_all,
        lambda: uow.contributions.get("0" * 32),
        lambda: uow.trust.masked_names("0" * 32),
    ):
        with pytest.raises(RuntimeError, match="storage reads need a unit of work"):
            read()
    with uow.reading():
        assert uow.cafes.list_all() == []
    with uow:
        assert uow.contributions.get("0" * 32) is None


def test_phones_read_while_a_captain_holds_the_write_lock(sqlite_store):
    store = sqlite_store
    cafe, _ = make_cafe(store)
    token = cafes.join_link(store, cafe.id, 1, "http://x").split("/j/")[1]
    contributions.join_table(store, token)  # the link secret now exists: checking it only reads
    holding, release = threading.Event(), threading.Event()

    def captain() -> None:
        with store:
            store.cafes.lock(cafe.id)
            add_idea(store, cafe, "Une idée longue à écrire")
            holding.set()
            release.wait(10)

    writer = threading.Thread(target=captain)
    writer.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        seen = contributions.join_table(store, token)
        waited = time.monotonic() - started
    finally:
        release.set()
        writer.join()
    # Before, every read began with BEGIN IMMEDIATE and queued behind the writer (busy_timeout 30 s).
    assert waited < 2
    assert seen.contributions == []  # the captain's transaction was not committed yet
    assert [c.text for c in contributions.join_table(store, token).contributions] == [
        "Une idée longue à écrire"
    ]


@pytest.mark.parametrize("first_use", ["writer", "reader"])
def test_the_link_secret_is_created_inside_a_transaction_without_waiting_for_itself(
    sqlite_url, first_use, monkeypatch
):
    store = open_store(sqlite_url)
    separate = []
    real_separate_writer = store.transactions.separate_writer

    def counted_separate_writer():
        separate.append(store.transactions.current())
        return real_separate_writer()

    monkeypatch.setattr(store.transactions, "separate_writer", counted_separate_writer)
    started = time.monotonic()
    # In a writer, a second connection would wait for this very transaction: it writes in its own.
    # A reader must not write: a connection of its own creates the secret.
    with store if first_use == "writer" else store.reading():
        secret = committed(store).trust.link_secret()
    assert len(separate) == (first_use == "reader")
    with store.reading():
        assert committed(store).trust.link_secret() == secret
    with store:
        assert committed(store).trust.link_secret() == secret
    assert len(separate) == (first_use == "reader")  # once stored, it is only read
    assert time.monotonic() - started < 5  # not the 30 s busy timeout of a second connection
    store.engine.dispose()
