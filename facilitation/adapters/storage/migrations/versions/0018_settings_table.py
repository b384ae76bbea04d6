"""settings table: `app_secrets` becomes `installation_values`

The table holds the values stored once for the whole installation — the link secret, and the public
address the organiser types (`public_address.py`) — not only secrets. Backups written before keep
the old name in their file; a restore reads them under the new one (storage/transfer.py).
"""

from alembic import op

revision = "0018"
down_revision = "0017"


def upgrade() -> None:
    op.rename_table("app_secrets", "installation_values")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE installation_values RENAME CONSTRAINT pk_app_secrets TO pk_installation_values")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE installation_values RENAME CONSTRAINT pk_installation_values TO pk_app_secrets")
    op.rename_table("installation_values", "app_secrets")
