"""Who did what, when: an append-only audit log the organiser can read and export.

The actor is set once at the boundary (a page, the command line) and read by the use cases, so
that every use case does not have to pass it along; a use case whose credential says who acts (a
captain's code, a table's link) names the actor itself.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from facilitation.adapters.clock import local_time
from facilitation.domain.actors import SYSTEM

_actor: ContextVar[str] = ContextVar("actor", default=SYSTEM)
# Every action the app writes (a test reads the source and keeps this list complete): a restored
# audit line naming another action was not written by the app.
ACTIONS = frozenset(
    (
        "adresse publique modifiée",
        "café archivé",
        "café créé",
        "café désarchivé",
        "café effacé",
        "café exporté pour transfert",
        "café importé",
        "café modifié",
        "café rouvert",
        "café terminé",
        "capitaine entré à sa table",
        "code capitaine refusé",
        "contribution ajoutée",
        "contribution reliée à l'idée qu'elle prolonge",
        "contribution ajoutée depuis une nappe",
        "contribution d'habitant corrigée par le capitaine",
        "contribution effacée (demande RGPD)",
        "contribution modifiée",
        "contribution restaurée",
        "contribution supprimée (récupérable)",
        "contributions purgées (durée de conservation)",
        "document généré",
        "document téléchargé",
        "décision sur une fiche",
        "déconnexion",
        "effacement : fichiers à réécrire",
        "essais de codes capitaine remis à zéro",
        "export",
        "fiche commentée",
        "fiche de terrain créée",
        "fiche modifiée",
        "lien de premier démarrage créé",
        "lien du mur révoqué",
        "liens habitants révoqués",
        "mots de passe choisis (premier démarrage)",
        "nom retiré du masquage",
        "nom signalé pour masquage",
        "nom signalé, à confirmer par l'organisateur",
        "nom à masquer confirmé",
        "photo de nappe ajoutée",
        "photo de nappe retirée",
        "photos ajoutées à une fiche",
        "question qui émerge marquée",
        "question qui émerge retirée",
        "photos de nappes purgées (durée de conservation)",
        "restauration de la base",
        "récolte enregistrée",
        "sauvegarde de la base",
        "secret des liens changé (anciens QR codes refusés)",
        "table ajoutée",
        "table modifiée",
        "texte original affiché (modération)",
        "tour ajouté",
        "tour fermé",
        "tour modifié",
        "tour ouvert",
        "tour prolongé",
        "tour supprimé",
        "toutes les sessions déconnectées",
        "vote en plénière fermé",
        "vote en plénière ouvert",
        "vote à main levée enregistré",
    )
)


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    actor: str
    action: str
    cafe_id: str | None = None
    target: str = ""
    details: str = ""


def set_actor(actor: str) -> None:
    """Who acts in this thread from now on (a page run, a command)."""
    _actor.set(actor)


def current_actor() -> str:
    """Who acts in this thread right now (« système » when nobody was set)."""
    return _actor.get()


def record(
    uow,
    action: str,
    *,
    cafe_id: str | None = None,
    target: str = "",
    details: str = "",
    actor: str | None = None,
) -> None:
    """Append one event, attributed to `actor`, else to the current actor.

    A use case names the actor when its credential says who acts (a captain's code, a table's link):
    a form callback runs before the page has set who is there. Written in the transaction of the
    action it logs: both are saved, or neither.
    """
    uow.audit.add(
        AuditEvent(uow.clock(), actor or _actor.get(), action, cafe_id, target[:200], details[:2000])
    )


AUDIT_COLUMNS = ("heure", "acteur", "action", "cafe_id", "objet", "details")


def audit_records(uow, *, cafe_id: str | None = None, timezone: str, limit: int = 2000) -> list[dict]:
    """The most recent events, newest first, as flat records (for the page and the CSV export)."""
    with uow.reading():
        events = uow.audit.latest(cafe_id=cafe_id, limit=limit)
    return [
        {
            "heure": local_time(e.at, timezone).isoformat(timespec="seconds"),
            "acteur": e.actor,
            "action": e.action,
            "cafe_id": e.cafe_id or "",
            "objet": e.target,
            "details": e.details,
        }
        for e in events
    ]
