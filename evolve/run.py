"""One run from config to report: snapshot, index, baseline, search, record.

This is the data flow of ``DESIGN.md`` in order. Everything that can be wrong
with the user's input is checked before the first variant runs and reported as
one ``EvolveError`` line; the user's project is only read (the snapshot).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

import libcst as cst

from evolve.evaluation.backends import make_backend
from evolve.config import Config
from evolve.records.checkpoint import Checkpoint, save_checkpoint
from evolve.search.engine import Engine, EngineState, SearchResult, SearchSettings
from evolve.errors import EvolveError
from evolve.evaluation.evaluator import EvaluationContext, Evaluator
from evolve.records.history import HistoryWriter
from evolve.promotion.minimise import minimise
from evolve.promotion.promote import conclude_run
from evolve.records.progress import Progress
from evolve.records.report import component_table, unified_diff
from evolve.evaluation.sandbox import Limits, bwrap_path
from evolve.records.store import RunStore
from evolve.target import Snapshot, take_snapshot
from fitness.aggregate import Score, Scorer
from fitness.observation import Observation, Status
from mutations._index import ModuleIndex
from mutations.pool import SitePool
from populations.patch import Patch, apply_patch


@dataclass(frozen=True)
class RunOutcome:
    """What a finished run found, for the CLI and for tests."""

    run_id: str
    path: Path
    baseline: Score
    best: Score
    best_patch: Patch
    diff: str
    integrate: bool
    improved: bool
    branch: str | None = None
    """``evolve/<run-id>`` when the verified survivor was committed there."""


def run_experiment(config: Config, out: TextIO | None = None, progress: bool = True) -> RunOutcome:
    """Run ``config`` to the end and return what it found."""
    out = out or sys.stdout
    scratch = Path(tempfile.mkdtemp(prefix="evolve-"))
    backend = make_backend(config.backend, config.workers, config.scheduler)
    try:
        snapshot = _snapshot(config, scratch, out)
        indexes = _index_targets(config, snapshot)
        evaluator = Evaluator(_context(config, snapshot, scratch), indexes, config.principles, backend)
        print(f"evolve: baseline of {config.experiment} ({len(config.target.files)} file(s), "
              f"{config.workers} worker(s), sandbox: {config.sandbox})", file=out)
        baseline = _baseline(config, evaluator)
        evaluator.ctx = replace(evaluator.ctx, expected_tests=tuple(sorted(baseline.tests)))
        store = RunStore.create(_run_dir(config), config.experiment)
        store.write_config(config.to_yaml_dict())
        store.write_json("target.json", {"root": str(config.target.root), "base_commit": snapshot.base_commit,
                                         "dirty": snapshot.dirty})
        with HistoryWriter.begin(store.path, config) as history:
            outcome = _search(config, evaluator, indexes, baseline, store, out, progress, history)
        return _conclude(config, snapshot, indexes, outcome, store, scratch, out)
    finally:
        backend.close()
        shutil.rmtree(scratch, ignore_errors=True)


def _run_dir(config: Config) -> Path:
    return config.run_dir if config.run_dir.is_absolute() else Path.cwd() / config.run_dir


def _snapshot(config: Config, scratch: Path, out: TextIO) -> Snapshot:
    if config.sandbox == "bwrap":
        try:
            bwrap_path()
        except OSError as exc:
            raise EvolveError(str(exc)) from None
    snapshot = take_snapshot(config.target.root, scratch / "snapshot")
    if snapshot.base_commit:
        print(f"evolve: evolving commit {snapshot.base_commit[:10]} of {config.target.root}", file=out)
        if snapshot.dirty:
            print("evolve: uncommitted changes in the target are left alone and not evolved", file=out)
    for file in config.target.files:
        if not (snapshot.path / file).is_file():
            raise EvolveError(f"target file {file} is not in the base commit {snapshot.base_commit or ''}; "
                              "commit it first")
    return snapshot


def _index_targets(config: Config, snapshot: Snapshot) -> dict[str, ModuleIndex]:
    indexes: dict[str, ModuleIndex] = {}
    for file in config.target.files:
        try:
            indexes[file] = ModuleIndex.build(file, snapshot.read(file))
        except cst.ParserSyntaxError as exc:
            raise EvolveError(f"target file {file} does not parse (line {exc.raw_line}: {exc.message}); "
                              "fix the syntax error first") from None
        except UnicodeDecodeError:
            raise EvolveError(f"target file {file} is not UTF-8 text; only Python source can be evolved") from None
        known = indexes[file].functions()
        for qualname in config.target.functions.get(file, ()):
            if qualname not in known:
                raise EvolveError(f"function {qualname} not found in {file}; "
                                  f"known functions: {', '.join(sorted(known)) or 'none'}")
    return indexes


def _context(config: Config, snapshot: Snapshot, scratch: Path) -> EvaluationContext:
    timeout = config.tests.timeout
    limits = Limits(wall_seconds=timeout, cpu_seconds=timeout, memory_bytes=config.memory_mb * 1024 * 1024)
    return EvaluationContext(
        snapshot=snapshot.path, files=config.target.files,
        test_args=(*config.tests.paths, *config.tests.args), coverage=config.tests.coverage,
        limits=limits, benchmark=config.benchmark, scratch=scratch, isolation=config.sandbox,
    )


def _baseline(config: Config, evaluator: Evaluator) -> Observation:
    baseline = evaluator.run_baseline()
    if baseline.status in (Status.TIMED_OUT, Status.CRASHED, Status.OUT_OF_MEMORY):
        raise EvolveError(f"the baseline could not be evaluated: {baseline.reason}; "
                          "run the tests by hand in the project to see why")
    if not baseline.tests:
        raise EvolveError(f"no tests were collected with {' '.join(evaluator.ctx.test_args)}; "
                          "set tests.paths to your pytest test folder")
    failing = sorted(n for n, o in baseline.tests.items() if o in ("failed", "error"))
    if config.mode == "improve" and failing:
        raise EvolveError(f"{len(failing)} test(s) fail at baseline (first: {failing[0]}); fix them, or "
                          "let evolve repair them with: python -m evolve repair --config <file>")
    if config.mode == "repair" and not failing:
        raise EvolveError("every test passes at baseline, so there is nothing to repair; "
                          "use: python -m evolve run")
    return baseline


def _search(config: Config, evaluator: Evaluator, indexes: dict[str, ModuleIndex], baseline: Observation,
            store: RunStore, out: TextIO, show_progress: bool, history: HistoryWriter,
            resume: EngineState | None = None) -> RunOutcome:
    scorer = Scorer(baseline, config.weights, mode=config.mode, soft_principles=config.principles.soft)
    history.baseline(scorer.baseline_score)
    pool = SitePool(indexes, operators=config.search.operators, functions=config.target.functions)
    if not pool.sites:
        raise EvolveError("no operator has anywhere to act in the target files; "
                          "widen target.files or target.functions")
    s = config.search
    settings = SearchSettings(population=s.population, generations=s.generations, survivors=s.survivors,
                              elites=s.elites, crossover=s.crossover, mutation=s.mutation,
                              max_edits=s.max_edits, tournament=s.tournament)
    progress = Progress(s.generations, enabled=show_progress)
    print(f"evolve: run {store.run_id}: {pool.size} edit sites, population {s.population}, "
          f"{s.generations} generations, seed {s.seed}", file=out)

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

    def on_generation(gen: int, record: dict[str, Any], population: list[Any]) -> None:
        store.append("generations.jsonl", record)
        history.generation(record, [ind.patch for ind in population])
        save_checkpoint(store, Checkpoint(engine.state(gen, population), evaluator.cache, evaluator.stats,
                                          baseline))
        stats = evaluator.stats
        best_status = "passed" if record["best_tier"] >= Status.PASSED else "failing"
        progress.update(gen, stats.evaluations, stats.cache_hits, record["best"], best_status)

    rng = random.Random(s.seed)
    engine = Engine(settings, pool, evaluator, scorer, baseline, rng,
                    on_generation=on_generation, on_evaluated=on_evaluated)
    try:
        result = engine.run(resume=resume)
    except KeyboardInterrupt:
        print(f"\nevolve: interrupted; every finished generation is saved. Resume with: "
              f"python -m evolve resume {store.run_id}", file=sys.stderr)
        raise
    finally:
        progress.close()
    return _finish(config, result, scorer, indexes, baseline, store, out, evaluator, history)


def _finish(config: Config, result: SearchResult, scorer: Scorer, indexes: dict[str, ModuleIndex],
            baseline: Observation, store: RunStore, out: TextIO, evaluator: Evaluator,
            history: HistoryWriter) -> RunOutcome:
    if result.best_observation.status == Status.PASSED and result.best_patch.edits:
        remeasured = evaluator.remeasure(result.best_patch, baseline)
        result.best_observation, result.best_score = remeasured, scorer.score(remeasured)
    dropped = _minimise_best(result, scorer, indexes, baseline, evaluator, out)
    best = result.best_score
    base_sources = {f: i.source for f, i in indexes.items()}
    applied = apply_patch(result.best_patch, indexes)
    diff = unified_diff(base_sources, {**base_sources, **applied.sources})
    passed = result.best_observation.status == Status.PASSED
    improved = passed and best.key > scorer.baseline_score.key and bool(diff)
    integrate = improved and scorer.clears(best, config.threshold)
    best_record = {
        "patch": result.best_patch.to_json(), "key": result.best_patch.key,
        "edits": [e.describe(indexes[e.file]) for e in applied.applied],
        "status": result.best_observation.status.name.lower(), "fitness": best.value, "tier": best.tier,
        "components": best.components, "figures": best.figures, "dropped": dropped,
    }
    store.write_json("best.json", best_record)
    store.write_text("best.diff", diff)
    summary = {
        "run_id": store.run_id, "experiment": config.experiment, "mode": config.mode, "seed": config.search.seed,
        "generations": result.generations, "baseline_fitness": scorer.baseline_score.value,
        "best_fitness": best.value, "improved": improved, "integrate": integrate,
        "threshold": config.threshold, "seconds": round(result.seconds, 2),
        "engine_seconds": round(result.engine_seconds, 2),
        "evaluations": evaluator.stats.evaluations, "executed": evaluator.stats.executed,
        "cache_hits": evaluator.stats.cache_hits, "stopped_at": dict(evaluator.stats.stopped_at),
        "operators": {k: vars(v) for k, v in sorted(result.operator_stats.items())},
    }
    store.write_json("summary.json", summary)
    history.finish(summary, best_record, diff)
    _print_summary(config, result, scorer, applied.applied, indexes, diff, improved, integrate, store, out)
    return RunOutcome(run_id=store.run_id, path=store.path, baseline=scorer.baseline_score, best=best,
                      best_patch=result.best_patch, diff=diff, integrate=integrate, improved=improved)


def _minimise_best(result: SearchResult, scorer: Scorer, indexes: dict[str, ModuleIndex], baseline: Observation,
                   evaluator: Evaluator, out: TextIO) -> list[str]:
    """Drop the best patch's edits that do not contribute (``evolve.promotion.minimise``); their plain words."""
    if result.best_observation.status != Status.PASSED or result.best_score.key <= scorer.baseline_score.key:
        return []
    small = minimise(result.best_patch, result.best_observation, result.best_score, evaluator, scorer, baseline)
    if not small.dropped:
        return []
    observation = evaluator.remeasure(small.patch, baseline) if small.patch.edits else small.observation
    result.best_patch, result.best_observation, result.best_score = small.patch, observation, scorer.score(observation)
    print(f"evolve: minimised the best patch: dropped {len(small.dropped)} edit(s) that did not contribute "
          f"({small.evaluations} evaluations)", file=out)
    return [e.describe(indexes[e.file]) for e in small.dropped]


def _conclude(config: Config, snapshot: Snapshot, indexes: dict[str, ModuleIndex], outcome: RunOutcome,
              store: RunStore, scratch: Path, out: TextIO) -> RunOutcome:
    """A run that improved hands its survivor to promotion: re-verified, then committed (see ``evolve.promotion.promote``)."""
    if not outcome.improved:
        return outcome
    branch = conclude_run(config, snapshot, indexes, outcome.best_patch, store, scratch, out)
    return replace(outcome, branch=branch)


def _print_summary(config: Config, result: SearchResult, scorer: Scorer, edits: Any,
                   indexes: dict[str, ModuleIndex], diff: str, improved: bool, integrate: bool,
                   store: RunStore, out: TextIO) -> None:
    print("", file=out)
    print(component_table(scorer.baseline_score, result.best_score, config.weights.as_dict()), file=out)
    print("", file=out)
    if config.mode == "repair" and result.best_observation.status != Status.PASSED:
        print("evolve: no repair found: no variant made every test pass", file=out)
    elif not improved:
        print("evolve: no variant beat the baseline while passing every test", file=out)
    else:
        gain = result.best_score.value - scorer.baseline_score.value
        print(f"evolve: best variant passes every test; fitness {scorer.baseline_score.value:.4f} -> "
              f"{result.best_score.value:.4f} (+{gain:.4f}); "
              f"{'clears' if integrate else 'below'} the integrate threshold {config.threshold}", file=out)
        for edit in edits:
            print(f"  - {edit.describe(indexes[edit.file])}", file=out)
        print("", file=out)
        print(diff, file=out)
    print(f"evolve: run folder {store.path}", file=out)
