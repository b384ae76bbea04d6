"""Storage behind a small interface: `open_store(url)` gives a migrated, ready unit of work."""

from __future__ import annotations

from facilitation.storage.base import UnitOfWork
from facilitation.storage.engine import create_db_engine, migrate, safe_url
from facilitation.storage.unit_of_work import SqlUnitOfWork


def open_store(database_url: str, link_secret: str = "", *, deferred_reads: bool = True) -> SqlUnitOfWork:
    """Connect to the database, create or upgrade its schema, and return the unit of work.

    `link_secret` is CAFE_LINK_SECRET: when given, it signs resident links instead of the
    secret kept in the database. `deferred_reads=False` makes SQLite read-only transactions take
    the write lock too (see ui/runtime.py)."""
    engine = create_db_engine(database_url)
    migrate(engine)
    return SqlUnitOfWork(engine, link_secret, deferred_reads=deferred_reads)


__all__ = ["SqlUnitOfWork", "UnitOfWork", "open_store", "safe_url"]
