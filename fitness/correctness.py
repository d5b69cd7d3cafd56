"""Correctness: how many tests pass; coverage is reported, not scored.

Coverage used to be 30 % of this score as a ratio against the baseline's
percentage — a ratio that *rises* when a variant deletes code no test covers
(fewer statements, same covered ones). That rewarded exactly the junk edits a
maintainer would refuse. The protections now live where they hold: edits are
drawn only on lines the tests execute, and the static objectives ignore
changes to code the tests never ran (``fitness.units``). Coverage stays in the
details for reports; the score is the pass-rate ratio against the baseline.
"""

from __future__ import annotations

from typing import ClassVar

from fitness._base import Objective
from fitness.observation import Observation

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

    def _score(self, raw: float, baseline: float) -> float:
        """The pass-rate ratio against the baseline."""
        return _ratio(raw, baseline)
