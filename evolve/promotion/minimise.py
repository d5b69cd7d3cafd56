"""Minimise a survivor's patch: drop every edit that does not contribute.

Why: a search accumulates hitchhikers, edits that rode along with the one that
helped (a constant nudged where no test looks, a statement swapped with no
effect). A commit a person reviews should hold only edits that matter.

How: delta debugging in its greedy, one-at-a-time form. Each edit in turn is
removed; the smaller patch goes through the evaluator (the fast path, cached),
and the removal is kept when the smaller patch is still as good:

- it reaches the same tier (passes every test; in repair mode, every test),
  and
- its fitness drops by no more than the benchmark's own noise can explain
  (the *slack*: the weight of performance times the relative spread of the
  baseline's samples, ``noise_band``), but only while the components measured
  exactly (tests, coverage, maintainability, size, principles) do not drop:
  noise cannot explain a loss there. When they do drop, the removal is kept
  only if the fitness *rises* by more than the slack, i.e. the dropped edit
  cost more speed than noise can account for.

Every candidate is compared with the survivor as found, never with the last
accepted candidate, so small losses cannot add up over several removals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Protocol

from fitness.aggregate import TIE_BREAK, Score, Scorer
from fitness.observation import Observation
from populations.patch import Edit, Patch

__all__ = ["MAX_BAND", "MIN_BAND", "Minimised", "fitness_slack", "keeps_fitness", "minimise", "noise_band"]

MIN_BAND = 0.01
"""Timings never count as more precise than 1 %, however tight a few samples look."""
MAX_BAND = 0.5
"""A spread wider than 50 % says the benchmark is unusable, not that anything goes."""
_EXACT = 1e-9


class Evaluates(Protocol):
    """What minimisation needs of the evaluator: observations for patches, in order."""

    def evaluate(self, patches: Sequence[Patch], baseline: Observation) -> list[Observation]: ...


@dataclass(frozen=True)
class Minimised:
    """The smallest patch found, what it observed and scored, and what was dropped."""

    patch: Patch
    observation: Observation
    score: Score
    dropped: tuple[Edit, ...]
    evaluations: int


def noise_band(samples: Sequence[float]) -> float:
    """Relative spread of benchmark samples, ``(max - min) / median``, within [MIN_BAND, MAX_BAND]."""
    middle = median(samples) if len(samples) >= 2 else 0.0
    if middle <= 0:
        return MAX_BAND  # one sample, or nothing measurable: no evidence of precision
    return min(MAX_BAND, max(MIN_BAND, (max(samples) - min(samples)) / middle))


def minimise(patch: Patch, observation: Observation, score: Score, evaluator: Evaluates, scorer: Scorer,
             baseline: Observation) -> Minimised:
    """Drop, one at a time, each edit of ``patch`` whose removal keeps it as good (see the module doc)."""
    slack = fitness_slack(observation, score, scorer)
    edits, found = list(patch.edits), (observation, score)
    dropped: list[Edit] = []
    evaluations, i = 0, 0
    while i < len(edits):
        candidate = Patch(tuple(edits[:i] + edits[i + 1:]))
        seen = evaluator.evaluate([candidate], baseline)[0]
        evaluations += 1
        rated = scorer.score(seen)
        if keeps_fitness(rated, score, scorer, slack):
            dropped.append(edits.pop(i))
            found = (seen, rated)
        else:
            i += 1
    return Minimised(Patch(tuple(edits)), found[0], found[1], tuple(dropped), evaluations)


def _scale(scorer: Scorer) -> float:
    """How much the weighted components count in the fitness value (repair mode: only as tie-breaks)."""
    return TIE_BREAK if scorer.mode == "repair" else 1.0


def _timed_part(score: Score, scorer: Scorer) -> float:
    return _scale(scorer) * scorer.weights["performance"] * score.components.get("performance", 1.0)


def fitness_slack(observation: Observation, score: Score, scorer: Scorer) -> float:
    """How much fitness the benchmark's noise alone can cost (0 when performance does not count)."""
    if not observation.baseline_cpu_times:
        return 0.0
    return _timed_part(score, scorer) * noise_band(observation.baseline_cpu_times)


def keeps_fitness(candidate: Score, found: Score, scorer: Scorer, slack: float) -> bool:
    """Whether ``candidate`` is as good as ``found`` up to timing noise (see the module doc)."""
    if candidate.tier < found.tier:
        return False
    exact_loss = (found.value - _timed_part(found, scorer)) - (candidate.value - _timed_part(candidate, scorer))
    if exact_loss > _EXACT:
        return candidate.value > found.value + slack
    return candidate.value >= found.value - slack - _EXACT
