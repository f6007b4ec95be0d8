"""Engines: a SQLite file by default, PostgreSQL (or any SQLAlchemy URL) when given."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL

logger = logging.getLogger(__name__)

DEFAULT_SQLITE_NAME = "mismatch.sqlite"

_DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _default_sqlite_path() -> Path:
    from mismatch_core.paths import generated_data_dir

    return generated_data_dir() / DEFAULT_SQLITE_NAME


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite. The rollback journal stays the default,
    # because in WAL mode a bulk load writes every page twice (WAL, then checkpoint). A
    # 400k-job load took about 1.5 times longer in WAL mode (SQLite 3.40, 2-core VM).
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A 64 MiB page cache instead of the default 2 MiB keeps index pages of a million
    # rows in memory during bulk loads.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def open_engine(url: str | URL | None = None, *, path: str | Path | None = None) -> Engine:
    """Create an engine for ``url``, or for the SQLite file ``path``.

    With neither, it opens ``mismatch.sqlite`` in the generated-data folder. SQLite
    connections get foreign keys on and a 64 MiB page cache.
    """
    if url is not None and path is not None:
        raise ValueError("pass either url or path, not both")
    if url is None:
        file = Path(path) if path is not None else _default_sqlite_path()
        file.parent.mkdir(parents=True, exist_ok=True)
        url = URL.create("sqlite+pysqlite", database=str(file))
    url = make_url(url)

    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    logger.info("opened %s database %s", engine.dialect.name, url.render_as_string())
    return engine


def analyze(engine: Engine) -> None:
    """Refresh the planner statistics (``ANALYZE``), so plans reflect the loaded data."""
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    logger.info("analyzed %s database", engine.dialect.name)


def create_postgres_database(server_url: str | URL, name: str) -> URL:
    """Create an empty PostgreSQL database ``name`` on the server and return its URL.

    ``server_url`` points to any existing database of the server, such as ``postgres``.
    A database of that name is dropped first, so the call gives a fresh database.
    """
    if not _DATABASE_NAME.fullmatch(name):
        raise ValueError(
            f"invalid database name {name!r}: use lowercase letters, digits and '_', "
            "starting with a letter or '_', at most 63 characters"
        )
    server_url = make_url(server_url)
    if server_url.get_backend_name() != "postgresql":
        raise ValueError(f"expected a postgresql URL, got {server_url.render_as_string()!r}")

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            # CREATE DATABASE cannot run inside a transaction, hence AUTOCOMMIT.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    logger.info("created PostgreSQL database %s", name)
    return server_url.set(database=name)
