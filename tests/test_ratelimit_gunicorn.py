"""Several gunicorn workers: Redis enforces one global limit, in-memory limiters do not."""

from __future__ import annotations

import socket
import time
from collections import Counter

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


def _held_request(port: int, api_key: str) -> socket.socket:
    """Open a /match request whose headers are not finished, so one worker waits on it."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.sendall(
        f"GET /match HTTP/1.1\r\nHost: localhost\r\nX-API-Key: {api_key}\r\n".encode()
    )
    return connection


def _finish(connection: socket.socket) -> tuple[int, str]:
    """Finish a held request and return its status and the pid of the worker that served it."""
    with connection:
        connection.sendall(b"Connection: close\r\n\r\n")
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    head = b"".join(chunks).split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in head[1:])
    return int(head[0].split()[1]), headers["X-Worker-Pid"]


def test_workers_in_memory_admit_per_worker():
    with GunicornApp(workers=WORKERS, storage="memory://", limit=f"{LIMIT}/60") as app:
        # One worker waits on a held request, so the burst goes to the others and at
        # least two workers serve this client, whatever order the kernel accepts in.
        held = _held_request(app.port, "gunicorn-memory")
        time.sleep(0.3)
        burst = send_burst(app.url, REQUESTS - 1, threads=12, api_key="gunicorn-memory")
        status, pid = _finish(held)

    statuses = burst.statuses + Counter({status: 1})
    served = burst.served_by_worker + Counter({pid: 1})
    assert sum(statuses.values()) == REQUESTS
    assert pid not in burst.served_by_worker
    # Each worker admits up to the limit on its own, so the total exceeds it.
    assert statuses[200] == sum(min(LIMIT, count) for count in served.values())
    assert statuses[200] > LIMIT
