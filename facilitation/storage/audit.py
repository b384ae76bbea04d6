"""The append-only audit log."""

from __future__ import annotations

from sqlalchemy import insert, select

from facilitation.audit import AuditEvent
from facilitation.storage.schema import audit_log


class SqlAuditRepository:
    """Rows of `audit_log`: written in the transaction of the action they record."""

    def __init__(self, transactions) -> None:
        self._tx = transactions

    def add(self, event: AuditEvent) -> None:
        values = {k: getattr(event, k) for k in ("at", "actor", "action", "cafe_id", "target", "details")}
        self._tx.write(lambda conn: conn.execute(insert(audit_log).values(**values)))

    def latest(self, *, cafe_id: str | None = None, limit: int = 2000) -> list[AuditEvent]:
        """The most recent events, newest first."""
        query = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)
        if cafe_id is not None:
            query = query.where(audit_log.c.cafe_id == cafe_id)
        rows = self._tx.read(lambda conn: conn.execute(query).all())
        return [AuditEvent(r.at, r.actor, r.action, r.cafe_id, r.target, r.details) for r in rows]
