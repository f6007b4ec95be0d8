"""``bench db``: query latency before and after the index migration, and bulk load rates.

Every figure comes from one run on one database file. The data is loaded at the initial
schema, which has the roadmap's ``idx_company_id`` and ``idx_created_at`` only, and each
query is timed. Then the "add indexes" migration runs on the same file and the same
requests are timed again. The batched Core load and the naive ORM load insert the same
rows into fresh files side by side.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from mismatch_core.benchmark import print_results, summarize

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DbBenchConfig:
    """Sizes and options of one ``bench db`` run."""

    jobs: int = 1_000_000
    resumes: int = 20_000
    requests: int = 300
    repeats: int = 3
    naive_rows: int = 5_000
    match_resumes: int = 500
    match_jobs: int = 20_000
    batch_size: int = 10_000
    seed: int = 0
    path: str | None = None
    postgres_url: str | None = None

    def __post_init__(self) -> None:
        for name in ("jobs", "resumes", "requests", "repeats", "naive_rows", "match_resumes",
                     "match_jobs", "batch_size"):
            value = getattr(self, name)
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")


def _ratios(before: np.ndarray, after: np.ndarray) -> dict[str, float]:
    return {
        "p50_speedup": float(np.median(before) / np.median(after)),
        "p99_speedup": float(np.percentile(before, 99) / np.percentile(after, 99)),
        "mean_speedup": float(before.mean() / after.mean()),
    }


def _run_on(engine, frames, workload, config: DbBenchConfig) -> dict:
    from mismatch_core.db.experiment import add_indexes, measure_queries, prepare_database

    load = prepare_database(engine, frames, batch_size=config.batch_size)
    before = measure_queries(engine, workload, repeats=config.repeats)
    migration_seconds = add_indexes(engine)
    after = measure_queries(engine, workload, repeats=config.repeats)

    queries = {}
    for name in workload:
        queries[name] = {
            "before": summarize(before[name].latencies),
            "after": summarize(after[name].latencies),
            **_ratios(before[name].latencies, after[name].latencies),
            "cursor": {
                "before": summarize(before[name].cursor_latencies),
                "after": summarize(after[name].cursor_latencies),
                **_ratios(before[name].cursor_latencies, after[name].cursor_latencies),
            },
            "plan_before": before[name].plan.text(),
            "plan_after": after[name].plan.text(),
        }
    return {
        "load": {
            "jobs_rows_per_second": load.rows_per_second("jobs"),
            "all_rows_per_second": load.total_rows / load.total_seconds,
            "rows": load.rows,
            "seconds": load.seconds,
        },
        "migration_seconds": migration_seconds,
        "queries": queries,
    }


def run_db_benchmark(config: DbBenchConfig) -> dict:
    """Run the benchmark described by ``config`` and return its results as a dict."""
    from mismatch_core.db.engine import open_engine
    from mismatch_core.db.experiment import (
        DbScale,
        build_frames,
        compare_bulk_loads,
        query_workload,
    )

    scale = DbScale("bench", config.jobs, config.resumes, config.requests,
                    config.match_resumes, config.match_jobs, config.naive_rows)
    started = time.perf_counter()
    frames = build_frames(scale, seed=config.seed)
    results: dict = {
        "config": asdict(config),
        "rows": {name: len(frame) for name, frame in frames.items()},
        "generate_seconds": time.perf_counter() - started,
    }
    workload = query_workload(frames, config.requests, seed=config.seed)

    with tempfile.TemporaryDirectory(prefix="mismatch-bench-db-") as directory:
        path = Path(config.path) if config.path else Path(directory) / "bench.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        engine = open_engine(path=path)
        try:
            results["sqlite"] = _run_on(engine, frames, workload, config)
        finally:
            engine.dispose()
        results["sqlite"]["bulk_load_comparison"] = compare_bulk_loads(
            frames, min(config.naive_rows, len(frames["jobs"]))
        )

    if config.postgres_url:
        engine = open_engine(config.postgres_url)
        try:
            results["postgresql"] = _run_on(engine, frames, workload, config)
        finally:
            engine.dispose()
    return results


def format_results(results: dict) -> str:
    """Render benchmark results as a short plain-text report."""
    rows = results["rows"]
    data = (f"data: {rows['jobs']:,} jobs, {rows['job_skills']:,} job skills, "
            f"{rows['resumes']:,} résumés, {rows['match_results']:,} stored matches")
    lines = [data]
    for backend in ("sqlite", "postgresql"):
        if backend not in results:
            continue
        run = results[backend]
        load = run["load"]
        lines.append(
            f"[{backend}] bulk load: {load['jobs_rows_per_second']:,.0f} job rows/s, "
            f"{load['all_rows_per_second']:,.0f} rows/s over all tables; "
            f"add-indexes migration {run['migration_seconds']:.1f} s"
        )
        if "bulk_load_comparison" in run:
            compare = run["bulk_load_comparison"]
            lines.append(
                f"[{backend}] same {compare['rows']:,.0f} jobs: batched Core "
                f"{compare['batched_core_rows_per_second']:,.0f} rows/s, naive ORM "
                f"{compare['naive_orm_rows_per_second']:,.0f} rows/s"
            )
        for name, query in run["queries"].items():
            for where, figures in (("SQLAlchemy", query), ("cursor", query["cursor"])):
                before, after = figures["before"], figures["after"]
                lines.append(
                    f"[{backend}] {name} ({where}): "
                    f"p50 {before['p50_ms']:.3f} -> {after['p50_ms']:.3f} ms, "
                    f"p99 {before['p99_ms']:.3f} -> {after['p99_ms']:.3f} ms, "
                    f"mean {before['mean_ms']:.3f} -> {after['mean_ms']:.3f} ms; speedup "
                    f"p50 {figures['p50_speedup']:.1f}x, p99 {figures['p99_speedup']:.1f}x, "
                    f"mean {figures['mean_speedup']:.1f}x"
                )
    lines.append(
        "SQLAlchemy: connection.execute(statement).all(), what the backend waits for. "
        "cursor: the same SQL and parameters on the DB-API cursor, execute plus fetch: the "
        "database's work, the driver's row conversion and, on PostgreSQL, the round trip"
    )
    return "\n".join(lines)


def _bench_db(args: argparse.Namespace) -> int:
    config = DbBenchConfig(
        jobs=args.jobs, resumes=args.resumes, requests=args.requests, repeats=args.repeats,
        naive_rows=args.naive_rows, match_resumes=args.match_resumes,
        match_jobs=args.match_jobs, batch_size=args.batch_size, seed=args.seed,
        path=args.path, postgres_url=args.postgres_url,
    )
    server = None
    if args.postgres and not config.postgres_url:
        from mismatch_core.db.engine import create_postgres_database
        from mismatch_core.servers import PostgresServer

        server = PostgresServer().start()
        url = create_postgres_database(server.url, "bench_db")
        config = DbBenchConfig(**{**asdict(config), "postgres_url": url.render_as_string(False)})
    try:
        results = run_db_benchmark(config)
    finally:
        if server is not None:
            server.close()
    return print_results(format_results(results), results, args.json)


def register(bench_subparsers) -> argparse.ArgumentParser:
    """Add the ``bench db`` subcommand to the ``bench`` subparsers and return its parser."""
    parser = bench_subparsers.add_parser(
        "db",
        help="query latency before and after the index migration, bulk load rate",
        description=(
            "Load synthetic data into a SQLite file at the initial schema (the roadmap's "
            "two jobs indexes), time each backend query, apply the add-indexes migration "
            "to the same file and time the same requests again. Prints p50/p99/mean "
            "latency in milliseconds before and after, through SQLAlchemy and on the "
            "DB-API cursor alone, their ratios (speedup), and the "
            "bulk load rate in rows per second, batched Core beside the naive ORM load. "
            "Optionally repeats the query part on PostgreSQL."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    defaults = DbBenchConfig()
    parser.add_argument("--jobs", type=int, default=defaults.jobs, help="synthetic jobs")
    parser.add_argument("--resumes", type=int, default=defaults.resumes, help="synthetic résumés")
    parser.add_argument("--requests", type=int, default=defaults.requests,
                        help="timed requests per query, before and after each")
    parser.add_argument("--repeats", type=int, default=defaults.repeats,
                        help="runs of the request stream; each request keeps its fastest run")
    parser.add_argument("--naive-rows", type=int, default=defaults.naive_rows,
                        help="jobs inserted by both the naive ORM load and the batched load")
    parser.add_argument("--match-resumes", type=int, default=defaults.match_resumes,
                        help="résumés scored by the matcher for the stored-matches table")
    parser.add_argument("--match-jobs", type=int, default=defaults.match_jobs,
                        help="jobs the matcher indexes for the stored matches")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size,
                        help="rows per executemany batch of the bulk load")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="data and sampling seed")
    parser.add_argument("--path", help="SQLite file to delete and recreate; "
                        "without it, a temporary file")
    parser.add_argument("--postgres-url", help="SQLAlchemy URL of a PostgreSQL database to "
                        "run on too: empty, or migrated by this package (downgraded to base "
                        "first, which drops its tables)")
    parser.add_argument("--postgres", action="store_true",
                        help="also start a throwaway PostgreSQL server on loopback and run there")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.set_defaults(handler=_bench_db)
    return parser
