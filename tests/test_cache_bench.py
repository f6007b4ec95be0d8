"""bench cache: the command line and a small run of both measurements."""

from __future__ import annotations

import argparse

import pytest

from mismatch_core.bench_cache import (
    CacheBenchConfig,
    format_results,
    register,
    run_cache_benchmark,
)
from mismatch_core.cache.workload import repeated_stream, simulate_hit_ratio, zipf_stream
from mismatch_core.model import Resume

RESUMES = [Resume(id=number, title=f"Developer {number}") for number in range(100)]


def test_register_adds_cache_target():
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="target"))
    args = parser.parse_args(["cache", "--requests", "50", "--hit-ratio", "0.5", "--no-redis"])
    assert args.requests == 50
    assert args.hit_ratio == 0.5
    assert args.no_redis is True
    assert callable(args.handler)


def test_small_run_reports_targets():
    config = CacheBenchConfig(
        jobs=1_000, resumes=100, requests=100, calls=2_000, repeats=2, redis=False
    )
    results = run_cache_benchmark(config)
    assert results["repeated_requests"]["hit_ratio"] == pytest.approx(0.8)
    assert results["repeated_requests"]["p50_drop"] > 0.5  # wide margin; the target is 0.9
    assert results["hit_cost"]["memory_vs_cachetools"] > 0
    assert "p50 drop against no cache" in format_results(results)


def test_invalid_config():
    with pytest.raises(ValueError, match="hit_ratio must be in"):
        CacheBenchConfig(hit_ratio=1.0)


def test_repeated_stream_exact_distinct():
    stream = repeated_stream(RESUMES, 50, 0.8, seed=3)
    assert len(stream) == 50
    assert len({resume.id for resume in stream}) == 10


def test_repeated_stream_needs_enough_resumes():
    with pytest.raises(ValueError, match="distinct résumés"):
        repeated_stream(RESUMES[:5], 100, 0.5)


def test_zipf_stream_edits_change_content():
    stream = zipf_stream(RESUMES, 2_000, exponent=1.2, edit_rate=0.05, seed=1)
    versions = {(resume.id, resume.text) for resume in stream}
    ids = {resume.id for resume in stream}
    assert len(versions) > len(ids)
    counts = sorted((sum(r.id == i for r in stream) for i in ids), reverse=True)
    assert counts[0] > 5 * counts[len(counts) // 2]  # popularity is skewed


def test_simulated_hit_ratio_grows_with_capacity_and_ttl():
    keys = [resume.id for resume in zipf_stream(RESUMES, 3_000, seed=2, edit_rate=0)]
    small = simulate_hit_ratio(keys, capacity=5, ttl=None, requests_per_second=10)
    large = simulate_hit_ratio(keys, capacity=100, ttl=None, requests_per_second=10)
    short = simulate_hit_ratio(keys, capacity=100, ttl=1, requests_per_second=10)
    assert small < large
    assert short < large
    assert large == pytest.approx(1 - len(set(keys)) / len(keys))
