"""MonitoringService: counters, gauges and latency histograms with accurate percentiles.

``log_metric(name, value)`` keeps the call form that the original backend used, but it
records every value in a histogram instead of keeping only the last one, so p50, p95,
p99 and p99.9 can be computed. The service is also a ``MetricsSink`` for
``mismatch_core.profiling.profile_endpoint``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone

from mismatch_core.monitoring.histogram import LogLinearHistogram

logger = logging.getLogger(__name__)

DEFAULT_PERCENTILES = (50.0, 95.0, 99.0, 99.9)
_NAME_RE = re.compile(r"[A-Za-z_:][A-Za-z0-9_:.]*")


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ValueError(
            f"invalid metric name {name!r}: use letters, digits, '_', ':' or '.', "
            "not starting with a digit"
        )


def _check_value(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"metric {name!r}: value must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"metric {name!r}: value must be finite, got {value!r}")
    return float(value)


class MonitoringService:
    """Thread-safe in-process metrics: counters, gauges and log-linear histograms."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.perf_counter,
        wall_clock: Callable[[], float] = time.time,
        sub_buckets: int = 64,
    ) -> None:
        self.clock = clock
        self.wall_clock = wall_clock
        self.sub_buckets = sub_buckets
        self._lock = threading.Lock()
        self._histograms: dict[str, LogLinearHistogram] = {}
        self._counters: dict[str, float] = {}
        self._gauges: dict[str, float] = {}
        self._last: dict[str, tuple[float, float]] = {}

    def log_metric(self, name: str, value: float) -> None:
        """Record one observation of ``name``: kept in its histogram and as its last value."""
        _check_name(name)
        value = _check_value(name, value)
        now = self.wall_clock()
        with self._lock:
            histogram = self._histograms.get(name)
            if histogram is None:
                histogram = self._histograms[name] = LogLinearHistogram(self.sub_buckets)
            histogram.record(value)
            self._last[name] = (value, now)

    observe = log_metric

    def increment(self, name: str, amount: float = 1.0) -> None:
        """Add ``amount`` (not negative) to the counter ``name``."""
        _check_name(name)
        amount = _check_value(name, amount)
        if amount < 0:
            raise ValueError(f"counter {name!r} can only increase; got {amount}")
        with self._lock:
            self._counters[name] = self._counters.get(name, 0.0) + amount

    def set_gauge(self, name: str, value: float) -> None:
        """Set the gauge ``name`` to ``value``."""
        _check_name(name)
        value = _check_value(name, value)
        with self._lock:
            self._gauges[name] = value

    @contextlib.contextmanager
    def timer(self, name: str) -> Iterator[None]:
        """Record the seconds the block takes, measured with ``clock``, even if it raises."""
        started = self.clock()
        try:
            yield
        finally:
            self.log_metric(name, self.clock() - started)

    def percentiles(
        self, name: str, levels: Sequence[float] = DEFAULT_PERCENTILES
    ) -> dict[str, float]:
        """Return the requested percentiles of histogram ``name``, keyed ``p50``, ``p99.9``…"""
        with self._lock:
            histogram = self._histograms.get(name)
            if histogram is None:
                raise KeyError(f"no values recorded for metric {name!r}")
            return {f"p{level:g}": histogram.percentile(level) for level in levels}

    def histogram(self, name: str) -> LogLinearHistogram:
        """Return a copy of histogram ``name``, for merging or plotting."""
        with self._lock:
            source = self._histograms.get(name)
            if source is None:
                raise KeyError(f"no values recorded for metric {name!r}")
            copy = LogLinearHistogram(source.sub_buckets)
            copy.merge(source)
            return copy

    def snapshot(self) -> dict[str, dict]:
        """Return every metric's current state as plain data, for notebooks and JSON."""
        with self._lock:
            histograms = {
                name: {
                    "count": h.count,
                    "sum": h.sum,
                    "min": h.min,
                    "max": h.max,
                    **{f"p{q:g}": h.percentile(q) for q in DEFAULT_PERCENTILES},
                }
                for name, h in self._histograms.items()
            }
            return {
                "histograms": histograms,
                "counters": dict(self._counters),
                "gauges": dict(self._gauges),
            }

    @property
    def metrics(self) -> dict[str, dict[str, object]]:
        """The last value and ISO timestamp of each ``log_metric`` name, as the roadmap kept them."""
        with self._lock:
            return {
                name: {
                    "value": value,
                    "timestamp": datetime.fromtimestamp(stamp, tz=timezone.utc).isoformat(),
                }
                for name, (value, stamp) in self._last.items()
            }

    def reset(self) -> None:
        """Forget every metric."""
        with self._lock:
            self._histograms.clear()
            self._counters.clear()
            self._gauges.clear()
            self._last.clear()
