"""The storage interface of the rate limiter, and storages chosen by URI."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from mismatch_core.ratelimit.algorithms import Algorithm
from mismatch_core.ratelimit.decision import Decision


class StorageUnavailable(RuntimeError):
    """Raised when a storage server cannot be reached or a request to it times out."""


@runtime_checkable
class Storage(Protocol):
    """The interface of a rate-limit storage: client states, each decision made atomically.

    A storage may also offer ``bind(algorithm, prefix)``, returning a function
    ``hit(client_id, cost=1) -> Decision`` for keys ``prefix + client_id``, which
    ``RateLimiter`` then uses in place of its own ``hit`` (``MemoryStorage`` does).
    """

    def hit(self, algorithm: Algorithm, key: str, cost: int) -> Decision:
        """Decide one request of ``cost`` for ``key`` and record it if admitted."""
        ...

    def reset(self, key: str | None = None) -> None:
        """Forget one key's state, or every key's when ``key`` is None."""
        ...


def storage_from_uri(uri: str, *, clock: Callable[[], float] = time.monotonic) -> Storage:
    """Return the storage that ``uri`` names: ``memory://`` or ``redis://host:port/db``.

    ``clock`` is used by the in-memory storage only, because Redis scripts read the
    Redis server's clock.
    """
    if not isinstance(uri, str):
        raise TypeError(f"storage must be a URI string or a Storage, got {uri!r}")
    scheme = urlsplit(uri).scheme
    if scheme == "memory":
        from mismatch_core.ratelimit.memory import MemoryStorage

        return MemoryStorage(clock=clock)
    if scheme in ("redis", "rediss", "unix"):
        from mismatch_core.ratelimit.redis_storage import RedisStorage

        return RedisStorage(uri)
    raise ValueError(
        f"unsupported storage URI {uri!r}; use memory:// or redis://host:port/db"
    )
