"""Request streams for cache experiments: Zipf résumé popularity, edits, fixed hit ratios."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mismatch_core.cache.backends.memory import MemoryCache
from mismatch_core.model import Resume


def edit_resume(resume: Resume, revision: int) -> Resume:
    """Return ``resume`` as its owner might save it again: one more sentence in the text."""
    return dataclasses.replace(resume, text=f"{resume.text} Updated profile, revision {revision}.")


def zipf_stream(
    resumes: Sequence[Resume],
    count: int,
    *,
    exponent: float = 1.1,
    edit_rate: float = 0.01,
    seed: int = 0,
) -> list[Resume]:
    """Return ``count`` requested résumés: rank r is drawn with weight 1 / r**exponent.

    Before each request, with probability ``edit_rate``, the requested résumé is edited
    (``edit_resume``), and later requests see the edited version. Which résumé gets
    which rank is shuffled with ``seed``.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    if not resumes:
        raise ValueError("resumes must not be empty")
    if not exponent > 0:
        raise ValueError(f"exponent must be above 0, got {exponent}")
    if not 0 <= edit_rate <= 1:
        raise ValueError(f"edit_rate must be between 0 and 1, got {edit_rate}")

    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(resumes) + 1, dtype=float) ** exponent
    order = rng.permutation(len(resumes))
    picks = order[rng.choice(len(resumes), size=count, p=weights / weights.sum())]
    edits = rng.random(count) < edit_rate

    current = list(resumes)
    revisions = [0] * len(resumes)
    stream = []
    for position, edited in zip(picks.tolist(), edits.tolist(), strict=True):
        if edited:
            revisions[position] += 1
            current[position] = edit_resume(current[position], revisions[position])
        stream.append(current[position])
    return stream


def repeated_stream(
    resumes: Sequence[Resume], count: int, hit_ratio: float, seed: int = 0
) -> list[Resume]:
    """Return ``count`` requests over ``round(count * (1 - hit_ratio))`` distinct résumés.

    Repeats are drawn uniformly from the distinct résumés and the order is shuffled. An
    unbounded cache without expiry then serves exactly ``1 - distinct / count`` of the
    requests as hits.
    """
    if not 0 <= hit_ratio < 1:
        raise ValueError(f"hit_ratio must be in [0, 1), got {hit_ratio}")
    distinct = max(1, round(count * (1 - hit_ratio)))
    if distinct > len(resumes):
        raise ValueError(
            f"{count} requests at hit ratio {hit_ratio} need {distinct} distinct résumés, "
            f"only {len(resumes)} given; lower count or raise hit_ratio"
        )
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(resumes), size=distinct, replace=False)
    positions = np.concatenate([chosen, rng.choice(chosen, size=count - distinct)])
    # In any order, only the first request of each distinct résumé misses.
    rng.shuffle(positions)
    return [resumes[int(position)] for position in positions]


def simulate_hit_ratio(
    keys: Sequence[Any],
    *,
    capacity: int,
    ttl: float | None,
    requests_per_second: float,
) -> float:
    """Replay ``keys`` through an LRU ``MemoryCache`` on a simulated clock; return the hit ratio.

    Request i arrives at ``i / requests_per_second`` seconds; a miss stores its key.
    """
    if not requests_per_second > 0 or math.isinf(requests_per_second):
        raise ValueError(
            f"requests_per_second must be a positive finite number, got {requests_per_second}"
        )
    now = [0.0]
    clock: Callable[[], float] = lambda: now[0]
    cache = MemoryCache(capacity, ttl=ttl, clock=clock)
    step = 1.0 / requests_per_second
    for index, key in enumerate(keys):
        now[0] = index * step
        if cache.get(key) is None:
            cache[key] = True
    return cache.hits / len(keys) if keys else 0.0
