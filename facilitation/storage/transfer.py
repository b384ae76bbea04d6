"""Whole tables as plain JSON-able rows: one café (transfer between installations) or everything
(backup). Loading inserts rows that are not there yet, by primary key: loading twice changes
nothing, ids are preserved, and a laptop's café can move to head office's PostgreSQL."""

from __future__ import annotations

import base64
from datetime import date, datetime

from sqlalchemy import Date, Engine, LargeBinary, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from facilitation.storage.schema import (
    UTCDateTime,
    app_secrets,
    audit_log,
    cafe_tables,
    cafes,
    contributions,
    documents,
    fiches,
    harvest_versions,
    harvests,
    login_attempts,
    masked_names,
    metadata,
    rounds,
    supports,
)

FORMAT = "cafe-concertation-dump/1"
# Parents before children, so that foreign keys hold while loading.
CAFE_TABLES = (cafes, rounds, cafe_tables, contributions, supports, fiches, documents, masked_names)
# What a backup holds besides the cafés: the link secret (old QR codes keep working) and the logs.
GLOBAL_TABLES = (app_secrets, harvests, harvest_versions, audit_log, login_attempts)


def _encode(table: Table, row) -> dict:
    encoded = {}
    for column in table.columns:
        value = row._mapping[column.name]
        if value is None:
            encoded[column.name] = None
        elif isinstance(column.type, LargeBinary):
            encoded[column.name] = base64.b64encode(value).decode()
        elif isinstance(value, datetime | date):
            encoded[column.name] = value.isoformat()
        else:
            encoded[column.name] = value
    return encoded


def _decode(table: Table, row: dict) -> dict:
    decoded = {}
    for column in table.columns:
        value = row.get(column.name)
        if value is not None and isinstance(column.type, LargeBinary):
            value = base64.b64decode(value)
        elif value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        decoded[column.name] = value
    return decoded


def _harvests_of(connection, cafe_id: str) -> list[str]:
    return [
        row.id
        for row in connection.execute(select(harvests.c.id, harvests.c.scope)).all()
        if row.scope.get("cafe_ids") == [cafe_id]
    ]


def dump(engine: Engine, cafe_id: str | None = None) -> dict:
    """Rows of one café (with its single-café harvests) or of the whole database."""
    rows: dict[str, list[dict]] = {}
    with engine.connect() as connection:
        if cafe_id is None:
            for table in metadata.sorted_tables:
                rows[table.name] = [_encode(table, r) for r in connection.execute(select(table)).all()]
        else:
            contribution_ids = select(contributions.c.id).where(contributions.c.cafe_id == cafe_id)
            harvest_ids = _harvests_of(connection, cafe_id)
            queries = {
                supports: select(supports).where(supports.c.contribution_id.in_(contribution_ids)),
                cafes: select(cafes).where(cafes.c.id == cafe_id),
                harvests: select(harvests).where(harvests.c.id.in_(harvest_ids)),
                harvest_versions: select(harvest_versions).where(
                    harvest_versions.c.harvest_id.in_(harvest_ids)
                ),
            }
            for table in (*CAFE_TABLES, harvests, harvest_versions):
                query = queries.get(table, select(table).where(table.c.get("cafe_id") == cafe_id))
                rows[table.name] = [_encode(table, r) for r in connection.execute(query).all()]
    return {"format": FORMAT, "cafe_id": cafe_id, "tables": rows}


def load(engine: Engine, payload: dict) -> dict[str, int]:
    """Insert the rows that are missing (by primary key or unique key); returns rows added per table."""
    if payload.get("format") != FORMAT:
        raise ValueError("format de fichier inconnu")
    module = postgresql if engine.dialect.name == "postgresql" else sqlite
    added: dict[str, int] = {}
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            for row in payload["tables"].get(table.name, []):
                statement = (
                    module.insert(table)
                    .values(**_decode(table, row))
                    .on_conflict_do_nothing()
                    .returning(*table.primary_key.columns)  # rowcount is not reliable on psycopg
                )
                inserted = connection.execute(statement).first() is not None
                added[table.name] = added.get(table.name, 0) + int(inserted)
        if engine.dialect.name == "postgresql":
            # Rows came with their integer ids: move the sequences past them.
            for table in (audit_log, login_attempts):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
    return added
