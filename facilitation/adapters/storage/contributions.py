"""Contributions with their supports, and the full-text search over them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import column as column_clause
from sqlalchemy import func, literal_column, select, update
from sqlalchemy import table as table_clause

from facilitation.adapters.storage.rows import to_model, to_row
from facilitation.adapters.storage.schema import cafe_tables, contributions, supports, votes
from facilitation.domain.agreement import Tally, Vote
from facilitation.domain.model import Contribution, Kind, Profile, Source

# SQLite's search index (migration 0006), kept by triggers; outside `metadata`, so that backups and
# transfers never copy it (the triggers rebuild it from the contributions).
SEARCH_INDEX_NAMES = ("contribution_search", "search_vector", "ix_contributions_search")


def is_search_index(name: str | None) -> bool:
    """True for the search index's tables, column and index (PostgreSQL), which `metadata` omits."""
    return bool(name) and name.startswith(SEARCH_INDEX_NAMES)


_search_ids = table_clause(
    "contribution_search_ids", column_clause("rowid"), column_clause("contribution_id")
)
_search_index = table_clause("contribution_search", column_clause("rowid"), column_clause("terms"))

_support_counts = (
    select(supports.c.contribution_id, func.count().label("supports"))
    .group_by(supports.c.contribution_id)
    .subquery()
)


def _select():
    return select(contributions, _support_counts.c.supports).outerjoin(
        _support_counts, _support_counts.c.contribution_id == contributions.c.id
    )


def _contribution(row) -> Contribution:
    return to_model(
        Contribution,
        row,
        source=Source(row.source),
        kind=Kind(row.kind) if row.kind else None,
        profile=Profile(row.profile) if row.profile else None,
        supports=row.supports or 0,  # no support row: the outer join gives NULL
        emerging_question=bool(row.emerging_question),
    )


class SqlContributionRepository:
    """Rows of `contributions` and `supports`; their rules live in facilitation.services.contributions."""

    def __init__(self, transactions) -> None:
        self._tx = transactions

    def lock_table(self, table_id: str) -> None:
        """Serialise the submits of one café table until the transaction ends.

        SQLite writers already are (BEGIN IMMEDIATE); PostgreSQL locks the table's row."""
        if self._tx.dialect == "postgresql":
            self._tx.write(
                lambda conn: conn.execute(
                    select(cafe_tables.c.id).where(cafe_tables.c.id == table_id).with_for_update()
                )
            )

    def add(self, contribution: Contribution) -> bool:
        """Insert; False when a contribution with this id already exists (nothing written)."""
        values = to_row(
            contribution,
            # Supports are counted from their own rows; a new idea is neither edited nor deleted yet.
            leave_out=("supports", "updated_at", "deleted_at"),
            kind=contribution.kind.value if contribution.kind else None,
            profile=contribution.profile.value if contribution.profile else None,
            source=contribution.source.value,
        )
        return self._tx.write(
            lambda conn: self._tx.insert_ignoring_duplicates(conn, contributions, ["id"], values)
        )

    def find_same(self, contribution: Contribution) -> Contribution | None:
        """A live contribution with the same round, table, source, author and text."""
        query = _select().where(
            contributions.c.round_id == contribution.round_id,
            contributions.c.table_id == contribution.table_id,
            contributions.c.source == contribution.source.value,
            contributions.c.author.is_(None)
            if contribution.author is None
            else contributions.c.author == contribution.author,
            contributions.c.text == contribution.text,
            contributions.c.deleted_at.is_(None),
        )
        row = self._tx.first(query)
        return _contribution(row) if row else None

    def count_since(self, table_id: str, source: Source, since: datetime) -> int:
        """How many contributions of this source the table received from `since` on."""
        return self._tx.read(
            lambda conn: conn.execute(
                select(func.count()).where(
                    contributions.c.table_id == table_id,
                    contributions.c.source == source.value,
                    contributions.c.created_at >= since,
                )
            ).scalar_one()
        )

    def update(self, contribution: Contribution) -> None:
        self._tx.write(
            lambda conn: conn.execute(
                update(contributions)
                .where(contributions.c.id == contribution.id)
                .values(
                    text=contribution.text,
                    kind=contribution.kind.value if contribution.kind else None,
                    profile=contribution.profile.value if contribution.profile else None,
                    agreement_count=contribution.agreement_count,
                    updated_at=contribution.updated_at,
                    deleted_at=contribution.deleted_at,
                    builds_on=contribution.builds_on,
                    emerging_question=contribution.emerging_question,
                )
            )
        )

    def get(self, contribution_id: str) -> Contribution | None:
        row = self._tx.first(_select().where(contributions.c.id == contribution_id))
        return _contribution(row) if row else None

    def in_cafe(
        self,
        cafe_id: str,
        *,
        round_id: str | None = None,
        table_id: str | None = None,
        include_deleted: bool = False,
        latest: int | None = None,
    ) -> list[Contribution]:
        """Oldest first; with `latest`, only that many of the most recent (still oldest first)."""
        query = _select().where(*self._filters(cafe_id, round_id, table_id, include_deleted))
        if latest is not None:
            query = query.order_by(contributions.c.created_at.desc(), contributions.c.id.desc()).limit(latest)
            rows = self._tx.rows(query)[::-1]
        else:
            query = query.order_by(contributions.c.created_at, contributions.c.id)
            rows = self._tx.rows(query)
        return [_contribution(row) for row in rows]

    @staticmethod
    def _filters(cafe_id: str, round_id: str | None, table_id: str | None, include_deleted: bool) -> list:
        filters = [contributions.c.cafe_id == cafe_id]
        if round_id is not None:
            filters.append(contributions.c.round_id == round_id)
        if table_id is not None:
            filters.append(contributions.c.table_id == table_id)
        if not include_deleted:
            filters.append(contributions.c.deleted_at.is_(None))
        return filters

    def count(self, cafe_id: str, *, round_id: str | None = None, table_id: str | None = None) -> int:
        """How many contributions (not deleted) `in_cafe` would list."""
        query = select(func.count()).select_from(contributions)
        query = query.where(*self._filters(cafe_id, round_id, table_id, False))
        return self._tx.read(lambda conn: conn.execute(query).scalar_one())

    def emerging_questions(self) -> list[Contribution]:
        """Every live contribution marked as a question that emerged, in every café."""
        query = _select().where(
            contributions.c.emerging_question.is_(True), contributions.c.deleted_at.is_(None)
        )
        return [_contribution(row) for row in self._tx.rows(query)]

    def add_support(self, contribution_id: str, supporter: str, now: datetime) -> bool:
        """Count one support; False when this supporter already supported it."""
        values = {"contribution_id": contribution_id, "supporter": supporter, "created_at": now}
        return self._tx.write(
            lambda conn: self._tx.insert_ignoring_duplicates(
                conn, supports, ["contribution_id", "supporter"], values
            )
        )

    def supported_by(self, supporter: str, contribution_ids: list[str]) -> set[str]:
        if not contribution_ids:
            return set()
        rows = self._tx.rows(
            select(supports.c.contribution_id).where(
                supports.c.supporter == supporter,
                supports.c.contribution_id.in_(contribution_ids),
            )
        )
        return {row.contribution_id for row in rows}

    def remove_support(self, contribution_id: str, supporter: str) -> None:
        """Withdraw a support (the phone changed its « d'accord »)."""
        self._tx.write(
            lambda conn: conn.execute(
                supports.delete().where(
                    supports.c.contribution_id == contribution_id, supports.c.supporter == supporter
                )
            )
        )

    def set_vote(
        self, cafe_id: str, item: str, voter: str, table_number: int, tally: Tally, now: datetime
    ) -> None:
        """Record `voter`'s opinions on `item`, replacing any they gave before."""
        values = {
            "cafe_id": cafe_id,
            "item": item,
            "voter": voter,
            "table_number": table_number,
            "agree": tally.agree,
            "disagree": tally.disagree,
            "unsure": tally.unsure,
            "updated_at": now,
        }
        key = (votes.c.cafe_id == cafe_id) & (votes.c.item == item) & (votes.c.voter == voter)

        def work(conn) -> None:
            # The row of this (café, item, voter) is the table's lock point: one vote each, changeable.
            if not self._tx.insert_ignoring_duplicates(conn, votes, ["cafe_id", "item", "voter"], values):
                conn.execute(update(votes).where(key).values(**values))

        self._tx.write(work)

    def votes_in(self, cafe_id: str) -> list[Vote]:
        """Every vote of the café (phones and shows of hands)."""
        rows = self._tx.rows(select(votes).where(votes.c.cafe_id == cafe_id))
        return [to_model(Vote, row, tally=Tally(row.agree, row.disagree, row.unsure)) for row in rows]

    def search(
        self, words: list[str], terms: list[str], cafe_ids: list[str] | None = None, limit: int = 200
    ) -> list[Contribution]:
        """Live contributions containing every word (accents, case, plurals aside), best first.

        `words` are the query's own words (PostgreSQL stems them with `cafe_search_query`), `terms`
        their stems (SQLite's FTS5 index holds stems); see migrations 0006 and 0015.
        """
        query = _select().where(contributions.c.deleted_at.is_(None))
        if cafe_ids is not None:
            query = query.where(contributions.c.cafe_id.in_(cafe_ids))
        if self._tx.dialect == "postgresql":
            document = literal_column("contributions.search_vector")  # migrations 0006, 0015
            wanted = func.cafe_search_query(" ".join(words))
            query = query.where(document.bool_op("@@")(wanted)).order_by(
                func.ts_rank(document, wanted).desc(), contributions.c.created_at.desc()
            )
        else:
            # Each stem quoted: FTS5 reads them as plain words (no operator), all required.
            match = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
            ranked = (
                select(
                    _search_ids.c.contribution_id,
                    literal_column("bm25(contribution_search)").label("rank"),
                )
                .select_from(_search_ids.join(_search_index, _search_index.c.rowid == _search_ids.c.rowid))
                .where(literal_column("contribution_search").op("MATCH")(match))
                .subquery()
            )
            query = query.join(ranked, ranked.c.contribution_id == contributions.c.id).order_by(
                ranked.c.rank, contributions.c.created_at.desc()
            )
        rows = self._tx.rows(query.limit(limit))
        return [_contribution(row) for row in rows]

    def delete(self, contribution_ids: list[str]) -> None:
        """Hard delete, supports included (harvests are scrubbed by the use case)."""
        if not contribution_ids:
            return

        def work(conn):
            conn.execute(supports.delete().where(supports.c.contribution_id.in_(contribution_ids)))
            conn.execute(votes.delete().where(votes.c.item.in_(contribution_ids)))
            # An idea that built on an erased one keeps its words, not a link to nothing.
            conn.execute(
                update(contributions)
                .where(contributions.c.builds_on.in_(contribution_ids))
                .values(builds_on=None)
            )
            conn.execute(contributions.delete().where(contributions.c.id.in_(contribution_ids)))

        self._tx.write(work)

    def delete_for_cafe(self, cafe_id: str) -> None:
        """Every contribution of the café, supports included."""
        ids = select(contributions.c.id).where(contributions.c.cafe_id == cafe_id)

        def work(conn):
            conn.execute(supports.delete().where(supports.c.contribution_id.in_(ids)))
            conn.execute(votes.delete().where(votes.c.cafe_id == cafe_id))
            conn.execute(contributions.delete().where(contributions.c.cafe_id == cafe_id))

        self._tx.write(work)
