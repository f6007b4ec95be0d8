"""The same migrations, load and plan checks on a throwaway PostgreSQL server."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, inspect, select, text

from mismatch_core.db import migrate, queries
from mismatch_core.db.engine import analyze, create_postgres_database, open_engine
from mismatch_core.db.explain import check_plan, explain, has_full_scan, has_sort, uses_index
from mismatch_core.db.frames import dataset_frames, score_matches
from mismatch_core.db.load import LoadError, load_frames
from mismatch_core.db.models import QUERY_INDEXES, ROADMAP_INDEXES
from mismatch_core.synthetic import generate


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    # Enough résumés that PostgreSQL prefers the skill index to a sequential scan.
    dataset = generate(20_000, 8_000, seed=5, progress=False)
    tables = dataset_frames(dataset)
    tables["match_results"] = score_matches(dataset, resumes=30, jobs=1_000, k=100, seed=5)
    return tables


@pytest.fixture(scope="module")
def engine(postgres_server, frames):
    """A fresh database of this module at the initial schema, loaded and analyzed."""
    url = create_postgres_database(postgres_server.url, "test_db_postgres")
    engine = open_engine(url)
    migrate.upgrade(engine, migrate.INITIAL)
    load_frames(engine, frames)
    analyze(engine)
    yield engine
    engine.dispose()


def _count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(text(table))).scalar_one()


def _statements(frames) -> dict:
    jobs = frames["jobs"]
    # A company at the 90th percentile of posting counts: for the very largest, the
    # planner may rightly prefer walking idx_created_at and filtering by company.
    counts = jobs["company_id"].value_counts()
    company = int(counts.index[len(counts) // 10])
    job = jobs.iloc[len(jobs) // 2]
    return {
        "company": queries.company_newest_jobs(company),
        "recent": queries.recent_jobs(20, (job["created_at"].to_pydatetime(), int(job["id"]))),
        "skill": queries.jobs_requiring_skill(int(frames["job_skills"]["skill_id"].iloc[0])),
        "candidates": queries.candidates_for_job(int(job["id"])),
        "matches": queries.stored_top_matches(int(frames["match_results"]["resume_id"].iloc[0])),
    }


def test_postgres_load_counts(engine, frames):
    assert engine.dialect.name == "postgresql"
    for table, frame in frames.items():
        assert _count(engine, table) == len(frame), table


def test_postgres_bad_row_rolls_back(engine, frames):
    before = _count(engine, "resumes")
    resumes = frames["resumes"].iloc[:300].copy()
    resumes["id"] = resumes["id"] + 10**6
    resumes.loc[resumes.index[250], "desired_salary"] = -float("inf")

    with pytest.raises(LoadError, match="desired_salary") as caught:
        load_frames(engine, {"resumes": resumes}, batch_size=100)

    assert caught.value.row == 250
    assert _count(engine, "resumes") == before


def test_postgres_orphan_reference_names_row(engine, frames):
    before = _count(engine, "job_skills")
    skill = int(frames["skills"]["id"].iloc[0])
    with_skill = frames["job_skills"].query("skill_id == @skill")["job_id"]
    jobs = frames["jobs"]["id"][~frames["jobs"]["id"].isin(with_skill)].iloc[:300].to_numpy()
    links = pd.DataFrame({"job_id": jobs, "skill_id": np.arange(300) + 10**6})
    links.loc[:41, "skill_id"] = skill

    with pytest.raises(LoadError, match="no skills.id with this id") as caught:
        load_frames(engine, {"job_skills": links}, batch_size=100)

    # The aborted transaction cannot be read, so the lookup used a second connection.
    assert (caught.value.row, caught.value.field) == (42, "skill_id")
    assert _count(engine, "job_skills") == before


def test_postgres_plan_has_analyze_figures(engine, frames):
    plan = explain(engine, _statements(frames)["company"])
    assert plan.dialect == "postgresql"
    assert plan.execution_time_ms is not None
    top = plan.nodes[0]
    assert top.rows == 20
    assert top.time_ms is not None


def test_postgres_plans_before_and_after(engine, frames):
    statements = _statements(frames)
    before = {name: explain(engine, statement) for name, statement in statements.items()}
    assert has_full_scan(before["candidates"], "resume_skills")
    assert has_sort(before["matches"])
    assert not uses_index(before["skill"], "ix_job_skills_skill_id_job_id")

    migrate.upgrade(engine)
    analyze(engine)
    try:
        indexes = {index["name"] for index in inspect(engine).get_indexes("jobs")}
        assert indexes == set(ROADMAP_INDEXES) | {
            name for name in QUERY_INDEXES if name.startswith("ix_jobs")
        }
        after = {name: explain(engine, statement) for name, statement in statements.items()}
    finally:
        migrate.downgrade(engine, migrate.INITIAL)

    check_plan(after["company"], uses="ix_jobs_company_id_created_at",
               no_full_scan_of="jobs", no_sort=True)
    check_plan(after["recent"], no_full_scan_of="jobs")
    check_plan(after["skill"], uses="ix_job_skills_skill_id_job_id",
               no_full_scan_of="job_skills", no_sort=True)
    check_plan(after["candidates"], uses="ix_resume_skills_skill_id_resume_id",
               no_full_scan_of="resume_skills")
    check_plan(after["matches"], uses="ix_match_results_resume_id_score", no_sort=True)
    indexes = {index["name"] for index in inspect(engine).get_indexes("jobs")}
    assert indexes == set(ROADMAP_INDEXES)
