"""Whole tables as plain JSON-able rows: one café (transfer between installations) or everything
(backup). Loading checks the whole file first (see validation.py), then inserts the rows that are
not there yet, by primary key: loading twice changes nothing, ids are preserved, and a laptop's
café can move to head office's PostgreSQL. Erased contributions and cafés never come back."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, Date, LargeBinary, Table, and_, func, select
from sqlalchemy.dialects import postgresql, sqlite

from facilitation.adapters.storage.harvests import scrubbed_payload
from facilitation.adapters.storage.schema import (
    UTCDateTime,
    audit_log,
    cafe_tables,
    cafes,
    contributions,
    erased_records,
    harvest_versions,
    harvests,
    installation_values,
    login_attempts,
    saved_tables,
    supports,
)
from facilitation.adapters.storage.validation import CAFE_TABLES, FORMAT, ImportRefused, validate
from facilitation.domain.access import new_table_code


@dataclass
class LoadReport:
    """Rows added per table, how many erased contributions or cafés the file tried to bring back,
    and the captain codes renewed because another table of the database already had them."""

    added: dict[str, int] = field(default_factory=dict)
    skipped_erased: int = 0
    renewed_codes: list[tuple[int, str, str]] = field(default_factory=list)  # (table number, old, new)

    @property
    def total(self) -> int:
        return sum(self.added.values())


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
        if value is None and column.server_default is not None:
            continue  # a file from before the column existed: the database's default applies
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


def dump(connection: Connection, cafe_id: str | None = None) -> dict:
    """Rows of one café (with its single-café harvests and erasures) or of the whole database, read
    in the caller's transaction."""
    rows: dict[str, list[dict]] = {}
    if cafe_id is None:
        for table in saved_tables():
            rows[table.name] = [_encode(table, r) for r in connection.execute(select(table)).all()]
    else:
        contribution_ids = select(contributions.c.id).where(contributions.c.cafe_id == cafe_id)
        harvest_ids = _harvests_of(connection, cafe_id)
        queries = {
            supports: select(supports).where(supports.c.contribution_id.in_(contribution_ids)),
            cafes: select(cafes).where(cafes.c.id == cafe_id),
            harvests: select(harvests).where(harvests.c.id.in_(harvest_ids)),
            harvest_versions: select(harvest_versions).where(harvest_versions.c.harvest_id.in_(harvest_ids)),
        }
        for table in (*CAFE_TABLES, harvests, harvest_versions, erased_records):
            query = queries.get(table, select(table).where(table.c.get("cafe_id") == cafe_id))
            rows[table.name] = [_encode(table, r) for r in connection.execute(query).all()]
    return {"format": FORMAT, "cafe_id": cafe_id, "tables": rows}


def load(
    connection: Connection, payload: object, *, transfer: bool, max_text_chars: int, now: datetime
) -> LoadReport:
    """Check the whole file, then insert the missing rows, in the caller's writer transaction.

    Raises validation.ImportRefused when any row breaks a rule: the caller's transaction then rolls
    back, so nothing is written.
    """
    dialect = connection.dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    report = LoadReport()
    payload = _renamed_tables(payload)
    validate(connection, payload, transfer=transfer, max_text_chars=max_text_chars, now=now)
    tables = payload["tables"]
    erased = {r.id for r in connection.execute(select(erased_records.c.id))}
    erased |= {row["id"] for row in tables.get(erased_records.name, [])}
    for table in saved_tables():
        for index, row in enumerate(tables.get(table.name, []), start=1):
            if _erased(table, row, erased):
                report.skipped_erased += table in (contributions, cafes)
                if isinstance(row.get("id"), str):
                    erased.add(row["id"])  # so that its children are skipped too
                continue
            if table is harvest_versions:
                row = {**row, "payload": scrubbed_payload(row, erased)}
            elif table is cafe_tables:
                row = _with_free_code(connection, row, report)
            elif table is contributions and row.get("builds_on") in erased:
                row = {**row, "builds_on": None}  # the idea it built on was erased here
            elif table is audit_log:
                inserted = _add_audit_line(connection, module, row)
                report.added[table.name] = report.added.get(table.name, 0) + int(inserted)
                continue
            values = _decode(table, row)
            statement = (
                module.insert(table)
                .values(**values)
                .on_conflict_do_nothing()
                .returning(*table.primary_key.columns)  # rowcount is not reliable on psycopg
            )
            inserted = connection.execute(statement).first() is not None
            if not inserted and not _present(connection, table, values):
                # Ignored for clashing with another row on a unique column, not for being there
                # already: loading on would leave a hole (a café without its tables).
                raise ImportRefused(
                    [f"{table.name}, ligne {index} : une autre ligne de la base a déjà les mêmes valeurs"]
                )
            report.added[table.name] = report.added.get(table.name, 0) + int(inserted)
    if dialect == "postgresql":
        # Rows came with their integer ids: move the sequences past them.
        for table in (audit_log, login_attempts):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
    return report


# Tables renamed since files were first written (old name → new): a file keeps the name of its day.
RENAMED_TABLES = {"app_secrets": installation_values.name}  # migration 0018


def _renamed_tables(payload: object) -> object:
    """The file with the tables it names under an old name given their current one."""
    if not isinstance(payload, dict) or not isinstance(payload.get("tables"), dict):
        return payload  # `validate` says what is wrong with it
    renamed = dict(payload["tables"])
    for old, new in RENAMED_TABLES.items():
        if old in renamed and new not in renamed:
            renamed[new] = renamed.pop(old)
    return {**payload, "tables": renamed}


def _erased(table: Table, row: dict, erased: set[str]) -> bool:
    """Rows of an erased café or contribution, and every row hanging from them."""
    if table is erased_records:
        return False
    if table is harvests:
        return any(cafe_id in erased for cafe_id in row["scope"]["cafe_ids"])
    return any(row.get(key) in erased for key in ("id", "cafe_id", "contribution_id", "harvest_id"))


def _present(connection, table: Table, values: dict) -> bool:
    """Whether the row's primary key is already in the table."""
    key = [column == values.get(column.name) for column in table.primary_key.columns]
    return connection.execute(select(1).select_from(table).where(and_(*key))).first() is not None


def _with_free_code(connection, row: dict, report: LoadReport) -> dict:
    """The table's row, with a new captain code when another table of the database has its code.

    Codes are unique across the installation (a captain types only the code): a café coming from
    another installation may carry a code already given here. Its captain gets a new one."""
    holder = connection.execute(select(cafe_tables.c.id).where(cafe_tables.c.code == row["code"])).scalar()
    if holder is None or holder == row["id"]:
        return row
    if connection.execute(select(cafe_tables.c.id).where(cafe_tables.c.id == row["id"])).first():
        return row  # already loaded with a renewed code: nothing to do
    taken = True
    while taken:
        code = new_table_code()
        taken = connection.execute(select(cafe_tables.c.id).where(cafe_tables.c.code == code)).first()
    report.renewed_codes.append((row["number"], row["code"], code))
    return {**row, "code": code}


_AUDIT_CONTENT = ("at", "actor", "action", "cafe_id", "target", "details")


def _add_audit_line(connection, module, row: dict) -> bool:
    """Add an audit line unless the same event is already logged; True when added.

    Lines are the same event when their content is, whatever their numbers: restoring into a
    database with its own log keeps both logs whole (a clashing number gets a new one)."""
    values = _decode(audit_log, row)
    same = [audit_log.c[name] == values.get(name) for name in _AUDIT_CONTENT]
    if connection.execute(select(1).select_from(audit_log).where(and_(*same))).first() is not None:
        return False
    number = values.get("id")
    if number is None or connection.execute(select(1).where(audit_log.c.id == number)).first():
        # Numbered here, not by the sequence: a later line of the file may bring the next number.
        values["id"] = (connection.execute(select(func.max(audit_log.c.id))).scalar() or 0) + 1
    connection.execute(module.insert(audit_log).values(**values))
    return True
