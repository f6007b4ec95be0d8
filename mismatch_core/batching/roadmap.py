"""The roadmap's ``AsyncProcessor``, reimplemented to measure against.

This is the original backend's version, kept only as the "before" of benchmarks and
notebooks. It builds one coroutine per item and awaits them all with ``asyncio.gather``,
so it starts every item at once, and the first exception propagates and discards every
other item's result. Use ``mismatch_core.batching.AsyncProcessor`` instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


class RoadmapAsyncProcessor:
    """The roadmap's batch processor: unbounded, all-or-nothing."""

    @staticmethod
    async def process_batch(items: list[Any], func: Callable[[Any], Awaitable[Any]]) -> list[Any]:
        """Start ``func(item)`` for every item at once and gather the results."""
        coroutines = [func(item) for item in items]
        return await asyncio.gather(*coroutines)
