"""The SQL unit of work: one transaction per use case, repositories per aggregate.

Adapted from cosmicpython's unit of work. One `SqlUnitOfWork` is shared by every thread of the
process, so the open transaction is kept per thread. `with uow:` opens a writer transaction (SQLite:
BEGIN IMMEDIATE, so writers queue instead of failing on a lock upgrade); `with uow.reading():` a
plain deferred one that may only read. A nested `with` joins the open transaction; the outermost
commits when its block ends normally and rolls back on any exception, then gives the connection
back to the pool, so that no snapshot outlives a use case.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Executable, Row
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from facilitation.adapters.clock import Clock, utcnow
from facilitation.adapters.storage.archive import SqlArchive
from facilitation.adapters.storage.audit import SqlAuditRepository
from facilitation.adapters.storage.cafes import SqlCafeRepository
from facilitation.adapters.storage.contributions import SqlContributionRepository
from facilitation.adapters.storage.documents import SqlDocumentRepository
from facilitation.adapters.storage.engine import safe_url
from facilitation.adapters.storage.erasure import wipe_freed_space
from facilitation.adapters.storage.exchange import ExchangeRepository
from facilitation.adapters.storage.harvests import SqlHarvestRepository
from facilitation.adapters.storage.tablecloths import SqlTableclothRepository
from facilitation.adapters.storage.trust import SqlTrustRepository
from facilitation.adapters.storage.vectors import VectorRepository
from facilitation.domain.errors import Conflict, InvalidInput, database_full, database_unreachable

T = TypeVar("T")

# Set on a connection that begins a read-only transaction; storage/engine.py's SQLite "begin"
# listener then emits a deferred BEGIN instead of BEGIN IMMEDIATE.
READ_ONLY = "cafe_read_only"


class Transactions:
    """The per-thread transaction that every repository of one unit of work runs its statements in."""

    def __init__(self, owner: SqlUnitOfWork) -> None:
        self._owner = owner
        self._local = threading.local()

    @property
    def dialect(self) -> str:
        return self._owner.engine.dialect.name

    def current(self) -> tuple[Connection, bool] | None:
        """(connection, writing) of this thread's open transaction, if any."""
        return getattr(self._local, "open", None)

    def begin(self, write: bool) -> None:
        depth = getattr(self._local, "depth", 0)
        if depth:
            if write and not self._local.open[1]:
                raise RuntimeError("a read-only unit of work cannot start writing")
            self._local.depth = depth + 1
            return
        engine = self._owner.engine
        try:
            connection = engine.connect()
        except OperationalError as exc:
            raise _unavailable(exc, engine) from exc
        try:
            if not write:
                connection.execution_options(**{READ_ONLY: True})
            connection.begin()
        except OperationalError as exc:
            connection.close()
            raise _unavailable(exc, engine) from exc
        self._local.open = (connection, write)
        self._local.depth = 1

    def end(self, failed: BaseException | None) -> None:
        self._local.depth -= 1
        if self._local.depth:
            return
        connection, _ = self._local.open
        self._local.open = None
        try:
            if failed is None:
                connection.commit()
            else:
                connection.rollback()
        except OperationalError as exc:
            raise _unavailable(exc, self._owner.engine) from exc
        finally:
            connection.close()

    def holds_write_lock(self) -> bool:
        """True when this thread's open transaction is a writer: a write on a second connection
        would wait for this very transaction."""
        opened = self.current()
        return opened is not None and opened[1]

    @contextmanager
    def separate_writer(self) -> Iterator[Connection]:
        """A short writer transaction on a connection of its own, beside this thread's one."""
        try:
            with self._owner.engine.begin() as connection:
                yield connection
        except OperationalError as exc:
            raise _unavailable(exc, self._owner.engine) from exc

    def read(self, work: Callable[[Connection], T]) -> T:
        """Run a read in the open transaction; reading outside `with uow:` or `with uow.reading():`
        is a bug (each read would be a snapshot of its own, and a use case would race itself)."""
        opened = self.current()
        if opened is None:
            raise RuntimeError(
                "storage reads need a unit of work (`with uow.reading():` to read, `with uow:` to write)"
            )
        return self._translated(work, opened[0])

    def rows(self, statement: Executable) -> list[Row]:
        """Every row a query selects, read in the open transaction."""
        return self.read(lambda connection: connection.execute(statement).all())

    def first(self, statement: Executable) -> Row | None:
        """The first row a query selects (None when none), read in the open transaction."""
        return self.read(lambda connection: connection.execute(statement).first())

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run a write in the open writer transaction; writing outside `with uow:` is a bug."""
        opened = self.current()
        if opened is None or not opened[1]:
            raise RuntimeError("storage writes need a writer unit of work (`with uow:`)")
        return self._translated(work, opened[0])

    def _translated(self, work: Callable[[Connection], T], connection: Connection) -> T:
        try:
            return work(connection)
        except IntegrityError as exc:
            raise Conflict() from exc
        except DataError as exc:  # a value every check let through, refused by the database: no SQL shown
            raise InvalidInput(
                "La base de données a refusé une valeur ; cette opération a été annulée."
            ) from exc
        except OperationalError as exc:
            raise _unavailable(exc, self._owner.engine) from exc

    def insert_ignoring_duplicates(
        self, connection: Connection, table, key_columns: list[str], values: dict[str, Any]
    ) -> bool:
        """INSERT … ON CONFLICT DO NOTHING; True when a row was inserted.

        RETURNING tells reliably on both dialects (psycopg reports rowcount -1 here).
        """
        module = postgresql if self.dialect == "postgresql" else sqlite
        statement = (
            module.insert(table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=key_columns)
            .returning(table.c[key_columns[0]])
        )
        return connection.execute(statement).first() is not None


class _Reading:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def __enter__(self) -> SqlUnitOfWork:
        self._uow.transactions.begin(write=False)
        return self._uow

    def __exit__(self, kind, exc, traceback) -> None:
        self._uow.transactions.end(exc)


class SqlUnitOfWork:
    """Repositories over one SQLAlchemy engine, for SQLite and PostgreSQL."""

    def __init__(self, engine: Engine, configured_link_secret: str = "", clock: Clock = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        self.transactions = Transactions(self)
        self.cafes = SqlCafeRepository(self.transactions)
        self.contributions = SqlContributionRepository(self.transactions)
        self.harvests = SqlHarvestRepository(self.transactions)
        self.documents = SqlDocumentRepository(self.transactions)
        # CAFE_LINK_SECRET, when set, wins over the secret kept in the database.
        self.trust = SqlTrustRepository(self.transactions, configured_link_secret)
        self.audit = SqlAuditRepository(self.transactions)
        self.exchange = ExchangeRepository(self.transactions)
        self.tablecloths = SqlTableclothRepository(self.transactions)
        self.vectors = VectorRepository(self.transactions)
        self.archive = SqlArchive(self.transactions)

    def __enter__(self) -> SqlUnitOfWork:
        self.transactions.begin(write=True)
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        self.transactions.end(exc)

    def reading(self) -> _Reading:
        """A read-only transaction: no write lock, and any write in it is refused."""
        return _Reading(self)

    def wipe_erased(self) -> bool:
        """After an erasure has committed: overwrite what the deleted rows left in the database files
        (storage/erasure.py). False when SQLite's WAL could not be emptied yet."""
        if self.transactions.current() is not None:
            raise RuntimeError("wipe_erased runs after the erasure's transaction, outside any other")
        try:
            return wipe_freed_space(self.engine)
        except OperationalError as exc:
            raise _unavailable(exc, self.engine) from exc

    def dispose(self) -> None:
        """Close the pooled connections (tests, benches, a runtime reset)."""
        self.engine.dispose()


def _unavailable(exc: OperationalError, engine: Engine):
    where = safe_url(engine.url)
    # SQLite says "database or disk is full"; PostgreSQL raises SQLSTATE 53100 (disk_full).
    if "disk is full" in str(exc.orig) or getattr(exc.orig, "sqlstate", None) == "53100":
        return database_full(where)
    return database_unreachable(where)
