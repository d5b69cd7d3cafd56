"""``local``: first-improvement hill climbing from the empty patch, as Magpie's local search.

The search stands on one patch, the *current* one (at first the empty patch:
the baseline, scored without an evaluation). A neighbour adds one edit drawn
from the pool (while the patch has fewer than ``search.max_edits``) or removes
one of its edits, each with probability 1/2 where both are possible. Every
generation evaluates ``search.population`` distinct neighbours in one batch
(the parallel form of first improvement) and moves to the first of them, in
the order they were drawn, that *really* improves on the current patch:

- a higher tier (more tests pass, in repair mode a repair), or
- a higher fitness whose gain does not rest on speed alone (the exactly
  measured components rose), or
- a higher fitness that rests on speed, and ``fitness.speed.judge_speed``
  decides that the neighbour is faster than the current patch (its CPU-time
  ratios to the interleaved baseline against the current patch's), or
- the same score with fewer edits (an edit that contributes nothing goes).

A neighbour measured as fast as the current patch plus noise does not count,
so neutral edits do not pile up. With ``search.tabu: N`` the last N visited
patches are not proposed again. The current patch is kept in every generation
(and re-measured like an elite). Each generation's record has ``local``:
the current patch, its fitness and edits, the move accepted, moves so far.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from typing import Any

from evolve.search.individuals import fitness_key, individual, origin_of
from evolve.search.strategies._base import DUPLICATE_RETRIES, Strategy
from fitness.speed import Speed, judge_speed
from populations.patch import Patch
from populations.variation import grow

PERFORMANCE = "performance"


class LocalSearch(Strategy):
    name = "local"
    description = "first-improvement hill climbing from the empty patch (add or remove one edit), optional tabu list"

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self.current: Any = None
        self.tabu: deque[Patch] = deque(maxlen=max(1, engine.settings.tabu))
        self.moves = 0
        self.accepted: str | None = None

    def first(self, seeds: Sequence[Patch] | None) -> list[Any]:
        self.current = self.engine.baseline_individual()
        neighbours = super().first(seeds) if seeds else self._neighbours()
        return [self.current, *neighbours]

    def next(self, population: list[Any], gen: int) -> list[Any]:
        return [self.current, *self._neighbours()]

    def _neighbours(self) -> list[Any]:
        engine, current = self.engine, self.current.patch
        size = engine.settings.population
        avoid = {current, Patch(), *(self.tabu if engine.settings.tabu else ())}
        found: list[Any] = []
        for _ in range(DUPLICATE_RETRIES * size):
            if len(found) == size:
                break
            can_add = len(current) < engine.settings.max_edits
            if can_add and (len(current) == 0 or engine.rng.random() < 0.5):
                neighbour, variation = grow(current, engine.pool, engine.rng), "add"
            else:
                drop = engine.rng.randrange(len(current))
                neighbour, variation = Patch(current.edits[:drop] + current.edits[drop + 1:]), "remove"
            if neighbour in avoid:
                continue
            avoid.add(neighbour)
            found.append(individual(neighbour))
            engine.note_origin(neighbour, origin_of((self.current,), variation))
            if variation == "add":
                engine.expect_credit(neighbour, (neighbour.edits[-1].operator,), self.current)
        return found

    def evaluated(self, population: list[Any], gen: int) -> None:
        neighbours = [ind for ind in population if ind is not self.current]
        if self.engine.settings.tabu:
            self.tabu.extend(ind.patch for ind in neighbours)
        move = next((ind for ind in neighbours if self.improves(ind, self.current)), None)
        self.accepted = None if move is None else move.patch.key
        if move is not None:
            self.current, self.moves = move, self.moves + 1
        if gen > 0:
            self.engine.credit.adapt()
            self.engine.pool.weights = dict(self.engine.credit.probabilities)

    def improves(self, neighbour: Any, current: Any) -> bool:
        """Whether moving from ``current`` to ``neighbour`` is a real improvement (see the module docstring)."""
        new, old = neighbour.score, current.score
        if fitness_key(new, neighbour.patch) <= fitness_key(old, current.patch):
            return False
        weight = self.engine.scorer.weights[PERFORMANCE]
        if new.tier > old.tier or new.value == old.value or self.engine.scorer.mode == "repair" or weight == 0:
            return True  # a higher tier, the same score with fewer edits, or no speed in the fitness
        if self._exact(new) > self._exact(old):
            return True
        verdict = judge_speed(_ratios(current.observation), _ratios(neighbour.observation))
        return verdict.speed is Speed.FASTER

    def _exact(self, score: Any) -> float:
        """The weighted sum of every component but performance (figures measured exactly)."""
        weights = self.engine.scorer.weights
        return math.fsum(weights[name] * value for name, value in score.components.items() if name != PERFORMANCE)

    def statistics(self, population: list[Any]) -> dict[str, Any]:
        current = self.current
        return {"local": {"current": current.patch.key, "fitness": float(current.score.value),
                          "tier": current.score.tier, "edits": len(current.patch), "accepted": self.accepted,
                          "moves": self.moves, "tabu": len(self.tabu) if self.engine.settings.tabu else 0}}

    def state(self) -> Any:
        return {"current": self.current, "tabu": list(self.tabu), "moves": self.moves}

    def restore(self, state: Any) -> None:
        self.current, self.moves = state["current"], state["moves"]
        self.tabu.clear()
        self.tabu.extend(state["tabu"])


def _ratios(observation: Any) -> list[float]:
    """Per interleaved round, the CPU time over the baseline's measured next to it."""
    return [v / b for v, b in zip(observation.cpu_times, observation.baseline_cpu_times) if b > 0]
