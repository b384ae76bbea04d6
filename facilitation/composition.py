"""The composition root: `build_app(settings)` wires once what the pages, the phones' routes and the
command line need.

It lives at the edge, next to app.py and cli/commands.py, because it hands `exports`' document builders to
`facilitation`'s use cases (facilitation never imports exports); it never imports streamlit, so the
command line and `web/` build the same thing. The Streamlit process builds it once (ui/runtime.py).
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from facilitation.adapters.clock import Clock, utcnow
from facilitation.adapters.ocr import TesseractReader, TextReader
from facilitation.adapters.storage import SqlUnitOfWork, open_store
from facilitation.domain.errors import CafeError
from facilitation.services.abuse import PhoneLimiter
from facilitation.settings import Settings

if TYPE_CHECKING:  # numpy, scikit-learn, BERTopic: seconds to import, only a harvest needs them
    from facilitation.adapters.topics import BertopicGrouper
    from facilitation.adapters.topics.embeddings import Embedder
    from facilitation.services.documents import Documents


@dataclass(frozen=True)
class Limits:
    """The limits the use cases enforce, read once from the settings."""

    max_contribution_chars: int
    rate_per_table: int
    retention_days: int
    max_import_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_contribution_chars=settings.cafe_max_contribution_chars,
            rate_per_table=settings.cafe_rate_per_table,
            retention_days=settings.cafe_retention_days,
            max_import_bytes=settings.cafe_max_import_mb * 1_000_000,
        )


class App:
    """What one process serves with: settings, clock, store, grouper, limits, phone limiter, documents.

    The store and the grouper open on first use: the database may be down when the process starts
    (the store is not kept until it opens, so the app recovers by itself), and the language models
    take seconds to load, which only a harvest needs.
    """

    def __init__(self, settings: Settings, clock: Clock = utcnow) -> None:
        self.settings = settings
        self.clock = clock  # the use cases read it from the store; the pages' countdowns too
        self.limits = Limits.from_settings(settings)
        self.phone_limiter = PhoneLimiter(settings.cafe_rate_per_phone)
        self._store: SqlUnitOfWork | None = None
        self._grouper: BertopicGrouper | None = None
        # Two locks: pages keep reading the database while the language models load.
        self._store_lock, self._grouper_lock = threading.Lock(), threading.Lock()

    def store(self) -> SqlUnitOfWork:
        """The migrated unit of work of the screens, the phones' pages and the command line;
        raises StorageUnavailable while the database cannot be reached.

        Its read-only use cases begin deferred (no write lock), so 50 phones and the screens
        refreshing never queue behind a captain's write."""
        if self._store is None:
            with self._store_lock:
                if self._store is None:
                    self._store = open_store(
                        self.settings.database_url, self.settings.cafe_link_secret, self.clock
                    )
        return self._store

    def grouper(self) -> BertopicGrouper:
        """The topic grouper on the configured embeddings (CAFE_EMBEDDING_BACKEND), loaded once."""
        if self._grouper is None:
            from facilitation.adapters.topics import make_grouper

            with self._grouper_lock:
                if self._grouper is None:
                    self._grouper = make_grouper(
                        self.settings.cafe_embedding_backend, self.settings.cafe_embedding_model_path
                    )
        return self._grouper

    @cached_property
    def documents(self) -> Documents:
        """The one audited way to every document (facilitation.services.documents.Documents), with the
        builders of `exports` bound to the settings; built on first use (reportlab takes time)."""
        from exports.documents import builders
        from facilitation.services.documents import Documents

        settings = self.settings
        return Documents(
            builders(timezone=settings.cafe_timezone, default_base_url=settings.cafe_public_base_url)
        )

    def text_reader(self) -> TextReader:
        """What reads the words on a tablecloth's photo (Tesseract in French, when installed)."""
        return TesseractReader()

    def embedder(self) -> Embedder:
        """The configured embeddings, shared with the grouper (guided grouping maps onto them)."""
        return self.grouper().embedder

    def announce_first_run(self, base_url: str, out=None) -> str | None:
        """At server start, with no organiser password anywhere: print a one-time link to choose it
        (like Jupyter's token) and return it; None, printing nothing, once a password exists."""
        from facilitation.domain import actors
        from facilitation.services import first_run

        out = out or sys.stdout
        configured = {
            actors.ORGANISER: self.settings.cafe_organiser_password_hash,
            actors.MARKETING: self.settings.cafe_marketing_password_hash,
        }
        try:
            link = first_run.first_run_link(self.store(), configured, base_url, self.clock())
        except CafeError as exc:  # the database is away: the pages say so; say it here too
            print(f"» Lien de premier démarrage impossible à créer : {exc.message}", file=out, flush=True)
            return None
        if link is not None:
            print(
                "\n» Premier démarrage : aucun mot de passe organisateur n'est encore choisi.\n"
                "  Ouvrez ce lien (à usage unique) pour le choisir :\n\n"
                f"    {link}\n",
                file=out,
                flush=True,
            )
        return link

    def close(self) -> None:
        """Release the connection pool (tests, shutdown)."""
        if self._store is not None:
            self._store.engine.dispose()
            self._store = None


def build_app(settings: Settings, clock: Clock = utcnow) -> App:
    """The application wired from its settings (and a clock, fixed in tests); build it once per process."""
    return App(settings, clock)
