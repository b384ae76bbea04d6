"""Storage of contributions' sentence vectors, so that a re-run encodes only new or edited texts."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from facilitation.adapters.storage.schema import contribution_vectors, contributions

# Bound parameters per statement: SQLite allows 32,766, PostgreSQL 65,535.
_CHUNK = 5_000


class VectorRepository:
    """Reads and writes `contribution_vectors` in the unit of work's transaction."""

    def __init__(self, transactions) -> None:
        self._tx = transactions

    def load(self, model: str, wanted: dict[str, str]) -> dict[str, np.ndarray]:
        """Vectors of these contributions (id -> text hash) whose stored hash still matches."""
        ids = list(wanted)

        def read(connection) -> dict[str, np.ndarray]:
            found = {}
            for start in range(0, len(ids), _CHUNK):
                rows = connection.execute(
                    select(contribution_vectors).where(
                        contribution_vectors.c.model == model,
                        contribution_vectors.c.contribution_id.in_(ids[start : start + _CHUNK]),
                    )
                ).all()
                for row in rows:
                    if wanted[row.contribution_id] == row.text_hash:
                        found[row.contribution_id] = np.frombuffer(row.vector, dtype="<f4")
            return found

        return self._tx.read(read) if ids else {}

    def save(self, model: str, vectors: dict[str, tuple[str, np.ndarray]]) -> None:
        """Keep each contribution's vector (id -> (text hash, vector)), replacing an older one.

        A contribution erased meanwhile is skipped: its vector must not outlive it.
        """
        rows = [
            {
                "contribution_id": contribution_id,
                "model": model,
                "text_hash": text_hash,
                "vector": np.asarray(vector, dtype="<f4").tobytes(),
            }
            for contribution_id, (text_hash, vector) in vectors.items()
        ]

        def write(connection) -> None:
            module = postgresql if connection.dialect.name == "postgresql" else sqlite
            for start in range(0, len(rows), _CHUNK):
                chunk = rows[start : start + _CHUNK]
                alive = set(
                    connection.execute(
                        select(contributions.c.id).where(
                            contributions.c.id.in_([r["contribution_id"] for r in chunk])
                        )
                    ).scalars()
                )
                chunk = [r for r in chunk if r["contribution_id"] in alive]
                if not chunk:
                    continue
                statement = module.insert(contribution_vectors).values(chunk)
                connection.execute(
                    statement.on_conflict_do_update(
                        index_elements=["contribution_id", "model"],
                        set_={"text_hash": statement.excluded.text_hash, "vector": statement.excluded.vector},
                    )
                )

        if rows:
            self._tx.write(write)
