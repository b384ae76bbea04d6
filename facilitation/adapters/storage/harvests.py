"""Harvests: one per scope, each a list of numbered versions that are never overwritten."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import insert, select, update

from facilitation.adapters.storage.harvest_payload import version_from, version_payload
from facilitation.adapters.storage.schema import harvest_versions, harvests
from facilitation.domain.access import new_id
from facilitation.domain.errors import Conflict
from facilitation.domain.model import HarvestScope, HarvestVersion


def scrubbed_payload(row: dict, gone: set[str]) -> dict:
    """The payload of a stored version row (an import's) with the given contribution ids erased."""
    return version_payload(version_from(SimpleNamespace(**row)).without(gone))


class SqlHarvestRepository:
    """Rows of `harvests` and `harvest_versions`."""

    def __init__(self, transactions) -> None:
        self._tx = transactions

    def id_for(self, scope: HarvestScope, now: datetime) -> str:
        """The scope's harvest id, the harvest created on first use."""

        def work(conn):
            values = {"id": new_id(), "scope_key": scope.key(), "scope": scope.as_dict(), "created_at": now}
            self._tx.insert_ignoring_duplicates(conn, harvests, ["scope_key"], values)
            return conn.execute(select(harvests.c.id).where(harvests.c.scope_key == scope.key())).scalar_one()

        return self._tx.write(work)

    def find(self, scope: HarvestScope) -> str | None:
        return self._tx.read(
            lambda conn: conn.execute(
                select(harvests.c.id).where(harvests.c.scope_key == scope.key())
            ).scalar_one_or_none()
        )

    def scopes(self) -> dict[str, HarvestScope]:
        """Every harvest's scope, by harvest id."""
        rows = self._tx.rows(select(harvests.c.id, harvests.c.scope))
        return {
            row.id: HarvestScope(tuple(row.scope.get("cafe_ids", [])), row.scope.get("round_id"))
            for row in rows
        }

    def delete(self, harvest_id: str) -> None:
        """A harvest with all its versions."""

        def work(conn):
            conn.execute(harvest_versions.delete().where(harvest_versions.c.harvest_id == harvest_id))
            conn.execute(harvests.delete().where(harvests.c.id == harvest_id))

        self._tx.write(work)

    def add_version(self, version: HarvestVersion) -> None:
        """Save a new version; Conflict when its number is taken (it was computed from a stale read)."""

        def work(conn):
            taken = conn.execute(
                select(harvest_versions.c.id).where(
                    harvest_versions.c.harvest_id == version.harvest_id,
                    harvest_versions.c.number == version.number,
                )
            ).first()
            if taken is not None:
                raise Conflict()
            # A concurrent insert of the same number still fails on the unique index: Conflict too.
            conn.execute(
                insert(harvest_versions).values(
                    id=version.id,
                    harvest_id=version.harvest_id,
                    number=version.number,
                    created_at=version.created_at,
                    author=version.author,
                    note=version.note,
                    payload=version_payload(version),
                )
            )

        self._tx.write(work)

    def replace_payload(self, version: HarvestVersion) -> None:
        """Rewrite a version's content and note in place: only for erasure (RGPD), never for a correction."""
        self._tx.write(
            lambda conn: conn.execute(
                update(harvest_versions)
                .where(harvest_versions.c.id == version.id)
                .values(note=version.note, payload=version_payload(version))
            )
        )

    def versions(self, harvest_id: str | None = None) -> list[HarvestVersion]:
        """The harvest's versions, oldest first (every harvest's without an id)."""
        query = select(harvest_versions).order_by(harvest_versions.c.harvest_id, harvest_versions.c.number)
        if harvest_id is not None:
            query = query.where(harvest_versions.c.harvest_id == harvest_id)
        rows = self._tx.rows(query)
        return [version_from(row) for row in rows]

    def latest(self, harvest_id: str) -> HarvestVersion | None:
        row = self._tx.first(
            select(harvest_versions)
            .where(harvest_versions.c.harvest_id == harvest_id)
            .order_by(harvest_versions.c.number.desc())
            .limit(1)
        )
        return version_from(row) if row else None
