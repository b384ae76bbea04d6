"""Alembic environment: uses the connection handed over by facilitation.adapters.storage.engine.migrate,
or DATABASE_URL when run as `alembic upgrade head` from the project root."""

from alembic import context

from facilitation.adapters.storage.engine import create_db_engine
from facilitation.adapters.storage.schema import metadata
from facilitation.settings import load_settings

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        context.run_migrations()
        return
    engine = create_db_engine(load_settings().database_url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        context.run_migrations()


run_migrations_online()
