"""Command line: ``python -m mismatch_core {bench,generate,report}``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from mismatch_core.benchmark import print_results
from mismatch_core.scale import SCALES


def _bench_matching(args: argparse.Namespace) -> int:
    from mismatch_core.bench_matching import (
        MatchingBenchConfig,
        format_results,
        run_matching_benchmark,
    )

    config = MatchingBenchConfig(
        jobs=args.jobs,
        resumes=args.resumes,
        pairs=args.pairs,
        k=args.k,
        requests=args.requests,
        baseline_requests=args.baseline_requests,
        all_pairs=args.all_pairs,
        source=args.source,
        data_dir=args.data_dir,
        seed=args.seed,
        sklearn=not args.no_sklearn,
        block_mb=args.block_mb,
    )
    results = run_matching_benchmark(config, progress=not args.quiet)
    return print_results(format_results(results), results, args.json)


def _row_count(text: str) -> int:
    from mismatch_core.synthetic import MAX_ROWS

    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_ROWS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_ROWS:,}, got {value:,}")
    return value


def _generate(args: argparse.Namespace) -> int:
    from mismatch_core.paths import generated_data_dir
    from mismatch_core.synthetic import generate, write_dataset

    out = Path(args.out) if args.out else generated_data_dir() / f"jobs{args.jobs}_seed{args.seed}"
    dataset = generate(args.jobs, args.resumes, seed=args.seed, progress=not args.quiet)
    paths = write_dataset(dataset, out, fmt=args.format)
    for name, path in paths.items():
        print(f"{name}: {path}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from mismatch_core.reports import ReportError, build_reports

    try:
        index = build_reports(
            notebooks_dir=Path(args.notebooks), out_dir=Path(args.out), scale=args.scale
        )
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"reports written: {index}")
    return 0


def _benchmark_registrations() -> list:
    from mismatch_core import bench_batching, bench_cache, bench_db, bench_ratelimit

    return [bench_cache.register, bench_batching.register, bench_db.register, bench_ratelimit.register]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``mismatch`` command."""
    from mismatch_core.synthetic import MAX_ROWS

    parser = argparse.ArgumentParser(
        prog="python -m mismatch_core",
        description="Performance workbench for a résumé-to-job matching backend.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    commands = parser.add_subparsers(dest="command", required=True)

    bench = commands.add_parser("bench", help="run a benchmark")
    bench_targets = bench.add_subparsers(dest="target", required=True)
    matching = bench_targets.add_parser(
        "matching",
        help="baseline vs vectorized matcher, with scikit-learn as a reference",
        description=(
            "Score pairs and run top-k requests with both matchers on the same data in one "
            "run. Prints pairs per second, p50/p95/p99 latency in milliseconds and the "
            "speedup, and checks that both matchers return the same scores and rankings."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    matching.add_argument("--jobs", type=int, default=20_000, help="synthetic jobs to index")
    matching.add_argument("--resumes", type=int, default=1_000, help="synthetic résumés")
    matching.add_argument("--pairs", type=int, default=1_000, help="random pairs to score")
    matching.add_argument("--k", type=int, default=10, help="results per top-k request")
    matching.add_argument("--requests", type=int, default=200, help="vectorized top-k requests")
    matching.add_argument(
        "--baseline-requests",
        type=int,
        default=5,
        help="baseline top-k requests; each scores every job in Python, so keep it small",
    )
    matching.add_argument(
        "--all-pairs", action="store_true", help="also rank every job for every résumé"
    )
    matching.add_argument(
        "--source", choices=("synthetic", "real"), default="synthetic",
        help="synthetic data of the sizes above, or the real files (sizes come from them)",
    )
    matching.add_argument("--data-dir", help="folder of real files; without it, $MISMATCH_DATA_DIR, else ../shared/data")
    matching.add_argument("--seed", type=int, default=0, help="seed for data and sampling")
    matching.add_argument("--block-mb", type=int, default=256, help="memory per all-pairs block, MiB")
    matching.add_argument("--no-sklearn", action="store_true", help="skip the scikit-learn run")
    matching.add_argument("--json", help="also write the results to this JSON file")
    matching.add_argument("--quiet", action="store_true", help="no progress bar")
    matching.set_defaults(handler=_bench_matching)
    for register in _benchmark_registrations():
        register(bench_targets)

    generate = commands.add_parser(
        "generate",
        help="write a seeded synthetic data set",
        description=(
            "Generate companies, job postings and résumés with realistic shapes (Zipf skill "
            "frequencies, heavy-tailed company sizes, Russian and English text) and write "
            "them as three Parquet or CSV files. The same seed gives the same data."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    generate.add_argument("--jobs", type=_row_count, default=20_000,
                          help=f"jobs to generate, 1 to {MAX_ROWS:,}")
    generate.add_argument("--resumes", type=_row_count, default=2_000,
                          help=f"résumés to generate, 1 to {MAX_ROWS:,}")
    generate.add_argument("--seed", type=int, default=0, help="random seed; same seed, same data")
    generate.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                          help="file format of the three tables")
    generate.add_argument("--out", help="output folder; without it, data/generated/jobs<N>_seed<S>")
    generate.add_argument("--quiet", action="store_true", help="no progress bar")
    generate.set_defaults(handler=_generate)

    serve = commands.add_parser(
        "serve",
        help="run the Flask backend under gunicorn on 127.0.0.1",
        description=(
            "Migrate the database for the mode, load a synthetic data set if it holds no "
            "jobs, then run gunicorn on 127.0.0.1 until Ctrl-C or SIGTERM. Routes: GET "
            "/health, GET /companies/<id>/jobs, GET /resumes/<id>/matches, POST /match, "
            "GET /metrics."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    from mismatch_core.backend.serve import add_arguments, run

    add_arguments(serve)
    serve.set_defaults(handler=run)

    report = commands.add_parser(
        "report",
        help="execute every notebook and write HTML reports",
        description=(
            "Execute every notebook at the chosen scale and write one HTML report per "
            "notebook and an index.html with each one's headline numbers. A notebook "
            "whose assert fails is reported as failed, and the command exits with 1."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    report.add_argument(
        "--scale", choices=tuple(SCALES), default="medium",
        help="workload size: small (CI, a few minutes), medium, large (tens of minutes)",
    )
    report.add_argument("--notebooks", default="notebooks", help="folder of notebooks to run")
    report.add_argument("--out", default="reports", help="folder for the HTML reports")
    report.set_defaults(handler=_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.handler(args)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
