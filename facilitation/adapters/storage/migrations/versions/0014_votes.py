"""votes: d'accord / pas d'accord / je ne sais pas on ideas and themes; the plenary vote's switch"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"


def upgrade() -> None:
    op.create_table(
        "votes",
        sa.Column("cafe_id", sa.String(32), sa.ForeignKey("cafes.id", name=op.f("fk_votes_cafe_id_cafes"), ondelete="CASCADE"), nullable=False),
        sa.Column("item", sa.String(80), nullable=False),
        sa.Column("voter", sa.String(64), nullable=False),
        sa.Column("table_number", sa.Integer, nullable=False),
        sa.Column("agree", sa.Integer, nullable=False, server_default="0"),
        sa.Column("disagree", sa.Integer, nullable=False, server_default="0"),
        sa.Column("unsure", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("cafe_id", "item", "voter", name=op.f("pk_votes")),
    )
    with op.batch_alter_table("cafes", schema=None) as batch:
        batch.add_column(sa.Column("plenary_opened_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cafes", schema=None) as batch:
        batch.drop_column("plenary_opened_at")
    op.drop_table("votes")
