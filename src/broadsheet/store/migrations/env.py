"""Alembic environment: always run programmatically by broadsheet.store.migrate."""

from alembic import context

from broadsheet.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
