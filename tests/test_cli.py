"""The command line, run as a user would run it (a real process, a real database)."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run_cli(*args, database_url, check=True):
    env = os.environ | {"DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "facilitation", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def demo_cafe(database_url):
    result = run_cli("demo", database_url=database_url)
    return result.stdout.strip().splitlines()[-1]


def test_help_lists_the_commands(sqlite_url):
    out = run_cli("--help", database_url=sqlite_url).stdout
    for command in ("demo", "join-url", "export", "hash-password", "settings"):
        assert command in out


def test_demo_cafe_is_in_progress_with_realistic_contributions(demo_cafe, database_url):
    records = json.loads(run_cli("export", demo_cafe, "--format", "json", database_url=database_url).stdout)
    assert 100 <= len(records) <= 140
    assert {r["tour"] for r in records} == {1, 2, 3} and {r["table"] for r in records} == {1, 2, 3, 4}
    assert {r["source"] for r in records} == {"capitaine", "habitant"}
    assert len({r["type"] for r in records} - {""}) >= 3 and len({r["profil"] for r in records} - {""}) >= 4
    assert any("é" in r["texte"] for r in records)
    assert sum(r["soutiens"] for r in records) > 0
    # round 3 is open: residents can still join
    link = run_cli("join-url", demo_cafe, "--table", "2", database_url=database_url).stdout.strip()
    from facilitation import contributions
    from facilitation.storage import open_store

    store = open_store(database_url)
    context = contributions.join_table(store, link.split("?t=")[1])
    assert context.accepting and context.open_round.position == 3
    store.engine.dispose()


def test_join_url_uses_the_given_base_url(demo_cafe, database_url):
    link = run_cli(
        "join-url",
        demo_cafe,
        "--table",
        "3",
        "--base-url",
        "http://192.168.0.12:8501",
        database_url=database_url,
    ).stdout.strip()
    assert link.startswith(f"http://192.168.0.12:8501/?t={demo_cafe}.3.")


def test_csv_export_has_every_column_and_round_trips(demo_cafe, database_url, tmp_path):
    out = tmp_path / "export.csv"
    run_cli("export", demo_cafe, "--format", "csv", "--out", str(out), database_url=database_url)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    as_json = json.loads(run_cli("export", demo_cafe, "--format", "json", database_url=database_url).stdout)
    assert len(rows) == len(as_json)
    assert list(rows[0]) == list(as_json[0])
    for column in (
        "cafe",
        "tour",
        "question",
        "table",
        "type",
        "profil",
        "combien_d_accord",
        "soutiens",
        "source",
        "heure",
    ):
        assert column in rows[0]
    assert [r["texte"] for r in rows] == [r["texte"] for r in as_json]
    assert rows[0]["heure"].endswith(("+01:00", "+02:00"))  # Paris time


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("join-url", "inconnu", "--table", "1"), "Aucun café"),
        (("export", "inconnu"), "Aucun café"),
        (("export",), "required"),
        (("join-url", "x", "--table", "deux"), "invalid int"),
        (("export", "x", "--format", "xml"), "invalid choice"),
        (("voler",), "invalid choice"),
    ],
)
def test_bad_arguments_fail_clearly(sqlite_url, args, message):
    result = run_cli(*args, database_url=sqlite_url, check=False)
    assert result.returncode != 0
    assert message in result.stderr


def test_unreachable_database_fails_with_a_clear_message():
    result = run_cli(
        "demo", database_url="postgresql+psycopg://cafe:hunter2@127.0.0.1:1/x?connect_timeout=2", check=False
    )
    assert result.returncode == 2
    assert "Impossible de joindre la base de données" in result.stderr and "hunter2" not in result.stderr
