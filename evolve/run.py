"""One run from config to report: snapshot, index, baseline, search, record.

This is the data flow of ``DESIGN.md`` in order: ``preparation`` (snapshot,
index, context, baseline), the search here, then ``conclusion`` (minimise,
write the run folder, verdict, promotion). Everything that can be wrong with
the user's input is checked before the first variant runs and reported as one
``EvolveError`` line; the user's project is only read (the snapshot).
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO


from evolve.evaluation.backends import make_backend
from evolve.config import Config
from evolve.records.checkpoint import Checkpoint, save_checkpoint
from evolve.search.credit import default_operators, family_prior
from evolve.search.engine import Engine, EngineState, SearchSettings
from evolve.conclusion import RunOutcome, conclude, finish, save_best_so_far, timing_noise, warn_history
from evolve.preparation import (budget_words, evaluate_baseline, evaluation_context, index_targets, snapshot_of)
from evolve.errors import EvolveError, Terminated, sigterm_unwinds
from evolve.evaluation.evaluator import Evaluator, adaptive_deadline
from evolve.records.history import HistoryWriter
from evolve.records.progress import Progress
from evolve.records.report import standing
from evolve.records.store import RunStore
from evolve.scratch import new_scratch, release
from fitness.aggregate import Score, Scorer
from fitness.observation import Observation
from mutations._index import ModuleIndex
from mutations.pool import SitePool
from mutations.registry import OPERATORS
from evolve.evaluation.senses import Senses, measure_senses, test_seconds_for
from evolve.search.attention import Attention
from evolve.search.focus import Focus
from evolve.search.localisation import mark_crashes
from evolve.search.immunity import Antibody, Memory
from populations.patch import Patch


def run_experiment(config: Config, out: TextIO | None = None, progress: bool = True) -> RunOutcome:
    """Run ``config`` to the end and return what it found.

    Raises ``EvolveError`` for bad input or an unusable target (one line),
    ``KeyboardInterrupt`` on Ctrl-C and ``Terminated`` on SIGTERM; in both
    of the last the checkpoint stays, and SIGTERM writes the best so far.
    """
    with sigterm_unwinds():
        return _run_experiment(config, out or sys.stdout, progress)


def _run_experiment(config: Config, out: TextIO, progress: bool) -> RunOutcome:
    scratch = new_scratch()  # every scratch folder of the run lives in here; stale ones of killed runs go
    backend = make_backend(config.backend, config.workers, config.scheduler)
    try:
        snapshot = snapshot_of(config, scratch, out)
        indexes = index_targets(config, snapshot, out)
        evaluator = Evaluator(evaluation_context(config, snapshot, scratch), indexes, config.principles, backend)
        print(f"evolve: baseline of {config.experiment} ({len(config.target.files)} file(s), "
              f"{config.workers} worker(s), sandbox: {evaluator.ctx.isolation})", file=out)
        baseline = evaluate_baseline(config, evaluator, out)
        if baseline.cpu_times:
            print(f"evolve: timing noise at baseline ±{100 * timing_noise(baseline):.1f} % "
                  f"({len(baseline.cpu_times)} interleaved A/A rounds); smaller speed-ups are not claimed", file=out)
        evaluator.ctx = replace(evaluator.ctx, expected_tests=tuple(sorted(baseline.tests)),
                                test_deadline=adaptive_deadline(baseline, evaluator.ctx.limits))
        store = RunStore.create(_run_dir(config), config.experiment)
        store.write_config(config.to_yaml_dict())
        store.write_json("target.json", {"root": str(config.target.root), "base_commit": snapshot.base_commit,
                                         "dirty": snapshot.dirty, "test_seconds": evaluator.ctx.test_seconds})
        with HistoryWriter.begin(store.path, config) as history:
            outcome = _search(config, evaluator, indexes, baseline, store, out, progress, history)
        return conclude(config, snapshot, indexes, outcome, store, scratch, out)
    finally:
        try:
            backend.close()  # the test servers first: they work in the scratch folder
        finally:
            release(scratch)


def _run_dir(config: Config) -> Path:
    return config.run_dir if config.run_dir.is_absolute() else Path.cwd() / config.run_dir


def _search(config: Config, evaluator: Evaluator, indexes: dict[str, ModuleIndex], baseline: Observation,
            store: RunStore, out: TextIO, show_progress: bool, history: HistoryWriter,
            resume: EngineState | None = None) -> RunOutcome:
    scorer = Scorer(baseline, config.weights, mode=config.mode, soft_principles=config.principles.soft)
    history.baseline(scorer.baseline_score)
    warn_history(history, out)
    attention = _attention(config, evaluator, indexes, baseline, store, out)
    operators = config.search.operators or default_operators(OPERATORS.values(), config.mode)
    pool = SitePool(indexes, operators=operators, functions=config.target.functions,
                    site_weights=attention.weight)
    if not pool.sites:
        raise EvolveError("no operator has anywhere to act in the target files; "
                          "widen target.files or target.functions")
    s = config.search
    settings = SearchSettings(population=s.population, generations=s.generations, survivors=s.survivors,
                              elites=s.elites, crossover=s.crossover, mutation=s.mutation,
                              max_edits=s.max_edits, tournament=s.tournament, max_evaluations=s.max_evaluations,
                              max_seconds=s.max_seconds, patience=s.patience if config.mode == "improve" else 0,
                              stop_when_repaired=config.mode == "repair", algorithm=s.algorithm,
                              islands=s.islands.count, migration_interval=s.islands.migration_interval,
                              migrants=s.islands.migrants, tabu=s.tabu)
    progress = Progress(s.generations, enabled=show_progress)
    print(f"evolve: run {store.run_id}: {pool.size} edit sites, seed {s.seed}, search {s.algorithm}; "
          f"{budget_words(config, baseline)}",
          file=out)
    project = str(config.target.root)
    memory = _immunity(config, history, indexes, baseline, store, resume is not None, out)
    if memory.active:
        pool.edit_filter = memory.allows

    def on_evaluated(gen: int, patch: Patch, obs: Observation, score: Score) -> None:
        origin = engine.origin(patch)
        record = {
            "gen": gen, "patch": patch.to_json(), "status": obs.status.name.lower(), "gate": obs.gate,
            "reason": obs.reason, "cached": obs.cached, "fitness": score.value, "tier": score.tier,
            "components": score.components, "figures": score.figures, "seconds": round(obs.seconds, 4),
            "key": patch.key, "parents": list(origin.parents), "variation": origin.variation,
        }
        store.append("evaluations.jsonl", record)
        history.evaluation(record)
        memory.observe(patch, obs)

    focus = Focus(attention, pool) if config.mode == "repair" and attention.suspicion is not None else None

    def on_generation(gen: int, record: dict[str, Any], population: list[Any]) -> None:
        if focus is not None:
            record["focus"] = focus.follow(engine.hall)
        history.save_antibodies(project, [a.to_row() for a in memory.settle()])
        record["immunity"] = memory.counters.blocking()
        store.append("generations.jsonl", record)
        history.generation(record, [ind.patch for ind in population])
        save_checkpoint(store, Checkpoint(engine.state(gen, population), evaluator.cache, evaluator.stats,
                                          baseline))
        stats = evaluator.stats
        words = standing(config.mode, record["best_tier"], record["best"], scorer.baseline_score.value)
        progress.update(gen, stats.evaluations, stats.cache_hits, record["best"], words)

    rng = random.Random(s.seed)
    engine = Engine(settings, pool, evaluator, scorer, baseline, rng, on_generation=on_generation,
                    on_evaluated=on_evaluated,
                    remembered_weights=history.remembered_weights(project) if s.memory else None,
                    prior=family_prior(pool.operators.values(), config.mode))
    if focus is not None and resume is not None:
        focus.follow(resume.hall)  # where the interrupted run's suspicion stood
    try:
        result = engine.run(resume=resume)
    except Terminated:
        save_best_so_far(config, engine, scorer, indexes, baseline, store, evaluator, out)
        raise
    except KeyboardInterrupt:
        print(f"\nevolve: interrupted; every finished generation is saved. Resume with: "
              f"python -m evolve resume {store.run_id}", file=sys.stderr)
        raise
    finally:
        progress.close()
    history.save_antibodies(project, [a.to_row() for a in memory.settle()])
    print(f"evolve: {memory.end_line()}", file=out)
    return finish(config, result, scorer, indexes, baseline, store, out, evaluator, history,
                   immunity=memory.counters.to_json())


def _attention(config: Config, evaluator: Evaluator, indexes: dict[str, ModuleIndex], baseline: Observation,
               store: RunStore, out: TextIO) -> Attention:
    """Where edits go: the baseline's senses (measured once, in sandboxed children; read back from the run
    folder's ``senses.json`` on resume) turned into site weights (``evolve.search.attention``)."""
    use_profile = config.mode == "improve" and config.weights.as_dict().get("performance", 0) > 0
    recorded = store.path / "senses.json"
    try:
        senses = Senses.from_json(json.loads(recorded.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        senses = measure_senses(evaluator.ctx, profile=use_profile,
                                test_seconds=evaluator.ctx.test_seconds  # a repair whose baseline hangs
                                or test_seconds_for(baseline.test_durations, evaluator.ctx.limits))
        recorded = None
    mark_crashes(indexes, senses)
    attention = Attention(indexes, senses, config.mode, config.target.untested, use_profile)
    if recorded is None:
        store.write_json("senses.json", {**senses.to_json(), **attention.record()})
        for line in attention.describe():
            print(f"evolve: {line}", file=out)
    return attention


def _immunity(config: Config, history: HistoryWriter, indexes: dict[str, ModuleIndex], baseline: Observation,
              store: RunStore, resumed: bool, out: TextIO) -> Memory:
    """The project's immune memory (``evolve.search.immunity``): every antibody learns; with
    ``search.memory`` those the run started with block. They are kept in the run folder's
    ``immunity.json``, so a resumed run blocks exactly what the uninterrupted one did."""
    project = str(config.target.root)
    known = [Antibody.from_row(row) for row in history.antibodies(project)]
    recorded = store.path / "immunity.json"
    try:
        immune = [Antibody.from_row(row) for row in json.loads(recorded.read_text(encoding="utf-8"))["antibodies"]]
    except (OSError, ValueError, KeyError, TypeError):
        immune = known if config.search.memory else []
        store.write_json("immunity.json", {"project": project, "antibodies": [a.to_row() for a in immune]})
    memory = Memory.start(indexes, store.run_id, baseline, known, immune)
    if resumed:
        try:
            last = (store.path / "generations.jsonl").read_text(encoding="utf-8").splitlines()[-1]
            memory.restore(json.loads(last).get("immunity") or {})
        except (OSError, ValueError, IndexError, AttributeError):
            pass
    line = memory.start_line()
    if line and not resumed:
        print(f"evolve: {line}", file=out)
    return memory


