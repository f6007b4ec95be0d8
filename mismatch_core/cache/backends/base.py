"""The storage interface that ``CacheService`` works against."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


class BackendUnavailable(RuntimeError):
    """The backend could not be reached or timed out; the caller computes the value instead."""


MISSING: Any = object()
"""Sentinel returned by ``lookup`` for an absent or expired key."""


@runtime_checkable
class CacheBackend(Protocol):
    """Storage for cache entries, with per-entry TTL and generation counters.

    Methods may raise ``BackendUnavailable``; every other exception is a caller error.
    """

    def lookup(self, key: str) -> Any:
        """Return the live value of ``key``, or ``MISSING``."""

    def store(self, key: str, value: Any, ttl: float | None) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds (None: no expiry)."""

    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it was present."""

    def clear(self) -> None:
        """Remove every entry (generation counters stay)."""

    def generations(self, names: list[str]) -> list[int]:
        """Return the generation counter of each name, 0 for a name never bumped."""

    def bump_generation(self, name: str) -> int:
        """Increment the generation counter of ``name`` and return the new value."""

    def counters(self) -> dict[str, int | None]:
        """Return ``hits``, ``misses``, ``evictions``, ``expirations``, ``size``, ``bytes``."""
