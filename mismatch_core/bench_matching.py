"""The matching benchmark: baseline against vectorized, with scikit-learn as a reference.

Every figure comes from one run on the same data:
- pair scoring throughput (pairs per second) and the ratio between the matchers, for a
  shortlist (one résumé, many jobs) and for random pairs;
- top-k latency per request (p50/p95/p99) against all jobs;
- the same top-k request done the scikit-learn way for the text component alone
  (``TfidfVectorizer`` plus ``linear_kernel``), the library a team would reach for first;
- optionally all-pairs top-k over every résumé, with wall time and peak RSS.
It also checks that both matchers returned the same scores and rankings.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from mismatch_core.benchmark import measure_latencies, peak_rss_bytes, summarize, time_once
from mismatch_core.matching import BaselineMatcher, VectorizedMatcher
from mismatch_core.matching.scoring import job_document
from mismatch_core.model import Job, Resume
from mismatch_core.text import terms

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MatchingBenchConfig:
    """Settings of the matching benchmark: workload sizes, sources and what to run."""

    jobs: int = 20_000
    resumes: int = 1_000
    pairs: int = 1_000
    k: int = 10
    requests: int = 200
    baseline_requests: int = 5
    all_pairs: bool = False
    source: str = "synthetic"
    data_dir: str | None = None
    seed: int = 0
    sklearn: bool = True
    block_mb: int = 256

    def __post_init__(self) -> None:
        for name in ("jobs", "resumes", "pairs", "k", "requests", "block_mb"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.baseline_requests < 0:
            raise ValueError(f"baseline_requests must be 0 or more, got {self.baseline_requests}")
        if self.source not in ("synthetic", "real"):
            raise ValueError(f"source must be 'synthetic' or 'real', got {self.source!r}")


def load_workload(config: MatchingBenchConfig) -> tuple[list[Job], list[Resume]]:
    """Return the jobs and résumés the benchmark runs on."""
    if config.source == "real":
        from mismatch_core.loaders import load_real_jobs, load_resumes_csv
        from mismatch_core.paths import shared_data_dir

        directory = Path(config.data_dir) if config.data_dir else shared_data_dir()
        if directory is None:
            raise FileNotFoundError(
                "no real data folder found; pass --data-dir or set MISMATCH_DATA_DIR"
            )
        jobs = load_real_jobs(directory, on_error="skip").items
        resumes = load_resumes_csv(directory / "resumes_en.csv", on_error="skip").items
        return jobs, resumes

    from mismatch_core.synthetic import generate, jobs_from_frame, resumes_from_frame

    dataset = generate(config.jobs, config.resumes, seed=config.seed, progress=False)
    return jobs_from_frame(dataset.jobs), resumes_from_frame(dataset.resumes)


def _sklearn_reference(jobs: Sequence[Job], resumes: Sequence[Resume], k: int) -> np.ndarray:
    """Time text-only top-k per request with scikit-learn's TF-IDF and cosine kernel."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    vectorizer = TfidfVectorizer(analyzer=terms, sublinear_tf=True, smooth_idf=True)
    matrix = vectorizer.fit_transform([job_document(job) for job in jobs])

    def request(resume: Resume) -> np.ndarray:
        similarity = linear_kernel(vectorizer.transform([resume.text]), matrix).ravel()
        top = np.argpartition(-similarity, min(k, similarity.size - 1))[:k]
        return top[np.argsort(-similarity[top], kind="stable")]

    return measure_latencies(request, resumes)


Pairs = list[tuple[Resume, int]]


def pair_workloads(
    resumes: Sequence[Resume], jobs: Sequence[Job], count: int, rng: random.Random
) -> dict[str, Pairs]:
    """Return the two pair-scoring workloads, each ``count`` pairs long.

    ``shortlist``: one résumé against ``count`` distinct jobs, as when a request rescores
    a candidate list. ``random``: ``count`` pairs of random résumés and jobs, where each
    résumé must be tokenized anyway, so it bounds what any implementation can save.
    """
    resume = rng.choice(resumes)
    job_ids = [job.id for job in jobs]
    shortlist = [(resume, job_id) for job_id in rng.sample(job_ids, min(count, len(job_ids)))]
    while len(shortlist) < count:
        shortlist.append((resume, rng.choice(job_ids)))
    random_pairs = [(rng.choice(resumes), rng.choice(job_ids)) for _ in range(count)]
    return {"shortlist": shortlist, "random": random_pairs}


def compare_pair_scoring(
    baseline: BaselineMatcher, vectorized: VectorizedMatcher, pairs: Pairs, repeats: int = 5
) -> dict[str, float]:
    """Score the same pairs with both matchers; return throughput, speedup and difference."""
    baseline_seconds = time_once(lambda: baseline.score_pairs(pairs))
    vectorized_seconds = float(
        np.median([time_once(lambda: vectorized.score_pairs(pairs)) for _ in range(repeats)])
    )
    difference = np.abs(baseline.score_pairs(pairs) - vectorized.score_pairs(pairs)).max()
    return {
        "count": len(pairs),
        "baseline_pairs_per_second": len(pairs) / baseline_seconds,
        "vectorized_pairs_per_second": len(pairs) / vectorized_seconds,
        "speedup": baseline_seconds / vectorized_seconds,
        "max_abs_score_difference": float(difference),
    }


def run_matching_benchmark(config: MatchingBenchConfig, *, progress: bool = True) -> dict:
    """Run the benchmark described by ``config`` and return its results as a dict."""
    results: dict = {"config": asdict(config)}
    jobs, resumes = load_workload(config)
    results["data"] = {"jobs": len(jobs), "resumes": len(resumes)}
    logger.info("benchmarking on %d jobs and %d résumés", len(jobs), len(resumes))

    baseline = BaselineMatcher()
    vectorized = VectorizedMatcher(block_bytes=config.block_mb * 2**20)
    results["fit_seconds"] = {
        "baseline": time_once(lambda: baseline.fit(jobs)),
        "vectorized": time_once(lambda: vectorized.fit(jobs)),
    }

    rng = random.Random(config.seed)
    workloads = pair_workloads(resumes, jobs, config.pairs, rng)
    results["pairs"] = {
        name: compare_pair_scoring(baseline, vectorized, pairs) for name, pairs in workloads.items()
    }

    requests = [rng.choice(resumes) for _ in range(config.requests)]
    vectorized.top_k(requests[0], config.k)  # warm the stem cache and allocator
    latency = {"vectorized": measure_latencies(lambda r: vectorized.top_k(r, config.k), requests)}
    same_ranking = True
    if config.baseline_requests:
        sample = requests[: config.baseline_requests]
        latency["baseline"] = measure_latencies(lambda r: baseline.top_k(r, config.k), sample)
        for resume in sample:
            expected = [m.job_id for m in baseline.top_k(resume, config.k)]
            same_ranking &= expected == [m.job_id for m in vectorized.top_k(resume, config.k)]
    if config.sklearn:
        latency["scikit-learn text only"] = _sklearn_reference(jobs, requests, config.k)
    results["top_k"] = {name: summarize(values) for name, values in latency.items()}
    results["top_k"]["same_ranking"] = same_ranking
    if "baseline" in latency:
        results["top_k"]["p50_speedup"] = float(
            np.median(latency["baseline"]) / np.median(latency["vectorized"])
        )

    if config.all_pairs:
        started = time.perf_counter()
        count = sum(1 for _ in vectorized.iter_top_k(resumes, config.k, progress=progress))
        results["all_pairs"] = {
            "resumes": count,
            "jobs": vectorized.size,
            "seconds": time.perf_counter() - started,
            "block_size": vectorized.block_size(),
        }
    results["peak_rss_mb"] = peak_rss_bytes() / 2**20
    return results


def format_results(results: dict) -> str:
    """Render benchmark results as a short plain-text report."""
    data = results["data"]
    lines = [
        f"data: {data['jobs']:,} jobs, {data['resumes']:,} résumés",
        (
            f"fit: baseline {results['fit_seconds']['baseline']:.2f} s, "
            f"vectorized {results['fit_seconds']['vectorized']:.2f} s"
        ),
    ]
    for name, pairs in results["pairs"].items():
        lines.append(
            f"score {pairs['count']:,} {name} pairs: "
            f"baseline {pairs['baseline_pairs_per_second']:,.0f} pairs/s, "
            f"vectorized {pairs['vectorized_pairs_per_second']:,.0f} pairs/s, "
            f"speedup {pairs['speedup']:.1f}x, "
            f"max |score difference| {pairs['max_abs_score_difference']:.1e}"
        )
    for name, stats in results["top_k"].items():
        if isinstance(stats, dict):
            lines.append(
                f"top-k {name}: p50 {stats['p50_ms']:.2f} ms, p95 {stats['p95_ms']:.2f} ms, "
                f"p99 {stats['p99_ms']:.2f} ms over {int(stats['n'])} requests"
            )
    lines.append(f"top-k rankings identical: {results['top_k']['same_ranking']}")
    if "p50_speedup" in results["top_k"]:
        lines.append(f"top-k p50 speedup over baseline: {results['top_k']['p50_speedup']:.0f}x")
    if "all_pairs" in results:
        run = results["all_pairs"]
        lines.append(
            f"all-pairs top-k: {run['resumes']:,} x {run['jobs']:,} in {run['seconds']:.1f} s "
            f"(blocks of {run['block_size']} résumés)"
        )
    lines.append(f"peak RSS: {results['peak_rss_mb']:.0f} MiB")
    return "\n".join(lines)
