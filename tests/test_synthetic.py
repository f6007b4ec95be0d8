"""Tests of the seeded synthetic data generator, its storage and the model conversion."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from mismatch_core import synthetic
from mismatch_core.model import Company, Job, Resume
from mismatch_core.skills import SkillVocabulary
from mismatch_core.synthetic import (
    MAX_ROWS,
    SyntheticDataset,
    companies_from_frame,
    generate,
    jobs_from_frame,
    read_dataset,
    resumes_from_frame,
    role_core_skills,
    skill_pool,
    write_dataset,
)

CYRILLIC = re.compile("[а-яА-ЯёЁ]")


@pytest.fixture(scope="module")
def sample() -> SyntheticDataset:
    """A sample large enough for loose distribution checks, spanning two job chunks."""
    return generate(25_000, 5_000, seed=11, progress=False)


@pytest.fixture(scope="module")
def small() -> SyntheticDataset:
    return generate(800, 400, seed=3, progress=False)


def assert_datasets_equal(left: SyntheticDataset, right: SyntheticDataset) -> None:
    pd.testing.assert_frame_equal(left.companies, right.companies)
    pd.testing.assert_frame_equal(left.jobs, right.jobs)
    pd.testing.assert_frame_equal(left.resumes, right.resumes)
    assert left.seed == right.seed


# Determinism and shapes


def test_generate_same_seed_identical():
    first = generate(600, 300, seed=7, progress=False)
    second = generate(600, 300, seed=7, progress=False)
    assert_datasets_equal(first, second)


def test_generate_different_seed_differs():
    first = generate(600, 300, seed=7, progress=False)
    second = generate(600, 300, seed=8, progress=False)
    assert first.jobs["description"].tolist() != second.jobs["description"].tolist()
    assert first.resumes["text"].tolist() != second.resumes["text"].tolist()
    assert first.companies["size"].tolist() != second.companies["size"].tolist()


def test_generate_row_counts(small):
    assert len(small.jobs) == 800
    assert len(small.resumes) == 400
    assert len(small.companies) == 800 // synthetic.JOBS_PER_COMPANY
    assert small.seed == 3


def test_generate_ids_sequential(small):
    for frame in (small.jobs, small.resumes, small.companies):
        assert frame["id"].tolist() == list(range(1, len(frame) + 1))


def test_generate_explicit_company_count():
    dataset = generate(300, 10, n_companies=7, progress=False)
    assert len(dataset.companies) == 7
    assert dataset.jobs["company_id"].between(1, 7).all()


def test_generate_single_company_minimum():
    dataset = generate(5, 1, progress=False)
    assert len(dataset.companies) == 1


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("companies", {"id": "int64", "name": "str", "size": "int64"}),
        (
            "jobs",
            {
                "id": "int64",
                "title": "str",
                "description": "str",
                "company_id": "int64",
                "created_at": "datetime64[ns, UTC]",
                "location": "str",
                "remote": "bool",
                "salary_min": "float64",
                "salary_max": "float64",
                "currency": "str",
                "experience_years": "float64",
                "skills": "object",
            },
        ),
        (
            "resumes",
            {
                "id": "int64",
                "title": "str",
                "text": "str",
                "skills": "object",
                "experience_years": "float64",
                "location": "str",
                "desired_salary": "float64",
                "currency": "str",
            },
        ),
    ],
)
def test_generate_column_dtypes(small, table, expected):
    frame = getattr(small, table)
    assert list(frame.columns) == list(expected)
    assert {column: str(dtype) for column, dtype in frame.dtypes.items()} == expected


def test_generate_skills_are_string_lists(small):
    for skills in pd.concat([small.jobs["skills"], small.resumes["skills"]]):
        assert isinstance(skills, list)
        assert all(isinstance(skill, str) for skill in skills)
        assert len(set(skills)) == len(skills)


def test_generate_multiple_chunks(monkeypatch):
    monkeypatch.setattr(synthetic, "_CHUNK_ROWS", 97)
    dataset = generate(500, 300, seed=5, progress=False)
    jobs = dataset.jobs
    assert jobs["id"].tolist() == list(range(1, 501))
    assert jobs["created_at"].is_monotonic_increasing
    assert jobs["title"].iloc[:97].tolist() != jobs["title"].iloc[97:194].tolist()
    assert len(dataset.resumes) == 300


# Value ranges


def test_jobs_salary_min_not_above_max(sample):
    both = sample.jobs.dropna(subset=["salary_min", "salary_max"])
    assert (both["salary_min"] <= both["salary_max"]).all()


def test_jobs_salaries_positive(sample):
    for column in ("salary_min", "salary_max"):
        assert (sample.jobs[column].dropna() > 0).all()


def test_jobs_currency_missing_without_salary(sample):
    jobs = sample.jobs
    no_salary = jobs["salary_min"].isna() & jobs["salary_max"].isna()
    assert (jobs["currency"].isna() == no_salary).all()


def test_jobs_currency_codes_known(sample):
    codes = set(sample.jobs["currency"].dropna()) | set(sample.resumes["currency"].dropna())
    assert codes == {"RUB", "USD", "EUR"}


def test_jobs_created_at_in_range(sample):
    created_at = sample.jobs["created_at"]
    assert created_at.min() >= pd.Timestamp("2024-01-01", tz="UTC")
    assert created_at.max() < pd.Timestamp("2026-01-01", tz="UTC")
    assert created_at.is_monotonic_increasing


def test_jobs_experience_in_set(sample):
    assert set(sample.jobs["experience_years"].dropna()) == {0.0, 1.0, 3.0, 6.0}


def test_jobs_company_ids_exist(sample):
    assert sample.jobs["company_id"].isin(sample.companies["id"]).all()


def test_jobs_skill_count_range(sample):
    counts = sample.jobs["skills"].map(len)
    assert counts.min() == 3
    assert counts.max() == 12
    assert counts.median() < 7.5


def test_resumes_skill_count_range(sample):
    counts = sample.resumes["skills"].map(len)
    assert counts.min() == 0
    assert counts.max() <= 20


def test_resumes_experience_non_negative(sample):
    assert (sample.resumes["experience_years"].dropna() >= 0).all()


def test_resumes_currency_missing_without_salary(sample):
    resumes = sample.resumes
    assert (resumes["currency"].isna() == resumes["desired_salary"].isna()).all()


def test_companies_sizes_positive(sample):
    assert (sample.companies["size"] >= 1).all()


def test_foreign_salaries_sane_magnitude(sample):
    jobs = sample.jobs
    foreign = jobs[jobs["currency"].isin(["USD", "EUR"])]
    amounts = pd.concat([foreign["salary_min"], foreign["salary_max"]]).dropna()
    assert amounts.between(100, 30_000).all()


def test_rub_salaries_sane_magnitude(sample):
    jobs = sample.jobs
    rub = jobs[jobs["currency"] == "RUB"]
    amounts = pd.concat([rub["salary_min"], rub["salary_max"]]).dropna()
    assert amounts.between(5_000, 5_000_000).all()
    assert 60_000 < amounts.median() < 250_000


# Distributions, with loose bounds


def test_skill_popularity_heavy_head(sample):
    counts = pd.Series([s for skills in sample.jobs["skills"] for s in skills]).value_counts()
    assert counts.iloc[0] > 5 * counts.iloc[49]


def test_skill_ranks_depend_on_seed():
    def top_skill(seed: int) -> str:
        jobs = generate(2_000, 1, seed=seed, progress=False).jobs
        return pd.Series([s for skills in jobs["skills"] for s in skills]).value_counts().index[0]

    assert len({top_skill(seed) for seed in range(4)}) > 1


def test_company_sizes_heavy_tailed(sample):
    jobs_per_company = sample.jobs["company_id"].value_counts()
    top_one_percent = jobs_per_company.iloc[: len(sample.companies) // 100].sum()
    assert top_one_percent / len(sample.jobs) > 0.2


def test_russian_title_share(sample):
    share = sample.jobs["title"].str.contains(CYRILLIC).mean()
    assert 0.55 < share < 0.65


def test_missing_salary_share(sample):
    jobs = sample.jobs
    share = (jobs["salary_min"].isna() & jobs["salary_max"].isna()).mean()
    assert 0.36 < share < 0.44


def test_salary_shapes_present(sample):
    jobs = sample.jobs
    only_min = jobs["salary_min"].notna() & jobs["salary_max"].isna()
    only_max = jobs["salary_max"].notna() & jobs["salary_min"].isna()
    equal = jobs["salary_min"] == jobs["salary_max"]
    assert only_min.mean() > 0.05
    assert only_max.mean() > 0.03
    assert equal.mean() > 0.08


def test_rub_dominates_currencies(sample):
    share = (sample.jobs["currency"].dropna() == "RUB").mean()
    assert 0.85 < share < 0.98


def test_remote_share(sample):
    assert 0.22 < sample.jobs["remote"].mean() < 0.28


def test_missing_experience_share(sample):
    assert 0.12 < sample.jobs["experience_years"].isna().mean() < 0.18


def test_moscow_most_frequent(sample):
    locations = sample.jobs["location"].value_counts()
    assert locations.index[0] == "Москва"
    assert 25 <= len(locations) <= 35


def test_weekend_postings_fewer(sample):
    weekend = sample.jobs["created_at"].dt.day_of_week >= 5
    assert weekend.mean() < 0.15


def test_empty_resume_text_share(sample):
    share = (sample.resumes["text"] == "").mean()
    assert 0.01 < share < 0.035


def test_empty_resume_skills_share(sample):
    share = (sample.resumes["skills"].map(len) == 0).mean()
    assert 0.015 < share < 0.045


def test_resume_language_share(sample):
    share = sample.resumes["title"].str.contains(CYRILLIC).mean()
    assert 0.45 < share < 0.55


def test_resume_missing_salary_share(sample):
    assert 0.26 < sample.resumes["desired_salary"].isna().mean() < 0.34


# Texts


def test_description_word_counts(sample):
    words = sample.jobs["description"].str.split().map(len)
    assert words.min() >= 20
    assert words.max() <= 60


def test_resume_text_word_counts(sample):
    texts = sample.resumes["text"]
    words = texts[texts != ""].str.split().map(len)
    assert words.min() >= 60
    assert words.max() <= 200


def test_description_language_follows_title(sample):
    jobs = sample.jobs
    russian = jobs["title"].str.contains(CYRILLIC)
    assert jobs.loc[russian, "description"].str.contains("Задачи:").all()
    assert jobs.loc[~russian, "description"].str.contains("You will ").all()


def test_english_description_names_skills(sample):
    jobs = sample.jobs[~sample.jobs["title"].str.contains(CYRILLIC)].head(500)
    for description, skills in zip(jobs["description"], jobs["skills"]):
        lowered = description.lower()
        named = [
            skill
            for skill in skills[:4]
            if any(
                spelling.lower() in lowered
                for spelling in (skill, *synthetic._SPELLINGS.get(skill, ((), ()))[1])
            )
        ]
        assert len(named) >= 2, description


@pytest.mark.parametrize("language", [0, 1])
def test_description_fits_with_two_skills(language):
    # A description names fewer skills until its required sentences fit the word limit.
    # Two skills must fit with the longest title, duty, skill spellings and city.
    book = synthetic._PHRASEBOOKS[language]

    def words(text: str) -> int:
        return len(text.split())

    titles = [levels[level][language] for levels in synthetic._TITLES for level in range(5)]
    title = max(titles, key=words)
    company = "ООО «Квант Технологии»"
    spellings = [
        spelling
        for skill in skill_pool()
        for spelling in (skill, *sum(synthetic._SPELLINGS.get(skill, ((), ())), ()))
    ]
    two_skills = book.join(sorted(spellings, key=words)[-2:])
    duty = max((duty for role in synthetic._ROLES for duty in role.duties(language)), key=words)
    city = max(synthetic._CITIES, key=words)

    intro = max(words(intro.format(company=company, title=title)) for intro in book.job_intros)
    stack = max(words(template.format(skills=two_skills)) for template in book.job_stack)
    experience = max(map(words, book.job_experience.values()))
    location = max(words(book.job_office.format(city=city)), *map(words, book.job_remote))
    total = intro + words(book.job_duty.format(duty=duty)) + stack + experience + location
    assert total <= synthetic.JOB_DESCRIPTION_WORDS[1]


def test_english_resume_states_experience(sample):
    resumes = sample.resumes
    english = ~resumes["title"].str.contains(CYRILLIC) & (resumes["text"] != "")
    checked = resumes[english & (resumes["experience_years"] >= 1)]
    for text, years in zip(checked["text"], checked["experience_years"]):
        assert f"{years:g} year" in text


def test_texts_use_variant_spellings(sample):
    texts = " ".join(sample.resumes["text"]) + " ".join(sample.jobs["description"])
    assert "машинное обучение" in texts
    assert "postgres" in texts
    assert "1С" in texts


def test_core_skills_known_to_vocabulary():
    # The generator writes skills as postings do, sometimes as an alias of the canonical name.
    vocabulary = SkillVocabulary.default()
    unknown = sorted(
        {
            skill
            for skills in role_core_skills().values()
            for skill in skills
            if vocabulary.canonical(skill) is None
        }
    )
    assert unknown == []


def test_role_catalogue_size():
    roles = role_core_skills()
    assert len(roles) >= 25
    assert min(len(skills) for skills in roles.values()) >= 6


def test_skill_pool_contains_core_skills():
    pool = set(skill_pool())
    assert {skill for skills in role_core_skills().values() for skill in skills} <= pool
    assert len(pool) >= 50


# Argument validation


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"n_jobs": 0, "n_resumes": 1}, ValueError),
        ({"n_jobs": -5, "n_resumes": 1}, ValueError),
        ({"n_jobs": MAX_ROWS + 1, "n_resumes": 1}, ValueError),
        ({"n_jobs": 1.5, "n_resumes": 1}, TypeError),
        ({"n_jobs": True, "n_resumes": 1}, TypeError),
        ({"n_jobs": "10", "n_resumes": 1}, TypeError),
        ({"n_jobs": 10, "n_resumes": 0}, ValueError),
        ({"n_jobs": 10, "n_resumes": 1, "n_companies": 0}, ValueError),
        ({"n_jobs": 10, "n_resumes": 1, "seed": -1}, ValueError),
        ({"n_jobs": 10, "n_resumes": 1, "seed": 1.5}, TypeError),
    ],
)
def test_generate_rejects_invalid_arguments(arguments, error):
    with pytest.raises(error):
        generate(**arguments, progress=False)


def test_generate_error_names_argument():
    with pytest.raises(ValueError, match="n_jobs must be between 1 and"):
        generate(0, 1, progress=False)


def test_generate_accepts_numpy_int():
    dataset = generate(np.int64(30), np.int32(5), progress=False)
    assert len(dataset.jobs) == 30


def test_generate_progress_bar(capsys):
    generate(50, 10, progress=True)
    assert "synthetic data" in capsys.readouterr().err


def test_generate_logs_sizes(caplog):
    with caplog.at_level(logging.INFO, logger="mismatch_core.synthetic"):
        generate(40, 10, seed=2, progress=False)
    assert "generated 40 jobs, 10 resumes and 2 companies with seed 2" in caplog.text


def test_dataset_rejects_missing_columns(small):
    with pytest.raises(ValueError, match="jobs frame is missing the columns"):
        SyntheticDataset(small.companies, small.jobs.drop(columns="skills"), small.resumes, 3)


# Storage


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_dataset_round_trip(small, tmp_path, fmt):
    paths = write_dataset(small, tmp_path, fmt=fmt)
    assert_datasets_equal(read_dataset(tmp_path), small)
    assert paths["jobs"] == tmp_path / f"jobs.{fmt}"


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_write_leaves_no_temporary_files(small, tmp_path, fmt):
    write_dataset(small, tmp_path, fmt=fmt)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"companies.{fmt}", f"jobs.{fmt}", f"resumes.{fmt}", "manifest.json"]
    )


def test_csv_joins_skills_with_bar(small, tmp_path):
    write_dataset(small, tmp_path, fmt="csv")
    raw = pd.read_csv(tmp_path / "jobs.csv", keep_default_na=False)
    assert raw["skills"].iloc[0] == "|".join(small.jobs["skills"].iloc[0])


def test_csv_rejects_bar_in_skill(small, tmp_path):
    jobs = small.jobs.copy()
    jobs.at[0, "skills"] = ["CI|CD"]
    dataset = SyntheticDataset(small.companies, jobs, small.resumes, small.seed)
    with pytest.raises(ValueError, match="contains '\\|'"):
        write_dataset(dataset, tmp_path, fmt="csv")


def test_write_replaces_previous_format(small, tmp_path):
    write_dataset(small, tmp_path, fmt="csv")
    write_dataset(small, tmp_path, fmt="parquet")
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "parquet"
    assert_datasets_equal(read_dataset(tmp_path), small)


def test_write_rejects_unknown_format(small, tmp_path):
    with pytest.raises(ValueError, match="fmt must be one of"):
        write_dataset(small, tmp_path, fmt="json")


def test_read_empty_folder_fails(tmp_path):
    with pytest.raises(FileNotFoundError, match="no synthetic data set"):
        read_dataset(tmp_path)


def test_read_missing_folder_fails(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_dataset(tmp_path / "absent")


def test_read_detects_truncated_table(small, tmp_path):
    write_dataset(small, tmp_path, fmt="csv")
    lines = (tmp_path / "companies.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "companies.csv").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="rows but manifest.json records"):
        read_dataset(tmp_path)


def test_read_rejects_invalid_manifest(small, tmp_path):
    write_dataset(small, tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": "xml"}', encoding="utf-8")
    with pytest.raises(ValueError, match="field 'format'"):
        read_dataset(tmp_path)


def test_read_missing_table_fails(small, tmp_path):
    write_dataset(small, tmp_path)
    (tmp_path / "resumes.parquet").unlink()
    with pytest.raises(FileNotFoundError, match="resumes.parquet is missing"):
        read_dataset(tmp_path)


# Frame rows to model objects


def test_jobs_from_frame_builds_jobs(small):
    jobs = jobs_from_frame(small.jobs)
    assert len(jobs) == len(small.jobs)
    assert all(isinstance(job, Job) for job in jobs)


def test_jobs_from_frame_converts_values(small):
    frame = small.jobs
    row = frame.index[frame["salary_min"].isna() & frame["experience_years"].isna()][0]
    job = jobs_from_frame(frame.loc[[row]])[0]
    assert job.salary_min is None
    assert job.experience_years is None
    assert isinstance(job.created_at, datetime)
    assert job.created_at.utcoffset() == UTC.utcoffset(None)
    assert isinstance(job.skills, tuple)
    assert job.skills == tuple(frame.at[row, "skills"])


def test_jobs_from_frame_none_currency(small):
    frame = small.jobs
    unpaid = frame[frame["salary_min"].isna() & frame["salary_max"].isna()]
    assert all(job.currency is None for job in jobs_from_frame(unpaid))


def test_jobs_from_frame_names_bad_row(small):
    frame = small.jobs.head(3).copy()
    frame.loc[1, ["salary_min", "salary_max"]] = [200.0, 100.0]
    frame.loc[1, "currency"] = "RUB"
    with pytest.raises(ValueError, match=r"jobs row 1 \(id 2\)"):
        jobs_from_frame(frame)


def test_jobs_from_frame_requires_datetime(small):
    frame = small.jobs.head(2).assign(created_at=["2024-01-01", "2024-01-02"])
    with pytest.raises(TypeError, match="created_at must have a datetime64 dtype"):
        jobs_from_frame(frame)


def test_jobs_from_frame_missing_column(small):
    with pytest.raises(ValueError, match="missing the columns \\['remote'\\]"):
        jobs_from_frame(small.jobs.drop(columns="remote"))


def test_resumes_from_frame_builds_resumes(small):
    resumes = resumes_from_frame(small.resumes)
    assert len(resumes) == len(small.resumes)
    assert all(isinstance(resume, Resume) for resume in resumes)


def test_resumes_from_frame_converts_missing(sample):
    frame = sample.resumes
    row = frame.index[frame["location"].isna() & frame["desired_salary"].isna()][0]
    resume = resumes_from_frame(frame.loc[[row]])[0]
    assert resume.location is None
    assert resume.desired_salary is None
    assert resume.currency is None


def test_resumes_from_frame_keeps_empty_text(sample):
    frame = sample.resumes
    empty = frame[frame["text"] == ""].head(3)
    assert [resume.text for resume in resumes_from_frame(empty)] == ["", "", ""]


def test_resumes_from_csv_frame(small, tmp_path):
    write_dataset(small, tmp_path, fmt="csv")
    resumes = resumes_from_frame(read_dataset(tmp_path).resumes)
    assert [resume.skills for resume in resumes] == [tuple(s) for s in small.resumes["skills"]]


def test_companies_from_frame_builds_companies(small):
    companies = companies_from_frame(small.companies)
    assert len(companies) == len(small.companies)
    assert all(isinstance(company, Company) for company in companies)
    assert all(isinstance(company.size, int) for company in companies)


def test_jobs_from_frame_missing_created_at(small):
    frame = small.jobs.head(2).copy()
    frame.loc[0, "created_at"] = pd.NaT
    jobs = jobs_from_frame(frame)
    assert jobs[0].created_at is None
    assert jobs[1].created_at == frame.at[1, "created_at"].to_pydatetime()
