"""Argument checks shared by the matchers."""

from __future__ import annotations

from collections.abc import Sequence

from mismatch_core.model import Job


def check_k(k: int) -> None:
    """Raise if ``k`` is not a positive whole number of results."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")


def sorted_unique_jobs(jobs: Sequence[Job]) -> list[Job]:
    """Return ``jobs`` sorted by id, raising on a duplicate id or a non-Job item."""
    if not jobs:
        raise ValueError("cannot fit a matcher on an empty job list; pass at least one Job")
    seen: dict[int, int] = {}
    for position, job in enumerate(jobs):
        if not isinstance(job, Job):
            raise TypeError(f"jobs[{position}] is a {type(job).__name__}, expected Job")
        first = seen.setdefault(job.id, position)
        if first != position:
            raise ValueError(
                f"job id {job.id} appears at positions {first} and {position}; job ids must be unique"
            )
    return sorted(jobs, key=lambda job: job.id)
