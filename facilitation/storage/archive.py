"""Whole-database backups and one-café transfers, as JSON-ready dictionaries."""

from __future__ import annotations

from datetime import datetime

from facilitation.storage import transfer


class SqlArchive:
    """Dumps and loads rows in a transaction of their own (see storage/transfer.py)."""

    def __init__(self, uow) -> None:
        self._uow = uow

    def dump(self, cafe_id: str | None = None) -> dict:
        """Rows of one café (with its single-café harvests and erasures) or of the whole database."""
        return transfer.dump(self._uow.engine, cafe_id)

    def load(
        self, payload: object, *, transfer_only: bool, max_text_chars: int, now: datetime
    ) -> transfer.LoadReport:
        """Check the whole payload, then insert the missing rows, in one transaction."""
        return transfer.load(
            self._uow.engine, payload, transfer=transfer_only, max_text_chars=max_text_chars, now=now
        )
