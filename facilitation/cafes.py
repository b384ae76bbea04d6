"""Use cases of the organiser: prepare a café, its rounds and tables, run the rounds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from facilitation import audit
from facilitation.access import join_url, make_join_token, new_id, new_table_code
from facilitation.clock import utcnow
from facilitation.domain import (
    Cafe,
    Place,
    Round,
    Table,
    Theme,
    clean_label,
    clean_text,
    parse_choice,
)
from facilitation.errors import InvalidInput, NotFound
from facilitation.storage.base import Store

MAX_ROUND_MINUTES = 240


def _place(residence: str, quartier: str, commune: str) -> Place:
    place = Place(
        residence=clean_label(residence, what="La résidence", required=False),
        quartier=clean_label(quartier, what="Le quartier", required=False),
        commune=clean_label(commune, what="La commune", required=False),
    )
    if not place.label():
        raise InvalidInput("Indiquez au moins le lieu : une résidence, un quartier ou une commune.")
    return place


def _description(raw: str) -> str:
    return clean_text(raw, max_chars=2000, what="La description") if (raw or "").strip() else ""


def create_cafe(
    store: Store,
    *,
    title: str,
    held_on: date,
    theme: str,
    residence: str = "",
    quartier: str = "",
    commune: str = "",
    description: str = "",
    cafe_id: str | None = None,
    now: datetime | None = None,
) -> Cafe:
    """Create a café in preparation.

    cafe_id is the idempotency key minted when the form was drawn: sent twice, one café.
    """
    if cafe_id and (existing := store.get_cafe(cafe_id)) is not None:
        return existing
    if not isinstance(held_on, date):
        raise InvalidInput("Indiquez la date du café.")
    chosen_theme = parse_choice(Theme, theme, "Thème")
    if chosen_theme is None:
        raise InvalidInput("Choisissez le thème de l'Atelier que sert ce café.")
    cafe = Cafe(
        id=cafe_id or new_id(),
        title=clean_label(title, what="Le titre"),
        held_on=held_on,
        place=_place(residence, quartier, commune),
        theme=chosen_theme,
        description=_description(description),
        created_at=now or utcnow(),
    )
    store.add_cafe(cafe)
    audit.record(store, "café créé", cafe_id=cafe.id, target=cafe.title)
    return cafe


def get_cafe(store: Store, cafe_id: str) -> Cafe:
    """The café, or NotFound in French."""
    cafe = store.get_cafe((cafe_id or "").strip())
    if cafe is None:
        raise NotFound(f"Aucun café ne porte l'identifiant « {cafe_id} ».")
    return cafe


def update_cafe(
    store: Store,
    cafe_id: str,
    *,
    title: str,
    held_on: date,
    theme: str,
    residence: str = "",
    quartier: str = "",
    commune: str = "",
    description: str = "",
) -> Cafe:
    """Edit a café's details, before or during the café."""
    cafe = get_cafe(store, cafe_id)
    chosen_theme = parse_choice(Theme, theme, "Thème") or cafe.theme
    updated = replace(
        cafe,
        title=clean_label(title, what="Le titre"),
        held_on=held_on,
        place=_place(residence, quartier, commune),
        theme=chosen_theme,
        description=_description(description),
    )
    store.update_cafe(updated)
    audit.record(store, "café modifié", cafe_id=cafe_id, target=updated.title)
    return updated


def list_cafes(store: Store, *, include_archived: bool = False) -> list[Cafe]:
    """Cafés, most recent first."""
    return [c for c in store.list_cafes() if include_archived or c.archived_at is None]


def close_cafe(store: Store, cafe_id: str, *, now: datetime | None = None) -> Cafe:
    """End the café: the open round closes and residents' pages stop accepting input."""
    cafe = get_cafe(store, cafe_id)
    now = now or utcnow()
    for round_ in store.list_rounds(cafe_id):
        if round_.is_open:
            store.close_round(round_.id, now)
    updated = replace(cafe, closed_at=cafe.closed_at or now)
    store.update_cafe(updated)
    audit.record(store, "café terminé", cafe_id=cafe_id)
    return updated


def reopen_cafe(store: Store, cafe_id: str) -> Cafe:
    """Undo a closing (rounds stay closed until opened again)."""
    updated = replace(get_cafe(store, cafe_id), closed_at=None)
    store.update_cafe(updated)
    audit.record(store, "café rouvert", cafe_id=cafe_id)
    return updated


def set_archived(store: Store, cafe_id: str, archived: bool, *, now: datetime | None = None) -> Cafe:
    """Archive a café (hidden from the working lists) or bring it back."""
    cafe = close_cafe(store, cafe_id, now=now) if archived else get_cafe(store, cafe_id)
    updated = replace(cafe, archived_at=(now or utcnow()) if archived else None)
    store.update_cafe(updated)
    audit.record(store, "café archivé" if archived else "café désarchivé", cafe_id=cafe_id)
    return updated


# -- rounds ------------------------------------------------------------------------------------
def _minutes(planned_minutes: int) -> int:
    try:
        minutes = int(planned_minutes)
    except (TypeError, ValueError):
        raise InvalidInput("La durée prévue doit être un nombre de minutes.") from None
    if not 1 <= minutes <= MAX_ROUND_MINUTES:
        raise InvalidInput(f"La durée prévue doit être comprise entre 1 et {MAX_ROUND_MINUTES} minutes.")
    return minutes


def add_round(
    store: Store, cafe_id: str, *, question: str, planned_minutes: int, round_id: str | None = None
) -> Round:
    """Append a round (one question, a planned duration); round_id makes a repeated submit a no-op."""
    get_cafe(store, cafe_id)
    if round_id and (existing := _find_round(store, cafe_id, round_id)) is not None:
        return existing
    round_ = Round(
        id=round_id or new_id(),
        cafe_id=cafe_id,
        position=0,  # the store appends at the end
        question=clean_text(question, max_chars=500, what="La question"),
        planned_minutes=_minutes(planned_minutes),
    )
    store.add_round(round_)
    audit.record(store, "tour ajouté", cafe_id=cafe_id, target=round_.question[:200])
    return next(r for r in store.list_rounds(cafe_id) if r.id == round_.id)


def _find_round(store: Store, cafe_id: str, round_id: str) -> Round | None:
    return next((r for r in store.list_rounds(cafe_id) if r.id == round_id), None)


def get_round(store: Store, cafe_id: str, round_id: str) -> Round:
    round_ = _find_round(store, cafe_id, round_id)
    if round_ is None:
        raise NotFound("Ce tour n'existe pas (ou plus) dans ce café.")
    return round_


def update_round(store: Store, cafe_id: str, round_id: str, *, question: str, planned_minutes: int) -> Round:
    """Change a round's question or duration, even while it runs."""
    updated = replace(
        get_round(store, cafe_id, round_id),
        question=clean_text(question, max_chars=500, what="La question"),
        planned_minutes=_minutes(planned_minutes),
    )
    store.update_round(updated)
    audit.record(store, "tour modifié", cafe_id=cafe_id, target=f"tour {updated.position}")
    return updated


def list_rounds(store: Store, cafe_id: str) -> list[Round]:
    """The café's rounds in order."""
    return store.list_rounds(cafe_id)


def delete_round(store: Store, cafe_id: str, round_id: str) -> Round:
    """Remove a round that has collected nothing yet; returns the removed round."""
    round_ = get_round(store, cafe_id, round_id)
    if store.list_contributions(cafe_id, round_id=round_id, include_deleted=True):
        raise InvalidInput("Ce tour contient déjà des contributions : il ne peut pas être supprimé.")
    store.delete_round(round_id)
    audit.record(store, "tour supprimé", cafe_id=cafe_id, target=f"tour {round_.position}")
    return round_


def open_round(store: Store, cafe_id: str, round_id: str, *, now: datetime | None = None) -> Round:
    """Open a round (closing the one that was open); the countdown starts now."""
    cafe = get_cafe(store, cafe_id)
    if cafe.is_closed:
        raise InvalidInput("Ce café est clos : rouvrez-le avant d'ouvrir un tour.")
    get_round(store, cafe_id, round_id)
    store.open_round(cafe_id, round_id, now or utcnow())
    opened = get_round(store, cafe_id, round_id)
    audit.record(store, "tour ouvert", cafe_id=cafe_id, target=f"tour {opened.position}")
    return opened


def close_round(store: Store, cafe_id: str, round_id: str, *, now: datetime | None = None) -> Round:
    """Close a round: nobody can add to it any more."""
    get_round(store, cafe_id, round_id)
    store.close_round(round_id, now or utcnow())
    closed = get_round(store, cafe_id, round_id)
    audit.record(store, "tour fermé", cafe_id=cafe_id, target=f"tour {closed.position}")
    return closed


def open_round_of(store: Store, cafe_id: str) -> Round | None:
    """The round currently open in the café, if any."""
    return next((r for r in store.list_rounds(cafe_id) if r.is_open), None)


def live_round(store: Store, cafe_id: str) -> Round | None:
    """The round accepting contributions now: the open one, unless the café is closed."""
    return None if get_cafe(store, cafe_id).is_closed else open_round_of(store, cafe_id)


def next_round(rounds: list[Round]) -> Round | None:
    """The round that naturally comes next: the first never opened after the last one opened."""
    opened = [r.position for r in rounds if r.opened_at is not None]
    last = max(opened, default=0)
    return next((r for r in rounds if r.position > last and r.opened_at is None), None)


def extend_round(store: Store, cafe_id: str, round_id: str, *, minutes: int = 5) -> Round:
    """Give the open round more time (« +5 min »): its planned duration grows."""
    round_ = get_round(store, cafe_id, round_id)
    if not round_.is_open:
        raise InvalidInput("Ce tour n'est pas ouvert : seul le tour en cours peut être prolongé.")
    updated = replace(round_, planned_minutes=_minutes(round_.planned_minutes + minutes))
    store.update_round(updated)
    audit.record(store, "tour prolongé", cafe_id=cafe_id, target=f"tour {updated.position} (+{minutes} min)")
    return updated


def round_at(store: Store, cafe_id: str, position: int) -> Round:
    """The round numbered `position` in the café, or NotFound in French."""
    for round_ in store.list_rounds(get_cafe(store, cafe_id).id):
        if round_.position == position:
            return round_
    raise NotFound(f"Le tour {position} n'existe pas dans ce café.")


# -- tables ------------------------------------------------------------------------------------
def add_table(
    store: Store,
    cafe_id: str,
    *,
    number: int,
    name: str = "",
    captain_name: str = "",
    table_id: str | None = None,
) -> Table:
    """Add a table with a fresh captain code; table_id makes a repeated submit a no-op."""
    get_cafe(store, cafe_id)
    existing = next((t for t in store.list_tables(cafe_id) if table_id and t.id == table_id), None)
    if existing is not None:
        return existing
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise InvalidInput("Le numéro de table doit être un nombre entier.") from None
    if not 1 <= number <= 999:
        raise InvalidInput("Le numéro de table doit être compris entre 1 et 999.")
    if any(t.number == number for t in store.list_tables(cafe_id)):
        raise InvalidInput(f"La table {number} existe déjà dans ce café.")
    table = Table(
        id=table_id or new_id(),
        cafe_id=cafe_id,
        number=number,
        name=clean_label(name, what="Le nom de table", required=False),
        captain_name=clean_label(captain_name, what="Le nom du capitaine", required=False),
        code=new_table_code(),
    )
    store.add_table(table)
    audit.record(store, "table ajoutée", cafe_id=cafe_id, target=table.label())
    return table


def list_tables(store: Store, cafe_id: str) -> list[Table]:
    """The café's tables by number."""
    return store.list_tables(cafe_id)


def get_table(store: Store, cafe_id: str, number: int) -> Table:
    for table in store.list_tables(cafe_id):
        if table.number == number:
            return table
    raise NotFound(f"La table {number} n'existe pas dans ce café.")


def update_table(store: Store, cafe_id: str, number: int, *, name: str = "", captain_name: str = "") -> Table:
    """Rename a table or change its captain."""
    updated = replace(
        get_table(store, cafe_id, number),
        name=clean_label(name, what="Le nom de table", required=False),
        captain_name=clean_label(captain_name, what="Le nom du capitaine", required=False),
    )
    store.update_table(updated)
    audit.record(store, "table modifiée", cafe_id=cafe_id, target=updated.label())
    return updated


def join_link(store: Store, cafe_id: str, table_number: int, base_url: str) -> str:
    """The signed resident link a table's QR code carries."""
    table = get_table(store, get_cafe(store, cafe_id).id, table_number)
    token = make_join_token(store.link_secret(), cafe_id, table.number, table.link_generation)
    return join_url(base_url, token)


def revoke_links(store: Store, cafe_id: str, table_number: int | None = None) -> list[Table]:
    """Invalidate the printed QR codes of one table (or of every table): new cards must be printed."""
    get_cafe(store, cafe_id)
    table_id = get_table(store, cafe_id, table_number).id if table_number is not None else None
    store.revoke_links(cafe_id, table_id)
    which = f"table {table_number}" if table_number is not None else "toutes les tables"
    audit.record(store, "liens habitants révoqués", cafe_id=cafe_id, target=which)
    return list_tables(store, cafe_id)
