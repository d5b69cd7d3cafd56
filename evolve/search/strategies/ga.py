"""``ga``: the generational genetic algorithm (the default).

Survivors are the top ``search.survivors`` share; ``search.elites`` best are
copied unchanged; the rest are bred by tournament selection among the
survivors, uniform crossover with probability ``search.crossover`` and one
mutation (grow, shrink or perturb) with the probability homeostasis keeps
(``search.mutation`` at its set point). No patch enters a generation twice.
``breed`` is shared with the island model and NSGA-II.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from deap import tools

from evolve.search.credit import AdaptivePursuit
from evolve.search.homeostasis import Controls
from evolve.search.individuals import clone, individual, origin_of
from evolve.search.strategies._base import DUPLICATE_RETRIES, Strategy
from populations.patch import Patch

Select = Callable[[int], list[Any]]


class Generational(Strategy):
    name = "ga"
    description = "generational GA: elitism, tournament among survivors, crossover, mutation"

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self._correction: dict[str, Any] | None = None

    def next(self, population: list[Any], gen: int) -> list[Any]:
        s = self.engine.settings
        return survivors_offspring(self.engine, population, s.population, s.elites, self.engine.controls)

    def evaluated(self, population: list[Any], gen: int) -> None:
        if gen > 0:  # the seeds have no parents to credit, and homeostasis acts on bred generations
            self._correction = self.adapt(population, self.engine.credit, self.engine.controls)

    def statistics(self, population: list[Any]) -> dict[str, Any]:
        correction, self._correction = self._correction, None
        return {"homeostasis": correction} if correction is not None else {}


def survivors_offspring(engine: Any, population: Sequence[Any], size: int, elites: int, controls: Controls,
                        credit: AdaptivePursuit | None = None, seen: set[Patch] | None = None) -> list[Any]:
    """``size`` individuals: clones of the ``elites`` best, then offspring of tournaments among the survivors."""
    survivors = tools.selBest(list(population), max(2, math.ceil(engine.settings.survivors * len(population))))
    offspring = [clone(e) for e in tools.selBest(list(population), elites)]
    return breed(engine, lambda k: tournament(engine, survivors, controls.tournament, k), size, controls,
                 offspring, seen, credit)


def tournament(engine: Any, candidates: Sequence[Any], size: int, k: int) -> list[Any]:
    """``k`` winners of tournaments of ``size`` (at most all candidates), by ``fitness``, drawn with the engine's rng."""
    size = min(size, len(candidates))
    return [max(engine.rng.sample(list(candidates), size), key=lambda ind: ind.fitness.wvalues) for _ in range(k)]


def breed(engine: Any, select: Select, size: int, controls: Controls, offspring: list[Any] | None = None,
          seen: set[Patch] | None = None, credit: AdaptivePursuit | None = None) -> list[Any]:
    """Fill ``offspring`` up to ``size``: two parents from ``select``, the toolbox's ``mate`` and ``mutate``.

    A patch already in ``seen`` (updated in place) is drawn again, up to
    ``DUPLICATE_RETRIES`` per slot. Each child's origin is noted for lineage,
    and the operators of the edits mutation added are owed the child's gain
    over its parent (``credit``, default the engine's).
    """
    s = engine.settings
    offspring = [] if offspring is None else offspring
    seen = set() if seen is None else seen
    seen.update(ind.patch for ind in offspring)
    attempts = 0
    while len(offspring) < size:
        attempts += 1
        p1, p2 = select(2)
        a, b = p1.patch, p2.patch
        crossed = engine.rng.random() < s.crossover
        if crossed:
            a, b = engine.toolbox.mate(a, b)
        for child, parent in ((a, p1), (b, p2)):
            mutated = engine.rng.random() < controls.mutation or not len(child)
            if mutated:
                child = engine.toolbox.mutate(child)
            duplicate = child in seen and attempts <= DUPLICATE_RETRIES * size
            if len(offspring) < size and not duplicate:  # no patch is evaluated twice a generation
                seen.add(child)
                offspring.append(individual(child))
                steps = [name for name, done in (("crossover", crossed), ("mutation", mutated)) if done]
                engine.note_origin(child, origin_of((p1, p2) if crossed else (parent,), "+".join(steps) or "copy"))
                new_ops = tuple(e.operator for e in child.edits if e not in parent.patch.edits)
                if mutated and new_ops:
                    engine.expect_credit(child, new_ops, parent, credit)
    return offspring
