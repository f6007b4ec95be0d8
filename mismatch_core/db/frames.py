"""Table frames from a synthetic or real data set, and stored match results to load."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from mismatch_core.synthetic import SyntheticDataset

logger = logging.getLogger(__name__)

_JOB_COLUMNS = (
    "id", "company_id", "title", "description", "created_at", "location", "remote",
    "salary_min", "salary_max", "currency", "experience_years",
)
_RESUME_COLUMNS = (
    "id", "title", "text", "experience_years", "location", "desired_salary", "currency",
)


def _skill_pairs(frame: pd.DataFrame, owner: str, skill_ids: dict[str, int]) -> pd.DataFrame:
    exploded = frame[["id", "skills"]].explode("skills").dropna(subset=["skills"])
    pairs = pd.DataFrame(
        {
            owner: exploded["id"].to_numpy(dtype=np.int64),
            "skill_id": exploded["skills"].map(skill_ids).to_numpy(dtype=np.int64),
        }
    )
    # A posting may name one skill twice; the join table stores it once.
    return pairs.drop_duplicates().reset_index(drop=True)


def dataset_frames(dataset: SyntheticDataset) -> dict[str, pd.DataFrame]:
    """Return one frame per table for ``dataset``, with skills numbered by name."""
    names = pd.concat([dataset.jobs["skills"].explode(), dataset.resumes["skills"].explode()])
    unique = sorted(set(names.dropna().tolist()))
    skill_ids = {name: position + 1 for position, name in enumerate(unique)}

    companies = dataset.companies[["id", "name", "size"]]
    return {
        "companies": companies,
        "skills": pd.DataFrame({"id": np.arange(1, len(unique) + 1), "name": unique}),
        "jobs": dataset.jobs[list(_JOB_COLUMNS)],
        "resumes": dataset.resumes[list(_RESUME_COLUMNS)],
        "job_skills": _skill_pairs(dataset.jobs, "job_id", skill_ids),
        "resume_skills": _skill_pairs(dataset.resumes, "resume_id", skill_ids),
    }


def score_matches(
    dataset: SyntheticDataset, *, resumes: int = 200, jobs: int = 10_000, k: int = 100,
    seed: int = 0,
) -> pd.DataFrame:
    """Score ``resumes`` random résumés against ``jobs`` random postings; keep each top ``k``.

    Returns the ``match_results`` frame (resume_id, job_id, score) that
    ``VectorizedMatcher`` computed, as the backend stores them after a matching run.
    """
    from mismatch_core.matching import VectorizedMatcher
    from mismatch_core.synthetic import jobs_from_frame, resumes_from_frame

    for name, value in (("resumes", resumes), ("jobs", jobs), ("k", k)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    rng = np.random.default_rng(seed)
    job_rows = dataset.jobs.iloc[
        np.sort(rng.choice(len(dataset.jobs), min(jobs, len(dataset.jobs)), replace=False))
    ]
    resume_rows = dataset.resumes.iloc[
        np.sort(rng.choice(len(dataset.resumes), min(resumes, len(dataset.resumes)),
                           replace=False))
    ]

    matcher = VectorizedMatcher().fit(jobs_from_frame(job_rows))
    records = []
    chosen = resumes_from_frame(resume_rows)
    for resume, matches in zip(chosen, matcher.top_k_many(chosen, k), strict=True):
        records.extend((resume.id, match.job_id, match.score) for match in matches)
    logger.info("scored %d résumés against %d jobs, %d matches kept", len(chosen),
                len(job_rows), len(records))
    return pd.DataFrame(records, columns=["resume_id", "job_id", "score"])
