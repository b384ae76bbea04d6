"""wall link generation per café; staff sessions (sign-out, sign-out of everyone)"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    with op.batch_alter_table("cafes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wall_generation", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
    )


def downgrade() -> None:
    op.drop_table("staff_sessions")
    with op.batch_alter_table("cafes", schema=None) as batch_op:
        batch_op.drop_column("wall_generation")
