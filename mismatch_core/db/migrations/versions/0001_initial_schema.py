"""Initial schema with the roadmap's jobs indexes idx_company_id and idx_created_at.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("id", _ID, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer()),
    )
    op.create_table(
        "jobs",
        sa.Column("id", _ID, primary_key=True, autoincrement=False),
        sa.Column("company_id", _ID, sa.ForeignKey("companies.id"), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(100)),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("salary_min", sa.Float()),
        sa.Column("salary_max", sa.Float()),
        sa.Column("currency", sa.String(3)),
        sa.Column("experience_years", sa.Float()),
    )
    op.create_index("idx_company_id", "jobs", ["company_id"])
    op.create_index("idx_created_at", "jobs", ["created_at"])
    op.create_table(
        "resumes",
        sa.Column("id", _ID, primary_key=True, autoincrement=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("experience_years", sa.Float()),
        sa.Column("location", sa.String(100)),
        sa.Column("desired_salary", sa.Float()),
        sa.Column("currency", sa.String(3)),
    )
    op.create_table(
        "skills",
        sa.Column("id", _ID, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
    )
    op.create_table(
        "job_skills",
        sa.Column("job_id", _ID, sa.ForeignKey("jobs.id"), primary_key=True),
        sa.Column("skill_id", _ID, sa.ForeignKey("skills.id"), primary_key=True),
    )
    op.create_table(
        "resume_skills",
        sa.Column("resume_id", _ID, sa.ForeignKey("resumes.id"), primary_key=True),
        sa.Column("skill_id", _ID, sa.ForeignKey("skills.id"), primary_key=True),
    )
    op.create_table(
        "match_results",
        sa.Column("resume_id", _ID, sa.ForeignKey("resumes.id"), primary_key=True),
        sa.Column("job_id", _ID, sa.ForeignKey("jobs.id"), primary_key=True),
        sa.Column("score", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "match_results", "resume_skills", "job_skills", "skills", "resumes", "jobs", "companies"
    ):
        op.drop_table(table)
