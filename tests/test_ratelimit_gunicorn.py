"""Several gunicorn workers: Redis enforces one global limit, in-memory limiters do not."""

from __future__ import annotations

import pytest

from mismatch_core.ratelimit.cluster import GunicornApp, send_burst

WORKERS = 3
LIMIT = 5
REQUESTS = 60


def test_workers_share_redis_limit(redis_server):
    with GunicornApp(workers=WORKERS, storage=redis_server.url, limit=f"{LIMIT}/60") as app:
        burst = send_burst(app.url, REQUESTS, threads=12, api_key="gunicorn-redis")

    assert sum(burst.statuses.values()) == REQUESTS
    assert burst.admitted == LIMIT
    assert burst.statuses[429] == REQUESTS - LIMIT


def test_workers_in_memory_admit_per_worker():
    with GunicornApp(workers=WORKERS, storage="memory://", limit=f"{LIMIT}/60") as app:
        burst = send_burst(app.url, REQUESTS, threads=12, api_key="gunicorn-memory")

    assert sum(burst.statuses.values()) == REQUESTS
    if len(burst.served_by_worker) < 2:
        pytest.skip(f"the kernel sent every request to one worker: {dict(burst.served_by_worker)}")
    # Each worker admits up to the limit on its own, so the total exceeds it.
    assert burst.admitted == burst.admitted_if_per_worker(LIMIT)
    assert burst.admitted > LIMIT
