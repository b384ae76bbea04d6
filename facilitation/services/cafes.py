"""Use cases of the organiser: prepare a café, its rounds and tables, run the rounds."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from facilitation.domain.access import (
    join_url,
    make_join_token,
    make_wall_token,
    new_id,
    new_table_code,
    wall_url,
)
from facilitation.domain.errors import Conflict, InvalidInput, NotFound
from facilitation.domain.model import (
    Cafe,
    Place,
    Round,
    Table,
    Theme,
    clean_label,
    clean_text,
    parse_choice,
)
from facilitation.services import audit
from facilitation.services.ports import UnitOfWork, read_only

MAX_ROUND_MINUTES = 240
_CAFE_ID = re.compile(r"[0-9a-f]{32}")


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


@dataclass(frozen=True)
class CafeDetails:
    """A café's details as the organiser's form sends them, checked by the same rules at creation
    and edit (`theme` is a Theme's value; at least one of the place's three parts)."""

    title: str
    held_on: date
    theme: str
    residence: str = ""
    quartier: str = ""
    commune: str = ""
    description: str = ""


def _checked(details: CafeDetails) -> dict:
    """The café's fields from its details as the organiser typed them, or InvalidInput in French."""
    if not isinstance(details.held_on, date):
        raise InvalidInput("Indiquez la date du café.")
    chosen_theme = parse_choice(Theme, details.theme, "Thème")
    if chosen_theme is None:
        raise InvalidInput("Choisissez le thème de l'Atelier que sert ce café.")
    return {
        "title": clean_label(details.title, what="Le titre"),
        "held_on": details.held_on,
        "place": _place(details.residence, details.quartier, details.commune),
        "theme": chosen_theme,
        "description": _description(details.description),
    }


def create_cafe(
    uow: UnitOfWork, details: CafeDetails, *, cafe_id: str | None = None, now: datetime | None = None
) -> Cafe:
    """Create a café in preparation.

    cafe_id is the idempotency key minted when the form was drawn: sent twice, one café.
    """
    cafe = Cafe(id=cafe_id or new_id(), created_at=now or uow.clock(), **_checked(details))
    with uow:
        if cafe_id and (existing := uow.cafes.get(cafe_id)) is not None:
            return existing
        uow.cafes.add(cafe)
        audit.record(uow, "café créé", cafe_id=cafe.id, target=cafe.title)
    return cafe


@read_only
def get_cafe(uow: UnitOfWork, cafe_id: str) -> Cafe:
    """The café, or NotFound in French."""
    wanted = (cafe_id or "").strip()
    # Ids are 32 hexadecimal digits (access.new_id): anything else names no café, and is not sent
    # to the database (PostgreSQL refuses a NUL character with an error of its own).
    cafe = uow.cafes.get(wanted) if _CAFE_ID.fullmatch(wanted) else None
    if cafe is None:
        shown = wanted if len(wanted) <= 40 else wanted[:40] + "…"
        raise NotFound(f"Aucun café ne porte l'identifiant « {shown} ».")
    return cafe


def update_cafe(uow: UnitOfWork, cafe_id: str, details: CafeDetails) -> Cafe:
    """Edit a café's details, before or during the café."""
    with uow:
        cafe = get_cafe(uow, cafe_id)
        updated = replace(cafe, **_checked(details))
        uow.cafes.update(updated)
        audit.record(uow, "café modifié", cafe_id=cafe_id, target=updated.title)
    return updated


@read_only
def list_cafes(uow: UnitOfWork, *, include_archived: bool = False) -> list[Cafe]:
    """Cafés, most recent first."""
    return [c for c in uow.cafes.list_all() if include_archived or c.archived_at is None]


def close_cafe(uow: UnitOfWork, cafe_id: str, *, now: datetime | None = None) -> Cafe:
    """End the café: the open round closes and residents' pages stop accepting input (one step)."""
    now = now or uow.clock()
    with uow:
        cafe = get_cafe(uow, cafe_id)
        uow.cafes.lock(cafe_id)
        for round_ in uow.cafes.rounds(cafe_id):
            if round_.is_open:
                uow.cafes.save_round(replace(round_, closed_at=now))
        updated = replace(cafe, closed_at=cafe.closed_at or now)
        uow.cafes.update(updated)
        audit.record(uow, "café terminé", cafe_id=cafe_id)
    return updated


def reopen_cafe(uow: UnitOfWork, cafe_id: str) -> Cafe:
    """Undo a closing (rounds stay closed until opened again)."""
    with uow:
        updated = replace(get_cafe(uow, cafe_id), closed_at=None)
        uow.cafes.update(updated)
        audit.record(uow, "café rouvert", cafe_id=cafe_id)
    return updated


def set_archived(uow: UnitOfWork, cafe_id: str, archived: bool, *, now: datetime | None = None) -> Cafe:
    """Archive a café (hidden from the working lists) or bring it back."""
    with uow:
        cafe = close_cafe(uow, cafe_id, now=now) if archived else get_cafe(uow, cafe_id)
        updated = replace(cafe, archived_at=(now or uow.clock()) if archived else None)
        uow.cafes.update(updated)
        audit.record(uow, "café archivé" if archived else "café désarchivé", cafe_id=cafe_id)
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
    uow: UnitOfWork, cafe_id: str, *, question: str, planned_minutes: int, round_id: str | None = None
) -> Round:
    """Append a round (one question, a planned duration); round_id makes a repeated submit a no-op."""
    question = clean_text(question, max_chars=500, what="La question")
    minutes = _minutes(planned_minutes)
    with uow:
        get_cafe(uow, cafe_id)
        uow.cafes.lock(cafe_id)  # two rounds added at once must not take the same position
        rounds = uow.cafes.rounds(cafe_id)
        if round_id and (existing := next((r for r in rounds if r.id == round_id), None)) is not None:
            return existing
        round_ = Round(
            id=round_id or new_id(),
            cafe_id=cafe_id,
            position=max((r.position for r in rounds), default=0) + 1,
            question=question,
            planned_minutes=minutes,
        )
        uow.cafes.add_round(round_)
        audit.record(uow, "tour ajouté", cafe_id=cafe_id, target=round_.question[:200])
    return round_


def _find_round(uow: UnitOfWork, cafe_id: str, round_id: str) -> Round | None:
    return next((r for r in uow.cafes.rounds(cafe_id) if r.id == round_id), None)


@read_only
def get_round(uow: UnitOfWork, cafe_id: str, round_id: str) -> Round:
    round_ = _find_round(uow, cafe_id, round_id)
    if round_ is None:
        raise NotFound("Ce tour n'existe pas (ou plus) dans ce café.")
    return round_


def update_round(
    uow: UnitOfWork, cafe_id: str, round_id: str, *, question: str, planned_minutes: int
) -> Round:
    """Change a round's question or duration, even while it runs."""
    question = clean_text(question, max_chars=500, what="La question")
    minutes = _minutes(planned_minutes)
    with uow:
        updated = replace(get_round(uow, cafe_id, round_id), question=question, planned_minutes=minutes)
        uow.cafes.save_round(updated)
        audit.record(uow, "tour modifié", cafe_id=cafe_id, target=f"tour {updated.position}")
    return updated


@read_only
def list_rounds(uow: UnitOfWork, cafe_id: str) -> list[Round]:
    """The café's rounds in order."""
    with uow.reading():
        return uow.cafes.rounds(cafe_id)


def delete_round(uow: UnitOfWork, cafe_id: str, round_id: str) -> Round:
    """Remove a round that has collected nothing yet; returns the removed round.

    The check and the deletion are one transaction: a contribution cannot land in between."""
    with uow:
        round_ = get_round(uow, cafe_id, round_id)
        if uow.contributions.in_cafe(cafe_id, round_id=round_id, include_deleted=True):
            raise InvalidInput("Ce tour contient déjà des contributions : il ne peut pas être supprimé.")
        if uow.tablecloths.in_cafe(cafe_id, round_id=round_id, with_content=False):
            raise InvalidInput("Ce tour a déjà des photos de nappes : il ne peut pas être supprimé.")
        uow.cafes.delete_round(round_id)
        audit.record(uow, "tour supprimé", cafe_id=cafe_id, target=f"tour {round_.position}")
    return round_


def open_round(uow: UnitOfWork, cafe_id: str, round_id: str, *, now: datetime | None = None) -> Round:
    """Open a round (closing the one that was open); the countdown starts now."""
    with uow:
        cafe = get_cafe(uow, cafe_id)
        if cafe.is_closed:
            raise InvalidInput("Ce café est clos : rouvrez-le avant d'ouvrir un tour.")
        uow.cafes.lock(cafe_id)
        # Stamped once the submits under way are stored: none is later than its round's closing.
        now = now or uow.clock()
        rounds = uow.cafes.rounds(cafe_id)
        chosen = next((r for r in rounds if r.id == round_id), None)
        if chosen is None:
            raise NotFound("Ce tour n'existe pas (ou plus) dans ce café.")
        # One open round at a time: opening one closes whichever was open, in the same step.
        for other in rounds:
            if other.is_open and other.id != round_id:
                uow.cafes.save_round(replace(other, closed_at=now))
        opened = replace(chosen, opened_at=now, closed_at=None)
        uow.cafes.save_round(opened)
        audit.record(uow, "tour ouvert", cafe_id=cafe_id, target=f"tour {opened.position}")
    return opened


def close_round(uow: UnitOfWork, cafe_id: str, round_id: str, *, now: datetime | None = None) -> Round:
    """Close a round: nobody can add to it any more (a closed round keeps its first closing time)."""
    with uow:
        # Waits for the submits under way (they hold the café's row shared): each is filed in a
        # round still open when it is stored, none after the closing time.
        uow.cafes.lock(cafe_id)
        round_ = get_round(uow, cafe_id, round_id)
        closed = round_ if round_.closed_at is not None else replace(round_, closed_at=now or uow.clock())
        uow.cafes.save_round(closed)
        audit.record(uow, "tour fermé", cafe_id=cafe_id, target=f"tour {closed.position}")
    return closed


@read_only
def open_round_of(uow: UnitOfWork, cafe_id: str) -> Round | None:
    """The round currently open in the café, if any."""
    return next((r for r in uow.cafes.rounds(cafe_id) if r.is_open), None)


def live_round(uow: UnitOfWork, cafe_id: str) -> Round | None:
    """The round accepting contributions now: the open one, unless the café is closed."""
    with uow.reading():
        return None if get_cafe(uow, cafe_id).is_closed else open_round_of(uow, cafe_id)


def next_round(rounds: list[Round]) -> Round | None:
    """The round that naturally comes next: the first never opened after the last one opened."""
    opened = [r.position for r in rounds if r.opened_at is not None]
    last = max(opened, default=0)
    return next((r for r in rounds if r.position > last and r.opened_at is None), None)


def extend_round(uow: UnitOfWork, cafe_id: str, round_id: str, *, minutes: int = 5) -> Round:
    """Give the open round more time (« +5 min »): its planned duration grows."""
    with uow:
        round_ = get_round(uow, cafe_id, round_id)
        if not round_.is_open:
            raise InvalidInput("Ce tour n'est pas ouvert : seul le tour en cours peut être prolongé.")
        updated = replace(round_, planned_minutes=_minutes(round_.planned_minutes + minutes))
        uow.cafes.save_round(updated)
        audit.record(
            uow, "tour prolongé", cafe_id=cafe_id, target=f"tour {updated.position} (+{minutes} min)"
        )
    return updated


def round_at(uow: UnitOfWork, cafe_id: str, position: int) -> Round:
    """The round numbered `position` in the café, or NotFound in French."""
    with uow.reading():
        rounds = uow.cafes.rounds(get_cafe(uow, cafe_id).id)
    for round_ in rounds:
        if round_.position == position:
            return round_
    raise NotFound(f"Le tour {position} n'existe pas dans ce café.")


# -- tables ------------------------------------------------------------------------------------
def add_table(
    uow: UnitOfWork,
    cafe_id: str,
    *,
    number: int,
    name: str = "",
    captain_name: str = "",
    table_id: str | None = None,
) -> Table:
    """Add a table with a fresh captain code; table_id makes a repeated submit a no-op."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise InvalidInput("Le numéro de table doit être un nombre entier.") from None
    if not 1 <= number <= 999:
        raise InvalidInput("Le numéro de table doit être compris entre 1 et 999.")
    table = Table(
        id=table_id or new_id(),
        cafe_id=cafe_id,
        number=number,
        name=clean_label(name, what="Le nom de table", required=False),
        captain_name=clean_label(captain_name, what="Le nom du capitaine", required=False),
        code=new_table_code(),
    )
    taken = InvalidInput(f"La table {number} existe déjà dans ce café.")
    try:
        with uow:
            get_cafe(uow, cafe_id)
            tables = uow.cafes.tables(cafe_id)
            if (existing := next((t for t in tables if table_id and t.id == table_id), None)) is not None:
                return existing
            if any(t.number == number for t in tables):
                raise taken
            uow.cafes.add_table(table)
            audit.record(uow, "table ajoutée", cafe_id=cafe_id, target=table.label())
    except Conflict as exc:  # the same number added at the same moment by someone else
        raise taken from exc
    return table


@read_only
def list_tables(uow: UnitOfWork, cafe_id: str) -> list[Table]:
    """The café's tables by number."""
    with uow.reading():
        return uow.cafes.tables(cafe_id)


@read_only
def get_table(uow: UnitOfWork, cafe_id: str, number: int) -> Table:
    for table in uow.cafes.tables(cafe_id):
        if table.number == number:
            return table
    raise NotFound(f"La table {number} n'existe pas dans ce café.")


def update_table(
    uow: UnitOfWork, cafe_id: str, number: int, *, name: str = "", captain_name: str = ""
) -> Table:
    """Rename a table or change its captain."""
    name = clean_label(name, what="Le nom de table", required=False)
    captain_name = clean_label(captain_name, what="Le nom du capitaine", required=False)
    with uow:
        updated = replace(get_table(uow, cafe_id, number), name=name, captain_name=captain_name)
        uow.cafes.update_table(updated)
        audit.record(uow, "table modifiée", cafe_id=cafe_id, target=updated.label())
    return updated


def rotate_link_secret(uow: UnitOfWork) -> None:
    """A new secret for every link: each resident link, wall link and form signed before is refused."""
    with uow:
        uow.trust.rotate_link_secret()
        audit.record(uow, "secret des liens changé (anciens QR codes refusés)")


def join_link(uow: UnitOfWork, cafe_id: str, table_number: int, base_url: str) -> str:
    """The signed resident link a table's QR code carries."""
    with uow.reading():
        table = get_table(uow, get_cafe(uow, cafe_id).id, table_number)
        secret = uow.trust.link_secret()
    token = make_join_token(secret, cafe_id, table.number, table.link_generation)
    return join_url(base_url, token)


def revoke_links(uow: UnitOfWork, cafe_id: str, table_number: int | None = None) -> list[Table]:
    """Invalidate the printed QR codes of one table (or of every table): new cards must be printed."""
    with uow:
        get_cafe(uow, cafe_id)
        table_id = get_table(uow, cafe_id, table_number).id if table_number is not None else None
        uow.cafes.revoke_links(cafe_id, table_id)
        which = f"table {table_number}" if table_number is not None else "toutes les tables"
        audit.record(uow, "liens habitants révoqués", cafe_id=cafe_id, target=which)
        return list_tables(uow, cafe_id)


def wall_link(uow: UnitOfWork, cafe_id: str, base_url: str) -> str:
    """The café's wall link: its room screen, read-only, carrying no organiser token."""
    with uow.reading():
        cafe = get_cafe(uow, cafe_id)
        secret = uow.trust.link_secret()
    return wall_url(base_url, make_wall_token(secret, cafe.id, cafe.wall_generation))


def revoke_wall_link(uow: UnitOfWork, cafe_id: str, base_url: str) -> str:
    """Refuse the café's wall link from now on (a photo of it circulated); return the new one."""
    with uow:
        cafe = get_cafe(uow, cafe_id)
        uow.cafes.revoke_wall_link(cafe.id)
        audit.record(uow, "lien du mur révoqué", cafe_id=cafe.id, target=cafe.title)
        return wall_link(uow, cafe.id, base_url)
