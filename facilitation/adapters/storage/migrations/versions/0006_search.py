"""search: accent-, case- and plural-insensitive full-text search over contributions

SQLite: an FTS5 table of French stems kept by triggers (the stems come from the Python function
`cafe_search_terms`, registered on every connection by storage/engine.py). PostgreSQL: a text search
configuration `cafe_french` (french stemmer after unaccent), a stored tsvector column and its GIN index.
"""

from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def _upgrade_postgresql() -> None:
    bind = op.get_bind()
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
    schema = bind.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"
    ).scalar_one()
    op.execute("CREATE TEXT SEARCH CONFIGURATION cafe_french (COPY = pg_catalog.french)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION cafe_french ALTER MAPPING FOR hword, hword_part, word "
        f"WITH {schema}.unaccent, french_stem"
    )
    # Stored, so that ranking reads the vector instead of re-parsing every matching text.
    op.execute(
        "ALTER TABLE contributions ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('cafe_french', text)) STORED"
    )
    op.execute("CREATE INDEX ix_contributions_search ON contributions USING gin (search_vector)")


def _upgrade_sqlite() -> None:
    op.execute(
        "CREATE TABLE contribution_search_ids ("
        "rowid INTEGER PRIMARY KEY, contribution_id VARCHAR(32) NOT NULL UNIQUE)"
    )
    op.execute(
        "CREATE VIRTUAL TABLE contribution_search USING fts5("
        "terms, tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute("INSERT INTO contribution_search_ids (contribution_id) SELECT id FROM contributions")
    op.execute(
        "INSERT INTO contribution_search (rowid, terms) SELECT i.rowid, cafe_search_terms(c.text) "
        "FROM contributions c JOIN contribution_search_ids i ON i.contribution_id = c.id"
    )
    add = (
        "INSERT INTO contribution_search_ids (contribution_id) VALUES (new.id); "
        "INSERT INTO contribution_search (rowid, terms) VALUES ("
        "(SELECT rowid FROM contribution_search_ids WHERE contribution_id = new.id), "
        "cafe_search_terms(new.text));"
    )
    remove = (
        "DELETE FROM contribution_search WHERE rowid = "
        "(SELECT rowid FROM contribution_search_ids WHERE contribution_id = old.id); "
        "DELETE FROM contribution_search_ids WHERE contribution_id = old.id;"
    )
    op.execute(f"CREATE TRIGGER contribution_search_insert AFTER INSERT ON contributions BEGIN {add} END")
    op.execute(
        f"CREATE TRIGGER contribution_search_update AFTER UPDATE OF text ON contributions "
        f"BEGIN {remove} {add} END"
    )
    op.execute(f"CREATE TRIGGER contribution_search_delete AFTER DELETE ON contributions BEGIN {remove} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE contributions DROP COLUMN search_vector")
        op.execute("DROP TEXT SEARCH CONFIGURATION cafe_french")
        return
    for trigger in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER contribution_search_{trigger}")
    op.execute("DROP TABLE contribution_search")
    op.execute("DROP TABLE contribution_search_ids")
