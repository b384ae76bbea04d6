"""fiche exchange: fiches from the field (with photos), comment threads, committee decisions"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "field_fiches",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("observation", sa.Text(), nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("theme", sa.String(60), nullable=False),
        sa.Column("follow_up", sa.Text(), nullable=False),
        sa.Column("committee", sa.String(80), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_fiches")),
    )
    _create_about_fiches(
        "fiche_comments",
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    _create_about_fiches(
        "fiche_decisions",
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("committee", sa.String(80), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    _create_about_fiches(
        "fiche_photos",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )


def _create_about_fiches(name: str, *columns: sa.Column) -> None:
    """A table of rows about a fiche (`fiche_ref`, indexed), each row with its own id."""
    op.create_table(
        name,
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("fiche_ref", sa.String(120), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    op.create_index(f"ix_{name}_fiche_ref", name, ["fiche_ref"])


def downgrade() -> None:
    op.drop_table("fiche_photos")
    op.drop_table("fiche_decisions")
    op.drop_table("fiche_comments")
    op.drop_table("field_fiches")
