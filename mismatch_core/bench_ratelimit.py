"""``bench ratelimit``: decisions per second of the rate limiters, side by side in one run.

Contenders on the same workload: this package's three algorithms, the ``limits``
library's moving window (5.8, the pinned version) and the roadmap's limiter, in memory;
then this package and ``limits`` on a throwaway loopback redis-server, where the round
trips per decision are counted on the client socket and as ``EVALSHA`` calls on the
server.

Contenders run in interleaved rounds, each on a fresh limiter and the same request
sequence, and the fastest round of each is kept, because on a shared machine the slow
rounds measure the neighbours. Speedups are ratios within the run.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import redis

from mismatch_core.benchmark import print_results
from mismatch_core.ratelimit import RateLimiter
from mismatch_core.ratelimit.experiments import ALGORITHM_NAMES
from mismatch_core.ratelimit.redis_storage import RedisStorage
from mismatch_core.ratelimit.roadmap import RoadmapRateLimiter

logger = logging.getLogger(__name__)

LIMITS_MEMORY = "limits moving window (memory)"
LIMITS_REDIS = "limits moving window (redis)"
ROADMAP = "roadmap RateLimiter"


@dataclass(frozen=True)
class RateLimitBenchConfig:
    """Workload of ``bench ratelimit``: clients, decisions, limit and rounds."""

    decisions: int = 50_000
    clients: int = 250
    limit: int = 100
    window: float = 60.0
    rounds: int = 5
    redis: bool = True
    redis_decisions: int = 3_000
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("decisions", "clients", "limit", "rounds", "redis_decisions"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.window <= 0:
            raise ValueError(f"window must be above 0 seconds, got {self.window}")


@dataclass
class ContenderResult:
    """Seconds per round of one contender, and what it decided."""

    name: str
    decisions: int
    round_seconds: list[float] = field(default_factory=list)
    admitted: int = 0

    @property
    def best_per_second(self) -> float:
        """Decisions per second in the fastest round."""
        return self.decisions / min(self.round_seconds)

    @property
    def median_per_second(self) -> float:
        """Decisions per second in the median round."""
        return self.decisions / statistics.median(self.round_seconds)

    def as_dict(self) -> dict[str, object]:
        """Return the result with its derived rates, for JSON."""
        return {**asdict(self), "best_per_second": self.best_per_second,
                "median_per_second": self.median_per_second}


def client_sequence(config: RateLimitBenchConfig) -> list[str]:
    """Return the request sequence: client ids drawn uniformly from ``config.clients``."""
    rng = random.Random(config.seed)
    names = [f"client-{index:05d}" for index in range(config.clients)]
    return [rng.choice(names) for _ in range(config.decisions)]


def memory_factories(config: RateLimitBenchConfig) -> dict[str, Callable[[], Callable[[str], bool]]]:
    """Return, per contender, a factory of a fresh in-memory ``is_admitted(client)``."""
    from limits import RateLimitItemPerSecond
    from limits.storage import MemoryStorage as LimitsMemoryStorage
    from limits.strategies import MovingWindowRateLimiter

    def ours(algorithm: str) -> Callable[[], Callable[[str], bool]]:
        def make() -> Callable[[str], bool]:
            hit = RateLimiter(config.limit, config.window, algorithm=algorithm).hit
            return lambda client: hit(client)[0]
        return make

    def limits_memory() -> Callable[[str], bool]:
        item = RateLimitItemPerSecond(config.limit, int(config.window))
        hit = MovingWindowRateLimiter(LimitsMemoryStorage()).hit
        return lambda client: hit(item, client)

    def roadmap() -> Callable[[str], bool]:
        is_rate_limited = RoadmapRateLimiter(config.limit, int(config.window)).is_rate_limited
        return lambda client: not is_rate_limited(client)

    factories = {name: ours(name) for name in ALGORITHM_NAMES}
    factories[LIMITS_MEMORY] = limits_memory
    factories[ROADMAP] = roadmap
    return factories


def run_rounds(
    factories: dict[str, Callable[[], Callable[[str], bool]]],
    clients: list[str],
    rounds: int,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, ContenderResult]:
    """Time every contender over ``clients`` in ``rounds`` interleaved rounds."""
    results = {name: ContenderResult(name, len(clients)) for name in factories}
    for round_index in range(rounds):
        for name, factory in factories.items():
            is_admitted = factory()
            started = clock()
            admitted = 0
            for client in clients:
                if is_admitted(client):
                    admitted += 1
            results[name].round_seconds.append(clock() - started)
            results[name].admitted = admitted
        logger.debug("round %d of %d done", round_index + 1, rounds)
    return results


class _CountingConnection(redis.Connection):
    sent = 0

    def send_packed_command(self, command, check_health=True):
        _CountingConnection.sent += 1
        return super().send_packed_command(command, check_health)


def _evalsha_calls(observer: redis.Redis) -> int:
    stats = observer.info("commandstats")
    return sum(stats.get(name, {}).get("calls", 0) for name in ("cmdstat_evalsha", "cmdstat_eval"))


def run_redis(config: RateLimitBenchConfig, url: str) -> dict[str, object]:
    """Measure decisions per second and round trips per decision on the Redis at ``url``."""
    from limits import RateLimitItemPerSecond
    from limits.storage import storage_from_string
    from limits.strategies import MovingWindowRateLimiter

    clients = client_sequence(config)[: config.redis_decisions]
    observer = redis.Redis.from_url(url)
    pool = redis.ConnectionPool.from_url(url, connection_class=_CountingConnection)
    storage = RedisStorage(url, client=redis.Redis(connection_pool=pool))
    trips: dict[str, dict[str, float]] = {}

    def ours(algorithm: str) -> Callable[[], Callable[[str], bool]]:
        def make() -> Callable[[str], bool]:
            storage.reset()
            hit = RateLimiter(config.limit, config.window, algorithm=algorithm, storage=storage).hit
            hit("warm-up")  # loads the script, so rounds count steady-state round trips
            return lambda client: hit(client)[0]
        return make

    def limits_redis() -> Callable[[str], bool]:
        limits_storage = storage_from_string(url)
        limits_storage.reset()
        item = RateLimitItemPerSecond(config.limit, int(config.window))
        hit = MovingWindowRateLimiter(limits_storage).hit
        hit(item, "warm-up")
        return lambda client: hit(item, client)

    factories = {f"{name} (redis)": ours(name) for name in ALGORITHM_NAMES}
    factories[LIMITS_REDIS] = limits_redis
    results = {name: ContenderResult(name, len(clients)) for name in factories}
    for _ in range(max(1, config.rounds // 2)):
        for name, factory in factories.items():
            is_admitted = factory()
            sent_before, evalsha_before = _CountingConnection.sent, _evalsha_calls(observer)
            started = time.perf_counter()
            admitted = sum(1 for client in clients if is_admitted(client))
            results[name].round_seconds.append(time.perf_counter() - started)
            results[name].admitted = admitted
            evalsha = _evalsha_calls(observer) - evalsha_before
            sent = _CountingConnection.sent - sent_before if not name.startswith("limits") else None
            trips[name] = {
                "evalsha_per_decision": evalsha / len(clients),
                "round_trips_per_decision": None if sent is None else sent / len(clients),
            }
    return {"results": {name: result.as_dict() for name, result in results.items()}, "round_trips": trips}


def run_ratelimit_benchmark(config: RateLimitBenchConfig, redis_url: str | None = None) -> dict[str, object]:
    """Run the in-memory comparison and, if enabled, the Redis one; return a JSON-ready dict.

    Without ``redis_url`` a throwaway redis-server is started when the binary exists.
    """
    clients = client_sequence(config)
    memory = run_rounds(memory_factories(config), clients, config.rounds)
    ours_best = {name: memory[name].best_per_second for name in ALGORITHM_NAMES}
    report: dict[str, object] = {
        "config": asdict(config),
        "memory": {name: result.as_dict() for name, result in memory.items()},
        "speedup_vs_limits": {
            name: rate / memory[LIMITS_MEMORY].best_per_second for name, rate in ours_best.items()
        },
        "speedup_vs_roadmap": {
            name: rate / memory[ROADMAP].best_per_second for name, rate in ours_best.items()
        },
    }
    if config.redis:
        report["redis"] = _run_redis_somewhere(config, redis_url)
    return report


def _run_redis_somewhere(config: RateLimitBenchConfig, redis_url: str | None) -> dict[str, object]:
    if redis_url:
        return run_redis(config, redis_url)
    from mismatch_core.servers import RedisServer, ServerUnavailable

    try:
        server = RedisServer()
    except ServerUnavailable as missing:
        logger.warning("Redis part skipped: %s", missing)
        return {"skipped": str(missing)}
    with server:
        return run_redis(config, server.url)


def format_results(report: dict[str, object]) -> str:
    """Return the benchmark report as a plain-text table."""
    config = report["config"]
    lines = [
        (
            f"in memory: {config['decisions']:,} decisions over {config['clients']} clients, "
            f"limit {config['limit']} per {config['window']:g} s, best of {config['rounds']} rounds"
        ),
        f"{'contender':<34}{'decisions/s best':>18}{'median':>14}{'admitted':>10}",
    ]
    for name, row in report["memory"].items():
        lines.append(f"{name:<34}{row['best_per_second']:>18,.0f}{row['median_per_second']:>14,.0f}{row['admitted']:>10,}")
    for name in ALGORITHM_NAMES:
        lines.append(
            f"{name}: {report['speedup_vs_limits'][name]:.1f}x limits' moving window, "
            f"{report['speedup_vs_roadmap'][name]:.1f}x the roadmap's limiter"
        )
    redis_part = report.get("redis")
    if redis_part and "skipped" not in redis_part:
        lines += ["", f"on redis ({config['redis_decisions']:,} decisions, loopback):",
                  f"{'contender':<34}{'decisions/s best':>18}{'EVALSHA/dec':>13}{'trips/dec':>11}"]
        for name, row in redis_part["results"].items():
            trips = redis_part["round_trips"][name]
            measured = trips["round_trips_per_decision"]
            lines.append(
                f"{name:<34}{row['best_per_second']:>18,.0f}{trips['evalsha_per_decision']:>13.2f}"
                f"{'n/a' if measured is None else f'{measured:.2f}':>11}"
            )
    elif redis_part:
        lines.append(f"redis: skipped ({redis_part['skipped']})")
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    config = RateLimitBenchConfig(
        decisions=args.decisions, clients=args.clients, limit=args.limit, window=args.window,
        rounds=args.rounds, redis=not args.no_redis, redis_decisions=args.redis_decisions, seed=args.seed,
    )
    report = run_ratelimit_benchmark(config, redis_url=args.redis_url)
    return print_results(format_results(report), report, args.json)


def register(bench_subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``ratelimit`` target to the ``bench`` command."""
    parser = bench_subparsers.add_parser(
        "ratelimit",
        help="rate limiters: decisions per second, in memory and on Redis",
        description=(
            "Run this package's sliding-window log, sliding-window counter and GCRA, the "
            "limits library's moving window and the roadmap's limiter on one request "
            "sequence, in interleaved rounds. Prints decisions per second (best and "
            "median round), admitted requests and the speedups. On Redis it also prints "
            "EVALSHA calls and client round trips per decision."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--decisions", type=int, default=50_000, help="in-memory decisions per round")
    parser.add_argument("--clients", type=int, default=250, help="distinct client ids in the sequence")
    parser.add_argument("--limit", type=int, default=100, help="requests admitted per window")
    parser.add_argument("--window", type=float, default=60.0, help="window length, seconds")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; the fastest is reported")
    parser.add_argument("--redis-decisions", type=int, default=3_000, help="decisions per round on Redis")
    parser.add_argument("--redis-url", help="use this Redis (redis://127.0.0.1:PORT/0) instead of a throwaway one")
    parser.add_argument("--no-redis", action="store_true", help="skip the Redis part")
    parser.add_argument("--seed", type=int, default=0, help="seed of the request sequence")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.set_defaults(handler=_run)
    return parser
