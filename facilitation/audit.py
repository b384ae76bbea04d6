"""Who did what, when: an append-only audit log the organiser can read and export.

The actor is set once at the boundary (a page, the command line) and read by the use cases, so
that every use case does not have to pass it along.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

ORGANISER = "organisateur"
MARKETING = "équipe marketing"  # reads the library, downloads, comments fiches; changes nothing else
COMMAND_LINE = "ligne de commande"
_actor: ContextVar[str] = ContextVar("actor", default="système")


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    actor: str
    action: str
    cafe_id: str | None = None
    target: str = ""
    details: str = ""


def captain(table_number: int) -> str:
    return f"capitaine, table {table_number}"


def resident_link(table_number: int) -> str:
    return f"lien habitant, table {table_number}"


def set_actor(actor: str) -> None:
    """Who acts in this thread from now on (a page run, a command)."""
    _actor.set(actor)


def current_actor() -> str:
    """Who acts in this thread right now (« système » when nobody was set)."""
    return _actor.get()


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def record(uow, action: str, *, cafe_id: str | None = None, target: str = "", details: str = "") -> None:
    """Append one event, attributed to the current actor, in the transaction of the action it logs."""
    uow.audit.add(AuditEvent(datetime.now(UTC), _actor.get(), action, cafe_id, target[:200], details[:2000]))


AUDIT_COLUMNS = ("heure", "acteur", "action", "cafe_id", "objet", "details")


def audit_records(uow, *, cafe_id: str | None = None, timezone: str, limit: int = 2000) -> list[dict]:
    """The most recent events, newest first, as flat records (for the page and the CSV export)."""
    from zoneinfo import ZoneInfo

    with uow.reading():
        events = uow.audit.latest(cafe_id=cafe_id, limit=limit)
    return [
        {
            "heure": e.at.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds"),
            "acteur": e.actor,
            "action": e.action,
            "cafe_id": e.cafe_id or "",
            "objet": e.target,
            "details": e.details,
        }
        for e in events
    ]
