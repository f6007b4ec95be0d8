"""Rate limiting: exact under concurrency, bounded in memory, shared across workers.

``RateLimiter(max_requests, window)`` keeps the roadmap's constructor and
``is_rate_limited``, and adds ``hit(client_id, cost)`` returning a ``Decision``. The
algorithm (sliding-window log, sliding-window counter, GCRA) is separate from the
storage, which a URI chooses: ``memory://`` or ``redis://host:port/db``. The Flask
extension is ``mismatch_core.ratelimit.middleware.FlaskRateLimiter``.
"""

from mismatch_core.ratelimit.algorithms import (
    ALGORITHMS,
    GCRA,
    Algorithm,
    SlidingWindowCounter,
    SlidingWindowLog,
    make_algorithm,
)
from mismatch_core.ratelimit.decision import Decision
from mismatch_core.ratelimit.limiter import RateLimiter
from mismatch_core.ratelimit.memory import MemoryStorage
from mismatch_core.ratelimit.storage import Storage, StorageUnavailable, storage_from_uri

__all__ = [
    "ALGORITHMS",
    "GCRA",
    "Algorithm",
    "Decision",
    "MemoryStorage",
    "RateLimiter",
    "SlidingWindowCounter",
    "SlidingWindowLog",
    "Storage",
    "StorageUnavailable",
    "make_algorithm",
    "storage_from_uri",
]
