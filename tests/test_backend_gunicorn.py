"""The backend under gunicorn: several workers, one merged /metrics."""

from __future__ import annotations

import time

from mismatch_core.backend.experiment import (
    MATCHES_ROUTE,
    STEPS,
    route_histograms,
    running_backend,
    scrape,
    worker_requests,
    zipf_resume_requests,
)
from mismatch_core.loadgen import PendingRequest, run_open_loop


def test_metrics_merge_across_workers():
    requests = zipf_resume_requests(50, 59, seed=4)
    with running_backend(STEPS[-1], jobs=500, resumes=50, workers=3) as url:
        # A pending request keeps the worker that accepted it busy, so the other
        # workers serve the load below. Finishing it afterwards makes that first worker
        # serve one request too.
        pending = PendingRequest(url, "/resumes/1/matches?limit=10")
        time.sleep(0.3)
        result = run_open_loop(url, requests, rate=500, count=59, workers=8)
        pending_status, _ = pending.finish()
        exposition = scrape(url)
    assert result.completed == 59
    assert (result.status == 200).all()
    assert pending_status == 200
    # Two or more workers served requests, so the merged histogram adds up several files.
    per_worker = worker_requests(exposition)
    serving = [pid for pid, count in per_worker.items() if count > 0]
    assert len(serving) >= 2, per_worker
    assert route_histograms(exposition)[MATCHES_ROUTE].count == 60
