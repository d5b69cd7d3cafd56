"""``nsga2``: NSGA-II (Deb et al. 2002) on the objective vector, with a Pareto front kept across generations.

The objectives are the fitness components ``performance``, ``maintainability``
and ``tokens`` that have a positive weight (all maximised; with none of them
weighted, the weighted fitness alone). Correctness is a constraint, not an
objective: a variant that fails any test (in repair mode: that is not a
repair) gets a vector below every passing variant's, so every passing variant
dominates it; among failing variants the higher ``(tier, value)`` dominates.

Each generation is the ``search.population`` parents chosen by DEAP's
``tools.selNSGA2`` (non-dominated rank, then crowding distance) from the
generation before (parents and offspring), plus as many offspring, bred by
binary tournaments on (rank, crowding distance) with the engine's generator,
uniform crossover and mutation (``ga.breed``). The passing variants ever seen
that beat the baseline in at least one objective and that no other dominates
form the front (DEAP's ``tools.ParetoFront``, one member per patch), rebuilt
each generation from the latest figures of its members (re-measured timings
included); a neutral variant, whose vector equals the baseline's, is left out. The run's best (what is minimised,
verified and promoted) is the front member with the highest weighted fitness,
so the configured weights still decide what reaches the mainline; without a
passing variant it is the hall of fame's best.

Each generation's record has ``pareto_front`` (objective names, size, and each
member's patch key and objective vector); ``summary.json`` has the final front.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from deap import base, creator, tools
from deap.tools.emo import assignCrowdingDist

from evolve.search.individuals import fitness_key, same_patch
from evolve.search.strategies._base import Strategy
from evolve.search.strategies.ga import breed
from fitness.aggregate import Score
from fitness.observation import Observation, Status
from populations.patch import Patch

OBJECTIVES = ("performance", "maintainability", "tokens")
INFEASIBLE = -1e9
"""Where a failing variant's objective vector starts: below any passing variant's."""

for _n in range(1, len(OBJECTIVES) + 1):
    if not hasattr(creator, f"EvolveObjectives{_n}"):
        creator.create(f"EvolveObjectives{_n}", base.Fitness, weights=(1.0,) * _n)


class Member:
    """A variant as NSGA-II sees it: patch, observation and score, the objective vector as DEAP ``fitness``."""

    def __init__(self, patch: Patch, observation: Observation, score: Score, fitness: Any, index: int = -1) -> None:
        self.patch, self.observation, self.score = patch, observation, score
        self.fitness = fitness
        self.index = index
        """Position in the population it was made from (-1 in the front)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Member:
        """The front keeps copies: the patch, observation and score are immutable, only the fitness is copied."""
        return Member(self.patch, self.observation, self.score, copy.deepcopy(self.fitness, memo))


class NSGA2(Strategy):
    name = "nsga2"
    description = "NSGA-II on (performance, maintainability, tokens), correctness a constraint, Pareto front kept"

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        weights = engine.scorer.weights
        self.objectives = tuple(name for name in OBJECTIVES if weights[name] > 0)
        self._fitness = getattr(creator, f"EvolveObjectives{max(1, len(self.objectives))}")
        self.front = tools.ParetoFront(similar=same_patch)
        self._correction: dict[str, Any] | None = None

    # ------------------------------------------------------------ the objective vector

    def vector(self, score: Score) -> tuple[float, ...]:
        """The objectives of a score; a failing variant's are all ``INFEASIBLE`` plus its tier and value."""
        width = max(1, len(self.objectives))
        if not feasible(score):
            return (INFEASIBLE + 1e4 * score.tier + score.value,) * width
        if not self.objectives:
            return (score.value,)
        return tuple(float(score.components[name]) for name in self.objectives)

    def member(self, patch: Patch, observation: Observation, score: Score, index: int = -1) -> Member:
        fitness = self._fitness()
        fitness.values = self.vector(score)
        return Member(patch, observation, score, fitness, index)

    def beats_baseline(self, member: Member) -> bool:
        """Better than the baseline in at least one objective: what the baseline weakly dominates (every
        neutral variant, whose vector equals the baseline's) is no trade-off worth listing."""
        return any(v > b for v, b in zip(member.fitness.values, self.vector(self.engine.scorer.baseline_score)))

    # ------------------------------------------------------------ hooks

    def next(self, population: list[Any], gen: int) -> list[Any]:
        members = [self.member(ind.patch, ind.observation, ind.score, i) for i, ind in enumerate(population)]
        chosen = tools.selNSGA2(members, min(self.engine.settings.population, len(members)))
        parents = [population[m.index] for m in chosen]
        rank, crowding = _rank_and_crowding(chosen)
        rng = self.engine.rng

        def crowded_tournament(k: int) -> list[Any]:
            picks = []
            for _ in range(k):
                i, j = rng.sample(range(len(parents)), 2) if len(parents) > 1 else (0, 0)
                picks.append(parents[max((i, j), key=lambda p: (-rank[p], crowding[p]))])
            return picks

        offspring = breed(self.engine, crowded_tournament, self.engine.settings.population, self.engine.controls,
                          seen={p.patch for p in parents})
        return parents + offspring

    def remeasured(self, kept: list[Any]) -> list[Any]:
        """Kept parents on the front get more benchmark rounds, when performance is an objective."""
        if "performance" not in self.objectives:
            return []
        on_front = {m.patch for m in self.front}
        return [ind for ind in kept if ind.patch in on_front]

    def evaluated(self, population: list[Any], gen: int) -> None:
        refreshed = []
        for m in self.front:
            observation = self.engine.evaluator.latest(m.patch, m.observation)
            refreshed.append(self.member(m.patch, observation, self.engine.scorer.score(observation)))
        self.front = tools.ParetoFront(similar=same_patch)
        self.front.update([m for m in refreshed + [self.member(ind.patch, ind.observation, ind.score)
                                                   for ind in population if feasible(ind.score)]
                           if self.beats_baseline(m)])
        if gen > 0:
            self._correction = self.adapt(population, self.engine.credit, self.engine.controls)

    def statistics(self, population: list[Any]) -> dict[str, Any]:
        front = {"objectives": list(self.objectives) or ["fitness"], "size": len(self.front),
                 "members": [{"key": m.patch.key, "objectives": [round(v, 6) for v in m.fitness.values]}
                             for m in self.front]}
        extra: dict[str, Any] = {"pareto_front": front}
        correction, self._correction = self._correction, None
        if correction is not None:
            extra["homeostasis"] = correction
        return extra

    def best(self) -> Any | None:
        """The front member with the highest weighted fitness (fewer edits on a tie); else the hall's best."""
        if self.front:
            return max(self.front, key=lambda m: fitness_key(m.score, m.patch))
        return super().best()

    def summary(self) -> dict[str, Any]:
        best = self.best()
        members = sorted(self.front, key=lambda m: fitness_key(m.score, m.patch), reverse=True)
        return {"pareto_front": {
            "objectives": list(self.objectives) or ["fitness"],
            "best": best.patch.key if best is not None and self.front else None,
            "members": [{"key": m.patch.key, "patch": m.patch.to_json(), "edits": len(m.patch),
                         "fitness": m.score.value, "tier": m.score.tier,
                         "objectives": dict(zip(self.objectives or ("fitness",), m.fitness.values)),
                         "components": dict(m.score.components)} for m in members]}}

    def state(self) -> Any:
        return {"front": self.front}

    def restore(self, state: Any) -> None:
        self.front = state["front"]


def feasible(score: Score) -> bool:
    """Passes every test (improve mode), or is a repair (repair mode): the constraint on the front."""
    return score.tier >= int(Status.PASSED)


def _rank_and_crowding(chosen: Sequence[Member]) -> tuple[list[int], list[float]]:
    """Per chosen member, in order: its non-dominated rank among the chosen and its crowding distance."""
    position = {id(m): i for i, m in enumerate(chosen)}
    rank, crowding = [0] * len(chosen), [0.0] * len(chosen)
    for r, front in enumerate(tools.sortNondominated(list(chosen), len(chosen))):
        assignCrowdingDist(front)
        for m in front:
            rank[position[id(m)]], crowding[position[id(m)]] = r, m.fitness.crowding_dist
    return rank, crowding
