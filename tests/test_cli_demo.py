"""`demo` says what to open (run in process, on a real database), `hash-password --role` hashes the
marketing team's password from a pipe (a real process, as a user runs it)."""

from __future__ import annotations

import os
import subprocess
import sys

from facilitation.adapters.storage import open_store
from facilitation.domain.access import check_password
from facilitation.services import cafes
from tests.conftest import ROOT


def test_demo_prints_the_cafe_id_then_what_to_open(run_cli, database_url):
    result = run_cli("demo", database_url=database_url)
    (cafe_id,) = result.stdout.split()  # CAFE=$(python -m facilitation demo) reads the id alone
    guide = result.stderr
    store = open_store(database_url)
    try:
        base = "http://localhost:8501"
        assert f"Pages de l'organisateur : {base}/cafes" in guide
        assert cafes.wall_link(store, cafe_id, base) in guide
        assert f"{base}/capitaine" in guide
        tables = cafes.list_tables(store, cafe_id)
        assert len(tables) == 4
        for table in tables:
            assert f"table {table.number} ({table.name}) : code {table.code}" in guide
            assert f"table {table.number} : {cafes.join_link(store, cafe_id, table.number, base)}" in guide
        assert "Bien vivre aux Tilleuls — " in guide and " — Villeurbanne" in guide
    finally:
        store.engine.dispose()


def hash_from_pipe(*args: str, typed: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "facilitation", "hash-password", *args],
        cwd=ROOT,
        env=os.environ,
        input=typed,
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,  # no terminal: the password comes from the pipe, as in a script
    )


def test_hash_password_reads_a_pipe_for_either_role():
    # `echo … | python -m facilitation hash-password`: one line on the pipe.
    marketing = hash_from_pipe("--role", "marketing", typed="equipe-marketing\n")
    assert marketing.returncode == 0, marketing.stderr
    assert check_password("equipe-marketing", marketing.stdout.strip())
    assert "CAFE_MARKETING_PASSWORD_HASH" in marketing.stderr
    organiser = hash_from_pipe(typed="cafe-des-tilleuls\n")
    assert organiser.returncode == 0, organiser.stderr
    assert check_password("cafe-des-tilleuls", organiser.stdout.strip())
    assert "CAFE_ORGANISER_PASSWORD_HASH" in organiser.stderr


def test_hash_password_refuses_an_empty_pipe_and_an_unknown_role():
    empty = hash_from_pipe("--role", "marketing", typed="")
    assert empty.returncode == 2 and empty.stdout == ""
    assert "vide" in empty.stderr
    assert hash_from_pipe("--role", "capitaine", typed="").returncode == 2
