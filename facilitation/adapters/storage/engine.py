"""Database engine creation and schema migration, for SQLite (default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from facilitation.domain.errors import StorageUnavailable
from facilitation.domain.word_matching import search_terms

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant works; it only has to be the same for every instance migrating the same database.
_MIGRATION_LOCK_ID = 727_274_001


def safe_url(url: str | URL) -> str:
    """The database address without any credential (user, password, query parameters)."""
    try:
        parsed = make_url(url)
    except ArgumentError:  # an unparsable URL has nothing we can safely show
        return "(adresse de base de données illisible)"
    # An unescaped "@" in a password leaves its tail in the host ("p@ss@host" -> host "ss@host").
    host = parsed.host.rsplit("@", 1)[-1] if parsed.host else parsed.host
    bare = URL.create(parsed.drivername, host=host, port=parsed.port, database=parsed.database)
    return bare.render_as_string(hide_password=False)


def create_db_engine(url: str) -> Engine:
    """Engine for the URL; SQLite files get WAL, foreign keys and write transactions that wait."""
    try:
        return _create_db_engine(url)
    except (ArgumentError, ImportError) as exc:  # NoSuchModuleError is an ArgumentError
        raise StorageUnavailable(
            f"DATABASE_URL n'est pas une adresse de base reconnue ({safe_url(url)}). Écrivez "
            "sqlite:///chemin/cafe.sqlite3 ou postgresql+psycopg://utilisateur@hôte/base."
        ) from exc


def _create_db_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageUnavailable(
                    f"Impossible de créer le dossier de la base de données {folder} ({exc.strerror})."
                ) from exc
        # Readers never wait for the write lock (deferred BEGIN); the pool must not make them wait
        # either, behind writers that hold a connection while they queue for the lock (up to 40
        # web threads submitting at once, plus the Streamlit sessions). SQLite connections are cheap.
        engine = create_engine(url, connect_args={"timeout": 30}, pool_size=20, max_overflow=60)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling defers it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged contribution survives a crash of the process and of the laptop.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Freed pages and cells are overwritten with zeros: an erased text leaves no bytes behind
        # in the file (RGPD erasure, facilitation/services/rgpd.py), only in the WAL until its checkpoint.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
        # The search index's triggers (migration 0006) store French stems computed in Python.
        dbapi_connection.create_function("cafe_search_terms", 1, search_terms, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # Writers take the write lock up front (IMMEDIATE): they queue on busy_timeout instead of
        # failing with "database is locked" when a deferred transaction tries to upgrade. Read-only
        # units of work (which never write) begin deferred and so never wait for a writer.
        if connection.get_execution_options().get("cafe_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest migration shipped with the code."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision (safe with several instances starting)."""
    config = _alembic_config()
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise StorageUnavailable(
            f"Impossible de joindre la base de données {safe_url(engine.url)} : "
            f"{type(exc.orig or exc).__name__}. Vérifiez DATABASE_URL et que le serveur fonctionne."
        ) from exc
