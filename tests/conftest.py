"""Shared fixtures: a small skill vocabulary and the real data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Notebooks collected by nbval read the scale from the environment; tests run them small.
os.environ.setdefault("MISMATCH_SCALE", "small")

from mismatch_core.paths import shared_data_dir


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """Return the real data folder, or skip when this machine does not have it."""
    directory = shared_data_dir()
    if directory is None:
        pytest.skip("no real data: ../shared/data is absent and MISMATCH_DATA_DIR is unset")
    return directory


def _start(factory, name: str):
    from mismatch_core.servers import ServerUnavailable

    try:
        server = factory()
    except ServerUnavailable as missing:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI but unavailable: {missing}")
        pytest.skip(f"{name} unavailable: {missing}")
    return server.start()


@pytest.fixture
def own_redis():
    """Start a redis-server for one test, which may stop and start it again."""
    from mismatch_core.servers import RedisServer

    server = _start(RedisServer, "redis-server")
    yield server
    server.close()


@pytest.fixture(scope="session")
def redis_server():
    """Start a throwaway redis-server on loopback for the whole test session."""
    from mismatch_core.servers import RedisServer

    server = _start(RedisServer, "redis-server")
    yield server
    server.close()


@pytest.fixture(scope="session")
def postgres_server():
    """Start a throwaway PostgreSQL server on loopback for the whole test session."""
    from mismatch_core.servers import PostgresServer

    server = _start(PostgresServer, "PostgreSQL")
    yield server
    server.close()
