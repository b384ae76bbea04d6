"""The append-only audit log."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import insert, or_, select, update

from facilitation.adapters.storage.rows import to_model, to_row
from facilitation.adapters.storage.schema import audit_log
from facilitation.services.audit import AuditEvent


class SqlAuditRepository:
    """Rows of `audit_log`: written in the transaction of the action they record."""

    def __init__(self, transactions) -> None:
        self._tx = transactions

    def add(self, event: AuditEvent) -> None:
        self._tx.write(lambda conn: conn.execute(insert(audit_log).values(**to_row(event))))

    def latest(self, *, cafe_id: str | None = None, limit: int = 2000) -> list[AuditEvent]:
        """The most recent events, newest first."""
        query = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)
        if cafe_id is not None:
            query = query.where(audit_log.c.cafe_id == cafe_id)
        rows = self._tx.rows(query)
        return [to_model(AuditEvent, row) for row in rows]

    def forget_text(self, *, cafe_id: str | None = None, targets: list[str] | None = None) -> None:
        """Blank the details of the rows about these contributions (`targets`), or the target and
        details of every row of a café: who did what and when stays, no text (RGPD erasure)."""

        def work(conn):
            if targets:
                conn.execute(update(audit_log).where(audit_log.c.target.in_(targets)).values(details=""))
            if cafe_id is not None:
                conn.execute(
                    update(audit_log).where(audit_log.c.cafe_id == cafe_id).values(target="", details="")
                )

        self._tx.write(work)

    def redact(self, cafe_id: str, redact: Callable[[str], str]) -> None:
        """Rewrite the target and details of the café's rows and of rows tied to no café through
        `redact`, which blanks an erased text's words. No row should carry such words (migration
        0012): this catches one that would."""

        def work(conn):
            tied = or_(audit_log.c.cafe_id == cafe_id, audit_log.c.cafe_id.is_(None))
            rows = conn.execute(
                select(audit_log.c.id, audit_log.c.target, audit_log.c.details).where(tied)
            ).all()
            for row in rows:
                target, details = redact(row.target), redact(row.details)
                if (target, details) != (row.target, row.details):
                    conn.execute(
                        update(audit_log)
                        .where(audit_log.c.id == row.id)
                        .values(target=target[:200], details=details)
                    )

        self._tx.write(work)
