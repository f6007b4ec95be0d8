"""AsyncProcessor and the roadmap's processor: order, outcomes, bounds, cancellation."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ProcessPoolExecutor

import pytest

from mismatch_core.batching import DEFAULT_MAX_CONCURRENCY, AsyncProcessor, BatchError
from mismatch_core.batching.roadmap import RoadmapAsyncProcessor

# Every test bounds its waits, so a hang fails fast instead of stalling the suite.
WAIT = 5.0


async def _bounded(coroutine):
    async with asyncio.timeout(WAIT * 2):
        return await coroutine


def run(coroutine):
    """Run a coroutine in a new loop, in one task, for at most twice ``WAIT`` seconds."""
    return asyncio.run(_bounded(coroutine))


async def double(value: int) -> int:
    await asyncio.sleep(0)
    return value * 2


def square(value: int) -> int:
    return value * value


async def fail_on_three(value: int) -> int:
    await asyncio.sleep(0)
    if value == 3:
        raise ValueError(f"bad item {value}")
    return value


def test_roadmap_call_form():
    assert run(AsyncProcessor.process_batch([1, 2, 3], double)) == [2, 4, 6]


def test_results_in_input_order():
    # Items finish in reverse order: each waits for the next one to finish first.

    async def main():
        events = [asyncio.Event() for _ in range(6)]
        finished: list[int] = []

        async def reverse(value: int) -> int:
            if value < 5:
                await events[value + 1].wait()
            finished.append(value)
            events[value].set()
            return value * 10

        results = await AsyncProcessor.process_batch(range(6), reverse, max_concurrency=6)
        return finished, results

    finished, results = run(main())
    assert finished == [5, 4, 3, 2, 1, 0]
    assert results == [0, 10, 20, 30, 40, 50]


def test_failure_stays_in_its_slot():
    results = run(AsyncProcessor.process_batch(range(6), fail_on_three))
    assert results[:3] == [0, 1, 2]
    assert isinstance(results[3], ValueError)
    assert str(results[3]) == "bad item 3"
    assert results[4:] == [4, 5]


def test_fail_fast_raises_group():
    async def main():
        return await AsyncProcessor.process_batch(
            range(100), fail_on_three, max_concurrency=2, fail_fast=True
        )

    with pytest.raises(BatchError) as caught:
        run(main())
    group = caught.value
    assert isinstance(group, ExceptionGroup)
    assert [str(e) for e in group.exceptions] == ["bad item 3"]
    # Items finished before the failure keep their results; far items were never taken.
    assert group.results[:3] == [0, 1, 2]
    assert isinstance(group.results[3], ValueError)
    assert len(group.results) < 100


def test_fail_fast_except_star():
    caught = []

    async def main():
        try:
            await AsyncProcessor.process_batch(range(10), fail_on_three, fail_fast=True)
        except* ValueError as group:
            caught.append(group)

    run(main())
    assert len(caught) == 1
    group = caught[0]
    assert isinstance(group, BatchError)
    assert group.results[0] == 0


class PeakCounter:
    """An item function that counts how many of its calls run at once."""

    def __init__(self, yields: int = 1) -> None:
        self.yields = yields
        self.running = 0
        self.peak = 0

    async def __call__(self, value: int) -> int:
        self.running += 1
        self.peak = max(self.peak, self.running)
        for _ in range(self.yields):
            await asyncio.sleep(0)
        self.running -= 1
        return value


def test_concurrency_is_bounded():
    async def main():
        counter = PeakCounter(yields=3)
        results = await AsyncProcessor.process_batch(range(50), counter, max_concurrency=3)
        return counter.peak, results

    peak, results = run(main())
    assert peak == 3
    assert results == list(range(50))


def test_default_concurrency_is_bounded():
    async def main():
        counter = PeakCounter()
        await AsyncProcessor.process_batch(range(500), counter)
        return counter.peak

    assert run(main()) == DEFAULT_MAX_CONCURRENCY


def test_million_items_stream():
    count = 1_000_000
    pulled = 0

    def lazy():
        nonlocal pulled
        for value in range(count):
            pulled += 1
            yield value

    async def main():
        peak_tasks = 0

        async def identity(value: int) -> int:
            nonlocal peak_tasks
            if value % 50_000 == 0:
                peak_tasks = max(peak_tasks, len(asyncio.all_tasks()))
            return value

        results = await AsyncProcessor.process_batch(lazy(), identity, max_concurrency=8)
        return peak_tasks, results

    peak_tasks, results = run(main())
    assert pulled == count
    assert len(results) == count
    assert results[-1] == count - 1
    # 8 workers plus the task running main().
    assert peak_tasks <= 9


def test_async_iterable_input():
    async def produce():
        for value in range(20):
            await asyncio.sleep(0)
            yield value

    results = run(AsyncProcessor.process_batch(produce(), double, max_concurrency=4))
    assert results == [value * 2 for value in range(20)]


def test_timeout_per_item():
    async def main():
        never = asyncio.Event()

        async def slow_one(value: int) -> int:
            if value == 1:
                await never.wait()
            return value

        return await AsyncProcessor.process_batch(range(4), slow_one, timeout=0.05)

    results = run(main())
    assert results[0] == 0
    assert isinstance(results[1], TimeoutError)
    assert results[2:] == [2, 3]


def test_cancel_leaves_no_tasks():
    async def main():
        started = 0
        cleaned = 0
        all_started = asyncio.Event()
        never = asyncio.Event()

        async def stuck(value: int) -> int:
            nonlocal started, cleaned
            started += 1
            if started == 4:
                all_started.set()
            try:
                await never.wait()
            finally:
                cleaned += 1
            return value

        batch = asyncio.create_task(
            AsyncProcessor.process_batch(range(100), stuck, max_concurrency=4)
        )
        await asyncio.wait_for(all_started.wait(), WAIT)
        batch.cancel()
        with pytest.raises(asyncio.CancelledError):
            await batch
        return started, cleaned, asyncio.all_tasks() - {asyncio.current_task()}

    started, cleaned, leftover = run(main())
    assert started == 4
    assert cleaned == 4
    assert leftover == set()


def test_item_own_cancellation_recorded():
    async def self_cancelling(value: int) -> int:
        if value == 1:
            raise asyncio.CancelledError
        return value

    results = run(AsyncProcessor.process_batch(range(3), self_cancelling))
    assert results[0] == 0
    assert isinstance(results[1], asyncio.CancelledError)
    assert results[2] == 2


def test_sync_callable_runs_in_thread():
    main_thread = threading.get_ident()

    def where(value: int) -> tuple[int, bool]:
        return value, threading.get_ident() != main_thread

    results = run(AsyncProcessor.process_batch(range(10), where, max_concurrency=4))
    assert [value for value, _ in results] == list(range(10))
    assert all(in_thread for _, in_thread in results)


def test_sync_callable_in_process_pool():
    async def main():
        with ProcessPoolExecutor(max_workers=1) as pool:
            return await AsyncProcessor.process_batch(range(8), square, executor=pool)

    assert run(main()) == [value * value for value in range(8)]


def test_lambda_returning_coroutine():
    results = run(AsyncProcessor.process_batch(range(4), lambda value: double(value)))
    assert results == [0, 2, 4, 6]


def test_progress_bar(capsys):
    run(AsyncProcessor.process_batch(range(5), double, progress=True))
    assert "5/5" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_concurrency": 0}, "max_concurrency must be at least 1"),
        ({"timeout": 0}, "timeout must be a positive number"),
        ({"timeout": -1.0}, "timeout must be a positive number"),
    ],
)
def test_invalid_options(options, message):
    with pytest.raises(ValueError, match=message):
        run(AsyncProcessor.process_batch([1], double, **options))


def test_non_iterable_rejected():
    with pytest.raises(TypeError, match="items must be an iterable"):
        run(AsyncProcessor.process_batch(42, double))


def test_roadmap_loses_all_results():
    with pytest.raises(ValueError, match="bad item 3"):
        run(RoadmapAsyncProcessor.process_batch(list(range(6)), fail_on_three))


def test_roadmap_starts_everything():
    async def main():
        counter = PeakCounter()
        await RoadmapAsyncProcessor.process_batch(list(range(500)), counter)
        return counter.peak

    assert run(main()) == 500
