"""One café as every document sees it, read once: details, rounds, tables, contributions, harvest, fiches.

The synthesis, the records (CSV, Excel, JSON), the fiches and the charts are built from one snapshot,
so a document made of several parts reads the café once, in one transaction, and its parts agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from facilitation.domain.agreement import Vote
from facilitation.domain.model import Cafe, Contribution, Fiche, Round, Table, Tablecloth
from facilitation.services import harvest
from facilitation.services.harvest import HarvestView
from facilitation.services.ports import UnitOfWork


@dataclass(frozen=True)
class CafeSnapshot:
    """A café's data at one instant."""

    cafe: Cafe
    rounds: list[Round]  # by position
    tables: list[Table]  # by number
    contributions: list[Contribution]  # live ones, oldest first
    masked_names: list[str]  # names flagged in this café, masked in everything that leaves the app
    harvest: HarvestView | None  # the latest harvest version with its figures; None before any
    fiches: dict[str, Fiche]  # as the organiser saved them, by topic key
    votes: list[Vote]  # phones' votes, captains' shows of hands, plenary votes on themes
    taken_at: datetime  # when it was read (the unit of work's clock): documents are dated by it
    tablecloths: list[Tablecloth] = field(default_factory=list)  # photos, with their pictures


def load_snapshot(uow: UnitOfWork, cafe_id: str) -> CafeSnapshot:
    """Read everything the café's documents say, in one read transaction."""
    scope = harvest.scope_of([cafe_id])
    with uow.reading():
        data = harvest.scope_data(uow, scope)
        version = harvest.latest_version(uow, scope)
        fiches = {fiche.topic_key: fiche for fiche in uow.documents.fiches(cafe_id)}
        listed_votes = uow.contributions.votes_in(cafe_id)
        photos = uow.tablecloths.in_cafe(cafe_id)
    return CafeSnapshot(
        cafe=data.cafes[cafe_id],
        rounds=list(data.rounds.values()),
        tables=list(data.tables.values()),
        contributions=list(data.contributions.values()),
        masked_names=data.masked_names[cafe_id],
        harvest=harvest.view(data, version) if version else None,
        fiches=fiches,
        votes=listed_votes,
        taken_at=uow.clock(),
        tablecloths=photos,
    )
