"""SQLAlchemy implementation of the Store, shared by SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, literal_column, select, update
from sqlalchemy import column as column_clause
from sqlalchemy import table as table_clause
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from facilitation.abuse import FAILURE_WINDOW, GLOBAL_WINDOW, RATE_LIMIT_MESSAGE, Client, LoginHistory
from facilitation.access import new_id, new_secret
from facilitation.audit import AuditEvent
from facilitation.domain import (
    Cafe,
    Committee,
    Contribution,
    Fiche,
    FicheStatus,
    HarvestScope,
    HarvestVersion,
    Kind,
    Place,
    Profile,
    Round,
    Source,
    StoredDocument,
    Table,
    Theme,
)
from facilitation.errors import NOTHING_SAVED, InvalidInput, NotAccepting, StorageUnavailable
from facilitation.storage.engine import safe_url
from facilitation.storage.exchange import ExchangeRepository
from facilitation.storage.harvest_payload import scrub_contribution_ids, version_from, version_payload
from facilitation.storage.schema import (
    app_secrets,
    audit_log,
    cafe_tables,
    cafes,
    contributions,
    documents,
    erased_records,
    fiches,
    harvest_versions,
    harvests,
    login_attempts,
    masked_names,
    rounds,
    supports,
)
from facilitation.storage.vectors import VectorRepository

_LINK_SECRET = "link_secret"
# Any constant: the same for every instance that counts login tries in the same database.
_LOGIN_LOCK_ID = 727_274_002


# SQLite's search index (migration 0006), kept by triggers; outside `metadata`, so that backups and
# transfers never copy it (the triggers rebuild it from the contributions).
SEARCH_INDEX_NAMES = ("contribution_search", "search_vector", "ix_contributions_search")


def is_search_index(name: str | None) -> bool:
    """True for the search index's tables, column and index (PostgreSQL), which `metadata` omits."""
    return bool(name) and name.startswith(SEARCH_INDEX_NAMES)


search_ids = table_clause("contribution_search_ids", column_clause("rowid"), column_clause("contribution_id"))
search_index = table_clause("contribution_search", column_clause("rowid"), column_clause("terms"))


class SqlStore:
    """Store over a SQLAlchemy engine; converts rows to domain objects and back."""

    def __init__(self, engine: Engine, configured_link_secret: str = "") -> None:
        self.engine = engine
        self.exchange = ExchangeRepository(self._run)
        self.vectors = VectorRepository(self._run)
        # CAFE_LINK_SECRET, when set, wins over the secret kept in the database.
        self.configured_link_secret = configured_link_secret

    # -- plumbing ------------------------------------------------------------------------------
    def _insert_ignoring_duplicates(
        self, connection, table, key_columns: list[str], values: dict[str, Any]
    ) -> bool:
        """INSERT … ON CONFLICT DO NOTHING; True when a row was inserted.

        RETURNING tells reliably on both dialects (psycopg reports rowcount -1 here).
        """
        module = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        statement = (
            module.insert(table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=key_columns)
            .returning(table.c[key_columns[0]])
        )
        return connection.execute(statement).first() is not None

    def _run(self, work):
        """Run work(connection) in one transaction; outages become a French StorageUnavailable."""
        try:
            with self.engine.begin() as connection:
                return work(connection)
        except OperationalError as exc:
            if _is_disk_full(exc):
                raise StorageUnavailable(
                    f"Le disque de la base de données est plein ({safe_url(self.engine.url)}) : "
                    "rien n'a été enregistré. Libérez de la place puis réessayez.",
                    NOTHING_SAVED,
                ) from exc
            raise StorageUnavailable(
                "La base de données ne répond pas "
                f"({safe_url(self.engine.url)}). Rien n'a été enregistré : réessayez dans "
                "un instant.",
                NOTHING_SAVED,
            ) from exc

    # -- secrets -------------------------------------------------------------------------------
    def link_secret(self) -> str:
        if self.configured_link_secret:
            return self.configured_link_secret

        def work(conn):
            self._insert_ignoring_duplicates(
                conn, app_secrets, ["name"], {"name": _LINK_SECRET, "value": new_secret()}
            )
            return conn.execute(
                select(app_secrets.c.value).where(app_secrets.c.name == _LINK_SECRET)
            ).scalar_one()

        return self._run(work)

    def rotate_link_secret(self) -> None:
        """Replace the stored link secret: every resident link signed before is refused."""

        def work(conn):
            conn.execute(app_secrets.delete().where(app_secrets.c.name == _LINK_SECRET))
            conn.execute(insert(app_secrets).values(name=_LINK_SECRET, value=new_secret()))

        self._run(work)

    def installation_value(self, name: str) -> str | None:
        return self._run(
            lambda conn: conn.execute(
                select(app_secrets.c.value).where(app_secrets.c.name == name)
            ).scalar_one_or_none()
        )

    def set_installation_value(self, name: str, value: str) -> None:
        def work(conn):
            if not self._insert_ignoring_duplicates(
                conn, app_secrets, ["name"], {"name": name, "value": value}
            ):
                conn.execute(update(app_secrets).where(app_secrets.c.name == name).values(value=value))

        self._run(work)

    # -- cafés ---------------------------------------------------------------------------------
    @staticmethod
    def _cafe_values(cafe: Cafe) -> dict[str, Any]:
        return {
            "id": cafe.id,
            "title": cafe.title,
            "held_on": cafe.held_on,
            "residence": cafe.place.residence,
            "quartier": cafe.place.quartier,
            "commune": cafe.place.commune,
            "theme": cafe.theme.value,
            "description": cafe.description,
            "created_at": cafe.created_at,
            "closed_at": cafe.closed_at,
            "archived_at": cafe.archived_at,
        }

    @staticmethod
    def _cafe(row) -> Cafe:
        return Cafe(
            id=row.id,
            title=row.title,
            held_on=row.held_on,
            place=Place(row.residence, row.quartier, row.commune),
            theme=Theme(row.theme),
            description=row.description,
            created_at=row.created_at,
            closed_at=row.closed_at,
            archived_at=row.archived_at,
        )

    def add_cafe(self, cafe: Cafe) -> None:
        self._run(lambda conn: conn.execute(insert(cafes).values(**self._cafe_values(cafe))))

    def update_cafe(self, cafe: Cafe) -> None:
        values = self._cafe_values(cafe)
        del values["id"], values["created_at"]
        self._run(lambda conn: conn.execute(update(cafes).where(cafes.c.id == cafe.id).values(**values)))

    def get_cafe(self, cafe_id: str) -> Cafe | None:
        row = self._run(lambda conn: conn.execute(select(cafes).where(cafes.c.id == cafe_id)).first())
        return self._cafe(row) if row else None

    def list_cafes(self) -> list[Cafe]:
        rows = self._run(
            lambda conn: conn.execute(
                select(cafes).order_by(cafes.c.held_on.desc(), cafes.c.created_at.desc())
            ).all()
        )
        return [self._cafe(row) for row in rows]

    # -- rounds --------------------------------------------------------------------------------
    @staticmethod
    def _round(row) -> Round:
        return Round(
            id=row.id,
            cafe_id=row.cafe_id,
            position=row.position,
            question=row.question,
            planned_minutes=row.planned_minutes,
            opened_at=row.opened_at,
            closed_at=row.closed_at,
        )

    def add_round(self, round_: Round) -> None:
        def work(conn):
            position = conn.execute(
                select(func.coalesce(func.max(rounds.c.position), 0) + 1).where(
                    rounds.c.cafe_id == round_.cafe_id
                )
            ).scalar_one()
            conn.execute(
                insert(rounds).values(
                    id=round_.id,
                    cafe_id=round_.cafe_id,
                    position=position,
                    question=round_.question,
                    planned_minutes=round_.planned_minutes,
                )
            )

        self._run(work)

    def update_round(self, round_: Round) -> None:
        self._run(
            lambda conn: conn.execute(
                update(rounds)
                .where(rounds.c.id == round_.id)
                .values(question=round_.question, planned_minutes=round_.planned_minutes)
            )
        )

    def delete_round(self, round_id: str) -> None:
        self._run(lambda conn: conn.execute(rounds.delete().where(rounds.c.id == round_id)))

    def list_rounds(self, cafe_id: str) -> list[Round]:
        rows = self._run(
            lambda conn: conn.execute(
                select(rounds).where(rounds.c.cafe_id == cafe_id).order_by(rounds.c.position)
            ).all()
        )
        return [self._round(row) for row in rows]

    def open_round(self, cafe_id: str, round_id: str, now: datetime) -> None:
        def work(conn):
            # One open round at a time: opening one closes whichever was open, atomically.
            conn.execute(
                update(rounds)
                .where(
                    rounds.c.cafe_id == cafe_id,
                    rounds.c.id != round_id,
                    rounds.c.opened_at.is_not(None),
                    rounds.c.closed_at.is_(None),
                )
                .values(closed_at=now)
            )
            conn.execute(
                update(rounds)
                .where(rounds.c.id == round_id, rounds.c.cafe_id == cafe_id)
                .values(opened_at=now, closed_at=None)
            )

        self._run(work)

    def close_round(self, round_id: str, now: datetime) -> None:
        self._run(
            lambda conn: conn.execute(
                update(rounds)
                .where(rounds.c.id == round_id, rounds.c.closed_at.is_(None))
                .values(closed_at=now)
            )
        )

    # -- tables --------------------------------------------------------------------------------
    @staticmethod
    def _table(row) -> Table:
        return Table(
            id=row.id,
            cafe_id=row.cafe_id,
            number=row.number,
            name=row.name,
            captain_name=row.captain_name,
            code=row.code,
            link_generation=row.link_generation,
        )

    def add_table(self, table: Table) -> None:
        try:
            self._run(
                lambda conn: conn.execute(
                    insert(cafe_tables).values(
                        id=table.id,
                        cafe_id=table.cafe_id,
                        number=table.number,
                        name=table.name,
                        captain_name=table.captain_name,
                        code=table.code,
                    )
                )
            )
        except IntegrityError as exc:
            raise InvalidInput(f"La table {table.number} existe déjà dans ce café.") from exc

    def update_table(self, table: Table) -> None:
        self._run(
            lambda conn: conn.execute(
                update(cafe_tables)
                .where(cafe_tables.c.id == table.id)
                .values(name=table.name, captain_name=table.captain_name)
            )
        )

    def revoke_links(self, cafe_id: str, table_id: str | None = None) -> None:
        statement = update(cafe_tables).where(cafe_tables.c.cafe_id == cafe_id)
        if table_id is not None:
            statement = statement.where(cafe_tables.c.id == table_id)
        self._run(
            lambda conn: conn.execute(statement.values(link_generation=cafe_tables.c.link_generation + 1))
        )

    def list_tables(self, cafe_id: str) -> list[Table]:
        rows = self._run(
            lambda conn: conn.execute(
                select(cafe_tables).where(cafe_tables.c.cafe_id == cafe_id).order_by(cafe_tables.c.number)
            ).all()
        )
        return [self._table(row) for row in rows]

    def table_by_code(self, code: str) -> Table | None:
        row = self._run(
            lambda conn: conn.execute(select(cafe_tables).where(cafe_tables.c.code == code)).first()
        )
        return self._table(row) if row else None

    # -- contributions -------------------------------------------------------------------------
    _support_counts = (
        select(supports.c.contribution_id, func.count().label("supports"))
        .group_by(supports.c.contribution_id)
        .subquery()
    )

    @staticmethod
    def _contribution(row) -> Contribution:
        return Contribution(
            id=row.id,
            cafe_id=row.cafe_id,
            round_id=row.round_id,
            table_id=row.table_id,
            text=row.text,
            source=Source(row.source),
            created_at=row.created_at,
            kind=Kind(row.kind) if row.kind else None,
            profile=Profile(row.profile) if row.profile else None,
            agreement_count=row.agreement_count,
            supports=row.supports or 0,
            updated_at=row.updated_at,
            deleted_at=row.deleted_at,
            author=row.author,
        )

    def _select_contributions(self):
        counts = self._support_counts
        return select(contributions, counts.c.supports).outerjoin(
            counts, counts.c.contribution_id == contributions.c.id
        )

    def add_contribution(
        self, contribution: Contribution, resident_limit: int | None = None
    ) -> tuple[Contribution, bool]:
        values = {
            "id": contribution.id,
            "cafe_id": contribution.cafe_id,
            "round_id": contribution.round_id,
            "table_id": contribution.table_id,
            "text": contribution.text,
            "kind": contribution.kind.value if contribution.kind else None,
            "profile": contribution.profile.value if contribution.profile else None,
            "agreement_count": contribution.agreement_count,
            "source": contribution.source.value,
            "created_at": contribution.created_at,
            "author": contribution.author,
        }

        def work(conn):
            # Serialise submits of one table (SQLite already does: BEGIN IMMEDIATE), so that two
            # taps with different ids cannot both pass the same-text check below.
            conn.execute(
                select(cafe_tables.c.id).where(cafe_tables.c.id == contribution.table_id).with_for_update()
            )
            same = conn.execute(
                self._select_contributions().where(
                    (contributions.c.id == contribution.id)
                    | (
                        (contributions.c.round_id == contribution.round_id)
                        & (contributions.c.table_id == contribution.table_id)
                        & (contributions.c.source == contribution.source.value)
                        # A table's captain, or one phone: two residents may say the same thing.
                        & (
                            contributions.c.author.is_(None)
                            if contribution.author is None
                            else contributions.c.author == contribution.author
                        )
                        & (contributions.c.text == contribution.text)
                        & contributions.c.deleted_at.is_(None)
                    )
                )
            ).first()
            if same is not None:
                return self._contribution(same), False
            if resident_limit is not None and contribution.source is Source.RESIDENT:
                # Counted under the table's lock: a concurrent burst cannot slip past the limit.
                recent = conn.execute(
                    select(func.count()).where(
                        contributions.c.table_id == contribution.table_id,
                        contributions.c.source == Source.RESIDENT.value,
                        contributions.c.created_at >= contribution.created_at - timedelta(minutes=1),
                    )
                ).scalar_one()
                if recent >= resident_limit:
                    raise NotAccepting(RATE_LIMIT_MESSAGE)
            self._insert_ignoring_duplicates(conn, contributions, ["id"], values)
            row = conn.execute(
                self._select_contributions().where(contributions.c.id == contribution.id)
            ).one()
            return self._contribution(row), True

        return self._run(work)

    def update_contribution(self, contribution: Contribution) -> None:
        self._run(
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
                )
            )
        )

    def get_contribution(self, contribution_id: str) -> Contribution | None:
        row = self._run(
            lambda conn: conn.execute(
                self._select_contributions().where(contributions.c.id == contribution_id)
            ).first()
        )
        return self._contribution(row) if row else None

    def list_contributions(
        self,
        cafe_id: str,
        *,
        round_id: str | None = None,
        table_id: str | None = None,
        include_deleted: bool = False,
    ) -> list[Contribution]:
        query = self._select_contributions().where(contributions.c.cafe_id == cafe_id)
        if round_id is not None:
            query = query.where(contributions.c.round_id == round_id)
        if table_id is not None:
            query = query.where(contributions.c.table_id == table_id)
        if not include_deleted:
            query = query.where(contributions.c.deleted_at.is_(None))
        query = query.order_by(contributions.c.created_at, contributions.c.id)
        rows = self._run(lambda conn: conn.execute(query).all())
        return [self._contribution(row) for row in rows]

    def add_support(self, contribution_id: str, supporter: str, now: datetime) -> bool:
        values = {"contribution_id": contribution_id, "supporter": supporter, "created_at": now}
        return self._run(
            lambda conn: self._insert_ignoring_duplicates(
                conn, supports, ["contribution_id", "supporter"], values
            )
        )

    def supported_by(self, supporter: str, contribution_ids: list[str]) -> set[str]:
        if not contribution_ids:
            return set()
        rows = self._run(
            lambda conn: conn.execute(
                select(supports.c.contribution_id).where(
                    supports.c.supporter == supporter,
                    supports.c.contribution_id.in_(contribution_ids),
                )
            ).all()
        )
        return {row.contribution_id for row in rows}

    # -- harvests ------------------------------------------------------------------------------
    def harvest_id_for(self, scope: HarvestScope, now: datetime) -> str:
        def work(conn):
            self._insert_ignoring_duplicates(
                conn,
                harvests,
                ["scope_key"],
                {"id": new_id(), "scope_key": scope.key(), "scope": scope.as_dict(), "created_at": now},
            )
            return conn.execute(select(harvests.c.id).where(harvests.c.scope_key == scope.key())).scalar_one()

        return self._run(work)

    def find_harvest(self, scope: HarvestScope) -> str | None:
        return self._run(
            lambda conn: conn.execute(
                select(harvests.c.id).where(harvests.c.scope_key == scope.key())
            ).scalar_one_or_none()
        )

    def add_harvest_version(self, version: HarvestVersion) -> None:
        payload = version_payload(version)
        try:
            self._run(
                lambda conn: conn.execute(
                    insert(harvest_versions).values(
                        id=version.id,
                        harvest_id=version.harvest_id,
                        number=version.number,
                        created_at=version.created_at,
                        author=version.author,
                        note=version.note,
                        payload=payload,
                    )
                )
            )
        except IntegrityError as exc:
            raise InvalidInput(
                "Quelqu'un vient d'enregistrer une autre version de ce regroupement : "
                "rechargez la page et refaites votre correction."
            ) from exc

    def list_harvest_versions(self, harvest_id: str) -> list[HarvestVersion]:
        rows = self._run(
            lambda conn: conn.execute(
                select(harvest_versions)
                .where(harvest_versions.c.harvest_id == harvest_id)
                .order_by(harvest_versions.c.number)
            ).all()
        )
        return [version_from(row) for row in rows]

    def latest_harvest_version(self, harvest_id: str) -> HarvestVersion | None:
        row = self._run(
            lambda conn: conn.execute(
                select(harvest_versions)
                .where(harvest_versions.c.harvest_id == harvest_id)
                .order_by(harvest_versions.c.number.desc())
                .limit(1)
            ).first()
        )
        return version_from(row) if row else None

    # -- fiches and documents ------------------------------------------------------------------
    def list_fiches(self, cafe_id: str | None = None) -> list[Fiche]:
        query = select(fiches)
        if cafe_id is not None:
            query = query.where(fiches.c.cafe_id == cafe_id)
        rows = self._run(lambda conn: conn.execute(query).all())
        return [
            Fiche(
                cafe_id=row.cafe_id,
                topic_key=row.topic_key,
                follow_up=row.follow_up,
                committee=Committee(row.committee),
                status=FicheStatus(row.status),
                updated_at=row.updated_at,
            )
            for row in rows
        ]

    def save_fiche(self, fiche: Fiche) -> None:
        values = {
            "follow_up": fiche.follow_up,
            "committee": fiche.committee.value,
            "status": fiche.status.value,
            "updated_at": fiche.updated_at,
        }

        def work(conn):
            changed = conn.execute(
                update(fiches)
                .where(fiches.c.cafe_id == fiche.cafe_id, fiches.c.topic_key == fiche.topic_key)
                .values(**values)
            ).rowcount
            if not changed:
                self._insert_ignoring_duplicates(
                    conn,
                    fiches,
                    ["cafe_id", "topic_key"],
                    {"cafe_id": fiche.cafe_id, "topic_key": fiche.topic_key, **values},
                )

        self._run(work)

    def add_document(self, document: StoredDocument) -> StoredDocument:
        def work(conn):
            version = conn.execute(
                select(func.coalesce(func.max(documents.c.version), 0) + 1).where(
                    documents.c.cafe_id == document.cafe_id, documents.c.kind == document.kind
                )
            ).scalar_one()
            stored = replace(document, version=version)
            conn.execute(
                insert(documents).values(
                    id=stored.id,
                    cafe_id=stored.cafe_id,
                    kind=stored.kind,
                    version=stored.version,
                    generated_at=stored.generated_at,
                    filename=stored.filename,
                    content=stored.content,
                )
            )
            return stored

        return self._run(work)

    def list_documents(self, cafe_id: str) -> list[StoredDocument]:
        """Every generated document of a café, without its bytes, newest first."""
        columns = [c for c in documents.c if c.name != "content"]
        rows = self._run(
            lambda conn: conn.execute(
                select(*columns)
                .where(documents.c.cafe_id == cafe_id)
                .order_by(documents.c.generated_at.desc(), documents.c.version.desc())
            ).all()
        )
        return [StoredDocument(**row._mapping) for row in rows]

    def get_document(self, document_id: str) -> StoredDocument | None:
        row = self._run(
            lambda conn: conn.execute(select(documents).where(documents.c.id == document_id)).first()
        )
        return StoredDocument(**row._mapping) if row else None

    def search_contributions(
        self, words: list[str], terms: list[str], cafe_ids: list[str] | None = None, limit: int = 200
    ) -> list[Contribution]:
        """Live contributions containing every word (accents, case, plurals aside), best first.

        `words` are the query's own words (PostgreSQL stems them with `cafe_french`), `terms` their
        stems (SQLite's FTS5 index holds stems, see migration 0006).
        """
        query = self._select_contributions().where(contributions.c.deleted_at.is_(None))
        if cafe_ids is not None:
            query = query.where(contributions.c.cafe_id.in_(cafe_ids))
        if self.engine.dialect.name == "postgresql":
            document = literal_column("contributions.search_vector")  # migration 0006
            wanted = func.plainto_tsquery(literal_column("'cafe_french'"), " ".join(words))
            query = query.where(document.bool_op("@@")(wanted)).order_by(
                func.ts_rank(document, wanted).desc(), contributions.c.created_at.desc()
            )
        else:
            # Each stem quoted: FTS5 reads them as plain words (no operator), all required.
            match = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
            ranked = (
                select(
                    search_ids.c.contribution_id,
                    literal_column("bm25(contribution_search)").label("rank"),
                )
                .select_from(search_ids.join(search_index, search_index.c.rowid == search_ids.c.rowid))
                .where(literal_column("contribution_search").op("MATCH")(match))
                .subquery()
            )
            query = query.join(ranked, ranked.c.contribution_id == contributions.c.id).order_by(
                ranked.c.rank, contributions.c.created_at.desc()
            )
        rows = self._run(lambda conn: conn.execute(query.limit(limit)).all())
        return [self._contribution(row) for row in rows]

    # -- trust: audit, masked names, login attempts, rates ----------------------------------------
    def add_audit_event(self, event: AuditEvent) -> None:
        self._run(
            lambda conn: conn.execute(
                insert(audit_log).values(
                    at=event.at,
                    actor=event.actor,
                    action=event.action,
                    cafe_id=event.cafe_id,
                    target=event.target,
                    details=event.details,
                )
            )
        )

    def list_audit_events(self, *, cafe_id: str | None = None, limit: int = 2000) -> list[AuditEvent]:
        query = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)
        if cafe_id is not None:
            query = query.where(audit_log.c.cafe_id == cafe_id)
        rows = self._run(lambda conn: conn.execute(query).all())
        return [AuditEvent(r.at, r.actor, r.action, r.cafe_id, r.target, r.details) for r in rows]

    def add_masked_name(self, cafe_id: str, name: str, confirmed: bool = True) -> None:
        def work(conn):
            values = {"cafe_id": cafe_id, "name": name, "confirmed": int(confirmed)}
            added = self._insert_ignoring_duplicates(conn, masked_names, ["cafe_id", "name"], values)
            if not added and confirmed:
                conn.execute(
                    update(masked_names)
                    .where(masked_names.c.cafe_id == cafe_id, masked_names.c.name == name)
                    .values(confirmed=1)
                )

        self._run(work)

    def list_masked_names(self, cafe_id: str, *, confirmed: bool = True) -> list[str]:
        rows = self._run(
            lambda conn: conn.execute(
                select(masked_names.c.name)
                .where(masked_names.c.cafe_id == cafe_id, masked_names.c.confirmed == int(confirmed))
                .order_by(masked_names.c.name)
            ).all()
        )
        return [row.name for row in rows]

    def remove_masked_name(self, cafe_id: str, name: str) -> None:
        self._run(
            lambda conn: conn.execute(
                masked_names.delete().where(masked_names.c.cafe_id == cafe_id, masked_names.c.name == name)
            )
        )

    def reserve_login_attempt(
        self, scope: str, client: Client, now: datetime, wait_for: Callable[[LoginHistory], int]
    ) -> tuple[int, int | None]:
        """Under a lock: read the recent failures, ask `wait_for` how long this client must wait,
        and when it need not, record the try as a failure. Returns (wait, attempt id)."""

        def failures(conn, column, value):
            if not value:
                return 0, None
            mine = (login_attempts.c.scope == scope, column == value)
            last_success = conn.execute(
                select(func.max(login_attempts.c.at)).where(
                    *mine, login_attempts.c.succeeded == 1, login_attempts.c.at >= now - FAILURE_WINDOW
                )
            ).scalar_one()
            start = max(now - FAILURE_WINDOW, last_success) if last_success else now - FAILURE_WINDOW
            row = conn.execute(
                select(func.count(), func.max(login_attempts.c.at)).where(
                    *mine, login_attempts.c.succeeded == 0, login_attempts.c.at >= start
                )
            ).one()
            return row[0], row[1]

        def work(conn):
            if conn.dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE already serialises
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOGIN_LOCK_ID})")
            recent = conn.execute(
                select(func.count(), func.min(login_attempts.c.at)).where(
                    login_attempts.c.scope == scope,
                    login_attempts.c.succeeded == 0,
                    login_attempts.c.at >= now - GLOBAL_WINDOW,
                )
            ).one()
            history = LoginHistory(
                *failures(conn, login_attempts.c.session, client.session),
                *failures(conn, login_attempts.c.address, client.address),
                recent[0],
                recent[1],
            )
            wait = wait_for(history)
            if wait:
                return wait, None
            values = {"at": now, "succeeded": 0, "scope": scope, "address": client.address[:64]}
            values["session"] = client.session[:64]
            return 0, conn.execute(
                insert(login_attempts).values(**values).returning(login_attempts.c.id)
            ).scalar_one()

        return self._run(work)

    def mark_login_succeeded(self, attempt_id: int) -> None:
        self._run(
            lambda conn: conn.execute(
                update(login_attempts).where(login_attempts.c.id == attempt_id).values(succeeded=1)
            )
        )

    # -- deletion ------------------------------------------------------------------------------
    def record_erasure(self, kind: str, cafe_id: str, ids: list[str], now: datetime) -> None:
        """Remember erased ids, so that no restore or import brings them back."""
        self._run(
            lambda conn: [
                self._insert_ignoring_duplicates(
                    conn,
                    erased_records,
                    ["id"],
                    {"id": i, "kind": kind, "cafe_id": cafe_id, "erased_at": now},
                )
                for i in ids
            ]
        )

    def delete_contributions(self, contribution_ids: list[str]) -> None:
        """Hard delete (supports go with them) and scrub the ids from every harvest version."""
        if not contribution_ids:
            return
        gone = set(contribution_ids)

        def work(conn):
            conn.execute(supports.delete().where(supports.c.contribution_id.in_(gone)))
            conn.execute(contributions.delete().where(contributions.c.id.in_(gone)))
            for row in conn.execute(select(harvest_versions.c.id, harvest_versions.c.payload)).all():
                payload = row.payload
                scrubbed = scrub_contribution_ids(payload, gone)
                if scrubbed != payload:
                    conn.execute(
                        update(harvest_versions)
                        .where(harvest_versions.c.id == row.id)
                        .values(payload=scrubbed)
                    )

        self._run(work)

    def delete_documents(self, cafe_id: str) -> int:
        return self._run(
            lambda conn: conn.execute(documents.delete().where(documents.c.cafe_id == cafe_id)).rowcount
        )

    def delete_cafe(self, cafe_id: str) -> None:
        """The café and everything derived from it, harvests over several cafés included."""

        def work(conn):
            ids = [
                r.id
                for r in conn.execute(select(contributions.c.id).where(contributions.c.cafe_id == cafe_id))
            ]
            conn.execute(supports.delete().where(supports.c.contribution_id.in_(ids)))
            for row in conn.execute(select(harvests.c.id, harvests.c.scope)).all():
                if cafe_id in row.scope.get("cafe_ids", []):
                    conn.execute(harvest_versions.delete().where(harvest_versions.c.harvest_id == row.id))
                    conn.execute(harvests.delete().where(harvests.c.id == row.id))
            for table in (contributions, documents, fiches, masked_names, rounds, cafe_tables):
                conn.execute(table.delete().where(table.c.cafe_id == cafe_id))
            conn.execute(cafes.delete().where(cafes.c.id == cafe_id))

        self._run(work)


def _is_disk_full(exc: OperationalError) -> bool:
    """SQLite says "database or disk is full"; PostgreSQL raises SQLSTATE 53100 (disk_full)."""
    return "disk is full" in str(exc.orig) or getattr(exc.orig, "sqlstate", None) == "53100"
