"""The generational loop: DEAP's toolbox, logbook and hall of fame, our own loop.

DEAP supplies the vocabulary (a toolbox with ``select``, ``mate``, ``mutate``
and ``map``; a ``Logbook``; a ``HallOfFame``) while the loop itself is ours so
that checkpoints, statistics and adaptation hook in between generations.
DEAP's ``creator`` classes stay inside this module; everything outside sees
plain patches, observations and scores. All randomness flows from one seeded
``random.Random``; DEAP's own random-using operators are not used.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy
from deap import base, creator, tools

from evolve.evaluation.evaluator import Evaluator
from fitness.aggregate import Score, Scorer
from fitness.observation import Observation, Status
from mutations.pool import SitePool
from populations.patch import Patch
from populations.variation import crossover, mutate

if not hasattr(creator, "EvolveFitness"):
    creator.create("EvolveFitness", base.Fitness, weights=(1.0, 1.0))


class _Individual:
    """A patch with its observation and score; DEAP attaches ``fitness``."""

    def __init__(self, patch: Patch) -> None:
        self.patch = patch
        self.observation: Observation | None = None
        self.score: Score | None = None


if not hasattr(creator, "EvolveIndividual"):
    creator.create("EvolveIndividual", _Individual, fitness=creator.EvolveFitness)


@dataclass(frozen=True)
class SearchSettings:
    population: int
    generations: int
    survivors: float
    elites: int
    crossover: float
    mutation: float
    max_edits: int
    tournament: int


@dataclass
class OperatorStats:
    """Per operator: patches tried, compiled (passed the static gates), passed all tests, improved."""

    tried: int = 0
    compiled: int = 0
    passed: int = 0
    improved: int = 0


@dataclass(frozen=True)
class Origin:
    """Where an offspring came from: its parents' patch keys and the variation that made it.

    Recorded for lineage (the report traces the best individual back to
    generation 0); it consumes no randomness, so runs stay reproducible.
    """

    parents: tuple[str, ...] = ()
    variation: str = "seed"


@dataclass
class EngineState:
    """A checkpoint of the loop after generation ``gen`` (pickled with DEAP's individuals)."""

    gen: int
    population: list[Any]
    hall: Any
    logbook: Any
    rng_state: Any
    operator_stats: dict[str, OperatorStats]


@dataclass
class SearchResult:
    best_patch: Patch
    best_observation: Observation
    best_score: Score
    logbook: tools.Logbook
    generations: int
    operator_stats: dict[str, OperatorStats] = field(default_factory=dict)
    seconds: float = 0.0
    engine_seconds: float = 0.0


GenerationHook = Callable[[int, dict[str, Any], list[Any]], None]


class Engine:
    """Breeds patches: variation, evaluation in parallel, scoring, selection, records."""

    def __init__(
        self,
        settings: SearchSettings,
        pool: SitePool,
        evaluator: Evaluator,
        scorer: Scorer,
        baseline: Observation,
        rng: random.Random,
        on_generation: GenerationHook | None = None,
        on_evaluated: Callable[[int, Patch, Observation, Score], None] | None = None,
    ) -> None:
        self.settings = settings
        self.pool = pool
        self.evaluator = evaluator
        self.scorer = scorer
        self.baseline = baseline
        self.rng = rng
        self.on_generation = on_generation
        self.on_evaluated = on_evaluated
        self.operator_stats: dict[str, OperatorStats] = {name: OperatorStats() for name in pool.sites}
        self.hall = tools.HallOfFame(5, similar=_same_patch)
        self.logbook = tools.Logbook()
        self.logbook.header = ["gen", "evals", "cached", "best", "mean", "std"]
        self.toolbox = self._toolbox()
        self._eval_seconds = 0.0
        self._origins: dict[Patch, Origin] = {}

    def _toolbox(self) -> base.Toolbox:
        toolbox = base.Toolbox()
        toolbox.register("select", self._tournament)
        toolbox.register("mate", lambda a, b: crossover(a, b, self.rng))
        toolbox.register("mutate", lambda p: mutate(p, self.pool, self.rng, self.settings.max_edits))
        toolbox.register("evaluate", self._evaluate)
        return toolbox

    # ------------------------------------------------------------ the loop

    def run(self, start_population: Sequence[Patch] | None = None, resume: EngineState | None = None) -> SearchResult:
        """Breed to the last generation, from seeds, given patches, or a checkpointed state."""
        started = time.perf_counter()
        if resume is not None:
            population, first_generation = self._restore(resume), resume.gen
        else:
            population, first_generation = [creator.EvolveIndividual(p) for p in (start_population or self._seed())], 0
            self.toolbox.evaluate(population, first_generation)
            self._record(first_generation, population)
        for gen in range(first_generation + 1, self.settings.generations + 1):
            population = self._next_generation(population)
            self.toolbox.evaluate([ind for ind in population if ind.score is None], gen)
            self._record(gen, population)
        best = self.hall[0]
        seconds = time.perf_counter() - started
        return SearchResult(
            best_patch=best.patch, best_observation=best.observation, best_score=best.score,
            logbook=self.logbook, generations=self.settings.generations, operator_stats=self.operator_stats,
            seconds=seconds, engine_seconds=max(0.0, seconds - self._eval_seconds),
        )

    def state(self, gen: int, population: list[Any]) -> EngineState:
        """Everything the loop needs to continue after ``gen`` exactly as if never stopped."""
        return EngineState(gen=gen, population=list(population), hall=self.hall, logbook=self.logbook,
                           rng_state=self.rng.getstate(), operator_stats=dict(self.operator_stats))

    def _restore(self, state: EngineState) -> list[Any]:
        self.hall, self.logbook = state.hall, state.logbook
        self.operator_stats = dict(state.operator_stats)
        self.rng.setstate(state.rng_state)
        return list(state.population)

    def _seed(self) -> list[Patch]:
        patches: list[Patch] = []
        for _ in range(self.settings.population):
            edit = self.pool.random_edit(self.rng)
            patches.append(Patch((edit,)) if edit is not None else Patch())
        return patches

    def _next_generation(self, population: list[Any]) -> list[Any]:
        s = self.settings
        survivors = tools.selBest(population, max(2, math.ceil(s.survivors * len(population))))
        elites = tools.selBest(population, s.elites)
        offspring: list[Any] = [self._clone(e) for e in elites]
        self._origins = {}
        while len(offspring) < s.population:
            p1, p2 = self.toolbox.select(survivors, 2)
            a, b = p1.patch, p2.patch
            crossed = self.rng.random() < s.crossover
            if crossed:
                a, b = self.toolbox.mate(a, b)
            for child, parent in ((a, p1), (b, p2)):
                mutated = self.rng.random() < s.mutation or not len(child)
                if mutated:
                    child = self.toolbox.mutate(child)
                if len(offspring) < s.population:
                    offspring.append(creator.EvolveIndividual(child))
                    self._origins[child] = _origin((p1, p2) if crossed else (parent,), crossed, mutated)
        return offspring

    def origin(self, patch: Patch) -> Origin:
        """Parents and variation of this patch in the generation being evaluated (seeds: none, ``seed``)."""
        return self._origins.get(patch, Origin())

    def _clone(self, individual: Any) -> Any:
        twin = creator.EvolveIndividual(individual.patch)
        twin.observation, twin.score = individual.observation, individual.score
        twin.fitness.values = individual.fitness.values
        return twin

    def _tournament(self, candidates: Sequence[Any], k: int) -> list[Any]:
        size = min(self.settings.tournament, len(candidates))
        return [max(self.rng.sample(list(candidates), size), key=lambda ind: ind.fitness.wvalues) for _ in range(k)]

    def _evaluate(self, individuals: list[Any], gen: int) -> None:
        if not individuals:
            return
        started = time.perf_counter()
        observations = self.evaluator.evaluate([ind.patch for ind in individuals], self.baseline)
        self._eval_seconds += time.perf_counter() - started
        for ind, obs in zip(individuals, observations):
            ind.observation = obs
            ind.score = self.scorer.score(obs)
            ind.fitness.values = ind.score.key
            if not obs.cached:
                self._count(ind)
            if self.on_evaluated is not None:
                self.on_evaluated(gen, ind.patch, obs, ind.score)

    def _count(self, ind: Any) -> None:
        improved = ind.score.key > self.scorer.baseline_score.key
        for name in {e.operator for e in ind.patch}:
            stats = self.operator_stats.setdefault(name, OperatorStats())
            stats.tried += 1
            stats.compiled += ind.observation.gate not in ("apply", "compile")
            stats.passed += ind.observation.status == Status.PASSED
            stats.improved += improved

    def _record(self, gen: int, population: list[Any]) -> None:
        self.hall.update(population)
        values = numpy.array([ind.score.value for ind in population])
        best = tools.selBest(population, 1)[0]
        cached = sum(1 for ind in population if ind.observation.cached)
        record: dict[str, Any] = {
            "gen": gen, "evals": len(population), "cached": cached,
            "best": float(best.score.value), "best_tier": best.score.tier,
            "mean": float(values.mean()), "std": float(values.std()),
            "passed": sum(1 for ind in population if ind.observation.status == Status.PASSED),
            "components": _component_stats(population),
            "statuses": dict(Counter(ind.observation.status.name.lower() for ind in population)),
        }
        self.logbook.record(**record)
        if self.on_generation is not None:
            self.on_generation(gen, record, population)


def _origin(parents: tuple[Any, ...], crossed: bool, mutated: bool) -> Origin:
    steps = [name for name, done in (("crossover", crossed), ("mutation", mutated)) if done]
    return Origin(tuple(dict.fromkeys(p.patch.key for p in parents)), "+".join(steps) or "copy")


def _same_patch(a: Any, b: Any) -> bool:
    """Hall-of-fame identity (a module function, so the hall pickles into checkpoints)."""
    return bool(a.patch == b.patch)


def _component_stats(population: list[Any]) -> dict[str, dict[str, float]]:
    names = population[0].score.components.keys()
    best = tools.selBest(population, 1)[0]
    out: dict[str, dict[str, float]] = {}
    for name in names:
        column = numpy.array([ind.score.components[name] for ind in population])
        out[name] = {"best": float(best.score.components[name]), "mean": float(column.mean()),
                     "std": float(column.std())}
    return out
