"""Storage of the Atelier's exchange: fiches from the field, comment threads, committee decisions."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Row, Table, delete, func, insert, select, update

from facilitation.adapters.storage.rows import to_model, to_row
from facilitation.adapters.storage.schema import fiche_comments, fiche_decisions, fiche_photos, field_fiches
from facilitation.domain.access import new_id
from facilitation.domain.model import Comment, Committee, Decision, FicheStatus, FieldFiche, Theme


def _field_fiche(row) -> FieldFiche:
    return to_model(
        FieldFiche,
        row,
        theme=Theme(row.theme),
        committee=Committee(row.committee),
        status=FicheStatus(row.status),
    )


def _decision(row) -> Decision:
    return to_model(Decision, row, committee=Committee(row.committee), status=FicheStatus(row.status))


class ExchangeRepository:
    """Reads and writes the exchange's tables, in the unit of work's transaction."""

    def __init__(self, transactions) -> None:
        self._tx = transactions

    def add_field_fiche(self, fiche: FieldFiche) -> None:
        values = to_row(
            fiche, theme=fiche.theme.value, committee=fiche.committee.value, status=fiche.status.value
        )
        self._tx.write(lambda conn: conn.execute(insert(field_fiches).values(**values)))

    def list_field_fiches(self) -> list[FieldFiche]:
        rows = self._tx.rows(select(field_fiches).order_by(field_fiches.c.created_at.desc()))
        return [_field_fiche(row) for row in rows]

    def get_field_fiche(self, fiche_id: str) -> FieldFiche | None:
        row = self._tx.first(select(field_fiches).where(field_fiches.c.id == fiche_id))
        return _field_fiche(row) if row else None

    def set_field_fiche_decision(self, fiche_id: str, committee: str, status: str) -> None:
        self._tx.write(
            lambda conn: conn.execute(
                update(field_fiches)
                .where(field_fiches.c.id == fiche_id)
                .values(committee=committee, status=status)
            )
        )

    def add_comment(self, comment: Comment) -> None:
        self._tx.write(lambda conn: conn.execute(insert(fiche_comments).values(**to_row(comment))))

    def list_comments(self, fiche_ref: str) -> list[Comment]:
        return [to_model(Comment, row) for row in self._in_order(fiche_comments, fiche_ref)]

    def add_decision(self, decision: Decision) -> None:
        values = to_row(decision, committee=decision.committee.value, status=decision.status.value)
        self._tx.write(lambda conn: conn.execute(insert(fiche_decisions).values(**values)))

    def list_decisions(self, fiche_ref: str) -> list[Decision]:
        return [_decision(row) for row in self._in_order(fiche_decisions, fiche_ref)]

    def _in_order(self, table: Table, fiche_ref: str) -> list[Row]:
        """The rows of `table` about this fiche, oldest first."""
        query = select(table).where(table.c.fiche_ref == fiche_ref).order_by(table.c.at, table.c.id)
        return self._tx.rows(query)

    def add_photos(self, fiche_ref: str, photos: list[bytes]) -> None:
        """Photos after the fiche's others, in the order given."""

        def work(conn) -> None:
            first = conn.execute(
                select(func.count()).select_from(fiche_photos).where(fiche_photos.c.fiche_ref == fiche_ref)
            ).scalar_one()
            rows = [
                {"id": new_id(), "fiche_ref": fiche_ref, "position": first + offset, "content": content}
                for offset, content in enumerate(photos)
            ]
            conn.execute(insert(fiche_photos), rows)

        if photos:
            self._tx.write(work)

    def list_photos(self, fiche_ref: str) -> list[bytes]:
        rows = self._tx.rows(
            select(fiche_photos.c.content)
            .where(fiche_photos.c.fiche_ref == fiche_ref)
            .order_by(fiche_photos.c.position)
        )
        return [row.content for row in rows]

    def forget_cafe(self, cafe_id: str) -> None:
        """The comments, decisions and photos of the café's fiches (when the café is erased)."""
        prefix = f"cafe/{cafe_id}/"

        def work(conn):
            for table in (fiche_comments, fiche_decisions, fiche_photos):
                conn.execute(delete(table).where(table.c.fiche_ref.startswith(prefix, autoescape=True)))

        self._tx.write(work)

    def redact_cafe(self, cafe_id: str, redact: Callable[[str], str]) -> None:
        """Rewrite the comments and decision notes of the café's fiches through `redact`, which
        blanks an erased contribution's words that someone quoted there."""
        prefix = f"cafe/{cafe_id}/"

        def work(conn):
            for table, column in ((fiche_comments, "text"), (fiche_decisions, "note")):
                rows = conn.execute(
                    select(table.c.id, table.c[column]).where(
                        table.c.fiche_ref.startswith(prefix, autoescape=True)
                    )
                ).all()
                for row in rows:
                    redacted = redact(row[1])
                    if redacted != row[1]:
                        conn.execute(update(table).where(table.c.id == row.id).values({column: redacted}))

        self._tx.write(work)
