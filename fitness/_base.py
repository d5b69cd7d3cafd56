"""The objective contract: a raw figure from an observation, a score against the baseline.

Every objective is one module with one class and one line in
``fitness/registry.py``. Scores are normalised so that the baseline scores
exactly 1.0 and higher is better; a weighted sum of scores is then directly
comparable with the baseline's (the sum of the weights, 1.0 after the
aggregate normalises them).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from fitness.observation import Observation


class Objective(ABC):
    """One fitness component.

    ``measure`` returns the raw figure (seconds, a rate, an index, a count) or
    ``None`` when the observation does not carry it (a variant stopped before
    the gate that measures it). ``score`` turns it into a normalised score
    against the baseline's raw figure. ``unit`` and ``higher_is_better``
    describe the raw figure for reports.
    """

    name: ClassVar[str]
    unit: ClassVar[str] = ""
    higher_is_better: ClassVar[bool] = True

    @abstractmethod
    def measure(self, observation: Observation) -> float | None:
        """The raw figure, or ``None`` if the observation lacks it."""

    def baseline_figure(self, baseline_obs: Observation) -> float | None:
        """The raw figure the baseline is scored against.

        Usually just ``measure(baseline)``; an objective whose raw figure is
        already relative to the baseline (performance: a ratio of medians)
        returns its fixed reference instead, so the baseline scores exactly 1.0.
        """
        return self.measure(baseline_obs)

    def for_baseline(self, baseline: Observation) -> Objective:
        """This objective as it scores variants of ``baseline`` (the ``Scorer`` calls it once).

        Most objectives need nothing of the baseline but its raw figure and
        return themselves; the static ones (tokens, maintainability) return a
        copy that knows the baseline's sources and executed lines.
        """
        return self

    def details(self, observation: Observation) -> dict[str, float]:
        """Extra figures for reports (medians, coverage, complexity); never scored."""
        return {}

    def score(self, raw: float | None, baseline: float | None) -> float:
        """Normalised score: 1.0 at the baseline, higher is better, never negative."""
        if raw is None or baseline is None:
            return 0.0
        return max(0.0, self._score(raw, baseline))

    def _score(self, raw: float, baseline: float) -> float:
        if self.higher_is_better:
            return raw / baseline if baseline else (1.0 if raw == baseline else 2.0)
        return baseline / raw if raw else (1.0 if raw == baseline else 2.0)
