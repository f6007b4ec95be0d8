"""``bench ratelimit``: the command line and a tiny run of every contender."""

from __future__ import annotations

import argparse
import json

import pytest

from mismatch_core.bench_ratelimit import (
    LIMITS_MEMORY,
    ROADMAP,
    RateLimitBenchConfig,
    format_results,
    register,
    run_ratelimit_benchmark,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench")
    register(parser.add_subparsers(dest="target", required=True))
    return parser


def test_help_names_units(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["ratelimit", "--help"])
    text = capsys.readouterr().out
    assert "decisions per second" in text
    assert "seconds" in text


def test_memory_run_same_admissions():
    config = RateLimitBenchConfig(decisions=2_000, clients=10, limit=100, rounds=1, redis=False)

    report = run_ratelimit_benchmark(config)

    admitted = {row["admitted"] for row in report["memory"].values()}
    assert admitted == {1_000}, "every contender decides the same on one sequence"
    assert set(report["memory"]) >= {"sliding_log", "sliding_counter", "gcra", LIMITS_MEMORY, ROADMAP}
    assert "redis" not in report
    assert "x limits' moving window" in format_results(report)


def test_redis_run_one_round_trip(redis_server, tmp_path):
    output = tmp_path / "bench.json"
    args = build_parser().parse_args([
        "ratelimit", "--decisions", "500", "--clients", "5", "--rounds", "1",
        "--redis-decisions", "200", "--redis-url", redis_server.url, "--json", str(output),
    ])

    assert args.handler(args) == 0

    report = json.loads(output.read_text())
    for name in ("sliding_log", "sliding_counter", "gcra"):
        trips = report["redis"]["round_trips"][f"{name} (redis)"]
        assert trips["round_trips_per_decision"] == 1.0
        assert trips["evalsha_per_decision"] == 1.0


def test_invalid_config_raises():
    with pytest.raises(ValueError, match="decisions must be at least 1"):
        RateLimitBenchConfig(decisions=0)
