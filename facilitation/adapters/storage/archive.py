"""Whole-database backups and one-café transfers, as JSON-ready dictionaries."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from facilitation.adapters.storage import transfer

if TYPE_CHECKING:
    from facilitation.adapters.storage.unit_of_work import Transactions


class SqlArchive:
    """Dumps and loads rows in the unit of work's open transaction (see storage/transfer.py)."""

    def __init__(self, transactions: Transactions) -> None:
        self._transactions = transactions

    def dump(self, cafe_id: str | None = None) -> dict:
        """Rows of one café (with its single-café harvests and erasures) or of the whole database."""
        return self._transactions.read(lambda connection: transfer.dump(connection, cafe_id))

    def load(
        self, payload: object, *, transfer_only: bool, max_text_chars: int, now: datetime
    ) -> transfer.LoadReport:
        """Check the whole payload, then insert the missing rows, in the open writer transaction."""
        return self._transactions.write(
            lambda connection: transfer.load(
                connection, payload, transfer=transfer_only, max_text_chars=max_text_chars, now=now
            )
        )
