"""Cafés with their rounds and tables: one aggregate, one repository."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import insert, select, update

from facilitation.adapters.storage.rows import to_model, to_row
from facilitation.adapters.storage.schema import cafe_tables, cafes, rounds
from facilitation.domain.model import Cafe, Place, Round, Table, Theme


def _cafe_values(cafe: Cafe) -> dict[str, Any]:
    # wall_generation only moves in SQL (revoke_wall_link): writing the café never sets it back.
    return to_row(cafe, leave_out=("place", "wall_generation"), **asdict(cafe.place), theme=cafe.theme.value)


def _cafe(row) -> Cafe:
    return to_model(Cafe, row, place=Place(row.residence, row.quartier, row.commune), theme=Theme(row.theme))


class SqlCafeRepository:
    """Rows of `cafes`, `rounds` and `cafe_tables`; their rules live in facilitation.services.cafes."""

    def __init__(self, transactions) -> None:
        self._tx = transactions

    # -- cafés ---------------------------------------------------------------------------------
    def lock(self, cafe_id: str) -> None:
        """Serialise the writers of one café until the transaction ends.

        SQLite writers already are (BEGIN IMMEDIATE); PostgreSQL locks the café's row."""
        if self._tx.dialect == "postgresql":
            self._tx.write(
                lambda conn: conn.execute(select(cafes.c.id).where(cafes.c.id == cafe_id).with_for_update())
            )

    def lock_shared(self, cafe_id: str) -> None:
        """Keep the café's rounds as read until the transaction ends, without serialising readers
        that also take it: submits at several tables run side by side, a round change waits for them.

        SQLite writers already are serialised (BEGIN IMMEDIATE); PostgreSQL takes FOR SHARE."""
        if self._tx.dialect == "postgresql":
            self._tx.write(
                lambda conn: conn.execute(
                    select(cafes.c.id).where(cafes.c.id == cafe_id).with_for_update(read=True)
                )
            )

    def add(self, cafe: Cafe) -> None:
        self._tx.write(lambda conn: conn.execute(insert(cafes).values(**_cafe_values(cafe))))

    def update(self, cafe: Cafe) -> None:
        values = _cafe_values(cafe)
        del values["id"], values["created_at"]
        self._tx.write(lambda conn: conn.execute(update(cafes).where(cafes.c.id == cafe.id).values(**values)))

    def get(self, cafe_id: str) -> Cafe | None:
        row = self._tx.first(select(cafes).where(cafes.c.id == cafe_id))
        return _cafe(row) if row else None

    def list_all(self) -> list[Cafe]:
        rows = self._tx.rows(select(cafes).order_by(cafes.c.held_on.desc(), cafes.c.created_at.desc()))
        return [_cafe(row) for row in rows]

    def revoke_wall_link(self, cafe_id: str) -> None:
        """Move the café's wall link generation on: the wall link signed before stops working."""
        self._tx.write(
            lambda conn: conn.execute(
                update(cafes).where(cafes.c.id == cafe_id).values(wall_generation=cafes.c.wall_generation + 1)
            )
        )

    def delete(self, cafe_id: str) -> None:
        """The café row with its rounds and tables (whatever refers to them must be gone first)."""

        def work(conn):
            for table in (rounds, cafe_tables):
                conn.execute(table.delete().where(table.c.cafe_id == cafe_id))
            conn.execute(cafes.delete().where(cafes.c.id == cafe_id))

        self._tx.write(work)

    # -- rounds --------------------------------------------------------------------------------
    def add_round(self, round_: Round) -> None:
        values = to_row(round_, leave_out=("opened_at", "closed_at"))
        self._tx.write(lambda conn: conn.execute(insert(rounds).values(**values)))

    def save_round(self, round_: Round) -> None:
        """Write a round's question, duration and opening times as they are in `round_`."""
        values = {k: getattr(round_, k) for k in ("question", "planned_minutes", "opened_at", "closed_at")}
        self._tx.write(
            lambda conn: conn.execute(update(rounds).where(rounds.c.id == round_.id).values(**values))
        )

    def delete_round(self, round_id: str) -> None:
        self._tx.write(lambda conn: conn.execute(rounds.delete().where(rounds.c.id == round_id)))

    def rounds(self, cafe_id: str) -> list[Round]:
        rows = self._tx.rows(select(rounds).where(rounds.c.cafe_id == cafe_id).order_by(rounds.c.position))
        return [to_model(Round, row) for row in rows]

    # -- tables --------------------------------------------------------------------------------
    def add_table(self, table: Table) -> None:
        """Raises Conflict when the café already has a table with this number."""
        values = to_row(table, leave_out=("link_generation",))
        self._tx.write(lambda conn: conn.execute(insert(cafe_tables).values(**values)))

    def update_table(self, table: Table) -> None:
        self._tx.write(
            lambda conn: conn.execute(
                update(cafe_tables)
                .where(cafe_tables.c.id == table.id)
                .values(name=table.name, captain_name=table.captain_name)
            )
        )

    def revoke_links(self, cafe_id: str, table_id: str | None = None) -> None:
        """Move the link generation of one table (or all) on: links signed before stop working."""
        statement = update(cafe_tables).where(cafe_tables.c.cafe_id == cafe_id)
        if table_id is not None:
            statement = statement.where(cafe_tables.c.id == table_id)
        # An increment in SQL, not a read-modify-write: two revocations both count.
        self._tx.write(
            lambda conn: conn.execute(statement.values(link_generation=cafe_tables.c.link_generation + 1))
        )

    def tables(self, cafe_id: str) -> list[Table]:
        rows = self._tx.rows(
            select(cafe_tables).where(cafe_tables.c.cafe_id == cafe_id).order_by(cafe_tables.c.number)
        )
        return [to_model(Table, row) for row in rows]

    def table_by_code(self, code: str) -> Table | None:
        row = self._tx.first(select(cafe_tables).where(cafe_tables.c.code == code))
        return to_model(Table, row) if row else None
