"""The outcome of one rate-limit decision."""

from __future__ import annotations

import math
from typing import NamedTuple


class Decision(NamedTuple):
    """Whether one request was admitted, and what the client may do next.

    Times are seconds from the moment of the decision. ``retry_after`` is 0 for an
    admitted request and ``math.inf`` for a request whose cost exceeds the whole limit,
    because such a request is never admitted.
    """

    allowed: bool
    limit: int
    remaining: int
    reset_after: float
    retry_after: float


def reject_oversized(limit: int, cost: int) -> Decision:
    """Return the rejection of a request whose ``cost`` exceeds the whole ``limit``."""
    return Decision(False, limit, 0, 0.0, math.inf)
