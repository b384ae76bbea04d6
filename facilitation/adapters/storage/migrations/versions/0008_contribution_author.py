"""contribution author: a phone's pseudonymous key, so that two residents may write the same words"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    # A plain ADD COLUMN: recreating the table would drop the search index's triggers (0006).
    op.add_column("contributions", sa.Column("author", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contributions") as batch_op:
        batch_op.drop_column("author")
