"""Correctness: how many tests pass, and how much of the target the suite still covers.

Coverage is part of the score because a variant can "pass" by deleting the
code a test exercised only indirectly; a drop in covered lines is the trace
that leaves. Pass rate dominates (0.7) since it is the stronger signal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from fitness._base import Objective
from fitness.observation import Observation

PASS_WEIGHT = 0.7
COVERAGE_WEIGHT = 0.3


def _ratio(value: float, reference: float) -> float:
    """value / reference, with a zero reference giving 1.0 (equal) or 2.0 (better)."""
    if reference:
        return value / reference
    return 1.0 if value == reference else 2.0


class Correctness(Objective):
    """Share of the tests that ran and passed (0..1); higher is better."""

    name: ClassVar[str] = "correctness"
    unit: ClassVar[str] = "pass rate"
    higher_is_better: ClassVar[bool] = True

    def measure(self, observation: Observation) -> float | None:
        if observation.tests_run == 0:
            return None
        return observation.pass_rate

    def details(self, observation: Observation) -> dict[str, float]:
        out = {"tests_passed": float(observation.tests_passed),
               "tests_run": float(observation.tests_run)}
        if observation.coverage is not None:
            out["coverage"] = float(observation.coverage)
        return out

    def score_with_details(self, raw: float | None, baseline: float | None,
                           details: Mapping[str, float], baseline_details: Mapping[str, float]) -> float:
        """0.7 * pass-rate ratio + 0.3 * coverage ratio, each against the baseline.

        The coverage term is 1.0 (neutral) when either side has no coverage
        figure, so a run without coverage is scored on pass rate alone.
        """
        if raw is None or baseline is None:
            return 0.0
        coverage, reference = details.get("coverage"), baseline_details.get("coverage")
        coverage_term = 1.0 if coverage is None or reference is None else _ratio(coverage, reference)
        return max(0.0, PASS_WEIGHT * _ratio(raw, baseline) + COVERAGE_WEIGHT * coverage_term)

    def _score(self, raw: float, baseline: float) -> float:
        return self.score_with_details(raw, baseline, {}, {})
