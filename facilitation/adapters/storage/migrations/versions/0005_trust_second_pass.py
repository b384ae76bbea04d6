"""trust, second pass: erasure tombstones, login attempts per session and address, names awaiting confirmation"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "erased_records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("cafe_id", sa.String(length=32), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_records")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=20), server_default="organiser", nullable=False))
        batch_op.add_column(sa.Column("address", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("session", sa.String(length=64), server_default="", nullable=False))
        batch_op.create_index("ix_login_attempts_scope_at", ["scope", "at"], unique=False)
    with op.batch_alter_table("masked_names", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("masked_names", schema=None) as batch_op:
        batch_op.drop_column("confirmed")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_scope_at")
        batch_op.drop_column("session")
        batch_op.drop_column("address")
        batch_op.drop_column("scope")
    op.drop_table("erased_records")
