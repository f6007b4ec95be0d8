"""Prepare a backend database: schema at the mode's migration, then a synthetic data set."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, func, select

from mismatch_core.db import models
from mismatch_core.db.frames import dataset_frames
from mismatch_core.db.load import load_frames
from mismatch_core.db.migrate import ADD_INDEXES, INITIAL, upgrade
from mismatch_core.synthetic import generate

logger = logging.getLogger(__name__)


def prepare_database(engine: Engine, mode: str, *, jobs: int, resumes: int, seed: int = 0) -> int:
    """Migrate for ``mode`` and load a synthetic data set unless jobs are already there.

    ``baseline`` stops at the initial migration, which has only the roadmap's two
    indexes; ``optimized`` adds the query indexes. Returns the number of jobs stored.
    """
    upgrade(engine, INITIAL if mode == "baseline" else ADD_INDEXES)
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(models.Job)).scalar_one()
    if stored:
        logger.info("database already contains %d jobs; not loading again", stored)
        return stored
    dataset = generate(jobs, resumes, seed=seed, progress=False)
    load_frames(engine, dataset_frames(dataset))
    logger.info("loaded %d jobs and %d résumés", jobs, resumes)
    return jobs
