"""Add the indexes that the backend's queries need (see models.QUERY_INDEXES).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (name, table, columns), one per query in mismatch_core.db.queries.
_INDEXES = (
    # company_newest_jobs: equality on company_id, then the rows already in listing order.
    ("ix_jobs_company_id_created_at", "jobs", ["company_id", "created_at", "id"]),
    # jobs_requiring_skill: the primary key (job_id, skill_id) cannot find a skill's jobs.
    ("ix_job_skills_skill_id_job_id", "job_skills", ["skill_id", "job_id"]),
    # candidates_for_job: résumés that list one of the job's skills.
    ("ix_resume_skills_skill_id_resume_id", "resume_skills", ["skill_id", "resume_id"]),
    # stored_top_matches: a résumé's matches, best score first, ties by job id.
    ("ix_match_results_resume_id_score", "match_results",
     ["resume_id", sa.text("score DESC"), "job_id"]),
)


def upgrade() -> None:
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
