"""pytest-benchmark runs of the matchers, outside the default test run.

Run: ``.venv/bin/python -m pytest benchmarks/ --benchmark-only``. Compare saved runs
with ``--benchmark-autosave`` and ``pytest-benchmark compare``.
"""

from __future__ import annotations

import random

import pytest

from mismatch_core.matching import BaselineMatcher, VectorizedMatcher
from mismatch_core.synthetic import generate, jobs_from_frame, resumes_from_frame


@pytest.fixture(scope="module")
def fitted():
    dataset = generate(20_000, 200, seed=5, progress=False)
    jobs = jobs_from_frame(dataset.jobs)
    resumes = [r for r in resumes_from_frame(dataset.resumes) if r.text and r.skills]
    rng = random.Random(5)
    pairs = [(resumes[0], job.id) for job in rng.sample(jobs, 1_000)]
    return {
        "baseline": BaselineMatcher().fit(jobs),
        "vectorized": VectorizedMatcher().fit(jobs),
        "resumes": resumes,
        "pairs": pairs,
    }


@pytest.mark.parametrize("name", ["baseline", "vectorized"])
def test_score_1000_pairs(benchmark, fitted, name):
    matcher = fitted[name]
    benchmark.pedantic(matcher.score_pairs, args=(fitted["pairs"],), rounds=3 if name == "baseline" else 20)


def test_vectorized_top10(benchmark, fitted):
    resumes = iter(fitted["resumes"] * 100)
    benchmark(lambda: fitted["vectorized"].top_k(next(resumes), 10))
