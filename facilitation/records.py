"""Flat records of a café's contributions, the shape every export starts from."""

from __future__ import annotations

from facilitation.clock import local_time
from facilitation.domain import Source
from facilitation.privacy import mask_personal_data
from facilitation.snapshot import CafeSnapshot

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
    "groupe",
    "type",
    "profil",
    "combien_d_accord",
    "soutiens",
    "source",
    "heure",
)


def contribution_records(snapshot: CafeSnapshot, *, timezone: str) -> list[dict]:
    """One dict per live contribution, columns as EXPORT_COLUMNS, times in local ISO format.

    Texts are masked (e-mails, phones, flat numbers, flagged names): records feed every export.
    """
    cafe, names = snapshot.cafe, snapshot.masked_names
    group_of = {
        cid: mask_personal_data(t.topic.label, names)
        for t in (snapshot.harvest.topics if snapshot.harvest else ())
        for cid in t.topic.contribution_ids
    }
    rounds = {r.id: r for r in snapshot.rounds}
    tables = {t.id: t for t in snapshot.tables}
    records = []
    for c in snapshot.contributions:
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
                # Leaves the app: personal data masked (the stored original stays in the app).
                "texte": mask_personal_data(c.text, names),
                "groupe": group_of.get(c.id, ""),
                "type": c.kind.value if c.kind else "",
                "profil": c.profile.value if c.profile else "",
                "combien_d_accord": c.agreement_count,
                "soutiens": c.supports,
                "source": _source_label(c),
                "heure": local_time(c.created_at, timezone).isoformat(timespec="seconds"),
            }
        )
    return records


def _source_label(contribution) -> str:
    # A resident's words corrected by a captain must not pass for the resident's own.
    if contribution.source is Source.RESIDENT and contribution.updated_at is not None:
        return "habitant, corrigé par le capitaine"
    return contribution.source.value


TOPIC_COLUMNS = ("groupe_id", "groupe", "retenu", "contributions", "soutiens", "mots_cles", "version_recolte")


def topic_records(snapshot: CafeSnapshot) -> list[dict]:
    """One dict per topic of the café's latest harvest version (empty before any harvest)."""
    view = snapshot.harvest
    if view is None:
        return []
    names = snapshot.masked_names  # labels of older versions predate later flags
    return [
        {
            "groupe_id": t.topic.key,
            "groupe": mask_personal_data(t.topic.label, names),
            "retenu": "oui" if t.topic.kept else "non",
            "contributions": t.size,
            "soutiens": t.supports,
            "mots_cles": mask_personal_data(", ".join(t.topic.keywords), names),
            "version_recolte": view.version.number,
        }
        for t in view.topics
    ]
