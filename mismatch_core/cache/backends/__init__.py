"""Cache storage backends: in-memory (default) and Redis."""

from mismatch_core.cache.backends.base import MISSING, BackendUnavailable, CacheBackend
from mismatch_core.cache.backends.memory import MemoryBackend, MemoryCache
from mismatch_core.cache.backends.redis import RedisBackend

__all__ = [
    "MISSING",
    "BackendUnavailable",
    "CacheBackend",
    "MemoryBackend",
    "MemoryCache",
    "RedisBackend",
]
