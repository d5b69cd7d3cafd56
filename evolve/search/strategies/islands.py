"""``islands``: the island model, so no monoculture takes over.

``search.islands.count`` islands share out ``search.population`` (sizes
differ by at most one). Each island breeds on its own as the generational GA
does (``ga.survivors_offspring``), with its own operator weights (one adaptive
pursuit per island: the pool draws by the island's weights while the island
breeds, and its offspring's gains are credited to it) and its own homeostasis
controls. Every ``search.islands.migration_interval`` generations a ring
migration (DEAP's ``tools.migRing``) sends each island's
``search.islands.migrants`` best distinct patches to the next island, where
they replace the worst. A migrant is a copy that carries its observation and
score, so it is never evaluated again. All islands are evaluated together, in
one batch per generation, through the same evaluator and backend.

Each generation's record has ``islands`` (per island: size, best, mean, best
patch key, operator weights, controls, homeostasis) and, when migrants moved,
``migration`` (from, to and the patch keys that went). The record's
``operator_weights`` (and the weights remembered for the next run) are the
islands' mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from deap import tools

from evolve.search.credit import AdaptivePursuit
from evolve.search.homeostasis import Controls
from evolve.search.individuals import best_distinct, clone
from evolve.search.strategies._base import Strategy
from evolve.search.strategies.ga import survivors_offspring
from populations.patch import Patch


@dataclass
class Island:
    """What one island keeps apart from its individuals: operator weights and homeostasis controls."""

    credit: AdaptivePursuit
    controls: Controls
    correction: dict[str, Any] | None = None


class Islands(Strategy):
    name = "islands"
    description = "island model: a GA per island, own operator weights, ring migration of the best"

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        s = engine.settings
        if s.islands < 2 or s.population < 2 * s.islands:
            raise ValueError(f"islands needs at least 2 islands of at least 2 individuals; got {s.islands} "
                             f"island(s) for a population of {s.population}")
        self.islands = [Island(AdaptivePursuit.seeded(sorted(engine.pool.sites), engine.start_weights),
                               Controls(s.mutation, s.tournament)) for _ in range(s.islands)]
        self.migration: list[dict[str, Any]] | None = None

    def sizes(self) -> list[int]:
        """Individuals per island: the population shared out, the first islands one more when it does not divide."""
        count, population = len(self.islands), self.engine.settings.population
        return [population // count + (i < population % count) for i in range(count)]

    def first(self, seeds: Sequence[Patch] | None) -> list[Any]:
        population = super().first(seeds)
        at = 0
        for number, size in enumerate(self.sizes()):
            for ind in population[at:at + size]:
                ind.island = number
            at += size
        for ind in population[at:]:  # more given seeds than the population: the last island takes them
            ind.island = len(self.islands) - 1
        return population

    def split(self, population: Sequence[Any]) -> list[list[Any]]:
        """The population by island, each in population order."""
        return [[ind for ind in population if ind.island == number] for number in range(len(self.islands))]

    def next(self, population: list[Any], gen: int) -> list[Any]:
        demes = self.split(population)
        if gen % self.engine.settings.migration_interval == 0:
            self.migration = self._migrate(demes)
        seen: set[Patch] = set()  # no patch enters a generation twice, on any island
        elites = max(1, self.engine.settings.elites // len(self.islands))
        offspring: list[Any] = []
        for number, (island, deme, size) in enumerate(zip(self.islands, demes, self.sizes())):
            if not deme:
                continue
            self.engine.pool.weights = dict(island.credit.probabilities)  # this island's operator weights
            bred = survivors_offspring(self.engine, deme, size, min(elites, size - 1), island.controls,
                                       credit=island.credit, seen=seen)
            for ind in bred:
                ind.island = number
            offspring += bred
        return offspring

    def _migrate(self, demes: list[list[Any]]) -> list[dict[str, Any]]:
        """Ring migration in place: each island's best distinct patches replace the next island's worst."""
        k = min(self.engine.settings.migrants, *(len({ind.patch for ind in deme}) for deme in demes))
        if k < 1:
            return []
        sent: list[list[str]] = []

        def emigrants(deme: list[Any], count: int) -> list[Any]:
            chosen = [clone(ind) for ind in best_distinct(deme, count)]
            sent.append([ind.patch.key for ind in chosen])
            return chosen

        tools.migRing(demes, k, emigrants, replacement=tools.selWorst)
        for number, deme in enumerate(demes):
            for ind in deme:
                ind.island = number
        count = len(demes)
        return [{"from": source, "to": (source + 1) % count, "keys": keys} for source, keys in enumerate(sent)]

    def evaluated(self, population: list[Any], gen: int) -> None:
        if gen == 0:
            return
        for island, deme in zip(self.islands, self.split(population)):
            island.correction = self.adapt(deme, island.credit, island.controls) if deme else None

    def statistics(self, population: list[Any]) -> dict[str, Any]:
        stats: list[dict[str, Any]] = []
        for island, deme in zip(self.islands, self.split(population)):
            entry: dict[str, Any] = {"size": len(deme)}
            if deme:
                best = tools.selBest(deme, 1)[0]
                entry |= {"best": float(best.score.value), "best_tier": best.score.tier, "best_key": best.patch.key,
                          "mean": float(numpy.mean([ind.score.value for ind in deme]))}
            entry["weights"] = {k: round(v, 4) for k, v in sorted(island.credit.probabilities.items())}
            entry["controls"] = {"mutation": round(island.controls.mutation, 3),
                                 "tournament": island.controls.tournament}
            if island.correction is not None:
                entry["homeostasis"], island.correction = island.correction, None
            stats.append(entry)
        extra: dict[str, Any] = {"islands": stats}
        if self.migration is not None:
            extra["migration"], self.migration = self.migration, None
        return extra

    def operator_weights(self) -> dict[str, float]:
        names = self.islands[0].credit.operators
        return {name: float(numpy.mean([i.credit.probabilities[name] for i in self.islands])) for name in names}

    def state(self) -> Any:
        return {"islands": self.islands}

    def restore(self, state: Any) -> None:
        self.islands = list(state["islands"])
