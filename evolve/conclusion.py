"""The end of a run: re-measure, minimise, write the run folder, print the verdict, hand over to promotion.

``finish`` turns a ``SearchResult`` into the run's outcome (``best.json``,
``best.diff``, ``summary.json``, history rows and the words printed); on
SIGTERM ``save_best_so_far`` writes the same files for the best so far,
unverified.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO


from evolve.config import Config
from evolve.search.engine import Engine, SearchResult
from evolve.evaluation.evaluator import Evaluator
from evolve.records.history import HistoryWriter
from evolve.promotion.minimise import minimise
from evolve.promotion.promote import conclude_run
from evolve.records.report import component_table, outcome, unified_diff, unified_diff_bytes
from evolve.records.store import RunStore
from evolve.target import Snapshot
from evolve import sourcefile
from fitness.aggregate import Score, Scorer
from fitness.speed import noise_band
from fitness.observation import Observation, Status
from mutations._index import ModuleIndex
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


def save_best_so_far(config: Config, engine: Engine, scorer: Scorer, indexes: dict[str, ModuleIndex],
                      baseline: Observation, store: RunStore, evaluator: Evaluator, out: TextIO) -> None:
    """SIGTERM: write ``best.json``, ``best.diff`` and ``summary.json`` of the best so far, unverified, then go."""
    result = engine.result_so_far("SIGTERM")
    if result is None:
        return
    _write_result(config, result, scorer, indexes, baseline, store, evaluator, dropped=[])
    print(f"\nevolve: terminated; the best so far (not minimised, not verified) is in {store.path}; "
          f"resume with: python -m evolve resume {store.run_id}", file=sys.stderr)


def warn_history(history: HistoryWriter, out: TextIO) -> None:
    """A run history that cannot be written costs the record, never the run: say so once."""
    problem = history.take_problem()
    if problem:
        print(f"evolve: warning: {problem}", file=out)


def finish(config: Config, result: SearchResult, scorer: Scorer, indexes: dict[str, ModuleIndex],
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
    warn_history(history, out)
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


def conclude(config: Config, snapshot: Snapshot, indexes: dict[str, ModuleIndex], outcome: RunOutcome,
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
