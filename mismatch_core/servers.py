"""Throwaway Redis and PostgreSQL servers on loopback, for tests and notebooks.

Each server runs from the Debian packages' binaries in a fresh temporary directory, on a
free port of 127.0.0.1, and is removed on ``stop``. PostgreSQL refuses to run as root,
so under root it runs as an unprivileged system user (``postgres`` when it exists,
else ``nobody``).
"""

from __future__ import annotations

import glob
import logging
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 30.0


class ServerUnavailable(RuntimeError):
    """Raised when a server's binaries are not installed on this machine."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(
    ready: Callable[[], bool],
    what: str,
    process: subprocess.Popen,
    log: Path | None = None,
    timeout: float = START_TIMEOUT_SECONDS,
) -> None:
    """Poll ``ready`` until it returns True; stop ``process`` and raise if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}; log:\n{_tail(log)}")
        if ready():
            return
        time.sleep(0.05)
    stop_process(process)
    raise TimeoutError(f"{what} did not accept connections within {timeout:.0f} s; "
                       f"log:\n{_tail(log)}")


def stop_process(process: subprocess.Popen | None, timeout: float = 10.0) -> None:
    """Send SIGTERM, wait up to ``timeout`` seconds, then SIGKILL; do nothing if it has exited."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(path: Path | None, lines: int = 20) -> str:
    if path is None:
        return "(written to this process's output)"
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class RedisServer:
    """A ``redis-server`` on 127.0.0.1 with persistence off; ``stop``/``start`` keep the port."""

    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary or shutil.which("redis-server")
        if self.binary is None:
            raise ServerUnavailable(
                "redis-server is not installed; on Debian or Ubuntu: apt-get install redis-server"
            )
        self.directory = Path(tempfile.mkdtemp(prefix="mismatch-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The ``redis://`` URL of database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        """Start the server, or do nothing if it runs; wait until it accepts connections."""
        if self.process is not None and self.process.poll() is None:
            return self
        log = self.directory / "redis.log"
        command = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(self.directory), "--save", "", "--appendonly", "no",
            "--logfile", str(log), "--protected-mode", "yes",
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_ready(self._pong, "redis-server", self.process, log)
        logger.info("redis-server started on 127.0.0.1:%d (pid %d)", self.port, self.process.pid)
        return self

    def _pong(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server and wait for it to exit; the directory and port are kept."""
        if self.process is None or self.process.poll() is not None:
            return
        stop_process(self.process)
        logger.info("redis-server on port %d stopped", self.port)

    def close(self) -> None:
        """Stop the server and delete its directory."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _postgres_bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ServerUnavailable(
        "PostgreSQL server binaries (initdb, postgres) are not installed; "
        "on Debian or Ubuntu: apt-get install postgresql"
    )


def _unprivileged_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise ServerUnavailable(
        "PostgreSQL cannot run as root and no unprivileged user (postgres or nobody) was "
        "found; create one or run the tests as a normal user"
    )


class PostgresServer:
    """A throwaway PostgreSQL cluster (``initdb`` + ``postgres``) on 127.0.0.1."""

    superuser = "mismatch"

    def __init__(self) -> None:
        self.bin_dir = _postgres_bin_dir()
        self.run_as = _unprivileged_user()
        self.directory = Path(tempfile.mkdtemp(prefix="mismatch-pg-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        if self.run_as is not None:
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the ``postgres`` database, for the psycopg 3 driver."""
        return f"postgresql+psycopg://{self.superuser}@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            command, user=self.run_as, capture_output=True, text=True, cwd=self.directory,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed with code {result.returncode}:\n{result.stderr}")

    def start(self) -> PostgresServer:
        """Create the cluster on first use, start it and wait until it accepts connections."""
        if self.process is not None and self.process.poll() is None:
            return self
        data = self.directory / "data"
        if not data.exists():
            self._run(
                str(self.bin_dir / "initdb"), "-D", str(data), "-U", self.superuser,
                "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
            )
        log = self.directory / "postgres.log"
        log.touch()
        if self.run_as is not None:
            entry = pwd.getpwnam(self.run_as)
            os.chown(log, entry.pw_uid, entry.pw_gid)
        command = [
            str(self.bin_dir / "postgres"), "-D", str(data), "-p", str(self.port),
            "-k", str(self.directory), "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        ]
        with open(log, "ab") as log_handle:
            self.process = subprocess.Popen(
                command, user=self.run_as, stdout=log_handle, stderr=subprocess.STDOUT,
                cwd=self.directory,
            )
        wait_until_ready(self._ready, "postgres", self.process, log)
        logger.info("postgres started on 127.0.0.1:%d (pid %d)", self.port, self.process.pid)
        return self

    def _ready(self) -> bool:
        if not _accepts_connections(self.port):
            return False
        result = subprocess.run(
            [str(self.bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def stop(self) -> None:
        """Stop the server with a fast shutdown and wait for it to exit."""
        if self.process is None or self.process.poll() is not None:
            return
        stop_process(self.process, timeout=30)
        logger.info("postgres on port %d stopped", self.port)

    def close(self) -> None:
        """Stop the server and delete the cluster."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()
