"""Checking a backup or a café transfer before anything is written.

Every row is held to the rules live input follows: types and lengths of the schema, the
vocabularies of the domain, characters people may type, timestamps not in the future, foreign
keys that resolve (in the file or in the database). A café transfer carries one café's rows only,
never secrets, login attempts or audit lines, and may not write into a different existing café.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.engine import Connection

from facilitation.adapters.photos import has_metadata
from facilitation.adapters.storage.schema import (
    UTCDateTime,
    cafe_tables,
    cafes,
    contributions,
    documents,
    erased_records,
    fiches,
    harvest_versions,
    harvests,
    masked_names,
    rounds,
    saved_tables,
    supports,
    tablecloths,
    votes,
)
from facilitation.domain import actors
from facilitation.domain.model import (
    Committee,
    FicheStatus,
    Kind,
    Profile,
    Source,
    Theme,
    forbidden_character,
)
from facilitation.services import audit, public_address

FORMAT = "cafe-concertation-dump/1"
SHOWN_ERRORS = 8
# Clocks of two machines differ a little: a row stamped a few minutes ahead is not a forgery.
CLOCK_SKEW = timedelta(minutes=10)
# Parents before children, so that foreign keys hold while loading.
CAFE_TABLES = (
    cafes,
    rounds,
    cafe_tables,
    contributions,
    supports,
    votes,
    fiches,
    documents,
    masked_names,
    tablecloths,
)
TRANSFER_TABLES = frozenset(t.name for t in (*CAFE_TABLES, harvests, harvest_versions, erased_records))
TABLES_BY_NAME = {table.name: table for table in saved_tables()}

_ID = re.compile(r"[0-9a-f]{32}")
_TABLE_CODE = re.compile(r"[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{32,200}")
# The keys of exports.documents.DOCUMENT_KINDS (facilitation never imports exports); a test keeps
# them equal.
DOCUMENT_KINDS = frozenset(
    (
        "synthese",
        "fiches",
        "cartes",
        "affiche_qr",
        "contributions_csv",
        "contributions_xlsx",
        "groupes_csv",
        "cafe_json",
    )
)


class ImportRefused(Exception):
    """The file breaks at least one rule; `errors` lists them in French, in file order."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _choices(*vocabularies) -> dict[str, frozenset[str]]:
    return {column: frozenset(member.value for member in vocabulary) for column, vocabulary in vocabularies}


# Closed vocabularies, column by column; None stays allowed where the column is nullable.
VOCABULARIES: dict[str, dict[str, frozenset[str]]] = {
    "cafes": _choices(("theme", Theme)),
    "contributions": _choices(("kind", Kind), ("profile", Profile), ("source", Source)),
    "fiches": _choices(("committee", Committee), ("status", FicheStatus)),
    "documents": {"kind": DOCUMENT_KINDS},
    "erased_records": {"kind": frozenset(("contribution", "cafe"))},
    "installation_values": {"name": frozenset(("link_secret", public_address.STORED_NAME))},
    "audit_log": {"action": audit.ACTIONS},
}
# Whole-number ranges of the live use cases.
RANGES: dict[tuple[str, str], tuple[int, int]] = {
    ("rounds", "position"): (1, 999),
    ("rounds", "planned_minutes"): (1, 240),
    ("cafe_tables", "number"): (1, 999),
    ("cafe_tables", "link_generation"): (0, 1_000_000),
    ("cafes", "wall_generation"): (0, 1_000_000),
    ("contributions", "agreement_count"): (0, 500),
    ("harvest_versions", "number"): (1, 1_000_000),
    ("documents", "version"): (1, 1_000_000),
    ("login_attempts", "succeeded"): (0, 1),
    ("masked_names", "confirmed"): (0, 1),
    ("tablecloths", "position"): (1, 1_000_000),
}
# Text people typed that may not be empty.
REQUIRED_TEXT = {
    ("cafes", "title"),
    ("rounds", "question"),
    ("contributions", "text"),
    ("masked_names", "name"),
}
# Lengths the live use cases allow for unbounded text columns (contributions: the setting).
TEXT_LIMITS = {("cafes", "description"): 2000, ("rounds", "question"): 500, ("fiches", "follow_up"): 2000}
# Free text allowed to span lines; everything else is a one-line label.
MULTILINE = {
    ("cafes", "description"),
    ("rounds", "question"),
    ("contributions", "text"),
    ("fiches", "follow_up"),
    ("harvest_versions", "note"),
    ("audit_log", "details"),
}


def validate(
    connection: Connection,
    payload: object,
    *,
    transfer: bool,
    max_text_chars: int,
    now: datetime,
) -> None:
    """Raise ImportRefused listing the first errors, or return when every row may be loaded."""
    errors: list[str] = []
    for error in _errors(connection, payload, transfer=transfer, max_text_chars=max_text_chars, now=now):
        errors.append(error)
        if len(errors) > SHOWN_ERRORS:
            break
    if errors:
        raise ImportRefused(errors)


def _errors(connection, payload, *, transfer, max_text_chars, now) -> Iterator[str]:
    if not isinstance(payload, dict):
        yield "le fichier ne contient pas un objet JSON"
        return
    if payload.get("format") != FORMAT:
        yield f"format de fichier inconnu (attendu : {FORMAT})"
        return
    tables = payload.get("tables")
    if not isinstance(tables, dict):
        yield "la clé « tables » manque ou n'est pas un objet"
        return
    structure = list(_structure_errors(tables, transfer))
    if structure:
        yield from structure
        return
    row_errors = False
    for name, rows in tables.items():
        table = TABLES_BY_NAME[name]
        for index, row in enumerate(rows, start=1):
            for message in _row_errors(table, row, max_text_chars=max_text_chars, now=now):
                row_errors = True
                yield f"{name}, ligne {index} : {message}"
    if row_errors:  # the checks across rows below assume well-formed rows
        return
    yield from _duplicate_errors(tables)
    if transfer:
        yield from _transfer_errors(connection, payload, tables)
    yield from _reference_errors(connection, tables)


def _duplicate_errors(tables: dict) -> Iterator[str]:
    """Two rows of the file sharing what must be unique (two tables with one captain code)."""
    for name, rows in tables.items():
        table = TABLES_BY_NAME[name]
        if name == "audit_log":
            continue  # its lines are matched by content when loaded, whatever their numbers
        unique = (UniqueConstraint, PrimaryKeyConstraint)
        keys = {tuple(c.name for c in k.columns) for k in table.constraints if isinstance(k, unique)}
        keys |= {(c.name,) for c in table.columns if c.unique}
        for key in sorted(keys):
            seen: set[tuple] = set()
            for index, row in enumerate(rows, start=1):
                values = tuple(row.get(column) for column in key)
                if None in values:
                    continue
                if values in seen:
                    yield f"{name}, ligne {index} : {', '.join(key)} déjà présent plus haut dans le fichier"
                    break
                seen.add(values)


def _structure_errors(tables: dict, transfer: bool) -> Iterator[str]:
    for name, rows in tables.items():
        if name not in TABLES_BY_NAME:
            yield f"table inconnue « {name} »"
        elif transfer and name not in TRANSFER_TABLES:
            yield f"un transfert de café ne peut pas contenir la table « {name} »"
        elif not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            yield f"{name} : une liste de lignes (objets) est attendue"


def _row_errors(table: Table, row: dict, *, max_text_chars: int, now: datetime) -> Iterator[str]:
    unknown = set(row) - set(table.columns.keys())
    if unknown:
        yield f"{'colonne inconnue' if len(unknown) == 1 else 'colonnes inconnues'} {sorted(unknown)}"
    for column in table.columns:
        value = row.get(column.name)
        where = column.name
        if value is None:
            if not column.nullable and column.server_default is None and not _is_serial(column):
                yield f"{where} manque"
            continue
        message = _check_for(column.type)(table.name, column, value, max_text_chars, now)
        if message:
            yield f"{where} : {message}"
    yield from _rules_across_columns(table.name, row)


def _rules_across_columns(table_name: str, row: dict) -> Iterator[str]:
    """Rules where one column says how to read another."""
    if table_name == "installation_values" and isinstance(row.get("value"), str):
        if row.get("name") == "link_secret" and not _SECRET.fullmatch(row["value"]):
            yield "value : secret mal formé"
        elif row.get("name") == public_address.STORED_NAME and public_address.address_problem(row["value"]):
            yield "value : adresse publique mal formée"
    if table_name == "tablecloths" and isinstance(row.get("content"), str):
        try:
            content = base64.b64decode(row["content"], validate=True)
        except (binascii.Error, ValueError):
            content = None  # said once, by the column's own check
        if content is not None and has_metadata(content):
            # Only prepare_photo writes these: a photo carrying EXIF, XMP or ICC data was not.
            yield "content : photo de nappe avec des métadonnées (ou qui n'est pas un JPEG)"
    actor = row.get("actor")
    if table_name == "audit_log" and isinstance(actor, str) and not actors.known_actor(actor):
        # Only the app writes this log: a line naming someone the app never names was forged.
        yield f"actor : auteur « {actor[:40]} » inconnu de l'application"


def _is_serial(column) -> bool:
    return column.primary_key and isinstance(column.type, Integer)


def _check_for(column_type) -> Callable:
    for kind, check in _CHECKS.items():
        if isinstance(column_type, kind):
            return check
    return lambda *_: None


def _check_text(table_name, column, value, max_text_chars, _now) -> str | None:
    if not isinstance(value, str):
        return "texte attendu"
    limit = column.type.length or TEXT_LIMITS.get((table_name, column.name), 100_000)
    if (table_name, column.name) == ("contributions", "text"):
        limit = max_text_chars
    if len(value) > limit:
        return f"trop long ({len(value)} caractères pour {limit} au plus)"
    if (table_name, column.name) in REQUIRED_TEXT and not value.strip():
        return "vide"
    forbidden = forbidden_character(value)
    if forbidden is None and "\n" in value and (table_name, column.name) not in MULTILINE:
        forbidden = "\n"
    if forbidden is not None:
        return f"caractère interdit (code {ord(forbidden):#06x})"
    if column.name in ("id", "cafe_id", "round_id", "table_id", "contribution_id", "harvest_id", "builds_on"):
        if not _ID.fullmatch(value):
            return "identifiant mal formé"
    allowed = VOCABULARIES.get(table_name, {}).get(column.name)
    if allowed is not None and value not in allowed:
        return f"valeur « {value[:40]} » hors de la liste ({', '.join(sorted(allowed))})"
    if (table_name, column.name) == ("cafe_tables", "code") and not _TABLE_CODE.fullmatch(value):
        return "code capitaine mal formé (6 caractères parmi A–Z sans I, L, O et 2–9)"
    return None


def _check_integer(table_name, column, value, _max, _now) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "nombre entier attendu"
    low, high = RANGES.get((table_name, column.name), (0, 2**31 - 1))
    if not low <= value <= high:
        return f"{value} hors de l'intervalle {low}–{high}"
    return None


def _check_boolean(_table, _column, value, _max, _now) -> str | None:
    return None if isinstance(value, bool) else "vrai ou faux attendu"


def _check_moment(_table, _column, value, _max, now) -> str | None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return "date et heure ISO avec fuseau attendues"
    if moment > now + CLOCK_SKEW:
        return f"date dans le futur ({value[:19]})"
    return None


def _check_date(_table, _column, value, _max, _now) -> str | None:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return "date ISO attendue"
    return None


def _check_binary(_table, _column, value, _max, _now) -> str | None:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, TypeError, ValueError):
        return "contenu base64 illisible"
    return None


def _check_json(table_name, column, value, _max, _now) -> str | None:
    if table_name == "harvests" and column.name == "scope":
        ok = isinstance(value, dict) and isinstance(value.get("cafe_ids"), list)
        ok = ok and all(isinstance(c, str) and _ID.fullmatch(c) for c in value["cafe_ids"])
        return None if ok else "périmètre de récolte illisible"
    if table_name == "harvest_versions" and column.name == "payload":
        return _harvest_payload_error(value)
    return None


def _harvest_payload_error(payload) -> str | None:
    if not isinstance(payload, dict) or not isinstance(payload.get("topics"), list):
        return "contenu de récolte illisible"
    unmatched = payload.get("unmatched", [])
    if not isinstance(unmatched, list):
        return "contenu de récolte illisible"
    for topic in [*payload["topics"], *unmatched]:
        if not isinstance(topic, dict):
            return "groupe de récolte illisible"
        texts = [topic.get("label"), topic.get("key"), *(topic.get("keywords") or [None])]
        if not all(isinstance(t, str) and len(t) <= 200 and forbidden_character(t) is None for t in texts):
            return "libellé ou mot-clé de groupe invalide"
        ids = [*(topic.get("contribution_ids") or []), *(topic.get("representative_ids") or [])]
        if not all(isinstance(i, str) and _ID.fullmatch(i) for i in ids):
            return "identifiant de contribution invalide dans un groupe"
        if not isinstance(topic.get("kept"), bool) or not isinstance(topic.get("renamed"), bool):
            return "groupe de récolte illisible"
    if not isinstance(payload.get("set_aside"), list) or not isinstance(payload.get("coordinates"), dict):
        return "contenu de récolte illisible"
    loose = [*payload["set_aside"], *payload.get("unsorted", [])]
    if not isinstance(payload.get("unsorted", []), list) or not all(
        isinstance(i, str) and _ID.fullmatch(i) for i in loose
    ):
        return "identifiant de contribution invalide dans une récolte"
    if not isinstance(payload.get("method"), dict):
        return "méthode de récolte illisible"
    return None


_CHECKS: dict[type, Callable] = {
    String: _check_text,
    Text: _check_text,
    Boolean: _check_boolean,
    Integer: _check_integer,
    UTCDateTime: _check_moment,
    Date: _check_date,
    LargeBinary: _check_binary,
    JSON: _check_json,
}


def _transfer_errors(connection, payload: dict, tables: dict) -> Iterator[str]:
    cafe_id = payload.get("cafe_id")
    cafe_rows = tables.get("cafes", [])
    if not isinstance(cafe_id, str) or len(cafe_rows) != 1 or cafe_rows[0].get("id") != cafe_id:
        yield "un transfert contient exactement un café, celui qu'annonce « cafe_id »"
        return
    for name, rows in tables.items():
        table = TABLES_BY_NAME[name]
        if "cafe_id" in table.columns:
            if any(row.get("cafe_id") != cafe_id for row in rows):
                yield f"{name} : une ligne appartient à un autre café"
    for row in tables.get("harvests", []):
        if row.get("scope", {}).get("cafe_ids") != [cafe_id]:
            yield "harvests : une récolte couvre un autre café"
    stored = connection.execute(select(cafes).where(cafes.c.id == cafe_id)).first()
    if stored is not None and not _same_cafe(stored._mapping, cafe_rows[0]):
        yield (
            "un autre café de cette installation porte déjà cet identifiant : un transfert crée un "
            "café ou réimporte le même, il n'écrit jamais dans un café différent"
        )


def _same_cafe(stored, row: dict) -> bool:
    """The file's café is the stored one when its identity (creation time, title) matches."""
    created = row.get("created_at")
    try:
        created_at = datetime.fromisoformat(created) if isinstance(created, str) else None
    except ValueError:
        return False
    return created_at == stored["created_at"] and row.get("title") == stored["title"]


# (table, column) -> (parent table, parent column, columns that must agree with the parent's)
_REFERENCES = {
    ("rounds", "cafe_id"): ("cafes", ()),
    ("cafe_tables", "cafe_id"): ("cafes", ()),
    ("contributions", "cafe_id"): ("cafes", ()),
    ("contributions", "round_id"): ("rounds", ("cafe_id",)),
    ("contributions", "table_id"): ("cafe_tables", ("cafe_id",)),
    ("contributions", "builds_on"): ("contributions", ("cafe_id",)),  # may be empty
    ("supports", "contribution_id"): ("contributions", ()),
    ("votes", "cafe_id"): ("cafes", ()),
    ("fiches", "cafe_id"): ("cafes", ()),
    ("documents", "cafe_id"): ("cafes", ()),
    ("masked_names", "cafe_id"): ("cafes", ()),
    ("tablecloths", "cafe_id"): ("cafes", ()),
    ("tablecloths", "round_id"): ("rounds", ("cafe_id",)),
    ("tablecloths", "table_id"): ("cafe_tables", ("cafe_id",)),
    ("harvest_versions", "harvest_id"): ("harvests", ()),
}


def _reference_errors(connection, tables: dict) -> Iterator[str]:
    parents: dict[str, dict[str, dict]] = {}

    def parent_rows(name: str, ids: set[str]) -> dict[str, dict]:
        known = parents.setdefault(name, {r["id"]: r for r in tables.get(name, []) if "id" in r})
        missing = [i for i in ids if i not in known]
        if missing:
            table = TABLES_BY_NAME[name]
            for row in connection.execute(select(table).where(table.c.id.in_(missing))).all():
                known[row.id] = dict(row._mapping)
        return known

    for (child, column), (parent, agreeing) in _REFERENCES.items():
        rows = tables.get(child, [])
        known = parent_rows(parent, {row[column] for row in rows if isinstance(row.get(column), str)})
        for index, row in enumerate(rows, start=1):
            if row.get(column) is None and TABLES_BY_NAME[child].c[column].nullable:
                continue
            target = known.get(row.get(column))
            if target is None:
                yield f"{child}, ligne {index} : {column} ne désigne aucune ligne de {parent}"
            elif any(target.get(key) != row.get(key) for key in agreeing):
                yield f"{child}, ligne {index} : {column} désigne une ligne d'un autre café"
