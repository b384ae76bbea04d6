"""contribution vectors: the sentence encoder's output per contribution, reused by every re-run"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.create_table(
        "contribution_vectors",
        sa.Column(
            "contribution_id",
            sa.String(32),
            sa.ForeignKey("contributions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("model", sa.String(80), primary_key=True),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("contribution_vectors")
