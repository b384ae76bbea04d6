"""ideas that travel and questions that emerge: contributions.builds_on, contributions.emerging_question

`builds_on` names the contribution of the same café an idea builds on (« je prolonge une idée »),
or stays empty; `emerging_question` marks a contribution as a question that emerged.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: a batch rebuild of `contributions` on SQLite would drop
    # the search triggers of migration 0006.
    op.add_column("contributions", sa.Column("builds_on", sa.String(32), nullable=True))
    op.add_column(
        "contributions",
        sa.Column("emerging_question", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_contributions_builds_on", "contributions", ["builds_on"])


def downgrade() -> None:
    op.drop_index("ix_contributions_builds_on", table_name="contributions")
    # SQLite ≥ 3.35 drops a column in place (a batch rebuild would lose the search triggers).
    op.drop_column("contributions", "emerging_question")
    op.drop_column("contributions", "builds_on")
