"""Between two rounds: the host's handover (what the table said, for its newcomers) and who spoke.

In a world café each table keeps a host who briefs the newcomers at every change of round. The
handover is plain data, read once: the table's ideas of the round just closed, most supported first,
the harvest's themes they touch (when a harvest exists: grouping is never run live here), and the
next question. Every text in it is masked, as on every other screen.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from facilitation.domain.agreement import captain_voter
from facilitation.domain.errors import NotFound
from facilitation.domain.model import Cafe, Contribution, HarvestVersion, Round, Source, Table
from facilitation.domain.privacy import mask_personal_data
from facilitation.domain.wording import plural
from facilitation.services.cafes import get_cafe, get_table
from facilitation.services.contributions import shown
from facilitation.services.harvest import scope_of
from facilitation.services.ports import UnitOfWork

NO_HARVEST = "Les thèmes viendront après la récolte : les idées n'ont pas encore été regroupées."


@dataclass(frozen=True)
class HandoverIdea:
    """One idea of the table, masked, with how the room supported it."""

    contribution: Contribution  # text masked
    supports: int  # the phones' +1 (a phone's « d'accord » is one)
    hands: int  # « d'accord » counted by the captain: the show of hands, else the number noted
    theme: str  # the harvest theme (and sub-theme) it was grouped under; "" if none

    @property
    def score(self) -> int:
        """How many people said they agreed, as the app counts them."""
        return self.supports + self.hands


@dataclass(frozen=True)
class Handover:
    """What a table's host tells the newcomers when `closed` ends and `following` begins."""

    cafe: Cafe
    table: Table
    closed: Round
    following: Round | None  # the next question; None after the last round
    ideas: list[HandoverIdea]  # most supported first
    themes: list[tuple[str, int]]  # themes touched, with how many of the ideas, most first
    harvested: bool  # a harvest of this café exists (else: themes come after it)

    @property
    def themes_note(self) -> str:
        """What to say when no theme can be named."""
        if not self.harvested:
            return NO_HARVEST
        if not self.themes:
            return "Ces idées sont arrivées après la dernière récolte : elles n'ont pas encore de thème."
        return ""


def _latest_harvest(uow: UnitOfWork, cafe_id: str, round_id: str) -> HarvestVersion | None:
    # The café's harvest or this round's, whichever was saved last.
    found = []
    for scope in (scope_of([cafe_id]), scope_of([cafe_id], round_id)):
        harvest_id = uow.harvests.find(scope)
        latest = uow.harvests.latest(harvest_id) if harvest_id else None
        if latest is not None:
            found.append(latest)
    return max(found, key=lambda v: v.created_at, default=None)


def _theme_of(version: HarvestVersion | None, names: list[str]) -> dict[str, str]:
    """Contribution id → « theme › sub-theme » (masked), from a harvest version."""
    if version is None:
        return {}
    themes = {t.key: t.label for t in version.themes}
    placed = {}
    for topic in version.topics:
        label = topic.label
        parent = themes.get(topic.parent)
        if parent and parent != label:
            label = f"{parent} › {label}"
        for cid in topic.contribution_ids:
            placed[cid] = mask_personal_data(label, names)
    return placed


def _hands(uow: UnitOfWork, cafe_id: str) -> dict[tuple[int, str], int]:
    """(table number, contribution id) → « d'accord » of that table's latest show of hands."""
    return {
        (v.table_number, v.item): v.tally.agree
        for v in uow.contributions.votes_in(cafe_id)
        if v.voter == captain_voter(v.table_number)
    }


def handover(uow: UnitOfWork, cafe_id: str, table_number: int, round_position: int) -> Handover:
    """The host's briefing of a table after round `round_position`: its ideas (masked), most
    supported first, the themes they touch and the next question."""
    return _handovers(uow, cafe_id, round_position, table_number)[0]


def handovers(uow: UnitOfWork, cafe_id: str, round_position: int) -> list[Handover]:
    """The handover of every table of the café after round `round_position` (one read), by table."""
    return _handovers(uow, cafe_id, round_position, None)


def _handovers(
    uow: UnitOfWork, cafe_id: str, round_position: int, table_number: int | None
) -> list[Handover]:
    with uow.reading():
        cafe = get_cafe(uow, cafe_id)
        tables = (
            [get_table(uow, cafe.id, table_number)] if table_number is not None else uow.cafes.tables(cafe.id)
        )
        rounds = uow.cafes.rounds(cafe.id)
        closed = next((r for r in rounds if r.position == round_position), None)
        if closed is None:
            raise NotFound(f"Le tour {round_position} n'existe pas dans ce café.")
        wanted = {t.id for t in tables}  # a captain's print masks their own table's ideas only
        listed = [c for c in uow.contributions.in_cafe(cafe.id, round_id=closed.id) if c.table_id in wanted]
        masked = shown(uow, cafe.id, listed)
        hands = _hands(uow, cafe.id)
        version = _latest_harvest(uow, cafe.id, closed.id)
        themes_of = _theme_of(version, uow.trust.masked_names(cafe.id) if version else [])
    # The next question: the round open now if it is another one, else the next by position.
    open_now = next((r for r in rounds if r.is_open and r.id != closed.id), None)
    later = [r for r in rounds if r.position > closed.position]
    following = open_now or min(later, key=lambda r: r.position, default=None)
    result = []
    for table in tables:
        ideas = [
            HandoverIdea(
                contribution=c,
                supports=c.supports,
                hands=hands.get((table.number, c.id), c.agreement_count or 0),
                theme=themes_of.get(c.id, ""),
            )
            for c in masked
            if c.table_id == table.id
        ]
        ideas.sort(key=lambda i: (-i.score, i.contribution.created_at))
        touched = Counter(i.theme for i in ideas if i.theme)
        result.append(
            Handover(
                cafe=cafe,
                table=table,
                closed=closed,
                following=following,
                ideas=ideas,
                themes=touched.most_common(),
                harvested=version is not None,
            )
        )
    return result


# A table is « dominated » when one phone wrote more than this share of its contributions in a
# round, once the round has at least DOMINATED_MIN of them (one idea of one phone is not a crowd).
DOMINATED_SHARE = 0.5
DOMINATED_MIN = 4
QUIET = "aucune contribution"
DOMINATED = "un téléphone domine"


@dataclass(frozen=True)
class TableVoices:
    """Who spoke at one table in one round (never which phone: only how many)."""

    table: Table
    round: Round
    from_captain: int
    from_phones: int
    phones: int  # distinct phones that wrote
    top_phone: int  # contributions of the phone that wrote most

    @property
    def total(self) -> int:
        return self.from_captain + self.from_phones

    @property
    def flag(self) -> str:
        """« aucune contribution », « un téléphone domine » or ""."""
        if self.total == 0:
            return QUIET
        if self.total >= DOMINATED_MIN and self.top_phone > DOMINATED_SHARE * self.total:
            return DOMINATED
        return ""


def who_spoke(uow: UnitOfWork, cafe_id: str) -> list[TableVoices]:
    """Per round opened so far (the latest first) and table: contributions by the captain and by
    phones, and how many distinct phones wrote."""
    with uow.reading():
        cafe = get_cafe(uow, cafe_id)
        rounds = [r for r in uow.cafes.rounds(cafe.id) if r.opened_at is not None]
        tables = uow.cafes.tables(cafe.id)
        listed = uow.contributions.in_cafe(cafe.id)
    captain: Counter = Counter()
    by_phone: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for c in listed:
        where = (c.round_id, c.table_id)
        if c.source is Source.RESIDENT:
            by_phone[where][c.author or c.id] += 1  # a phone's pseudonymous key, counted, never shown
        else:
            captain[where] += 1
    result = []
    for round_ in sorted(rounds, key=lambda r: -r.position):
        for table in tables:
            phones = by_phone.get((round_.id, table.id), Counter())
            result.append(
                TableVoices(
                    table=table,
                    round=round_,
                    from_captain=captain[(round_.id, table.id)],
                    from_phones=sum(phones.values()),
                    phones=len(phones),
                    top_phone=max(phones.values(), default=0),
                )
            )
    return result


def support_text(idea: HandoverIdea) -> str:
    """« 3 soutiens · 5 d'accord à main levée », or "" when nobody said anything yet."""
    parts = []
    if idea.supports:
        parts.append(plural(idea.supports, "soutien"))
    if idea.hands:
        parts.append(f"{idea.hands} d'accord à main levée")
    return " · ".join(parts)
