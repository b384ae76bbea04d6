"""Erasure and retention (facilitation.services.rgpd): erasing a contribution or a café reaches everything
derived from it; retention deletes old raw contributions and keeps syntheses. On SQLite and
PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from alembic import command
from sqlalchemy import insert, select

from exports.documents import renderer
from facilitation.adapters.storage import erasure, open_store
from facilitation.adapters.storage.engine import _alembic_config, create_db_engine, migrate
from facilitation.adapters.storage.schema import audit_log
from facilitation.domain.errors import InvalidInput
from facilitation.domain.model import Committee, cafe_fiche_ref
from facilitation.services import audit, cafes, contributions, documents, exchange, harvest, rgpd
from facilitation.services.harvest.service import text_key
from tests.conftest import acting_as, add_idea, committed, make_cafe
from tests.fakes import KeywordGrouper

OPTIONS = {"base_url": "http://x", "timezone": "Europe/Paris"}


@pytest.fixture
def postgres_url(fresh_postgres_url: str) -> str:
    """A schema of each test's own: these tests read the schema's files, where the rows that emptying
    the shared schema (conftest's `postgres_url`) deletes would still lie, text included."""
    return fresh_postgres_url


def test_erasing_a_contribution_reaches_harvests_and_generated_documents(store):
    cafe, _ = make_cafe(store)
    ids = [add_idea(store, cafe, t).id for t in ("Chauffage froid", "Chauffage cher", "Jardin")]
    scope = harvest.scope_of([cafe.id])
    harvest.run_harvest(store, KeywordGrouper(["chauffage", "jardin"]), scope)
    harvest.set_aside(store, scope, ids[2])
    documents.generate(store, cafe.id, "synthese", render=renderer(**OPTIONS))
    assert rgpd.erase_contribution(store, cafe.id, ids[0]) == 1
    assert committed(store).contributions.get(ids[0]) is None
    for version in harvest.versions(store, scope):
        assert all(ids[0] not in t.contribution_ids + t.representative_ids for t in version.topics)
        assert ids[0] not in version.coordinates
    assert committed(store).documents.in_cafe(cafe.id) == []
    rgpd.erase_contribution(store, cafe.id, ids[2])
    assert harvest.latest_version(store, scope).set_aside == ()


def test_erasing_a_cafe_removes_everything_derived(store):
    cafe, _ = make_cafe(store)
    other, _ = make_cafe(store)
    for c in (cafe, other):
        add_idea(store, c, "Chauffage")
    both = harvest.scope_of([cafe.id, other.id])
    harvest.run_harvest(store, KeywordGrouper(["chauffage"]), both)
    documents.generate(store, cafe.id, "cafe_json", render=renderer(**OPTIONS))
    with pytest.raises(InvalidInput, match="recopiez exactement"):
        rgpd.erase_cafe(store, cafe.id, confirm_title="autre")
    rgpd.erase_cafe(store, cafe.id, confirm_title="Café des Tilleuls")
    assert (
        committed(store).cafes.get(cafe.id) is None
        and committed(store).contributions.in_cafe(cafe.id, include_deleted=True) == []
    )
    assert harvest.versions(store, both) == []
    assert len(committed(store).contributions.in_cafe(other.id)) == 1
    assert audit.audit_records(store, timezone="Europe/Paris")[0]["action"] == "café effacé"


def test_retention_deletes_old_raw_contributions_but_keeps_syntheses(store):
    old = cafes.create_cafe(
        store, cafes.CafeDetails(title="Ancien", held_on=date(2024, 1, 10), theme="autre", commune="Lyon")
    )
    cafes.add_table(store, old.id, number=1)
    round_ = cafes.add_round(store, old.id, question="Q ?", planned_minutes=5)
    cafes.open_round(store, old.id, round_.id)
    add_idea(store, old, "Ancienne idée")
    recent, _ = make_cafe(store)
    add_idea(store, recent, "Idée récente")
    documents.generate(store, old.id, "synthese", render=renderer(**OPTIONS))
    report = rgpd.purge_expired(store, 365, today=date(2026, 12, 1))
    assert (report.cafes, report.contributions) == (["Ancien"], 1)
    assert committed(store).contributions.in_cafe(old.id, include_deleted=True) == []
    assert len(committed(store).contributions.in_cafe(recent.id)) == 1
    assert [d.kind for d in committed(store).documents.in_cafe(old.id)] == ["synthese"]
    with pytest.raises(InvalidInput):
        rgpd.purge_expired(store, 0)


# -- erasure is complete: no copy of the erased text anywhere in the database files -----------------
PLANTED = "Zorglubette"  # a word no other text, label or setting of these tests contains


# The file of every table of the test's schema, of their TOAST tables, and of all their indexes.
SCHEMA_FILES = """
WITH tables AS (
    SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r'
), relations AS (
    SELECT oid FROM tables
    UNION SELECT reltoastrelid FROM pg_class WHERE oid IN (SELECT oid FROM tables) AND reltoastrelid <> 0
)
SELECT pg_relation_filepath(oid) FROM relations
UNION SELECT pg_relation_filepath(indexrelid) FROM pg_index WHERE indrelid IN (SELECT oid FROM relations)
"""


def database_bytes(store) -> bytes:
    """Every byte the database keeps on disk for this store, read from its files.

    SQLite: the database file, after a TRUNCATE checkpoint (the -wal then holds nothing). PostgreSQL:
    the files of every table, TOAST table and index of the test's schema, after a CHECKPOINT (which
    writes every page changed in memory); its WAL (pg_wal) is not read: see storage/erasure.py.
    """
    url = store.engine.url
    if store.engine.dialect.name == "sqlite":
        store.engine.dispose()
        with sqlite3.connect(url.database) as connection:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
        database = Path(url.database)
        return b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    with store.engine.connect() as connection:
        data = Path(connection.exec_driver_sql("SHOW data_directory").scalar_one())
        paths = connection.exec_driver_sql(SCHEMA_FILES).scalars().all()
        connection.exec_driver_sql("CHECKPOINT")
    assert len(paths) > 20  # every table, index and TOAST relation of the schema
    # Every fork (_fsm, _vm) and every 1 GB segment (.1, .2, …) of each relation.
    files = [data / p for p in paths]
    files += [f for p in files for pattern in ("_*", ".*") for f in p.parent.glob(p.name + pattern)]
    return b"".join(f.read_bytes() for f in files if f.exists())


def assert_no_copy(store, words: tuple[str, ...] = (PLANTED,)) -> None:
    """None of the words in the database files (read once: on PostgreSQL each read is a CHECKPOINT)."""
    found = database_bytes(store).lower()
    for word in words:
        # The search index keeps French stems (« zorglubet »): a prefix catches the word and its stem.
        at = found.find(word.lower()[:7].encode())
        assert at < 0, found[max(0, at - 300) : at + 100]


def cafe_quoting_a_word(store):
    """A café where one contribution, corrected by its captain, holds PLANTED; its word names a kept
    topic of the harvest (renamed), which a comment on the café's fiche and a document quote too."""
    cafe, _ = make_cafe(store)
    planted = add_idea(store, cafe, f"{PLANTED} au troisième : chauffage froid")
    others = [add_idea(store, cafe, t).id for t in ("Chauffage cher", "Ascenseur en panne")]
    planted = contributions.edit_contribution(
        store, table_code=cafes.get_table(store, cafe.id, 1).code, contribution_id=planted.id,
        text=f"{PLANTED} au quatrième : chauffage froid", max_chars=2000,
    )  # fmt: skip
    with store:
        store.vectors.save("modèle", {planted.id: (text_key(planted.text), np.ones(8))})
    scope = harvest.scope_of([cafe.id])
    version = harvest.run_harvest(store, KeywordGrouper([f"{PLANTED.lower()} chauffage", "ascenseur"]), scope)
    assert version.topics[0].label == PLANTED
    harvest.rename_topic(store, scope, version.topics[0].key, f"{PLANTED} et chauffage")
    harvest.set_kept(store, scope, [version.topics[0].key])
    ref = cafe_fiche_ref(cafe.id, version.topics[0].key)
    exchange.add_comment(store, ref, author="Claire", text=f"Mme dit « {PLANTED} », à vérifier")
    # Saves the fiche, whose default « suite proposée » quotes the topic's name.
    exchange.decide(
        store, ref, status="en étude", committee=Committee.SERVICES_QUALITE.value, decided_by="Karim",
        note=f"Voir {PLANTED} avec le gardien",
    )  # fmt: skip
    assert PLANTED in committed(store).documents.fiches(cafe.id)[0].follow_up
    documents.generate(store, cafe.id, "cafe_json", render=renderer(**OPTIONS))
    assert PLANTED.encode() in database_bytes(store)  # the check below reads where the copies are
    return cafe, planted, others, scope


def test_erasing_a_contribution_leaves_no_copy_of_its_text_in_the_database_files(store):
    cafe, planted, others, scope = cafe_quoting_a_word(store)
    # The audit log never copies the words: not a correction's, a harvest note's nor a fiche title's.
    logged = audit.audit_records(store, timezone="Europe/Paris")
    assert [e for e in logged if PLANTED.lower() in (e["objet"] + e["details"]).lower()] == []
    with acting_as("organisateur"):
        rgpd.erase_contribution(store, cafe.id, planted.id)
    assert_no_copy(store)
    assert committed(store).vectors.load("modèle", {planted.id: text_key(planted.text)}) == {}
    # What stays: the other contributions and topics, a topic name without the erased word, and
    # who erased which contribution, and when.
    assert [c.id for c in committed(store).contributions.in_cafe(cafe.id)] == others
    assert harvest.latest_version(store, scope).topics[0].label == f"{rgpd.ERASED_WORD} et chauffage"
    events = audit.audit_records(store, timezone="Europe/Paris")
    assert (events[0]["acteur"], events[0]["action"], events[0]["objet"]) == (
        "organisateur", "contribution effacée (demande RGPD)", planted.id,
    )  # fmt: skip
    corrected = [(e["acteur"], e["objet"]) for e in events if e["action"] == "contribution modifiée"]
    assert corrected == [("capitaine, table 1", planted.id)]


def test_erasing_a_cafe_leaves_no_copy_of_its_texts_in_the_database_files(store):
    cafe, _, _, _ = cafe_quoting_a_word(store)
    rgpd.erase_cafe(store, cafe.id, confirm_title="Café des Tilleuls")
    assert_no_copy(store, (PLANTED, "troisi"))  # the text before the captain's correction too
    actions = [e["action"] for e in audit.audit_records(store, timezone="Europe/Paris")]
    assert actions[0] == "café effacé" and "contribution ajoutée" in actions  # who did what stays


def test_the_retention_purge_leaves_no_copy_of_the_raw_contributions(store):
    old = cafes.create_cafe(
        store, cafes.CafeDetails(title="Ancien", held_on=date(2024, 1, 10), theme="autre", commune="Lyon")
    )
    cafes.add_table(store, old.id, number=1)
    cafes.open_round(store, old.id, cafes.add_round(store, old.id, question="Q ?", planned_minutes=5).id)
    idea = add_idea(store, old, f"{PLANTED} au premier")
    contributions.edit_contribution(
        store, table_code=cafes.get_table(store, old.id, 1).code, contribution_id=idea.id,
        text=f"{PLANTED} au second", max_chars=2000,
    )  # fmt: skip
    rgpd.purge_expired(store, 365, today=date(2026, 12, 1))
    assert_no_copy(store)


def test_corrections_logged_before_lose_their_text_when_the_schema_is_upgraded(empty_database_url):
    engine = create_db_engine(empty_database_url)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
        connection.execute(
            insert(audit_log),
            [
                {"at": datetime(2026, 11, 26, 9, tzinfo=UTC), "actor": "capitaine, table 1", "action": action,
                 "cafe_id": "c", "target": target, "details": details}
                for action, target, details in (
                    ("contribution modifiée", "x", f"avant : « {PLANTED} » ; après : « Bonjour »"),
                    ("contribution modifiée", "x", "texte inchangé (type, profil ou nombre d'accord)"),
                    ("récolte enregistrée", "version 2", f"« {PLANTED} » renommé en « Froid »"),
                    ("fiche commentée", PLANTED, ""),
                    ("décision sur une fiche", PLANTED, "en étude · Comité Services et Qualité · Karim"),
                    ("tour ajouté", "Que changer dans le hall ?", ""),
                )
            ],
        )  # fmt: skip
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(select(audit_log.c.target, audit_log.c.details).order_by(audit_log.c.id))
        rows = [tuple(row) for row in rows]
    engine.dispose()
    assert rows == [
        ("x", "texte corrigé"),
        ("x", "texte inchangé (type, profil ou nombre d'accord)"),
        ("version 2", ""),
        ("", ""),
        ("", "en étude · Comité Services et Qualité · Karim"),  # who decided stays
        ("Que changer dans le hall ?", ""),  # the organiser's own words, no resident's
    ]


def test_the_wipe_waits_for_a_reader_that_began_before_the_erasure(store):
    # A transaction older than the erasure may still read the row: PostgreSQL's VACUUM FULL then
    # copies it, text included, and SQLite's checkpoint cannot empty the WAL. The wipe waits for it.
    cafe, _ = make_cafe(store)
    planted = add_idea(store, cafe, f"{PLANTED} dans le hall")
    reader = store.engine.connect().execution_options(cafe_read_only=True)  # SQLite: a snapshot
    if store.engine.dialect.name == "postgresql":
        reader = reader.execution_options(isolation_level="REPEATABLE READ")  # one snapshot throughout
    reader.begin()
    # A table the wipe does not rewrite: the reader's snapshot, not a lock, is what holds the rows.
    assert reader.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar_one() == 1
    ended = threading.Timer(1.0, reader.close)  # closing rolls the reader's transaction back
    ended.start()
    try:
        rgpd.erase_contribution(store, cafe.id, planted.id)
    finally:
        ended.join()
    if store.engine.dialect.name == "sqlite":  # emptied by the wipe itself, once the reader was gone
        assert Path(store.engine.url.database + "-wal").stat().st_size == 0
    assert_no_copy(store)


@pytest.mark.parametrize("holder", ["reader", "writer"])
def test_a_transaction_open_past_the_wait_is_logged_and_the_next_erasure_takes_its_copies(
    postgres_url, monkeypatch, holder
):
    # A reader holds a snapshot; a writer idle in its transaction holds none between statements
    # (pg_stat_activity shows its backend_xid, not a backend_xmin) but its running transaction id
    # keeps VACUUM FULL from dropping the rows deleted after it began, just the same.
    monkeypatch.setattr(erasure, "SNAPSHOT_WAIT_SECONDS", 0.3)
    store = open_store(postgres_url)
    try:
        cafe, _ = make_cafe(store)
        planted, other = (add_idea(store, cafe, t) for t in (f"{PLANTED} dans le hall", "Le parking"))
        if holder == "reader":
            reader = store.engine.connect().execution_options(isolation_level="REPEATABLE READ")
            reader.begin()
            reader.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar_one()
        else:
            reader = store.engine.connect()
            reader.begin()
            reader.exec_driver_sql("SELECT pg_current_xact_id()").scalar_one()  # a transaction id, now
        rgpd.erase_contribution(store, cafe.id, planted.id)
        reader.close()
        latest = audit.audit_records(store, timezone="Europe/Paris")[0]
        assert (latest["action"], latest["cafe_id"]) == ("effacement : fichiers à réécrire", cafe.id)
        assert PLANTED.encode() in database_bytes(store)  # the reader's copy, kept by VACUUM FULL
        rgpd.erase_contribution(store, cafe.id, other.id)
        assert_no_copy(store)
    finally:
        store.engine.dispose()
