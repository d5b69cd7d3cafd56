"""Checkpoints: what a killed run needs to continue exactly where it stood.

After every generation the run pickles the engine's state (population with
observations and scores, hall of fame, logbook, generator state, operator
counters), the evaluator's cache and counters, and the baseline, then renames
the file into place, so a kill at any moment leaves either the previous or the
new checkpoint, never half of one. Resuming also cuts the logs back to the
checkpointed generation (tolerating a half-written last line), so the resumed
run's history continues as if it had never stopped.
"""

from __future__ import annotations

import json
import os
import pickle
from dataclasses import dataclass
from typing import Any

from evolve.search.engine import EngineState
from evolve.errors import EvolveError
from evolve.evaluation.evaluator import EvaluatorStats
from evolve.records.store import RunStore, write_atomic
from fitness.observation import Observation

CHECKPOINT = "checkpoint.pkl"
LOGS = ("generations.jsonl", "evaluations.jsonl")


@dataclass
class Checkpoint:
    engine: EngineState
    cache: dict[str, Observation]
    stats: EvaluatorStats
    baseline: Observation


def save_checkpoint(store: RunStore, checkpoint: Checkpoint) -> None:
    """Write atomically: a temporary file, flushed to disk, renamed over the old one."""
    path = store.path / CHECKPOINT
    tmp = path.with_name(f".{CHECKPOINT}.tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(checkpoint, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def load_checkpoint(store: RunStore) -> Checkpoint:
    path = store.path / CHECKPOINT
    if not path.is_file():
        raise EvolveError(f"run {store.run_id} has no checkpoint (it stopped before its first generation "
                          "finished); start it again with: python -m evolve run --config <file>")
    try:
        with open(path, "rb") as handle:
            checkpoint = pickle.load(handle)
    except Exception as exc:  # an unreadable file is the user's to know about, in one line
        raise EvolveError(f"the checkpoint of run {store.run_id} cannot be read ({type(exc).__name__}); "
                          "start the run again") from None
    if not isinstance(checkpoint, Checkpoint):
        raise EvolveError(f"{path} is not an evolve checkpoint; start the run again")
    return checkpoint


def truncate_logs(store: RunStore, gen: int) -> None:
    """Keep only the log records of generations up to ``gen`` (a torn last line is dropped)."""
    for name in LOGS:
        records = [r for r in store.read_jsonl(name) if int(r.get("gen", 0)) <= gen]
        write_atomic(store.path / name, "".join(json.dumps(r, sort_keys=True) + "\n" for r in records))


def read_target(store: RunStore) -> dict[str, Any]:
    """The base commit and root the run evolved (``target.json``)."""
    try:
        return json.loads((store.path / "target.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise EvolveError(f"run {store.run_id} has no readable target.json; start the run again") from None
