"""Bounded, order-preserving batch processing of coroutines and blocking callables.

``AsyncProcessor.process_batch(items, func)`` keeps the call form of the original
backend and fixes what it got wrong. At most ``max_concurrency`` items run at once, the
input may be a lazy (async) iterator, and every item gets its own outcome in input
order. Cancelling the call leaves no task behind.

It runs a fixed pool of ``max_concurrency`` worker tasks that pull items from the shared
input iterator, so a million items never become a million tasks. A worker awaits each
item's coroutine directly, without wrapping it in a task of its own.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from concurrent.futures import Executor
from typing import Any, Generic, TypeVar

from tqdm import tqdm

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# An estimate, not a measured optimum: enough in-flight requests to hide tens of
# milliseconds of I/O latency, and fewer than a typical database pool or file-descriptor
# limit would reject. Pass max_concurrency to size it for the resource being called.
DEFAULT_MAX_CONCURRENCY = 64


class BatchError(ExceptionGroup):
    """Raised by a fail-fast batch: the items' exceptions, plus every outcome so far.

    ``results`` is in input order and covers each item taken from the input before the
    batch stopped: a value, the item's exception, or ``asyncio.CancelledError`` for an
    item that was running when the batch stopped. Items never taken are absent.
    """

    results: list[Any]

    def __new__(cls, message: str, exceptions: Any, results: list[Any] | None = None):
        group = super().__new__(cls, message, exceptions)
        group.results = results if results is not None else []
        return group

    def __init__(self, message: str, exceptions: Any, results: list[Any] | None = None) -> None:
        super().__init__(message, exceptions)

    def derive(self, exceptions: Any) -> BatchError:
        return BatchError(self.message, exceptions, self.results)


class _FailFast(Exception):
    """Raised inside a worker to make the task group cancel the other workers."""


class _Pending:
    """Marks an outcome slot whose item has not finished."""

    def __repr__(self) -> str:
        return "<pending>"


_PENDING = _Pending()


def _check_options(max_concurrency: int, timeout: float | None) -> None:
    if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
        raise TypeError(f"max_concurrency must be an int, got {max_concurrency!r}")
    if max_concurrency < 1:
        raise ValueError(
            f"max_concurrency must be at least 1, got {max_concurrency}; "
            "pass 1 to run the items one after another"
        )
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")


def is_coroutine_callable(func: Callable[..., Any]) -> bool:
    """Return whether calling ``func`` returns a coroutine, looking through ``partial``."""
    while isinstance(func, functools.partial):
        func = func.func
    if inspect.iscoroutinefunction(func):
        return True
    call = getattr(func, "__call__", None)  # noqa: B004 - an object with an async __call__
    return inspect.iscoroutinefunction(call)


class _Source(Generic[T]):
    """Hands out (index, item) pairs from a sync or async iterable to several workers."""

    def __init__(self, items: Iterable[T] | AsyncIterable[T]) -> None:
        self._sync: Iterator[T] | None = None
        self._async: AsyncIterator[T] | None = None
        if isinstance(items, AsyncIterable):
            self._async = aiter(items)
            self._lock = asyncio.Lock()
        elif isinstance(items, Iterable):
            self._sync = iter(items)
        else:
            raise TypeError(
                f"items must be an iterable or async iterable, got {type(items).__name__}"
            )
        self.taken = 0
        self.exhausted = False

    async def next(self) -> tuple[int, T] | None:
        if self.exhausted:
            return None
        if self._sync is not None:
            try:
                item = next(self._sync)
            except StopIteration:
                self.exhausted = True
                return None
        else:
            # Two workers must not await __anext__ of the same async generator at once.
            async with self._lock:
                if self.exhausted:
                    return None
                try:
                    item = await anext(self._async)
                except StopAsyncIteration:
                    self.exhausted = True
                    return None
        index = self.taken
        self.taken += 1
        return index, item


class _Batch(Generic[T, R]):
    """The state of one ``process_batch`` call, shared by its workers."""

    def __init__(
        self,
        source: _Source[T],
        call: Callable[[T], Awaitable[R]],
        timeout: float | None,
        fail_fast: bool,
        bar: tqdm | None,
    ) -> None:
        self.source = source
        self.call = call
        self.timeout = timeout
        self.fail_fast = fail_fast
        self.bar = bar
        self.results: list[Any] = []
        self.failures: list[Exception] = []

    async def work(self) -> None:
        results = self.results
        while (taken := await self.source.next()) is not None:
            index, item = taken
            results.append(_PENDING)
            outcome = await self._run_one(index, item)
            results[index] = outcome
            if self.bar is not None:
                self.bar.update()
            if self.fail_fast and isinstance(outcome, Exception):
                raise _FailFast

    async def _run_one(self, index: int, item: T) -> Any:
        try:
            if self.timeout is None:
                return await self.call(item)
            async with asyncio.timeout(self.timeout):
                return await self.call(item)
        except asyncio.CancelledError as cancelled:
            if asyncio.current_task().cancelling():
                raise  # the batch itself is being cancelled
            # The item raised CancelledError on its own: that is its outcome, but it is
            # no Exception, so it neither stops a fail-fast batch nor joins BatchError.
            return cancelled
        except Exception as error:  # noqa: BLE001 - any failure is that item's outcome
            logger.debug("batch item %d failed: %r", index, error)
            self.failures.append(error)
            return error


class AsyncProcessor:
    """Runs one function over many items with bounded concurrency."""

    @staticmethod
    async def process_batch(
        items: Iterable[T] | AsyncIterable[T],
        func: Callable[[T], Awaitable[R]] | Callable[[T], R],
        *,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        timeout: float | None = None,
        fail_fast: bool = False,
        executor: Executor | None = None,
        blocking: bool | None = None,
        progress: bool = False,
    ) -> list[R | BaseException]:
        """Apply ``func`` to every item and return the outcomes in input order.

        Each outcome is the item's result, or the exception its call raised (a
        ``TimeoutError`` when it took longer than ``timeout`` seconds). With
        ``fail_fast=True`` the first failure stops the batch: running items are
        cancelled, no further item is taken, and ``BatchError`` (an ``ExceptionGroup``)
        is raised with the failures and the outcomes so far.

        ``func`` is either a coroutine function, awaited on the event loop, or a
        blocking callable, run in ``executor``. That is the loop's default thread pool
        when None; pass a ``ProcessPoolExecutor`` for CPU-bound Python code. ``blocking``
        overrides the detection, which looks at whether ``func`` is a coroutine
        function. A blocking callable that returns an awaitable has it awaited on the loop.

        Cancelling the call cancels the running items and waits for them to finish.

        NOTE: streaming bounds the tasks but not the output. The returned list contains
        one outcome per item, so a million items still cost a million list slots.
        """
        _check_options(max_concurrency, timeout)
        if not callable(func):
            raise TypeError(f"func must be callable, got {func!r}")
        if blocking is None:
            blocking = not is_coroutine_callable(func)
        call = _in_executor(func, executor) if blocking else func
        source = _Source(items)

        total = len(items) if hasattr(items, "__len__") else None  # type: ignore[arg-type]
        bar = tqdm(total=total, unit="item", desc="batch") if progress else None
        batch = _Batch(source, call, timeout, fail_fast, bar)
        workers = max_concurrency if total is None else max(1, min(max_concurrency, total))
        try:
            await _run_workers(batch, workers)
        finally:
            if bar is not None:
                bar.close()
        return batch.results


async def _run_workers(batch: _Batch[Any, Any], workers: int) -> None:
    """Run the workers in a task group; turn a fail-fast stop into ``BatchError``."""
    if workers == 1:
        # One worker needs no task: await it in the caller's task.
        try:
            await batch.work()
        except _FailFast:
            _raise_batch_error(batch)
        return

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(workers):
                group.create_task(batch.work())
    except* _FailFast:
        _raise_batch_error(batch)


def _raise_batch_error(batch: _Batch[Any, Any]) -> None:
    results = [
        asyncio.CancelledError() if outcome is _PENDING else outcome for outcome in batch.results
    ]
    count = len(batch.failures)
    raise BatchError(
        f"{count} of {len(results)} batch item(s) failed; the batch stopped at the first failure",
        batch.failures,
        results,
    ) from None


def _in_executor(
    func: Callable[[T], Any], executor: Executor | None
) -> Callable[[T], Awaitable[Any]]:
    """Wrap a blocking callable so that each call runs in ``executor``.

    NOTE: a timeout or cancellation stops the wait, not the call: the pool thread or
    process finishes the call in the background, and its result is discarded.
    """

    async def call(item: T) -> Any:
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(executor, func, item)
        if inspect.isawaitable(result):
            return await result
        return result

    return call
