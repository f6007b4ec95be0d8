"""Endpoint timing with metrics, and profiler helpers that return their report as text.

``profile_endpoint`` times each call of a sync or ``async def`` function with an injected
clock, logs one line and sends the duration to a metrics sink. The sink receives metric
``<name>.duration_seconds``. ``name`` defaults to the function's ``__qualname__`` with
``<locals>`` segments removed, so ``JobSearch.search`` becomes
``JobSearch.search.duration_seconds`` and a handler built inside ``make_app`` becomes
``make_app.handler.duration_seconds``.

The notebook helpers (``line_profile``, ``memory_profile``, ``cprofile``) return a
``ProfileReport`` instead of writing to a pager or to stdout. A headless notebook run
keeps the report in the cell output and in the HTML export.
"""

from __future__ import annotations

import functools
import html
import inspect
import io
import linecache
import logging
import os
import pstats
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, overload, runtime_checkable

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

Clock = Callable[[], float]

# A decorated function logs a failing sink at most once per this many seconds of its clock.
SINK_WARNING_INTERVAL_SECONDS = 60.0
# Bounds the table of failing sinks that one decorated function tracks.
_MAX_TRACKED_SINKS = 16

_METRIC_SUFFIX = "duration_seconds"


@runtime_checkable
class MetricsSink(Protocol):
    """Receiver of numeric metrics, such as the monitoring service."""

    def log_metric(self, name: str, value: float) -> None:
        """Record ``value`` under the metric ``name``."""
        ...


_default_sink: MetricsSink | None = None


def _validate_sink(sink: object, argument: str) -> None:
    if sink is None:
        return
    if not callable(getattr(sink, "log_metric", None)):
        raise TypeError(
            f"{argument} must have a log_metric(name, value) method or be None, "
            f"got {type(sink).__name__}"
        )


def set_default_sink(sink: MetricsSink | None) -> None:
    """Set the sink used by ``profile_endpoint`` wrappers that have no sink of their own.

    Wrappers read the default at each call, so this also affects functions decorated
    earlier. ``None`` turns metrics off for them.
    """
    _validate_sink(sink, "sink")

    global _default_sink
    _default_sink = sink


def get_default_sink() -> MetricsSink | None:
    """Return the sink set by ``set_default_sink``, or None."""
    return _default_sink


class _SinkFailureLog:
    """Rate-limited warnings about a failing metrics sink, at most one per sink per interval."""

    def __init__(self, log: logging.Logger, interval: float) -> None:
        self._log = log
        self._interval = interval
        self._last_warning: dict[int, float] = {}
        self._suppressed: dict[int, int] = {}
        self._lock = threading.Lock()

    def report(self, sink: MetricsSink, metric: str, error: Exception, now: float) -> None:
        """Log ``error`` unless this sink was already reported less than an interval ago."""
        key = id(sink)

        with self._lock:
            last = self._last_warning.get(key)
            if last is not None and now - last < self._interval:
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return

            if last is None and len(self._last_warning) >= _MAX_TRACKED_SINKS:
                self._last_warning.clear()
                self._suppressed.clear()
            self._last_warning[key] = now
            suppressed = self._suppressed.pop(key, 0)

        self._log.warning(
            "metric %s was dropped because metrics sink %r failed: %r "
            "(%d more failures of this sink since the previous warning)",
            metric,
            sink,
            error,
            suppressed,
            exc_info=error,
        )


class _CallRecorder:
    """Logs and reports the duration of one decorated function's calls."""

    def __init__(
        self,
        label: str,
        metric: str,
        sink: MetricsSink | None,
        log: logging.Logger,
        level: int,
        clock: Clock,
    ) -> None:
        self.clock = clock
        self._label = label
        self._metric = metric
        self._sink = sink
        self._log = log
        self._level = level
        self._sink_failures = _SinkFailureLog(log, SINK_WARNING_INTERVAL_SECONDS)

    def finish(self, start: float, outcome: str) -> None:
        """Log the call that started at ``start`` and send its duration to the sink."""
        end = self.clock()
        duration = end - start

        self._log.log(
            self._level,
            "%s took %.3f ms, outcome %s",
            self._label,
            duration * 1e3,
            outcome,
            extra={"endpoint": self._label, "duration_seconds": duration, "outcome": outcome},
        )

        sink = self._sink if self._sink is not None else _default_sink
        if sink is None:
            return
        try:
            sink.log_metric(self._metric, duration)
        except Exception as error:  # noqa: BLE001 because a broken sink must not fail the call
            self._sink_failures.report(sink, self._metric, error, now=end)


def _default_metric_base(func: Callable[..., Any]) -> str:
    qualname = getattr(func, "__qualname__", None) or type(func).__qualname__
    return ".".join(part for part in qualname.split(".") if part != "<locals>")


def _validate_metric_base(name: str) -> None:
    if not name or name != name.strip(".") or any(ch.isspace() for ch in name):
        raise ValueError(
            f"profile_endpoint name must be a non-empty metric name without whitespace "
            f"or leading/trailing dots, got {name!r}"
        )


def _wrap(
    func: F,
    name: str | None,
    sink: MetricsSink | None,
    log: logging.Logger | None,
    level: int,
    clock: Clock,
) -> F:
    if not callable(func):
        raise TypeError(f"profile_endpoint decorates callables, got {type(func).__name__}")
    if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
        raise TypeError(
            f"profile_endpoint cannot time generator function {func.__qualname__}, because "
            "its body runs after the call returns; decorate the function that consumes it"
        )

    base = name if name is not None else _default_metric_base(func)
    _validate_metric_base(base)
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None) or repr(func)
    label = f"{module}.{qualname}" if module else qualname
    recorder = _CallRecorder(
        label=label,
        metric=f"{base}.{_METRIC_SUFFIX}",
        sink=sink,
        log=log if log is not None else logger,
        level=level,
        clock=clock,
    )

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def timed_coroutine(*args: Any, **kwargs: Any) -> Any:
            start = recorder.clock()
            try:
                result = await func(*args, **kwargs)
            except BaseException as error:
                recorder.finish(start, outcome=type(error).__name__)
                raise
            recorder.finish(start, outcome="ok")
            return result

        return timed_coroutine  # type: ignore[return-value]

    @functools.wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = recorder.clock()
        try:
            result = func(*args, **kwargs)
        except BaseException as error:
            recorder.finish(start, outcome=type(error).__name__)
            raise
        recorder.finish(start, outcome="ok")
        return result

    return timed  # type: ignore[return-value]


@overload
def profile_endpoint(func: F, /) -> F: ...


@overload
def profile_endpoint(
    name: str | None = None,
    *,
    sink: MetricsSink | None = None,
    logger: logging.Logger | None = None,
    level: int = logging.DEBUG,
    clock: Clock = time.perf_counter,
) -> Callable[[F], F]: ...


def profile_endpoint(
    name: str | Callable[..., Any] | None = None,
    *,
    sink: MetricsSink | None = None,
    logger: logging.Logger | None = None,
    level: int = logging.DEBUG,
    clock: Clock = time.perf_counter,
) -> Any:
    """Time every call of a sync or ``async def`` function, and log and report the duration.

    Use it bare (``@profile_endpoint``) or with arguments (``@profile_endpoint("search")``).
    The wrapper reads ``clock`` (seconds, monotonic) before and after the call. For a
    coroutine function it times the awaited body. Each call logs one line with the
    function's module and qualified name, the duration in ms and the outcome (``ok`` or
    the exception type name). The duration in seconds goes to ``sink``, else to the
    default sink at call time, as metric ``<name>.duration_seconds``. ``name`` defaults
    to the function's ``__qualname__`` without ``<locals>`` segments. An exception from
    the function is re-raised unchanged after its duration is recorded. An exception
    from the sink is caught, and each decorated function logs it as a warning at most
    once per sink per 60 s of ``clock``.

    ``level`` defaults to DEBUG because the wrapper runs on every request and the sink
    already carries the numbers. ``logger`` defaults to ``mismatch_core.profiling``, so
    one logger switches all timing lines on.
    """
    if not isinstance(level, int) or isinstance(level, bool):
        raise TypeError(f"level must be a logging level number such as logging.INFO, got {level!r}")
    if not callable(clock):
        raise TypeError(f"clock must be a callable returning seconds, got {type(clock).__name__}")
    if logger is not None and not isinstance(logger, logging.Logger):
        raise TypeError(f"logger must be a logging.Logger or None, got {type(logger).__name__}")
    _validate_sink(sink, "sink")

    if name is not None and not isinstance(name, str):
        return _wrap(name, None, sink, logger, level, clock)
    if name is not None:
        _validate_metric_base(name)

    def decorate(func: F) -> F:
        return _wrap(func, name, sink, logger, level, clock)

    return decorate


@dataclass(frozen=True, eq=False)
class ProfileReport(Generic[T]):
    """Result of a profiled call with the profiler's text report and an optional table."""

    result: T
    text: str
    table: pd.DataFrame | None = None

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.text)}</pre>"


def _require_sync_callable(func: object, helper: str) -> None:
    if not callable(func):
        raise TypeError(f"{helper} needs a callable, got {type(func).__name__}")
    if inspect.iscoroutinefunction(func):
        raise TypeError(
            f"{helper} calls func synchronously, but {func.__qualname__} is a coroutine "
            "function; pass a sync callable such as lambda: asyncio.run(main()) instead"
        )


def line_profile(
    func: Callable[..., T],
    *args: Any,
    targets: Iterable[Callable[..., Any]] = (),
    **kwargs: Any,
) -> ProfileReport[T]:
    """Call ``func(*args, **kwargs)`` under ``line_profiler`` and report time per line.

    ``func`` and each of ``targets`` (functions, methods, properties, partials) are
    profiled. Wrappers made with ``functools.wraps`` are unwrapped, so the report shows
    the decorated body. The text is ``print_stats`` output in ms. The table has one row
    per profiled line, hottest first: ``function``, ``filename``, ``line``, ``hits``,
    ``time_ms``, ``percent`` (of that function's total) and ``source``.
    """
    from line_profiler import LineProfiler

    _require_sync_callable(func, "line_profile")

    profiler = LineProfiler()
    for target in (func, *targets):
        if not profiler.add_callable(inspect.unwrap(target)):
            raise ValueError(
                f"line_profile cannot profile {target!r} because it has no Python code "
                "(a builtin or C extension); pass the Python function that calls it"
            )

    result = profiler.runcall(func, *args, **kwargs)

    buffer = io.StringIO()
    profiler.print_stats(stream=buffer, output_unit=1e-3)
    return ProfileReport(result=result, text=buffer.getvalue(), table=_line_table(profiler))


def _line_table(profiler: Any) -> pd.DataFrame:
    import pandas as pd

    stats = profiler.get_stats()
    rows = []
    for (filename, _first_line, function), lines in stats.timings.items():
        total = sum(time_units for _, _, time_units in lines)
        for line, hits, time_units in lines:
            rows.append(
                {
                    "function": function,
                    "filename": filename,
                    "line": line,
                    "hits": hits,
                    "time_ms": time_units * stats.unit * 1e3,
                    "percent": 100.0 * time_units / total if total else 0.0,
                    "source": linecache.getline(filename, line).rstrip(),
                }
            )

    columns = ["function", "filename", "line", "hits", "time_ms", "percent", "source"]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values("time_ms", ascending=False, kind="stable", ignore_index=True)


def memory_profile(func: Callable[..., T], *args: Any, **kwargs: Any) -> ProfileReport[T]:
    """Call ``func(*args, **kwargs)`` under ``memory_profiler`` and report memory per line.

    The text is ``show_results`` output: process memory (RSS, via psutil) after each
    line and its increment, in MiB. The table has ``function``, ``line``,
    ``mem_usage_mib``, ``increment_mib``, ``occurrences`` and ``source``. ``func`` must be
    defined in a file on disk, because memory_profiler reads its source from there.
    """
    import memory_profiler
    import pandas as pd

    _require_sync_callable(func, "memory_profile")
    body = inspect.unwrap(func)
    code = getattr(body, "__code__", None)
    if code is None:
        raise ValueError(
            f"memory_profile cannot profile {func!r} because it has no Python code; "
            "pass a Python function"
        )
    if not os.path.exists(code.co_filename):
        raise ValueError(
            f"memory_profile cannot read the source of {body.__qualname__}: "
            f"{code.co_filename} is not a file; move the function into a module"
        )

    profiler = memory_profiler.LineProfiler()
    profiler.add_function(body)
    with profiler:
        result = func(*args, **kwargs)

    buffer = io.StringIO()
    memory_profiler.show_results(profiler, stream=buffer)

    rows = []
    for filename, lines in profiler.code_map.items():
        for line, measure in lines:
            if not measure:
                continue
            increment, usage, occurrences = measure
            rows.append(
                {
                    "function": body.__qualname__,
                    "line": line,
                    "mem_usage_mib": usage,
                    "increment_mib": increment,
                    "occurrences": occurrences,
                    "source": linecache.getline(filename, line).rstrip(),
                }
            )
    columns = ["function", "line", "mem_usage_mib", "increment_mib", "occurrences", "source"]
    table = pd.DataFrame(rows, columns=columns)
    return ProfileReport(result=result, text=buffer.getvalue(), table=table)


def cprofile(
    func: Callable[..., T],
    *args: Any,
    sort: str | pstats.SortKey = "cumulative",
    limit: int = 25,
    **kwargs: Any,
) -> ProfileReport[T]:
    """Call ``func(*args, **kwargs)`` under ``cProfile`` and report the top functions.

    ``sort`` is a ``pstats`` sort key and ``limit`` the number of functions kept. The
    text is ``pstats`` output. The table has ``function``, ``filename``, ``line``,
    ``ncalls``, ``primitive_calls``, ``tottime`` and ``cumtime`` (seconds) in that order.
    """
    import cProfile

    import pandas as pd

    _require_sync_callable(func, "cprofile")
    sort_key = sort.value if isinstance(sort, pstats.SortKey) else sort
    valid_keys = pstats.Stats.sort_arg_dict_default
    if sort_key not in valid_keys:
        raise ValueError(f"sort must be one of {sorted(valid_keys)}, got {sort!r}")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"limit must be a positive int, got {limit!r}")

    profiler = cProfile.Profile()
    result = profiler.runcall(func, *args, **kwargs)

    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer).sort_stats(sort_key)
    stats.print_stats(limit)

    rows = []
    for key in stats.fcn_list[:limit]:
        filename, line, function = key
        primitive_calls, ncalls, tottime, cumtime, _callers = stats.stats[key]
        rows.append(
            {
                "function": function,
                "filename": filename,
                "line": line,
                "ncalls": ncalls,
                "primitive_calls": primitive_calls,
                "tottime": tottime,
                "cumtime": cumtime,
            }
        )
    columns = ["function", "filename", "line", "ncalls", "primitive_calls", "tottime", "cumtime"]
    table = pd.DataFrame(rows, columns=columns)
    return ProfileReport(result=result, text=buffer.getvalue(), table=table)


def peak_memory(func: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, int]:
    """Call ``func(*args, **kwargs)`` and return its result with the peak bytes it allocated.

    The peak is the maximum memory traced by ``tracemalloc`` during the call minus the
    traced memory at its start. If tracemalloc was off, it is started and stopped again.
    """
    _require_sync_callable(func, "peak_memory")

    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    # NOTE: when tracemalloc was already tracing, its peak counter is reset here and stays
    # reset, because tracemalloc has no call that sets the peak back.
    tracemalloc.reset_peak()

    try:
        baseline, _ = tracemalloc.get_traced_memory()
        result = func(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()

    return result, max(peak - baseline, 0)
