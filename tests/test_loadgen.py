"""The open-loop load generator: loopback only, bounded, and free of coordinated omission."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mismatch_core.loadgen import PendingRequest, Request, run_open_loop


class _StallingHandler(BaseHTTPRequestHandler):
    release = threading.Event()
    released_at: list[float] = []

    def do_GET(self):  # noqa: N802 - the name http.server dispatches to
        if self.path == "/stall":
            self.release.wait(timeout=10)
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _StallingHandler.release = threading.Event()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _StallingHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    _StallingHandler.release.set()
    httpd.shutdown()
    httpd.server_close()


def test_all_requests_answered(server):
    result = run_open_loop(server, [Request("GET", "/ok")], rate=200, count=40, workers=4)
    assert result.completed == 40
    assert (result.status == 200).all()
    assert result.throughput > 0


def test_latency_counts_time_queued_behind_stall(server):
    requests = [Request("GET", "/stall")] + [Request("GET", "/ok")] * 19
    release_at = []

    def release_later():
        time.sleep(0.3)
        release_at.append(time.perf_counter())
        _StallingHandler.release.set()

    threading.Thread(target=release_later, daemon=True).start()
    result = run_open_loop(server, requests, rate=100, count=20, workers=1)
    # With one worker, every request due before the release waited for it, and its
    # latency must include that wait.
    due = result.started_at + result.intended
    waited = [number for number in range(1, 20) if due[number] < release_at[0]]
    assert waited
    for number in waited:
        assert result.latency[number] >= release_at[0] - due[number]


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1:80", "http://example.com:80", "https://127.0.0.1:443", "http://127.0.0.1"]
)
def test_non_loopback_targets_rejected(url):
    with pytest.raises(ValueError):
        run_open_loop(url, [Request("GET", "/")], rate=1, count=1)


@pytest.mark.parametrize("kwargs", [{"rate": 0, "count": 1}, {"rate": 1, "count": 0},
                                    {"rate": 1, "count": 2_000_000}])
def test_unbounded_runs_rejected(kwargs):
    with pytest.raises(ValueError):
        run_open_loop("http://127.0.0.1:9", [Request("GET", "/")], **kwargs)


def test_pending_request_rejects_other_hosts():
    with pytest.raises(ValueError, match="loopback"):
        PendingRequest("http://10.0.0.1:8080", "/health")
