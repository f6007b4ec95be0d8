"""Simulations for the rate-limiting notebook: bursty traffic on a fake clock, memory per client."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from mismatch_core.ratelimit.limiter import RateLimiter
from mismatch_core.ratelimit.roadmap import RoadmapRateLimiter

ROADMAP = "roadmap"
ALGORITHM_NAMES = ("sliding_log", "sliding_counter", "gcra")


class ManualClock:
    """Monotonic seconds set by the simulation."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def bursty_arrivals(
    duration: float, base_rate: float, bursts: Sequence[tuple[float, int]], *, seed: int = 0
) -> np.ndarray:
    """Return sorted arrival times (s): Poisson traffic at ``base_rate`` per second plus
    bursts, each ``(start, requests)`` spread over 0.5 s."""
    if duration <= 0 or base_rate < 0:
        raise ValueError(f"duration must be above 0 and base_rate 0 or more, got {duration}, {base_rate}")
    rng = np.random.default_rng(seed)
    background = rng.uniform(0, duration, rng.poisson(base_rate * duration))
    spikes = [start + rng.uniform(0, 0.5, size) for start, size in bursts]
    return np.sort(np.concatenate([background, *spikes]))


def limiter_on_clock(name: str, limit: int, window: float, clock: ManualClock) -> Callable[[str], bool]:
    """Return ``is_admitted(client)`` of the named algorithm, or of the roadmap's version."""
    if name == ROADMAP:
        epoch = datetime(2026, 1, 1)
        roadmap = RoadmapRateLimiter(limit, int(window), now=lambda: epoch + timedelta(seconds=clock.now))
        return lambda client: not roadmap.is_rate_limited(client)
    limiter = RateLimiter(limit, window, algorithm=name, clock=clock)
    return lambda client: limiter.hit(client).allowed


def replay(name: str, arrivals: np.ndarray, limit: int, window: float) -> np.ndarray:
    """Replay one client's ``arrivals`` through a limiter; return which were admitted."""
    clock = ManualClock()
    is_admitted = limiter_on_clock(name, limit, window, clock)
    admitted = np.zeros(arrivals.size, dtype=bool)
    for index, moment in enumerate(arrivals):
        clock.now = float(moment)
        admitted[index] = is_admitted("client")
    return admitted


def max_in_any_window(times: np.ndarray, window: float) -> int:
    """Return the largest number of ``times`` inside any half-open interval of length ``window``."""
    if times.size == 0:
        return 0
    ends = np.searchsorted(times, times + window, side="left")
    return int((ends - np.arange(times.size)).max())


@dataclass(frozen=True)
class MemoryFootprint:
    """Bytes that a limiter keeps per client, measured with tracemalloc."""

    name: str
    clients: int
    requests_per_client: int
    bytes_per_client: float


def memory_per_client(name: str, clients: int, requests_per_client: int, limit: int, window: float) -> MemoryFootprint:
    """Measure the memory a limiter keeps after ``clients`` clients sent some requests each.

    All requests fall inside one window, so nothing is evicted and the sliding logs hold
    ``min(requests_per_client, limit)`` entries per client.
    """
    clock = ManualClock()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        is_admitted = limiter_on_clock(name, limit, window, clock)
        spacing = window / (2 * requests_per_client * clients)
        for step in range(requests_per_client):
            for client in range(clients):
                # A distinct time per request, as on a real clock.
                clock.now = (step * clients + client) * spacing
                is_admitted(f"client-{client:07d}")
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return MemoryFootprint(name, clients, requests_per_client, (after - before) / clients)


@dataclass(frozen=True)
class RateLimitWorkload:
    """Sizes of the rate-limiting notebook at one scale."""

    decisions: int
    clients: int
    rounds: int
    latency_samples: int
    distinct_clients: int
    redis_decisions: int

    @classmethod
    def for_scale(cls, requests: int) -> RateLimitWorkload:
        """Derive the sizes from a scale's ``requests`` (100 small, 300 medium, 1,000 large)."""
        decisions = 200 * requests
        return cls(
            decisions=decisions,
            # 200 requests per client: half of them over a limit of 100 per window.
            clients=decisions // 200,
            rounds=3 if requests <= 100 else 5,
            latency_samples=50 * requests,
            distinct_clients=min(1_000 * requests, 1_000_000),
            redis_decisions=20 * requests,
        )


@dataclass(frozen=True)
class EvictionTrace:
    """Keys held while many distinct clients arrive, one request each."""

    name: str
    clients: int
    peak_keys: int
    final_keys: int


def eviction_trace(name: str, clients: int, window: float = 1.0, spacing: float = 0.001) -> EvictionTrace:
    """Send one request per distinct client, ``spacing`` seconds apart, on a fake clock.

    With eviction, no more than about ``window / spacing`` clients are kept at once; the
    roadmap's dict keeps every client it has seen.
    """
    clock = ManualClock()
    peak = 0
    if name == ROADMAP:
        epoch = datetime(2026, 1, 1)
        roadmap = RoadmapRateLimiter(5, int(window), now=lambda: epoch + timedelta(seconds=clock.now))
        for client in range(clients):
            clock.now = client * spacing
            roadmap.is_rate_limited(f"client-{client:07d}")
        held = len(roadmap.requests)
        return EvictionTrace(name, clients, held, held)

    limiter = RateLimiter(5, window, algorithm=name, clock=clock)
    storage = limiter.storage
    for client in range(clients):
        clock.now = client * spacing
        limiter.hit(f"client-{client:07d}")
        peak = max(peak, len(storage))
    return EvictionTrace(name, clients, peak, len(storage))
