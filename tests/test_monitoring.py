"""MonitoringService and its log-linear histogram."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mismatch_core.monitoring import LogLinearHistogram, MonitoringService
from mismatch_core.profiling import profile_endpoint


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-300),
        min_size=1, max_size=300,
    ),
    q=st.sampled_from([1, 25, 50, 90, 95, 99, 99.9, 100]),
)
def test_percentile_within_relative_error(values, q):
    histogram = LogLinearHistogram(64)
    for value in values:
        histogram.record(value)
    exact = float(np.percentile(values, q, method="inverted_cdf"))
    assert abs(histogram.percentile(q) - exact) <= abs(exact) * histogram.relative_error + 1e-300


def test_percentile_matches_lognormal_sample():
    rng = np.random.default_rng(3)
    values = rng.lognormal(mean=-5, sigma=1.2, size=50_000)
    histogram = LogLinearHistogram(64)
    for value in values:
        histogram.record(float(value))
    for q in (50, 95, 99, 99.9):
        exact = np.percentile(values, q, method="inverted_cdf")
        assert abs(histogram.percentile(q) / exact - 1) <= histogram.relative_error


def test_merge_equals_single_histogram():
    left, right, whole = LogLinearHistogram(), LogLinearHistogram(), LogLinearHistogram()
    for value in range(1, 1_000):
        (left if value % 2 else right).record(value / 1000)
        whole.record(value / 1000)
    left.merge(right)
    for q in (10, 50, 99):
        assert left.percentile(q) == whole.percentile(q)
    assert left.count == whole.count


def test_histogram_rejects_bad_input():
    histogram = LogLinearHistogram()
    with pytest.raises(ValueError, match="non-finite"):
        histogram.record(float("nan"))
    with pytest.raises(ValueError, match="empty"):
        histogram.percentile(50)
    with pytest.raises(ValueError, match="power of two"):
        LogLinearHistogram(48)


def test_log_metric_keeps_every_value():
    service = MonitoringService()
    for value in range(1, 101):
        service.log_metric("match.latency_seconds", value / 1000)
    percentiles = service.percentiles("match.latency_seconds")
    assert percentiles["p50"] == pytest.approx(0.050, rel=0.01)
    assert percentiles["p99"] == pytest.approx(0.099, rel=0.01)
    assert service.snapshot()["histograms"]["match.latency_seconds"]["count"] == 100


def test_log_metric_keeps_roadmap_last_value():
    service = MonitoringService(wall_clock=lambda: 0.0)
    service.log_metric("queue_depth", 3)
    service.log_metric("queue_depth", 7)
    assert service.metrics == {"queue_depth": {"value": 7.0, "timestamp": "1970-01-01T00:00:00+00:00"}}


def test_counters_and_gauges():
    service = MonitoringService()
    service.increment("requests_total")
    service.increment("requests_total", 2)
    service.set_gauge("cache_size", 10)
    snapshot = service.snapshot()
    assert snapshot["counters"] == {"requests_total": 3.0}
    assert snapshot["gauges"] == {"cache_size": 10.0}
    with pytest.raises(ValueError, match="only increase"):
        service.increment("requests_total", -1)


def test_timer_uses_injected_clock():
    ticks = iter([10.0, 10.25])
    service = MonitoringService(clock=lambda: next(ticks))
    with pytest.raises(RuntimeError):
        with service.timer("work_seconds"):
            raise RuntimeError("boom")
    assert service.snapshot()["histograms"]["work_seconds"]["max"] == 0.25


@pytest.mark.parametrize("name", ["", "9lives", "has space", None])
def test_invalid_metric_names_rejected(name):
    with pytest.raises(ValueError, match="invalid metric name"):
        MonitoringService().log_metric(name, 1.0)


def test_non_numeric_value_rejected():
    with pytest.raises(TypeError, match="number"):
        MonitoringService().log_metric("x", "fast")  # type: ignore[arg-type]


def test_concurrent_recording_counts_everything():
    service = MonitoringService()

    def record():
        for _ in range(2_000):
            service.log_metric("latency_seconds", 0.001)
            service.increment("calls_total")

    threads = [threading.Thread(target=record) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    snapshot = service.snapshot()
    assert snapshot["histograms"]["latency_seconds"]["count"] == 16_000
    assert snapshot["counters"]["calls_total"] == 16_000


def test_service_is_profiling_sink():
    service = MonitoringService()
    ticks = iter([1.0, 1.5])

    @profile_endpoint(sink=service, clock=lambda: next(ticks))
    def handler():
        return "ok"

    handler()
    [name] = service.snapshot()["histograms"]
    assert name.endswith("duration_seconds")
    assert service.snapshot()["histograms"][name]["max"] == 0.5
