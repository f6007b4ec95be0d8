"""Tests for endpoint timing and the notebook profiler helpers."""

from __future__ import annotations

import asyncio
import inspect
import logging
import tracemalloc
import types

import pytest

from mismatch_core import profiling
from mismatch_core.profiling import (
    ProfileReport,
    cprofile,
    get_default_sink,
    line_profile,
    memory_profile,
    peak_memory,
    profile_endpoint,
    set_default_sink,
)

LOGGER_NAME = "mismatch_core.profiling"


class ManualClock:
    """Fake monotonic clock that moves only when a test advances it."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class StepClock:
    """Fake clock that advances by a fixed step on every read."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


class RecordingSink:
    def __init__(self) -> None:
        self.metrics: list[tuple[str, float]] = []

    def log_metric(self, name: str, value: float) -> None:
        self.metrics.append((name, value))


class FailingSink:
    def __init__(self) -> None:
        self.calls = 0

    def log_metric(self, name: str, value: float) -> None:
        self.calls += 1
        raise ConnectionError("monitoring service unavailable")


@pytest.fixture(autouse=True)
def no_default_sink():
    set_default_sink(None)
    yield
    set_default_sink(None)


def sink_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.WARNING]


# Functions profiled by the notebook helpers. They live at module level so that their
# source file is on disk, which memory_profiler requires.


def sum_of_squares(count: int) -> int:
    total = 0
    for number in range(count):
        total += number * number
    return total


class Scorer:
    def score(self, values: list[int]) -> int:
        return sum(value * 3 for value in values)


def score_all(scorer: Scorer, batches: int) -> int:
    return sum(scorer.score(list(range(100))) for _ in range(batches))


def allocate_block(size: int) -> int:
    block = bytearray(size)
    return len(block)


# profile_endpoint: timing


def test_sync_duration_to_sink():
    clock = ManualClock()
    sink = RecordingSink()

    @profile_endpoint(name="search", sink=sink, clock=clock)
    def search(query: str) -> str:
        clock.advance(0.25)
        return query.upper()

    assert search("python") == "PYTHON"
    assert sink.metrics == [("search.duration_seconds", 0.25)]


def test_step_clock_duration():
    sink = RecordingSink()

    @profile_endpoint(name="ping", sink=sink, clock=StepClock(0.5))
    def ping() -> str:
        return "pong"

    ping()
    ping()

    assert sink.metrics == [("ping.duration_seconds", 0.5), ("ping.duration_seconds", 0.5)]


def test_async_times_awaited_body():
    clock = ManualClock()
    sink = RecordingSink()

    @profile_endpoint(name="match", sink=sink, clock=clock)
    async def match(count: int) -> int:
        clock.advance(0.5)
        await asyncio.sleep(0)
        clock.advance(0.25)
        return count * 2

    assert asyncio.run(match(21)) == 42
    assert sink.metrics == [("match.duration_seconds", 0.75)]


def test_async_wrapper_is_coroutine_function():
    @profile_endpoint
    async def fetch() -> int:
        return 1

    assert inspect.iscoroutinefunction(fetch)


def test_async_call_not_timed_before_await():
    sink = RecordingSink()

    @profile_endpoint(sink=sink, clock=ManualClock())
    async def fetch() -> int:
        return 1

    coroutine = fetch()
    assert sink.metrics == []
    asyncio.run(coroutine)
    assert len(sink.metrics) == 1


# profile_endpoint: exceptions


def test_sync_exception_recorded_and_reraised(caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    clock = ManualClock()
    sink = RecordingSink()
    error = ValueError("invalid résumé id")

    @profile_endpoint(name="load", sink=sink, clock=clock)
    def load() -> None:
        clock.advance(0.125)
        raise error

    with pytest.raises(ValueError) as raised:
        load()

    assert raised.value is error
    assert sink.metrics == [("load.duration_seconds", 0.125)]
    assert caplog.records[-1].outcome == "ValueError"


def test_async_exception_recorded_and_reraised():
    clock = ManualClock()
    sink = RecordingSink()
    error = KeyError("job-7")

    @profile_endpoint(name="load", sink=sink, clock=clock)
    async def load() -> None:
        clock.advance(2.0)
        await asyncio.sleep(0)
        raise error

    with pytest.raises(KeyError) as raised:
        asyncio.run(load())

    assert raised.value is error
    assert sink.metrics == [("load.duration_seconds", 2.0)]


# profile_endpoint: decorator forms and metadata


def test_wraps_metadata():
    def rank(job_id: int) -> int:
        """Rank one job."""
        return job_id

    wrapped = profile_endpoint(rank)

    assert wrapped.__wrapped__ is rank
    assert wrapped.__name__ == "rank"
    assert wrapped.__qualname__ == rank.__qualname__
    assert wrapped.__doc__ == "Rank one job."
    assert wrapped.__module__ == __name__


def test_bare_form_uses_default_sink():
    sink = RecordingSink()
    set_default_sink(sink)

    @profile_endpoint
    def health() -> str:
        return "ok"

    assert health() == "ok"
    assert len(sink.metrics) == 1
    assert sink.metrics[0][0] == "test_bare_form_uses_default_sink.health.duration_seconds"


def test_parametrised_form_with_name():
    sink = RecordingSink()

    @profile_endpoint("jobs.search", sink=sink)
    def search() -> int:
        return 3

    assert search() == 3
    assert sink.metrics[0][0] == "jobs.search.duration_seconds"


def test_empty_parentheses_form():
    sink = RecordingSink()
    set_default_sink(sink)

    @profile_endpoint()
    def search() -> int:
        return 3

    assert search() == 3
    assert len(sink.metrics) == 1


def test_metric_name_drops_locals():
    sink = RecordingSink()

    class JobSearch:
        @profile_endpoint(sink=sink)
        def search(self) -> int:
            return 1

    JobSearch().search()

    assert sink.metrics[0][0] == "test_metric_name_drops_locals.JobSearch.search.duration_seconds"


# profile_endpoint: sinks


def test_explicit_sink_overrides_default():
    default = RecordingSink()
    explicit = RecordingSink()
    set_default_sink(default)

    @profile_endpoint(sink=explicit)
    def search() -> int:
        return 1

    search()

    assert len(explicit.metrics) == 1
    assert default.metrics == []


def test_default_sink_read_at_call_time():
    @profile_endpoint
    def search() -> int:
        return 1

    search()
    sink = RecordingSink()
    set_default_sink(sink)
    search()

    assert len(sink.metrics) == 1


def test_default_sink_getter():
    sink = RecordingSink()
    set_default_sink(sink)

    assert get_default_sink() is sink


def test_no_sink_still_returns():
    @profile_endpoint
    def search() -> int:
        return 5

    assert search() == 5


def test_failing_sink_returns_result(caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    sink = FailingSink()

    @profile_endpoint(sink=sink, clock=ManualClock())
    def search() -> str:
        return "found"

    assert search() == "found"
    assert sink.calls == 1
    assert len(sink_warnings(caplog)) == 1


def test_failing_sink_keeps_function_error():
    error = RuntimeError("database unavailable")

    @profile_endpoint(sink=FailingSink(), clock=ManualClock())
    def search() -> None:
        raise error

    with pytest.raises(RuntimeError) as raised:
        search()

    assert raised.value is error


def test_failing_sink_warning_rate_limited(caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    clock = ManualClock()
    sink = FailingSink()

    @profile_endpoint(sink=sink, clock=clock)
    def search() -> str:
        return "found"

    search()
    clock.advance(30.0)
    search()
    search()
    assert sink.calls == 3
    assert len(sink_warnings(caplog)) == 1

    clock.advance(30.0)
    search()
    warnings = sink_warnings(caplog)
    assert len(warnings) == 2
    assert "2 more failures" in warnings[-1].getMessage()


def test_failing_sink_warning_has_traceback(caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER_NAME)

    @profile_endpoint(sink=FailingSink(), clock=ManualClock())
    def search() -> None:
        return None

    search()

    assert caplog.records[0].exc_info[0] is ConnectionError


# profile_endpoint: logging


def test_log_line_contents(caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    clock = ManualClock()

    @profile_endpoint(clock=clock)
    def search() -> None:
        clock.advance(0.0125)

    search()

    [record] = caplog.records
    message = record.getMessage()
    assert record.levelno == logging.DEBUG
    assert f"{__name__}.test_log_line_contents.<locals>.search" in message
    assert "12.500 ms" in message
    assert message.endswith("outcome ok")
    assert record.duration_seconds == pytest.approx(0.0125)


def test_log_level_and_logger(caplog):
    custom = logging.getLogger("tests.profiling.custom")
    caplog.set_level(logging.INFO, logger="tests.profiling.custom")

    @profile_endpoint(logger=custom, level=logging.INFO)
    def search() -> None:
        return None

    search()

    [record] = caplog.records
    assert record.name == "tests.profiling.custom"
    assert record.levelno == logging.INFO


def test_debug_hidden_at_info(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)

    @profile_endpoint
    def search() -> None:
        return None

    search()

    assert caplog.records == []


# profile_endpoint: validation


def test_rejects_generator_function():
    def rows():
        yield 1

    with pytest.raises(TypeError, match="generator"):
        profile_endpoint(rows)


def test_rejects_async_generator_function():
    async def rows():
        yield 1

    with pytest.raises(TypeError, match="generator"):
        profile_endpoint(rows)


@pytest.mark.parametrize("name", ["", "jobs search", ".search", "search."])
def test_rejects_invalid_name(name):
    with pytest.raises(ValueError, match="metric name"):
        profile_endpoint(name)


def test_rejects_sink_without_log_metric():
    with pytest.raises(TypeError, match="log_metric"):
        profile_endpoint(sink=object())


def test_rejects_non_callable_clock():
    with pytest.raises(TypeError, match="clock"):
        profile_endpoint(clock=1.5)


def test_rejects_level_name():
    with pytest.raises(TypeError, match="level"):
        profile_endpoint(level="INFO")


def test_default_sink_rejects_invalid():
    with pytest.raises(TypeError, match="log_metric"):
        set_default_sink("stdout")


# ProfileReport


def test_report_str_and_html():
    report = ProfileReport(result=1, text="a < b & c")

    assert str(report) == "a < b & c"
    assert report._repr_html_() == "<pre>a &lt; b &amp; c</pre>"


# line_profile


def test_line_profile_report():
    report = line_profile(sum_of_squares, 200)

    assert report.result == sum(n * n for n in range(200))
    assert "sum_of_squares" in report.text
    assert "total += number * number" in report.text


def test_line_profile_table():
    report = line_profile(sum_of_squares, 50)
    table = report.table
    loop_body = table[table["source"].str.contains("total += number", regex=False)]

    assert set(table["function"]) == {"sum_of_squares"}
    assert loop_body["hits"].iloc[0] == 50
    assert table["percent"].sum() == pytest.approx(100.0)
    assert table["time_ms"].is_monotonic_decreasing


def test_line_profile_method_target():
    report = line_profile(score_all, Scorer(), 3, targets=[Scorer.score])

    assert report.result == 3 * sum(value * 3 for value in range(100))
    assert "return sum(value * 3 for value in values)" in report.text
    assert "Scorer.score" in set(report.table["function"])


def test_line_profile_unwraps_decorator():
    timed = profile_endpoint(sum_of_squares)

    report = line_profile(timed, 10)

    assert report.result == 285
    assert "total += number * number" in report.text


def test_line_profile_rejects_builtin_target():
    with pytest.raises(ValueError, match="no Python code"):
        line_profile(sum_of_squares, 3, targets=[len])


def test_line_profile_rejects_coroutine_function():
    async def fetch() -> int:
        return 1

    with pytest.raises(TypeError, match="coroutine function"):
        line_profile(fetch)


# memory_profile


def test_memory_profile_report():
    report = memory_profile(allocate_block, 1024)

    assert report.result == 1024
    assert "block = bytearray(size)" in report.text
    assert "MiB" in report.text


def test_memory_profile_table():
    report = memory_profile(allocate_block, 1024)
    lines = list(report.table["source"])

    assert any("bytearray(size)" in line for line in lines)
    assert set(report.table["function"]) == {"allocate_block"}


def test_memory_profile_rejects_missing_source():
    code = sum_of_squares.__code__.replace(co_filename="<generated>")
    generated = types.FunctionType(code, globals(), "sum_of_squares")

    with pytest.raises(ValueError, match="<generated>"):
        memory_profile(generated, 3)


# cprofile


def test_cprofile_report():
    report = cprofile(score_all, Scorer(), 2)

    assert report.result == 2 * sum(value * 3 for value in range(100))
    assert "score_all" in report.text
    assert "cumulative" in report.text


def test_cprofile_table():
    report = cprofile(score_all, Scorer(), 4, limit=5)
    table = report.table
    score_rows = table[table["function"] == "score"]

    assert len(table) <= 5
    assert table["cumtime"].is_monotonic_decreasing
    assert score_rows["ncalls"].iloc[0] == 4


def test_cprofile_sort_key_enum():
    import pstats

    report = cprofile(sum_of_squares, 10, sort=pstats.SortKey.TIME)

    assert report.result == 285
    assert "internal time" in report.text


def test_cprofile_rejects_bad_sort():
    with pytest.raises(ValueError, match="sort"):
        cprofile(sum_of_squares, 3, sort="fastest")


def test_cprofile_rejects_bad_limit():
    with pytest.raises(ValueError, match="limit"):
        cprofile(sum_of_squares, 3, limit=0)


# peak_memory


def test_peak_memory_large_allocation():
    size = 10 * 1024 * 1024

    result, peak = peak_memory(allocate_block, size)

    assert result == size
    assert peak >= size


def test_peak_memory_stops_tracemalloc():
    assert not tracemalloc.is_tracing()

    peak_memory(allocate_block, 1024)

    assert not tracemalloc.is_tracing()


def test_peak_memory_keeps_tracing():
    tracemalloc.start(5)
    try:
        _, peak = peak_memory(allocate_block, 1024 * 1024)
        still_tracing = tracemalloc.is_tracing()
        frames = tracemalloc.get_traceback_limit()
    finally:
        tracemalloc.stop()

    assert peak >= 1024 * 1024
    assert still_tracing
    assert frames == 5


def test_peak_memory_stops_after_error():
    def fail() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError):
        peak_memory(fail)

    assert not tracemalloc.is_tracing()


def test_module_logger_name():
    assert profiling.logger.name == LOGGER_NAME
