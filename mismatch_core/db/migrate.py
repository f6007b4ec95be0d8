"""Run the packaged Alembic migrations programmatically, with no alembic.ini needed.

``upgrade(engine)`` brings a database to the newest schema; ``downgrade(engine, "0001")``
removes the query indexes again and keeps the data.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

INITIAL = "0001"
"""Revision with the tables and the roadmap's two ``jobs`` indexes only."""

ADD_INDEXES = "0002"
"""Revision that adds the query indexes."""

HEAD = "head"


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic configuration for ``engine`` with the packaged script location."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats '%' as interpolation, so a password containing it is escaped.
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    return config


def _check_revision(revision: str) -> None:
    known = {script.revision for script in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}
    if revision not in known | {HEAD, "base"}:
        raise ValueError(
            f"unknown revision {revision!r}; use one of {sorted(known)}, 'head' or 'base'"
        )


def upgrade(engine: Engine, revision: str = HEAD) -> None:
    """Apply the migrations up to ``revision`` in one transaction."""
    _check_revision(revision)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    logger.info("upgraded %s database to %s", engine.dialect.name, current_revision(engine))


def downgrade(engine: Engine, revision: str) -> None:
    """Roll the schema back to ``revision`` (``"base"`` drops every table)."""
    _check_revision(revision)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    logger.info("downgraded %s database to %s", engine.dialect.name, current_revision(engine))


def current_revision(engine: Engine) -> str | None:
    """Return the database's Alembic revision, or None for a database never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
