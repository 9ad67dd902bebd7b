"""Alembic environment: the URL comes from the service's own settings (DATABASE_URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from routing.settings import database_url_from_env, sync_url
from routing.store.tables import metadata

config = context.config
database_url = config.attributes.get("database_url") or database_url_from_env()


def run_migrations_offline() -> None:
    context.configure(url=sync_url(database_url), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(sync_url(database_url))
    with engine.connect() as connection:
        # render_as_batch: SQLite can only change a table by copying it.
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
