"""The backend under gunicorn: several workers, one merged /metrics."""

from __future__ import annotations

from mismatch_core.backend.experiment import (
    MATCHES_ROUTE,
    STEPS,
    route_histograms,
    running_backend,
    scrape,
    worker_requests,
    zipf_resume_requests,
)
from mismatch_core.loadgen import run_open_loop


def test_metrics_merge_across_workers():
    requests = zipf_resume_requests(50, 60, seed=4)
    with running_backend(STEPS[-1], jobs=500, resumes=50, workers=3) as url:
        result = run_open_loop(url, requests, rate=500, count=60, workers=8)
        exposition = scrape(url)
    assert result.completed == 60
    assert (result.status == 200).all()
    assert route_histograms(exposition)[MATCHES_ROUTE].count == 60
    # More than one worker answered, so the count above is a merge of several files.
    per_worker = worker_requests(exposition)
    answered = [pid for pid, count in per_worker.items() if count > 0]
    assert len(answered) >= 2, per_worker
    # The readiness checks and this scrape are requests too, so the sum exceeds 60.
    assert sum(per_worker.values()) >= 60
