"""Helpers for the end-to-end notebooks: run a backend variant, load it, read /metrics."""

from __future__ import annotations

import contextlib
import logging
import math
import shutil
import tempfile
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from prometheus_client.parser import text_string_to_metric_families

from mismatch_core.backend.data import prepare_database
from mismatch_core.backend.serve import start_gunicorn
from mismatch_core.db.engine import open_engine
from mismatch_core.loadgen import Request
from mismatch_core.servers import free_port, stop_process

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Variant:
    """One backend configuration of the before/after comparison."""

    name: str
    mode: str
    matcher: str | None = None
    cache: bool | None = None

    def environment(self) -> dict[str, str]:
        """Return the gunicorn environment that selects this variant."""
        environment = {"MISMATCH_RATE_LIMIT": "1000000"}
        if self.matcher is not None:
            environment["MISMATCH_MATCHER"] = self.matcher
        if self.cache is not None:
            environment["MISMATCH_CACHE"] = "1" if self.cache else "0"
        return environment


# Each step added on top of the previous one, from the roadmap's start to everything.
STEPS = (
    Variant("baseline", "baseline"),
    Variant("+ vectorized matcher", "optimized", matcher="vectorized", cache=False),
    Variant("+ result cache (optimized)", "optimized"),
)


@contextlib.contextmanager
def running_backend(
    variant: Variant, *, jobs: int, resumes: int, workers: int = 2, seed: int = 0
) -> Iterator[str]:
    """Start the variant under gunicorn on a free loopback port; yield its base URL."""
    folder = Path(tempfile.mkdtemp(prefix="mismatch-backend-"))
    try:
        url = f"sqlite:///{folder / 'backend.sqlite'}"
        prepare_database(open_engine(url), variant.mode, jobs=jobs, resumes=resumes, seed=seed)
        port = free_port()
        process = start_gunicorn(
            variant.mode, url, port=port, workers=workers, metrics_dir=folder / "metrics",
            extra_environment=variant.environment(),
        )
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_process(process, timeout=30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def zipf_resume_requests(
    resumes: int, count: int, *, exponent: float = 1.1, seed: int = 0, limit: int = 10
) -> list[Request]:
    """Return ``count`` top-k requests whose résumé ids follow a Zipf popularity."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, resumes + 1) ** exponent
    ids = rng.choice(np.arange(1, resumes + 1), size=count, p=weights / weights.sum())
    return [Request("GET", f"/resumes/{int(i)}/matches?limit={limit}") for i in ids]


def scrape(base_url: str) -> str:
    """Return the text of ``GET /metrics``."""
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=10) as response:
        return response.read().decode()


@dataclass(frozen=True)
class RouteHistogram:
    """Cumulative bucket counts of one route from the Prometheus exposition."""

    route: str
    upper_bounds: np.ndarray
    cumulative: np.ndarray

    @property
    def count(self) -> int:
        """Requests recorded for the route."""
        return int(self.cumulative[-1])

    def quantile(self, q: float) -> float:
        """Estimate a quantile (0 < q < 1) by linear interpolation inside its bucket.

        This is what PromQL's ``histogram_quantile`` does, so its error is up to one
        bucket's width.
        """
        rank = q * self.count
        index = int(np.searchsorted(self.cumulative, rank, side="left"))
        if index >= len(self.upper_bounds) - 1:
            return float(self.upper_bounds[-2])
        lower = 0.0 if index == 0 else float(self.upper_bounds[index - 1])
        below = 0.0 if index == 0 else float(self.cumulative[index - 1])
        inside = float(self.cumulative[index]) - below
        share = (rank - below) / inside if inside else 0.0
        return lower + share * (float(self.upper_bounds[index]) - lower)

    def bucket_of(self, value: float) -> tuple[float, float]:
        """Return the (lower, upper] bounds of the bucket that contains ``value``."""
        index = int(np.searchsorted(self.upper_bounds, value, side="left"))
        lower = 0.0 if index == 0 else float(self.upper_bounds[index - 1])
        return lower, float(self.upper_bounds[min(index, len(self.upper_bounds) - 1)])


def worker_requests(exposition: str) -> dict[str, float]:
    """Return the requests each gunicorn worker served, by pid, from a ``/metrics`` text.

    Without multi-process mode there is one series with no pid, returned under "".
    """
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(exposition):
        if family.name == "mismatch_worker_requests":
            for sample in family.samples:
                counts[sample.labels.get("pid", "")] = sample.value
    return counts


def route_histograms(exposition: str, method: str = "GET") -> dict[str, RouteHistogram]:
    """Parse the request-latency histogram of each route from a ``/metrics`` text."""
    buckets: dict[str, dict[float, float]] = {}
    for family in text_string_to_metric_families(exposition):
        if family.name != "mismatch_http_request_duration_seconds":
            continue
        for sample in family.samples:
            if sample.name.endswith("_bucket") and sample.labels.get("method") == method:
                bound = math.inf if sample.labels["le"] == "+Inf" else float(sample.labels["le"])
                route = buckets.setdefault(sample.labels["route"], {})
                route[bound] = route.get(bound, 0.0) + sample.value
    return {
        route: RouteHistogram(
            route,
            np.array(sorted(counts)),
            np.array([counts[bound] for bound in sorted(counts)]),
        )
        for route, counts in buckets.items()
    }


def percentiles_ms(latencies: Sequence[float]) -> dict[str, float]:
    """Return p50, p95 and p99 of latencies in seconds, in milliseconds."""
    values = np.asarray(latencies, dtype=float)
    values = values[np.isfinite(values)]
    return {f"p{q}": float(np.percentile(values, q) * 1e3) for q in (50, 95, 99)}


MATCHES_ROUTE = "/resumes/<resume_id>/matches"
COMPANY_ROUTE = "/companies/<company_id>/jobs"
MATCH_ROUTE = "/match"


def mixed_requests(
    resumes: int, companies: int, count: int, *, seed: int = 0
) -> tuple[list[Request], list[str]]:
    """Return a mix of the backend's routes and, for each request, the URL rule it hits.

    Six in ten requests ask for a stored résumé's matches, three list a company's jobs
    and one posts an ad-hoc résumé.
    """
    rng = np.random.default_rng(seed)
    body = (
        b'{"title": "Data analyst", "text": "SQL, Python, pandas, A/B tests, '
        b'\\u0430\\u043d\\u0430\\u043b\\u0438\\u0437 \\u0434\\u0430\\u043d\\u043d\\u044b\\u0445", '
        b'"skills": ["SQL", "Python"], "experience_years": 3}'
    )
    requests: list[Request] = []
    routes: list[str] = []
    for kind in rng.choice(3, size=count, p=[0.6, 0.3, 0.1]):
        if kind == 0:
            resume_id = int(rng.integers(1, resumes + 1))
            requests.append(Request("GET", f"/resumes/{resume_id}/matches?limit=10"))
            routes.append(MATCHES_ROUTE)
        elif kind == 1:
            company_id = int(rng.integers(1, companies + 1))
            requests.append(Request("GET", f"/companies/{company_id}/jobs?limit=20"))
            routes.append(COMPANY_ROUTE)
        else:
            requests.append(Request("POST", "/match?limit=10", body=body))
            routes.append(MATCH_ROUTE)
    return requests, routes
