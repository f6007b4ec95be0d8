"""Résumé-to-job matching: one scoring model, a baseline and a vectorized implementation."""

from mismatch_core.matching.baseline import BaselineMatcher
from mismatch_core.matching.scoring import Corpus, MatchResult, ScoringWeights
from mismatch_core.matching.vectorized import VectorizedMatcher

__all__ = ["BaselineMatcher", "Corpus", "MatchResult", "ScoringWeights", "VectorizedMatcher"]
