"""MicroBatcher: coalescing, per-caller outcomes, cancellation and batch failures."""

from __future__ import annotations

import asyncio
import functools
import threading

import pytest

from mismatch_core.batching import BatcherClosed, MicroBatcher, ResultCountError

WAIT = 5.0
# Long enough that no test reaches it: batches in these tests flush by size or by hand.
NEVER = 60.0


async def _bounded(coroutine):
    async with asyncio.timeout(WAIT * 2):
        return await coroutine


def run(coroutine):
    """Run a coroutine in a new loop, in one task, for at most twice ``WAIT`` seconds."""
    return asyncio.run(_bounded(coroutine))


class Recorder:
    """An async batch function that records each batch and returns items times ten."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    async def __call__(self, items: list[int]) -> list[int]:
        self.batches.append(list(items))
        return [item * 10 for item in items]


class FakeClock:
    """Monotonic seconds set by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def spin(predicate, rounds: int = 100) -> None:
    """Yield to the loop until ``predicate()`` holds, for at most ``rounds`` iterations."""
    for _ in range(rounds):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not reached")


def test_coalesces_by_size():
    recorder = Recorder()

    async def main():
        async with MicroBatcher(recorder, max_batch_size=4, max_wait=NEVER) as batcher:
            callers = [asyncio.create_task(batcher.submit(i)) for i in range(10)]
            await spin(lambda: len(recorder.batches) == 2)
            batcher.flush()
            return await asyncio.gather(*callers)

    assert run(main()) == [i * 10 for i in range(10)]
    assert recorder.batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_flushes_after_max_wait():
    recorder = Recorder()

    async def main():
        async with MicroBatcher(recorder, max_batch_size=100, max_wait=0.01) as batcher:
            return await asyncio.wait_for(
                asyncio.gather(*(batcher.submit(i) for i in range(3))), WAIT
            )

    assert run(main()) == [0, 10, 20]
    assert recorder.batches == [[0, 1, 2]]


def test_zero_wait_still_coalesces():
    recorder = Recorder()

    async def main():
        async with MicroBatcher(recorder, max_batch_size=100, max_wait=0) as batcher:
            return await asyncio.gather(*(batcher.submit(i) for i in range(5)))

    assert run(main()) == [0, 10, 20, 30, 40]
    assert recorder.batches == [[0, 1, 2, 3, 4]]


def test_per_item_error():
    async def checked(items: list[int]) -> list[object]:
        return [ValueError(f"item {i} is odd") if i % 2 else i for i in items]

    async def main():
        async with MicroBatcher(checked, max_batch_size=4, max_wait=NEVER) as batcher:
            return await asyncio.gather(
                *(batcher.submit(i) for i in range(4)), return_exceptions=True
            )

    outcomes = run(main())
    assert outcomes[0] == 0
    assert outcomes[2] == 2
    assert isinstance(outcomes[1], ValueError)
    assert str(outcomes[1]) == "item 1 is odd"
    assert str(outcomes[3]) == "item 3 is odd"


def test_batch_error_reaches_all():
    calls = 0

    async def flaky(items: list[int]) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("backend down")
        return items

    async def main():
        async with MicroBatcher(flaky, max_batch_size=3, max_wait=NEVER) as batcher:
            first = await asyncio.gather(
                *(batcher.submit(i) for i in range(3)), return_exceptions=True
            )
            second = await asyncio.gather(*(batcher.submit(i) for i in range(3)))
            return first, second, batcher.stats

    first, second, stats = run(main())
    assert all(isinstance(outcome, RuntimeError) for outcome in first)
    assert [str(outcome) for outcome in first] == ["backend down"] * 3
    assert second == [0, 1, 2]
    assert stats.failed_batches == 1
    assert stats.batches == 2


@pytest.mark.parametrize("returned", [[1, 2], [1, 2, 3, 4], None])
def test_wrong_result_count(returned):
    async def wrong(items: list[int]):
        return returned

    async def main():
        async with MicroBatcher(wrong, max_batch_size=3, max_wait=NEVER) as batcher:
            return await asyncio.gather(
                *(batcher.submit(i) for i in range(3)), return_exceptions=True
            )

    outcomes = run(main())
    assert all(isinstance(outcome, ResultCountError) for outcome in outcomes)
    message = str(outcomes[0])
    assert "for 3 item(s)" in message
    assert "one result per item" in message


def test_cancel_before_flush():
    recorder = Recorder()

    async def main():
        async with MicroBatcher(recorder, max_batch_size=10, max_wait=NEVER) as batcher:
            callers = [asyncio.create_task(batcher.submit(i)) for i in range(3)]
            await spin(lambda: batcher.waiting == 3)
            callers[1].cancel()
            await asyncio.sleep(0)
            batcher.flush()
            results = [await callers[0], await callers[2]]
            later = await asyncio.gather(batcher.submit(7), _flush_soon(batcher))
            return results, callers[1].cancelled(), later[0], batcher.stats

    results, cancelled, later, stats = run(main())
    assert results == [0, 20]
    assert cancelled
    assert later == 70
    assert recorder.batches == [[0, 2], [7]]
    assert stats.cancelled_before_flush == 1


async def _flush_soon(batcher: MicroBatcher) -> None:
    await asyncio.sleep(0)
    batcher.flush()


def test_cancel_during_batch():
    release = None
    batches: list[list[int]] = []

    async def gated(items: list[int]) -> list[int]:
        batches.append(list(items))
        await release.wait()
        return [item + 100 for item in items]

    async def main():
        nonlocal release
        release = asyncio.Event()
        async with MicroBatcher(gated, max_batch_size=3, max_wait=NEVER) as batcher:
            callers = [asyncio.create_task(batcher.submit(i)) for i in range(3)]
            await spin(lambda: len(batches) == 1)
            callers[0].cancel()
            await asyncio.sleep(0)
            release.set()
            kept = [await callers[1], await callers[2]]
            later = await asyncio.gather(*(batcher.submit(i) for i in (5, 6, 7)))
            return callers[0].cancelled(), kept, later

    cancelled, kept, later = run(main())
    assert cancelled
    assert kept == [101, 102]
    assert later == [105, 106, 107]


def test_sync_batch_function_in_thread():
    main_thread = threading.get_ident()
    threads: list[int] = []

    def blocking(items: list[int]) -> list[int]:
        threads.append(threading.get_ident())
        return [-item for item in items]

    async def main():
        async with MicroBatcher(blocking, max_batch_size=2, max_wait=NEVER) as batcher:
            return await asyncio.gather(*(batcher.submit(i) for i in range(4)))

    assert run(main()) == [0, -1, -2, -3]
    assert threads
    assert main_thread not in threads


def test_max_concurrent_batches():
    running = 0
    peak = 0

    async def tracked(items: list[int]) -> list[int]:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        for _ in range(5):
            await asyncio.sleep(0)
        running -= 1
        return items

    async def main():
        async with MicroBatcher(
            tracked, max_batch_size=2, max_wait=NEVER, max_concurrent_batches=2
        ) as batcher:
            return await asyncio.gather(*(batcher.submit(i) for i in range(12)))

    assert run(main()) == list(range(12))
    assert peak == 2


def test_stats_use_injected_clock():
    clock = FakeClock()
    recorder = Recorder()

    async def main():
        async with MicroBatcher(
            recorder, max_batch_size=10, max_wait=NEVER, clock=clock
        ) as batcher:
            callers = [asyncio.create_task(batcher.submit(i)) for i in range(4)]
            await spin(lambda: batcher.waiting == 4)
            clock.now = 0.25
            batcher.flush()
            await asyncio.gather(*callers)
            return batcher.stats

    stats = run(main())
    assert stats.mean_wait == 0.25
    assert stats.mean_batch_size == 4.0
    assert stats.max_batch == 4


def test_closed_rejects_submit():
    async def main():
        batcher = MicroBatcher(Recorder(), max_batch_size=2, max_wait=NEVER)
        await batcher.aclose()
        await batcher.submit(1)

    with pytest.raises(BatcherClosed, match="MicroBatcher is closed"):
        run(main())


def test_close_flushes_pending():
    recorder = Recorder()

    async def main():
        batcher = MicroBatcher(recorder, max_batch_size=10, max_wait=NEVER)
        caller = asyncio.create_task(batcher.submit(3))
        await spin(lambda: batcher.waiting == 1)
        await batcher.aclose()
        return await caller

    assert run(main()) == 30


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_batch_size": 0}, "max_batch_size must be an int of at least 1"),
        ({"max_wait": -0.1}, "max_wait must be a number of seconds"),
        ({"max_concurrent_batches": 0}, "max_concurrent_batches must be an int"),
    ],
)
def test_invalid_options(options, message):
    with pytest.raises(ValueError, match=message):
        MicroBatcher(Recorder(), **options)


def test_top_k_many_as_batch(small_matcher):
    matcher, resumes = small_matcher

    async def main():
        batch = functools.partial(matcher.top_k_many, k=5)
        async with MicroBatcher(batch, max_batch_size=8, max_wait=0.001) as batcher:
            return await asyncio.gather(*(batcher.submit(r) for r in resumes)), batcher.stats

    ranked, stats = run(main())
    assert ranked == [matcher.top_k(r, 5) for r in resumes]
    assert stats.max_batch == 8


@pytest.fixture(scope="module")
def small_matcher():
    from mismatch_core import synthetic
    from mismatch_core.matching import VectorizedMatcher

    dataset = synthetic.generate(300, 24, seed=3, progress=False)
    jobs = synthetic.jobs_from_frame(dataset.jobs)
    resumes = synthetic.resumes_from_frame(dataset.resumes)
    return VectorizedMatcher().fit(jobs), resumes
