"""How far residents agree: vote counts and the label a committee reads, overall and per table.

Pure domain: counts in, labels out; no storage, no clock. The thresholds are declared once, here
(see docs/agreement measurements in the README, « Synthèses »):

- fewer than MIN_VOTES opinions → « trop peu d'avis » (Pol.is does not cluster below 7 votes; a café
  table of 6 gives one or two dozen opinions, so Sensemaker's 20 would silence most café themes);
- « je ne sais pas » above UNCERTAIN_SHARE (Pol.is shows a statement as uncertain above 30 % pass);
- one side at CONSENSUS_SHARE or more of all opinions (Pol.is « majority » ≥ 60 %) → « consensus »,
  unless a table that said enough (TABLE_MIN_VOTES) holds the other side at TABLE_VETO_SHARE: measured
  on simulated cafés (8 tables × 6), plain Pol.is majority called 56 % of ideas that one table carries
  against seven a consensus; this table veto brings that to 3 % while keeping 86–98 % of true consensus;
- anything else → « avis partagés ».

Plain counts, not red-dwarf's opinion groups: a café has a few dozen voters, its tables are the natural
groups, and red-dwarf's clustering needs ≥ 7 votes per voter and adds 380 MB of dependencies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from facilitation.domain.wording import plural

MIN_VOTES = 10
UNCERTAIN_SHARE = 0.30  # strictly above: « incertain »
CONSENSUS_SHARE = 0.60  # at or above: « consensus » (either side)
TABLE_MIN_VOTES = 4  # a table's opposition counts once it gave this many opinions
TABLE_VETO_SHARE = 2 / 3  # … and at least this share of them on the other side


class Choice(StrEnum):
    """What a resident answers on an idea or a theme."""

    AGREE = "d'accord"
    DISAGREE = "pas d'accord"
    UNSURE = "je ne sais pas"


class Label(StrEnum):
    CONSENSUS = "consensus"
    DIVIDED = "avis partagés"
    UNCERTAIN = "incertain"
    TOO_FEW = "trop peu d'avis"


@dataclass(frozen=True)
class Tally:
    """Opinions on one item: a phone's vote is one of them, a table's show of hands several."""

    agree: int = 0
    disagree: int = 0
    unsure: int = 0

    @property
    def total(self) -> int:
        return self.agree + self.disagree + self.unsure

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.agree + other.agree, self.disagree + other.disagree, self.unsure + other.unsure)

    @classmethod
    def of(cls, choice: Choice) -> Tally:
        """One phone's vote."""
        return cls(
            agree=int(choice is Choice.AGREE),
            disagree=int(choice is Choice.DISAGREE),
            unsure=int(choice is Choice.UNSURE),
        )

    def choice(self) -> Choice | None:
        """The single choice of a one-vote tally (a phone's), None for a show of hands."""
        if self.total != 1:
            return None
        return Choice.AGREE if self.agree else Choice.DISAGREE if self.disagree else Choice.UNSURE


@dataclass(frozen=True)
class Vote:
    """A stored vote: `item` is a contribution id or THEME_PREFIX + a harvest topic key."""

    item: str
    voter: str
    table_number: int
    tally: Tally


THEME_PREFIX = "theme:"


def captain_voter(table_number: int) -> str:
    """The voter a table's show of hands is recorded under (one per table per item, replaced)."""
    return f"capitaine:table {table_number}"


def total(tallies: Iterable[Tally]) -> Tally:
    """The sum of several tallies."""
    result = Tally()
    for tally in tallies:
        result = result + tally
    return result


@dataclass(frozen=True)
class Agreement:
    """An item's opinions, its label, and how its tables lean."""

    tally: Tally
    label: Label
    side: Choice | None  # AGREE or DISAGREE for a consensus, else None
    by_table: dict[int, Tally]
    agreeing_tables: list[int]  # tables where « d'accord » is the majority of their opinions
    dissenting_tables: list[int]  # tables that said enough, mostly against the overall consensus

    @property
    def label_text(self) -> str:
        """« consensus (d'accord) », « avis partagés »…"""
        if self.label is Label.CONSENSUS and self.side is not None:
            return f"consensus ({self.side.value})"
        return self.label.value

    @property
    def reach(self) -> str:
        """Where the « d'accord » comes from: every table, one table, some of them."""
        voting = [n for n, t in self.by_table.items() if t.total]
        agreeing = self.agreeing_tables
        if not voting or not agreeing:
            return "d'accord à aucune table" if voting else ""
        if len(agreeing) == len(voting) and len(voting) > 1:
            return "d'accord à toutes les tables"
        if len(agreeing) == 1:
            return f"porté par une table (table {agreeing[0]})"
        return f"d'accord à {plural(len(agreeing), 'table')} sur {len(voting)}"

    def percent(self, choice: Choice = Choice.AGREE) -> int:
        """Share of all opinions given to `choice`, rounded to the unit."""
        if not self.tally.total:
            return 0
        count = {Choice.AGREE: self.tally.agree, Choice.DISAGREE: self.tally.disagree}.get(
            choice, self.tally.unsure
        )
        return round(100 * count / self.tally.total)

    def counts_text(self) -> str:
        """« 12 d'accord · 3 pas d'accord · 1 je ne sais pas »."""
        t = self.tally
        return f"{t.agree} d'accord · {t.disagree} pas d'accord · {t.unsure} je ne sais pas"


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def assess(by_table: Mapping[int, Tally]) -> Agreement:
    """Label the opinions given at each table (table number → tally) on one item."""
    tables = {number: tally for number, tally in sorted(by_table.items()) if tally.total}
    tally = total(tables.values())
    agreeing = [n for n, t in tables.items() if t.agree > t.total / 2]
    side: Choice | None = None
    dissenting: list[int] = []
    if tally.total < MIN_VOTES:
        label = Label.TOO_FEW
    elif _share(tally.unsure, tally.total) > UNCERTAIN_SHARE:
        label = Label.UNCERTAIN
    else:
        label = Label.DIVIDED
        for candidate, count in ((Choice.AGREE, tally.agree), (Choice.DISAGREE, tally.disagree)):
            if _share(count, tally.total) >= CONSENSUS_SHARE:
                side = candidate
        if side is not None:
            dissenting = [
                n
                for n, t in tables.items()
                if t.total >= TABLE_MIN_VOTES
                and _share(t.disagree if side is Choice.AGREE else t.agree, t.total) >= TABLE_VETO_SHARE
            ]
            if dissenting:
                side = None
            else:
                label = Label.CONSENSUS
    return Agreement(
        tally=tally,
        label=label,
        side=side,
        by_table=dict(tables),
        agreeing_tables=agreeing,
        dissenting_tables=dissenting,
    )


def french_percent(value: float, decimals: int = 0) -> str:
    """A percentage the French way: « 62,5 % » (decimal comma, narrow no-break space)."""
    number = f"{value:.{decimals}f}".replace(".", ",")
    return f"{number}\u202f%"
