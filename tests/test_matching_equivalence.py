"""The baseline and the vectorized matcher must return the same scores and rankings."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mismatch_core.matching import BaselineMatcher, VectorizedMatcher
from mismatch_core.model import Job, Resume
from mismatch_core.skills import SkillVocabulary

TOLERANCE = 1e-9


def _vocabulary() -> SkillVocabulary:
    vocabulary = SkillVocabulary()
    vocabulary.add("Python", "language", ["питон"])
    vocabulary.add("SQL", "database", ["скл"])
    vocabulary.add("PostgreSQL", "database", ["postgres", "постгрес"])
    vocabulary.add("Machine learning", "data", ["машинное обучение", "ML"])
    vocabulary.add("Data analysis", "data", ["анализ данных"])
    vocabulary.add("Docker", "devops", [])
    vocabulary.add("Golang", "language", ["=go"])
    return vocabulary


VOCABULARY = _vocabulary()
WORDS = (
    "developer engineer analyst senior junior data backend python postgres docker "
    "разработчик аналитик данных инженер ведущий машинное обучение анализ опыт работа"
).split()
SKILL_NAMES = ["Python", "python", "Питон", "SQL", "postgres", "Постгрес", "Machine learning",
               "машинное обучение", "Docker", "go", "Анализ данных", "Креативность", "a/b-tests"]

words = st.lists(st.sampled_from(WORDS), max_size=25).map(" ".join)
skills = st.lists(st.sampled_from(SKILL_NAMES), max_size=6).map(tuple)
cities = st.sampled_from([None, "Москва", "москва", "Казань", "Berlin", ""])
currencies = st.sampled_from([None, "RUB", "USD"])
salaries = st.one_of(st.none(), st.just(0.0), st.floats(1.0, 500_000.0))
years = st.one_of(st.none(), st.sampled_from([0.0, 1.0, 3.0, 6.0]), st.floats(0.0, 40.0))


@st.composite
def jobs_strategy(draw) -> list[Job]:
    ids = draw(st.lists(st.integers(1, 10_000), min_size=1, max_size=25, unique=True))
    jobs = []
    for job_id in ids:
        low, high = sorted([draw(salaries) or 0.0, draw(salaries) or 0.0])
        one_sided = draw(st.sampled_from(["both", "min", "max", "none"]))
        jobs.append(
            Job(
                id=job_id,
                title=draw(words),
                description=draw(words),
                skills=draw(skills),
                experience_years=draw(years),
                salary_min=low if one_sided in ("both", "min") else None,
                salary_max=high if one_sided in ("both", "max") else None,
                currency=draw(currencies),
                location=draw(cities),
                remote=draw(st.booleans()),
            )
        )
    return jobs


resumes_strategy = st.builds(
    Resume,
    id=st.integers(1, 1_000),
    title=words,
    text=words,
    skills=skills,
    experience_years=years,
    location=cities,
    desired_salary=salaries,
    currency=currencies,
)


def _fit(jobs: list[Job]) -> tuple[BaselineMatcher, VectorizedMatcher]:
    return BaselineMatcher(VOCABULARY).fit(jobs), VectorizedMatcher(VOCABULARY).fit(jobs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(jobs=jobs_strategy(), resumes=st.lists(resumes_strategy, min_size=1, max_size=4),
       k=st.integers(1, 30))
def test_top_k_matches_baseline(jobs, resumes, k):
    baseline, vectorized = _fit(jobs)
    for resume in resumes:
        expected = baseline.top_k(resume, k)
        actual = vectorized.top_k(resume, k)
        assert [m.job_id for m in actual] == [m.job_id for m in expected]
        for got, want in zip(actual, expected, strict=True):
            assert abs(got.score - want.score) <= TOLERANCE
            assert got.matched_skills == want.matched_skills
            assert got.missing_skills == want.missing_skills
            assert got.evidence == want.evidence
            for name, value in want.breakdown().items():
                assert abs(got.breakdown()[name] - value) <= TOLERANCE, name


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(jobs=jobs_strategy(), resumes=st.lists(resumes_strategy, min_size=1, max_size=4),
       data=st.data())
def test_score_pairs_matches_baseline(jobs, resumes, data):
    baseline, vectorized = _fit(jobs)
    pairs = data.draw(
        st.lists(st.tuples(st.sampled_from(resumes), st.sampled_from([j.id for j in jobs])),
                 min_size=1, max_size=20)
    )
    difference = np.abs(baseline.score_pairs(pairs) - vectorized.score_pairs(pairs))
    assert difference.max() <= TOLERANCE


@settings(max_examples=40, deadline=None)
@given(jobs=jobs_strategy(), resume=resumes_strategy)
def test_scores_stay_in_unit_interval(jobs, resume):
    _, vectorized = _fit(jobs)
    scores = vectorized.score(resume)
    assert scores.min() >= 0.0
    assert scores.max() <= 1.0


def _job(job_id: int, **fields) -> Job:
    defaults = dict(title="Python developer", description="python postgres docker",
                    skills=("Python", "PostgreSQL"))
    defaults.update(fields)
    return Job(id=job_id, **defaults)


def test_identical_jobs_tie_by_job_id():
    jobs = [_job(9), _job(3), _job(5)]
    resume = Resume(id=1, title="Python developer", text="python", skills=("Python",))
    for matcher in _fit(jobs):
        assert [m.job_id for m in matcher.top_k(resume, 3)] == [3, 5, 9]


@pytest.mark.parametrize(
    "resume",
    [
        Resume(id=1, title="Python developer", text="", skills=("Python", "PostgreSQL")),
        Resume(id=2, title="", text="   ", skills=()),
        Resume(id=3, title="", text="I like long walks", skills=()),
    ],
    ids=["empty-text", "empty-everything", "no-skills"],
)
def test_no_evidence_scores_zero(resume):
    for matcher in _fit([_job(1), _job(2, title="Аналитик", skills=("SQL",))]):
        results = matcher.top_k(resume, 2)
        assert all(result.score == 0.0 for result in results)
        assert not any(result.evidence for result in results)


def test_no_evidence_ranks_below_evidence():
    job = _job(1)
    strong = Resume(id=1, title="Python developer", text="python postgres", skills=("Python",))
    weak = Resume(id=2, title="Python developer", text="", skills=("Python", "PostgreSQL"))
    for matcher in _fit([job]):
        scores = matcher.score_pairs([(strong, 1), (weak, 1)])
        assert scores[0] > scores[1]


def test_missing_skills_explain_mismatch():
    jobs = [_job(1, skills=("Python", "PostgreSQL", "Docker"))]
    resume = Resume(id=1, title="Developer", text="Python and Docker", skills=("Python",))
    for matcher in _fit(jobs):
        [result] = matcher.top_k(resume, 1)
        assert set(result.matched_skills) == {"Python", "Docker"}
        assert result.missing_skills == ("PostgreSQL",)


def test_russian_resume_matches_english_skills():
    jobs = [_job(1, skills=("Machine learning", "Python")), _job(2, title="Go developer",
            description="golang", skills=("go",))]
    resume = Resume(id=1, title="Инженер", text="Опыт в машинном обучении на питоне",
                    skills=())
    for matcher in _fit(jobs):
        best = matcher.top_k(resume, 1)[0]
        assert best.job_id == 1
        assert set(best.matched_skills) == {"Machine learning", "Python"}


def test_small_blocks_give_same_results():
    jobs = [_job(i, title=f"developer {i % 7}", experience_years=float(i % 4)) for i in range(1, 60)]
    resumes = [Resume(id=i, title="developer", text=f"python docker {i}", skills=("Python",),
                      experience_years=float(i % 3)) for i in range(40)]
    whole = VectorizedMatcher(VOCABULARY).fit(jobs)
    blocked = VectorizedMatcher(VOCABULARY, block_bytes=2**20).fit(jobs)
    # Force blocks of a few résumés by shrinking the budget per résumé below one block.
    blocked.block_size = lambda: 3  # type: ignore[method-assign]
    assert whole.top_k_many(resumes, 5) == blocked.top_k_many(resumes, 5)


def test_unfitted_matcher_raises():
    resume = Resume(id=1, title="x", text="y")
    with pytest.raises(RuntimeError, match="fit"):
        VectorizedMatcher(VOCABULARY).top_k(resume)
    with pytest.raises(RuntimeError, match="fit"):
        BaselineMatcher(VOCABULARY).top_k(resume)


@pytest.mark.parametrize("k", [0, -1, 1.5, True])
def test_invalid_k_raises(k):
    for matcher in _fit([_job(1)]):
        with pytest.raises(ValueError, match="k must be"):
            matcher.top_k(Resume(id=1, title="x", text="y"), k)


def test_duplicate_job_ids_rejected():
    with pytest.raises(ValueError, match="unique"):
        VectorizedMatcher(VOCABULARY).fit([_job(1), _job(1)])


def test_unknown_job_id_in_pairs_raises():
    for matcher in _fit([_job(1)]):
        with pytest.raises(KeyError, match="42"):
            matcher.score_pairs([(Resume(id=1, title="x", text="y"), 42)])


def test_ties_at_kth_place_resolve_by_job_id():
    # Two score levels interleaved over many jobs, so the k-th place falls inside a tie.
    jobs = [
        _job(i, skills=("Python", "PostgreSQL") if i % 3 else ("Python",)) for i in range(1, 400)
    ]
    resume = Resume(id=1, title="Python developer", text="python postgres docker",
                    skills=("Python",))
    baseline, vectorized = _fit(jobs)
    for k in (1, 5, 50, 140):
        expected = [m.job_id for m in baseline.top_k(resume, k)]
        assert [m.job_id for m in vectorized.top_k(resume, k)] == expected
