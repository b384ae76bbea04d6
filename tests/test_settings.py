"""Settings: one declared table, read from the environment, every one documented."""

import subprocess
import sys
from pathlib import Path

import pytest

from facilitation.settings import SETTINGS, load_settings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_defaults_apply_without_environment():
    settings = load_settings(environ={})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith(
        "data/cafe.sqlite3"
    )
    assert settings.cafe_max_contribution_chars == 2000
    assert settings.cafe_organiser_password_hash == ""


def test_environment_wins_over_secrets_and_values_are_parsed():
    settings = load_settings(
        environ={"CAFE_MAX_CONTRIBUTION_CHARS": "500"},
        secrets={"CAFE_MAX_CONTRIBUTION_CHARS": 100, "CAFE_PUBLIC_BASE_URL": "http://10.0.0.2:8501"},
    )
    assert settings.cafe_max_contribution_chars == 500
    assert settings.cafe_public_base_url == "http://10.0.0.2:8501"


def test_invalid_values_name_the_setting():
    with pytest.raises(ValueError, match="CAFE_MAX_CONTRIBUTION_CHARS"):
        load_settings(environ={"CAFE_MAX_CONTRIBUTION_CHARS": "beaucoup"})


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("CAFE_RATE_PER_TABLE", "-1"),
        ("CAFE_RATE_PER_PHONE", "0"),
        ("CAFE_RETENTION_DAYS", "-30"),
        ("CAFE_MAX_CONTRIBUTION_CHARS", "0"),
        ("CAFE_REFRESH_SECONDS", "-2"),
        ("CAFE_MAX_IMPORT_MB", "0"),
        ("CAFE_LINK_SECRET", "court"),
    ],
)
def test_limits_that_would_disable_a_protection_are_refused(name, raw):
    with pytest.raises(ValueError, match=name):
        load_settings(environ={name: raw})


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_in_the_readme(setting):
    assert setting.help
    assert f"`{setting.name}`" in README.read_text(encoding="utf-8")


# -- the composition root ------------------------------------------------------------------------
def test_the_app_is_built_once_per_process_and_does_not_reread_the_environment(monkeypatch):
    from ui import runtime

    monkeypatch.setenv("CAFE_TIMEZONE", "Europe/Paris")
    built = runtime.app()
    monkeypatch.setenv("CAFE_TIMEZONE", "America/Cayenne")
    assert runtime.app() is built and runtime.settings().cafe_timezone == "Europe/Paris"


def test_each_app_counts_its_own_phones():
    from facilitation.composition import build_app
    from facilitation.domain.errors import NotAccepting

    first, second = (build_app(load_settings(environ={}, cafe_rate_per_phone=1)) for _ in range(2))
    first.phone_limiter.count_idea("café", "téléphone")
    with pytest.raises(NotAccepting):
        first.phone_limiter.count_idea("café", "téléphone")
    second.phone_limiter.count_idea("café", "téléphone")  # not the first app's count


def test_the_app_groups_on_the_configured_embeddings(tmp_path):
    from facilitation.composition import build_app
    from facilitation.domain.errors import InvalidInput

    absent = str(tmp_path / "absent")
    app = build_app(
        load_settings(environ={}, cafe_embedding_backend="model2vec", cafe_embedding_model_path=absent)
    )
    with pytest.raises(InvalidInput, match="Le modèle model2vec configuré est introuvable"):
        app.embedder()


def test_the_served_app_does_not_collect_garbage_after_every_script_run():
    # Streamlit's default runs gc.collect(2) after every run, fragments included: with the screens'
    # one-second round checks that was ~80 % of the server's CPU, and 4 captains saturated it
    # (bench/idle_screens.py). The server reads .streamlit/config.toml from the directory it starts in.
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "from streamlit import config; print(config.get_option('runner.postScriptGC'))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "False"


def test_the_app_hands_its_clock_to_the_use_cases_and_the_phones_pages(tmp_path):
    from datetime import UTC, datetime

    from facilitation.composition import build_app
    from facilitation.services import cafes
    from tests.conftest import add_idea, make_cafe
    from web.runtime import WebRuntime

    fixed = datetime(2026, 11, 26, 18, 30, tzinfo=UTC)
    app = build_app(
        load_settings(environ={}, database_url=f"sqlite:///{tmp_path / 'cafe.sqlite3'}"), clock=lambda: fixed
    )
    try:
        cafe, rounds = make_cafe(app.store())
        idea = add_idea(app.store(), cafe, "Des bancs à l'ombre")
        stored = cafes.get_cafe(app.store(), cafe.id)
        assert (stored.created_at, idea.created_at) == (fixed, fixed)
        assert cafes.get_round(app.store(), cafe.id, rounds[0].id).opened_at == fixed
        assert WebRuntime(lambda: app).now() == fixed
    finally:
        app.close()


def test_the_screens_reads_do_not_queue_behind_a_write(tmp_path):
    # Before, the Streamlit screens' store began its reads with BEGIN IMMEDIATE, so a screen
    # checking the open round waited (up to the 30 s busy timeout) behind any captain's write.
    import sqlite3
    import threading

    from facilitation.composition import build_app
    from facilitation.services import cafes
    from tests.conftest import make_cafe

    database = tmp_path / "cafe.sqlite3"
    app = build_app(load_settings(environ={}, database_url=f"sqlite:///{database}"))
    try:
        cafe, rounds = make_cafe(app.store())
        writer = sqlite3.connect(database, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # a captain's write, holding the write lock
        seen = []
        reader = threading.Thread(target=lambda: seen.append(cafes.live_round(app.store(), cafe.id)))
        reader.start()
        reader.join(timeout=10)
        waited = reader.is_alive()
        writer.execute("ROLLBACK")
        writer.close()
        reader.join()
        assert not waited, "the screen's read waited for the writer"
        assert [r.id for r in seen] == [rounds[0].id]
    finally:
        app.close()
