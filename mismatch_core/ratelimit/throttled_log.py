"""A logger wrapper that emits one record per interval and counts the suppressed ones."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable


class ThrottledLogger:
    """Log at most one record per ``interval`` seconds; later ones report the skipped count.

    Used where every request could log the same failure, e.g. a storage outage while
    failing open, so the log is not flooded at request rate.
    """

    def __init__(
        self,
        logger: logging.Logger,
        interval: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if interval < 0:
            raise ValueError(f"interval must be 0 or more seconds, got {interval!r}")
        self.logger = logger
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._last_logged = -float("inf")
        self.suppressed = 0

    def log(self, level: int, message: str, *args: object) -> bool:
        """Log ``message % args`` at ``level`` unless one was logged within the interval.

        Returns whether the record was emitted.
        """
        with self._lock:
            now = self._clock()
            if now - self._last_logged < self.interval:
                self.suppressed += 1
                return False
            suppressed, self.suppressed = self.suppressed, 0
            self._last_logged = now

        if suppressed:
            message += " (%d similar messages suppressed)"
            args = (*args, suppressed)
        self.logger.log(level, message, *args)
        return True
