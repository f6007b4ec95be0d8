"""Redis storage: one atomic Lua script per decision, timed by the Redis server's clock."""

from __future__ import annotations

import logging
from importlib import resources

import redis

from mismatch_core.ratelimit.algorithms import Algorithm, SlidingWindowLog
from mismatch_core.ratelimit.decision import Decision, reject_oversized
from mismatch_core.ratelimit.storage import StorageUnavailable

logger = logging.getLogger(__name__)

SCRIPT_NAMES = ("sliding_log", "sliding_counter", "gcra")


def load_script_source(name: str) -> str:
    """Return the Lua source of the script ``name`` shipped in ``mismatch_core/ratelimit/lua``."""
    if name not in SCRIPT_NAMES:
        raise ValueError(f"unknown Lua script {name!r}; use one of {', '.join(SCRIPT_NAMES)}")
    return resources.files("mismatch_core.ratelimit").joinpath("lua", f"{name}.lua").read_text("utf-8")


class RedisStorage:
    """Client states in Redis, shared by every process that uses the same server.

    Each decision is one ``EVALSHA`` of the algorithm's script, so it is one network
    round trip and atomic on the server. redis-py loads a script on its first use (one
    ``NOSCRIPT`` reply, ``SCRIPT LOAD``, then ``EVALSHA``) and again only if the server
    lost it, after a restart or ``SCRIPT FLUSH``. Connection errors and timeouts are raised as
    ``StorageUnavailable``.
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "mismatch:ratelimit",
        socket_timeout: float = 0.5,
        client: redis.Redis | None = None,
    ) -> None:
        if socket_timeout <= 0:
            raise ValueError(f"socket_timeout must be above 0 seconds, got {socket_timeout!r}")
        self.url = url
        self.prefix = prefix
        self.client = client or redis.Redis.from_url(
            url, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout
        )
        self._scripts = {name: self.client.register_script(load_script_source(name)) for name in SCRIPT_NAMES}

    def keys_for(self, algorithm: Algorithm, key: str) -> list[str]:
        """Return the Redis keys that hold ``key``'s state under ``algorithm``."""
        base = f"{self.prefix}:{algorithm.name}:{key}"
        if isinstance(algorithm, SlidingWindowLog):
            return [base, base + ":seq"]
        return [base]

    def hit(self, algorithm: Algorithm, key: str, cost: int) -> Decision:
        """Decide one request of ``cost`` for ``key`` in one round trip, recording it if admitted."""
        if cost > algorithm.limit:
            return reject_oversized(algorithm.limit, cost)

        script = self._scripts[algorithm.script]
        try:
            allowed, remaining, reset_after, retry_after = script(
                keys=self.keys_for(algorithm, key), args=algorithm.script_args(cost)
            )
        except (redis.ConnectionError, redis.TimeoutError) as error:
            raise StorageUnavailable(f"Redis at {self.url} is unreachable: {error}") from error
        return Decision(bool(allowed), algorithm.limit, int(remaining), float(reset_after), float(retry_after))

    def reset(self, key: str | None = None) -> None:
        """Delete one key's state under every algorithm, or every key under the prefix."""
        try:
            if key is None:
                names = list(self.client.scan_iter(match=f"{self.prefix}:*", count=1000))
            else:
                names = [f"{self.prefix}:{name}:{key}{suffix}" for name in SCRIPT_NAMES for suffix in ("", ":seq")]
            if names:
                self.client.delete(*names)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            raise StorageUnavailable(f"Redis at {self.url} is unreachable: {error}") from error

    def ping(self) -> bool:
        """Send a PING and return whether the server replied."""
        try:
            return bool(self.client.ping())
        except (redis.ConnectionError, redis.TimeoutError):
            return False

    def __repr__(self) -> str:
        return f"RedisStorage({self.url!r}, prefix={self.prefix!r})"
