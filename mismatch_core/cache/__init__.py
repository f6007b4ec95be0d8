"""Result caching: ``CacheService`` with in-memory and Redis backends, and ``memoize``."""

from mismatch_core.cache.backends import (
    MISSING,
    BackendUnavailable,
    CacheBackend,
    MemoryBackend,
    MemoryCache,
    RedisBackend,
)
from mismatch_core.cache.keys import argument_key, content_version
from mismatch_core.cache.memoize import memoize
from mismatch_core.cache.service import CacheService, CacheStats

__all__ = [
    "MISSING",
    "BackendUnavailable",
    "CacheBackend",
    "CacheService",
    "CacheStats",
    "MemoryBackend",
    "MemoryCache",
    "RedisBackend",
    "argument_key",
    "content_version",
    "memoize",
]
