"""``CacheService``: the roadmap's cache surface over a pluggable backend, without its flaws.

On top of the roadmap's ``get_cache_key``/``get``/``set``/``clear`` it adds TTL enforced on
read, bounded size (in the backend), keys that carry content versions, single flight,
statistics, invalidation by résumé or job, and fallback to computing while the backend
is down.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from mismatch_core.cache.backends.base import MISSING, BackendUnavailable, CacheBackend
from mismatch_core.cache.backends.memory import MemoryBackend, check_ttl
from mismatch_core.cache.keys import content_version

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TTL: Any = object()
"""Sentinel for "use the service's ``ttl``"; pass None for no expiry."""


@dataclass(frozen=True, slots=True)
class CacheStats:
    """Counters of one ``CacheService``.

    A hit is a request served without running the compute function. A miss is one that
    ran it or found nothing, including a lookup that failed or was skipped because the
    backend was down. ``backend_errors`` counts backend calls that raised ``BackendUnavailable``,
    ``backend_skips`` the calls skipped while waiting to retry. ``evictions``, ``expirations``, ``size`` (entries)
    and ``bytes`` come from the backend and are None when it could not be asked.
    """

    hits: int
    misses: int
    hit_ratio: float
    evictions: int | None
    expirations: int | None
    size: int | None
    bytes: int | None
    backend_errors: int
    backend_skips: int


UNVERSIONED = "unversioned"


def _record_identity(kind: str, record: Any, version: str | None) -> tuple[Any, str | None]:
    """Return the (id, content version) of a record, or of an id with an optional version."""
    if hasattr(record, "id") and not isinstance(record, (int, str)):
        if version is not None:
            raise ValueError(f"pass either a {kind} object or its id with {kind}_version, not both")
        return record.id, content_version(record)
    return record, None if version is None else str(version)


class CacheService:
    """A result cache for match scores and any other JSON- or msgpack-shaped values.

    ``backend`` defaults to a ``MemoryBackend`` bounded by ``maxsize`` entries. ``ttl`` is
    the default TTL in seconds (None: no expiry). ``model_version`` goes into every match
    key, so a new scoring model never reads the old model's scores. ``clock`` returns
    monotonic seconds and drives backend retry and log intervals (and the default
    backend's TTLs).

    When the backend raises ``BackendUnavailable``, reads count as misses, writes are
    dropped, and the service stops calling the backend for ``retry_after`` seconds, then
    tries again. It logs a warning at most once per ``error_log_interval`` seconds.
    """

    def __init__(
        self,
        backend: CacheBackend | None = None,
        *,
        ttl: float | None = 3600.0,
        maxsize: int = 10_000,
        model_version: str = "",
        namespace: str = "match",
        clock: Callable[[], float] = time.monotonic,
        retry_after: float = 1.0,
        error_log_interval: float = 60.0,
    ) -> None:
        check_ttl(ttl)
        for name, value in (
            ("retry_after", retry_after),
            ("error_log_interval", error_log_interval),
        ):
            if not value >= 0:
                raise ValueError(f"{name} must be 0 seconds or more, got {value!r}")
        if not namespace or ":" in namespace:
            raise ValueError(f"namespace must be a non-empty string without ':', got {namespace!r}")
        self.backend: CacheBackend = (
            backend if backend is not None else MemoryBackend(maxsize, clock=clock)
        )
        self.ttl = ttl
        self.model_version = str(model_version)
        self.namespace = namespace
        self._clock = clock
        self._retry_after = retry_after
        self._error_log_interval = error_log_interval

        self._stats_lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        self._backend_errors = 0
        self._backend_skips = 0
        self._degraded = False
        self._retry_at = 0.0
        self._last_error_log: float | None = None
        self._warned_unversioned = False

        self._flight_lock = threading.Lock()
        self._inflight: dict[str, Future[Any]] = {}
        self._async_inflight: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, asyncio.Future[Any]]
        ] = weakref.WeakKeyDictionary()

    # -- keys -------------------------------------------------------------------------

    def get_cache_key(
        self,
        resume: Any,
        job: Any,
        *,
        resume_version: str | None = None,
        job_version: str | None = None,
    ) -> str:
        """Return the key of a (résumé, job) score: ids, content versions, generations, model.

        ``resume`` and ``job`` are the records (their content version is computed) or their
        ids, optionally with ``resume_version``/``job_version``. Bare ids, the roadmap's
        call form, still work, but such a key can only change through
        ``invalidate_resume``/``invalidate_job``: code that edits a record without
        invalidating it reads the old score. A warning is logged once per service.
        """
        resume_id, resume_hash = _record_identity("resume", resume, resume_version)
        job_id, job_hash = _record_identity("job", job, job_version)
        if resume_hash is None or job_hash is None:
            if not self._warned_unversioned:
                self._warned_unversioned = True
                logger.warning(
                    "cache key for résumé %r and job %r has no content version; call "
                    "invalidate_resume/invalidate_job on every edit, or pass the records",
                    resume_id, job_id,
                )
            resume_hash = resume_hash or UNVERSIONED
            job_hash = job_hash or UNVERSIONED
        resume_generation, job_generation = self._generations(
            [_generation_name("resume", resume_id), _generation_name("job", job_id)]
        )
        return (
            f"{self.namespace}:m{self.model_version}"
            f":r{resume_id!r}.{resume_hash}.g{resume_generation}"
            f":j{job_id!r}.{job_hash}.g{job_generation}"
        )

    def _generations(self, names: list[str]) -> list[int]:
        # While the backend is down, generation 0 is safe: a value written under a lower
        # generation than the real one is never read, and the content versions still
        # keep edited records apart.
        if self._degraded and self._clock() < self._retry_at:
            return [0] * len(names)
        try:
            generations = self.backend.generations(names)
        except BackendUnavailable as error:
            self._record_failure(error)
            return [0] * len(names)
        self._record_success()
        return generations

    # -- invalidation -------------------------------------------------------------------

    def invalidate_resume(self, resume_id: Any) -> int:
        """Make every cached entry of this résumé unreachable; return its new generation.

        Raises ``BackendUnavailable`` when the backend is down, so the caller knows the
        invalidation did not happen.
        """
        return self.backend.bump_generation(_generation_name("resume", resume_id))

    def invalidate_job(self, job_id: Any) -> int:
        """Make every cached entry of this job unreachable; return its new generation.

        Raises ``BackendUnavailable`` when the backend is down.
        """
        return self.backend.bump_generation(_generation_name("job", job_id))

    # -- roadmap surface ------------------------------------------------------------------

    def get(self, key: str, default: Any = None) -> Any:
        """Return the live value of ``key``, or ``default`` when absent, expired or unreachable."""
        value = self._lookup(key)
        self._count(value is not MISSING)
        return default if value is MISSING else value

    def set(self, key: str, value: Any, ttl: float | None = DEFAULT_TTL) -> None:
        """Store ``value`` for ``ttl`` seconds (default: the service's ``ttl``; None: no expiry).

        Raises ``TypeError`` for a value the backend cannot serialize and ``ValueError`` for
        one larger than the backend's byte bound. A down backend drops the write.
        """
        ttl = self.ttl if ttl is DEFAULT_TTL else ttl
        check_ttl(ttl)
        self._store(key, value, ttl)

    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it was present. Raises ``BackendUnavailable``."""
        return self.backend.delete(key)

    def clear(self) -> None:
        """Remove every entry. Raises ``BackendUnavailable`` when the backend is down."""
        self.backend.clear()

    # -- single flight ------------------------------------------------------------------

    def get_or_compute(
        self, key: str, compute: Callable[[], T], ttl: float | None = DEFAULT_TTL
    ) -> T:
        """Return the cached value of ``key``, or run ``compute`` once for all concurrent callers.

        Threads that ask for a key being computed wait for that computation. If ``compute``
        raises, every waiter gets the exception and nothing is cached.
        """
        ttl = self.ttl if ttl is DEFAULT_TTL else ttl
        check_ttl(ttl)
        value = self._lookup(key)
        if value is not MISSING:
            self._count(True)
            return value

        with self._flight_lock:
            flight = self._inflight.get(key)
            leader = flight is None
            if leader:
                flight = Future()
                self._inflight[key] = flight
        if not leader:
            value = flight.result()
            self._count(True)
            return value

        try:
            # Another leader may have stored the value between the lookup above and
            # registering this flight.
            value = self._lookup(key)
            if value is not MISSING:
                self._count(True)
            else:
                self._count(False)
                value = compute()
                self._store_computed(key, value, ttl)
        except BaseException as error:
            flight.set_exception(error)
            raise
        else:
            flight.set_result(value)
        finally:
            with self._flight_lock:
                del self._inflight[key]
        return value

    async def aget_or_compute(
        self, key: str, compute: Callable[[], Awaitable[T]], ttl: float | None = DEFAULT_TTL
    ) -> T:
        """Await the cached value of ``key``, or await ``compute()`` once for all concurrent tasks.

        Flights are per event loop. If ``compute`` raises, every waiting task gets the
        exception and nothing is cached.
        """
        # NOTE: backend calls are synchronous. With the Redis backend each lookup blocks
        # the event loop for one round trip, at most the socket timeout.
        ttl = self.ttl if ttl is DEFAULT_TTL else ttl
        check_ttl(ttl)
        value = self._lookup(key)
        if value is not MISSING:
            self._count(True)
            return value

        loop = asyncio.get_running_loop()
        with self._flight_lock:
            flights = self._async_inflight.setdefault(loop, {})
        flight = flights.get(key)
        if flight is not None:
            value = await asyncio.shield(flight)
            self._count(True)
            return value

        flight = loop.create_future()
        flights[key] = flight
        try:
            value = self._lookup(key)
            if value is not MISSING:
                self._count(True)
            else:
                self._count(False)
                value = await compute()
                self._store_computed(key, value, ttl)
        except asyncio.CancelledError:
            # NOTE: waiters of a cancelled leader are cancelled too; they may retry.
            flight.cancel()
            raise
        except BaseException as error:
            flight.set_exception(error)
            flight.exception()  # marks it retrieved when no task waits
            raise
        else:
            flight.set_result(value)
        finally:
            del flights[key]
        return value

    # -- statistics ---------------------------------------------------------------------

    def stats(self) -> CacheStats:
        """Return hits, misses, hit ratio, evictions, expirations, size and backend errors."""
        try:
            counters: dict[str, int | None] = self.backend.counters()
        except BackendUnavailable as error:
            self._record_failure(error)
            counters = {}
        with self._stats_lock:
            hits, misses = self._hits, self._misses
            errors, skips = self._backend_errors, self._backend_skips
        total = hits + misses
        return CacheStats(
            hits=hits,
            misses=misses,
            hit_ratio=hits / total if total else 0.0,
            evictions=counters.get("evictions"),
            expirations=counters.get("expirations"),
            size=counters.get("size"),
            bytes=counters.get("bytes"),
            backend_errors=errors,
            backend_skips=skips,
        )

    # -- backend calls with fallback ------------------------------------------------------

    def _count(self, hit: bool) -> None:
        with self._stats_lock:
            if hit:
                self._hits += 1
            else:
                self._misses += 1

    def _lookup(self, key: str) -> Any:
        if self._degraded and self._clock() < self._retry_at:
            with self._stats_lock:
                self._backend_skips += 1
            return MISSING
        try:
            value = self.backend.lookup(key)
        except BackendUnavailable as error:
            self._record_failure(error)
            return MISSING
        if self._degraded:
            self._record_success()
        return value

    def _store(self, key: str, value: Any, ttl: float | None) -> None:
        if self._degraded and self._clock() < self._retry_at:
            with self._stats_lock:
                self._backend_skips += 1
            return
        try:
            self.backend.store(key, value, ttl)
        except BackendUnavailable as error:
            self._record_failure(error)
            return
        if self._degraded:
            self._record_success()

    def _store_computed(self, key: str, value: Any, ttl: float | None) -> None:
        try:
            self._store(key, value, ttl)
        except ValueError as error:
            # Too large for the byte bound: serve the value, skip caching it.
            logger.debug("not caching %s: %s", key, error)

    def _record_failure(self, error: BackendUnavailable) -> None:
        now = self._clock()
        with self._stats_lock:
            self._backend_errors += 1
            self._degraded = True
            self._retry_at = now + self._retry_after
            due = (
                self._last_error_log is None
                or now - self._last_error_log >= self._error_log_interval
            )
            if due:
                self._last_error_log = now
            errors = self._backend_errors
        if due:
            logger.warning(
                "cache backend unavailable, computing without it (%d backend errors so far, "
                "next try in %.1f s): %s",
                errors,
                self._retry_after,
                error,
            )

    def _record_success(self) -> None:
        with self._stats_lock:
            if not self._degraded:
                return
            self._degraded = False
            errors = self._backend_errors
        logger.info("cache backend reachable again (%d backend errors so far)", errors)


def _generation_name(kind: str, record_id: Any) -> str:
    return f"{kind}:{record_id!r}"
