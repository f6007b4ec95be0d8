"""The cache benchmark: hit cost against cachetools, and latency at a fixed hit ratio.

Both targets are measured in one run:
- the cost of one hit, in nanoseconds per call, for ``MemoryCache.get``,
  ``cachetools.TTLCache.get`` and ``CacheService.get`` on the same key (and over Redis
  when a server is available), with the ratio to cachetools;
- p50/p95/p99 latency of repeated top-k match requests without a cache and through
  ``CacheService`` at a given hit ratio (0.8 by default), and the p50 drop.
"""

from __future__ import annotations

import argparse
import logging
import timeit
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from mismatch_core.benchmark import measure_latencies, print_results, summarize
from mismatch_core.cache import CacheService, MemoryBackend, MemoryCache, RedisBackend, memoize
from mismatch_core.cache.workload import repeated_stream
from mismatch_core.matching import VectorizedMatcher
from mismatch_core.model import Resume

logger = logging.getLogger(__name__)

SAMPLE_KEY = "match:m1:r123456.5f0c3e6a9b1d2c4e8f7a6b5c4d3e2f1a.g0:j654321.0a1b2c3d4e5f60718293a4b5c6d7e8f9.g0"


@dataclass(frozen=True)
class CacheBenchConfig:
    """Sizes and options of one cache benchmark run."""

    jobs: int = 20_000
    resumes: int = 2_000
    requests: int = 1_000
    hit_ratio: float = 0.8
    k: int = 10
    calls: int = 100_000
    repeats: int = 7
    redis: bool = True
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("jobs", "resumes", "requests", "k", "calls", "repeats"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.hit_ratio < 1:
            raise ValueError(f"hit_ratio must be in [0, 1), got {self.hit_ratio}")


def per_call_nanoseconds(
    calls: dict[str, Callable[[], Any]], number: int, repeats: int
) -> dict[str, np.ndarray]:
    """Time each callable ``number`` times per round, rounds interleaved; return ns per call.

    Interleaving the rounds spreads background load over all candidates evenly.
    """
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            seconds = timeit.timeit(call, number=number)
            samples[name].append(seconds / number * 1e9)
    return {name: np.asarray(values) for name, values in samples.items()}


def hit_cost_candidates(redis_url: str | None = None) -> dict[str, Callable[[], Any]]:
    """Return zero-argument callables that each perform one hit on ``SAMPLE_KEY``."""
    import cachetools

    value = [[1, 0.93], [2, 0.91]]
    memory = MemoryCache(1_000, ttl=3600)
    memory[SAMPLE_KEY] = value
    reference = cachetools.TTLCache(1_000, ttl=3600)
    reference[SAMPLE_KEY] = value
    service = CacheService(MemoryBackend(1_000))
    service.set(SAMPLE_KEY, value)
    candidates: dict[str, Callable[[], Any]] = {
        "MemoryCache.get": lambda: memory.get(SAMPLE_KEY),
        "cachetools.TTLCache.get": lambda: reference.get(SAMPLE_KEY),
        "CacheService.get (memory)": lambda: service.get(SAMPLE_KEY),
    }
    if redis_url is not None:
        remote = CacheService(RedisBackend(redis_url, prefix="bench:", socket_timeout=1.0))
        remote.set(SAMPLE_KEY, value)
        candidates["CacheService.get (Redis)"] = lambda: remote.get(SAMPLE_KEY)
    for name, call in candidates.items():
        if call() != value:
            raise RuntimeError(f"{name} did not return the stored value; the benchmark is invalid")
    return candidates


def measure_hit_costs(calls: int, repeats: int, redis_url: str | None = None) -> dict[str, Any]:
    """Return the median ns per hit of each candidate and the ratios of ours to cachetools."""
    candidates = hit_cost_candidates(redis_url)
    redis_call = candidates.pop("CacheService.get (Redis)", None)
    samples = per_call_nanoseconds(candidates, calls, repeats)
    if redis_call is not None:
        # A loopback round trip costs tens of microseconds, about 100 memory hits, so
        # fewer calls give a stable median.
        samples.update(
            per_call_nanoseconds(
                {"CacheService.get (Redis)": redis_call}, max(calls // 100, 100), repeats
            )
        )
    medians = {name: float(np.median(values)) for name, values in samples.items()}
    reference = medians["cachetools.TTLCache.get"]
    return {
        "ns_per_hit": medians,
        "memory_vs_cachetools": medians["MemoryCache.get"] / reference,
        "service_vs_cachetools": medians["CacheService.get (memory)"] / reference,
    }


def top_k_request(matcher: VectorizedMatcher, k: int) -> Callable[[Resume], list[list]]:
    """Return a request handler: the top ``k`` matches of a résumé as ``[[job_id, score], ...]``."""

    def request(resume: Resume) -> list[list]:
        return [[match.job_id, match.score] for match in matcher.top_k(resume, k)]

    return request


def measure_repeated_requests(
    matcher: VectorizedMatcher,
    stream: Sequence[Resume],
    k: int,
    service: CacheService | None = None,
) -> dict[str, Any]:
    """Replay ``stream`` without a cache and through ``service``; return latencies and hit ratio."""
    request = top_k_request(matcher, k)
    service = service or CacheService(MemoryBackend(len(stream) + 1), ttl=None)
    cached = memoize(service, namespace="bench.top_k")(request)

    request(stream[0])  # warm the stem cache and allocator
    uncached_latencies = measure_latencies(request, stream)
    cached_latencies = measure_latencies(cached, stream)
    for resume in stream[:20]:
        if cached(resume) != request(resume):
            raise RuntimeError(
                f"cached result for résumé {resume.id} differs from the computed one"
            )
    hits = service.stats().hits - 20
    return {
        "latencies": {"no cache": uncached_latencies, "CacheService": cached_latencies},
        "hit_ratio": hits / len(stream),
    }


def run_cache_benchmark(config: CacheBenchConfig) -> dict[str, Any]:
    """Run both measurements of ``config`` and return the results as a dict."""
    from mismatch_core.synthetic import generate, jobs_from_frame, resumes_from_frame

    results: dict[str, Any] = {"config": asdict(config)}
    redis_server = _start_redis() if config.redis else None
    try:
        results["hit_cost"] = measure_hit_costs(
            config.calls, config.repeats, redis_server.url if redis_server else None
        )
    finally:
        if redis_server is not None:
            redis_server.close()

    dataset = generate(config.jobs, config.resumes, seed=config.seed, progress=False)
    jobs, resumes = jobs_from_frame(dataset.jobs), resumes_from_frame(dataset.resumes)
    matcher = VectorizedMatcher().fit(jobs)
    stream = repeated_stream(resumes, config.requests, config.hit_ratio, seed=config.seed)
    run = measure_repeated_requests(matcher, stream, config.k)
    summaries = {name: summarize(values) for name, values in run["latencies"].items()}
    results["repeated_requests"] = {
        "data": {"jobs": len(jobs), "resumes": len(resumes), "requests": len(stream)},
        "hit_ratio": run["hit_ratio"],
        "latency": summaries,
        "p50_drop": 1 - summaries["CacheService"]["p50_ms"] / summaries["no cache"]["p50_ms"],
    }
    return results


def _start_redis():
    from mismatch_core.servers import RedisServer, ServerUnavailable

    try:
        return RedisServer().start()
    except ServerUnavailable as missing:
        logger.warning("skipping the Redis hit cost: %s", missing)
        return None


def format_results(results: dict[str, Any]) -> str:
    """Render cache benchmark results as a short plain-text report."""
    cost = results["hit_cost"]
    lines = [f"hit cost, ns per call (median of {results['config']['repeats']} rounds):"]
    for name, nanoseconds in cost["ns_per_hit"].items():
        lines.append(f"  {name}: {nanoseconds:,.0f} ns")
    lines.append(f"MemoryCache.get / cachetools.TTLCache.get: {cost['memory_vs_cachetools']:.2f}")
    lines.append(
        f"CacheService.get (memory) / cachetools.TTLCache.get: {cost['service_vs_cachetools']:.2f}"
    )
    repeated = results["repeated_requests"]
    data = repeated["data"]
    lines.append(
        f"top-{results['config']['k']} requests: {data['requests']:,} over {data['jobs']:,} jobs, "
        f"measured hit ratio {repeated['hit_ratio']:.3f}"
    )
    for name, stats in repeated["latency"].items():
        lines.append(
            f"  {name}: p50 {stats['p50_ms']:.3f} ms, p95 {stats['p95_ms']:.3f} ms, "
            f"p99 {stats['p99_ms']:.3f} ms"
        )
    lines.append(f"p50 drop against no cache: {repeated['p50_drop']:.1%}")
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    config = CacheBenchConfig(
        jobs=args.jobs,
        resumes=args.resumes,
        requests=args.requests,
        hit_ratio=args.hit_ratio,
        k=args.k,
        calls=args.calls,
        repeats=args.repeats,
        redis=not args.no_redis,
        seed=args.seed,
    )
    results = run_cache_benchmark(config)
    return print_results(format_results(results), results, args.json)


def register(bench_subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``bench cache`` to the ``bench`` subcommands and return its parser."""
    parser = bench_subparsers.add_parser(
        "cache",
        help="cache hit cost against cachetools, and top-k latency at a fixed hit ratio",
        description=(
            "Measure, in one run: the cost of one cache hit in nanoseconds per call for "
            "MemoryCache.get, cachetools.TTLCache.get and CacheService.get (in memory and, "
            "when redis-server is installed, over a throwaway loopback Redis), with the "
            "ratio to cachetools; and p50/p95/p99 latency in milliseconds of repeated top-k "
            "requests without a cache and through CacheService at --hit-ratio, with the p50 drop."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--jobs", type=int, default=20_000, help="synthetic jobs to index")
    parser.add_argument("--resumes", type=int, default=2_000, help="synthetic résumés")
    parser.add_argument("--requests", type=int, default=1_000, help="top-k requests to replay")
    parser.add_argument(
        "--hit-ratio",
        type=float,
        default=0.8,
        help="share of requests that repeat an earlier résumé, so the cache serves them",
    )
    parser.add_argument("--k", type=int, default=10, help="results per top-k request")
    parser.add_argument("--calls", type=int, default=100_000, help="hits per timing round")
    parser.add_argument("--repeats", type=int, default=7, help="timing rounds per candidate")
    parser.add_argument("--no-redis", action="store_true", help="skip the Redis hit cost")
    parser.add_argument("--seed", type=int, default=0, help="seed for data and request order")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.set_defaults(handler=_run)
    return parser
