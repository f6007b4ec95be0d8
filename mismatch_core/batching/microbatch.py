"""Micro-batching: coalesce concurrent single requests into one batch call.

Callers ``await batcher.submit(item)`` one item each. The batcher collects the items
of concurrent callers and calls the batch function once per batch, with a list of
items, when ``max_batch_size`` items are waiting or when the oldest has waited
``max_wait`` seconds, whichever comes first. The batch function returns one result per
item, in order, and each caller receives its own.

This is the pattern behind DataLoader-style request coalescing and dynamic batching in
model servers: a fixed cost per call (a round trip, a thread hand-off, a vectorized
kernel's setup) is paid once per batch instead of once per request.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from mismatch_core.batching.processor import is_coroutine_callable

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

BatchFunction = Callable[[list[T]], Awaitable[Sequence[R]]] | Callable[[list[T]], Sequence[R]]


class ResultCountError(RuntimeError):
    """The batch function returned a different number of results than items."""


class BatcherClosed(RuntimeError):
    """``submit`` was called on a closed ``MicroBatcher``."""


@dataclass
class BatcherStats:
    """Counters of a ``MicroBatcher`` since it was created; wait times in seconds."""

    batches: int = 0
    items: int = 0
    failed_batches: int = 0
    cancelled_before_flush: int = 0
    max_batch: int = 0
    total_wait: float = 0.0

    @property
    def mean_batch_size(self) -> float:
        """Items per batch call, on average."""
        return self.items / self.batches if self.batches else 0.0

    @property
    def mean_wait(self) -> float:
        """Seconds from a batch's first item to its flush, on average."""
        return self.total_wait / self.batches if self.batches else 0.0


class _Pending(Generic[T, R]):
    """Items waiting for the next flush, with their callers' futures."""

    __slots__ = ("futures", "items", "opened_at", "timer")

    def __init__(self, opened_at: float) -> None:
        self.items: list[T] = []
        self.futures: list[asyncio.Future[R]] = []
        self.opened_at = opened_at
        self.timer: asyncio.TimerHandle | None = None


def _check_options(max_batch_size: int, max_wait: float, max_concurrent_batches: int) -> None:
    if (
        isinstance(max_batch_size, bool)
        or not isinstance(max_batch_size, int)
        or max_batch_size < 1
    ):
        raise ValueError(f"max_batch_size must be an int of at least 1, got {max_batch_size!r}")
    if not isinstance(max_wait, (int, float)) or isinstance(max_wait, bool) or max_wait < 0:
        raise ValueError(f"max_wait must be a number of seconds, 0 or more, got {max_wait!r}")
    if (
        isinstance(max_concurrent_batches, bool)
        or not isinstance(max_concurrent_batches, int)
        or max_concurrent_batches < 1
    ):
        raise ValueError(
            f"max_concurrent_batches must be an int of at least 1, got {max_concurrent_batches!r}"
        )


class MicroBatcher(Generic[T, R]):
    """Coalesces concurrent ``submit`` calls into batch calls of ``batch_func``.

    ``batch_func`` takes a list of items and returns a sequence with one result per
    item, in the same order; a result that is an ``Exception`` instance is raised in
    that item's caller only. A coroutine function is awaited on the loop, any other
    callable runs in ``executor`` (the loop's default thread pool when None), unless
    ``blocking`` says otherwise. At most ``max_concurrent_batches`` batch calls run at
    once; items that arrive meanwhile form the next batches.

    Use it from one event loop, as ``async with MicroBatcher(...) as batcher``, or
    call ``aclose()`` when done. ``clock`` (monotonic seconds) times the waits in
    ``stats``; the flush timer itself runs on the event loop's clock.
    """

    def __init__(
        self,
        batch_func: BatchFunction[T, R],
        *,
        max_batch_size: int = 64,
        max_wait: float = 0.005,
        max_concurrent_batches: int = 1,
        executor: Executor | None = None,
        blocking: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not callable(batch_func):
            raise TypeError(f"batch_func must be callable, got {batch_func!r}")
        _check_options(max_batch_size, max_wait, max_concurrent_batches)
        self.batch_func = batch_func
        self.max_batch_size = max_batch_size
        self.max_wait = float(max_wait)
        self.max_concurrent_batches = max_concurrent_batches
        self.executor = executor
        self.blocking = not is_coroutine_callable(batch_func) if blocking is None else blocking
        self.clock = clock
        self.stats = BatcherStats()

        self._pending: _Pending[T, R] | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._slots: asyncio.Semaphore | None = None
        self._batch_ids = itertools.count(1)
        self._closed = False

    async def __aenter__(self) -> MicroBatcher[T, R]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def closed(self) -> bool:
        """Whether ``aclose`` was called."""
        return self._closed

    @property
    def waiting(self) -> int:
        """Number of items queued for the next flush, including cancelled callers' items."""
        return len(self._pending.items) if self._pending is not None else 0

    async def submit(self, item: T) -> R:
        """Queue one item, wait for its batch, and return its result or raise its error."""
        if self._closed:
            raise BatcherClosed("MicroBatcher is closed; create a new one to submit more items")
        loop = asyncio.get_running_loop()
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_concurrent_batches)

        pending = self._pending
        if pending is None:
            pending = self._pending = _Pending(self.clock())
            # With max_wait 0 the timer fires on the next loop iteration, so the
            # submits made in the current one still share a batch.
            pending.timer = loop.call_later(self.max_wait, self._flush_batch, pending)
        future: asyncio.Future[R] = loop.create_future()
        pending.items.append(item)
        pending.futures.append(future)
        if len(pending.items) >= self.max_batch_size:
            self._flush_batch(pending)

        # A caller cancelled here cancels only its own future; the flush skips it.
        return await future

    def flush(self) -> None:
        """Send the waiting items now instead of at the next size or time limit."""
        if self._pending is not None:
            self._flush_batch(self._pending)

    async def aclose(self) -> None:
        """Flush the waiting items, wait for every running batch, and reject new items."""
        self._closed = True
        self.flush()
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def _flush_batch(self, pending: _Pending[T, R]) -> None:
        if self._pending is not pending:
            return  # flushed already, by size or by hand, before the timer fired
        self._pending = None
        if pending.timer is not None:
            pending.timer.cancel()

        live = [(i, f) for i, f in zip(pending.items, pending.futures, strict=True) if not f.done()]
        self.stats.cancelled_before_flush += len(pending.items) - len(live)
        if not live:
            return
        self.stats.total_wait += self.clock() - pending.opened_at
        task = asyncio.get_running_loop().create_task(self._run_batch(next(self._batch_ids), live))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run_batch(self, batch_id: int, live: list[tuple[T, asyncio.Future[R]]]) -> None:
        assert self._slots is not None
        async with self._slots:
            # Callers may have been cancelled while this batch waited for a slot.
            live = [(item, future) for item, future in live if not future.done()]
            if not live:
                return
            items = [item for item, _ in live]
            futures = [future for _, future in live]
            self.stats.batches += 1
            self.stats.items += len(items)
            self.stats.max_batch = max(self.stats.max_batch, len(items))
            try:
                results = await self._call(items)
            except asyncio.CancelledError:
                for future in futures:
                    future.cancel()
                raise
            except Exception as error:  # noqa: BLE001 - delivered to every caller of the batch
                self.stats.failed_batches += 1
                logger.warning("batch %d of %d item(s) failed: %r", batch_id, len(items), error)
                _fail_all(futures, error)
                return

        if not isinstance(results, Sequence) or len(results) != len(items):
            self.stats.failed_batches += 1
            count = len(results) if isinstance(results, Sequence) else type(results).__name__
            error = ResultCountError(
                f"batch function {_name(self.batch_func)} returned {count} result(s) for "
                f"{len(items)} item(s) in batch {batch_id}; it must return a sequence with "
                "one result per item, in input order"
            )
            logger.error("%s", error)
            _fail_all(futures, error)
            return

        for future, result in zip(futures, results, strict=True):
            if future.done():
                continue  # its caller was cancelled while the batch ran
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def _call(self, items: list[T]) -> Any:
        if not self.blocking:
            return await self.batch_func(items)  # type: ignore[misc]
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.batch_func, items)


def _fail_all(futures: list[asyncio.Future[Any]], error: BaseException) -> None:
    for future in futures:
        if not future.done():
            future.set_exception(error)


def _name(func: Callable[..., Any]) -> str:
    return getattr(func, "__qualname__", None) or repr(func)
