"""tablecloths: photos of the paper tablecloths, a few per table × round (JPEG without metadata)"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"


def upgrade() -> None:
    op.create_table(
        "tablecloths",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column(
            "cafe_id",
            sa.String(32),
            sa.ForeignKey("cafes.id", name=op.f("fk_tablecloths_cafe_id_cafes"), ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "round_id",
            sa.String(32),
            sa.ForeignKey("rounds.id", name=op.f("fk_tablecloths_round_id_rounds"), ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "table_id",
            sa.String(32),
            sa.ForeignKey(
                "cafe_tables.id", name=op.f("fk_tablecloths_table_id_cafe_tables"), ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tablecloths")),
        sa.UniqueConstraint("round_id", "table_id", "position", name=op.f("uq_tablecloths_round_id")),
    )
    op.create_index("ix_tablecloths_cafe_id", "tablecloths", ["cafe_id"])


def downgrade() -> None:
    op.drop_table("tablecloths")
