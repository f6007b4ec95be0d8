"""The backend under gunicorn: several workers, one merged /metrics."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

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


def _read_response(connection: socket.socket, timeout: float = 10.0) -> bytes:
    connection.settimeout(timeout)
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_metrics_merge_across_workers():
    requests = zipf_resume_requests(50, 59, seed=4)
    with running_backend(STEPS[-1], jobs=500, resumes=50, workers=3) as url:
        address = urlsplit(url)
        # A request whose headers are not finished keeps the worker that accepted it
        # busy, so the other workers must serve the load below. Finishing it afterwards
        # makes that first worker serve one request too.
        with socket.create_connection((address.hostname, address.port), timeout=10) as stalled:
            stalled.sendall(b"GET /resumes/1/matches?limit=10 HTTP/1.1\r\nHost: localhost\r\n")
            time.sleep(0.3)
            result = run_open_loop(url, requests, rate=500, count=59, workers=8)
            stalled.sendall(b"Connection: close\r\n\r\n")
            stalled_response = _read_response(stalled)
        exposition = scrape(url)
    assert result.completed == 59
    assert (result.status == 200).all()
    assert stalled_response.startswith(b"HTTP/1.1 200")
    # Two or more workers served requests, so the merged histogram adds up several files.
    per_worker = worker_requests(exposition)
    answered = [pid for pid, count in per_worker.items() if count > 0]
    assert len(answered) >= 2, per_worker
    assert route_histograms(exposition)[MATCHES_ROUTE].count == 60
