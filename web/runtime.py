"""Settings and the store for the plain HTTP pages, built once per process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property

from facilitation.settings import Settings
from facilitation.storage import SqlUnitOfWork, open_store


class WebRuntime:
    """What the resident routes need: the settings, and a store opened on first use.

    The store is opened lazily and not cached while the database is unreachable, so the page
    recovers by itself when the database comes back.
    """

    def __init__(self, load_settings: Callable[[], Settings]) -> None:
        self._load_settings = load_settings
        self._store: SqlUnitOfWork | None = None
        self._lock = threading.Lock()
        self.last_link_secret = ""

    @cached_property
    def settings(self) -> Settings:
        return self._load_settings()

    def store(self) -> SqlUnitOfWork:
        """The migrated store; raises StorageUnavailable while the database cannot be reached."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.settings.database_url, self.settings.cafe_link_secret)
        return self._store

    def link_secret(self) -> str:
        """The secret that signs links and forms, remembered for pages drawn during an outage."""
        self.last_link_secret = self.store().trust.link_secret()
        return self.last_link_secret

    def close(self) -> None:
        """Release the connection pool (tests, shutdown)."""
        if self._store is not None:
            self._store.engine.dispose()
            self._store = None
