"""Redis backend: entries shared by every worker process, values as msgpack, TTL as Redis expiry."""

from __future__ import annotations

import logging
import threading
from typing import Any

import msgpack
import redis

from mismatch_core.cache.backends.base import MISSING, BackendUnavailable

logger = logging.getLogger(__name__)

_FAILURES = (redis.ConnectionError, redis.TimeoutError, OSError)


def encode(value: Any) -> bytes:
    """Serialize ``value`` with msgpack; raise ``TypeError`` for anything msgpack cannot carry.

    msgpack carries None, bool, int, float, str, bytes, lists and dicts, and tuples come back
    as lists. Pickle is never used, because unpickling data from a compromised cache can run
    arbitrary code.
    """
    try:
        return msgpack.packb(value, use_bin_type=True)
    except (TypeError, ValueError, OverflowError) as error:
        raise TypeError(
            f"cannot store a {type(value).__qualname__} in Redis: {error}; convert it to "
            "plain lists, dicts, strings and numbers first"
        ) from error


def decode(payload: bytes) -> Any:
    """Deserialize a msgpack payload written by ``encode``."""
    return msgpack.unpackb(payload, raw=False, strict_map_key=False)


class RedisBackend:
    """Cache entries in Redis under ``prefix``; each lookup and store is one round trip.

    Socket timeouts are short on purpose, because a cache that replies slower than the
    matcher computes is worse than none. Connection errors and timeouts become
    ``BackendUnavailable``. redis-py reconnects on the next command, so the backend needs
    no restart after the server comes back.
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "mismatch:cache:",
        socket_timeout: float = 0.05,
        connect_timeout: float = 0.05,
        client: redis.Redis | None = None,
    ) -> None:
        if not prefix:
            raise ValueError("prefix must not be empty: clear() deletes every key under it")
        for name, value in (
            ("socket_timeout", socket_timeout),
            ("connect_timeout", connect_timeout),
        ):
            if not value > 0:
                raise ValueError(f"{name} must be above 0 seconds, got {value!r}")
        self.url = url
        self.prefix = prefix
        self._client = client or redis.Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=connect_timeout,
            retry_on_timeout=False,
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _entry(self, key: str) -> str:
        return f"{self.prefix}e:{key}"

    def _generation(self, name: str) -> str:
        return f"{self.prefix}g:{name}"

    def lookup(self, key: str) -> Any:
        """Return the value of ``key``, or ``MISSING``; Redis itself drops expired keys."""
        try:
            payload = self._client.get(self._entry(key))
        except _FAILURES as error:
            raise BackendUnavailable(f"Redis GET failed on {self.url}: {error}") from error
        value = MISSING
        if payload is not None:
            try:
                value = decode(payload)
            except (ValueError, msgpack.UnpackException) as error:
                # Not written by ``encode``: serve a miss rather than fail the request.
                logger.warning("ignoring undecodable cache entry %r on %s: %s", key, self.url, error)
        with self._lock:
            if value is MISSING:
                self.misses += 1
            else:
                self.hits += 1
        return value

    def store(self, key: str, value: Any, ttl: float | None) -> None:
        """Store ``value`` with ``SET ... PX ttl`` (milliseconds, at least 1)."""
        payload = encode(value)
        expiry = None if ttl is None else max(1, round(ttl * 1000))
        try:
            self._client.set(self._entry(key), payload, px=expiry)
        except _FAILURES as error:
            raise BackendUnavailable(f"Redis SET failed on {self.url}: {error}") from error

    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it was present."""
        try:
            return bool(self._client.delete(self._entry(key)))
        except _FAILURES as error:
            raise BackendUnavailable(f"Redis DEL failed on {self.url}: {error}") from error

    def _scan_entries(self) -> list[bytes]:
        return list(self._client.scan_iter(match=f"{self.prefix}e:*", count=1000))

    def clear(self) -> None:
        """Delete every entry under the prefix; generation counters stay."""
        try:
            keys = self._scan_entries()
            for start in range(0, len(keys), 1000):
                self._client.unlink(*keys[start : start + 1000])
        except _FAILURES as error:
            raise BackendUnavailable(f"Redis clear failed on {self.url}: {error}") from error

    def generations(self, names: list[str]) -> list[int]:
        """Return the generation counter of each name with one MGET, 0 for a missing one."""
        try:
            values = self._client.mget([self._generation(name) for name in names])
        except _FAILURES as error:
            raise BackendUnavailable(f"Redis MGET failed on {self.url}: {error}") from error
        return [int(value) if value is not None else 0 for value in values]

    def bump_generation(self, name: str) -> int:
        """Increment the counter of ``name`` with INCR, atomic across processes."""
        # NOTE: counters have no expiry, but a server with an allkeys-* maxmemory policy
        # may still evict them, which would make pre-invalidation entries visible again.
        try:
            return int(self._client.incr(self._generation(name)))
        except _FAILURES as error:
            raise BackendUnavailable(f"Redis INCR failed on {self.url}: {error}") from error

    def counters(self) -> dict[str, int | None]:
        """Return this client's hits and misses, the entries under the prefix and server counters.

        ``evictions`` and ``expirations`` come from ``INFO stats`` and cover the whole
        server, not only this prefix. ``size`` scans the prefix, so it costs O(keys).
        """
        try:
            info = self._client.info("stats")
            size = len(self._scan_entries())
        except _FAILURES as error:
            raise BackendUnavailable(f"Redis INFO failed on {self.url}: {error}") from error
        with self._lock:
            hits, misses = self.hits, self.misses
        return {
            "hits": hits,
            "misses": misses,
            "evictions": int(info.get("evicted_keys", 0)),
            "expirations": int(info.get("expired_keys", 0)),
            "size": size,
            "bytes": None,
        }

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
