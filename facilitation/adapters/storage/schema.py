"""SQLAlchemy table definitions (the source of truth for Alembic migrations)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Timestamps always stored and returned in UTC, even on SQLite which keeps no time zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(32)

# Values stored once for the whole installation: the link secret, the public address.
installation_values = Table(
    "installation_values",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)

cafes = Table(
    "cafes",
    metadata,
    Column("id", ID, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("residence", String(200), nullable=False, default=""),
    Column("quartier", String(200), nullable=False, default=""),
    Column("commune", String(200), nullable=False, default=""),
    Column("theme", String(60), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
    Column("archived_at", UTCDateTime),
    # Part of the signed wall link: raising it revokes the link projected or shared before.
    Column("wall_generation", Integer, nullable=False, default=0, server_default="0"),
    # Set while the organiser has the plenary vote on the wall's themes open (phones show them).
    Column("plenary_opened_at", UTCDateTime),
)

rounds = Table(
    "rounds",
    metadata,
    Column("id", ID, primary_key=True),
    Column("cafe_id", ID, ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("question", Text, nullable=False),
    Column("planned_minutes", Integer, nullable=False),
    Column("opened_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    UniqueConstraint("cafe_id", "position"),
)

cafe_tables = Table(
    "cafe_tables",
    metadata,
    Column("id", ID, primary_key=True),
    Column("cafe_id", ID, ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("name", String(200), nullable=False, default=""),
    Column("captain_name", String(200), nullable=False, default=""),
    Column("code", String(16), nullable=False, unique=True),
    # Part of the signed resident link: raising it revokes every QR code printed before.
    Column("link_generation", Integer, nullable=False, default=0, server_default="0"),
    UniqueConstraint("cafe_id", "number"),
)

contributions = Table(
    "contributions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("cafe_id", ID, ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False),
    Column("round_id", ID, ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
    Column("table_id", ID, ForeignKey("cafe_tables.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("kind", String(30)),
    Column("profile", String(60)),
    Column("agreement_count", Integer),
    Column("source", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime),
    Column("deleted_at", UTCDateTime),
    Column("author", String(32)),  # a phone's pseudonymous key: the same text twice is one idea
    # The idea of the same café, heard at another table or round, that this one builds on
    # (« je prolonge »). No foreign key: a transfer loads rows in any order, and erasing the idea
    # clears the links pointing to it (SqlContributionRepository.delete).
    Column("builds_on", ID),
    # Marked by a captain or the resident as a question that emerged (listed first in the synthesis).
    Column("emerging_question", Boolean, nullable=False, default=False, server_default=false()),
    Index("ix_contributions_cafe_round_table", "cafe_id", "round_id", "table_id"),
    Index("ix_contributions_builds_on", "builds_on"),
)

supports = Table(
    "supports",
    metadata,
    Column("contribution_id", ID, ForeignKey("contributions.id", ondelete="CASCADE"), nullable=False),
    Column("supporter", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("contribution_id", "supporter"),
)

# Opinions on an item: a contribution's id, or « theme:<harvest topic key> » for a plenary vote.
# A phone is one voter (its pseudonymous key) giving one opinion; a captain's show of hands is the
# voter « capitaine:table N » giving several. Replaced, never added to: one vote per voter per item.
votes = Table(
    "votes",
    metadata,
    Column("cafe_id", ID, ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False),
    Column("item", String(80), nullable=False),
    Column("voter", String(64), nullable=False),
    Column("table_number", Integer, nullable=False),
    Column("agree", Integer, nullable=False, default=0),
    Column("disagree", Integer, nullable=False, default=0),
    Column("unsure", Integer, nullable=False, default=0),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("cafe_id", "item", "voter"),
)

harvests = Table(
    "harvests",
    metadata,
    Column("id", ID, primary_key=True),
    # What was grouped: one café, one round, or several cafés; scope_key is its SHA-256.
    Column("scope_key", String(64), nullable=False, unique=True),
    Column("scope", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

harvest_versions = Table(
    "harvest_versions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("harvest_id", ID, ForeignKey("harvests.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("author", String(200), nullable=False),
    Column("note", Text, nullable=False),
    # Whole state of the grouping at this version: topics, members, set-aside, 2-D map, method.
    Column("payload", JSON, nullable=False),
    UniqueConstraint("harvest_id", "number"),
)

fiches = Table(
    "fiches",
    metadata,
    Column("cafe_id", ID, ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False),
    Column("topic_key", String(64), nullable=False),
    Column("follow_up", Text, nullable=False),
    Column("committee", String(80), nullable=False),
    Column("status", String(30), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("cafe_id", "topic_key"),
)

documents = Table(
    "documents",
    metadata,
    Column("id", ID, primary_key=True),
    Column("cafe_id", ID, ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("generated_at", UTCDateTime, nullable=False),
    Column("filename", String(200), nullable=False),
    Column("content", LargeBinary, nullable=False),
    UniqueConstraint("cafe_id", "kind", "version"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("action", String(60), nullable=False),
    Column("cafe_id", ID),  # no foreign key: the trace of a deleted café stays
    Column("target", String(200), nullable=False, default=""),
    Column("details", Text, nullable=False, default=""),
    Index("ix_audit_log_at", "at"),
)

masked_names = Table(
    "masked_names",
    metadata,
    Column("cafe_id", ID, ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(120), nullable=False),
    # A captain's flag waits for the organiser's confirmation before it masks anything.
    Column("confirmed", Integer, nullable=False, default=1, server_default="1"),
    PrimaryKeyConstraint("cafe_id", "name"),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("succeeded", Integer, nullable=False),
    # "organiser" (password) or "captain" (table code); who tried: network address and app session.
    Column("scope", String(20), nullable=False, default="organiser", server_default="organiser"),
    Column("address", String(64), nullable=False, default="", server_default=""),
    Column("session", String(64), nullable=False, default="", server_default=""),
    # A captain code's keyed hash (never the code): an address that opened this table before is
    # not delayed by others' failures. Empty for passwords.
    Column("code_key", String(32), nullable=False, default="", server_default=""),
    Index("ix_login_attempts_at", "at"),
    Index("ix_login_attempts_scope_at", "scope", "at"),
)

# Ids erased on request: a restore or a re-imported transfer never brings them back.
erased_records = Table(
    "erased_records",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", String(20), nullable=False),  # "contribution" or "cafe"
    Column("cafe_id", ID, nullable=False),  # no foreign key: the café itself may be erased
    Column("erased_at", UTCDateTime, nullable=False),
)

# -- the Atelier's exchange around fiches (fiches from the field, comments, committee decisions) --
# A fiche is named by a reference: "cafe/<cafe_id>/<topic_key>" for a café's retained topic,
# "terrain/<id>" for a fiche written from the field.
field_fiches = Table(
    "field_fiches",
    metadata,
    Column("id", ID, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("observation", Text, nullable=False),
    Column("author", String(120), nullable=False),
    Column("observed_on", Date, nullable=False),
    Column("place", String(200), nullable=False),
    Column("theme", String(60), nullable=False),
    Column("follow_up", Text, nullable=False),
    Column("committee", String(80), nullable=False),
    Column("status", String(30), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)


def _about_a_fiche(name: str, *columns: Column) -> Table:
    """A table of rows about a fiche, found by its reference (indexed), each row with its own id."""
    return Table(
        name,
        metadata,
        Column("id", ID, primary_key=True),
        Column("fiche_ref", String(120), nullable=False),
        *columns,
        Index(f"ix_{name}_fiche_ref", "fiche_ref"),
    )


fiche_comments = _about_a_fiche(
    "fiche_comments",
    Column("author", String(120), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("text", Text, nullable=False),
)

fiche_decisions = _about_a_fiche(
    "fiche_decisions",
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("decided_by", String(200), nullable=False),
    Column("committee", String(80), nullable=False),
    Column("status", String(30), nullable=False),
    Column("note", Text, nullable=False),
)

fiche_photos = _about_a_fiche(
    "fiche_photos",
    Column("position", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),  # JPEG, re-encoded: no metadata, bounded size
)

# Photos of the paper tablecloths, a few per table × round (facilitation/services/tablecloths.py): JPEG
# re-encoded without any metadata. Erased with their café, carried by backups and café transfers.
tablecloths = Table(
    "tablecloths",
    metadata,
    Column("id", ID, primary_key=True),
    Column("cafe_id", ID, ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False),
    Column("round_id", ID, ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
    Column("table_id", ID, ForeignKey("cafe_tables.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("content", LargeBinary, nullable=False),
    UniqueConstraint("round_id", "table_id", "position"),
    Index("ix_tablecloths_cafe_id", "cafe_id"),
)

# Sentence vectors of contributions, so that re-running a harvest encodes only new or edited texts.
# Derived data: tied to its contribution (erasing it erases them), never backed up or transferred.
contribution_vectors = Table(
    "contribution_vectors",
    metadata,
    Column("contribution_id", ID, ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(80), primary_key=True),
    Column("text_hash", String(64), nullable=False),  # of the text encoded (masked, as grouping reads it)
    Column("vector", LargeBinary, nullable=False),  # float32
)
DERIVED_TABLES = frozenset({contribution_vectors.name})

# Sign-ins of the organiser and the marketing team: a token is accepted only while its row is not
# ended (« Se déconnecter », « Déconnecter toutes les sessions »). Not data: never backed up.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("role", String(20), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
)

# Passwords chosen on the first-run page (a setting, CAFE_…_PASSWORD_HASH, still wins when set), and
# the one-time links that page opens with (only a SHA-256 of the token is kept). Credentials, not
# data: never backed up (a restored installation chooses its passwords on its own first run).
staff_passwords = Table(
    "staff_passwords",
    metadata,
    Column("role", String(20), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("chosen_at", UTCDateTime, nullable=False),
)
first_run_links = Table(
    "first_run_links",
    metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)
UNSAVED_TABLES = DERIVED_TABLES | {staff_sessions.name, staff_passwords.name, first_run_links.name}


def saved_tables() -> list[Table]:
    """The tables a backup holds, parents first: everything but derived data and sign-ins."""
    return [table for table in metadata.sorted_tables if table.name not in UNSAVED_TABLES]
