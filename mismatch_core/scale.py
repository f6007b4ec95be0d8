"""Workload sizes for notebooks and reports: small for CI, medium by default, large on request."""

from __future__ import annotations

import os
from dataclasses import dataclass

SCALE_ENV = "MISMATCH_SCALE"


@dataclass(frozen=True, slots=True)
class Scale:
    """How much data a notebook generates and how many requests it measures."""

    name: str
    jobs: int
    resumes: int
    requests: int
    baseline_requests: int
    seed: int = 42


SCALES = {
    "small": Scale("small", jobs=2_000, resumes=300, requests=100, baseline_requests=10),
    "medium": Scale("medium", jobs=20_000, resumes=2_000, requests=300, baseline_requests=15),
    "large": Scale("large", jobs=100_000, resumes=10_000, requests=1_000, baseline_requests=20),
}


def get_scale(name: str | None = None) -> Scale:
    """Return the named scale, or the one in ``$MISMATCH_SCALE``, or ``medium``."""
    chosen = name or os.environ.get(SCALE_ENV) or "medium"
    try:
        return SCALES[chosen]
    except KeyError:
        raise ValueError(
            f"unknown scale {chosen!r}; use one of {', '.join(SCALES)} "
            f"(argument or ${SCALE_ENV})"
        ) from None
