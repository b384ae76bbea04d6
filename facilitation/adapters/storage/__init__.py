"""Storage behind a small interface: `open_store(url)` gives a migrated, ready unit of work."""

from __future__ import annotations

from facilitation.adapters.clock import Clock, utcnow
from facilitation.adapters.storage.engine import create_db_engine, migrate, safe_url
from facilitation.adapters.storage.unit_of_work import SqlUnitOfWork
from facilitation.services.ports import UnitOfWork


def open_store(database_url: str, link_secret: str = "", clock: Clock = utcnow) -> SqlUnitOfWork:
    """Connect to the database, create or upgrade its schema, and return the unit of work.

    `link_secret` is CAFE_LINK_SECRET: when given, it signs resident links instead of the
    secret kept in the database; `clock` gives the time the use cases stamp records with."""
    engine = create_db_engine(database_url)
    migrate(engine)
    return SqlUnitOfWork(engine, link_secret, clock)


__all__ = ["SqlUnitOfWork", "UnitOfWork", "open_store", "safe_url"]
