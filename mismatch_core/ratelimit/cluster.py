"""Run the demo app under gunicorn on loopback and send it bounded bursts of requests."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import psutil

from mismatch_core.ratelimit.demo_app import LIMIT_ENV, STORAGE_ENV
from mismatch_core.servers import free_port, stop_process

logger = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 30.0
REQUEST_TIMEOUT_SECONDS = 5.0
MAX_BURST = 1_000


class GunicornApp:
    """``gunicorn`` serving ``demo_app.create_app()`` with N sync workers on 127.0.0.1."""

    def __init__(self, *, workers: int, storage: str, limit: str = "5/60") -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.storage = storage
        self.limit = limit
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self._log = Path(tempfile.mkstemp(prefix="mismatch-gunicorn-", suffix=".log")[1])

    @property
    def url(self) -> str:
        """The base URL of the app."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> GunicornApp:
        """Start gunicorn and wait until every worker has started and ``/health`` replies, or the timeout passes."""
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
        if gunicorn is None:
            raise RuntimeError("gunicorn is not installed in this environment")
        environment = {**os.environ, STORAGE_ENV: self.storage, LIMIT_ENV: self.limit}
        command = [
            gunicorn, "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
            "--graceful-timeout", "2", "--log-level", "warning",
            # Import the app before forking, so every worker serves as soon as it exists.
            "--preload",
            "mismatch_core.ratelimit.demo_app:create_app()",
        ]
        with open(self._log, "ab") as log:
            self.process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_ready()
        logger.info("gunicorn started on %s with %d workers (pid %d)", self.url, self.workers, self.process.pid)
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with code {self.process.returncode}; log:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1.0) as response:
                    if response.status == 200 and self._live_workers() >= self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"gunicorn did not respond within {START_TIMEOUT_SECONDS:.0f} s; log:\n{self.log_tail()}")

    def _live_workers(self) -> int:
        return len(psutil.Process(self.process.pid).children())

    def log_tail(self, lines: int = 20) -> str:
        """Return the last lines of gunicorn's log."""
        return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop gunicorn (SIGTERM, then SIGKILL after 10 s) and delete its log."""
        if self.process is not None and self.process.poll() is None:
            stop_process(self.process)
            logger.info("gunicorn on %s stopped", self.url)
        self._log.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@dataclass(frozen=True)
class BurstResult:
    """Statuses of one burst, and which worker processes served and admitted requests."""

    statuses: Counter
    served_by_worker: Counter
    admitted_by_worker: Counter

    @property
    def admitted(self) -> int:
        """The number of 200 replies."""
        return self.statuses[200]

    def admitted_if_per_worker(self, limit: int) -> int:
        """Return how many requests per-worker limiters of ``limit`` admit for this spread."""
        return sum(min(limit, served) for served in self.served_by_worker.values())


def send_burst(
    url: str, requests: int, *, threads: int = 8, api_key: str = "burst-client", hold: float = 0.02
) -> BurstResult:
    """Send ``requests`` GETs to ``url/match`` from ``threads`` threads as one client."""
    if not 1 <= requests <= MAX_BURST:
        raise ValueError(f"requests must be between 1 and {MAX_BURST}, got {requests}")

    def one(_: int) -> tuple[int, str]:
        query = urllib.request.Request(f"{url}/match?hold={hold}", headers={"X-API-Key": api_key})
        try:
            with urllib.request.urlopen(query, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                response.read()
                return response.status, response.headers.get("X-Worker-Pid", "?")
        except urllib.error.HTTPError as error:
            error.read()
            return error.code, error.headers.get("X-Worker-Pid", "?")

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(one, range(requests)))
    statuses = Counter(status for status, _ in results)
    served = Counter(worker for _, worker in results)
    admitted = Counter(worker for status, worker in results if status == 200)
    return BurstResult(statuses, served, admitted)
