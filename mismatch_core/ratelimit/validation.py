"""Argument checks shared by the limiter's public entry points."""

from __future__ import annotations

import math


def check_limit(max_requests: object, window: object) -> tuple[int, float]:
    """Return ``(max_requests, window)`` as ``(int, float)``.

    Raises ``TypeError`` for a value of the wrong type and ``ValueError`` for one out of range.
    """
    if isinstance(max_requests, bool) or not isinstance(max_requests, int):
        raise TypeError(
            f"max_requests must be an integer, got {max_requests!r}; "
            "pass the number of requests admitted per window"
        )
    if max_requests < 1:
        raise ValueError(f"max_requests must be at least 1, got {max_requests!r}")
    if isinstance(window, bool) or not isinstance(window, (int, float)):
        raise TypeError(f"window must be a number of seconds, got {window!r}")
    if not math.isfinite(window) or window <= 0:
        raise ValueError(f"window must be a finite number of seconds above 0, got {window!r}")
    return max_requests, float(window)


def check_cost(cost: object) -> int:
    """Return ``cost`` if it is a positive integer; raise ``TypeError`` or ``ValueError`` if not."""
    if isinstance(cost, bool) or not isinstance(cost, int):
        raise TypeError(f"cost must be an integer, got {cost!r}")
    if cost < 1:
        raise ValueError(f"cost must be at least 1, got {cost!r}")
    return cost
