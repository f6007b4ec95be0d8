"""The roadmap's ``CacheService``, reimplemented for comparison only. Do not use it.

This reproduces the original backend's behaviour on purpose, flaws included. The key is
an MD5 of the two ids alone, so an edited résumé keeps its old score. ``set`` accepts
``ttl`` and ignores it, so entries never expire. The dictionary has no bound.
``mismatch_core.cache.CacheService`` is the replacement.
"""

from __future__ import annotations

import hashlib
from typing import Any


class RoadmapCacheService:
    """The roadmap's cache: a plain dict keyed by ``md5("<resume_id>:<job_id>")``."""

    def __init__(self) -> None:
        self._entries: dict[str, Any] = {}

    def get_cache_key(self, resume_id: Any, job_id: Any) -> str:
        """Return the MD5 hex digest of ``"<resume_id>:<job_id>"``; no content goes in."""
        return hashlib.md5(f"{resume_id}:{job_id}".encode()).hexdigest()

    def get(self, key: str) -> Any | None:
        """Return the stored value or None; nothing ever expires."""
        return self._entries.get(key)

    def set(self, key: str, value: Any, ttl: int = 3600) -> None:
        """Store ``value``; ``ttl`` is accepted and ignored, as in the roadmap."""
        self._entries[key] = value

    def clear(self) -> None:
        """Remove every entry."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
