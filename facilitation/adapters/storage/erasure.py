"""After an erasure: no readable copy of the erased rows left in the database files.

Deleting a row only marks its space free; the bytes stay in the file until reused. So:
- SQLite: every connection runs with `PRAGMA secure_delete=ON` (storage/engine.py), which zeroes
  freed cells and pages. FTS5 (the search index, migration 0006) keeps a deleted row's terms in its
  older segments until they are merged, and SQLite < 3.42 has no FTS5 'secure-delete' option:
  'optimize' merges every segment into one, freeing (hence zeroing) the old ones. Then a TRUNCATE
  checkpoint copies the WAL into the file and empties it, so that the WAL's older page images (which
  still hold the text) are gone too; it cannot finish while a reader is still on an older snapshot,
  in which case those frames are overwritten by later writes.
- PostgreSQL: a deleted tuple stays in its page until VACUUM, and plain VACUUM prunes it without
  zeroing the bytes, nor removes a word from a GIN index's keys; `VACUUM FULL` rewrites each table,
  its TOAST table and indexes into new files, and the old files are truncated at commit; but it
  copies a deleted row that a transaction begun before the erasure may still read, so the wipe
  first waits for those to end (pg_stat_activity's backend_xmin and backend_xid). VACUUM FULL
  holds each table's exclusive lock while it rewrites it (measured: 0.1 s for all tables with
  5,000 contributions, 0.8 s with 50,000).
What neither can reach: PostgreSQL's WAL segments (kept until recycled, after the next checkpoints:
`max_wal_size`, `wal_keep_size`, archives), and backups made before the erasure (until rotated).
"""

from __future__ import annotations

import time

from sqlalchemy import Connection, Engine, text

from facilitation.adapters.storage.schema import metadata

# How long the wipe waits for the transactions that began before the erasure to end: VACUUM FULL
# copies a deleted row that such a transaction may still read, text included. The application's
# own transactions are short (one use case each); a backup or an administrator's session left open
# may last longer: past this wait, the wipe goes on and says it could not remove everything.
SNAPSHOT_WAIT_SECONDS = 30.0


def wipe_freed_space(engine: Engine) -> bool:
    """Overwrite what deleted rows left in the database files; False when a reader on an older
    snapshot kept some of them (SQLite: the WAL could not be emptied yet; PostgreSQL: a transaction
    begun before the erasure was still open after SNAPSHOT_WAIT_SECONDS). Runs outside any
    transaction."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            settled = _wait_for_older_snapshots(connection, SNAPSHOT_WAIT_SECONDS)
            for table in metadata.sorted_tables:
                connection.exec_driver_sql(f'VACUUM FULL "{table.name}"')
        return settled
    raw = engine.raw_connection()
    try:
        sqlite = raw.driver_connection  # autocommit: the engine's connect hook set isolation_level None
        sqlite.execute("BEGIN IMMEDIATE")
        try:
            sqlite.execute("INSERT INTO contribution_search(contribution_search) VALUES ('optimize')")
        except BaseException:
            sqlite.execute("ROLLBACK")
            raise
        sqlite.execute("COMMIT")
        busy, _, _ = sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy
    finally:
        raw.close()


def _wait_for_older_snapshots(connection: Connection, timeout: float) -> bool:
    """Wait until no other session of this database reads a snapshot taken before now, or runs a
    transaction begun before now; False when one still did after `timeout` seconds.

    Both hold VACUUM FULL back: a writer idle in its transaction has no snapshot between statements
    (no backend_xmin), but its running transaction id (backend_xid) keeps the rows deleted after it
    began from being dropped."""
    mark = connection.execute(text("SELECT pg_current_xact_id()::xid")).scalar_one()
    older = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() "
        "AND (age(backend_xmin) > age(CAST(:mark AS xid)) OR age(backend_xid) > age(CAST(:mark AS xid)))"
    )
    deadline = time.monotonic() + timeout
    while connection.execute(older, {"mark": mark}).scalar_one():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
