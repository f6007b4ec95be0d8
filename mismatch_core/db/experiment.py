"""The index experiment: load, plan and time each query before and after the migration.

The notebook and ``bench db`` share these steps, so both report the same measurements:
``build_frames`` makes the data, ``prepare_database`` loads it at the initial schema,
``measure_queries`` times every query and records its plan, and ``add_indexes`` applies
the migration in between. ``compare_bulk_loads`` sets the batched Core load beside the
naive one-ORM-object-at-a-time load on the same rows.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Select
from sqlalchemy.orm import Session

from mismatch_core.benchmark import measure_latencies
from mismatch_core.db import migrate, queries
from mismatch_core.db.engine import analyze, open_engine
from mismatch_core.db.explain import QueryPlan, explain
from mismatch_core.db.frames import dataset_frames, score_matches
from mismatch_core.db.load import DEFAULT_BATCH_SIZE, LoadReport, load_frames
from mismatch_core.db.models import Job

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DbScale:
    """Sizes of the index experiment at one workload scale."""

    name: str
    jobs: int
    resumes: int
    requests: int
    match_resumes: int
    match_jobs: int
    naive_rows: int


DB_SCALES = {
    "small": DbScale("small", jobs=100_000, resumes=5_000, requests=100, match_resumes=200,
                     match_jobs=10_000, naive_rows=2_000),
    "medium": DbScale("medium", jobs=1_000_000, resumes=20_000, requests=300,
                      match_resumes=500, match_jobs=20_000, naive_rows=5_000),
    "large": DbScale("large", jobs=1_000_000, resumes=100_000, requests=1_000,
                     match_resumes=1_000, match_jobs=50_000, naive_rows=10_000),
}
"""The notebook's sizes: 100k jobs in CI (small), 1M jobs at medium and large."""


def db_scale(name: str | None = None) -> DbScale:
    """Return the experiment sizes for a scale name, or for ``$MISMATCH_SCALE``."""
    from mismatch_core.scale import get_scale

    return DB_SCALES[get_scale(name).name]


QUERY_NAMES = (
    "company_newest_jobs",
    "recent_jobs",
    "jobs_requiring_skill",
    "candidates_for_job",
    "stored_top_matches",
)


def build_frames(scale: DbScale, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Generate the data set of ``scale`` and return one frame per table, matches included."""
    from mismatch_core.synthetic import generate

    dataset = generate(scale.jobs, scale.resumes, seed=seed, progress=False)
    frames = dataset_frames(dataset)
    frames["match_results"] = score_matches(
        dataset, resumes=scale.match_resumes, jobs=scale.match_jobs, seed=seed
    )
    return frames


def prepare_database(
    engine: Engine, frames: dict[str, pd.DataFrame], *, batch_size: int = DEFAULT_BATCH_SIZE
) -> LoadReport:
    """Create the initial schema (roadmap indexes only), bulk load the frames and ANALYZE."""
    if migrate.current_revision(engine) is not None:
        migrate.downgrade(engine, "base")
    migrate.upgrade(engine, migrate.INITIAL)
    report = load_frames(engine, frames, batch_size=batch_size)
    analyze(engine)
    return report


def add_indexes(engine: Engine, clock: Callable[[], float] = time.perf_counter) -> float:
    """Apply the "add indexes" migration, ANALYZE, and return the migration's seconds."""
    started = clock()
    migrate.upgrade(engine, migrate.ADD_INDEXES)
    seconds = clock() - started
    analyze(engine)
    return seconds


def query_workload(
    frames: dict[str, pd.DataFrame], requests: int, seed: int = 0
) -> dict[str, list[Select]]:
    """Return ``requests`` statements per query, with parameters drawn as traffic would.

    Companies and skills are drawn through random postings, so a company with many
    postings is listed more often; keyset cursors start at random postings.
    """
    if requests < 1:
        raise ValueError(f"requests must be at least 1, got {requests}")
    rng = np.random.default_rng(seed)
    jobs = frames["jobs"]
    picked = jobs.iloc[rng.integers(0, len(jobs), requests)]
    job_skills = frames["job_skills"]
    skills = job_skills["skill_id"].to_numpy()[rng.integers(0, len(job_skills), requests)]
    matched = frames["match_results"]["resume_id"].unique()
    resumes = matched[rng.integers(0, len(matched), requests)]

    cursors = zip(picked["created_at"].dt.to_pydatetime(), picked["id"].tolist(), strict=True)
    return {
        "company_newest_jobs": [queries.company_newest_jobs(int(c))
                                for c in picked["company_id"]],
        "recent_jobs": [queries.recent_jobs(20, (created_at, int(job_id)))
                        for created_at, job_id in cursors],
        "jobs_requiring_skill": [queries.jobs_requiring_skill(int(s)) for s in skills],
        "candidates_for_job": [queries.candidates_for_job(int(j)) for j in picked["id"]],
        "stored_top_matches": [queries.stored_top_matches(int(r)) for r in resumes],
    }


@dataclass
class QueryMeasurement:
    """Latencies (seconds) of one query over its workload, and the plan of its first request.

    ``latencies`` are what the backend waits for: ``connection.execute(statement).all()``
    through SQLAlchemy, which adds tens of microseconds of Python work per statement
    (cache lookup, result rows, type conversion) that no index can remove.
    ``cursor_latencies`` time the same SQL and bound parameters on the DB-API cursor,
    execute plus fetch: the database's work, the driver's row conversion and, on
    PostgreSQL, the loopback round trip, without SQLAlchemy's share.
    """

    latencies: np.ndarray
    plan: QueryPlan
    cursor_latencies: np.ndarray


def cursor_call(statement: Select, dialect) -> tuple[str, tuple | dict]:
    """Compile ``statement`` to the SQL string and bound parameters a DB-API cursor takes.

    Parameters go through the same bind processors as in SQLAlchemy's own execution,
    such as SQLite's datetime-to-text conversion, and stay parameters, never literals.
    """
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    # NOTE: _bind_processors is SQLAlchemy's private table of per-parameter converters.
    # A test checks that the cursor returns the same rows, in case a release changes it.
    processors = compiled._bind_processors
    bound = {key: processors[key](value) if key in processors else value
             for key, value in params.items()}
    if compiled.positiontup:
        return compiled.string, tuple(bound[key] for key in compiled.positiontup)
    return compiled.string, bound


def measure_queries(
    engine: Engine, workload: dict[str, list[Select]], *, repeats: int = 3,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, QueryMeasurement]:
    """Time every statement of every query on one connection and record one plan each.

    Each query is timed twice: through SQLAlchemy, and as the compiled SQL on the DB-API
    cursor (see ``QueryMeasurement``). Each runs its first statement once untimed, to
    warm the statement cache. The workload then runs ``repeats`` times, the two ways
    interleaved, and each request keeps its fastest run, which filters out pauses caused
    by other processes on a shared machine.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    results = {}
    with engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()
        for name, statements in workload.items():
            calls = [cursor_call(statement, connection.dialect) for statement in statements]

            def run(statement: Select) -> None:
                connection.execute(statement).all()

            def run_cursor(call: tuple[str, tuple | dict]) -> None:
                cursor.execute(*call)
                cursor.fetchall()

            run(statements[0])
            run_cursor(calls[0])
            runs, cursor_runs = [], []
            for _ in range(repeats):
                runs.append(measure_latencies(run, statements, clock))
                cursor_runs.append(measure_latencies(run_cursor, calls, clock))
            results[name] = QueryMeasurement(
                np.min(np.vstack(runs), axis=0),
                explain(connection, statements[0]),
                np.min(np.vstack(cursor_runs), axis=0),
            )
            connection.rollback()
            logger.info("%s: p50 %.3f ms through SQLAlchemy, %.3f ms on the cursor, over "
                        "%d requests", name, float(np.median(results[name].latencies)) * 1e3,
                        float(np.median(results[name].cursor_latencies)) * 1e3, len(statements))
        cursor.close()
    return results


def _scratch_sqlite(directory: str, name: str) -> Engine:
    engine = open_engine(path=Path(directory) / name)
    migrate.upgrade(engine, migrate.INITIAL)
    return engine


def naive_orm_load(engine: Engine, jobs: pd.DataFrame) -> None:
    """Insert jobs one ORM object at a time, flushing each, as naive code does."""
    records = jobs.astype(object).where(jobs.notna(), None).to_dict("records")
    with Session(engine) as session:
        for record in records:
            session.add(Job(**record))
            session.flush()
        session.commit()


def compare_bulk_loads(
    frames: dict[str, pd.DataFrame], rows: int,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:
    """Load the same first ``rows`` jobs both ways into fresh SQLite files; return rows/s.

    Each file gets the companies first, untimed, so both loads insert into the same
    schema with the same referenced rows. Both timings include the commit. The files
    are deleted afterwards.
    """
    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    jobs = frames["jobs"].iloc[:rows]
    companies = frames["companies"]
    with tempfile.TemporaryDirectory(prefix="mismatch-load-") as directory:
        naive = _scratch_sqlite(directory, "naive.sqlite")
        batched = _scratch_sqlite(directory, "batched.sqlite")
        try:
            load_frames(naive, {"companies": companies})
            load_frames(batched, {"companies": companies})
            started = clock()
            naive_orm_load(naive, jobs)
            naive_seconds = clock() - started
            started = clock()
            load_frames(batched, {"jobs": jobs})
            batched_seconds = clock() - started
        finally:
            naive.dispose()
            batched.dispose()
    return {
        "rows": float(len(jobs)),
        "naive_orm_rows_per_second": len(jobs) / naive_seconds,
        "batched_core_rows_per_second": len(jobs) / batched_seconds,
    }
