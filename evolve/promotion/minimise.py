"""Minimise a survivor's patch: drop every edit that does not contribute.

Why: a search accumulates hitchhikers, edits that rode along with the one that
helped (a constant nudged where no test looks, a statement swapped with no
effect). A commit a person reviews should hold only edits that matter.

How: delta debugging in its greedy, one-at-a-time form (Zeller & Hildebrandt
2002). Each edit in turn is removed; the smaller patch is evaluated again the
slow, plain way (``Evaluator.remeasure``: a full pytest run in a fresh fork,
more benchmark rounds), never from the search's fast path or cache, and the
removal is kept when the smaller patch is still as good:

- it reaches the same tier (passes every test; in repair mode, every test),
- the components measured exactly (tests, maintainability, size,
  principles; in repair mode the GenProg test sum) do not drop, and
- its speed is not *statistically* worse than the survivor's: the per-round
  CPU ratios against the baseline are compared with the same test that
  judges every speed-up (``fitness.speed.judge_speed``). A no-op hoist or a
  cache that does not matter therefore goes; a cache that matters stays.

When the exact components do drop (the removed edit made the code smaller),
the removal is kept only if the smaller patch is statistically faster and
scores higher. Every candidate is compared with the survivor as found, never
with the last accepted candidate, so small losses cannot add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from fitness.aggregate import Score, Scorer
from fitness.observation import Observation
from fitness.speed import Speed, judge_speed
from populations.patch import Edit, Patch

__all__ = ["Minimised", "keeps_fitness", "minimise"]

_EXACT = 1e-9


class Evaluates(Protocol):
    """What minimisation needs of the evaluator: a fresh, slow-path observation of a patch."""

    def remeasure(self, patch: Patch, baseline: Observation) -> Observation: ...


@dataclass(frozen=True)
class Minimised:
    """The smallest patch found, what it observed and scored, and what was dropped."""

    patch: Patch
    observation: Observation
    score: Score
    dropped: tuple[Edit, ...]
    evaluations: int


def minimise(patch: Patch, observation: Observation, score: Score, evaluator: Evaluates, scorer: Scorer,
             baseline: Observation) -> Minimised:
    """Drop, one at a time, each edit of ``patch`` whose removal keeps it as good (see the module doc).

    ``observation``/``score`` are the survivor's; returns the smallest patch
    with its own fresh observation and score (the survivor's own when nothing
    was dropped) and how many evaluations it took (one per edit tried).
    """
    edits, found = list(patch.edits), (observation, score)
    dropped: list[Edit] = []
    evaluations, i = 0, 0
    while i < len(edits):
        candidate = Patch(tuple(edits[:i] + edits[i + 1:]))
        seen = evaluator.remeasure(candidate, baseline)
        evaluations += 1
        rated = scorer.score(seen)
        if keeps_fitness(seen, rated, observation, score, scorer):
            dropped.append(edits.pop(i))
            found = (seen, rated)
        else:
            i += 1
    return Minimised(Patch(tuple(edits)), found[0], found[1], tuple(dropped), evaluations)


def _untimed(score: Score, scorer: Scorer) -> float:
    """The part of the fitness measured exactly (all of it in repair mode)."""
    if scorer.mode == "repair":
        return score.value
    return score.value - scorer.weights["performance"] * score.components.get("performance", 1.0)


def _ratios(observation: Observation) -> list[float]:
    """Per interleaved round, variant CPU over baseline CPU."""
    return [v / b for v, b in zip(observation.cpu_times, observation.baseline_cpu_times) if b > 0]


def _speed_against(candidate: Observation, found: Observation, scorer: Scorer) -> Speed:
    """Is the candidate faster or slower than the survivor, by the same test that judges every speed-up?"""
    if scorer.mode == "repair" or scorer.weights["performance"] == 0:
        return Speed.UNRESOLVED
    before, after = _ratios(found), _ratios(candidate)
    if not before or not after:
        return Speed.UNRESOLVED
    return judge_speed(before, after).speed


def keeps_fitness(candidate: Observation, rated: Score, found: Observation, score: Score, scorer: Scorer) -> bool:
    """Whether the candidate (``candidate``, ``rated``) is as good as the survivor (``found``, ``score``)."""
    if rated.tier < score.tier:
        return False
    speed = _speed_against(candidate, found, scorer)
    if _untimed(rated, scorer) < _untimed(score, scorer) - _EXACT:
        return speed is Speed.FASTER and rated.value > score.value
    return speed is not Speed.SLOWER
