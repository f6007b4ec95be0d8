"""RateLimiter on a real redis-server: atomic scripts, one round trip, server time."""

from __future__ import annotations

import math
import threading

import pytest
import redis

from mismatch_core.ratelimit import RateLimiter, StorageUnavailable
from mismatch_core.ratelimit.redis_storage import RedisStorage, load_script_source

ALGORITHM_NAMES = ("sliding_log", "sliding_counter", "gcra")


class CountingConnection(redis.Connection):
    """A connection that counts the request packets it sends, i.e. round trips."""

    sent = 0

    def send_packed_command(self, command, check_health=True):
        CountingConnection.sent += 1
        return super().send_packed_command(command, check_health)


def counting_storage(url: str, prefix: str) -> RedisStorage:
    pool = redis.ConnectionPool.from_url(url, connection_class=CountingConnection)
    return RedisStorage(url, prefix=prefix, client=redis.Redis(connection_pool=pool))


def no_clock() -> float:
    raise AssertionError("the Redis storage must not read the app server's clock")


@pytest.mark.parametrize("algorithm", ALGORITHM_NAMES)
def test_redis_burst_admits_limit(redis_server, algorithm):
    rate = RateLimiter(5, 60, algorithm=algorithm, storage=redis_server.url,
                       namespace=f"burst-{algorithm}", clock=no_clock)

    decisions = [rate.hit("alice") for _ in range(7)]

    assert [d.allowed for d in decisions] == [True] * 5 + [False] * 2
    assert [d.remaining for d in decisions[:5]] == [4, 3, 2, 1, 0]
    assert all(0 < d.retry_after <= 120 for d in decisions[5:])


def test_redis_retry_after_values(redis_server):
    log = RateLimiter(5, 60, algorithm="sliding_log", storage=redis_server.url, namespace="retry")
    gcra = RateLimiter(5, 60, algorithm="gcra", storage=redis_server.url, namespace="retry")
    for _ in range(5):
        log.hit("c")
        gcra.hit("c")

    # The log frees a slot when the oldest entry leaves the window, GCRA after one
    # emission interval (60 / 5 = 12 s); a few seconds of slack cover a slow machine.
    assert 55 < log.hit("c").retry_after <= 60
    assert 7 < gcra.hit("c").retry_after <= 12


@pytest.mark.parametrize("algorithm", ALGORITHM_NAMES)
def test_redis_one_round_trip(redis_server, algorithm):
    storage = counting_storage(redis_server.url, prefix=f"trips-{algorithm}")
    rate = RateLimiter(3, 60, algorithm=algorithm, storage=storage)
    rate.hit("warm-up")  # loads the script: NOSCRIPT, SCRIPT LOAD, EVALSHA
    observer = redis.Redis.from_url(redis_server.url)
    evalsha_before = observer.info("commandstats")["cmdstat_evalsha"]["calls"]
    sent_before = CountingConnection.sent

    for step in range(20):
        rate.hit(f"client-{step % 4}")

    evalsha_after = observer.info("commandstats")["cmdstat_evalsha"]["calls"]
    assert CountingConnection.sent - sent_before == 20
    assert evalsha_after - evalsha_before == 20


def test_redis_oversized_cost_no_trip(redis_server):
    storage = counting_storage(redis_server.url, prefix="oversized")
    rate = RateLimiter(3, 60, storage=storage)
    sent_before = CountingConnection.sent

    decision = rate.hit("c", cost=4)

    assert decision.allowed is False
    assert decision.retry_after == math.inf
    assert CountingConnection.sent == sent_before
    assert rate.hit("c", cost=3).allowed


def test_redis_limit_shared_by_limiters(redis_server):
    first = RateLimiter(4, 60, storage=redis_server.url, namespace="shared")
    second = RateLimiter(4, 60, storage=redis_server.url, namespace="shared")

    admitted = [first.hit("c").allowed for _ in range(3)] + [second.hit("c").allowed for _ in range(3)]

    assert admitted == [True, True, True, True, False, False]


@pytest.mark.parametrize("algorithm", ALGORITHM_NAMES)
def test_redis_hundred_threads_admit_five(redis_server, algorithm):
    rate = RateLimiter(5, 60, algorithm=algorithm, storage=redis_server.url, namespace=f"threads-{algorithm}")
    barrier = threading.Barrier(100)
    results: list[bool] = []
    results_lock = threading.Lock()

    def worker() -> None:
        barrier.wait(timeout=30)
        allowed = rate.hit("shared-client").allowed
        with results_lock:
            results.append(allowed)

    threads = [threading.Thread(target=worker) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == 100
    assert sum(results) == 5


def test_redis_cost_counts_units(redis_server):
    rate = RateLimiter(5, 60, storage=redis_server.url, namespace="cost")

    assert rate.hit("c", cost=3).remaining == 2
    assert not rate.hit("c", cost=3).allowed
    assert rate.hit("c", cost=2).allowed


def test_redis_reset(redis_server):
    rate = RateLimiter(1, 60, algorithm="gcra", storage=redis_server.url, namespace="reset")
    rate.hit("a")
    rate.hit("b")

    rate.reset("a")

    assert rate.hit("a").allowed
    assert not rate.hit("b").allowed


def test_redis_restart_reloads_scripts(own_redis):
    rate = RateLimiter(2, 60, storage=own_redis.url)
    assert rate.hit("c").allowed

    own_redis.stop()
    with pytest.raises(StorageUnavailable, match="unreachable"):
        rate.hit("c")
    own_redis.start()

    # The restarted server has no scripts and no state, so the quota is full again.
    assert [rate.hit("c").allowed for _ in range(3)] == [True, True, False]


def test_scripts_ship_as_package_data():
    for name in ALGORITHM_NAMES:
        assert "redis.call('TIME')" in load_script_source(name)
    with pytest.raises(ValueError, match="unknown Lua script"):
        load_script_source("fixed_window")
