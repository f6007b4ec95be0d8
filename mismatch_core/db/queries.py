"""The backend's read queries, as SQLAlchemy statements with bound parameters.

Each function returns a ``Select`` to execute or to pass to ``mismatch_core.db.explain``.
``QUERY_INDEXES`` in ``models`` names the index each query relies on.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Select, func, literal_column, select, tuple_

from mismatch_core.db.models import Job, JobSkill, MatchResult, ResumeSkill

MAX_LIMIT = 1_000


def _check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be an int from 1 to {MAX_LIMIT}, got {limit!r}")
    return limit


def _check_id(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    return value


def company_newest_jobs(company_id: int, limit: int = 20) -> Select:
    """Select a company's newest jobs, newest first, ties by descending id."""
    return (
        select(Job)
        .where(Job.company_id == _check_id("company_id", company_id))
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(_check_limit(limit))
    )


def recent_jobs(limit: int = 20, after: tuple[datetime, int] | None = None) -> Select:
    """Select one page of jobs, newest first, by keyset pagination.

    ``after`` is ``(created_at, id)`` of the last job of the previous page. The query
    seeks to it through an index instead of skipping rows as OFFSET does.
    """
    statement = select(Job).order_by(Job.created_at.desc(), Job.id.desc())
    if after is not None:
        created_at, job_id = after
        if not isinstance(created_at, datetime):
            raise TypeError(f"after[0] must be a datetime, got {created_at!r}")
        if created_at.tzinfo is not None:
            # SQLite compares the stored UTC text, so an aware cursor is converted first.
            created_at = created_at.astimezone(UTC)
        statement = statement.where(
            tuple_(Job.created_at, Job.id) < tuple_(created_at, _check_id("after[1]", job_id))
        )
    return statement.limit(_check_limit(limit))


def jobs_requiring_skill(skill_id: int, limit: int = 20) -> Select:
    """Select the newest jobs (highest ids) that require a skill."""
    return (
        select(Job)
        .join(JobSkill, JobSkill.job_id == Job.id)
        .where(JobSkill.skill_id == _check_id("skill_id", skill_id))
        .order_by(JobSkill.job_id.desc())
        .limit(_check_limit(limit))
    )


def candidates_for_job(job_id: int, limit: int = 20) -> Select:
    """Select résumé ids sharing the most skills with a job, with the shared count.

    Ties go to the lower résumé id. Ranking by aggregate needs a sort of the candidates,
    so its plan keeps one sort step even with the index.
    """
    shared = func.count().label("shared_skills")
    return (
        select(ResumeSkill.resume_id, shared)
        .join(JobSkill, JobSkill.skill_id == ResumeSkill.skill_id)
        .where(JobSkill.job_id == _check_id("job_id", job_id))
        .group_by(ResumeSkill.resume_id)
        .order_by(literal_column("shared_skills").desc(), ResumeSkill.resume_id)
        .limit(_check_limit(limit))
    )


def stored_top_matches(resume_id: int, limit: int = 10) -> Select:
    """Select a résumé's stored matches, best score first, ties by ascending job id."""
    return (
        select(MatchResult.job_id, MatchResult.score)
        .where(MatchResult.resume_id == _check_id("resume_id", resume_id))
        .order_by(MatchResult.score.desc(), MatchResult.job_id)
        .limit(_check_limit(limit))
    )
