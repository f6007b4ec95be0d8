"""The batching benchmark: micro-batched match serving and ``process_batch`` overhead.

Every figure comes from one run on the same data:
- N concurrent single-résumé top-k requests, served one ``top_k_many([résumé])`` call
  per request in the loop's thread pool, then through a ``MicroBatcher`` whose batch
  function is ``top_k_many(batch)``: throughput and p50/p95/p99 latency of each (the
  fastest of a few interleaved runs), and whether both returned the same rankings;
- the same requests against a batch function with a fixed cost per call (simulated I/O,
  such as a round trip to a model server), where the cost micro-batching removes is
  the whole per-call cost;
- M trivial coroutines through raw ``asyncio.gather``, ``AsyncProcessor.process_batch``
  and the roadmap's processor: the median wall time of each and the ratio to gather.

Latency of a request is measured from the moment all requests are launched, so it
includes the time spent queued behind the others, as a client that fired them would
see it.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from mismatch_core.batching import AsyncProcessor, MicroBatcher
from mismatch_core.batching.roadmap import RoadmapAsyncProcessor
from mismatch_core.benchmark import print_results, summarize

logger = logging.getLogger(__name__)


class CompletionTimer:
    """Records, for each call of a wrapped function, seconds from ``started`` to its completion.

    A batch's latency distribution is then what a client that launched every item at
    ``started`` would see, queueing included. Thread-safe for wrapped blocking
    functions: ``list.append`` is atomic in CPython.
    """

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.started = clock()
        self.samples: list[float] = []

    def restart(self) -> None:
        """Set the start to now and drop the samples."""
        self.started = self.clock()
        self.samples = []

    def wrap(self, func: Callable[[Any], Awaitable[Any]]) -> Callable[[Any], Awaitable[Any]]:
        """Return a coroutine function that calls ``func`` and records its completion."""

        async def timed(item: Any) -> Any:
            result = await func(item)
            self.samples.append(self.clock() - self.started)
            return result

        return timed

    def wrap_blocking(self, func: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Return a blocking function that calls ``func`` and records its completion."""

        def timed(item: Any) -> Any:
            result = func(item)
            self.samples.append(self.clock() - self.started)
            return result

        return timed

    def latencies(self) -> np.ndarray:
        """Return the recorded seconds as an array."""
        return np.asarray(self.samples, dtype=np.float64)


async def run_sequentially(
    items: Sequence[Any], func: Callable[[Any], Awaitable[Any]]
) -> list[Any]:
    """Await ``func(item)`` for one item after another and return the results."""
    return [await func(item) for item in items]


def warm_term_cache(matcher: Any, resumes: Sequence[Any]) -> None:
    """Featurize every résumé once, filling the stem cache before anything is timed.

    Without it, whichever mode runs first would also pay for stemming each new word.
    """
    corpus = matcher.corpus
    if corpus is None:
        raise ValueError("matcher is not fitted; call matcher.fit(jobs) first")
    for resume in resumes:
        corpus.resume_features(resume)


_WORKER_MATCHER: Any = None


def install_matcher(matcher: Any) -> None:
    """Set the matcher that ``top_k_in_worker`` uses in this process (a pool initializer)."""
    global _WORKER_MATCHER
    _WORKER_MATCHER = matcher


def top_k_in_worker(resume: Any, k: int = 10) -> Any:
    """Return ``top_k`` of the matcher installed in this process by ``install_matcher``."""
    if _WORKER_MATCHER is None:
        raise RuntimeError(
            "no matcher installed in this process; pass install_matcher as initializer"
        )
    return _WORKER_MATCHER.top_k(resume, k)


@dataclass(frozen=True)
class ServingRun:
    """One way of serving concurrent requests: per-request latencies and wall time (s)."""

    latencies: np.ndarray
    seconds: float
    results: list[Any]
    mean_batch_size: float = 1.0

    @property
    def throughput(self) -> float:
        """Requests completed per second of wall time."""
        return len(self.latencies) / self.seconds


async def serve_concurrently(
    requests: Sequence[Any],
    handle: Callable[[Any], Awaitable[Any]],
    clock: Callable[[], float] = time.perf_counter,
) -> ServingRun:
    """Launch ``handle(request)`` for every request at once and time each to completion."""
    latencies = np.zeros(len(requests))
    results: list[Any] = [None] * len(requests)
    started = clock()

    async def one(position: int, request: Any) -> None:
        results[position] = await handle(request)
        latencies[position] = clock() - started

    async with asyncio.TaskGroup() as group:
        for position, request in enumerate(requests):
            group.create_task(one(position, request))
    return ServingRun(latencies, clock() - started, results)


async def serve_per_request(
    requests: Sequence[Any], call: Callable[[list[Any]], Sequence[Any]]
) -> ServingRun:
    """Serve each request with its own ``call([request])`` in the loop's default thread pool.

    That pool has ``min(32, os.cpu_count() + 4)`` threads (Python 3.8 and later), so as
    many calls run at once.
    """
    loop = asyncio.get_running_loop()

    async def handle(request: Any) -> Any:
        return (await loop.run_in_executor(None, call, [request]))[0]

    return await serve_concurrently(requests, handle)


async def serve_micro_batched(
    requests: Sequence[Any],
    call: Callable[[list[Any]], Sequence[Any]],
    *,
    max_batch_size: int,
    max_wait: float,
    max_concurrent_batches: int = 1,
) -> ServingRun:
    """Serve the requests through a ``MicroBatcher`` whose batch function is ``call``."""
    async with MicroBatcher(
        call,
        max_batch_size=max_batch_size,
        max_wait=max_wait,
        max_concurrent_batches=max_concurrent_batches,
    ) as batcher:
        run = await serve_concurrently(requests, batcher.submit)
    return ServingRun(run.latencies, run.seconds, run.results, batcher.stats.mean_batch_size)


def fixed_cost_call(call_seconds: float, item_seconds: float) -> Callable[[list[Any]], list[Any]]:
    """Return a blocking batch function that sleeps ``call_seconds`` plus ``item_seconds`` per item.

    It simulates a remote call (database, HTTP, model server) whose round trip costs
    the same whatever the batch size. It returns the items unchanged.
    """

    def call(items: list[Any]) -> list[Any]:
        time.sleep(call_seconds + item_seconds * len(items))
        return list(items)

    return call


def per_resume_seconds(
    matcher: Any, resumes: Sequence[Any], k: int, sizes: Sequence[int], passes: int = 3,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[int, float]:
    """Return the seconds per résumé of ``top_k_many`` called in batches of each size.

    Batches run one after another in this thread, so the figures show what sharing a
    call saves and nothing else. Each size keeps the fastest of ``passes`` passes.
    """
    if passes < 1:
        raise ValueError(f"passes must be at least 1, got {passes}")
    if not resumes:
        raise ValueError("resumes is empty")
    results = {}
    for size in sizes:
        if size < 1:
            raise ValueError(f"batch sizes must be at least 1, got {size}")
        timings = []
        for _ in range(passes):
            started = clock()
            for start in range(0, len(resumes), size):
                matcher.top_k_many(resumes[start : start + size], k)
            timings.append((clock() - started) / len(resumes))
        results[size] = min(timings)
    return results


async def time_overhead(count: int, repeats: int) -> dict[str, float]:
    """Return the median seconds to run ``count`` trivial coroutines, per method."""

    async def trivial(value: int) -> int:
        return value

    items = list(range(count))
    methods: dict[str, Callable[[], Awaitable[Any]]] = {
        "asyncio.gather": lambda: asyncio.gather(*(trivial(i) for i in items)),
        "process_batch": lambda: AsyncProcessor.process_batch(items, trivial),
        "roadmap process_batch": lambda: RoadmapAsyncProcessor.process_batch(items, trivial),
    }
    samples: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(repeats):
        # Interleaved, so drift in machine load hits every method alike.
        for name, run in methods.items():
            started = time.perf_counter()
            results = await run()
            samples[name].append(time.perf_counter() - started)
            if list(results) != items:
                raise AssertionError(f"{name} returned wrong results")
    return {name: statistics.median(values) for name, values in samples.items()}


@dataclass(frozen=True)
class BatchingBenchConfig:
    """Sizes and settings of the batching benchmark."""

    jobs: int = 20_000
    requests: int = 1_000
    k: int = 10
    max_batch_size: int = 64
    max_wait_ms: float = 2.0
    call_ms: float = 5.0
    item_us: float = 20.0
    max_concurrent_batches: int = 2
    fixed_cost_batches: int = 4
    serving_repeats: int = 3
    coroutines: int = 10_000
    repeats: int = 7
    seed: int = 0

    def __post_init__(self) -> None:
        names = (
            "jobs",
            "requests",
            "k",
            "max_batch_size",
            "max_concurrent_batches",
            "fixed_cost_batches",
            "serving_repeats",
            "coroutines",
            "repeats",
        )
        for name in names:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("max_wait_ms", "call_ms", "item_us"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, got {getattr(self, name)}")


def _serving_summary(run: ServingRun) -> dict[str, float]:
    return {
        "throughput_per_s": run.throughput,
        "seconds": run.seconds,
        "mean_batch_size": run.mean_batch_size,
        **summarize(run.latencies),
    }


async def _best_runs(repeats: int, *modes: Callable[[], Awaitable[ServingRun]]) -> list[ServingRun]:
    """Run each mode ``repeats`` times, interleaved, and keep each one's fastest run.

    Other jobs on the machine only ever add time, so the fastest run is the least
    disturbed one.
    """
    best: list[ServingRun | None] = [None] * len(modes)
    for _ in range(repeats):
        for position, mode in enumerate(modes):
            run = await mode()
            if best[position] is None or run.seconds < best[position].seconds:
                best[position] = run
    return [run for run in best if run is not None]


async def _run_serving(config: BatchingBenchConfig, matcher: Any, resumes: list[Any]) -> dict:
    top_k = functools.partial(matcher.top_k_many, k=config.k)
    max_wait = config.max_wait_ms / 1e3
    warm_term_cache(matcher, resumes)
    matcher.top_k_many(resumes[:8], config.k)  # warm the allocator

    per_request, batched = await _best_runs(
        config.serving_repeats,
        lambda: serve_per_request(resumes, top_k),
        lambda: serve_micro_batched(
            resumes,
            top_k,
            max_batch_size=config.max_batch_size,
            max_wait=max_wait,
            max_concurrent_batches=config.max_concurrent_batches,
        ),
    )
    same = [[m.job_id for m in r] for r in per_request.results] == [
        [m.job_id for m in r] for r in batched.results
    ]
    sizes = sorted({1, 4, 16, config.max_batch_size})
    costs = per_resume_seconds(matcher, resumes[: max(sizes) * 2], config.k, sizes)
    matching = {
        "per_resume_ms": {str(size): seconds * 1e3 for size, seconds in costs.items()},
        # What sharing a call can save at most, on one thread: the rest is per résumé.
        "batching_ceiling": costs[1] / min(costs.values()),
        "one call per request": _serving_summary(per_request),
        "micro-batched": _serving_summary(batched),
        "throughput_ratio": batched.throughput / per_request.throughput,
        "same_rankings": same,
    }

    fixed = fixed_cost_call(config.call_ms / 1e3, config.item_us / 1e6)
    fixed_per_request, fixed_batched = await _best_runs(
        config.serving_repeats,
        lambda: serve_per_request(resumes, fixed),
        lambda: serve_micro_batched(
            resumes,
            fixed,
            max_batch_size=config.max_batch_size,
            max_wait=max_wait,
            max_concurrent_batches=config.fixed_cost_batches,
        ),
    )
    simulated = {
        "one call per request": _serving_summary(fixed_per_request),
        "micro-batched": _serving_summary(fixed_batched),
        "throughput_ratio": fixed_batched.throughput / fixed_per_request.throughput,
    }
    return {"matching": matching, "fixed_cost": simulated}


def run_batching_benchmark(config: BatchingBenchConfig) -> dict:
    """Run the benchmark described by ``config`` and return its results as a dict."""
    from mismatch_core.matching import VectorizedMatcher
    from mismatch_core.synthetic import generate, jobs_from_frame, resumes_from_frame

    results: dict = {"config": asdict(config)}
    dataset = generate(config.jobs, config.requests, seed=config.seed, progress=False)
    jobs = jobs_from_frame(dataset.jobs)
    resumes = resumes_from_frame(dataset.resumes)[: config.requests]
    matcher = VectorizedMatcher().fit(jobs)
    results["data"] = {"jobs": len(jobs), "requests": len(resumes)}
    logger.info("benchmarking %d concurrent requests against %d jobs", len(resumes), len(jobs))

    results["serving"] = asyncio.run(_run_serving(config, matcher, resumes))

    overhead = asyncio.run(time_overhead(config.coroutines, config.repeats))
    results["overhead"] = {
        "coroutines": config.coroutines,
        "median_seconds": overhead,
        "process_batch_vs_gather": overhead["process_batch"] / overhead["asyncio.gather"],
        "roadmap_vs_gather": overhead["roadmap process_batch"] / overhead["asyncio.gather"],
    }
    return results


def format_results(results: dict) -> str:
    """Render benchmark results as a short plain-text report."""
    data = results["data"]
    config = results["config"]
    lines = [
        (
            f"data: {data['jobs']:,} jobs, {data['requests']:,} concurrent requests, "
            f"max_batch_size {config['max_batch_size']}, max_wait {config['max_wait_ms']} ms, "
            f"{config['max_concurrent_batches']} matcher batch(es) in flight"
        )
    ]
    titles = {
        "matching": f"top-{config['k']} matching",
        "fixed_cost": (
            f"simulated I/O ({config['call_ms']} ms per call + {config['item_us']} us per item, "
            f"{config['fixed_cost_batches']} batches in flight)"
        ),
    }
    for key, title in titles.items():
        section = results["serving"][key]
        for mode in ("one call per request", "micro-batched"):
            stats = section[mode]
            lines.append(
                f"{title}, {mode}: {stats['throughput_per_s']:,.0f} requests/s, "
                f"p50 {stats['p50_ms']:.0f} ms, p99 {stats['p99_ms']:.0f} ms, "
                f"mean batch {stats['mean_batch_size']:.1f}"
            )
        lines.append(f"{title}: micro-batched throughput {section['throughput_ratio']:.1f}x")
        if "per_resume_ms" in section:
            costs = ", ".join(f"{size} {ms:.3f} ms" for size, ms in section["per_resume_ms"].items())
            lines.append(
                f"{title}: top_k_many per résumé by batch size (one thread): {costs}; "
                f"batching alone gains at most {section['batching_ceiling']:.1f}x"
            )
    lines.append(f"rankings identical: {results['serving']['matching']['same_rankings']}")

    overhead = results["overhead"]
    timings = ", ".join(
        f"{name} {seconds * 1e3:.1f} ms" for name, seconds in overhead["median_seconds"].items()
    )
    lines.append(f"{overhead['coroutines']:,} trivial coroutines (median): {timings}")
    lines.append(
        f"process_batch / gather: {overhead['process_batch_vs_gather']:.2f}x, "
        f"roadmap / gather: {overhead['roadmap_vs_gather']:.2f}x"
    )
    return "\n".join(lines)


def _bench_batching(args: argparse.Namespace) -> int:
    config = BatchingBenchConfig(
        jobs=args.jobs,
        requests=args.requests,
        k=args.k,
        max_batch_size=args.max_batch_size,
        max_wait_ms=args.max_wait_ms,
        call_ms=args.call_ms,
        item_us=args.item_us,
        max_concurrent_batches=args.max_concurrent_batches,
        fixed_cost_batches=args.fixed_cost_batches,
        serving_repeats=args.serving_repeats,
        coroutines=args.coroutines,
        repeats=args.repeats,
        seed=args.seed,
    )
    results = run_batching_benchmark(config)
    return print_results(format_results(results), results, args.json)


def register(bench_subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``bench batching`` subcommand to the ``bench`` subparsers."""
    parser = bench_subparsers.add_parser(
        "batching",
        help="micro-batched vs per-request matching, and process_batch overhead",
        description=(
            "Serve N concurrent single-résumé top-k requests with one matcher call per "
            "request and through a MicroBatcher, then the same requests against a "
            "simulated fixed-cost call; then time M trivial coroutines through "
            "asyncio.gather, AsyncProcessor.process_batch and the roadmap's processor. "
            "Prints throughput in requests per second, p50/p99 latency in milliseconds "
            "(measured from the launch of all requests) and the ratios."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--jobs", type=int, default=20_000, help="synthetic jobs to index")
    parser.add_argument(
        "--requests", type=int, default=1_000, help="concurrent requests, one résumé each"
    )
    parser.add_argument("--k", type=int, default=10, help="results per top-k request")
    parser.add_argument(
        "--max-batch-size", type=int, default=64, help="MicroBatcher max_batch_size, items"
    )
    parser.add_argument(
        "--max-wait-ms", type=float, default=2.0, help="MicroBatcher max_wait, milliseconds"
    )
    parser.add_argument(
        "--call-ms", type=float, default=5.0, help="simulated fixed cost per call, milliseconds"
    )
    parser.add_argument(
        "--item-us", type=float, default=20.0, help="simulated cost per item, microseconds"
    )
    parser.add_argument(
        "--max-concurrent-batches",
        type=int,
        default=2,
        help="matcher batches in flight at once (each already uses the matcher's own threads)",
    )
    parser.add_argument(
        "--fixed-cost-batches",
        type=int,
        default=4,
        help="batches in flight at once for the simulated call (a service that accepts several)",
    )
    parser.add_argument(
        "--serving-repeats",
        type=int,
        default=3,
        help="runs of each serving mode; the fastest is reported",
    )
    parser.add_argument(
        "--coroutines", type=int, default=10_000, help="trivial coroutines for the overhead test"
    )
    parser.add_argument(
        "--repeats", type=int, default=7, help="overhead repetitions; the median is reported"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for the synthetic data")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.set_defaults(handler=_bench_batching)
    return parser
