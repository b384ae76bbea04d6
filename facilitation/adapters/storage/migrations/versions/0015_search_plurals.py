"""search plurals: « vélo » and « vélos » find the same contributions, on both databases

Snowball's French stemmer keeps the final « s » after a vowel (« velos » but « velo »), so the
singular and the plural of such words had different stems. Stems now lose one final « s » or « x »
when they have four letters or more (facilitation/domain/word_matching.py `fold_plural`).

SQLite: the FTS5 index of stems is rebuilt with the new stems (the triggers call the Python function,
which now folds). PostgreSQL: `cafe_search_text(text)` folds the lexemes of `cafe_french`; the
stored `search_vector` column is recomputed from them (`cafe_search_vector`, GIN index rebuilt), and
`cafe_search_query(text)` turns a query's words into the same folded lexemes.
"""

from alembic import op

revision = "0015"
down_revision = "0014"

# The twin of facilitation.domain.word_matching.fold_plural: one final s or x off a lexeme of four letters or more.
_FOLD = r"regexp_replace(lexeme, '^(.{3,})[sx]$', '\1')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _rebuild_sqlite_index()


def _upgrade_postgresql() -> None:
    # The folded lexemes of `cafe_french`, in the text's order and repeated as often as written
    # (ranking counts them), then read back by the `simple` configuration (no stemming, no stop word).
    # SET search_path FROM CURRENT: `cafe_french` is found where this migration created it, whatever
    # the search path of the session that later writes a row.
    op.execute(
        "CREATE FUNCTION cafe_search_text(document text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path FROM CURRENT AS $$ "
        f"SELECT coalesce(string_agg({_FOLD}, ' ' ORDER BY position), '') "
        "FROM unnest(to_tsvector('cafe_french', document)) AS found(lexeme, positions, weights), "
        "unnest(positions) AS position $$"
    )
    op.execute(
        "CREATE FUNCTION cafe_search_vector(document text) RETURNS tsvector "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path FROM CURRENT AS $$ "
        "SELECT to_tsvector('simple', cafe_search_text(document)) $$"
    )
    op.execute(
        "CREATE FUNCTION cafe_search_query(words text) RETURNS tsquery "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path FROM CURRENT AS $$ "
        "SELECT plainto_tsquery('simple', cafe_search_text(words)) $$"
    )
    op.execute("ALTER TABLE contributions DROP COLUMN search_vector")  # its index goes with it
    op.execute(
        "ALTER TABLE contributions ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (cafe_search_vector(text)) STORED"
    )
    op.execute("CREATE INDEX ix_contributions_search ON contributions USING gin (search_vector)")


def _rebuild_sqlite_index() -> None:
    op.execute("DELETE FROM contribution_search")
    op.execute(
        "INSERT INTO contribution_search (rowid, terms) SELECT i.rowid, cafe_search_terms(c.text) "
        "FROM contributions c JOIN contribution_search_ids i ON i.contribution_id = c.id"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE contributions DROP COLUMN search_vector")
        op.execute(
            "ALTER TABLE contributions ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('cafe_french', text)) STORED"
        )
        op.execute("CREATE INDEX ix_contributions_search ON contributions USING gin (search_vector)")
        op.execute("DROP FUNCTION cafe_search_query(text)")
        op.execute("DROP FUNCTION cafe_search_vector(text)")
        op.execute("DROP FUNCTION cafe_search_text(text)")
        return
    # The Python stems keep folding plurals: a rebuild with them is all SQLite can do.
    _rebuild_sqlite_index()
