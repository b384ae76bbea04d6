"""The application for the plain HTTP pages: the one the Streamlit process built (see serve.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property

from facilitation.composition import App
from facilitation.services.abuse import PhoneLimiter
from facilitation.services.ports import UnitOfWork
from facilitation.settings import Settings


class WebRuntime:
    """What the resident routes need from the application, fetched on first use.

    The store is not kept while the database is unreachable (the application retries), so the page
    recovers by itself when the database comes back.
    """

    def __init__(self, get_app: Callable[[], App]) -> None:
        self._get_app = get_app
        self.last_link_secret = ""  # the secret read with the last page: signs forms drawn in an outage

    @cached_property
    def app(self) -> App:
        return self._get_app()

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def phone_limiter(self) -> PhoneLimiter:
        return self.app.phone_limiter

    def now(self) -> datetime:
        """The application's clock."""
        return self.app.clock()

    def store(self) -> UnitOfWork:
        """The unit of work; raises StorageUnavailable while the database cannot be reached."""
        return self.app.store()

    def close(self) -> None:
        """Release the connection pool (tests, shutdown)."""
        self.app.close()
