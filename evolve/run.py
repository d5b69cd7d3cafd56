"""One run from config to report: snapshot, index, baseline, search, record.

This is the data flow of ``DESIGN.md`` in order. Everything that can be wrong
with the user's input is checked before the first variant runs and reported as
one ``EvolveError`` line; the user's project is only read (the snapshot).
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

import libcst as cst

from evolve.evaluation.backends import make_backend
from evolve.config import Config
from evolve.records.checkpoint import Checkpoint, save_checkpoint
from evolve.search.engine import Engine, EngineState, SearchResult, SearchSettings
from evolve.errors import EvolveError, Terminated, sigterm_unwinds
from evolve.evaluation.evaluator import PYTEST_ERROR, EvaluationContext, Evaluator, adaptive_deadline
from evolve.records.history import HistoryWriter
from evolve.promotion.minimise import minimise
from evolve.promotion.promote import conclude_run
from evolve.records.progress import Progress
from evolve.records.report import component_table, outcome, standing, unified_diff, unified_diff_bytes
from evolve.evaluation.sandbox import Limits, resolve_level
from evolve.records.store import RunStore
from evolve.scratch import new_scratch, release
from evolve.target import Snapshot, take_snapshot
from evolve import sourcefile
from evolve.sourcefile import SourceError
from fitness.aggregate import Score, Scorer
from fitness.speed import noise_band
from fitness.observation import Observation, Status
from mutations._index import ModuleIndex
from mutations.pool import SitePool
from evolve.evaluation.senses import Senses, measure_senses, test_seconds_for
from evolve.search.attention import Attention
from evolve.search.immunity import Antibody, Memory
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
        snapshot = _snapshot(config, scratch, out)
        indexes = _index_targets(config, snapshot, out)
        evaluator = Evaluator(_context(config, snapshot, scratch), indexes, config.principles, backend)
        print(f"evolve: baseline of {config.experiment} ({len(config.target.files)} file(s), "
              f"{config.workers} worker(s), sandbox: {evaluator.ctx.isolation})", file=out)
        baseline = _baseline(config, evaluator)
        if baseline.cpu_times:
            print(f"evolve: timing noise at baseline ±{100 * timing_noise(baseline):.1f} % "
                  f"({len(baseline.cpu_times)} interleaved A/A rounds); smaller speed-ups are not claimed", file=out)
        evaluator.ctx = replace(evaluator.ctx, expected_tests=tuple(sorted(baseline.tests)),
                                test_deadline=adaptive_deadline(baseline, evaluator.ctx.limits))
        store = RunStore.create(_run_dir(config), config.experiment)
        store.write_config(config.to_yaml_dict())
        store.write_json("target.json", {"root": str(config.target.root), "base_commit": snapshot.base_commit,
                                         "dirty": snapshot.dirty})
        with HistoryWriter.begin(store.path, config) as history:
            outcome = _search(config, evaluator, indexes, baseline, store, out, progress, history)
        return _conclude(config, snapshot, indexes, outcome, store, scratch, out)
    finally:
        try:
            backend.close()  # the test servers first: they work in the scratch folder
        finally:
            release(scratch)


def _run_dir(config: Config) -> Path:
    return config.run_dir if config.run_dir.is_absolute() else Path.cwd() / config.run_dir


def sandbox_level(config: Config, out: TextIO) -> str:
    """The level in force for ``config.sandbox`` (``auto``: bubblewrap where it starts); says so in one line."""
    try:
        level = resolve_level(config.sandbox)
    except OSError as exc:
        raise EvolveError(str(exc)) from None
    print(level.line, file=out)
    return level.name


def _snapshot(config: Config, scratch: Path, out: TextIO) -> Snapshot:
    sandbox_level(config, out)
    snapshot = take_snapshot(config.target.root, scratch / "snapshot")
    for skipped in snapshot.skipped:
        print(f"evolve: note: {skipped} is left out of the snapshot the variants run in", file=out)
    if snapshot.base_commit:
        print(f"evolve: evolving commit {snapshot.base_commit[:10]} of {config.target.root}", file=out)
        if snapshot.dirty:
            print("evolve: uncommitted changes in the target are left alone and not evolved", file=out)
    for file in config.target.files:
        if not (snapshot.path / file).is_file():
            raise EvolveError(f"target file {file} is not in the base commit {snapshot.base_commit or ''}; "
                              "commit it first")
    return snapshot


MAX_FILE_BYTES = 512 * 1024
"""The largest target file evolve indexes: every node gets an id, at roughly 40 s per MB on a busy
core, and every variant re-renders and re-compiles the whole file."""
ANNOUNCE_BYTES = 64 * 1024
"""From this size on, indexing a file is announced (it takes seconds)."""


def _index_targets(config: Config, snapshot: Snapshot, out: TextIO | None = None) -> dict[str, ModuleIndex]:
    indexes: dict[str, ModuleIndex] = {}
    for file in config.target.files:
        size = (snapshot.path / file).stat().st_size
        if size > MAX_FILE_BYTES:
            raise EvolveError(f"target file {file} is {_size(size)}, over the {_size(MAX_FILE_BYTES)} evolve indexes "
                              "per file; leave generated code out of target.files, or split the module")
        if size >= ANNOUNCE_BYTES and out is not None:
            print(f"evolve: indexing {file} ({_size(size)}); a large file takes a few seconds", file=out, flush=True)
        try:
            indexes[file] = ModuleIndex.build(file, snapshot.read(file))
        except cst.ParserSyntaxError as exc:
            raise EvolveError(f"target file {file} does not parse (line {exc.raw_line}: {exc.message}); "
                              "fix the syntax error first") from None
        except SourceError as exc:
            raise EvolveError(f"target file {file} {exc}") from None
        known = indexes[file].functions()
        for qualname in config.target.functions.get(file, ()):
            if qualname not in known:
                raise EvolveError(f"function {qualname} not found in {file}; "
                                  f"known functions: {', '.join(sorted(known)) or 'none'}")
    return indexes


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def _context(config: Config, snapshot: Snapshot, scratch: Path) -> EvaluationContext:
    timeout = config.tests.timeout
    limits = Limits(wall_seconds=timeout, cpu_seconds=timeout, memory_bytes=config.memory_mb * 1024 * 1024,
                    disk_bytes=config.disk_mb * 1024 * 1024)
    return EvaluationContext(
        snapshot=snapshot.path, files=config.target.files,
        test_args=(*config.tests.paths, *config.tests.args), coverage=config.tests.coverage,
        limits=limits, benchmark=config.benchmark, scratch=scratch,
        isolation=resolve_level(config.sandbox).name,  # resolved once here, the same in every worker
    )


def _baseline(config: Config, evaluator: Evaluator) -> Observation:
    baseline = evaluator.run_baseline()
    args = " ".join(evaluator.ctx.test_args)
    if baseline.status == Status.TIMED_OUT:
        raise EvolveError(_timed_out(config, evaluator, baseline))
    if baseline.status in (Status.CRASHED, Status.OUT_OF_MEMORY):
        raise EvolveError(f"the baseline could not be evaluated: {baseline.reason}; "
                          f"run the tests by hand in the project to see why: python -m pytest {args}")
    if not baseline.tests and baseline.reason.startswith(PYTEST_ERROR):
        raise EvolveError(f"{baseline.reason}; fix the project's pytest setup (addopts, plugins, conftest) or "
                          f"tests.args, and check with: python -m pytest {args}")
    if not baseline.tests:
        raise EvolveError(f"no tests were collected with {args}; set tests.paths to your pytest test folder")
    failing = sorted(n for n, o in baseline.tests.items() if o in ("failed", "error"))
    if config.mode == "improve" and failing:
        only_traced = _only_under_coverage(evaluator, baseline, failing)
        if only_traced:
            raise EvolveError(only_traced)
        raise EvolveError(f"{len(failing)} test(s) fail at baseline ({baseline.reason}); fix them, or "
                          "let evolve repair them with: python -m evolve repair --config <file>")
    if config.mode == "repair" and not failing:
        raise EvolveError("every test passes at baseline, so there is nothing to repair; "
                          "use: python -m evolve run")
    return baseline


def _without_coverage(evaluator: Evaluator) -> Observation | None:
    """The baseline evaluated once more without coverage tracing (None when coverage is off anyway):
    tracing slows tests, and a time limit that holds without it may not hold with it."""
    if not evaluator.ctx.coverage:
        return None
    traced = evaluator.ctx
    evaluator.ctx = replace(traced, coverage=False, fast_path=False)
    try:
        return evaluator.run_baseline()
    finally:
        evaluator.ctx = traced


def _timed_out(config: Config, evaluator: Evaluator, baseline: Observation) -> str:
    """The line for a baseline whose tests ran past ``tests.timeout``: by how much, and what to raise."""
    limit = config.tests.timeout
    plain = _without_coverage(evaluator)
    if plain is not None and plain.status != Status.TIMED_OUT:
        suggest = math.ceil(max(2 * limit, 5 * plain.seconds))
        return (f"the baseline's tests did not finish within tests.timeout = {limit:g} s under coverage tracing "
                f"({baseline.reason}); without tracing they take {plain.seconds:.1f} s: raise tests.timeout "
                f"(to about {suggest}) or set tests.coverage: false")
    return (f"the baseline's tests did not finish within tests.timeout = {limit:g} s ({baseline.reason})"
            f"{', even without coverage tracing' if plain is not None else ''}; raise tests.timeout, "
            "or point tests.paths at faster tests")


def _only_under_coverage(evaluator: Evaluator, baseline: Observation, failing: list[str]) -> str | None:
    """The line for tests that fail at baseline only because coverage tracing slows them (their own
    time limit, pytest-timeout's, runs out); None when they fail without tracing too."""
    plain = _without_coverage(evaluator)
    if plain is None or plain.status != Status.PASSED:
        return None
    first = failing[0]
    took = plain.test_durations.get(first)
    return (f"{len(failing)} test(s) fail at baseline only under coverage tracing, which slows them past their "
            f"time limit ({baseline.reason}); without tracing {first} "
            f"passes{'' if took is None else f' in {took:.2f} s'}: "
            "raise its timeout (pytest-timeout's timeout option or mark) or set tests.coverage: false")


def _search(config: Config, evaluator: Evaluator, indexes: dict[str, ModuleIndex], baseline: Observation,
            store: RunStore, out: TextIO, show_progress: bool, history: HistoryWriter,
            resume: EngineState | None = None) -> RunOutcome:
    scorer = Scorer(baseline, config.weights, mode=config.mode, soft_principles=config.principles.soft)
    history.baseline(scorer.baseline_score)
    _warn_history(history, out)
    attention = _attention(config, evaluator, indexes, baseline, store, out)
    pool = SitePool(indexes, operators=config.search.operators, functions=config.target.functions,
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

    def on_generation(gen: int, record: dict[str, Any], population: list[Any]) -> None:
        history.save_antibodies(project, [a.to_row() for a in memory.settle()])
        record["immunity"] = memory.counters.to_json()
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
                    remembered_weights=history.remembered_weights(project) if s.memory else None)
    try:
        result = engine.run(resume=resume)
    except Terminated:
        _save_best_so_far(config, engine, scorer, indexes, baseline, store, evaluator, out)
        raise
    except KeyboardInterrupt:
        print(f"\nevolve: interrupted; every finished generation is saved. Resume with: "
              f"python -m evolve resume {store.run_id}", file=sys.stderr)
        raise
    finally:
        progress.close()
    history.save_antibodies(project, [a.to_row() for a in memory.settle()])
    print(f"evolve: {memory.end_line()}", file=out)
    return _finish(config, result, scorer, indexes, baseline, store, out, evaluator, history,
                   immunity=memory.counters.to_json())


def _save_best_so_far(config: Config, engine: Engine, scorer: Scorer, indexes: dict[str, ModuleIndex],
                      baseline: Observation, store: RunStore, evaluator: Evaluator, out: TextIO) -> None:
    """SIGTERM: write ``best.json``, ``best.diff`` and ``summary.json`` of the best so far, unverified, then go."""
    result = engine.result_so_far("SIGTERM")
    if result is None:
        return
    _write_result(config, result, scorer, indexes, baseline, store, evaluator, dropped=[])
    print(f"\nevolve: terminated; the best so far (not minimised, not verified) is in {store.path}; "
          f"resume with: python -m evolve resume {store.run_id}", file=sys.stderr)


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
                                test_seconds=test_seconds_for(baseline.test_durations, evaluator.ctx.limits))
        recorded = None
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


def _warn_history(history: HistoryWriter, out: TextIO) -> None:
    """A run history that cannot be written costs the record, never the run: say so once."""
    problem = history.take_problem()
    if problem:
        print(f"evolve: warning: {problem}", file=out)


LONG_RUN_SECONDS = 24 * 3600
"""A budget that could take longer than this at the baseline's pace says so in the banner."""


def budget_words(config: Config, baseline: Observation) -> str:
    """The run's budget as the banner states it: generations, population, the most evaluations that
    means, and a warning with what to do when that could take more than a day at the baseline's pace."""
    s = config.search
    most = s.population * s.generations
    if s.max_evaluations is not None:
        most = min(most, s.max_evaluations)
    words = (f"budget: {s.generations:,} generation(s) of {s.population:,}, at most {most:,} evaluations "
             "(repeats come from the cache)")
    if s.max_seconds is not None:
        words += f", at most {s.max_seconds:g} s of search"
    if config.mode == "repair":
        words += "; stops at the first repair"
    elif s.patience:
        words += f"; stops after {s.patience} generation(s) without a better best"
    worst = most * max(baseline.seconds, 0.01) / max(config.workers, 1)
    if s.max_seconds is not None:
        worst = min(worst, s.max_seconds)
    if worst > LONG_RUN_SECONDS:
        words += (f"; at the baseline's pace ({baseline.seconds:.2f} s per evaluation) that could take "
                  f"{_duration(worst)}: lower search.generations, or stop it with Ctrl-C "
                  f"(python -m evolve resume continues it)")
    return words


def _duration(seconds: float) -> str:
    for unit, size in (("years", 365 * 86400), ("days", 86400), ("hours", 3600)):
        if seconds >= 2 * size:
            return f"about {seconds / size:,.0f} {unit}"
    return f"about {seconds / 60:,.0f} minutes"


def _finish(config: Config, result: SearchResult, scorer: Scorer, indexes: dict[str, ModuleIndex],
            baseline: Observation, store: RunStore, out: TextIO, evaluator: Evaluator,
            history: HistoryWriter, immunity: Mapping[str, int] | None = None) -> RunOutcome:
    if result.best_observation.status == Status.PASSED and result.best_patch.edits:
        remeasured = evaluator.remeasure(result.best_patch, baseline)
        result.best_observation, result.best_score = remeasured, scorer.score(remeasured)
    dropped = _minimise_best(result, scorer, indexes, baseline, evaluator, out)
    improved, integrate, diff, applied, best_record, summary = _write_result(
        config, result, scorer, indexes, baseline, store, evaluator, dropped, immunity)
    history.finish(summary, best_record, diff)
    history.remember_weights(str(config.target.root), result.operator_weights)
    _warn_history(history, out)
    _print_summary(config, result, scorer, applied.applied, indexes, diff, improved, integrate, store, out,
                   timing_noise(baseline))
    return RunOutcome(run_id=store.run_id, path=store.path, baseline=scorer.baseline_score, best=result.best_score,
                      best_patch=result.best_patch, diff=diff, integrate=integrate, improved=improved)


def _write_result(config: Config, result: SearchResult, scorer: Scorer, indexes: dict[str, ModuleIndex],
                  baseline: Observation, store: RunStore, evaluator: Evaluator, dropped: list[str],
                  immunity: Mapping[str, int] | None = None) -> tuple[bool, bool, str, Any, dict[str, Any], dict[str, Any]]:
    """Write ``best.json``, ``best.diff`` and ``summary.json``; (improved, integrate, diff, applied, best, summary)."""
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
    store.write_bytes("best.diff", _stored_diff(evaluator.ctx.snapshot, applied.sources))
    summary = {
        "run_id": store.run_id, "experiment": config.experiment, "mode": config.mode, "seed": config.search.seed,
        "generations": result.generations, "baseline_fitness": scorer.baseline_score.value,
        "best_fitness": best.value, "improved": improved, "integrate": integrate,
        "threshold": config.threshold, "outcome": outcome(config.mode, improved),
        "timing_noise": round(timing_noise(baseline), 5), "seconds": round(result.seconds, 2),
        "engine_seconds": round(result.engine_seconds, 2),
        "evaluations": evaluator.stats.evaluations, "executed": evaluator.stats.executed,
        "cache_hits": evaluator.stats.cache_hits, "stopped_at": dict(evaluator.stats.stopped_at),
        "spent": evaluator.stats.evaluations - evaluator.stats.cache_hits,
        "operators": {k: vars(v) for k, v in sorted(result.operator_stats.items())},
        "operator_weights": {k: round(v, 4) for k, v in sorted(result.operator_weights.items())},
        "stopped_by": result.stopped_by,
        **result.extra,  # the strategy's: algorithm, NSGA-II's pareto_front
    }
    if immunity is not None:
        summary["immunity"] = dict(immunity)
    store.write_json("summary.json", summary)
    return improved, integrate, diff, applied, best_record, summary


def _stored_diff(snapshot: Path, sources: Mapping[str, str]) -> bytes:
    """``best.diff`` as ``git apply`` needs it: the files' bytes as stored (encoding, BOM, line endings)."""
    before = {f: (snapshot / f).read_bytes() for f in sources}
    return unified_diff_bytes(before, {f: sourcefile.encode(text, before[f]) for f, text in sources.items()})


def _minimise_best(result: SearchResult, scorer: Scorer, indexes: dict[str, ModuleIndex], baseline: Observation,
                   evaluator: Evaluator, out: TextIO) -> list[str]:
    """Drop the best patch's edits that do not contribute (``evolve.promotion.minimise``); their plain words."""
    if result.best_observation.status != Status.PASSED or result.best_score.key <= scorer.baseline_score.key:
        return []
    small = minimise(result.best_patch, result.best_observation, result.best_score, evaluator, scorer, baseline)
    if not small.dropped:
        return []
    result.best_patch, result.best_observation, result.best_score = small.patch, small.observation, small.score
    print(f"evolve: minimised the best patch: dropped {len(small.dropped)} edit(s) that did not contribute "
          f"({small.evaluations} evaluations)", file=out)
    return [e.describe(indexes[e.file]) for e in small.dropped]


def _conclude(config: Config, snapshot: Snapshot, indexes: dict[str, ModuleIndex], outcome: RunOutcome,
              store: RunStore, scratch: Path, out: TextIO) -> RunOutcome:
    """A run that improved hands its survivor to promotion: re-verified, then committed (see ``evolve.promotion.promote``)."""
    if not outcome.integrate:
        return outcome
    branch = conclude_run(config, snapshot, indexes, outcome.best_patch, store, scratch, out)
    return replace(outcome, branch=branch)


def timing_noise(baseline: Observation) -> float:
    """The machine's relative timing noise from the baseline's A/A rounds (0.0 without a benchmark)."""
    return noise_band(baseline.baseline_cpu_times, baseline.cpu_times)


def _print_summary(config: Config, result: SearchResult, scorer: Scorer, edits: Any,
                   indexes: dict[str, ModuleIndex], diff: str, improved: bool, integrate: bool,
                   store: RunStore, out: TextIO, noise: float) -> None:
    print("", file=out)
    print(component_table(scorer.baseline_score, result.best_score, config.weights.as_dict(), noise), file=out)
    print("", file=out)
    verdict = outcome(config.mode, improved)
    if config.mode == "repair" and not improved:
        print(f"evolve: {verdict}: no variant made every test pass (best.diff is the closest variant, "
              "not a fix)", file=out)
    elif not improved:
        print(f"evolve: {verdict}: no variant beat the baseline while passing every test", file=out)
    else:
        gain = result.best_score.value - scorer.baseline_score.value
        print(f"evolve: {verdict}: the best variant passes every test; fitness {scorer.baseline_score.value:.4f} -> "
              f"{result.best_score.value:.4f} (+{gain:.4f}); "
              f"{'clears' if integrate else 'below'} the integrate threshold {config.threshold}", file=out)
        for edit in edits:
            print(f"  - {edit.describe(indexes[edit.file])}", file=out)
        print("", file=out)
        print(diff, file=out)
    print(f"evolve: run folder {store.path}", file=out)
