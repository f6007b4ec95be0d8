"""RedisBackend against a real redis-server: msgpack values, PX expiry, outage and recovery."""

from __future__ import annotations

import dataclasses
import logging
import socket

import msgpack
import pytest
import redis

from mismatch_core.cache import BackendUnavailable, CacheService, RedisBackend, memoize
from mismatch_core.model import Job, Resume

RESUME = Resume(id=1, title="Data engineer", text="Spark, Airflow", skills=("spark",))
JOB = Job(id=2, title="Data engineer", description="Airflow")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def backend(redis_server, request):
    prefix = f"test:{request.node.name}:"
    backend = RedisBackend(redis_server.url, prefix=prefix, socket_timeout=1.0, connect_timeout=1.0)
    backend.clear()
    yield backend
    backend.clear()
    backend.close()


def test_roundtrip_msgpack_values(backend):
    service = CacheService(backend)
    value = {"job_ids": [3, 1, 2], "scores": [0.9, 0.5, 0.1], "model": "v1", "raw": b"\x00"}
    service.set("top10", value)
    assert service.get("top10") == value
    assert service.get("absent") is None


def test_payload_is_msgpack_not_pickle(backend, redis_server):
    CacheService(backend).set("k", [1, "two", 3.0])
    raw = redis.Redis.from_url(redis_server.url).get(f"{backend.prefix}e:k")
    assert not raw.startswith(b"\x80")  # pickle protocol 2+ opcode
    assert msgpack.unpackb(raw, raw=False) == [1, "two", 3.0]


def test_unserializable_value_rejected(backend):
    with pytest.raises(TypeError, match="cannot store a object in Redis"):
        CacheService(backend).set("k", object())


def test_ttl_is_redis_expiry(backend, redis_server):
    client = redis.Redis.from_url(redis_server.url)
    service = CacheService(backend, ttl=30)
    service.set("default", 1)
    service.set("short", 1, ttl=0.5)
    service.set("forever", 1, ttl=None)
    assert 29_000 < client.pttl(f"{backend.prefix}e:default") <= 30_000
    assert 0 < client.pttl(f"{backend.prefix}e:short") <= 500
    assert client.pttl(f"{backend.prefix}e:forever") == -1


def test_shared_between_services(backend, redis_server):
    other = RedisBackend(redis_server.url, prefix=backend.prefix)
    first, second = CacheService(backend), CacheService(other)
    key = first.get_cache_key(RESUME, JOB)
    first.set(key, 0.75)
    assert second.get(second.get_cache_key(RESUME, JOB)) == 0.75
    second.invalidate_resume(RESUME.id)
    assert first.get(first.get_cache_key(RESUME, JOB)) is None
    other.close()


def test_edit_gives_new_key(backend):
    service = CacheService(backend)
    service.set(service.get_cache_key(RESUME, JOB), 0.2)
    edited = dataclasses.replace(RESUME, skills=("spark", "airflow"))
    assert service.get(service.get_cache_key(edited, JOB)) is None


def test_stats_and_clear(backend):
    service = CacheService(backend)
    service.set("a", 1)
    service.set("b", 2)
    service.get("a")
    service.get("c")
    stats = service.stats()
    assert stats.size == 2
    assert stats.hits == 1
    assert stats.misses == 1
    service.clear()
    assert service.stats().size == 0


def test_memoize_over_redis(backend):
    service = CacheService(backend)
    calls = []

    @memoize(service)
    def top(resume_id: int, k: int = 3) -> list[list]:
        calls.append(resume_id)
        return [[resume_id, 0.5]] * k

    assert top(4) == [[4, 0.5]] * 3
    assert top(resume_id=4, k=3) == [[4, 0.5]] * 3
    assert calls == [4]


def test_stop_and_restart_mid_test(own_redis, caplog):
    server = own_redis
    clock = FakeClock()
    caplog.set_level(logging.INFO, logger="mismatch_core.cache.service")
    try:
        service = CacheService(
            RedisBackend(server.url), clock=clock, retry_after=1.0, error_log_interval=30.0
        )
        calls = []

        def compute() -> float:
            calls.append(1)
            return 0.5

        assert service.get_or_compute("k", compute) == 0.5
        assert service.get_or_compute("k", compute) == 0.5
        assert len(calls) == 1

        server.stop()
        for _ in range(5):
            assert service.get_or_compute("k", compute) == 0.5
            clock.advance(1.0)
        assert len(calls) == 6
        stats = service.stats()  # INFO fails as well, so backend counters are unknown
        assert stats.backend_errors >= 5
        assert stats.size is None
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1

        server.start()  # same port, empty: persistence is off
        clock.advance(1.0)
        assert service.get_or_compute("k", compute) == 0.5
        assert service.get_or_compute("k", compute) == 0.5
        assert len(calls) == 7
        assert any("reachable again" in r.getMessage() for r in caplog.records)
        assert service.stats().size == 1
    finally:
        server.close()


def test_timeout_falls_back_to_compute():
    # A loopback listener that accepts connections and never replies, so every command times out.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    clock = FakeClock()
    try:
        backend = RedisBackend(f"redis://127.0.0.1:{port}/0", socket_timeout=0.05)
        with pytest.raises(BackendUnavailable, match="timed out|Timeout"):
            backend.lookup("k")
        service = CacheService(backend, clock=clock)
        assert service.get_or_compute("k", lambda: 3) == 3
        assert service.stats().backend_errors >= 1
        backend.close()
    finally:
        listener.close()


def test_undecodable_entry_is_a_miss(backend, redis_server):
    redis.Redis.from_url(redis_server.url).set(f"{backend.prefix}e:bad", b"\xc1")
    service = CacheService(backend)
    assert service.get("bad") is None
    assert service.get_or_compute("bad", lambda: 4) == 4
    assert service.get("bad") == 4


def test_invalid_backend_arguments():
    with pytest.raises(ValueError, match="prefix must not be empty"):
        RedisBackend("redis://127.0.0.1:1/0", prefix="")
    with pytest.raises(ValueError, match="socket_timeout must be above 0"):
        RedisBackend("redis://127.0.0.1:1/0", socket_timeout=0)
