"""Latency sampling and summaries shared by the benchmarks and the notebooks."""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

PERCENTILES = (50.0, 95.0, 99.0)


def measure_latencies(
    call: Callable[[Any], object],
    inputs: Iterable[Any],
    clock: Callable[[], float] = time.perf_counter,
) -> np.ndarray:
    """Call ``call`` on each input in turn and return each call's latency in seconds."""
    samples = []
    for item in inputs:
        started = clock()
        call(item)
        samples.append(clock() - started)
    return np.asarray(samples, dtype=np.float64)


def time_once(call: Callable[[], object], clock: Callable[[], float] = time.perf_counter) -> float:
    """Return how many seconds one call of ``call`` takes."""
    started = clock()
    call()
    return clock() - started


def summarize(latencies: np.ndarray) -> dict[str, float]:
    """Return count, mean and p50/p95/p99 of latencies given in seconds, in milliseconds."""
    values = np.asarray(latencies, dtype=np.float64)
    if values.size == 0:
        raise ValueError("cannot summarize an empty latency sample")
    summary = {"n": float(values.size), "mean_ms": float(values.mean() * 1e3)}
    for percentile, value in zip(PERCENTILES, np.percentile(values, PERCENTILES), strict=True):
        summary[f"p{percentile:g}_ms"] = float(value * 1e3)
    return summary


def summary_table(samples: Mapping[str, np.ndarray]):
    """Return a DataFrame with one row of ``summarize`` per named latency sample."""
    import pandas as pd

    return pd.DataFrame({name: summarize(values) for name, values in samples.items()}).T


def peak_rss_bytes() -> int:
    """Return this process's peak resident set size so far, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return int(peak if sys.platform == "darwin" else peak * 1024)


def print_results(text: str, results: Mapping[str, Any], json_path: str | None) -> int:
    """Print a benchmark's text report, also write its results as JSON when asked; return 0."""
    print(text)
    if json_path:
        Path(json_path).write_text(json.dumps(results, indent=2), encoding="utf-8")
        print(f"results written to {json_path}")
    return 0
