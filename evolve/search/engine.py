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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy
from deap import base, creator, tools

from evolve.evaluation.evaluator import Evaluator
from evolve.search.credit import AdaptivePursuit
from evolve.search.homeostasis import Controls, DiversityBand
from fitness.aggregate import REPAIRED, Score, Scorer
from fitness.observation import Observation, Status
from mutations.pool import SitePool
from populations.patch import Patch
from populations.variation import crossover, mutate

DUPLICATE_RETRIES = 4
"""Offspring drawn per slot, at most, before a duplicate patch is let into a generation."""

if not hasattr(creator, "EvolveFitness"):
    # (tier, value, -edits): ties between equal scores go to the patch with fewer edits.
    creator.create("EvolveFitness", base.Fitness, weights=(1.0, 1.0, 1.0))


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
    max_evaluations: int | None = None
    """Stop once this many variants went through the cascade (answers from the cache are free)."""
    max_seconds: float | None = None
    """Stop at the first generation boundary after this many seconds of search."""
    patience: int = 0
    """Stop after this many generations without a better best (0: never)."""
    stop_when_repaired: bool = False
    """Repair mode: stop at the end of the generation that found a variant passing every test."""


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
    credit: AdaptivePursuit | None = None
    controls: Controls | None = None
    best_gen: int = 0
    spent: int = 0


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
    stopped_by: str = "generations"
    """Why the loop ended: ``generations``, ``evaluations budget``, ``seconds budget``, ``repaired``, ``patience``."""
    operator_weights: dict[str, float] = field(default_factory=dict)
    """The operator probabilities credit assignment ended with."""


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
        remembered_weights: Mapping[str, float] | None = None,
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
        self._credit_due: dict[Patch, tuple[tuple[str, ...], tuple[int, float]]] = {}
        self.credit = AdaptivePursuit.seeded(sorted(pool.sites), remembered_weights or {})
        self.pool.weights = dict(self.credit.probabilities)
        self.controls = Controls(settings.mutation, settings.tournament)
        self.band = DiversityBand()
        self.best_gen = 0
        self._best_key: tuple[float, ...] | None = None
        self._spent_before = 0
        self._correction: dict[str, Any] | None = None

    def _toolbox(self) -> base.Toolbox:
        toolbox = base.Toolbox()
        toolbox.register("select", self._tournament)
        toolbox.register("mate", lambda a, b: crossover(a, b, self.rng))
        toolbox.register("mutate", lambda p: mutate(p, self.pool, self.rng, self.settings.max_edits))
        toolbox.register("evaluate", self._evaluate)
        return toolbox

    # ------------------------------------------------------------ the loop

    def run(self, start_population: Sequence[Patch] | None = None, resume: EngineState | None = None) -> SearchResult:
        """Breed until a stop rule holds (see ``stop_reason``), from seeds, given patches, or a checkpoint."""
        started = time.perf_counter()
        if resume is not None:
            population, gen = self._restore(resume), resume.gen
        else:
            seeds = [creator.EvolveIndividual(p) for p in (start_population or self._seed())]
            population, gen = self._affordable(seeds), 0
            self.toolbox.evaluate(population, gen)
            self._record(gen, population)
        while (reason := self.stop_reason(gen, time.perf_counter() - started)) is None:
            gen += 1
            population = self._next_generation(population)
            kept = [ind for ind in population if ind.score is not None]
            self._remeasure_elites(kept)
            fresh = self._affordable([ind for ind in population if ind.score is None])
            population = kept + fresh
            self.toolbox.evaluate(fresh, gen)
            self._adapt(population)
            self._record(gen, population)
        best = self.hall[0]
        seconds = time.perf_counter() - started
        return SearchResult(
            best_patch=best.patch, best_observation=best.observation, best_score=best.score,
            logbook=self.logbook, generations=gen, operator_stats=self.operator_stats,
            seconds=seconds, engine_seconds=max(0.0, seconds - self._eval_seconds), stopped_by=reason,
            operator_weights=dict(self.credit.probabilities),
        )

    def result_so_far(self, stopped_by: str) -> SearchResult | None:
        """The best individual found until now, as a result (None before anything was evaluated)."""
        if not self.hall:
            return None
        best = self.hall[0]
        return SearchResult(best_patch=best.patch, best_observation=best.observation, best_score=best.score,
                            logbook=self.logbook, generations=len(self.logbook) - 1,
                            operator_stats=self.operator_stats, stopped_by=stopped_by,
                            operator_weights=dict(self.credit.probabilities))

    @property
    def spent(self) -> int:
        """Variants that went through the cascade in this run (cache answers are free)."""
        return self._spent_before + self.evaluator.stats.evaluations - self.evaluator.stats.cache_hits

    def stop_reason(self, gen: int, seconds: float) -> str | None:
        """Why the search stops after generation ``gen`` (``seconds`` into it), or None to go on."""
        s = self.settings
        if s.stop_when_repaired and self.hall and self.hall[0].score.tier >= REPAIRED:
            return "repaired"
        if s.max_evaluations is not None and self.spent >= s.max_evaluations:
            return "evaluations budget"
        if s.max_seconds is not None and seconds >= s.max_seconds:
            return "seconds budget"
        if s.patience and gen - self.best_gen >= s.patience:
            return "patience"
        if gen >= s.generations:
            return "generations"
        return None

    def _affordable(self, fresh: list[Any]) -> list[Any]:
        """As many new individuals as the evaluations budget can still pay for (each costs at most one)."""
        if self.settings.max_evaluations is None:
            return fresh
        return fresh[:max(0, self.settings.max_evaluations - self.spent)]

    def state(self, gen: int, population: list[Any]) -> EngineState:
        """Everything the loop needs to continue after ``gen`` exactly as if never stopped."""
        return EngineState(gen=gen, population=list(population), hall=self.hall, logbook=self.logbook,
                           rng_state=self.rng.getstate(), operator_stats=dict(self.operator_stats),
                           credit=self.credit, controls=self.controls, best_gen=self.best_gen, spent=self.spent)

    def _restore(self, state: EngineState) -> list[Any]:
        self.hall, self.logbook = state.hall, state.logbook
        self.operator_stats = dict(state.operator_stats)
        self.rng.setstate(state.rng_state)
        if state.credit is not None:
            self.credit = state.credit
            self.pool.weights = dict(self.credit.probabilities)
        if state.controls is not None:
            self.controls = state.controls
        self.best_gen, self._spent_before = state.best_gen, state.spent
        self._best_key = tuple(self.hall[0].fitness.values) if self.hall else None
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
        self._origins, self._credit_due = {}, {}
        seen = {ind.patch for ind in offspring}
        attempts = 0
        while len(offspring) < s.population:
            attempts += 1
            p1, p2 = self.toolbox.select(survivors, 2)
            a, b = p1.patch, p2.patch
            crossed = self.rng.random() < s.crossover
            if crossed:
                a, b = self.toolbox.mate(a, b)
            for child, parent in ((a, p1), (b, p2)):
                mutated = self.rng.random() < self.controls.mutation or not len(child)
                if mutated:
                    child = self.toolbox.mutate(child)
                duplicate = child in seen and attempts <= DUPLICATE_RETRIES * s.population
                if len(offspring) < s.population and not duplicate:  # no patch is evaluated twice a generation
                    seen.add(child)
                    offspring.append(creator.EvolveIndividual(child))
                    self._origins[child] = _origin((p1, p2) if crossed else (parent,), crossed, mutated)
                    new_ops = tuple(e.operator for e in child.edits if e not in parent.patch.edits)
                    if mutated and new_ops:
                        self._credit_due[child] = (new_ops, (parent.score.tier, parent.score.value))
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
        size = min(self.controls.tournament, len(candidates))
        return [max(self.rng.sample(list(candidates), size), key=lambda ind: ind.fitness.wvalues) for _ in range(k)]

    def _evaluate(self, individuals: list[Any], gen: int) -> None:
        """Evaluate, score and record each individual as its observation arrives (see ``Evaluator.evaluate``)."""
        if not individuals:
            return

        scoring = 0.0

        def arrived(i: int, obs: Observation) -> None:
            nonlocal scoring
            began = time.perf_counter()
            ind = individuals[i]
            ind.observation = obs
            ind.score = self.scorer.score(obs)
            ind.fitness.values = fitness_key(ind.score, ind.patch)
            if not obs.cached:
                self._count(ind)
            self._credit(ind)
            if self.on_evaluated is not None:
                self.on_evaluated(gen, ind.patch, obs, ind.score)
            scoring += time.perf_counter() - began

        started = time.perf_counter()
        self.evaluator.evaluate([ind.patch for ind in individuals], self.baseline, on_result=arrived)
        self._eval_seconds += time.perf_counter() - started - scoring  # scoring is the engine's own work

    def _remeasure_elites(self, elites: list[Any]) -> None:
        """Elites that survive get more benchmark rounds; the hall of fame is rescored from the same figures.

        One lucky timing must not ride elitism to the end of the run: every
        surviving elite's samples grow each generation, so its speed verdict
        (``fitness.speed``) converges on the truth.
        """
        if not elites:
            return
        started = time.perf_counter()
        observations = self.evaluator.extend_timings([e.patch for e in elites], [e.observation for e in elites])
        self._eval_seconds += time.perf_counter() - started
        for ind, observation in zip(elites, observations):
            self._rescore(ind, observation)
        famous = list(self.hall)
        for ind in famous:
            self._rescore(ind, self.evaluator.latest(ind.patch, ind.observation))
        self.hall.clear()
        self.hall.update(famous)

    def _rescore(self, ind: Any, observation: Observation) -> None:
        ind.observation = observation
        ind.score = self.scorer.score(observation)
        ind.fitness.values = fitness_key(ind.score, ind.patch)

    def _credit(self, ind: Any) -> None:
        """The offspring's gain over its parent, credited to the operators of the edits mutation added."""
        due = self._credit_due.pop(ind.patch, None)
        if due is None:
            return
        operators, (tier, value) = due
        gain = ind.score.value - value if ind.score.tier >= tier else 0.0
        for name in operators:
            self.credit.reward(name, gain)

    def _adapt(self, population: list[Any]) -> None:
        """After a generation: operator probabilities pursue the best operator; diversity is kept in its band."""
        self.credit.adapt()
        self.pool.weights = dict(self.credit.probabilities)
        set_point = Controls(self.settings.mutation, self.settings.tournament)
        self._correction = self.band.correct([ind.patch.key for ind in population],
                                             [ind.score.value for ind in population], self.controls, set_point)

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
        key = tuple(self.hall[0].fitness.values)
        if self._best_key is None or key[:2] > self._best_key[:2]:
            self._best_key, self.best_gen = key, gen
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
            "spent": self.spent,
            "operator_weights": {k: round(v, 4) for k, v in sorted(self.credit.probabilities.items())},
            "controls": {"mutation": round(self.controls.mutation, 3), "tournament": self.controls.tournament},
        }
        correction, self._correction = self._correction, None
        if correction is not None:
            record["homeostasis"] = correction
        self.logbook.record(**record)
        if self.on_generation is not None:
            self.on_generation(gen, record, population)


def fitness_key(score: Score, patch: Patch) -> tuple[float, float, float]:
    """What selection compares: the score's ``(tier, value)``, then fewer edits."""
    return (score.tier, score.value, -len(patch))


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
