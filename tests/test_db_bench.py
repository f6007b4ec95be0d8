"""bench db: the command line and a small run on a SQLite file."""

from __future__ import annotations

import argparse

from mismatch_core.bench_db import DbBenchConfig, format_results, register, run_db_benchmark


def test_register_adds_db_target():
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="target"))
    args = parser.parse_args(["db", "--jobs", "5000", "--requests", "20", "--postgres"])
    assert (args.jobs, args.requests, args.postgres) == (5_000, 20, True)
    assert callable(args.handler)


def test_small_run_times_both_ways(tmp_path):
    config = DbBenchConfig(
        jobs=6_000, resumes=300, requests=30, repeats=2, naive_rows=200,
        match_resumes=20, match_jobs=1_000, path=str(tmp_path / "bench.sqlite"),
    )
    results = run_db_benchmark(config)
    sqlite = results["sqlite"]
    assert sqlite["load"]["rows"]["jobs"] == 6_000
    company = sqlite["queries"]["company_newest_jobs"]
    assert "idx_company_id" in company["plan_before"]
    assert "ix_jobs_company_id_created_at" in company["plan_after"]
    for figures in (company, company["cursor"]):
        assert figures["before"]["mean_ms"] > 0
        assert figures["after"]["mean_ms"] > 0
    # The cursor path does a subset of SQLAlchemy's work, so its median is lower.
    assert company["cursor"]["after"]["p50_ms"] < company["after"]["p50_ms"]
    text = format_results(results)
    assert "company_newest_jobs (SQLAlchemy)" in text
    assert "company_newest_jobs (cursor)" in text
