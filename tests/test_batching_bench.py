"""The batching benchmark on a tiny workload, and its command line."""

from __future__ import annotations

import argparse
import asyncio
import json

import pytest

from mismatch_core.batching.simulated import SimulatedBackend, TooManyConnections
from mismatch_core.bench_batching import (
    BatchingBenchConfig,
    CompletionTimer,
    format_results,
    per_resume_seconds,
    register,
    run_batching_benchmark,
    time_overhead,
)

TINY = {
    "jobs": 300,
    "requests": 40,
    "max_batch_size": 8,
    "call_ms": 1.0,
    "serving_repeats": 1,
    "coroutines": 200,
    "repeats": 1,
}


def test_benchmark_results():
    results = run_batching_benchmark(BatchingBenchConfig(**TINY))
    matching = results["serving"]["matching"]
    assert matching["same_rankings"] is True
    assert matching["one call per request"]["n"] == 40
    assert matching["one call per request"]["mean_batch_size"] == 1.0
    assert matching["micro-batched"]["mean_batch_size"] > 1.0
    assert results["serving"]["fixed_cost"]["throughput_ratio"] > 0
    assert set(matching["per_resume_ms"]) == {"1", "4", "16", str(TINY["max_batch_size"])}
    assert all(ms > 0 for ms in matching["per_resume_ms"].values())
    assert matching["batching_ceiling"] >= 1.0
    assert set(results["overhead"]["median_seconds"]) == {
        "asyncio.gather",
        "process_batch",
        "roadmap process_batch",
    }
    text = format_results(results)
    assert "micro-batched throughput" in text
    assert "process_batch / gather" in text
    assert "batching alone gains at most" in text
    json.dumps(results)


def test_per_resume_seconds_counts_calls():
    calls = []

    class CountingMatcher:
        def top_k_many(self, resumes, k):
            calls.append(len(resumes))
            return [[] for _ in resumes]

    ticks = iter(range(100))
    costs = per_resume_seconds(
        CountingMatcher(), list(range(8)), 10, [1, 4], passes=2, clock=lambda: next(ticks)
    )
    assert calls == [1] * 8 + [1] * 8 + [4, 4] + [4, 4]
    # One tick per pass over 8 résumés with the fake clock.
    assert costs == {1: 1 / 8, 4: 1 / 8}
    with pytest.raises(ValueError, match="resumes is empty"):
        per_resume_seconds(CountingMatcher(), [], 10, [1])


def test_command_line(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="target", required=True))
    out = tmp_path / "bench.json"
    options = [f"--{name.replace('_', '-')}={value}" for name, value in TINY.items()]
    args = parser.parse_args(["batching", *options, "--json", str(out)])
    assert args.handler(args) == 0
    assert "rankings identical: True" in capsys.readouterr().out
    assert json.loads(out.read_text())["config"]["requests"] == 40


def test_help_names_units():
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers(dest="target")
    help_text = register(subparsers).format_help()
    assert "milliseconds" in help_text
    assert "requests per second" in help_text


@pytest.mark.parametrize("name", ["requests", "max_batch_size", "coroutines"])
def test_config_rejects_zero(name):
    with pytest.raises(ValueError, match=f"{name} must be at least 1"):
        BatchingBenchConfig(**{name: 0})


def test_overhead_counts():
    medians = asyncio.run(time_overhead(100, repeats=2))
    assert all(seconds > 0 for seconds in medians.values())


def test_simulated_backend_limit():
    async def main():
        backend = SimulatedBackend(latency=0.01, max_connections=2)
        outcomes = await asyncio.gather(
            *(backend.query(i) for i in range(5)), return_exceptions=True
        )
        return backend, outcomes

    backend, outcomes = asyncio.run(main())
    assert outcomes[:2] == [0, 1]
    assert all(isinstance(outcome, TooManyConnections) for outcome in outcomes[2:])
    assert backend.rejected == 3
    assert backend.peak == 2
    assert backend.open == 0


def test_completion_timer_clock():
    now = [10.0]
    timer = CompletionTimer(clock=lambda: now[0])

    def work(value: int) -> int:
        now[0] += 0.5
        return value

    timed = timer.wrap_blocking(work)
    assert [timed(1), timed(2)] == [1, 2]
    assert timer.latencies().tolist() == [0.5, 1.0]
