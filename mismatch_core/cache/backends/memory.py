"""In-memory cache: a thread-safe LRU ``MutableMapping`` with per-entry TTL and byte accounting."""

from __future__ import annotations

import functools
import heapq
import math
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, MutableMapping
from typing import Any

from mismatch_core.cache.backends.base import MISSING

NO_EXPIRY = math.inf


def approximate_size(value: Any) -> int:
    """Return ``sys.getsizeof`` of ``value`` plus that of the containers and items inside it."""
    seen: set[int] = set()
    stack = [value]
    total = 0
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif hasattr(item, "__dict__"):
            stack.append(vars(item))
    return total


def check_ttl(ttl: float | None, name: str = "ttl") -> None:
    """Raise ``ValueError`` unless ``ttl`` is None or a finite number of seconds above 0."""
    if ttl is None:
        return
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)):
        raise TypeError(f"{name} must be a number of seconds or None, got {ttl!r}")
    if not (0 < ttl < math.inf):
        raise ValueError(
            f"{name} must be above 0 seconds and finite, got {ttl!r}; use None for no expiry"
        )


def _check_bound(name: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer or None, got {value!r}")


class MemoryCache(MutableMapping[Hashable, Any]):
    """A least-recently-used cache with a TTL per entry, bounded by entries and/or bytes.

    Each operation reads ``clock`` (monotonic seconds) once. An entry whose TTL has run
    out is never returned. Expired entries are removed from a heap of expiry times: a few
    on every read and write (``sweep_batch``), all of them before an eviction, so they do
    not keep memory until a later write touches them. Every method holds one lock, so the
    cache is safe to share between threads.

    Values are stored as they are, not copied: a caller that mutates a returned value
    mutates the cached one.
    """

    def __init__(
        self,
        maxsize: int | None = None,
        maxbytes: int | None = None,
        *,
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        getsizeof: Callable[[Any], int] | None = None,
        sweep_batch: int = 8,
    ) -> None:
        _check_bound("maxsize", maxsize)
        _check_bound("maxbytes", maxbytes)
        if maxsize is None and maxbytes is None:
            raise ValueError(
                "set maxsize and/or maxbytes: an unbounded cache grows until the process "
                "runs out of memory"
            )
        check_ttl(ttl)
        _check_bound("sweep_batch", sweep_batch)
        self.maxsize = maxsize
        self.maxbytes = maxbytes
        self.ttl = ttl
        self._clock = clock
        self._getsizeof = getsizeof or (approximate_size if maxbytes is not None else None)
        self._sweep_batch = sweep_batch
        self._lock = threading.Lock()
        # key -> (value, expires_at, size, sequence number)
        self._data: OrderedDict[Hashable, tuple[Any, float, int, int]] = OrderedDict()
        self._expiries: list[tuple[float, int, Hashable]] = []
        self._sequence = 0
        self._bytes = 0
        self.hits = 0
        self.misses = 0
        self.evictions = 0
        self.expirations = 0

    # -- reads ------------------------------------------------------------------------

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the live value of ``key`` and mark it recently used, else ``default``."""
        with self._lock:
            now = self._clock()
            entry = self._data.get(key)
            if entry is None:
                self.misses += 1
                return default
            if entry[1] <= now:
                self._drop(key, entry)
                self.expirations += 1
                self.misses += 1
                return default
            self._data.move_to_end(key)
            self.hits += 1
            if self._expiries and self._expiries[0][0] <= now:
                self._sweep(now, self._sweep_batch)
            return entry[0]

    def __getitem__(self, key: Hashable) -> Any:
        value = self.get(key, MISSING)
        if value is MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        with self._lock:
            entry = self._data.get(key)  # no reordering: a membership test is not a use
            return entry is not None and entry[1] > self._clock()

    def __len__(self) -> int:
        with self._lock:
            self._sweep(self._clock(), None)
            return len(self._data)

    def __iter__(self) -> Iterator[Hashable]:
        with self._lock:
            self._sweep(self._clock(), None)
            keys = list(self._data)
        return iter(keys)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(maxsize={self.maxsize}, maxbytes={self.maxbytes}, "
            f"ttl={self.ttl}, entries={len(self._data)})"
        )

    # -- writes -----------------------------------------------------------------------

    def set(self, key: Hashable, value: Any, ttl: float | None = None) -> None:
        """Store ``value`` for ``ttl`` seconds (None: the cache's ``ttl``), evicting LRU entries.

        Raises ``ValueError`` when the value alone is larger than ``maxbytes``.
        """
        check_ttl(ttl)
        ttl = self.ttl if ttl is None else ttl
        size = self._getsizeof(value) if self._getsizeof is not None else 0
        if self.maxbytes is not None and size > self.maxbytes:
            raise ValueError(
                f"value for key {key!r} is {size} bytes, above maxbytes={self.maxbytes}; "
                "raise maxbytes or cache smaller values"
            )

        with self._lock:
            now = self._clock()
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[2]
            self._sequence += 1
            expires_at = NO_EXPIRY if ttl is None else now + ttl
            self._data[key] = (value, expires_at, size, self._sequence)
            self._bytes += size
            if expires_at != NO_EXPIRY:
                heapq.heappush(self._expiries, (expires_at, self._sequence, key))

            self._sweep(now, self._sweep_batch)
            if self._over_bounds():
                self._sweep(now, None)
            while self._over_bounds():
                _, entry = self._data.popitem(last=False)
                self._bytes -= entry[2]
                self.evictions += 1
            self._compact_expiries()

    def __setitem__(self, key: Hashable, value: Any) -> None:
        self.set(key, value)

    def __delitem__(self, key: Hashable) -> None:
        with self._lock:
            entry = self._data.pop(key)
            self._bytes -= entry[2]

    def discard(self, key: Hashable) -> bool:
        """Remove ``key`` if present, without counting a hit or miss; return whether it was."""
        with self._lock:
            entry = self._data.pop(key, None)
            if entry is None:
                return False
            self._bytes -= entry[2]
            return True

    def clear(self) -> None:
        """Remove every entry; the counters stay."""
        with self._lock:
            self._data.clear()
            self._expiries.clear()
            self._bytes = 0

    def expire(self) -> int:
        """Remove every expired entry now and return how many were removed."""
        with self._lock:
            return self._sweep(self._clock(), None)

    # -- accounting -------------------------------------------------------------------

    @property
    def currbytes(self) -> int | None:
        """Bytes held by live and not yet swept entries, or None when sizes are not measured."""
        return self._bytes if self._getsizeof is not None else None

    def counters(self) -> dict[str, int | None]:
        """Return hits, misses, evictions, expirations, entries (``size``) and ``bytes``."""
        with self._lock:
            return {
                "hits": self.hits,
                "misses": self.misses,
                "evictions": self.evictions,
                "expirations": self.expirations,
                "size": len(self._data),
                "bytes": self.currbytes,
            }

    # -- internals (lock held) ----------------------------------------------------------

    def _over_bounds(self) -> bool:
        if self.maxsize is not None and len(self._data) > self.maxsize:
            return True
        return self.maxbytes is not None and self._bytes > self.maxbytes

    def _drop(self, key: Hashable, entry: tuple[Any, float, int, int]) -> None:
        del self._data[key]
        self._bytes -= entry[2]

    def _sweep(self, now: float, limit: int | None) -> int:
        """Remove up to ``limit`` (None: all) expired entries, oldest expiry first."""
        removed = 0
        expiries = self._expiries
        while expiries and expiries[0][0] <= now and (limit is None or removed < limit):
            _, sequence, key = heapq.heappop(expiries)
            entry = self._data.get(key)
            # A heap item is stale when its key was overwritten, deleted or evicted.
            if entry is not None and entry[3] == sequence:
                self._drop(key, entry)
                self.expirations += 1
                removed += 1
        return removed

    def _compact_expiries(self) -> None:
        """Rebuild the expiry heap once stale items make up more than half of it."""
        if len(self._expiries) <= 2 * len(self._data) + 64:
            return
        self._expiries = [
            (entry[1], entry[3], key) for key, entry in self._data.items() if entry[1] != NO_EXPIRY
        ]
        heapq.heapify(self._expiries)


class MemoryBackend:
    """The default ``CacheService`` backend: a ``MemoryCache`` plus generation counters.

    Generation counters are never evicted, because a counter that dropped back to 0
    would make entries written before an invalidation visible again. They take one
    dict item per invalidated résumé or job id.
    """

    def __init__(
        self,
        maxsize: int | None = 10_000,
        maxbytes: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        getsizeof: Callable[[Any], int] | None = None,
    ) -> None:
        self.cache = MemoryCache(maxsize, maxbytes, clock=clock, getsizeof=getsizeof)
        self.lookup: Callable[[str], Any] = functools.partial(self.cache.get, default=MISSING)
        self._generations: dict[str, int] = {}
        self._generation_lock = threading.Lock()

    def store(self, key: str, value: Any, ttl: float | None) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds (None: no expiry)."""
        self.cache.set(key, value, ttl)

    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it was present."""
        return self.cache.discard(key)

    def clear(self) -> None:
        """Remove every entry; generation counters stay."""
        self.cache.clear()

    def generations(self, names: list[str]) -> list[int]:
        """Return the generation counter of each name, 0 for a name never bumped."""
        with self._generation_lock:
            return [self._generations.get(name, 0) for name in names]

    def bump_generation(self, name: str) -> int:
        """Increment the generation counter of ``name`` and return the new value."""
        with self._generation_lock:
            value = self._generations.get(name, 0) + 1
            self._generations[name] = value
            return value

    def counters(self) -> dict[str, int | None]:
        """Return the cache's hit, miss, eviction, expiration, size and byte counters."""
        return self.cache.counters()
