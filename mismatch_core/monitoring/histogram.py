"""A log-linear histogram: fixed relative error, mergeable, constant memory per octave.

Each power of two is split into ``sub_buckets`` equal-width buckets, the layout that
HdrHistogram uses. A value is reported as the midpoint of its bucket, so any percentile
is within a relative error of ``1 / (2 * sub_buckets)`` of a value that was recorded
(0.8% for the default 64). Counts of two histograms with the same layout add, so
per-process histograms merge exactly.

Chosen over a fixed list of Prometheus ``le`` buckets, whose error depends on where the
bucket edges fall, and over DDSketch, which gives the same kind of guarantee but needs a
dependency for what is forty lines here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator


class LogLinearHistogram:
    """Counts of recorded values in log-linear buckets, with exact count, sum, min and max."""

    def __init__(self, sub_buckets: int = 64) -> None:
        if sub_buckets < 1 or sub_buckets & (sub_buckets - 1):
            raise ValueError(f"sub_buckets must be a positive power of two, got {sub_buckets}")
        self.sub_buckets = sub_buckets
        self._positive: dict[int, int] = {}
        self._negative: dict[int, int] = {}
        self._zeros = 0
        self.count = 0
        self.sum = 0.0
        self.min = math.inf
        self.max = -math.inf

    def _key(self, magnitude: float) -> int:
        mantissa, exponent = math.frexp(magnitude)  # magnitude = mantissa * 2**exponent, 0.5 <= mantissa < 1
        return exponent * self.sub_buckets + int((mantissa - 0.5) * 2 * self.sub_buckets)

    def _midpoint(self, key: int) -> float:
        exponent, sub = divmod(key, self.sub_buckets)
        low = 0.5 + sub / (2 * self.sub_buckets)
        high = 0.5 + (sub + 1) / (2 * self.sub_buckets)
        return math.ldexp((low + high) / 2, exponent)

    def record(self, value: float, count: int = 1) -> None:
        """Add ``count`` observations of ``value``."""
        if not math.isfinite(value):
            raise ValueError(f"cannot record a non-finite value {value!r}")
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        if value > 0:
            key = self._key(value)
            self._positive[key] = self._positive.get(key, 0) + count
        elif value < 0:
            key = self._key(-value)
            self._negative[key] = self._negative.get(key, 0) + count
        else:
            self._zeros += count
        self.count += count
        self.sum += value * count
        self.min = min(self.min, value)
        self.max = max(self.max, value)

    def _buckets(self) -> Iterator[tuple[float, int]]:
        for key in sorted(self._negative, reverse=True):
            yield -self._midpoint(key), self._negative[key]
        if self._zeros:
            yield 0.0, self._zeros
        for key in sorted(self._positive):
            yield self._midpoint(key), self._positive[key]

    def percentile(self, q: float) -> float:
        """Return the nearest-rank ``q``-th percentile (0 < q <= 100), within the relative error."""
        if not 0 < q <= 100:
            raise ValueError(f"percentile must be in (0, 100], got {q}")
        if self.count == 0:
            raise ValueError("the histogram is empty; record a value before asking for percentiles")
        rank = max(1, math.ceil(q / 100 * self.count))
        seen = 0
        for value, count in self._buckets():
            seen += count
            if seen >= rank:
                # The midpoint may lie outside what was recorded, so clamp it.
                return min(max(value, self.min), self.max)
        return self.max

    def merge(self, other: LogLinearHistogram) -> None:
        """Add another histogram's counts into this one; both must use the same layout."""
        if other.sub_buckets != self.sub_buckets:
            raise ValueError(
                f"cannot merge histograms with {other.sub_buckets} and {self.sub_buckets} sub-buckets"
            )
        for key, count in other._positive.items():
            self._positive[key] = self._positive.get(key, 0) + count
        for key, count in other._negative.items():
            self._negative[key] = self._negative.get(key, 0) + count
        self._zeros += other._zeros
        self.count += other.count
        self.sum += other.sum
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)

    @property
    def relative_error(self) -> float:
        """The largest relative error of a reported percentile."""
        return 1 / (2 * self.sub_buckets)
