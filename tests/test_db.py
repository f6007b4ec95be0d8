"""Database layer on SQLite: migrations, bulk load, queries and their plans."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import DateTime, create_engine, event, func, inspect, select, text

from mismatch_core.db import migrate, queries
from mismatch_core.db.engine import analyze, open_engine
from mismatch_core.db.experiment import (
    compare_bulk_loads,
    cursor_call,
    measure_queries,
    query_workload,
)
from mismatch_core.db.explain import (
    SCAN,
    SEARCH,
    SORT,
    PlanCheckError,
    _parse_sqlite,
    check_plan,
    explain,
    has_full_scan,
    has_sort,
    indexes_used,
    uses_index,
)
from mismatch_core.db.frames import dataset_frames, score_matches
from mismatch_core.db.load import LoadError, _sqlite_datetimes, load_frames
from mismatch_core.db.models import QUERY_INDEXES, ROADMAP_INDEXES, Base, Job
from mismatch_core.synthetic import generate


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    dataset = generate(4_000, 400, seed=3, progress=False)
    tables = dataset_frames(dataset)
    tables["match_results"] = score_matches(dataset, resumes=20, jobs=800, k=50, seed=3)
    return tables


@pytest.fixture()
def engine(tmp_path):
    engine = open_engine(path=tmp_path / "test.sqlite")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def loaded(frames, tmp_path_factory):
    """A file at the initial schema with every frame loaded, analyzed."""
    engine = open_engine(path=tmp_path_factory.mktemp("db") / "loaded.sqlite")
    migrate.upgrade(engine, migrate.INITIAL)
    load_frames(engine, frames, batch_size=1_000)
    analyze(engine)
    yield engine
    engine.dispose()


def _index_names(engine, table: str) -> set[str]:
    return {index["name"] for index in inspect(engine).get_indexes(table)}


def _row_count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(text(table))).scalar_one()


# Migrations


def test_initial_has_roadmap_indexes(engine):
    migrate.upgrade(engine, migrate.INITIAL)
    assert migrate.current_revision(engine) == "0001"
    assert _index_names(engine, "jobs") == set(ROADMAP_INDEXES)
    assert _index_names(engine, "job_skills") == set()


def test_head_matches_models(engine):
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.ADD_INDEXES
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        declared = {index.name for index in table.indexes}
        assert _index_names(engine, table.name) == declared, table.name
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        assert columns == set(table.columns.keys()), table.name
    every_index = {i.name for t in Base.metadata.sorted_tables for i in t.indexes}
    assert every_index == set(ROADMAP_INDEXES) | set(QUERY_INDEXES)


def test_migration_upgrades_and_downgrades_data(frames, engine):
    migrate.upgrade(engine, migrate.INITIAL)
    load_frames(engine, {name: frames[name] for name in ("companies", "skills", "jobs")})
    migrate.upgrade(engine)
    assert "ix_jobs_company_id_created_at" in _index_names(engine, "jobs")
    assert _row_count(engine, "jobs") == len(frames["jobs"])

    migrate.downgrade(engine, migrate.INITIAL)
    assert _index_names(engine, "jobs") == set(ROADMAP_INDEXES)
    assert _row_count(engine, "jobs") == len(frames["jobs"])
    assert migrate.current_revision(engine) == "0001"


def test_unknown_revision_rejected(engine):
    with pytest.raises(ValueError, match="unknown revision '0009'"):
        migrate.upgrade(engine, "0009")


def test_default_engine_is_sqlite(tmp_path):
    engine = open_engine(path=tmp_path / "default.sqlite")
    assert engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -65536
    engine.dispose()
    with pytest.raises(ValueError, match="either url or path"):
        open_engine("sqlite://", path=tmp_path / "x.sqlite")


# Bulk load


def test_load_counts_rows(frames, loaded):
    for table, frame in frames.items():
        assert _row_count(loaded, table) == len(frame), table


def test_load_round_trips_values(frames, loaded):
    expected = frames["jobs"].iloc[7]
    with loaded.connect() as connection:
        row = connection.execute(select(Job).where(Job.id == int(expected["id"]))).one()
    assert row.title == expected["title"]
    assert row.company_id == expected["company_id"]
    assert row.created_at == expected["created_at"].to_pydatetime().replace(tzinfo=None)
    assert (row.salary_min is None) == pd.isna(expected["salary_min"])
    assert row.remote == bool(expected["remote"])


def test_sqlite_datetimes_match_sqlalchemy():
    values = pd.Series(pd.to_datetime(
        ["2024-01-01 00:00:00", "2025-06-30 23:59:59.123456", None], utc=True, format="ISO8601"
    ))
    dialect = open_engine("sqlite://").dialect
    process = DateTime().dialect_impl(dialect).bind_processor(dialect)
    expected = [process(value.to_pydatetime()) for value in values[:2]] + [None]
    assert _sqlite_datetimes(values) == expected


def _bad_jobs(frames, row: int, column: str, value) -> pd.DataFrame:
    jobs = frames["jobs"].iloc[:2_500].copy()
    if column in ("company_id", "id"):
        jobs[column] = jobs[column].astype(object)
    jobs.loc[jobs.index[row], column] = value
    return jobs


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("title", None, "required value missing"),
        ("company_id", 10**9, "no companies.id with this id"),
        ("salary_min", float("inf"), "expected a finite number"),
        ("currency", "RUBLES", "at most 3 characters"),
        ("id", 5, "duplicate primary key"),
        ("company_id", "abc", "expected an integer"),
    ],
)
def test_bad_row_rejects_everything(frames, engine, column, value, reason):
    migrate.upgrade(engine, migrate.INITIAL)
    tables = {"companies": frames["companies"], "jobs": _bad_jobs(frames, 1_234, column, value)}

    with pytest.raises(LoadError, match=reason) as caught:
        load_frames(engine, tables, batch_size=1_000)

    error = caught.value
    assert error.table == "jobs"
    assert error.row == 1_234
    assert error.field == column
    assert error.batch == (1_000, 2_000)
    assert "row 1234" in str(error)
    assert _row_count(engine, "companies") == 0
    assert _row_count(engine, "jobs") == 0


def test_database_error_rejects_batch(frames, engine):
    migrate.upgrade(engine, migrate.INITIAL)
    load_frames(engine, {"companies": frames["companies"].iloc[:10]})
    tables = {"companies": frames["companies"].iloc[5:20]}

    with pytest.raises(LoadError, match="already stored") as caught:
        load_frames(engine, tables, batch_size=4)

    # Companies 1-10 are stored already, and the new frame starts at id 6.
    assert (caught.value.row, caught.value.field, caught.value.value) == (0, "id", 6)
    assert caught.value.batch == (0, 4)
    assert "UNIQUE constraint failed" in str(caught.value)
    assert _row_count(engine, "companies") == 10


def test_database_error_without_culprit_names_batch(frames, engine):
    migrate.upgrade(engine, migrate.INITIAL)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER no_skills BEFORE INSERT ON skills "
            "BEGIN SELECT RAISE(ABORT, 'skills are read-only'); END"
        )
    with pytest.raises(LoadError, match="skills are read-only") as caught:
        load_frames(engine, {"skills": frames["skills"]}, batch_size=50)
    assert caught.value.row is None
    assert caught.value.batch == (0, 50)
    assert "Check these rows against the rows already stored" in str(caught.value)


def test_rejection_names_earliest_bad_row(frames, engine):
    migrate.upgrade(engine, migrate.INITIAL)
    load_frames(engine, {"companies": frames["companies"]})
    load_frames(engine, {"jobs": frames["jobs"].iloc[:100]})
    jobs = frames["jobs"].iloc[50:300].reset_index(drop=True)
    jobs.loc[200, "company_id"] = 10**9
    with pytest.raises(LoadError, match="already stored") as caught:
        load_frames(engine, {"jobs": jobs})
    # Row 0 repeats a stored job id; the orphan at row 200 comes later.
    assert (caught.value.row, caught.value.field) == (0, "id")


def test_references_to_stored_parents_load(frames, engine):
    migrate.upgrade(engine, migrate.INITIAL)
    companies = frames["companies"]
    load_frames(engine, {"companies": companies.iloc[:50]})
    # New companies and jobs of both old and new companies, in one call.
    jobs = frames["jobs"].iloc[:400]
    assert jobs["company_id"].isin(companies["id"].iloc[:50]).any()
    report = load_frames(engine, {"companies": companies.iloc[50:], "jobs": jobs})
    assert report.rows == {"companies": len(companies) - 50, "jobs": 400}
    assert _row_count(engine, "jobs") == 400


def test_load_references_existing_rows(frames, engine):
    migrate.upgrade(engine, migrate.INITIAL)
    load_frames(engine, {"companies": frames["companies"]})
    jobs = frames["jobs"].iloc[:500]
    load_frames(engine, {"jobs": jobs})
    assert _row_count(engine, "jobs") == 500

    orphans = frames["jobs"].iloc[500:600].copy()
    orphans.loc[orphans.index[50], "company_id"] = 10**9
    orphans.loc[orphans.index[70], "company_id"] = 10**9 + 1
    with pytest.raises(LoadError, match="no companies.id with this id") as caught:
        load_frames(engine, {"jobs": orphans})
    assert (caught.value.row, caught.value.field, caught.value.value) == (50, "company_id", 10**9)
    assert caught.value.batch == (0, 100)
    assert "FOREIGN KEY constraint failed" in str(caught.value)
    assert _row_count(engine, "jobs") == 500


def test_reference_check_covers_every_foreign_key(frames, engine):
    migrate.upgrade(engine, migrate.INITIAL)
    load_frames(engine, {name: frames[name] for name in ("companies", "skills", "jobs")})
    links = frames["job_skills"].iloc[:300].copy()
    links.loc[links.index[123], "skill_id"] = 10**6
    with pytest.raises(LoadError, match="no skills.id with this id") as caught:
        load_frames(engine, {"job_skills": links})
    assert (caught.value.row, caught.value.field) == (123, "skill_id")
    assert _row_count(engine, "job_skills") == 0


def test_engine_without_foreign_keys_loads_unchecked(frames, tmp_path):
    plain = create_engine(f"sqlite:///{tmp_path / 'plain.sqlite'}")
    try:
        migrate.upgrade(plain, migrate.INITIAL)
        jobs = frames["jobs"].iloc[:10].copy()
        jobs["company_id"] = 10**9
        # SQLite's default is foreign keys off. Checking references to rows already in
        # the database is the database's job, so the load accepts these orphans too.
        load_frames(plain, {"jobs": jobs})
        assert _row_count(plain, "jobs") == 10
    finally:
        plain.dispose()


def test_load_validates_arguments(frames, engine):
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        load_frames(engine, {"companies": frames["companies"]}, batch_size=0)
    with pytest.raises(ValueError, match="no table for frames"):
        load_frames(engine, {"employers": frames["companies"]})


def test_batched_load_beats_naive_orm(frames):
    rates = compare_bulk_loads(frames, 1_000)
    assert rates["rows"] == 1_000
    # Wide margin: the batched load is typically 10-20 times faster on this data.
    assert rates["batched_core_rows_per_second"] > 3 * rates["naive_orm_rows_per_second"]


# Plan parsing


@pytest.mark.parametrize(
    ("detail", "kind", "table", "index"),
    [
        ("SCAN jobs", SCAN, "jobs", None),
        ("SCAN TABLE jobs", SCAN, "jobs", None),
        ("SCAN jobs USING INDEX idx_created_at", SCAN, "jobs", "idx_created_at"),
        ("SCAN TABLE job_skills USING COVERING INDEX pk", SCAN, "job_skills", "pk"),
        ("SEARCH jobs USING INDEX idx_company_id (company_id=?)", SEARCH, "jobs",
         "idx_company_id"),
        ("SEARCH TABLE jobs USING INDEX idx_company_id (company_id=?)", SEARCH, "jobs",
         "idx_company_id"),
        ("SEARCH j USING COVERING INDEX ix (skill_id=?)", SEARCH, "j", "ix"),
        ("SEARCH jobs USING INTEGER PRIMARY KEY (rowid=?)", SEARCH, "jobs", "PRIMARY KEY"),
        ("USE TEMP B-TREE FOR ORDER BY", SORT, None, None),
        ("USE TEMP B-TREE FOR RIGHT PART OF ORDER BY", SORT, None, None),
    ],
)
def test_sqlite_plan_patterns(detail, kind, table, index):
    node = _parse_sqlite([(2, 0, 0, detail)]).nodes[0]
    assert node.kind == kind
    assert node.table == table
    assert node.index == index


def test_sqlite_plan_tree():
    plan = _parse_sqlite([
        (2, 0, 0, "SEARCH jobs USING INDEX idx_company_id (company_id=?)"),
        (5, 0, 0, "CORRELATED SCALAR SUBQUERY 1"),
        (7, 5, 0, "SCAN skills"),
        (9, 0, 0, "USE TEMP B-TREE FOR ORDER BY"),
    ])
    assert len(plan.nodes) == 3
    assert plan.nodes[1].children[0].table == "skills"
    assert has_full_scan(plan, "skills")
    assert not has_full_scan(plan, "jobs")
    assert has_sort(plan)
    assert indexes_used(plan) == ["idx_company_id"]
    assert "  SCAN skills" in plan.text()


def test_explain_binds_parameters(loaded):
    sent: list[tuple[str, object]] = []

    def capture(_conn, _cursor, sql, parameters, _context, _many):
        sent.append((sql, parameters))

    event.listen(loaded, "before_cursor_execute", capture)
    try:
        explain(loaded, queries.company_newest_jobs(987_654, limit=7))
    finally:
        event.remove(loaded, "before_cursor_execute", capture)

    sql, parameters = sent[-1]
    assert sql.startswith("EXPLAIN QUERY PLAN SELECT")
    assert "987654" not in sql
    assert 987_654 in parameters
    assert 7 in parameters


def test_explain_rejects_non_select(loaded):
    from sqlalchemy import delete

    with pytest.raises(TypeError, match="takes a SQLAlchemy Select"):
        explain(loaded, delete(Job))


def test_check_plan_reports_plan(loaded):
    plan = explain(loaded, queries.company_newest_jobs(1))
    with pytest.raises(PlanCheckError, match="does not use index 'ix_missing'") as caught:
        check_plan(plan, uses="ix_missing")
    assert "SEARCH jobs" in str(caught.value)


# Queries and their plans before and after the migration


def _plans(engine, frames) -> dict:
    job = frames["jobs"].iloc[len(frames["jobs"]) // 2]
    statements = {
        "company": queries.company_newest_jobs(int(job["company_id"])),
        "recent": queries.recent_jobs(20, (job["created_at"].to_pydatetime(), int(job["id"]))),
        "skill": queries.jobs_requiring_skill(int(frames["job_skills"]["skill_id"].iloc[0])),
        "candidates": queries.candidates_for_job(int(job["id"])),
        "matches": queries.stored_top_matches(int(frames["match_results"]["resume_id"].iloc[0])),
    }
    return {name: explain(engine, statement) for name, statement in statements.items()}


def test_plans_before_and_after(frames, loaded):
    before = _plans(loaded, frames)
    assert uses_index(before["company"], "idx_company_id")
    assert has_sort(before["company"])
    assert uses_index(before["recent"], "idx_created_at")
    assert not has_sort(before["recent"])
    assert has_full_scan(before["skill"], "job_skills")
    assert has_full_scan(before["candidates"], "resume_skills")
    assert has_sort(before["matches"])

    migrate.upgrade(loaded)
    analyze(loaded)
    try:
        after = _plans(loaded, frames)
    finally:
        migrate.downgrade(loaded, migrate.INITIAL)

    check_plan(after["company"], uses="ix_jobs_company_id_created_at",
               no_full_scan_of="jobs", no_sort=True)
    check_plan(after["recent"], no_full_scan_of="jobs", no_sort=True)
    check_plan(after["skill"], uses="ix_job_skills_skill_id_job_id",
               no_full_scan_of="job_skills", no_sort=True)
    check_plan(after["candidates"], uses="ix_resume_skills_skill_id_resume_id",
               no_full_scan_of="resume_skills")
    check_plan(after["matches"], uses="ix_match_results_resume_id_score", no_sort=True)


def test_company_newest_jobs_order(frames, loaded):
    company = int(frames["jobs"]["company_id"].value_counts().index[0])
    with loaded.connect() as connection:
        ids = connection.execute(queries.company_newest_jobs(company, 15)).scalars().all()
    expected = (
        frames["jobs"][frames["jobs"]["company_id"] == company]
        .sort_values(["created_at", "id"], ascending=False)["id"].head(15).tolist()
    )
    assert ids == expected


def test_recent_jobs_keyset_pages(frames, loaded):
    seen: list[int] = []
    after = None
    with loaded.connect() as connection:
        for _page in range(4):
            rows = connection.execute(queries.recent_jobs(25, after)).all()
            seen.extend(row.id for row in rows)
            last = rows[-1]
            after = (last.created_at.replace(tzinfo=dt.UTC), last.id)
    expected = frames["jobs"].sort_values(["created_at", "id"], ascending=False)["id"]
    assert seen == expected.head(100).tolist()


def test_jobs_requiring_skill(frames, loaded):
    skill = int(frames["job_skills"]["skill_id"].value_counts().index[3])
    with loaded.connect() as connection:
        ids = connection.execute(queries.jobs_requiring_skill(skill, 30)).scalars().all()
    pairs = frames["job_skills"]
    expected = sorted(pairs[pairs["skill_id"] == skill]["job_id"], reverse=True)[:30]
    assert ids == expected


def test_candidates_for_job(frames, loaded):
    job_id = int(frames["jobs"]["id"].iloc[100])
    with loaded.connect() as connection:
        rows = connection.execute(queries.candidates_for_job(job_id, 10)).all()
    job_skills = frames["job_skills"]
    wanted = set(job_skills[job_skills["job_id"] == job_id]["skill_id"])
    resume_skills = frames["resume_skills"]
    shared = (
        resume_skills[resume_skills["skill_id"].isin(wanted)].groupby("resume_id").size()
        .reset_index(name="shared").sort_values(["shared", "resume_id"], ascending=[False, True])
    )
    assert [(r.resume_id, r.shared_skills) for r in rows] == list(
        shared.head(10).itertuples(index=False, name=None)
    )


def test_stored_top_matches(frames, loaded):
    matches = frames["match_results"]
    resume_id = int(matches["resume_id"].iloc[0])
    with loaded.connect() as connection:
        rows = connection.execute(queries.stored_top_matches(resume_id, 10)).all()
    expected = matches[matches["resume_id"] == resume_id].sort_values(
        ["score", "job_id"], ascending=[False, True]
    )
    assert [row.job_id for row in rows] == expected["job_id"].head(10).tolist()


def test_queries_validate_arguments():
    with pytest.raises(ValueError, match="limit must be an int from 1 to 1000"):
        queries.company_newest_jobs(1, limit=0)
    with pytest.raises(TypeError, match="company_id must be an int"):
        queries.company_newest_jobs("1")
    with pytest.raises(TypeError, match="after\\[0\\] must be a datetime"):
        queries.recent_jobs(10, ("2024-01-01", 1))


def test_measure_queries_times_each(frames, loaded):
    workload = query_workload(frames, requests=5)
    results = measure_queries(loaded, workload)
    assert set(results) == set(workload)
    for measurement in results.values():
        assert measurement.latencies.shape == (5,)
        assert np.all(measurement.latencies > 0)
        assert measurement.cursor_latencies.shape == (5,)
        assert np.all(measurement.cursor_latencies > 0)
        assert measurement.plan.nodes


def test_cursor_call_returns_the_same_rows(frames, loaded):
    workload = query_workload(frames, requests=8, seed=5)
    compared = {}
    with loaded.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()
        for name, statements in workload.items():
            compared[name] = 0
            for statement in statements:
                through_sqlalchemy = [tuple(row) for row in connection.execute(statement)]
                cursor.execute(*cursor_call(statement, connection.dialect))
                raw = cursor.fetchall()
                # Same rows in the same order; SQLite returns datetimes as stored text.
                assert [row[0] for row in raw] == [row[0] for row in through_sqlalchemy], name
                assert len(raw) == len(through_sqlalchemy)
                compared[name] += len(raw)
        cursor.close()
    # Every query returned rows, so the comparison above was not between empty lists.
    assert all(compared.values()), compared

    # Parameters pass through SQLAlchemy's converters: SQLite gets datetimes as the text
    # it stores, not the driver's own ISO form with "+00:00", which compares differently.
    cursor_at = (dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC), 7)
    _, parameters = cursor_call(queries.recent_jobs(5, cursor_at), loaded.dialect)
    assert parameters[:3] == ("2025-03-01 12:00:00.000000", 7, 5)


def test_missing_column_rejected(frames, engine):
    migrate.upgrade(engine, migrate.INITIAL)
    jobs = frames["jobs"].drop(columns=["title"])
    tables = {"companies": frames["companies"], "jobs": jobs}

    with pytest.raises(LoadError, match="required column missing") as caught:
        load_frames(engine, tables)

    assert caught.value.field == "title"
    assert _row_count(engine, "companies") == 0
