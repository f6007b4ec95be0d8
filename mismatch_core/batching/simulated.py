"""A simulated I/O-bound backend: fixed latency per query and a connection limit.

It simulates a database or HTTP service in the batching notebook, so that I/O-bound
work can be measured without a network. Like a real server, it rejects a query that
arrives while ``max_connections`` queries are already open.
"""

from __future__ import annotations

import asyncio
import threading
import time


class TooManyConnections(ConnectionError):
    """The simulated backend rejected a query because every connection was in use."""


class SimulatedBackend:
    """A backend that returns each query after ``latency`` seconds, up to ``max_connections`` at once.

    ``query`` is the asyncio client, ``query_blocking`` the blocking one (for thread
    pools). Both count against the same limit. ``peak`` is the most queries open at once.
    """

    def __init__(self, latency: float, max_connections: int) -> None:
        if latency < 0:
            raise ValueError(f"latency must be 0 or more seconds, got {latency}")
        if max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, got {max_connections}")
        self.latency = latency
        self.max_connections = max_connections
        self.open = 0
        self.peak = 0
        self.rejected = 0
        self._lock = threading.Lock()

    def _connect(self) -> None:
        with self._lock:
            if self.open >= self.max_connections:
                self.rejected += 1
                raise TooManyConnections(
                    f"too many connections: {self.open} of {self.max_connections} in use; "
                    "bound the client's concurrency"
                )
            self.open += 1
            self.peak = max(self.peak, self.open)

    def _disconnect(self) -> None:
        with self._lock:
            self.open -= 1

    async def query(self, value: int) -> int:
        """Return ``value`` after ``latency`` seconds, awaiting without blocking the loop."""
        self._connect()
        try:
            await asyncio.sleep(self.latency)
        finally:
            self._disconnect()
        return value

    def query_blocking(self, value: int) -> int:
        """Return ``value`` after ``latency`` seconds, blocking the calling thread."""
        self._connect()
        try:
            time.sleep(self.latency)
        finally:
            self._disconnect()
        return value
