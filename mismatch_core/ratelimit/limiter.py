"""``RateLimiter``: the roadmap's public class, exact and bounded, on any storage."""

from __future__ import annotations

import time
from collections.abc import Callable

from mismatch_core.ratelimit.algorithms import Algorithm, make_algorithm
from mismatch_core.ratelimit.decision import Decision
from mismatch_core.ratelimit.storage import Storage, storage_from_uri
from mismatch_core.ratelimit.validation import check_cost, check_limit


class RateLimiter:
    """Admit at most ``max_requests`` per ``window`` seconds for each client.

    Keeps the roadmap's constructor and ``is_rate_limited(client_id)``. The algorithm is
    ``"sliding_log"`` (the roadmap's rule, exact), ``"sliding_counter"`` or ``"gcra"``.
    ``storage`` is a URI (``memory://``, ``redis://127.0.0.1:6379/0``) or a ``Storage``.
    ``namespace`` separates limiters that share a storage, e.g. one per route.
    ``clock`` (monotonic seconds) drives the in-memory storage; Redis uses its own clock.
    """

    def __init__(
        self,
        max_requests: int = 100,
        window: float = 60,
        *,
        algorithm: str | Algorithm = "sliding_log",
        storage: str | Storage = "memory://",
        namespace: str = "default",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_requests, self.window = check_limit(max_requests, window)
        if isinstance(algorithm, Algorithm):
            if (algorithm.limit, algorithm.window) != (self.max_requests, self.window):
                raise ValueError(
                    f"algorithm {algorithm!r} disagrees with max_requests={self.max_requests} "
                    f"and window={self.window:g}; pass the algorithm's name instead"
                )
            self.algorithm = algorithm
        else:
            self.algorithm = make_algorithm(algorithm, self.max_requests, self.window)
        self.storage = storage_from_uri(storage, clock=clock) if isinstance(storage, str) else storage
        if not isinstance(self.storage, Storage):
            raise TypeError(f"storage must be a URI or a Storage, got {storage!r}")
        if not isinstance(namespace, str) or not namespace:
            raise ValueError(f"namespace must be a non-empty string, got {namespace!r}")
        self.namespace = namespace
        self._prefix = f"{namespace}:{self.max_requests}/{self.window:g}:"

        # A storage with ``bind`` supplies a closure that replaces the ``hit`` method on
        # this instance: same signature and result, fewer calls per decision.
        bind = getattr(self.storage, "bind", None)
        if bind is not None:
            self.hit = bind(self.algorithm, self._prefix)

    def hit(self, client_id: str, cost: int = 1) -> Decision:
        """Decide one request of ``cost`` by ``client_id``, and count it if admitted.

        A request whose cost exceeds ``max_requests`` is rejected with
        ``retry_after=math.inf`` and is not counted. Raises ``ValueError`` for a cost
        that is not a positive integer, and ``StorageUnavailable`` when a remote storage
        cannot be reached.
        """
        if cost != 1 or type(cost) is not int:
            check_cost(cost)
        return self.storage.hit(self.algorithm, self._key(client_id), cost)

    def is_rate_limited(self, client_id: str) -> bool:
        """Return True if ``client_id`` is over the limit; otherwise count the request."""
        return not self.hit(client_id)[0]

    def reset(self, client_id: str | None = None) -> None:
        """Forget ``client_id``'s requests, or every client's when ``client_id`` is None."""
        self.storage.reset(None if client_id is None else self._key(client_id))

    def _key(self, client_id: object) -> str:
        # Any id works, as in the roadmap.
        return self._prefix + (client_id if isinstance(client_id, str) else str(client_id))

    def __repr__(self) -> str:
        return (
            f"RateLimiter(max_requests={self.max_requests}, window={self.window:g}, "
            f"algorithm={self.algorithm.name!r}, storage={self.storage!r})"
        )
