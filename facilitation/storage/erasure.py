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
  its TOAST table and indexes into new files, and the old files are truncated at commit. It holds
  each table's exclusive lock while it rewrites it (a fraction of a second for a café's tables).
What neither can reach: PostgreSQL's WAL segments (kept until recycled, after the next checkpoints:
`max_wal_size`, `wal_keep_size`, archives), and backups made before the erasure (until rotated).
"""

from __future__ import annotations

from sqlalchemy import Engine

from facilitation.storage.schema import metadata


def wipe_freed_space(engine: Engine) -> bool:
    """Overwrite what deleted rows left in the database files; False when SQLite's WAL could not be
    emptied yet (a reader was still on an older snapshot). Runs outside any transaction."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in metadata.sorted_tables:
                connection.exec_driver_sql(f'VACUUM FULL "{table.name}"')
        return True
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
