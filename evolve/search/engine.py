"""The search loop: DEAP's toolbox, logbook and hall of fame, our own loop, one strategy.

DEAP supplies the vocabulary (a toolbox with ``mate``, ``mutate`` and
``evaluate``; a ``Logbook``; a ``HallOfFame``) while the loop itself is ours so
that checkpoints, statistics and adaptation hook in between generations. What
differs between search algorithms (the generational GA, islands, local search,
NSGA-II, random search) is a ``Strategy`` from ``evolve.search.strategies``:
how the first population is made and the next one from the scored current one.
The loop they share is here: evaluation in one batch per generation, scoring,
the hall of fame, budgets and stop rules, re-measuring kept individuals,
records, checkpoints. DEAP's ``creator`` classes stay inside the search room
(``individuals``); everything outside sees plain patches, observations and
scores. All randomness flows from one seeded ``random.Random``; DEAP's own
random-using operators are not used.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy
from deap import base, tools

from evolve.evaluation.evaluator import Evaluator
from evolve.search.credit import AdaptivePursuit
from evolve.search.homeostasis import Controls, DiversityBand
from evolve.search.individuals import Origin, fitness_key, individual, same_patch
from evolve.search.strategies import STRATEGIES, Strategy
from evolve.search.strategies._base import DUPLICATE_RETRIES
from fitness.aggregate import REPAIRED, Score, Scorer
from fitness.observation import Observation, Status
from mutations.pool import SitePool
from populations.patch import Patch
from populations.variation import crossover, mutate

_same_patch = same_patch  # checkpoints written before the strategies pickled the hall with this name
__all__ = ["DUPLICATE_RETRIES", "Engine", "EngineState", "OperatorStats", "Origin", "SearchResult", "SearchSettings",
           "fitness_key"]


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
    algorithm: str = "ga"
    """The strategy, by its name in ``evolve.search.strategies.STRATEGIES``."""
    islands: int = 4
    """``islands``: how many; the population is shared out among them."""
    migration_interval: int = 5
    """``islands``: generations between two ring migrations."""
    migrants: int = 1
    """``islands``: best distinct patches each island sends to the next one at a migration."""
    tabu: int = 0
    """``local``: how many recently visited patches are not proposed again (0: no tabu list)."""


@dataclass
class OperatorStats:
    """Per operator: patches tried, compiled (passed the static gates), passed all tests, improved."""

    tried: int = 0
    compiled: int = 0
    passed: int = 0
    improved: int = 0


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
    algorithm: str = "ga"
    strategy: Any = None
    """The strategy's own state (``Strategy.state``): islands, the local search's position, the Pareto front."""


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
    extra: dict[str, Any] = field(default_factory=dict)
    """What the strategy adds to ``summary.json`` (``algorithm``; NSGA-II: ``pareto_front``)."""


GenerationHook = Callable[[int, dict[str, Any], list[Any]], None]


class Engine:
    """Breeds patches with a strategy: variation, evaluation in parallel, scoring, selection, records.

    Operator credit starts from ``remembered_weights`` (an earlier run's, by
    operator name) when given, else from ``prior`` (``credit.family_prior``),
    else uniform. Raises ``ValueError`` for an unknown ``settings.algorithm``.
    """

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
        prior: Mapping[str, float] | None = None,
    ) -> None:
        if settings.algorithm not in STRATEGIES:
            raise ValueError(f"unknown search algorithm {settings.algorithm!r}; known: {', '.join(STRATEGIES)}")
        self.settings = settings
        self.pool = pool
        self.evaluator = evaluator
        self.scorer = scorer
        self.baseline = baseline
        self.rng = rng
        self.on_generation = on_generation
        self.on_evaluated = on_evaluated
        self.operator_stats: dict[str, OperatorStats] = {name: OperatorStats() for name in pool.sites}
        self.hall = tools.HallOfFame(5, similar=same_patch)
        self.logbook = tools.Logbook()
        self.logbook.header = ["gen", "evals", "cached", "best", "mean", "std"]
        self.toolbox = self._toolbox()
        self._eval_seconds = 0.0
        self._origins: dict[Patch, Origin] = {}
        self._credit_due: dict[Patch, tuple[AdaptivePursuit, tuple[str, ...], tuple[int, float]]] = {}
        self.start_weights = dict(remembered_weights or prior or {})
        """Where operator credit starts: an earlier run's weights, else the mode's prior (``family_prior``)."""
        self.credit = AdaptivePursuit.seeded(sorted(pool.sites), self.start_weights)
        self.pool.weights = dict(self.credit.probabilities)
        self.controls = Controls(settings.mutation, settings.tournament)
        self.band = DiversityBand()
        self.best_gen = 0
        self._best_key: tuple[float, ...] | None = None
        self._spent_before = 0
        self.strategy: Strategy = STRATEGIES[settings.algorithm](self)

    def _toolbox(self) -> base.Toolbox:
        toolbox = base.Toolbox()
        toolbox.register("mate", lambda a, b: crossover(a, b, self.rng))
        toolbox.register("mutate", lambda p: mutate(p, self.pool, self.rng, self.settings.max_edits))
        toolbox.register("evaluate", self._evaluate)
        return toolbox

    # ------------------------------------------------------------ the loop

    def run(self, start_population: Sequence[Patch] | None = None, resume: EngineState | None = None) -> SearchResult:
        """Search until a stop rule holds (see ``stop_reason``), from seeds, given patches, or a checkpoint."""
        started = time.perf_counter()
        if resume is not None:
            population, gen = self._restore(resume), resume.gen
        else:
            population, gen = self._generation(self.strategy.first(start_population), 0), 0
        while (reason := self.stop_reason(gen, time.perf_counter() - started)) is None:
            gen += 1
            self._origins, self._credit_due = {}, {}
            population = self._generation(self.strategy.next(population, gen), gen)
        seconds = time.perf_counter() - started
        return self._result(reason, seconds, max(0.0, seconds - self._eval_seconds))

    def _generation(self, population: list[Any], gen: int) -> list[Any]:
        """Kept individuals re-measured, new ones (as many as the budget pays for) evaluated, then recorded."""
        kept = [ind for ind in population if ind.score is not None]
        if gen > 0:
            self._remeasure_elites(self.strategy.remeasured(kept))
        fresh = self._affordable([ind for ind in population if ind.score is None])
        paid = {id(ind) for ind in fresh}
        population = [ind for ind in population if ind.score is not None or id(ind) in paid]
        self.toolbox.evaluate(fresh, gen)
        self.strategy.evaluated(population, gen)
        self._record(gen, population)
        return population

    def _result(self, stopped_by: str, seconds: float = 0.0, engine_seconds: float = 0.0) -> SearchResult:
        best = self.strategy.best()
        return SearchResult(
            best_patch=best.patch, best_observation=best.observation, best_score=best.score,
            logbook=self.logbook, generations=len(self.logbook) - 1, operator_stats=self.operator_stats,
            seconds=seconds, engine_seconds=engine_seconds, stopped_by=stopped_by,
            operator_weights=self.strategy.operator_weights(),
            extra={"algorithm": self.strategy.name, **self.strategy.summary()},
        )

    def result_so_far(self, stopped_by: str) -> SearchResult | None:
        """The best individual found until now, as a result (None before anything was evaluated)."""
        return self._result(stopped_by) if self.hall else None

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
                           credit=self.credit, controls=self.controls, best_gen=self.best_gen, spent=self.spent,
                           algorithm=self.strategy.name, strategy=self.strategy.state())

    def _restore(self, state: EngineState) -> list[Any]:
        if state.algorithm != self.strategy.name:
            raise ValueError(f"the checkpoint was written by the {state.algorithm} search, not {self.strategy.name}")
        self.hall, self.logbook = state.hall, state.logbook
        self.operator_stats = dict(state.operator_stats)
        self.rng.setstate(state.rng_state)
        if state.credit is not None:
            self.credit = state.credit
            self.pool.weights = dict(self.credit.probabilities)
        if state.controls is not None:
            self.controls = state.controls
        # the evaluator's counters come back with the checkpoint too: count only what they do not already hold
        stats = self.evaluator.stats
        self.best_gen, self._spent_before = state.best_gen, state.spent - (stats.evaluations - stats.cache_hits)
        self._best_key = tuple(self.hall[0].fitness.values) if self.hall else None
        if state.strategy is not None:
            self.strategy.restore(state.strategy)
        return list(state.population)

    # ------------------------------------------------------------ what strategies call

    def note_origin(self, patch: Patch, origin: Origin) -> None:
        """Record how ``patch`` was made in the generation being built (for ``origin``)."""
        self._origins[patch] = origin

    def origin(self, patch: Patch) -> Origin:
        """Parents and variation of this patch in the generation being evaluated (seeds: none, ``seed``)."""
        return self._origins.get(patch, Origin())

    def expect_credit(self, patch: Patch, operators: tuple[str, ...], parent: Any,
                      credit: AdaptivePursuit | None = None) -> None:
        """When ``patch`` is scored, credit its gain over ``parent`` to ``operators`` (in ``credit``, default the
        engine's)."""
        self._credit_due[patch] = (credit or self.credit, operators, (parent.score.tier, parent.score.value))

    def baseline_individual(self) -> Any:
        """The empty patch, scored as the baseline (nothing to evaluate)."""
        ind = individual(Patch())
        self._rescore(ind, self.baseline)
        return ind

    def refresh(self, ind: Any) -> None:
        """Rescore ``ind`` from the evaluator's latest figures of its patch (timings extended since)."""
        self._rescore(ind, self.evaluator.latest(ind.patch, ind.observation))

    # ------------------------------------------------------------ evaluation and records

    def _evaluate(self, individuals: list[Any], gen: int) -> None:
        """Evaluate, score and record each individual as its observation arrives (see ``Evaluator.evaluate``)."""
        if not individuals:
            return

        scoring = 0.0

        def arrived(i: int, obs: Observation) -> None:
            nonlocal scoring
            began = time.perf_counter()
            ind = individuals[i]
            self._rescore(ind, obs)
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
        (``fitness.speed``) converges on the truth. A patch kept twice (a
        migrant and its original) is measured once.
        """
        if not elites:
            return
        distinct = list({ind.patch: ind for ind in elites}.values())
        started = time.perf_counter()
        observations = self.evaluator.extend_timings([e.patch for e in distinct],
                                                     [e.observation for e in distinct])
        self._eval_seconds += time.perf_counter() - started
        measured = {ind.patch: observation for ind, observation in zip(distinct, observations)}
        for ind in elites:
            self._rescore(ind, measured[ind.patch])
        famous = list(self.hall)
        for ind in famous:
            self.refresh(ind)
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
        credit, operators, (tier, value) = due
        gain = ind.score.value - value if ind.score.tier >= tier else 0.0
        for name in operators:
            credit.reward(name, gain)

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
            "operator_weights": {k: round(v, 4) for k, v in sorted(self.strategy.operator_weights().items())},
            "controls": {"mutation": round(self.controls.mutation, 3), "tournament": self.controls.tournament},
        }
        record.update(self.strategy.statistics(population))
        self.logbook.record(**record)
        if self.on_generation is not None:
            self.on_generation(gen, record, population)


def _component_stats(population: list[Any]) -> dict[str, dict[str, float]]:
    names = population[0].score.components.keys()
    best = tools.selBest(population, 1)[0]
    out: dict[str, dict[str, float]] = {}
    for name in names:
        column = numpy.array([ind.score.components[name] for ind in population])
        out[name] = {"best": float(best.score.components[name]), "mean": float(column.mean()),
                     "std": float(column.std())}
    return out
