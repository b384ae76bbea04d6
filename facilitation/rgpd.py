"""Privacy use cases (RGPD): names to mask, erasure on request, retention of raw contributions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from facilitation import audit
from facilitation.cafes import get_cafe, list_cafes
from facilitation.clock import utcnow
from facilitation.domain import clean_label
from facilitation.errors import InvalidInput, NotFound
from facilitation.storage.base import Store
from facilitation.wording import plural


def flag_name(store: Store, cafe_id: str, name: str, *, by_organiser: bool = False) -> list[str]:
    """A name someone said aloud, to mask in every document and export of the café.

    The organiser's flag applies at once; a captain's waits for the organiser's confirmation, so
    that no captain can blank a common word (« le ») everywhere. Returns the names in force.
    """
    get_cafe(store, cafe_id)
    clean = clean_label(name, what="Le nom à masquer", max_chars=60)
    if len(clean) < 2:
        raise InvalidInput("Le nom à masquer doit compter au moins deux lettres.")
    store.add_masked_name(cafe_id, clean, confirmed=by_organiser)
    action = "nom signalé pour masquage" if by_organiser else "nom signalé, à confirmer par l'organisateur"
    audit.record(store, action, cafe_id=cafe_id)  # the name itself is not logged
    return store.list_masked_names(cafe_id)


def confirm_name(store: Store, cafe_id: str, name: str) -> list[str]:
    """The organiser confirms a captain's flag: the name is masked from now on."""
    if name not in store.list_masked_names(cafe_id, confirmed=False):
        raise NotFound("Ce nom n'attend plus de confirmation.")
    store.add_masked_name(cafe_id, name, confirmed=True)
    audit.record(store, "nom à masquer confirmé", cafe_id=cafe_id)
    return store.list_masked_names(cafe_id)


def unflag_name(store: Store, cafe_id: str, name: str) -> list[str]:
    """Stop masking a name (or turn down a captain's flag)."""
    store.remove_masked_name(cafe_id, name)
    audit.record(store, "nom retiré du masquage", cafe_id=cafe_id)
    return store.list_masked_names(cafe_id)


def masked_names(store: Store, cafe_id: str) -> list[str]:
    """Names masked in the café's documents."""
    return store.list_masked_names(cafe_id)


def names_to_confirm(store: Store, cafe_id: str) -> list[str]:
    """Names captains flagged that the organiser has not confirmed yet."""
    return store.list_masked_names(cafe_id, confirmed=False)


def erase_contribution(store: Store, cafe_id: str, contribution_id: str) -> int:
    """Delete a contribution for good, on request: from harvests too, and the café's generated
    documents (which may quote it) are removed to be regenerated. Returns how many were removed."""
    contribution = store.get_contribution(contribution_id)
    if contribution is None or contribution.cafe_id != cafe_id:
        raise NotFound("Cette contribution n'existe pas dans ce café.")
    store.record_erasure("contribution", cafe_id, [contribution_id], utcnow())
    store.delete_contributions([contribution_id])
    removed = store.delete_documents(cafe_id)
    audit.record(
        store,
        "contribution effacée (demande RGPD)",
        cafe_id=cafe_id,
        target=contribution_id,
        details=f"{plural(removed, 'document généré supprimé', 'documents générés supprimés')}",
    )
    return removed


def erase_cafe(store: Store, cafe_id: str, *, confirm_title: str) -> str:
    """Delete a whole café and everything derived from it; the title must be typed to confirm."""
    cafe = get_cafe(store, cafe_id)
    if confirm_title.strip() != cafe.title:
        raise InvalidInput("Pour confirmer, recopiez exactement le titre du café.")
    store.record_erasure("cafe", cafe_id, [cafe_id], utcnow())
    store.delete_cafe(cafe_id)
    audit.record(store, "café effacé", cafe_id=cafe_id, target=cafe.title)
    return cafe.title


def contributions_of(store: Store, cafe_id: str) -> list:
    """Every contribution of the café, deleted ones included (for erasure on request)."""
    return store.list_contributions(get_cafe(store, cafe_id).id, include_deleted=True)


MAX_RETENTION_DAYS = 36_500  # a century: beyond, the date arithmetic overflows


@dataclass(frozen=True)
class PurgeReport:
    cafes: list[str]
    contributions: int


def purge_expired(
    store: Store, retention_days: int, *, today: date | None = None, now: datetime | None = None
) -> PurgeReport:
    """Delete the raw contributions of cafés held more than `retention_days` ago.

    Syntheses, fiches and generated documents stay (their verbatims were masked when produced).
    """
    if not 1 <= retention_days <= MAX_RETENTION_DAYS:
        raise InvalidInput(
            f"La durée de conservation doit être comprise entre 1 et {MAX_RETENTION_DAYS} jours."
        )
    limit = (today or (now or utcnow()).date()) - timedelta(days=retention_days)
    purged, count = [], 0
    for cafe in list_cafes(store, include_archived=True):
        if cafe.held_on >= limit:
            continue
        ids = [c.id for c in store.list_contributions(cafe.id, include_deleted=True)]
        if ids:
            store.delete_contributions(ids)
            purged.append(cafe.title)
            count += len(ids)
            audit.record(
                store,
                "contributions purgées (durée de conservation)",
                cafe_id=cafe.id,
                details=f"{plural(len(ids), 'contribution')}, café du {cafe.held_on:%d/%m/%Y}",
            )
    return PurgeReport(purged, count)
