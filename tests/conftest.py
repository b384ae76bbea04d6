"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from facilitation.adapters.storage import open_store
from facilitation.adapters.storage.schema import metadata
from facilitation.domain.access import new_id
from facilitation.services import audit, cafes, contributions

ROOT = Path(__file__).resolve().parent.parent

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
OUTPUT_DIR = ROOT / "test-output"


def _postgres_unavailable_reason() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as exc:
        return f"PostgreSQL injoignable à {POSTGRES_URL} ({type(exc.orig).__name__})"
    return None


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Who acts for the use cases called inside, as a page or the command line sets it."""
    before = audit.current_actor()
    audit.set_actor(actor)
    try:
        yield
    finally:
        audit.set_actor(before)


def require_tool(path_or_name: str, why: str) -> str:
    """A system tool the test needs; skipped with a reason locally, a failure in CI."""
    import shutil

    found = shutil.which(path_or_name)
    if found is None:
        message = f"{path_or_name} absent ({why})"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " : .ci/run doit l'installer.")
        pytest.skip(message)
    return found


@pytest.fixture(autouse=True)
def _app_built_from_each_tests_environment():
    """The Streamlit process builds its app once (ui.runtime.app): AppTest pages run in this process,
    so each test's pages are built again from the environment that test sets."""
    yield
    runtime = sys.modules.get("ui.runtime")
    if runtime is not None:
        runtime.app.clear()


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL URL; in CI an unreachable server fails the run instead of skipping."""
    reason = _postgres_unavailable_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} : en CI, les tests PostgreSQL ne sont jamais sautés.")
        pytest.skip(reason)
    return POSTGRES_URL


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet, for tests that run the migrations themselves."""
    return f"sqlite:///{tmp_path / 'cafe.sqlite3'}"


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file per session (per xdist worker) that `open_store` migrated to the head."""
    path = tmp_path_factory.mktemp("migrated") / "cafe.sqlite3"
    open_store(f"sqlite:///{path}").engine.dispose()
    # Closing the last connection checkpoints the WAL into the file: the file alone is the database.
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_sqlite_file: Path) -> str:
    """A SQLite file of the test's own, already at the head migration: a copy of the session's
    migrated file (a file copy costs far less than running every migration again)."""
    path = tmp_path / "cafe.sqlite3"
    shutil.copyfile(migrated_sqlite_file, path)
    return f"sqlite:///{path}"


@contextmanager
def _new_schema(postgres_server: str) -> Iterator[tuple[str, str]]:
    """A new, empty schema on the server, dropped on leaving: (its name, a URL whose search_path is it)."""
    # Other sessions (other checkouts, other xdist workers) may share the server: a random name.
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(postgres_server)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_server else "?"
    try:
        yield schema, f"{postgres_server}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def empty_postgres_url(postgres_server: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new, empty schema, dropped after the test."""
    with _new_schema(postgres_server) as (_, url):
        yield url


class _MigratedSchema:
    """A schema at the head migration, emptied again for each test by one round trip."""

    def __init__(self, url: str, schema: str) -> None:
        self.url = url
        self._engine = create_engine(url)
        with self._engine.connect() as connection:
            sequences = connection.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = :schema"), {"schema": schema}
            ).scalars()
            # The migrations write no row but alembic_version's, which stays: the schema is at the head.
            # Children before their parents, for the foreign keys; sequences back to their first value.
            self._emptying = "; ".join(
                [f'DELETE FROM "{table.name}"' for table in reversed(metadata.sorted_tables)]
                + [f"SELECT setval('\"{sequence}\"', 1, false)" for sequence in sequences]
            )

    def emptied(self) -> str:
        """The URL, once every row an earlier test wrote is deleted."""
        with self._engine.begin() as connection:
            # A transaction an earlier test left open would make the emptying wait: fail instead.
            connection.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
            connection.exec_driver_sql(self._emptying)
        return self.url

    def close(self) -> None:
        self._engine.dispose()


@pytest.fixture(scope="session")
def migrated_postgres_schema(postgres_server: str) -> Iterator[_MigratedSchema]:
    """One schema per session (per xdist worker) that `open_store` migrated to the head, dropped at
    the end; `postgres_url` empties it before each test."""
    with _new_schema(postgres_server) as (schema, url):
        open_store(url).engine.dispose()
        migrated = _MigratedSchema(url, schema)
        yield migrated
        migrated.close()


@pytest.fixture
def postgres_url(migrated_postgres_schema: _MigratedSchema) -> str:
    """A PostgreSQL URL whose search_path is the session's migrated schema, emptied of the rows
    earlier tests wrote (a few milliseconds, where migrating a new schema takes a few hundred).

    Deleted rows stay in the table files until PostgreSQL reuses their space: a test that reads
    those files asks for `fresh_postgres_url` instead."""
    return migrated_postgres_schema.emptied()


@pytest.fixture
def fresh_postgres_url(empty_postgres_url: str) -> str:
    """A PostgreSQL URL whose search_path is a schema of the test's own, migrated to the head."""
    open_store(empty_postgres_url).engine.dispose()
    return empty_postgres_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    """Runs the test once on a SQLite file and once on PostgreSQL, both already migrated."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request) -> str:
    """Runs the test once on an empty SQLite file and once on an empty PostgreSQL schema."""
    if request.param == "sqlite":
        return request.getfixturevalue("empty_sqlite_url")
    return request.getfixturevalue("empty_postgres_url")


@pytest.fixture
def store(database_url: str):
    store = open_store(database_url)
    yield store
    store.engine.dispose()


@pytest.fixture
def sqlite_store(sqlite_url: str):
    store = open_store(sqlite_url)
    yield store
    store.engine.dispose()


class _ReadOnlyRepository:
    """A repository whose every call runs in a read-only unit of work of its own (or joins the open
    one): the storage refuses reads outside a unit of work, and a test's checks are reads."""

    def __init__(self, store, repository) -> None:
        self._store, self._repository = store, repository

    def __getattr__(self, name: str):
        method = getattr(self._repository, name)

        def read(*args, **kwargs):
            with self._store.reading():
                return method(*args, **kwargs)

        return read


class _Committed:
    def __init__(self, store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> _ReadOnlyRepository:
        return _ReadOnlyRepository(self._store, getattr(self._store, name))


def transactions_begun(store) -> list[str]:
    """Every transaction begun on the store's engine from now on, as the driver was told."""
    begun: list[str] = []
    event.listen(store.engine, "begin", lambda connection: begun.append("BEGIN"))
    return begun


def committed(store) -> _Committed:
    """The store's repositories for a test's checks: `committed(store).contributions.in_cafe(…)`
    reads what is committed, in a read-only unit of work."""
    return _Committed(store)


def make_cafe(
    store,
    *,
    tables: int = 2,
    rounds: int = 2,
    open_first: bool = True,
    title: str = "Café des Tilleuls",
    held_on: date = date(2026, 11, 26),
    theme: str = "numérique",
    commune: str = "Lyon",
):
    """A café with numbered tables and rounds; the first round open by default.

    A second café gets its own title, date, theme or commune (the Café des Tilleuls otherwise).
    """
    cafe = cafes.create_cafe(
        store, cafes.CafeDetails(title=title, held_on=held_on, theme=theme, commune=commune)
    )
    for number in range(1, tables + 1):
        cafes.add_table(store, cafe.id, number=number, name=f"Table des {number}")
    created = [
        cafes.add_round(store, cafe.id, question=f"Question {i} ?", planned_minutes=20)
        for i in range(1, rounds + 1)
    ]
    if open_first and created:
        cafes.open_round(store, cafe.id, created[0].id)
    return cafe, created


def add_idea(store, cafe, text: str, *, table: int = 1, source=None):
    """Store a contribution at a table of the café's open round (a captain's, by default)."""
    from facilitation.domain.model import Source
    from facilitation.services.contributions import Submission, submit_contribution

    return submit_contribution(
        store,
        cafe_id=cafe.id,
        table_number=table,
        submission=Submission(text=text, submission_id=new_id(), max_chars=2000),
        source=source or Source.CAPTAIN,
    ).contribution


def harvest_by_keywords(store, cafe, texts, keywords: list[str]):
    """The texts as ideas of the café's table 1, then a harvest of the café grouping them by these
    keywords (tests.fakes.KeywordGrouper): returns (scope, version)."""
    from facilitation.services import harvest
    from tests.fakes import KeywordGrouper

    for idea in texts:
        add_idea(store, cafe, idea)
    scope = harvest.scope_of([cafe.id])
    return scope, harvest.run_harvest(store, KeywordGrouper(keywords), scope)


def keep_chauffage(store, cafe) -> None:
    """Four ideas of the café harvested by keywords, the first group, « Chauffage », kept for a fiche."""
    from facilitation.services import harvest

    scope, version = harvest_by_keywords(
        store,
        cafe,
        ("Chauffage froid", "Chauffage cher", "Ascenseur en panne", "Jardin partagé"),
        ["chauffage", "ascenseur", "jardin"],
    )
    harvest.set_kept(store, scope, [version.topics[0].key])


def token_of(store, cafe, table=1):
    """The signed token of a table's resident link, as printed on its QR code."""
    return cafes.join_link(store, cafe.id, table, "http://x").split("/j/")[1]


_SUBMISSION_FIELDS = {field.name for field in fields(contributions.Submission)}


def resident(store, token, text, **options):
    """A resident's phone sends `text` through the table link `token`; options naming a form field
    (round_id, builds_on…) go into the submission, the others (browser_id, visits, limits) to the use case."""
    form = {name: options.pop(name) for name in list(options) if name in _SUBMISSION_FIELDS}
    return contributions.resident_submit(
        store,
        token=token,
        submission=contributions.Submission(text=text, submission_id=new_id(), max_chars=2000, **form),
        **options,
    )


# Words of the demo café's contributions: with this keyword grouper, each of them starts a group.
DEMO_TOPICS = ["ascenseur", "voisins", "parking", "enfants", "jardin", "chauffage", "internet"]


@dataclass(frozen=True)
class Ran:
    """What a command returned and printed."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys):
    """Run one command of the command line in this process, as `python -m facilitation` would:
    `cli.main(argv, app)` with a composition root built from the arguments' settings only (not this
    process's environment) and `grouper` (a keyword grouper by default) instead of the models."""
    from cli import main
    from facilitation.composition import App
    from facilitation.settings import load_settings
    from tests.fakes import KeywordGrouper

    class AppWithGrouper(App):
        def __init__(self, settings, grouper) -> None:
            super().__init__(settings)
            self.test_grouper = grouper

        def grouper(self):
            return self.test_grouper

    def run(*args: str, database_url: str, check: bool = True, grouper=None, **settings) -> Ran:
        app = AppWithGrouper(
            load_settings(environ={}, database_url=database_url, **settings),
            grouper or KeywordGrouper(DEMO_TOPICS),
        )
        capsys.readouterr()
        try:
            code = main(list(args), app)
        finally:
            app.close()
        out, err = capsys.readouterr()
        if check:
            assert code == 0, err
        return Ran(code, out, err)

    return run


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """Where a test leaves screenshots and rendered pages for a person to look at:
    test-output/<test file>/<test name>/, its own (two xdist workers never write one file)."""
    name = re.sub(r"[^\w.\-\[\]]+", "-", request.node.name)[:120]
    folder = OUTPUT_DIR / Path(request.node.path).stem / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Tests that measure real-time delays on a live server (a screen follows a round in under 5 s, a
# field closes in under 2 s, a half-open connection is dropped within its timeout): under
# `-n 2 --dist loadgroup` they run one at a time, on one worker, so that two of them never load the
# machine together. The other browser tests go to whichever worker is free.
TIMING_GROUP = "real-time"
TIMING_FILES = {
    "test_rehearsal.py",
    "test_capture_browser.py",
    "test_screens_follow.py",
    "test_server_limits.py",
}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups into the tests' ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in TIMING_FILES:
            item.add_marker(pytest.mark.xdist_group(TIMING_GROUP))


@pytest.fixture(scope="module")
def _chromium():
    """Debian's Chromium, headless, through Playwright, launched once per module (a launch costs a
    second or two); skipped (failed under CI) without it. Per module, not per session: a running
    Playwright keeps an event loop on the main thread, where other modules may call asyncio.run."""
    chromium = require_tool("/usr/bin/chromium", "Debian chromium, pour les tests dans un vrai navigateur")
    from playwright.sync_api import sync_playwright

    from tests.screens import CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser(_chromium):
    """The module's Chromium; every context the test opened (pages, cookies, sessions) closed after
    it, so that no test sees another's browser state and no page of it keeps running."""
    yield _chromium
    for context in _chromium.contexts:
        context.close()
