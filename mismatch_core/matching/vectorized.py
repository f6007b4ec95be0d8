"""The vectorized matcher: the same scoring model over sparse matrices and NumPy arrays.

``fit`` tokenizes every job once and builds the index: a skill matrix with IDF weights,
L2-normalized TF-IDF matrices of titles and documents, and arrays of the numeric fields.
A request then tokenizes only the résumé, scores it against all jobs with three sparse
products and a few array operations, and takes the top-k with a partial sort.

All-pairs work (``top_k_many``) runs over blocks of résumés sized so that the dense
score arrays of the blocks in flight stay under ``block_bytes``, so memory is bounded for
any corpus size. ``workers`` threads score blocks side by side: NumPy and SciPy release
the GIL in their array kernels, so two cores do help here.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from tqdm import tqdm

from mismatch_core.matching.scoring import (
    _SCALE,
    DEFAULT_WEIGHTS,
    Corpus,
    Features,
    MatchResult,
    ScoringWeights,
    has_evidence,
    location_key,
)
from mismatch_core.matching.validation import check_k, sorted_unique_jobs
from mismatch_core.model import Job, Resume
from mismatch_core.skills import SkillVocabulary

logger = logging.getLogger(__name__)

# Dense float64 arrays that one block of résumés keeps alive while it is scored:
# six components, the score, and temporaries.
_ARRAYS_PER_BLOCK = 10
# NOTE: measured, not derived: on a 2-core x86-64 machine with 100k jobs, blocks of about
# 4 résumés (3 MiB per array) ran all-pairs about twice as fast as blocks of 33.
_TARGET_ARRAY_BYTES = 4 * 2**20


def _sparse_rows(
    rows: list[dict[str, float]], columns: dict[str, int], *, normalize: bool
) -> sp.csr_matrix:
    """Build a CSR matrix with one row per weight dict, L2-normalized if asked.

    Keys missing from ``columns`` are dropped, because no job has them.
    """
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for row in rows:
        known = [(columns[key], weight) for key, weight in row.items() if key in columns]
        norm = np.sqrt(sum(weight * weight for _, weight in known)) if normalize else 1.0
        for column, weight in known:
            indices.append(column)
            data.append(weight / norm)
        indptr.append(len(indices))
    return sp.csr_matrix(
        (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
        shape=(len(rows), len(columns)),
    )


def _column_index(keys: dict[str, float]) -> dict[str, int]:
    return {key: position for position, key in enumerate(sorted(keys))}


@dataclass(frozen=True)
class _ResumeBlock:
    """Résumé-side arrays for one block, shaped (B, 1) to broadcast against jobs."""

    skills: sp.csr_matrix
    title: sp.csr_matrix
    text: sp.csr_matrix
    experience: np.ndarray
    desired: np.ndarray
    currency: np.ndarray
    location: np.ndarray
    evidence: np.ndarray
    skill_sets: list[tuple[str, ...]]


@dataclass(frozen=True)
class _Components:
    """Score and components of a block: arrays of shape (B, N) or (P,)."""

    score: np.ndarray
    skill: np.ndarray
    title: np.ndarray
    text: np.ndarray
    experience: np.ndarray
    salary: np.ndarray
    location: np.ndarray


class VectorizedMatcher:
    """Scores résumés against all jobs at once from an index built by ``fit``."""

    def __init__(
        self,
        vocabulary: SkillVocabulary | None = None,
        weights: ScoringWeights = DEFAULT_WEIGHTS,
        block_bytes: int = 256 * 2**20,
        workers: int | None = None,
    ) -> None:
        if block_bytes < 2**20:
            raise ValueError(f"block_bytes must be at least 1 MiB, got {block_bytes}")
        workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.vocabulary = vocabulary
        self.weights = weights
        self.block_bytes = block_bytes
        self.corpus: Corpus | None = None

    # Index construction

    def fit(self, jobs: Sequence[Job]) -> VectorizedMatcher:
        """Tokenize every job once and build the sparse and numeric index."""
        ordered = sorted_unique_jobs(jobs)
        corpus, features = Corpus.fit_with_features(ordered, self.vocabulary, self.weights)
        self.corpus = corpus

        self.job_ids = np.fromiter((job.id for job in ordered), dtype=np.int64, count=len(ordered))
        self._position = {int(job_id): position for position, job_id in enumerate(self.job_ids)}
        self._job_skills = [feature.skills for feature in features]

        self._skill_columns = _column_index(corpus.skill_idf)
        self._title_columns = _column_index(corpus.title_idf)
        self._text_columns = _column_index(corpus.text_idf)
        self._skills = self._skill_matrix(features)
        self._title = _sparse_rows([f.title for f in features], self._title_columns, normalize=True)
        self._text = _sparse_rows([f.text for f in features], self._text_columns, normalize=True)
        # Term-major copies, so a résumé row times them touches only the jobs sharing a term.
        self._skills_t = self._skills.T.tocsr()
        self._title_t = self._title.T.tocsr()
        self._text_t = self._text.T.tocsr()

        self._build_numeric_arrays(ordered)
        logger.info(
            "indexed %d jobs: %d skills, %d title terms, %d document terms",
            len(ordered),
            len(self._skill_columns),
            len(self._title_columns),
            len(self._text_columns),
        )
        return self

    def _skill_matrix(self, features: list[Features]) -> sp.csr_matrix:
        idf = self._fitted().skill_idf
        rows = []
        for feature in features:
            total = sum(idf[name] for name in feature.skills)
            rows.append({name: idf[name] / total for name in feature.skills})
        return _sparse_rows(rows, self._skill_columns, normalize=False)

    def _build_numeric_arrays(self, jobs: list[Job]) -> None:
        self._currency_codes: dict[str, int] = {}
        self._location_codes: dict[str, int] = {}
        count = len(jobs)
        self._required = np.full(count, np.nan)
        self._ceiling = np.full(count, np.nan)
        self._job_currency = np.full(count, -1, dtype=np.int64)
        self._job_location = np.full(count, -1, dtype=np.int64)
        self._remote = np.zeros(count, dtype=bool)
        for position, job in enumerate(jobs):
            if job.experience_years is not None:
                self._required[position] = job.experience_years
            ceiling = job.salary_ceiling
            if ceiling and job.currency is not None:
                self._ceiling[position] = ceiling
                self._job_currency[position] = self._code(self._currency_codes, job.currency)
            city = location_key(job.location)
            if city is not None:
                self._job_location[position] = self._code(self._location_codes, city)
            self._remote[position] = job.remote

    @staticmethod
    def _code(codes: dict[str, int], value: str) -> int:
        return codes.setdefault(value, len(codes))

    def _fitted(self) -> Corpus:
        if self.corpus is None:
            raise RuntimeError("VectorizedMatcher is not fitted; call fit(jobs) first")
        return self.corpus

    @property
    def size(self) -> int:
        """Number of indexed jobs."""
        return len(self.job_ids)

    # Résumé side

    def _resume_block(self, resumes: Sequence[Resume]) -> _ResumeBlock:
        corpus = self._fitted()
        features = [corpus.resume_features(resume) for resume in resumes]
        skill_rows = [dict.fromkeys(feature.skills, 1.0) for feature in features]
        skills = _sparse_rows(skill_rows, self._skill_columns, normalize=False)
        title = _sparse_rows([f.title for f in features], self._title_columns, normalize=True)
        text = _sparse_rows([f.text for f in features], self._text_columns, normalize=True)

        count = len(resumes)
        experience = np.full(count, np.nan)
        desired = np.full(count, np.nan)
        currency = np.full(count, -2, dtype=np.int64)
        location = np.full(count, -1, dtype=np.int64)
        evidence = np.zeros(count, dtype=bool)
        for position, (resume, feature) in enumerate(zip(resumes, features, strict=True)):
            if resume.experience_years is not None:
                experience[position] = resume.experience_years
            if resume.desired_salary:
                desired[position] = resume.desired_salary
            if resume.currency is not None:
                currency[position] = self._currency_codes.get(resume.currency, -2)
            city = location_key(resume.location)
            if city is not None:
                # A city no job is in gets a code that differs from every job's code.
                location[position] = self._location_codes.get(city, len(self._location_codes))
            evidence[position] = has_evidence(resume, feature)
        return _ResumeBlock(
            skills, title, text, experience, desired, currency, location, evidence,
            [feature.skills for feature in features],
        )

    # Scoring

    def _combine(
        self,
        skill: np.ndarray,
        title: np.ndarray,
        text: np.ndarray,
        job: slice | np.ndarray,
        block: _ResumeBlock,
        resume: slice | np.ndarray,
    ) -> _Components:
        """Apply the fit factors; job and résumé arrays broadcast against each other."""
        weights = self.weights
        np.clip(skill, 0.0, 1.0, out=skill)
        np.clip(title, 0.0, 1.0, out=title)
        np.clip(text, 0.0, 1.0, out=text)
        relevance = weights.skill * skill
        relevance += weights.title * title
        relevance += weights.text * text

        required = self._required[job]
        have = block.experience[resume]
        shortfall = np.maximum(0.0, required - have)
        experience = np.maximum(weights.experience_floor, 1.0 - weights.experience_step * shortfall)
        experience[np.isnan(experience)] = 1.0

        ceiling = self._ceiling[job]
        desired = block.desired[resume]
        same_currency = self._job_currency[job] == block.currency[resume]
        with np.errstate(invalid="ignore"):
            ratio = ceiling / desired
        salary = np.minimum(1.0, np.maximum(weights.salary_floor, ratio))
        salary[~same_currency | np.isnan(salary)] = 1.0

        job_city = self._job_location[job]
        resume_city = block.location[resume]
        elsewhere = (job_city != resume_city) & (job_city >= 0) & (resume_city >= 0)
        elsewhere &= ~self._remote[job]
        location = np.where(elsewhere, weights.location_mismatch, 1.0)

        score = relevance * experience
        score *= salary
        score *= location
        score = np.floor(score * _SCALE + 0.5) / _SCALE
        score[~np.broadcast_to(block.evidence[resume], score.shape)] = 0.0
        return _Components(score, skill, title, text, experience, salary, location)

    def _score_block(self, block: _ResumeBlock) -> _Components:
        skill = (block.skills @ self._skills_t).toarray()
        title = (block.title @ self._title_t).toarray()
        text = (block.text @ self._text_t).toarray()
        everything = slice(None)
        return self._combine(
            skill, title, text, (np.newaxis, everything), block, (everything, np.newaxis)
        )

    def score(self, resume: Resume) -> np.ndarray:
        """Return the résumé's score against every job, in ascending job id order."""
        return self._score_block(self._resume_block([resume])).score[0]

    def score_pairs(self, pairs: Sequence[tuple[Resume, int]]) -> np.ndarray:
        """Return the score of each (résumé, job id) pair, in input order."""
        self._fitted()
        distinct: dict[Resume, int] = {}
        resume_rows = np.empty(len(pairs), dtype=np.int64)
        job_rows = np.empty(len(pairs), dtype=np.int64)
        for position, (resume, job_id) in enumerate(pairs):
            resume_rows[position] = distinct.setdefault(resume, len(distinct))
            job_rows[position] = self._job_position(job_id)
        block = self._resume_block(list(distinct))

        skill = _row_dots(block.skills, resume_rows, self._skills, job_rows)
        title = _row_dots(block.title, resume_rows, self._title, job_rows)
        text = _row_dots(block.text, resume_rows, self._text, job_rows)
        return self._combine(skill, title, text, job_rows, block, resume_rows).score

    def _job_position(self, job_id: int) -> int:
        try:
            return self._position[job_id]
        except KeyError:
            raise KeyError(f"job id {job_id} is not among the fitted jobs") from None

    # Ranking

    def top_k(self, resume: Resume, k: int = 10) -> list[MatchResult]:
        """Return the ``k`` best jobs for a résumé, best first, ties by ascending job id."""
        return self.top_k_many([resume], k)[0]

    def top_k_many(
        self, resumes: Sequence[Resume], k: int = 10, *, progress: bool = False
    ) -> list[list[MatchResult]]:
        """Return ``top_k`` for each résumé, in input order, scoring them block by block."""
        return list(self.iter_top_k(resumes, k, progress=progress))

    def iter_top_k(
        self, resumes: Sequence[Resume], k: int = 10, *, progress: bool = False
    ) -> Iterator[list[MatchResult]]:
        """Yield ``top_k`` for each résumé in order, holding at most ``workers`` blocks at a time."""
        check_k(k)
        self._fitted()
        size = self.block_size()
        if len(resumes) <= size:
            # One block: a thread pool would only add its start-up cost to each request.
            yield from self._top_k_block(resumes, k)
            return
        bar = tqdm(total=len(resumes), unit="résumé", disable=not progress, desc="top-k")
        with bar, ThreadPoolExecutor(self.workers, thread_name_prefix="top-k") as pool:
            pending: deque[Future[list[list[MatchResult]]]] = deque()
            for start in range(0, len(resumes), size):
                pending.append(pool.submit(self._top_k_block, resumes[start : start + size], k))
                if len(pending) >= self.workers:
                    done = pending.popleft().result()
                    bar.update(len(done))
                    yield from done
            while pending:
                done = pending.popleft().result()
                bar.update(len(done))
                yield from done

    def _top_k_block(self, resumes: Sequence[Resume], k: int) -> list[list[MatchResult]]:
        block = self._resume_block(resumes)
        components = self._score_block(block)
        ranked = []
        for row in range(components.score.shape[0]):
            positions = self._top_positions(components.score[row], k)
            ranked.append([self._result(components, row, p, block) for p in positions])
        return ranked

    def block_size(self) -> int:
        """Return how many résumés one block scores at once.

        A block's dense arrays are kept near ``_TARGET_ARRAY_BYTES`` because larger
        temporaries spill out of the CPU caches and cost page faults on every array
        operation, and all blocks in flight together stay within ``block_bytes``.
        """
        row_bytes = max(1, self.size) * 8
        cache_friendly = _TARGET_ARRAY_BYTES // row_bytes
        budget = self.block_bytes // (row_bytes * _ARRAYS_PER_BLOCK * self.workers)
        return max(1, min(cache_friendly, budget))

    def _top_positions(self, scores: np.ndarray, k: int) -> np.ndarray:
        if k < scores.size:
            partition = np.argpartition(-scores, k - 1)[:k]
            threshold = scores[partition].min()
            # Every job tied with the k-th score competes, so ties resolve by job id.
            candidates = np.flatnonzero(scores >= threshold)
        else:
            candidates = np.arange(scores.size)
        order = np.lexsort((self.job_ids[candidates], -scores[candidates]))
        return candidates[order[:k]]

    def _result(
        self, components: _Components, row: int, position: int, block: _ResumeBlock
    ) -> MatchResult:
        corpus = self._fitted()
        evidence = bool(block.evidence[row])
        matched, missing = corpus.explain_skills(self._job_skills[position], block.skill_sets[row])
        if not evidence:
            return MatchResult(
                int(self.job_ids[position]), 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, (), missing, False
            )
        return MatchResult(
            job_id=int(self.job_ids[position]),
            score=float(components.score[row, position]),
            skill=float(components.skill[row, position]),
            title=float(components.title[row, position]),
            text=float(components.text[row, position]),
            experience_fit=float(components.experience[row, position]),
            salary_fit=float(components.salary[row, position]),
            location_fit=float(components.location[row, position]),
            matched_skills=matched,
            missing_skills=missing,
        )


def _row_dots(
    left: sp.csr_matrix, left_rows: np.ndarray, right: sp.csr_matrix, right_rows: np.ndarray
) -> np.ndarray:
    """Return the dot product of ``left[left_rows[i]]`` and ``right[right_rows[i]]`` for each i."""
    products = left[left_rows].multiply(right[right_rows])
    return np.asarray(products.sum(axis=1), dtype=np.float64).ravel()
