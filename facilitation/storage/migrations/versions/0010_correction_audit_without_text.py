"""audit log without text: a captain's correction no longer keeps « avant : … ; après : … »

Corrections logged before kept both texts (masked for flagged names, but the words a resident may
ask to erase). They now say « texte corrigé »: who corrected which contribution, and when, stays.
Data only. SQLite overwrites the old bytes at once (secure_delete, storage/engine.py); PostgreSQL
keeps them in dead tuples until the next erasure's VACUUM FULL (storage/erasure.py).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE audit_log SET details = 'texte corrigé' WHERE details LIKE 'avant : «%'")


def downgrade() -> None:
    pass  # the texts are gone for good, as intended
