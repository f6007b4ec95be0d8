"""CacheService: roadmap surface, versioned keys, single flight, stats, invalidation, fallback."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time

import pytest

from mismatch_core.cache import (
    MISSING,
    BackendUnavailable,
    CacheService,
    MemoryBackend,
    content_version,
)
from mismatch_core.cache.roadmap import RoadmapCacheService
from mismatch_core.model import Job, Resume


class FakeClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


RESUME = Resume(id=7, title="Backend developer", text="Python, Django", skills=("python",))
JOB = Job(id=42, title="Python developer", description="Django and PostgreSQL")


def score(resume: Resume, job: Job) -> float:
    """Toy score that changes when the résumé's skills change."""
    return len(set(resume.skills) & {"python", "postgresql", "django"}) / 3


def test_ttl_enforced_on_read():
    clock = FakeClock()
    service = CacheService(clock=clock, ttl=60)
    key = service.get_cache_key(RESUME, JOB)
    service.set(key, 0.5)
    clock.advance(59)
    assert service.get(key) == 0.5
    clock.advance(1)
    assert service.get(key) is None
    assert service.stats().expirations == 1


def test_set_ttl_none_never_expires():
    clock = FakeClock()
    service = CacheService(clock=clock)
    service.set("k", 1, ttl=None)
    clock.advance(10**9)
    assert service.get("k") == 1


def test_roadmap_ignores_ttl():
    roadmap = RoadmapCacheService()
    key = roadmap.get_cache_key(7, 42)
    roadmap.set(key, 0.5, ttl=1)
    assert roadmap.get(key) == 0.5  # still there: the roadmap has no notion of expiry
    roadmap.clear()
    assert roadmap.get(key) is None


def test_roadmap_key_is_stale_after_edit():
    roadmap = RoadmapCacheService()
    edited = dataclasses.replace(RESUME, skills=("python", "postgresql"))
    roadmap.set(roadmap.get_cache_key(RESUME.id, JOB.id), score(RESUME, JOB))
    cached = roadmap.get(roadmap.get_cache_key(edited.id, JOB.id))
    assert cached == score(RESUME, JOB)
    assert cached != score(edited, JOB)


def test_versioned_key_fresh_after_edit():
    service = CacheService()
    edited = dataclasses.replace(RESUME, skills=("python", "postgresql"))
    old = service.get_or_compute(service.get_cache_key(RESUME, JOB), lambda: score(RESUME, JOB))
    new = service.get_or_compute(service.get_cache_key(edited, JOB), lambda: score(edited, JOB))
    assert new == score(edited, JOB)
    assert new != old


def test_key_changes_with_job_and_model():
    edited_job = dataclasses.replace(JOB, description="Go")
    first = CacheService(model_version="1")
    second = CacheService(model_version="2")
    assert first.get_cache_key(RESUME, JOB) != first.get_cache_key(RESUME, edited_job)
    assert first.get_cache_key(RESUME, JOB) != second.get_cache_key(RESUME, JOB)
    assert first.get_cache_key(RESUME, JOB) == first.get_cache_key(RESUME, JOB)


def test_id_only_key_warns_and_invalidates(caplog):
    service = CacheService()
    with caplog.at_level("WARNING"):
        key = service.get_cache_key(7, 42)
    assert "no content version" in caplog.text
    service.set(key, 0.5)
    assert service.get(service.get_cache_key(7, 42)) == 0.5
    service.invalidate_resume(7)
    assert service.get(service.get_cache_key(7, 42)) is None


def test_record_and_version_together_rejected():
    service = CacheService()
    with pytest.raises(ValueError, match="not both"):
        service.get_cache_key(RESUME, JOB, resume_version="x")


def test_id_with_version_matches_record():
    service = CacheService()
    by_record = service.get_cache_key(RESUME, JOB)
    by_id = service.get_cache_key(
        7, 42, resume_version=content_version(RESUME), job_version=content_version(JOB)
    )
    assert by_record == by_id


def test_invalidate_resume():
    service = CacheService()
    other = dataclasses.replace(RESUME, id=8)
    key = service.get_cache_key(RESUME, JOB)
    other_key = service.get_cache_key(other, JOB)
    service.set(key, 1.0)
    service.set(other_key, 2.0)
    assert service.invalidate_resume(RESUME.id) == 1
    assert service.get(service.get_cache_key(RESUME, JOB)) is None
    assert service.get(service.get_cache_key(other, JOB)) == 2.0


def test_invalidate_job():
    service = CacheService()
    service.set(service.get_cache_key(RESUME, JOB), 1.0)
    service.invalidate_job(JOB.id)
    assert service.get(service.get_cache_key(RESUME, JOB)) is None


def test_stats_counts():
    clock = FakeClock()
    service = CacheService(MemoryBackend(2, clock=clock), clock=clock, ttl=10)
    service.set("a", 1)
    service.set("b", 2)
    service.get("a")
    service.get("missing")
    service.set("c", 3)  # evicts b, the least recently used
    clock.advance(10)
    service.get("a")  # expired
    stats = service.stats()
    assert stats.hits == 1
    assert stats.misses == 2
    assert stats.hit_ratio == pytest.approx(1 / 3)
    assert stats.evictions == 1
    assert stats.expirations == 1
    assert stats.size == 1
    assert stats.backend_errors == 0
    assert stats.backend_skips == 0


def test_clear_and_delete():
    service = CacheService()
    service.set("a", 1)
    service.set("b", 2)
    assert service.delete("a") is True
    assert service.delete("a") is False
    service.clear()
    assert service.get("b") is None


def test_50_threads_cold_key_run_once():
    service = CacheService()
    calls = 0
    calls_lock = threading.Lock()
    start = threading.Barrier(50)
    results: list[object] = []

    def compute() -> dict:
        nonlocal calls
        with calls_lock:
            calls += 1
        time.sleep(0.05)  # keep the flight open while the other threads arrive
        return {"score": 0.9}

    def request() -> None:
        start.wait()
        results.append(service.get_or_compute("cold", compute))

    threads = [threading.Thread(target=request) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert calls == 1
    assert len(results) == 50
    assert all(result == {"score": 0.9} for result in results)
    assert service.stats().misses == 1
    assert service.stats().hits == 49


def test_single_flight_exception_reaches_all():
    service = CacheService()
    start = threading.Barrier(10)
    calls = 0
    errors: list[BaseException] = []

    def compute() -> float:
        nonlocal calls
        calls += 1
        time.sleep(0.05)
        raise RuntimeError("matcher failed")

    def request() -> None:
        start.wait()
        try:
            service.get_or_compute("bad", compute)
        except RuntimeError as error:
            errors.append(error)

    threads = [threading.Thread(target=request) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert calls == 1
    assert len(errors) == 10
    assert service.get("bad") is None
    assert service.get_or_compute("bad", lambda: 1.0) == 1.0


def test_async_single_flight():
    service = CacheService()
    calls = 0

    async def compute() -> float:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return 0.7

    async def main() -> list[float]:
        return await asyncio.gather(*(service.aget_or_compute("k", compute) for _ in range(50)))

    results = asyncio.run(main())
    assert calls == 1
    assert results == [0.7] * 50
    assert service.get("k") == 0.7


def test_async_exception_reaches_all():
    service = CacheService()

    async def compute() -> float:
        await asyncio.sleep(0.01)
        raise LookupError("no such job")

    async def main() -> list[object]:
        tasks = (service.aget_or_compute("k", compute) for _ in range(5))
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = asyncio.run(main())
    assert all(isinstance(result, LookupError) for result in results)
    assert service.get("k") is None


class FlakyBackend(MemoryBackend):
    """A memory backend that raises BackendUnavailable while ``down`` is set."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(100, clock=clock)
        self.down = False
        self.calls = 0
        healthy_lookup = self.lookup

        def lookup(key: str) -> object:
            self.calls += 1
            if self.down:
                raise BackendUnavailable("backend is down")
            return healthy_lookup(key)

        self.lookup = lookup

    def store(self, key: str, value: object, ttl: float | None) -> None:
        self.calls += 1
        if self.down:
            raise BackendUnavailable("backend is down")
        super().store(key, value, ttl)


def test_backend_down_computes_and_logs_once(caplog):
    clock = FakeClock()
    backend = FlakyBackend(clock)
    service = CacheService(backend, clock=clock, retry_after=1.0, error_log_interval=60.0)
    backend.down = True
    caplog.set_level(logging.WARNING, logger="mismatch_core.cache.service")

    values = [service.get_or_compute("k", lambda: 5) for _ in range(20)]
    assert values == [5] * 20
    assert backend.calls == 1  # later requests skip the backend until retry_after passes
    stats = service.stats()
    assert stats.backend_errors == 1
    assert stats.backend_skips >= 20
    assert stats.misses == 20
    clock.advance(1.0)
    service.get_or_compute("k", lambda: 5)
    assert backend.calls == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1

    clock.advance(60.0)
    service.get_or_compute("k", lambda: 5)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2


def test_backend_recovers_by_itself():
    clock = FakeClock()
    backend = FlakyBackend(clock)
    service = CacheService(backend, clock=clock, retry_after=1.0)
    backend.down = True
    assert service.get_or_compute("k", lambda: 1) == 1
    backend.down = False
    clock.advance(1.0)
    assert service.get_or_compute("k", lambda: 2) == 2
    assert service.get_or_compute("k", lambda: 3) == 2
    assert backend.lookup("k") == 2


def test_value_too_large_is_served_not_cached():
    backend = MemoryBackend(maxsize=None, maxbytes=100)
    service = CacheService(backend)
    big = "x" * 1000
    assert service.get_or_compute("big", lambda: big) == big
    assert backend.lookup("big") is MISSING


def test_invalid_service_arguments():
    with pytest.raises(ValueError, match="ttl must be above 0"):
        CacheService(ttl=0)
    with pytest.raises(ValueError, match="namespace"):
        CacheService(namespace="a:b")
    with pytest.raises(ValueError, match="retry_after"):
        CacheService(retry_after=-1)
