"""SQLAlchemy 2.0 typed models of the matching backend's database.

The tables and the roadmap's two ``jobs`` indexes (``idx_company_id``, ``idx_created_at``)
come from the initial migration. ``QUERY_INDEXES`` lists the indexes that the "add
indexes" migration adds, each with the query in ``mismatch_core.db.queries`` that needs it.
``Base.metadata`` describes the schema at the newest migration.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    desc,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only gives an INTEGER PRIMARY KEY the rowid behaviour, so BIGINT ids become
# INTEGER there and stay BIGINT on PostgreSQL.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base of every model here."""


class Company(Base):
    """An employer."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(Integer)


class Job(Base):
    """A job posting. Amounts are in ``currency``; ``None`` means not stated."""

    __tablename__ = "jobs"
    __table_args__ = (
        # The roadmap's indexes, kept under their names because ported code refers to them.
        Index("idx_company_id", "company_id"),
        Index("idx_created_at", "created_at"),
        # Added by the "add indexes" migration, see QUERY_INDEXES.
        Index("ix_jobs_company_id_created_at", "company_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # NOTE: SQLite has no time zone type. SQLAlchemy stores the UTC wall time as text and
    # returns naive datetimes there, so pass UTC values; PostgreSQL keeps timestamptz.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    location: Mapped[str | None] = mapped_column(String(100))
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    salary_min: Mapped[float | None] = mapped_column(Float)
    salary_max: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    experience_years: Mapped[float | None] = mapped_column(Float)


class Resume(Base):
    """A candidate's résumé."""

    __tablename__ = "resumes"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    experience_years: Mapped[float | None] = mapped_column(Float)
    location: Mapped[str | None] = mapped_column(String(100))
    desired_salary: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))


class Skill(Base):
    """A skill name as postings and résumés write it."""

    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class JobSkill(Base):
    """A skill that a posting requires."""

    __tablename__ = "job_skills"
    __table_args__ = (Index("ix_job_skills_skill_id_job_id", "skill_id", "job_id"),)

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True)


class ResumeSkill(Base):
    """A skill that a résumé lists."""

    __tablename__ = "resume_skills"
    __table_args__ = (Index("ix_resume_skills_skill_id_resume_id", "skill_id", "resume_id"),)

    resume_id: Mapped[int] = mapped_column(ForeignKey("resumes.id"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True)


class MatchResult(Base):
    """A stored score of one résumé against one job, as the matcher computed it."""

    __tablename__ = "match_results"
    __table_args__ = (
        Index("ix_match_results_resume_id_score", "resume_id", desc("score"), "job_id"),
    )

    resume_id: Mapped[int] = mapped_column(ForeignKey("resumes.id"), primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    score: Mapped[float] = mapped_column(Float)


ROADMAP_INDEXES = {
    "idx_company_id": "none after the add-indexes migration: the composite index starts with company_id",
    "idx_created_at": "recent_jobs: keyset on (created_at, id), newest first",
}
"""The roadmap's ``jobs`` indexes, created with the tables, with the query that uses each.

SQLite's ``idx_created_at`` ends in the rowid, so it serves the ``(created_at, id)``
keyset as is. PostgreSQL adds an incremental sort of rows with equal ``created_at``.
"""

QUERY_INDEXES = {
    "ix_jobs_company_id_created_at": "company_newest_jobs: WHERE company_id ORDER BY created_at",
    "ix_job_skills_skill_id_job_id": "jobs_requiring_skill: WHERE skill_id, job ids in order",
    "ix_resume_skills_skill_id_resume_id": "candidates_for_job: résumés by shared skill_id",
    "ix_match_results_resume_id_score": "stored_top_matches: WHERE resume_id ORDER BY score",
}
"""Indexes the "add indexes" migration adds, each with the query that needs it."""
