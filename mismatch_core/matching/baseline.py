"""The baseline matcher: the straightforward per-pair version of the original backend.

It scores one résumé–job pair at a time with Python loops and tokenizes both texts again
on every call. It is correct and readable, and it is the "before" that every notebook
measures the optimizations against.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from mismatch_core.matching.scoring import (
    DEFAULT_WEIGHTS,
    Corpus,
    MatchResult,
    ScoringWeights,
    clip_unit,
    experience_fit,
    has_evidence,
    location_fit,
    quantize,
    salary_fit,
)
from mismatch_core.matching.validation import check_k, sorted_unique_jobs
from mismatch_core.model import Job, Resume
from mismatch_core.skills import SkillVocabulary


def _cosine(left: dict[str, float], right: dict[str, float]) -> float:
    if not left or not right:
        return 0.0
    dot = 0.0
    for token, weight in left.items():
        other = right.get(token)
        if other is not None:
            dot += weight * other
    left_norm = math.sqrt(sum(weight * weight for weight in left.values()))
    right_norm = math.sqrt(sum(weight * weight for weight in right.values()))
    return clip_unit(dot / (left_norm * right_norm))


class BaselineMatcher:
    """Scores pairs one by one; ``top_k`` scores a résumé against every job in a loop."""

    def __init__(
        self, vocabulary: SkillVocabulary | None = None, weights: ScoringWeights = DEFAULT_WEIGHTS
    ) -> None:
        self.vocabulary = vocabulary
        self.weights = weights
        self.corpus: Corpus | None = None
        self.jobs: list[Job] = []
        self._by_id: dict[int, Job] = {}

    def fit(self, jobs: Sequence[Job]) -> BaselineMatcher:
        """Learn the corpus statistics of ``jobs`` and keep the jobs to score against."""
        self.jobs = sorted_unique_jobs(jobs)
        self._by_id = {job.id: job for job in self.jobs}
        self.corpus = Corpus.fit(self.jobs, self.vocabulary, self.weights)
        return self

    def _fitted(self) -> Corpus:
        if self.corpus is None:
            raise RuntimeError("BaselineMatcher is not fitted; call fit(jobs) first")
        return self.corpus

    def score_pair(self, resume: Resume, job: Job) -> MatchResult:
        """Score one pair, tokenizing both sides from scratch."""
        corpus = self._fitted()
        resume_features = corpus.resume_features(resume)
        job_features = corpus.job_features(job)
        matched, missing = corpus.explain_skills(job_features.skills, resume_features.skills)

        if not has_evidence(resume, resume_features):
            return MatchResult(job.id, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, (), missing, False)

        total = 0.0
        found = 0.0
        resume_skills = set(resume_features.skills)
        for name in job_features.skills:
            weight = corpus.skill_idf[name]
            total += weight
            if name in resume_skills:
                found += weight
        skill = clip_unit(found / total) if total > 0 else 0.0

        title = _cosine(resume_features.title, job_features.title)
        text = _cosine(resume_features.text, job_features.text)
        experience = experience_fit(job.experience_years, resume.experience_years, self.weights)
        salary = salary_fit(job, resume, self.weights)
        location = location_fit(job, resume, self.weights)

        relevance = self.weights.skill * skill + self.weights.title * title
        relevance += self.weights.text * text
        score = quantize(relevance * experience * salary * location)
        return MatchResult(
            job.id, score, skill, title, text, experience, salary, location, matched, missing
        )

    def score_pairs(self, pairs: Sequence[tuple[Resume, int]]) -> np.ndarray:
        """Return the score of each (résumé, job id) pair, in input order."""
        self._fitted()
        scores = np.empty(len(pairs), dtype=np.float64)
        for position, (resume, job_id) in enumerate(pairs):
            scores[position] = self.score_pair(resume, self._job(job_id)).score
        return scores

    def _job(self, job_id: int) -> Job:
        try:
            return self._by_id[job_id]
        except KeyError:
            raise KeyError(f"job id {job_id} is not among the fitted jobs") from None

    def top_k(self, resume: Resume, k: int = 10) -> list[MatchResult]:
        """Return the ``k`` best jobs for a résumé, best first, ties by ascending job id."""
        check_k(k)
        results = [self.score_pair(resume, job) for job in self._fitted_jobs()]
        results.sort(key=lambda result: (-result.score, result.job_id))
        return results[:k]

    def top_k_many(self, resumes: Sequence[Resume], k: int = 10) -> list[list[MatchResult]]:
        """Return ``top_k`` for each résumé, in input order."""
        return [self.top_k(resume, k) for resume in resumes]

    def _fitted_jobs(self) -> list[Job]:
        self._fitted()
        return self.jobs
