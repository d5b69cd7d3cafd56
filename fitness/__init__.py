"""Fitness: figures from observations, scores against the baseline, one ranking key.

Figures become scores only here. Everything not named in ``__all__`` may change.
"""

from fitness._base import Objective
from fitness.aggregate import DEFAULT_WEIGHTS, MODES, Score, Scorer, Weights
from fitness.correctness import Correctness
from fitness.maintainability import Maintainability, function_complexities
from fitness.observation import Observation, Status
from fitness.performance import Performance
from fitness.principles import (
    PRINCIPLES,
    Modules,
    Principle,
    PrincipleReport,
    PrincipleSettings,
    PrinciplesKept,
    check_principles,
)
from fitness.registry import OBJECTIVES
from fitness.tokens import Tokens, count_tokens

__all__ = [
    "DEFAULT_WEIGHTS",
    "MODES",
    "OBJECTIVES",
    "PRINCIPLES",
    "Correctness",
    "Maintainability",
    "Modules",
    "Objective",
    "Observation",
    "Performance",
    "Principle",
    "PrincipleReport",
    "PrincipleSettings",
    "PrinciplesKept",
    "Score",
    "Scorer",
    "Status",
    "Tokens",
    "Weights",
    "check_principles",
    "count_tokens",
    "function_complexities",
]
