"""Use cases of agreement: a phone's vote on its table's ideas and on the plenary's themes, a
captain's show of hands, the organiser's plenary switch, and the agreement of every theme."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from facilitation.domain.access import check_form_nonce, verify_join_token
from facilitation.domain.agreement import (
    THEME_PREFIX,
    Agreement,
    Choice,
    Tally,
    Vote,
    assess,
    captain_voter,
)
from facilitation.domain.errors import InvalidInput, NotAccepting, NotFound
from facilitation.domain.model import TopicGroup
from facilitation.domain.privacy import mask_personal_data
from facilitation.services import audit, harvest
from facilitation.services.abuse import PhoneLimiter
from facilitation.services.cafes import get_cafe
from facilitation.services.contributions import (
    HeardIdea,
    TableContext,
    Visit,
    _claimed_state,
    _locate,
    count_of_people,
    heard_at,
    join_table,
    shown_at_table,
    supported_here,
    supporter_key,
)
from facilitation.services.ports import UnitOfWork

PLENARY_THEMES = 12  # a phone screen's worth; the largest first
CLOSED_PLENARY_MESSAGE = "Le vote sur les thèmes est fermé. Merci pour votre avis !"


def parse_choice(value: str) -> Choice:
    """« d'accord », « pas d'accord » or « je ne sais pas », as a form posts it."""
    try:
        return Choice(value)
    except ValueError:
        raise InvalidInput("Choisissez « d'accord », « pas d'accord » ou « je ne sais pas ».") from None


@dataclass(frozen=True)
class PlenaryTheme:
    key: str
    label: str  # masked


def plenary_themes(uow: UnitOfWork, cafe_id: str) -> list[PlenaryTheme]:
    """The themes a plenary vote asks about: retained groups if any, else every group; largest first."""
    with uow.reading():
        cafe = get_cafe(uow, cafe_id)
        version = harvest.latest_version(uow, harvest.scope_of([cafe.id]))
        names = uow.trust.masked_names(cafe.id) if version else []
    if version is None:
        return []
    topics = [t for t in version.topics if t.contribution_ids]
    chosen: list[TopicGroup] = [t for t in topics if t.kept] or topics
    chosen = sorted(chosen, key=lambda t: -len(t.contribution_ids))[:PLENARY_THEMES]
    return [PlenaryTheme(t.key, mask_personal_data(t.label, names)) for t in chosen]


@dataclass(frozen=True)
class PlenaryResult:
    theme: PlenaryTheme
    agreement: Agreement  # the plenary's votes on this theme alone


def plenary_results(uow: UnitOfWork, cafe_id: str) -> list[PlenaryResult]:
    """Each theme put to the plenary vote with the phones' answers so far."""
    with uow.reading():
        themes = plenary_themes(uow, cafe_id)
        listed = uow.contributions.votes_in(cafe_id)
    found = agreements(listed, {t.key: [] for t in themes})
    return [PlenaryResult(t, found[t.key]) for t in themes]


def set_plenary(uow: UnitOfWork, cafe_id: str, opened: bool) -> None:
    """Open or close the plenary vote on the themes (the phones show them while it is open)."""
    with uow:
        cafe = get_cafe(uow, cafe_id)
        if opened and not plenary_themes(uow, cafe_id):
            raise InvalidInput(
                "Regroupez d'abord les idées (page « Récolte ») : il n'y a aucun thème à voter."
            )
        uow.cafes.update(replace(cafe, plenary_opened_at=uow.clock() if opened else None))
        audit.record(uow, "vote en plénière ouvert" if opened else "vote en plénière fermé", cafe_id=cafe_id)


def vote(
    uow: UnitOfWork,
    *,
    token: str,
    item: str,
    choice: str,
    browser_id: str,
    limiter: PhoneLimiter | None = None,
    client_address: str = "",
    nonce: str | None = None,
    now: datetime | None = None,
) -> Voted:
    """A phone's opinion on an idea of its table's open round, or on a theme of the open plenary,
    in one writer transaction (with the form's `nonce` checked when given).

    One vote per phone per item: a second one replaces the first. « d'accord » on an idea is also
    its support (+1), so the wall and the documents count it as before.
    """
    if not browser_id:
        raise InvalidInput("Rechargez la page avant de donner votre avis.")
    picked = parse_choice(choice)
    with uow:
        secret = uow.trust.link_secret()
        if nonce is not None:
            check_form_nonce(secret, nonce, token, "soutien", browser_id)  # raises StaleForm
        state = _claimed_state(uow, verify_join_token(secret, token))
        voter = supporter_key(state.cafe.id, browser_id)
        when = now or uow.clock()
        if item.startswith(THEME_PREFIX):
            if state.cafe.plenary_opened_at is None or state.cafe.is_closed:
                raise NotAccepting(CLOSED_PLENARY_MESSAGE)
            if item.removeprefix(THEME_PREFIX) not in {t.key for t in plenary_themes(uow, state.cafe.id)}:
                raise NotFound("Ce thème n'est plus proposé au vote.")
        else:
            shown_at_table(uow, state, item)
            if picked is Choice.AGREE:
                uow.contributions.add_support(item, voter, when)
            else:
                uow.contributions.remove_support(item, voter)
        if limiter is not None:
            limiter.count_support(state.cafe.id, item, browser_id, client_address)
        uow.contributions.set_vote(state.cafe.id, item, voter, state.table.number, Tally.of(picked), when)
        idea = None if item.startswith(THEME_PREFIX) else uow.contributions.get(item)
    return Voted(picked, idea.supports if idea else None)


@dataclass(frozen=True)
class Voted:
    """A phone's vote as stored, and its idea's supports now (None for a theme)."""

    choice: Choice
    supports: int | None


@dataclass(frozen=True)
class PhoneView:
    """What a resident's phone shows: its table, the ideas it supported, its votes, the themes of
    an open plenary vote, and on the « je prolonge » page the ideas it heard at earlier tables."""

    context: TableContext
    supported: set[str]
    choices: dict[str, Choice]
    themes: list[PlenaryTheme]
    link_secret: str  # signs the page's forms (facilitation.domain.access.form_nonce)
    heard: list[HeardIdea]


def phone_view(
    uow: UnitOfWork,
    token: str | None,
    browser_id: str,
    *,
    latest: int | None = None,
    visits: Callable[[str], tuple[Visit, ...]] | None = None,
) -> PhoneView:
    """A resident's table as their phone shows it, read in one read-only transaction (polled every
    few seconds: it never waits for the captains' writes). With `visits` (the « je prolonge »
    page), also the ideas heard at the tables it reads from a cookie signed with the link secret
    this transaction reads."""
    with uow.reading():
        context = join_table(uow, token, latest=latest)
        cafe = context.cafe
        opened = cafe.plenary_opened_at is not None and not cafe.is_closed
        secret = uow.trust.link_secret()
        return PhoneView(
            context=context,
            supported=supported_here(uow, context, browser_id),
            choices=votes_here(uow, cafe.id, browser_id),
            themes=plenary_themes(uow, cafe.id) if opened else [],
            link_secret=secret,
            heard=heard_at(uow, context, visits(secret)) if visits else [],
        )


def votes_here(uow: UnitOfWork, cafe_id: str, browser_id: str) -> dict[str, Choice]:
    """This phone's current choice on each item it voted on."""
    voter = supporter_key(cafe_id, browser_id)
    with uow.reading():
        listed = uow.contributions.votes_in(cafe_id)
    return {v.item: choice for v in listed if v.voter == voter and (choice := v.tally.choice())}


def record_hands(
    uow: UnitOfWork,
    *,
    cafe_id: str,
    table_number: int,
    contribution_id: str,
    agree: int | str | None,
    disagree: int | str | None,
    unsure: int | str | None,
) -> Tally:
    """A table's show of hands on one of its ideas, as its captain counted it (replaces the last count)."""
    tally = Tally(
        count_of_people(agree or 0, "D'accord"),
        count_of_people(disagree or 0, "Pas d'accord"),
        count_of_people(unsure or 0, "Je ne sais pas"),
    )
    with uow:
        state = _locate(uow, cafe_id, table_number)
        idea = uow.contributions.get(contribution_id)
        if idea is None or idea.deleted_at is not None or idea.table_id != state.table.id:
            raise NotFound("Cette contribution n'existe pas à votre table.")
        uow.contributions.set_vote(
            cafe_id, contribution_id, captain_voter(table_number), table_number, tally, uow.clock()
        )
        audit.record(uow, "vote à main levée enregistré", cafe_id=cafe_id, target=f"table {table_number}")
    return tally


def hands_of(uow: UnitOfWork, context: TableContext) -> dict[str, Tally]:
    """The shows of hands recorded at this table, by contribution id."""
    voter = captain_voter(context.table.number)
    with uow.reading():
        listed = uow.contributions.votes_in(context.cafe.id)
    return {v.item: v.tally for v in listed if v.voter == voter}


def agreements(listed: list[Vote], groups: dict[str, list[str]]) -> dict[str, Agreement]:
    """The agreement on each group (key → member contribution ids), from the café's votes.

    A group's opinions are those given on its ideas plus those given on the theme itself in plenary
    (`THEME_PREFIX + key`); each counts at the table it was given at (a phone votes at its own
    table, a captain counts their own table's hands).
    """
    by_item: dict[str, list[Vote]] = defaultdict(list)
    for v in listed:
        by_item[v.item].append(v)
    result = {}
    for key, members in groups.items():
        by_table: dict[int, Tally] = defaultdict(Tally)
        for item in [*members, THEME_PREFIX + key]:
            for v in by_item.get(item, ()):
                by_table[v.table_number] = by_table[v.table_number] + v.tally
        result[key] = assess(by_table)
    return result
