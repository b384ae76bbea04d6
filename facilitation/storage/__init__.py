"""Storage behind a small interface: `open_store(url)` gives a migrated, ready Store."""

from __future__ import annotations

from facilitation.storage.base import Store
from facilitation.storage.engine import create_db_engine, migrate, safe_url
from facilitation.storage.sql import SqlStore


def open_store(database_url: str, link_secret: str = "") -> SqlStore:
    """Connect to the database, create or upgrade its schema, and return the store.

    `link_secret` is CAFE_LINK_SECRET: when given, it signs resident links instead of the
    secret kept in the database."""
    engine = create_db_engine(database_url)
    migrate(engine)
    return SqlStore(engine, link_secret)


__all__ = ["SqlStore", "Store", "open_store", "safe_url"]
