"""Alembic environment: migrates the connection that ``mismatch_core.db.migrate`` passes in.

Offline mode (SQL script output) is not supported, because every caller has a live engine.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from mismatch_core.db.models import Base

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError(
        "offline migrations are not supported; call mismatch_core.db.migrate.upgrade(engine)"
    )

connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()
