"""An open-loop HTTP load generator for loopback servers, free of coordinated omission.

Requests are scheduled at a fixed rate: request ``i`` is due at ``start + i / rate``.
Its latency is measured from that intended send time, not from when a worker got to
send it, so when the server stalls the queued requests' waiting time is counted instead
of hidden (the coordinated-omission error of closed-loop testers). Every run is bounded
by a request count and a duration, and only loopback hosts are accepted.
"""

from __future__ import annotations

import http.client
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np

logger = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
MAX_REQUESTS = 1_000_000
MAX_DURATION_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request to send: method, path with query, optional JSON body."""

    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class LoadResult:
    """Raw outcome of a run: one row per request, in intended send order.

    ``intended`` is seconds after ``started_at`` (a reading of the run's clock) and
    ``latency`` is seconds from the intended send time to the end of the response.
    """

    rate: float
    intended: np.ndarray
    latency: np.ndarray
    status: np.ndarray
    wall_seconds: float
    started_at: float

    @property
    def completed(self) -> int:
        """Requests that got any HTTP response."""
        return int(np.count_nonzero(self.status > 0))

    @property
    def throughput(self) -> float:
        """Responses with a 2xx status per second of wall time."""
        ok = np.count_nonzero((self.status >= 200) & (self.status < 300))
        return ok / self.wall_seconds if self.wall_seconds > 0 else 0.0


def _check_target(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    if parts.scheme != "http":
        raise ValueError(f"only http:// URLs are supported, got {base_url!r}")
    if parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(
            f"load is only sent to loopback hosts {sorted(LOOPBACK_HOSTS)}, got {parts.hostname!r}"
        )
    if parts.port is None:
        raise ValueError(f"the URL must name a port, got {base_url!r}")
    return parts.hostname, parts.port


class PendingRequest:
    """A GET sent without its final blank line, so the server process that accepted it waits.

    A sync gunicorn worker reading this request serves nothing else until ``finish``, so
    traffic sent meanwhile goes to the other workers. Tests use it to make sure more than
    one worker serves, whatever order the kernel hands connections out in.
    """

    def __init__(
        self, base_url: str, path: str, headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> None:
        host, port = _check_target(base_url)
        lines = [f"GET {path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self._connection = socket.create_connection((host, port), timeout=timeout)
        self._connection.sendall(("\r\n".join(lines) + "\r\n").encode("latin-1"))

    def finish(self) -> tuple[int, dict[str, str]]:
        """Send the end of the request and read the response. Return its status and headers."""
        with self._connection as connection:
            connection.sendall(b"Connection: close\r\n\r\n")
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        head = b"".join(chunks).split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in head[1:])
        return int(head[0].split()[1]), headers


def run_open_loop(
    base_url: str,
    requests: Sequence[Request] | Callable[[int], Request],
    *,
    rate: float,
    count: int,
    max_seconds: float = 60.0,
    workers: int = 32,
    timeout: float = 10.0,
    clock: Callable[[], float] = time.perf_counter,
    sleep: Callable[[float], None] = time.sleep,
) -> LoadResult:
    """Send ``count`` requests at ``rate`` per second to a loopback server and time each one.

    ``requests`` is a sequence used round-robin or a function of the request number.
    Sending stops early when ``max_seconds`` have passed since the start; requests not
    sent by then keep status 0. Latency is in seconds from each request's intended time.
    """
    host, port = _check_target(base_url)
    if not 0 < rate <= 100_000:
        raise ValueError(f"rate must be in (0, 100000] requests per second, got {rate}")
    if not 1 <= count <= MAX_REQUESTS:
        raise ValueError(f"count must be between 1 and {MAX_REQUESTS}, got {count}")
    if not 0 < max_seconds <= MAX_DURATION_SECONDS:
        raise ValueError(f"max_seconds must be in (0, {MAX_DURATION_SECONDS:g}], got {max_seconds}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")

    def make(number: int) -> Request:
        if callable(requests):
            return requests(number)
        return requests[number % len(requests)]

    intended = np.full(count, np.nan)
    latency = np.full(count, np.nan)
    status = np.zeros(count, dtype=np.int32)
    jobs: queue.Queue[tuple[int, float, Request] | None] = queue.Queue()

    def work() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            while (item := jobs.get()) is not None:
                number, due, request = item
                try:
                    connection.request(request.method, request.path, body=request.body,
                                       headers={"Content-Type": "application/json", **request.headers})
                    response = connection.getresponse()
                    response.read()
                    status[number] = response.status
                except (OSError, http.client.HTTPException) as error:
                    logger.debug("request %d failed: %s", number, error)
                    status[number] = -1
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=timeout)
                latency[number] = clock() - due
        finally:
            connection.close()

    threads = [threading.Thread(target=work, name=f"load-{i}", daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()

    start = clock()
    for number in range(count):
        due = start + number / rate
        now = clock()
        if now - start > max_seconds:
            logger.warning("stopped after %d of %d requests: %.0f s limit", number, count, max_seconds)
            break
        if due > now:
            sleep(due - now)
        intended[number] = due - start
        jobs.put((number, due, make(number)))
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join(timeout=timeout + max_seconds)
    wall = clock() - start
    return LoadResult(rate, intended, latency, status, wall, start)
