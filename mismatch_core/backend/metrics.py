"""Request metrics: Prometheus exposition and the in-process MonitoringService.

Metric names use base units and Prometheus suffixes: ``_seconds`` for durations and
``_total`` for counters. Routes are labelled by their URL rule (``/resumes/<resume_id>/matches``),
never the raw path, so the number of label values stays bounded. Under gunicorn, set
``PROMETHEUS_MULTIPROC_DIR`` to an empty directory before the workers start: each worker
then writes its samples there and ``/metrics`` merges them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from mismatch_core.monitoring import MonitoringService

# Log-spaced from 0.5 ms to 10 s: matching requests span that whole range.
LATENCY_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)
UNMATCHED_ROUTE = "unmatched"


class RequestMetrics:
    """Prometheus metrics of one app, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mismatch_http_requests_total", "HTTP requests answered",
            ["method", "route", "status"], registry=self.registry,
        )
        self.latency = Histogram(
            "mismatch_http_request_duration_seconds", "HTTP request latency",
            ["method", "route"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        # One series per worker process under gunicorn ("all" keeps the pid label), so
        # /metrics shows how requests spread over the workers.
        self.worker_requests = Gauge(
            "mismatch_worker_requests", "HTTP requests answered by this worker process",
            registry=self.registry, multiprocess_mode="all",
        )

    def exposition(self) -> bytes:
        """Return the text exposition, merged across worker processes in multi-process mode."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)
            return generate_latest(merged)
        return generate_latest(self.registry)


def route_label() -> str:
    """Return the URL rule that matched the current request, or ``unmatched``."""
    return request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE


def instrument(
    app: Flask,
    monitoring: MonitoringService,
    clock: Callable[[], float] = time.perf_counter,
) -> RequestMetrics:
    """Time every request into Prometheus and ``monitoring``; add ``GET /metrics``."""
    metrics = RequestMetrics()

    @app.before_request
    def start_timer() -> None:
        g.started = clock()

    @app.after_request
    def record(response: Response) -> Response:
        started = g.pop("started", None)
        if started is None:
            return response
        seconds = clock() - started
        route = route_label()
        metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        metrics.latency.labels(request.method, route).observe(seconds)
        metrics.worker_requests.inc()
        monitoring.log_metric(f"http.{request.method}.{_metric_part(route)}.duration_seconds", seconds)
        monitoring.increment(f"http.status.{response.status_code}_total")
        return response

    @app.get("/metrics")
    def metrics_view() -> Response:
        return Response(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)

    return metrics


def _metric_part(route: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in route.strip("/"))
    return cleaned or "root"
