"""MemoryCache: TTL on read, LRU eviction by entries and bytes, sweeping, thread safety."""

from __future__ import annotations

import random
import threading
import time

import pytest

from mismatch_core.cache import MemoryCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_expiry_with_fake_clock():
    clock = FakeClock()
    cache = MemoryCache(10, ttl=10, clock=clock)
    cache["a"] = 1
    clock.advance(9.999)
    assert cache.get("a") == 1
    clock.advance(0.001)
    assert cache.get("a") is None
    assert cache.expirations == 1
    assert "a" not in cache


def test_per_entry_ttl_overrides_default():
    clock = FakeClock()
    cache = MemoryCache(10, ttl=100, clock=clock)
    cache.set("short", 1, ttl=1)
    cache.set("default", 2)
    clock.advance(50)
    assert cache.get("short") is None
    assert cache.get("default") == 2


def test_no_ttl_never_expires():
    clock = FakeClock()
    cache = MemoryCache(10, clock=clock)
    cache["a"] = 1
    clock.advance(1e9)
    assert cache["a"] == 1


def test_expired_entry_hidden_everywhere():
    clock = FakeClock()
    cache = MemoryCache(10, clock=clock)
    cache.set("a", 1, ttl=1)
    clock.advance(1)
    assert "a" not in cache
    with pytest.raises(KeyError):
        cache["a"]
    assert list(cache) == []
    assert len(cache) == 0


def test_lru_eviction_by_entries():
    cache = MemoryCache(2, clock=FakeClock())
    cache["a"] = 1
    cache["b"] = 2
    assert cache.get("a") == 1  # a is now more recent than b
    cache["c"] = 3
    assert "b" not in cache
    assert cache.get("a") == 1
    assert cache.get("c") == 3
    assert cache.evictions == 1
    assert len(cache) == 2


def test_contains_does_not_reorder():
    cache = MemoryCache(2, clock=FakeClock())
    cache["a"] = 1
    cache["b"] = 2
    assert "a" in cache
    cache["c"] = 3
    assert "a" not in cache


def test_lru_eviction_by_bytes():
    cache = MemoryCache(maxbytes=10, getsizeof=len, clock=FakeClock())
    cache["a"] = "xxxx"
    cache["b"] = "yyyy"
    cache["c"] = "zzzz"
    assert "a" not in cache
    assert cache.currbytes == 8
    assert cache.evictions == 1


def test_value_above_maxbytes_rejected():
    cache = MemoryCache(maxbytes=10, getsizeof=len, clock=FakeClock())
    with pytest.raises(ValueError, match="above maxbytes=10"):
        cache["big"] = "x" * 11
    assert len(cache) == 0


def test_overwrite_updates_bytes():
    cache = MemoryCache(maxbytes=100, getsizeof=len, clock=FakeClock())
    cache["a"] = "x" * 50
    cache["a"] = "x" * 10
    assert cache.currbytes == 10
    del cache["a"]
    assert cache.currbytes == 0


def test_default_sizer_counts_nested_items():
    cache = MemoryCache(maxbytes=10_000, clock=FakeClock())
    cache["small"] = [1]
    small = cache.currbytes
    cache["large"] = [list(range(100))]
    assert cache.currbytes - small > 100 * 8


def test_expired_removed_before_live_evicted():
    clock = FakeClock()
    cache = MemoryCache(2, clock=clock)
    cache.set("old", 1, ttl=1)
    cache.set("live", 2)
    clock.advance(2)
    cache["new"] = 3
    assert cache.get("live") == 2
    assert cache.evictions == 0
    assert cache.expirations == 1


def test_reads_sweep_expired_entries():
    clock = FakeClock()
    cache = MemoryCache(1000, maxbytes=10**6, getsizeof=len, clock=clock)
    cache.set("keep", "k", ttl=None)
    for number in range(100):
        cache.set(f"k{number}", "x" * 100, ttl=1)
    clock.advance(2)
    reads = 0
    while cache.currbytes > 1 and reads < 100:
        cache.get("keep")  # reads only, no write
        reads += 1
    assert cache.currbytes == 1
    assert cache.expirations == 100
    assert reads <= 100 // 8 + 1


def test_expire_removes_all():
    clock = FakeClock()
    cache = MemoryCache(100, clock=clock)
    for number in range(50):
        cache.set(number, number, ttl=1)
    clock.advance(1)
    assert cache.expire() == 50
    assert cache.counters()["size"] == 0


def test_expiry_heap_stays_bounded():
    cache = MemoryCache(10, ttl=3600, clock=FakeClock())
    for number in range(10_000):
        cache["same"] = number
    assert len(cache._expiries) <= 2 * 1 + 64 + 1
    assert cache["same"] == 9_999


def test_mapping_protocol():
    cache = MemoryCache(10, clock=FakeClock())
    cache.update({"a": 1, "b": 2})
    assert dict(cache.items()) == {"a": 1, "b": 2}
    assert cache.pop("a") == 1
    assert cache.setdefault("c", 3) == 3
    assert sorted(cache) == ["b", "c"]
    assert cache.discard("b") is True
    assert cache.discard("b") is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "set maxsize and/or maxbytes"),
        ({"maxsize": 0}, "maxsize must be a positive integer"),
        ({"maxbytes": -1}, "maxbytes must be a positive integer"),
        ({"maxsize": 1, "ttl": 0}, "ttl must be above 0"),
        ({"maxsize": 1, "ttl": float("inf")}, "ttl must be above 0"),
    ],
)
def test_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MemoryCache(**kwargs)


def test_invalid_ttl_on_set():
    cache = MemoryCache(1)
    with pytest.raises(ValueError, match="ttl must be above 0"):
        cache.set("a", 1, ttl=-5)
    with pytest.raises(TypeError, match="ttl must be a number"):
        cache.set("a", 1, ttl="10")


def test_16_threads_1ms_ttl_bound_holds():
    bound = 64
    cache = MemoryCache(bound, ttl=0.001)
    errors: list[BaseException] = []
    oversize: list[int] = []
    deadline = time.monotonic() + 2.0
    start = threading.Barrier(16)

    def hammer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait()
            for _ in range(200_000):  # bounded in count as well as in time
                if time.monotonic() >= deadline:
                    break
                key = rng.randrange(1_000)
                if rng.random() < 0.5:
                    cache[key] = key
                else:
                    value = cache.get(key)
                    if value is not None and value != key:
                        raise AssertionError(f"key {key} returned {value}")
                size = cache.counters()["size"]
                if size > bound:
                    oversize.append(size)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=hammer, args=(seed,)) for seed in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert oversize == []
    assert cache.expirations > 0
