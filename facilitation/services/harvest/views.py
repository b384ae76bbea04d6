"""What pages, documents and the command line show of a harvest version: topics with their figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from facilitation.domain.errors import NotFound
from facilitation.domain.model import Contribution, HarvestScope, HarvestVersion, ThemeGroup, TopicGroup
from facilitation.services.harvest.service import ScopeData, latest_version, scope_data, versions
from facilitation.services.ports import UnitOfWork


@dataclass(frozen=True)
class TopicView:
    """A topic with its figures, ready to show or print."""

    topic: TopicGroup
    contributions: list[Contribution]
    representatives: list[Contribution]
    supports: int
    agreement: int
    tables: Counter  # table label -> count
    rounds: Counter  # "Tour n" -> count
    cafes: Counter  # café id -> count

    @property
    def size(self) -> int:
        return len(self.contributions)


# The theme shown over groups of a version saved before themes existed (or of none).
UNTHEMED = ThemeGroup(key="", label="Sans thème")


@dataclass(frozen=True)
class ThemeView:
    """A theme with its sub-themes (the topics under it), largest first."""

    theme: ThemeGroup
    topics: list[TopicView]

    @property
    def contributions(self) -> list[Contribution]:
        return [c for t in self.topics for c in t.contributions]

    @property
    def size(self) -> int:
        return sum(t.size for t in self.topics)

    @property
    def supports(self) -> int:
        return sum(t.supports for t in self.topics)


@dataclass(frozen=True)
class HarvestView:
    data: ScopeData
    version: HarvestVersion
    topics: list[TopicView]
    set_aside: list[Contribution]
    unsorted: list[Contribution]  # « À classer »: far from every group, for a person to place
    ungrouped: list[Contribution]  # arrived after the grouping ran
    themes: list[ThemeView] = field(default_factory=list)  # the topics under their themes, largest first


def view(data: ScopeData, version: HarvestVersion) -> HarvestView:
    """Figures of every topic of a version (contributions deleted since are left out)."""
    known = data.contributions
    placed = {cid for t in version.topics for cid in t.contribution_ids}
    placed |= set(version.set_aside) | set(version.unsorted)

    def table_label(c: Contribution) -> str:
        table = data.tables[c.table_id]
        prefix = f"{data.cafes[c.cafe_id].title} · " if len(data.cafes) > 1 else ""
        return prefix + table.label()

    topics = []
    for topic in version.topics:
        members = [known[cid] for cid in topic.contribution_ids if cid in known]
        topics.append(
            TopicView(
                topic=topic,
                contributions=members,
                representatives=[known[cid] for cid in topic.representative_ids if cid in known]
                or members[:5],
                supports=sum(c.supports for c in members),
                agreement=sum(c.agreement_count or 0 for c in members),
                tables=Counter(table_label(c) for c in members),
                rounds=Counter(f"Tour {data.rounds[c.round_id].position}" for c in members),
                cafes=Counter(c.cafe_id for c in members),
            )
        )
    known_themes = {t.key for t in version.themes}

    def under(theme: ThemeGroup) -> list[TopicView]:
        if theme is UNTHEMED:  # groups whose theme is not listed (saved before themes existed)
            return sorted((t for t in topics if t.topic.parent not in known_themes), key=lambda t: -t.size)
        return sorted((t for t in topics if t.topic.parent == theme.key), key=lambda t: -t.size)

    themes = [ThemeView(theme, under(theme)) for theme in (*version.themes, UNTHEMED)]
    return HarvestView(
        data=data,
        version=version,
        topics=topics,
        themes=sorted((t for t in themes if t.topics), key=lambda t: -t.size),
        set_aside=[known[cid] for cid in version.set_aside if cid in known],
        unsorted=[known[cid] for cid in version.unsorted if cid in known],
        ungrouped=[c for cid, c in known.items() if cid not in placed],
    )


def harvest_view(uow: UnitOfWork, scope: HarvestScope, number: int | None = None) -> HarvestView | None:
    """The latest (or a given) version of the scope's harvest with its figures; None if never run."""
    with uow.reading():
        if number is None:
            # Syntheses and exports want the latest only: one payload, not every version's.
            chosen = latest_version(uow, scope)
            if chosen is None:
                return None
        else:
            history = versions(uow, scope)
            if not history:
                return None
            chosen = next((v for v in history if v.number == number), None)
            if chosen is None:
                raise NotFound(f"La version {number} n'existe pas.")
        data = scope_data(uow, scope)
    # The organiser's harvest page shows contributions like every other screen: masked.
    masked = {cid: replace(c, text=data.masked_text(cid)) for cid, c in data.contributions.items()}
    return view(replace(data, contributions=masked), chosen)
