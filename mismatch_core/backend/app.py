"""The Flask backend: ``create_app(config)`` wires the matcher, database, cache and limiter.

Two modes can be chosen at start:
- ``baseline``: the roadmap's starting point. The per-pair ``BaselineMatcher``, no result
  cache, a database at the initial migration (the roadmap's two indexes only) and the
  roadmap's per-process rate limiter.
- ``optimized``: the ``VectorizedMatcher``, a versioned result cache, the query indexes
  and the exact rate limiter, in memory or on Redis.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from flask import Flask, abort, jsonify, request
from sqlalchemy import Engine, select, tuple_

from mismatch_core.backend.errors import ApiError, register_error_handlers
from mismatch_core.backend.metrics import instrument
from mismatch_core.backend.validation import MAX_ID, parse_id, parse_limit, parse_match_request
from mismatch_core.cache import CacheService, RedisBackend, content_version
from mismatch_core.db import models
from mismatch_core.db.engine import open_engine
from mismatch_core.db.queries import company_newest_jobs
from mismatch_core.matching import BaselineMatcher, VectorizedMatcher
from mismatch_core.matching.scoring import MatchResult
from mismatch_core.model import Job, Resume
from mismatch_core.monitoring import MonitoringService
from mismatch_core.profiling import profile_endpoint
from mismatch_core.ratelimit.middleware import FlaskRateLimiter
from mismatch_core.ratelimit.roadmap import RoadmapRateLimiter

logger = logging.getLogger(__name__)

MODES = ("baseline", "optimized")


@dataclass(frozen=True)
class BackendConfig:
    """Settings of one backend process."""

    mode: str = "optimized"
    database_url: str | None = None
    redis_url: str | None = None
    max_body_bytes: int = 64 * 1024
    default_limit: int = 10
    max_limit: int = 100
    page_size: int = 20
    rate_limit: int = 6_000
    rate_window_seconds: float = 60.0
    cache_ttl_seconds: float = 300.0
    cache_entries: int = 100_000
    # Override one part of the mode, to measure each step's contribution on its own.
    matcher: str | None = None
    cache: bool | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if self.matcher not in (None, "baseline", "vectorized"):
            raise ValueError(f"matcher must be 'baseline', 'vectorized' or None, got {self.matcher!r}")
        for name in ("max_body_bytes", "default_limit", "max_limit", "page_size", "rate_limit",
                     "cache_entries"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.default_limit > self.max_limit:
            raise ValueError(
                f"default_limit {self.default_limit} is above max_limit {self.max_limit}"
            )


def _load_jobs(engine: Engine) -> list[Job]:
    with engine.connect() as connection:
        skills: dict[int, list[str]] = {}
        rows = connection.execute(
            select(models.JobSkill.job_id, models.Skill.name).join(
                models.Skill, models.Skill.id == models.JobSkill.skill_id
            )
        )
        for job_id, name in rows:
            skills.setdefault(job_id, []).append(name)
        jobs = [
            _job_from_row(row, skills.get(row.id, ()))
            for row in connection.execute(select(models.Job.__table__))
        ]
    return jobs


def _job_from_row(row: Any, skills: Any) -> Job:
    return Job(
        id=row.id, title=row.title, description=row.description or "", company_id=row.company_id,
        created_at=row.created_at, location=row.location, remote=bool(row.remote),
        salary_min=row.salary_min, salary_max=row.salary_max, currency=row.currency,
        experience_years=row.experience_years, skills=tuple(skills),
    )


def _load_resume(engine: Engine, resume_id: int) -> Resume | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(models.Resume.__table__).where(models.Resume.id == resume_id)
        ).first()
        if row is None:
            return None
        skills = connection.execute(
            select(models.Skill.name)
            .join(models.ResumeSkill, models.ResumeSkill.skill_id == models.Skill.id)
            .where(models.ResumeSkill.resume_id == resume_id)
        ).scalars().all()
    return Resume(
        id=row.id, title=row.title, text=row.text or "", skills=tuple(skills),
        experience_years=row.experience_years, location=row.location,
        desired_salary=row.desired_salary, currency=row.currency,
    )


def _match_json(match: MatchResult, titles: dict[int, str]) -> dict[str, Any]:
    body = asdict(match)
    body["job_title"] = titles.get(match.job_id)
    body["matched_skills"] = list(match.matched_skills)
    body["missing_skills"] = list(match.missing_skills)
    return body


def encode_cursor(created_at: datetime, job_id: int) -> str:
    """Return the opaque keyset cursor that points after ``(created_at, job_id)``."""
    raw = f"{created_at.isoformat()}|{job_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Return ``(created_at, job_id)`` from a cursor, raising ``ApiError`` if it is invalid."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, job_id = base64.urlsafe_b64decode(padded).decode().split("|")
        decoded = datetime.fromisoformat(created_at), int(job_id)
        if not 0 <= decoded[1] <= MAX_ID:
            raise ValueError("job id out of range")
        return decoded
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiError(
            400, "cursor is invalid; pass the next_cursor of the previous page", "cursor"
        ) from None


def create_app(config: BackendConfig | None = None, *, engine: Engine | None = None) -> Flask:
    """Build the backend app over a database that already contains jobs and résumés."""
    config = config or BackendConfig()
    engine = engine or open_engine(config.database_url)
    app = Flask("mismatch_core.backend")
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    register_error_handlers(app)

    monitoring = MonitoringService()
    instrument(app, monitoring)
    app.extensions["mismatch.monitoring"] = monitoring

    jobs = _load_jobs(engine)
    if not jobs:
        raise ValueError("the database contains no jobs; run 'mismatch serve', which loads a synthetic "
            "data set into an empty database, or load your own with mismatch_core.db.load")
    matcher_name = config.matcher or ("baseline" if config.mode == "baseline" else "vectorized")
    matcher = (BaselineMatcher() if matcher_name == "baseline" else VectorizedMatcher()).fit(jobs)
    titles = {job.id: job.title for job in jobs}
    # Cached results are only valid for the jobs this process indexed.
    index_version = hashlib.blake2b(
        ",".join(str(job.id) for job in jobs).encode(), digest_size=8
    ).hexdigest()
    cache = _make_cache(config, index_version)
    logger.info("backend ready in %s mode with %d jobs", config.mode, len(jobs))

    def top_matches(resume: Resume, limit: int) -> list[dict[str, Any]]:
        if cache is None:
            return [_match_json(m, titles) for m in matcher.top_k(resume, limit)]
        key = f"{cache.namespace}:m{cache.model_version}:top:{content_version(resume)}:{limit}"
        return cache.get_or_compute(
            key, lambda: [_match_json(m, titles) for m in matcher.top_k(resume, limit)]
        )

    @app.get("/health")
    def health():
        return jsonify({"status": "ok", "mode": config.mode, "jobs": len(jobs)})

    @app.get("/companies/<company_id>/jobs")
    @profile_endpoint(name="company_jobs", sink=monitoring)
    def company_jobs(company_id: str):
        company_id = parse_id("company_id", company_id)
        limit = parse_limit(request.args.get("limit"), config.page_size, config.max_limit)
        statement = company_newest_jobs(company_id, limit)
        cursor = request.args.get("cursor")
        if cursor:
            created_at, job_id = decode_cursor(cursor)
            statement = statement.where(
                tuple_(models.Job.created_at, models.Job.id) < tuple_(created_at, job_id)
            )
        columns = statement.with_only_columns(models.Job.id, models.Job.title, models.Job.created_at)
        with engine.connect() as connection:
            rows = connection.execute(columns).all()
            # An empty first page is either a company without jobs or no company at all.
            if not rows and not cursor and connection.execute(
                select(models.Company.id).where(models.Company.id == company_id)
            ).first() is None:
                raise ApiError(404, f"no company with id {company_id}", "company_id")
        page = [{"id": r.id, "title": r.title, "created_at": r.created_at.isoformat()} for r in rows]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if len(rows) == limit else None
        return jsonify({"company_id": company_id, "jobs": page, "next_cursor": next_cursor})

    @app.get("/resumes/<resume_id>/matches")
    @profile_endpoint(name="resume_matches", sink=monitoring)
    def resume_matches(resume_id: str):
        resume_id = parse_id("resume_id", resume_id)
        limit = parse_limit(request.args.get("limit"), config.default_limit, config.max_limit)
        resume = _load_resume(engine, resume_id)
        if resume is None:
            raise ApiError(404, f"no résumé with id {resume_id}", "resume_id")
        return jsonify({"resume_id": resume_id, "matches": top_matches(resume, limit)})

    @app.post("/match")
    @profile_endpoint(name="match", sink=monitoring)
    def match():
        limit = parse_limit(request.args.get("limit"), config.default_limit, config.max_limit)
        if not request.is_json:
            raise ApiError(
                415, "send the body as JSON with the header Content-Type: application/json",
                "body",
            )
        data = _read_body(config.max_body_bytes)
        try:
            body = app.json.loads(data)
        except RecursionError:
            raise ApiError(400, "the JSON body is nested too deeply", "body") from None
        except ValueError:
            raise ApiError(400, "the body is not valid JSON; send a JSON object", "body") from None
        resume = parse_match_request(body)
        return jsonify({"matches": top_matches(resume, limit)})

    _install_rate_limiter(app, config)
    return app


def _read_body(limit: int) -> bytes:
    """Return the request body, or abort with 413 when it is longer than ``limit`` bytes.

    A chunked body has no Content-Length, and Werkzeug then cuts the stream at the limit
    without an error, so the handler would see truncated JSON. This reads one byte past
    the limit from the server's input instead, to tell the two cases apart.
    """
    length = request.content_length
    if length is not None:
        if length > limit:
            abort(413)
        return request.get_data(cache=True)
    if not request.environ.get("wsgi.input_terminated"):
        # The server cannot mark where the body ends, so Werkzeug reads nothing.
        return request.get_data(cache=True)
    data = request.environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        abort(413)
    return data


def _install_rate_limiter(app: Flask, config: BackendConfig) -> None:
    """Limit every route but ``/health`` and ``/metrics`` per client, as the mode prescribes."""
    unlimited = {"health", "metrics_view"}
    if config.mode == "optimized":
        limiter = FlaskRateLimiter(
            app,
            default_limit=(config.rate_limit, config.rate_window_seconds),
            storage=_limiter_storage(config),
            fail_open=True,
        )
        for endpoint in unlimited:
            limiter.exempt(app.view_functions[endpoint])
        return

    # The roadmap's limiter: per process, wall clock, one list of stamps per client.
    roadmap = RoadmapRateLimiter(config.rate_limit, int(config.rate_window_seconds))

    @app.before_request
    def roadmap_limit():
        if request.endpoint in unlimited:
            return None
        if roadmap.is_rate_limited(request.remote_addr or "unknown"):
            error = ApiError(429, "rate limit exceeded; retry later")
            return jsonify(error.to_json()), 429
        return None


def _limiter_storage(config: BackendConfig) -> str:
    if config.redis_url:
        return config.redis_url
    return "memory://"


def _make_cache(config: BackendConfig, index_version: str) -> CacheService | None:
    enabled = config.cache if config.cache is not None else config.mode == "optimized"
    if not enabled:
        return None
    backend = RedisBackend(config.redis_url) if config.redis_url else None
    return CacheService(
        backend, ttl=config.cache_ttl_seconds, maxsize=config.cache_entries,
        model_version=index_version, namespace="backend",
    )
