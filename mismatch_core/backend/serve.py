"""``mismatch serve``: prepare the database and run the backend under gunicorn on loopback."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from mismatch_core.backend.app import MODES
from mismatch_core.backend.data import prepare_database
from mismatch_core.db.engine import open_engine
from mismatch_core.paths import generated_data_dir
from mismatch_core.servers import stop_process, wait_until_ready

logger = logging.getLogger(__name__)


def default_database_url(mode: str) -> str:
    """Return the SQLite file of a mode, creating its folder: each mode has its own schema."""
    folder = generated_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'backend-{mode}.sqlite'}"


def start_gunicorn(
    mode: str,
    database_url: str,
    *,
    port: int,
    workers: int = 2,
    redis_url: str | None = None,
    metrics_dir: Path | None = None,
    extra_environment: dict[str, str] | None = None,
) -> subprocess.Popen:
    """Start gunicorn on 127.0.0.1:``port`` and wait until ``/health`` responds."""
    metrics_dir = metrics_dir or Path(tempfile.mkdtemp(prefix="mismatch-prometheus-"))
    metrics_dir.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "MISMATCH_MODE": mode,
        "MISMATCH_DATABASE_URL": database_url,
        "MISMATCH_REDIS_URL": redis_url or "",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        **(extra_environment or {}),
    }
    command = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--threads", "1", "--timeout", "120", "--log-level", "warning",
        "mismatch_core.backend.wsgi:app",
    ]
    process = subprocess.Popen(command, env=environment)
    try:
        # Each worker fits the matcher on every job before it serves: minutes at 1M jobs.
        wait_until_ready(lambda: _healthy(port), "gunicorn", process, timeout=600)
    except BaseException:
        # Also on Ctrl-C or SIGTERM during start-up, so no gunicorn is left running.
        stop_process(process)
        raise
    logger.info("backend (%s) serving on 127.0.0.1:%d", mode, port)
    return process


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``serve`` options to ``parser``."""
    parser.add_argument("--mode", choices=MODES, default="optimized",
                        help="baseline: roadmap starting point; optimized: every step applied")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1")
    parser.add_argument("--workers", type=_positive, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL; without it, a SQLite file per mode in data/generated"
    )
    parser.add_argument("--redis-url", help="Redis for the shared cache, e.g. redis://127.0.0.1:6379/0")
    parser.add_argument("--jobs", type=_positive, default=20_000,
                        help="synthetic jobs to load when the database is empty")
    parser.add_argument("--resumes", type=_positive, default=2_000,
                        help="synthetic résumés to load when the database is empty")


def prepare_served_database(database_url: str, mode: str, *, jobs: int, resumes: int) -> int:
    """Migrate and fill the database as ``prepare_database`` does; warn if it kept old data.

    Returns the number of jobs stored.
    """
    engine = open_engine(database_url)
    try:
        stored = prepare_database(engine, mode, jobs=jobs, resumes=resumes)
    finally:
        engine.dispose()
    if stored != jobs:
        logger.warning(
            "%s already contains %d jobs, so --jobs %d and --resumes %d were not loaded; "
            "delete the database (or pass another --database-url) to load a new data set",
            engine.url.render_as_string(hide_password=True), stored, jobs, resumes,
        )
    return stored


class _Terminated(Exception):
    """SIGTERM arrived: raised from the signal handler to leave ``process.wait()``."""


def _raise_terminated(signum: int, _frame: object) -> None:
    # Stopping gunicorn here would wait on it while the interrupted wait() in run() still
    # owns Popen's lock, which deadlocks. So the handler only unwinds run().
    raise _Terminated(signum)


def run(args: argparse.Namespace) -> int:
    """Prepare the database, then serve until interrupted (Ctrl-C or SIGTERM)."""
    database_url = args.database_url or default_database_url(args.mode)
    prepare_served_database(database_url, args.mode, jobs=args.jobs, resumes=args.resumes)
    metrics_dir = Path(tempfile.mkdtemp(prefix="mismatch-prometheus-"))
    process = None
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        process = start_gunicorn(
            args.mode, database_url, port=args.port, workers=args.workers,
            redis_url=args.redis_url, metrics_dir=metrics_dir,
        )
        print(f"serving {args.mode} backend on http://127.0.0.1:{args.port} (Ctrl-C to stop)")
        return process.wait()
    except (KeyboardInterrupt, _Terminated):
        logger.info("stopping gunicorn")
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        stop_process(process, timeout=30)
        shutil.rmtree(metrics_dir, ignore_errors=True)
