"""Resume a run from its last checkpoint, exactly where it stood.

The run folder has what is needed: the config as used, the target (root and
base commit) and the checkpoint. The snapshot is taken again from the same
commit, the logs are cut back to the checkpointed generation, and the engine
continues with the saved population, generator state and cache, so the resumed
run ends as the uninterrupted one would have (timings aside).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO

import yaml

from evolve.evaluation.backends import make_backend
from evolve.records.checkpoint import load_checkpoint, read_target, truncate_logs
from evolve.config import Config, config_from_dict
from evolve.errors import EvolveError, sigterm_unwinds
from evolve.evaluation.evaluator import Evaluator, adaptive_deadline
from evolve.conclusion import RunOutcome, conclude
from evolve.preparation import evaluation_context, index_targets, sandbox_level, with_test_deadline
from evolve.run import _search
from evolve.scratch import new_scratch, release
from evolve.records.store import RunStore
from evolve.target import take_snapshot


def find_run(run_id: str, run_dir: Path) -> RunStore:
    """The run folder ``run_dir/run_id``; ``EvolveError`` (one line) when there is no such run."""
    path = run_dir / run_id
    if not run_id or "/" in run_id or not (path / "config.yaml").is_file():
        raise EvolveError(f"no run {run_id!r} in {run_dir}; pass the run id printed at the end of the run "
                          "(and --run-dir if the run used one)")
    return RunStore(path)


def run_config(store: RunStore, base: Path) -> Config:
    """The config exactly as the run used it (its folder's ``config.yaml``), relative paths against ``base``."""
    try:
        data = yaml.safe_load((store.path / "config.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EvolveError(f"cannot read {store.path / 'config.yaml'} ({exc}); the run folder is damaged") from None
    return config_from_dict(data, base=base, label=str(store.path / "config.yaml"))


def resume_run(run_id: str, run_dir: Path | None = None, out: TextIO | None = None,
               progress: bool = True) -> RunOutcome:
    """Continue run ``run_id`` from its last finished generation (SIGTERM unwinds as in ``run_experiment``)."""
    with sigterm_unwinds():
        return _resume(run_id, run_dir, out or sys.stdout, progress)


def _resume(run_id: str, run_dir: Path | None, out: TextIO, progress: bool) -> RunOutcome:
    from evolve.records.history import HistoryWriter

    store = find_run(run_id, run_dir or Path(".evolve/runs"))
    config = run_config(store, Path.cwd())
    checkpoint = load_checkpoint(store)
    target = read_target(store)
    scratch = new_scratch()  # under the run-owned folder; a killed run's leftovers are swept first
    backend = make_backend(config.backend, config.workers, config.scheduler)
    try:
        sandbox_level(config, out)
        snapshot = take_snapshot(config.target.root, scratch / "snapshot", commit=target.get("base_commit"))
        indexes = index_targets(config, snapshot)
        ctx = evaluation_context(config, snapshot, scratch)
        if target.get("test_seconds"):  # the repair's baseline hung: the same deadline per test, slow path
            ctx = with_test_deadline(ctx, config.tests.timeout, float(target["test_seconds"]))
        ctx = replace(ctx, expected_tests=tuple(sorted(checkpoint.baseline.tests)),
                      test_deadline=adaptive_deadline(checkpoint.baseline, ctx.limits))
        evaluator = Evaluator(ctx, indexes, config.principles, backend)
        evaluator.restore(checkpoint.cache, checkpoint.stats)
        truncate_logs(store, checkpoint.engine.gen)
        print(f"evolve: resuming run {store.run_id} after generation {checkpoint.engine.gen}", file=out)
        with HistoryWriter.begin(store.path, config, resumed_after=checkpoint.engine.gen) as history:
            outcome = _search(config, evaluator, indexes, checkpoint.baseline, store, out, progress, history,
                              resume=checkpoint.engine)
        return conclude(config, snapshot, indexes, outcome, store, scratch, out)
    finally:
        try:
            backend.close()
        finally:
            release(scratch)


__all__ = ["find_run", "resume_run", "run_config"]
