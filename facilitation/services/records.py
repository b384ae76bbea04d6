"""Flat records of a café's contributions, the shape every export starts from."""

from __future__ import annotations

from facilitation.adapters.clock import local_time
from facilitation.domain.model import Source
from facilitation.domain.privacy import mask_personal_data
from facilitation.services.snapshot import CafeSnapshot
from facilitation.services.synthesis import summarise

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
    "prolonge",
    "question_qui_emerge",
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
    live = {c.id for c in snapshot.contributions}
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
                # The contribution_id it builds on (« je prolonge »), if that one is exported too.
                "prolonge": c.builds_on if c.builds_on in live else "",
                "question_qui_emerge": "oui" if c.emerging_question else "",
            }
        )
    return records


def _source_label(contribution) -> str:
    # A resident's words corrected by a captain must not pass for the resident's own.
    if contribution.source is Source.RESIDENT and contribution.updated_at is not None:
        return "habitant, corrigé par le capitaine"
    return contribution.source.value


TOPIC_COLUMNS = (
    "groupe_id",
    "groupe",
    "theme_du_groupe",
    "retenu",
    "contributions",
    "soutiens",
    "habitants",
    "nombre_tables",
    "tours",
    "d_accord",
    "pas_d_accord",
    "je_ne_sais_pas",
    "part_d_accord",
    "avis",
    "portee",
    "mots_cles",
    "version_recolte",
)

# What a spreadsheet's first row says (CSV and Excel); JSON keeps the short keys above, stable for
# programs that read it.
HEADERS = {
    "contribution_id": "Identifiant de la contribution",
    "cafe_id": "Identifiant du café",
    "cafe": "Café",
    "date_cafe": "Date du café",
    "lieu": "Lieu",
    "theme": "Thème de l'Atelier",
    "tour": "Tour",
    "question": "Question",
    "table": "Table",
    "nom_table": "Nom de la table",
    "texte": "Texte",
    "groupe": "Groupe",
    "type": "Type",
    "profil": "Profil",
    "combien_d_accord": "Combien sont d'accord (capitaine)",
    "soutiens": "Soutiens",
    "source": "Source",
    "heure": "Heure",
    "prolonge": "prolonge",  # the field's name, the same in every format (issue #23)
    "question_qui_emerge": "Question qui émerge",
    "groupe_id": "Identifiant du groupe",
    "theme_du_groupe": "Thème du groupe",
    "retenu": "Retenu pour une fiche",
    "contributions": "Contributions",
    "habitants": "Habitants",
    "nombre_tables": "Tables",
    "tours": "Tours",
    "d_accord": "D'accord",
    "pas_d_accord": "Pas d'accord",
    "je_ne_sais_pas": "Je ne sais pas",
    "part_d_accord": "Part d'accord (%)",
    "avis": "Avis",
    "portee": "Portée",
    "mots_cles": "Mots-clés",
    "version_recolte": "Version de la récolte",
}


def topic_records(snapshot: CafeSnapshot) -> list[dict]:
    """One dict per topic of the café's latest harvest version (empty before any harvest)."""
    view = snapshot.harvest
    if view is None:
        return []
    names = snapshot.masked_names  # labels of older versions predate later flags
    # Provenance and agreement as the synthesis computes them (one definition for every document).
    read = summarise(snapshot)
    summaries = {t.key: t for t in [*read.topics, *read.others]}

    def figures(key: str) -> dict:
        summary = summaries.get(key)
        if summary is None:  # an empty group: nothing said, nothing voted
            return {"habitants": 0, "nombre_tables": 0, "tours": "", "d_accord": 0, "pas_d_accord": 0}
        o, p = summary.opinion, summary.provenance
        return {
            "habitants": p.residents,
            "nombre_tables": p.tables,
            "tours": ", ".join(str(r) for r in p.rounds),
            "d_accord": o.tally.agree,
            "pas_d_accord": o.tally.disagree,
            "je_ne_sais_pas": o.tally.unsure,
            "part_d_accord": round(100 * o.tally.agree / o.tally.total, 1) if o.tally.total else None,
            "avis": o.label_text,
            "portee": o.reach,
        }

    theme_of = {
        t.topic.key: theme.theme.label for theme in view.themes if theme.theme.key for t in theme.topics
    }
    return [
        {
            "groupe_id": t.topic.key,
            "groupe": mask_personal_data(t.topic.label, names),
            "theme_du_groupe": mask_personal_data(theme_of.get(t.topic.key, ""), names),
            "retenu": "oui" if t.topic.kept else "non",
            "contributions": t.size,
            "soutiens": t.supports,
            **figures(t.topic.key),
            "mots_cles": mask_personal_data(", ".join(t.topic.keywords), names),
            "version_recolte": view.version.number,
        }
        for t in view.topics
    ]
