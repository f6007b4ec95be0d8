"""Several gunicorn workers: Redis enforces one global limit, in-memory limiters do not."""

from __future__ import annotations

import time
from collections import Counter

from mismatch_core.loadgen import PendingRequest
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
        # One worker waits on a pending request, so the burst goes to the others and at
        # least two workers serve this client, whatever order the kernel accepts in.
        pending = PendingRequest(app.url, "/match", {"X-API-Key": "gunicorn-memory"})
        time.sleep(0.3)
        burst = send_burst(app.url, REQUESTS - 1, threads=12, api_key="gunicorn-memory")
        status, headers = pending.finish()
        pid = headers["X-Worker-Pid"]

    statuses = burst.statuses + Counter({status: 1})
    served = burst.served_by_worker + Counter({pid: 1})
    assert sum(statuses.values()) == REQUESTS
    assert pid not in burst.served_by_worker
    # Each worker admits up to the limit on its own, so the total exceeds it.
    assert statuses[200] == sum(min(LIMIT, count) for count in served.values())
    assert statuses[200] > LIMIT
