"""Flat records of a café's contributions, the shape every export starts from."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from facilitation.cafes import get_cafe
from facilitation.storage.base import Store

EXPORT_COLUMNS = (
    "contribution_id",
    "cafe_id",
    "cafe",
    "date_cafe",
    "lieu",
    "theme",
    "tour",
    "question",
    "table",
    "nom_table",
    "texte",
    "type",
    "profil",
    "combien_d_accord",
    "soutiens",
    "source",
    "heure",
)


def local_time(moment: datetime, timezone: str) -> datetime:
    """A stored UTC moment in the display time zone (Europe/Paris by default)."""
    return moment.astimezone(ZoneInfo(timezone))


def contribution_records(store: Store, cafe_id: str, *, timezone: str) -> list[dict]:
    """One dict per live contribution, columns as EXPORT_COLUMNS, times in local ISO format."""
    cafe = get_cafe(store, cafe_id)
    rounds = {r.id: r for r in store.list_rounds(cafe_id)}
    tables = {t.id: t for t in store.list_tables(cafe_id)}
    records = []
    for c in store.list_contributions(cafe_id):
        round_, table = rounds[c.round_id], tables[c.table_id]
        records.append(
            {
                "contribution_id": c.id,
                "cafe_id": cafe.id,
                "cafe": cafe.title,
                "date_cafe": cafe.held_on.isoformat(),
                "lieu": cafe.place.label(),
                "theme": cafe.theme.value,
                "tour": round_.position,
                "question": round_.question,
                "table": table.number,
                "nom_table": table.name,
                "texte": c.text,
                "type": c.kind.value if c.kind else "",
                "profil": c.profile.value if c.profile else "",
                "combien_d_accord": c.agreement_count,
                "soutiens": c.supports,
                "source": c.source.value,
                "heure": local_time(c.created_at, timezone).isoformat(timespec="seconds"),
            }
        )
    return records
