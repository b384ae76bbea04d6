"""Page tests run the real app on a fresh SQLite file per test, with an organiser password set."""

from __future__ import annotations

import pytest

from facilitation.adapters.storage import open_store
from facilitation.domain.access import hash_password
from tests.conftest import keep_chauffage, make_cafe
from tests.pages.apptest import PASSWORD

PASSWORD_HASH = hash_password(PASSWORD)


@pytest.fixture
def store(sqlite_url, monkeypatch):
    """Replaces tests/conftest.py's store here: the app under test opens this SQLite file too."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CAFE_ORGANISER_PASSWORD_HASH", PASSWORD_HASH)
    monkeypatch.setenv("CAFE_PUBLIC_BASE_URL", "http://localhost:8501")
    store = open_store(sqlite_url)
    yield store
    store.engine.dispose()


@pytest.fixture
def kept_cafe(store):
    """A café whose harvest retained one group, « Chauffage », for a fiche."""
    cafe, _ = make_cafe(store)
    keep_chauffage(store, cafe)
    return cafe
