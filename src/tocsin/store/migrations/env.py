"""Alembic environment: always run on a connection handed over by `tocsin.store.database`."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from tocsin.store.schema import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("tocsin migrations run through tocsin.store.database.migrate()")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
