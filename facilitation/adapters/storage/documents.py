"""Generated documents (every version kept) and the organiser's fiches about retained topics."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update

from facilitation.adapters.storage.rows import to_model, to_row
from facilitation.adapters.storage.schema import documents, fiches
from facilitation.domain.model import Committee, Fiche, FicheStatus, StoredDocument


def _fiche(row) -> Fiche:
    return to_model(Fiche, row, committee=Committee(row.committee), status=FicheStatus(row.status))


def _document(row) -> StoredDocument:
    """A document's row; `content` is absent when the list was read without the bytes."""
    return to_model(StoredDocument, row, content=getattr(row, "content", b""))


class SqlDocumentRepository:
    """Rows of `documents` and `fiches`; version numbers are given by facilitation.services.documents."""

    def __init__(self, transactions) -> None:
        self._tx = transactions

    # -- fiches --------------------------------------------------------------------------------
    def fiches(self, cafe_id: str | None = None) -> list[Fiche]:
        query = select(fiches)
        if cafe_id is not None:
            query = query.where(fiches.c.cafe_id == cafe_id)
        rows = self._tx.rows(query)
        return [_fiche(row) for row in rows]

    def save_fiche(self, fiche: Fiche) -> None:
        """Insert or replace the fiche of (café, topic)."""
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
                key = {"cafe_id": fiche.cafe_id, "topic_key": fiche.topic_key}
                self._tx.insert_ignoring_duplicates(conn, fiches, ["cafe_id", "topic_key"], {**key, **values})

        self._tx.write(work)

    # -- documents -----------------------------------------------------------------------------
    def latest_version(self, cafe_id: str, kind: str) -> int:
        """The highest version of this kind of document for the café (0 when none)."""
        return self._tx.read(
            lambda conn: conn.execute(
                select(func.coalesce(func.max(documents.c.version), 0)).where(
                    documents.c.cafe_id == cafe_id, documents.c.kind == kind
                )
            ).scalar_one()
        )

    def add(self, document: StoredDocument) -> None:
        """Raises Conflict when this version of the document already exists."""
        self._tx.write(lambda conn: conn.execute(insert(documents).values(**to_row(document))))

    def in_cafe(self, cafe_id: str) -> list[StoredDocument]:
        """Every generated document of a café, without its bytes, newest first."""
        columns = [c for c in documents.c if c.name != "content"]
        rows = self._tx.rows(
            select(*columns)
            .where(documents.c.cafe_id == cafe_id)
            .order_by(documents.c.generated_at.desc(), documents.c.version.desc())
        )
        return [_document(row) for row in rows]

    def get(self, document_id: str) -> StoredDocument | None:
        row = self._tx.first(select(documents).where(documents.c.id == document_id))
        return _document(row) if row else None

    def delete_for_cafe(self, cafe_id: str, *, fiches_too: bool = False) -> int:
        """Remove the café's documents (and its fiches when asked); returns how many documents."""

        def work(conn):
            if fiches_too:
                conn.execute(fiches.delete().where(fiches.c.cafe_id == cafe_id))
            return conn.execute(documents.delete().where(documents.c.cafe_id == cafe_id)).rowcount

        return self._tx.write(work)
