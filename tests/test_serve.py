"""``mismatch serve`` as a user runs it: start on loopback, serve, stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from mismatch_core.backend.serve import prepare_served_database
from mismatch_core.servers import free_port, stop_process, wait_until_ready


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
            return json.load(response)
    except OSError:
        return None


def test_serve_warns_about_stored_data(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    assert prepare_served_database(url, "optimized", jobs=200, resumes=10) == 200
    assert not [r for r in caplog.records if r.levelname == "WARNING"]

    assert prepare_served_database(url, "optimized", jobs=300, resumes=10) == 200
    warning = next(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "already contains 200 jobs" in warning
    assert "--jobs 300" in warning
    assert "b.sqlite" in warning


def test_serve_stops_on_sigterm(tmp_path):
    port = free_port()
    environment = {**os.environ, "TMPDIR": str(tmp_path)}
    command = [
        sys.executable, "-m", "mismatch_core", "serve", "--port", str(port), "--workers", "1",
        "--jobs", "300", "--resumes", "10", "--database-url", f"sqlite:///{tmp_path / 'b.sqlite'}",
    ]
    process = subprocess.Popen(command, env=environment)
    try:
        wait_until_ready(lambda: _health(port) is not None, "serve", process, timeout=120)
        assert _health(port)["status"] == "ok"
        metrics_dirs = list(tmp_path.glob("mismatch-prometheus-*"))
        assert len(metrics_dirs) == 1

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0
        # gunicorn is gone and the metrics folder is removed.
        deadline = time.monotonic() + 10
        while _health(port) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _health(port) is None
        assert not metrics_dirs[0].exists()
    finally:
        stop_process(process, timeout=5)
