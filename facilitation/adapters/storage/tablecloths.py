"""Storage of the tablecloths' photos."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select

from facilitation.adapters.storage.rows import to_model, to_row
from facilitation.adapters.storage.schema import tablecloths
from facilitation.domain.model import Tablecloth

_LISTED = (
    tablecloths.c.id,
    tablecloths.c.cafe_id,
    tablecloths.c.round_id,
    tablecloths.c.table_id,
    tablecloths.c.position,
    tablecloths.c.added_at,
)


def _tablecloth(row) -> Tablecloth:
    """A photo's row; `content` is absent when the list was read without the pictures."""
    return to_model(Tablecloth, row, content=getattr(row, "content", b""))


class SqlTableclothRepository:
    """Reads and writes the tablecloths' photos, in the unit of work's transaction."""

    def __init__(self, transactions) -> None:
        self._tx = transactions

    def add(self, photo: Tablecloth) -> None:
        self._tx.write(lambda conn: conn.execute(insert(tablecloths).values(**to_row(photo))))

    def count(self, round_id: str, table_id: str) -> int:
        return self._tx.read(
            lambda conn: conn.execute(
                select(func.count())
                .select_from(tablecloths)
                .where(tablecloths.c.round_id == round_id, tablecloths.c.table_id == table_id)
            ).scalar_one()
        )

    def next_position(self, round_id: str, table_id: str) -> int:
        """One more than the highest position taken at this table × round (1 for the first)."""
        highest = self._tx.read(
            lambda conn: conn.execute(
                select(func.max(tablecloths.c.position)).where(
                    tablecloths.c.round_id == round_id, tablecloths.c.table_id == table_id
                )
            ).scalar()
        )
        return (highest or 0) + 1

    def in_cafe(
        self,
        cafe_id: str,
        *,
        round_id: str | None = None,
        table_id: str | None = None,
        with_content: bool = True,
    ) -> list[Tablecloth]:
        """The café's photos by table then position (of one round or table when given)."""
        columns = (*_LISTED, tablecloths.c.content) if with_content else _LISTED
        query = select(*columns).where(tablecloths.c.cafe_id == cafe_id)
        if round_id is not None:
            query = query.where(tablecloths.c.round_id == round_id)
        if table_id is not None:
            query = query.where(tablecloths.c.table_id == table_id)
        rows = self._tx.rows(
            query.order_by(tablecloths.c.round_id, tablecloths.c.table_id, tablecloths.c.position)
        )
        return [_tablecloth(row) for row in rows]

    def get(self, photo_id: str) -> Tablecloth | None:
        row = self._tx.first(select(tablecloths).where(tablecloths.c.id == photo_id))
        return _tablecloth(row) if row else None

    def delete(self, photo_id: str) -> None:
        self._tx.write(lambda conn: conn.execute(delete(tablecloths).where(tablecloths.c.id == photo_id)))

    def delete_for_cafe(self, cafe_id: str) -> int:
        """Every photo of the café (when it is erased); returns how many there were."""
        return self._tx.write(
            lambda conn: conn.execute(delete(tablecloths).where(tablecloths.c.cafe_id == cafe_id)).rowcount
        )
