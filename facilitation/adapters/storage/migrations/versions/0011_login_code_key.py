"""login attempts remember which captain code was typed (a keyed hash), so that an address that
already opened a table is not delayed by strangers' failures"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.add_column(
        "login_attempts", sa.Column("code_key", sa.String(32), nullable=False, server_default="")
    )


def downgrade() -> None:
    with op.batch_alter_table("login_attempts") as batch_op:
        batch_op.drop_column("code_key")
