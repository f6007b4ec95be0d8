"""The scoring model shared by every matcher.

A résumé–job score is a relevance part times three fit factors, all in [0, 1]::

    relevance = 0.60 * skill + 0.15 * title + 0.25 * text
    score     = relevance * experience_fit * salary_fit * location_fit

- ``skill``: the share of the job's skills that the résumé has, each skill weighted by
  its inverse document frequency (IDF) over the job corpus, so a rare skill counts more
  than ``Teamwork``. A job with no skills scores 0 here.
- ``title``: cosine similarity of the TF-IDF vectors of the two titles.
- ``text``: cosine similarity of the TF-IDF keyword vectors of the résumé text and the
  job document (title plus description). Each side keeps its ``keywords`` heaviest
  terms that occur in the job corpus.
- ``experience_fit``: ``1 - 0.2`` per missing year of required experience, at least 0.2.
- ``salary_fit``: the job's salary ceiling divided by the desired salary when the
  candidate wants more, at least 0.2. Compared only within one currency.
- ``location_fit``: 0.5 when an on-site job is in another city than the candidate.

A fit factor is 1 when either side does not state the value. A résumé with empty text
or without any skill (declared or found in its text) has no evidence: every score is 0
and ``evidence`` is False, so it never ranks above a résumé with evidence.

Weights are TF-IDF with sublinear term frequency ``1 + ln(tf)`` and smoothed IDF
``ln((1 + n) / (1 + df)) + 1``, the same formulas as scikit-learn's ``TfidfVectorizer``
with ``smooth_idf=True, sublinear_tf=True``.

Scores are rounded to 12 decimals (``quantize``) so that two implementations whose sums
run in a different order produce equal scores and therefore equal rankings. Ties are
broken by ascending job id.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mismatch_core.model import Job, Resume
from mismatch_core.skills import SkillVocabulary
from mismatch_core.text import normalize_text, terms

SCORE_DECIMALS = 12
_SCALE = 10.0**SCORE_DECIMALS


@dataclass(frozen=True, slots=True)
class ScoringWeights:
    """Weights and constants of the scoring model."""

    skill: float = 0.60
    title: float = 0.15
    text: float = 0.25
    experience_step: float = 0.2
    experience_floor: float = 0.2
    salary_floor: float = 0.2
    location_mismatch: float = 0.5
    keywords: int = 40

    def __post_init__(self) -> None:
        parts = (self.skill, self.title, self.text)
        if any(weight < 0 for weight in parts) or not math.isclose(sum(parts), 1.0):
            raise ValueError(
                f"skill, title and text weights must be non-negative and sum to 1, got {parts}"
            )
        for name in ("experience_floor", "salary_floor", "location_mismatch"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {value}")
        if self.keywords < 1:
            raise ValueError(f"keywords must be at least 1, got {self.keywords}")


DEFAULT_WEIGHTS = ScoringWeights()


def quantize(score: float) -> float:
    """Round a score to ``SCORE_DECIMALS`` decimals, half up, the same way NumPy code does."""
    return math.floor(score * _SCALE + 0.5) / _SCALE


def clip_unit(value: float) -> float:
    """Clamp a similarity into [0, 1], absorbing rounding overshoot such as 1.0000000000000002."""
    return min(1.0, max(0.0, value))


@dataclass(frozen=True, slots=True)
class MatchResult:
    """A scored résumé–job pair with its breakdown and the reason for any mismatch."""

    job_id: int
    score: float
    skill: float
    title: float
    text: float
    experience_fit: float
    salary_fit: float
    location_fit: float
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]
    evidence: bool = True

    def breakdown(self) -> dict[str, float]:
        """Return each component of the score by name."""
        return {
            "skill": self.skill,
            "title": self.title,
            "text": self.text,
            "experience_fit": self.experience_fit,
            "salary_fit": self.salary_fit,
            "location_fit": self.location_fit,
        }


@dataclass(frozen=True, slots=True)
class Features:
    """Tokenized and weighted view of one résumé or job, as the scoring model reads it."""

    skills: tuple[str, ...]
    title: dict[str, float]
    text: dict[str, float]


def _document_frequencies(documents: Iterable[Iterable[str]]) -> tuple[Counter[str], int]:
    counts: Counter[str] = Counter()
    total = 0
    for document in documents:
        counts.update(set(document))
        total += 1
    return counts, total


def _idf_table(counts: Counter[str], total: int) -> dict[str, float]:
    return {key: math.log((1 + total) / (1 + df)) + 1.0 for key, df in counts.items()}


def _tfidf(tokens: Sequence[str], idf: dict[str, float], keep: int | None) -> dict[str, float]:
    counts = Counter(token for token in tokens if token in idf)
    weights = {token: (1.0 + math.log(tf)) * idf[token] for token, tf in counts.items()}
    if keep is not None and len(weights) > keep:
        heaviest = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:keep]
        weights = dict(heaviest)
    return weights


def job_document(job: Job) -> str:
    """Return the text a job is compared on: its title and description."""
    return f"{job.title}\n{job.description}"


@dataclass
class Corpus:
    """Corpus statistics that both matchers fit on a job collection: the IDF tables."""

    vocabulary: SkillVocabulary
    weights: ScoringWeights = DEFAULT_WEIGHTS
    skill_idf: dict[str, float] = field(default_factory=dict)
    title_idf: dict[str, float] = field(default_factory=dict)
    text_idf: dict[str, float] = field(default_factory=dict)
    size: int = 0

    @classmethod
    def fit(
        cls,
        jobs: Sequence[Job],
        vocabulary: SkillVocabulary | None = None,
        weights: ScoringWeights = DEFAULT_WEIGHTS,
    ) -> Corpus:
        """Compute the IDF tables of skills, title terms and document terms over ``jobs``."""
        corpus, _ = cls.fit_with_features(jobs, vocabulary, weights)
        return corpus

    @classmethod
    def fit_with_features(
        cls,
        jobs: Sequence[Job],
        vocabulary: SkillVocabulary | None = None,
        weights: ScoringWeights = DEFAULT_WEIGHTS,
    ) -> tuple[Corpus, list[Features]]:
        """Fit the corpus and return each job's features, tokenizing every job once."""
        if not jobs:
            raise ValueError("cannot fit a matcher on an empty job list; pass at least one Job")
        corpus = cls(vocabulary or SkillVocabulary.default(), weights)
        corpus.size = len(jobs)

        parts = [
            (corpus.job_skills(job), terms(job.title), terms(job_document(job))) for job in jobs
        ]
        skill_counts, _ = _document_frequencies(skills for skills, _, _ in parts)
        title_counts, _ = _document_frequencies(title for _, title, _ in parts)
        text_counts, _ = _document_frequencies(text for _, _, text in parts)
        corpus.skill_idf = _idf_table(skill_counts, len(jobs))
        corpus.title_idf = _idf_table(title_counts, len(jobs))
        corpus.text_idf = _idf_table(text_counts, len(jobs))

        features = [
            Features(
                skills=skills,
                title=_tfidf(title, corpus.title_idf, None),
                text=_tfidf(text, corpus.text_idf, weights.keywords),
            )
            for skills, title, text in parts
        ]
        return corpus, features

    def job_skills(self, job: Job) -> tuple[str, ...]:
        """Return a job's canonical skills: those it declares plus those its text names."""
        return self.vocabulary.skills_of(job.skills, job.title, job.description)

    def resume_skills(self, resume: Resume) -> tuple[str, ...]:
        """Return a résumé's canonical skills: those it declares plus those its text names."""
        return self.vocabulary.skills_of(resume.skills, resume.title, resume.text)

    def job_features(self, job: Job) -> Features:
        """Tokenize and weight one job."""
        return Features(
            skills=self.job_skills(job),
            title=_tfidf(terms(job.title), self.title_idf, None),
            text=_tfidf(terms(job_document(job)), self.text_idf, self.weights.keywords),
        )

    def resume_features(self, resume: Resume) -> Features:
        """Tokenize and weight one résumé against this corpus."""
        return Features(
            skills=self.resume_skills(resume),
            title=_tfidf(terms(resume.title), self.title_idf, None),
            text=_tfidf(terms(resume.text), self.text_idf, self.weights.keywords),
        )

    def explain_skills(
        self, job_skills: Sequence[str], resume_skills: Iterable[str]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Split a job's skills into those the résumé has and those it lacks, rarest first."""
        have = set(resume_skills)
        ordered = sorted(job_skills, key=lambda name: (-self.skill_idf.get(name, 0.0), name))
        matched = tuple(name for name in ordered if name in have)
        missing = tuple(name for name in ordered if name not in have)
        return matched, missing


def has_evidence(resume: Resume, features: Features) -> bool:
    """Tell whether a résumé has both text and at least one skill to be judged on."""
    return bool(resume.text.strip()) and bool(features.skills)


def location_key(location: str | None) -> str | None:
    """Return the comparable form of a location, or None when it is not stated."""
    if location is None:
        return None
    key = normalize_text(location)
    return key or None


def experience_fit(required: float | None, have: float | None, weights: ScoringWeights) -> float:
    """Return the experience fit factor for a requirement and a candidate's years."""
    if required is None or have is None:
        return 1.0
    shortfall = max(0.0, required - have)
    return max(weights.experience_floor, 1.0 - weights.experience_step * shortfall)


def salary_fit(job: Job, resume: Resume, weights: ScoringWeights) -> float:
    """Return the salary fit factor: how far the job's ceiling falls short of the wish."""
    ceiling = job.salary_ceiling
    desired = resume.desired_salary
    if not ceiling or not desired or job.currency is None or job.currency != resume.currency:
        return 1.0
    return min(1.0, max(weights.salary_floor, ceiling / desired))


def location_fit(job: Job, resume: Resume, weights: ScoringWeights) -> float:
    """Return the location fit factor: a penalty for an on-site job in another city."""
    if job.remote:
        return 1.0
    job_city = location_key(job.location)
    resume_city = location_key(resume.location)
    if job_city is None or resume_city is None or job_city == resume_city:
        return 1.0
    return weights.location_mismatch
