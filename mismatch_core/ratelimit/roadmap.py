"""The roadmap's rate limiter, reimplemented faithfully as the "before" of benchmarks.

This is the roadmap's version, kept only to measure against. Its known flaws, kept on
purpose: it rebuilds each client's list of ``datetime`` stamps on every request
(O(n) per decision), reads the wall clock, which can jump, never evicts idle
clients, is not thread-safe, and lives in one process, so N workers admit N times the
limit. Use ``mismatch_core.ratelimit.RateLimiter`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta


class RoadmapRateLimiter:
    """The roadmap's ``RateLimiter``: a list of request times per client, filtered per request."""

    def __init__(
        self, max_requests: int = 100, window: int = 60, *, now: Callable[[], datetime] = datetime.now
    ) -> None:
        # ``now`` is not in the roadmap; its default is the roadmap's wall clock, and
        # simulations pass a fake one to replay traffic on a timeline.
        self.max_requests = max_requests
        self.window = window
        self.requests: dict[str, list[datetime]] = {}
        self._now = now

    def is_rate_limited(self, client_id: str) -> bool:
        """Return True if the client is over the limit; otherwise record the request."""
        now = self._now()
        if client_id not in self.requests:
            self.requests[client_id] = []

        # As in the roadmap, the window's timedelta is built again for every stamp.
        self.requests[client_id] = [
            stamp for stamp in self.requests[client_id] if now - stamp < timedelta(seconds=self.window)
        ]

        if len(self.requests[client_id]) < self.max_requests:
            self.requests[client_id].append(now)
            return False
        return True
