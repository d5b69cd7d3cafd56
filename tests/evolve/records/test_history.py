"""The run history: a real short run is written as it goes and read back by runs, report, plots."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from evolve.config import load_config
from evolve.errors import EvolveError
from evolve.records.history import FILENAME, History, HistoryWriter, diversity, history_path
from evolve.records.history_reader import _count_operators
from evolve.run import RunOutcome, run_experiment
from populations.patch import Edit, Patch
from tests.conftest import BENCH, CORE, TESTS, processes_in

ROOT = Path(__file__).resolve().parents[3]
EXPERIMENT = "history-test"
#: Timing-free fitness, so the shared run is the same every time (and improves: tokens, maintainability).
WEIGHTS = {"performance": 0, "correctness": 0.4, "maintainability": 0.3, "tokens": 0.2, "principles": 0.1}


def build_project(root: Path) -> Path:
    """The ``calc`` project of ``tests/conftest.py`` (a session-wide run cannot use its fixtures)."""
    (root / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "calc" / "__init__.py").write_text("")
    (root / "calc" / "core.py").write_text(CORE)
    (root / "calc" / "bench.py").write_text(BENCH)
    (root / "tests" / "test_core.py").write_text(TESTS)
    return root


def experiment_config(base: Path, generations: int = 3, **search: Any) -> Path:
    data = {"experiment": EXPERIMENT, "target": {"root": str(build_project(base / "proj")), "files": ["calc/core.py"]},
            "tests": {"paths": ["tests"], "timeout": 30}, "benchmark": {"callable": "calc.bench:run", "repeats": 3},
            "fitness": {"weights": WEIGHTS},
            "search": {"population": 6, "generations": generations, "seed": 3, **search},
            "workers": 2, "run_dir": str(base / ".evolve" / "runs")}
    path = base / "experiment.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@dataclass(frozen=True)
class RecordedRun:
    """One real short run, shared by the history, plot, report and notebook tests."""

    base: Path
    run_dir: Path
    outcome: RunOutcome

    @property
    def history(self) -> Path:
        return self.base / ".evolve" / FILENAME

    def log(self, name: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in (self.outcome.path / name).read_text().splitlines()]


_SHARED: dict[str, RecordedRun] = {}


def recorded_run(factory: pytest.TempPathFactory) -> RecordedRun:
    """Run the shared evolution once per test session, whichever module asks first."""
    if "run" not in _SHARED:
        base = factory.mktemp("recorded")
        config = load_config(experiment_config(base))
        outcome = run_experiment(config, out=io.StringIO(), progress=False)
        _SHARED["run"] = RecordedRun(base=base, run_dir=base / ".evolve" / "runs", outcome=outcome)
    return _SHARED["run"]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> RecordedRun:
    return recorded_run(tmp_path_factory)


@pytest.fixture
def history(recorded: RecordedRun):
    with History.at(recorded.run_dir) as opened:
        yield opened


# ---------------------------------------------------------------- the shared run


def test_history_lives_next_to_the_run_folders_in_wal_mode(recorded):
    assert history_path(recorded.run_dir) == recorded.history
    with sqlite3.connect(recorded.history) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_finished_run_is_recorded_with_every_generation_and_evaluation(recorded, history):
    run = history.run(recorded.outcome.run_id)
    summary = json.loads((recorded.outcome.path / "summary.json").read_text())
    assert (run.status, run.experiment, run.generations, run.planned_generations) == ("finished", EXPERIMENT, 3, 3)
    assert run.best_fitness == summary["best_fitness"] and run.baseline_fitness == 1.0
    assert run.improved is recorded.outcome.improved and not run.promoted
    assert run.diff == recorded.outcome.diff != ""
    assert [g["gen"] for g in history.generations(run.run_id)] == [0, 1, 2, 3]
    rows = history.evaluations(run.run_id)
    logged = recorded.log("evaluations.jsonl")
    assert [(r["gen"], r["key"], r["status"], r["fitness"], r["parents"], r["variation"]) for r in rows] == \
           [(e["gen"], e["key"], e["status"], e["fitness"], e["parents"], e["variation"]) for e in logged]


def test_every_evaluation_names_its_parents_from_the_previous_population(recorded, history):
    generations = {g["gen"]: set(g["population"]) for g in history.generations(recorded.outcome.run_id)}
    for row in history.evaluations(recorded.outcome.run_id):
        if row["gen"] == 0:
            assert (row["variation"], row["parents"]) == ("seed", [])
        else:
            assert row["variation"] in ("copy", "mutation", "crossover", "crossover+mutation")
            assert row["parents"] and set(row["parents"]) <= generations[row["gen"] - 1], row


def test_lineage_runs_from_the_best_back_to_a_seed_of_generation_0(recorded, history):
    chain = history.lineage(recorded.outcome.run_id)
    assert chain[0]["key"] == recorded.outcome.best_patch.key
    assert chain[-1]["gen"] == 0 and chain[-1]["variation"] == "seed"
    for child, parent in zip(chain, chain[1:]):
        assert parent["key"] in child["parents"] and parent["gen"] < child["gen"]


def test_operator_counts_rebuilt_from_the_evaluations_match_the_engines(recorded, history):
    run = history.run(recorded.outcome.run_id)
    engine = {name: counts for name, counts in run.summary["operators"].items() if counts["tried"]}
    assert engine and _count_operators(history.evaluations(run.run_id), run.baseline) == engine


def test_a_run_id_may_be_a_unique_prefix_or_latest_and_anything_else_is_one_clear_error(recorded, history):
    run_id = recorded.outcome.run_id
    assert history.run(run_id[:15]).run_id == history.run("latest").run_id == run_id
    with pytest.raises(EvolveError, match="python -m evolve runs"):
        history.run("no-such-run")


def test_no_history_is_one_clear_error(tmp_path):
    with pytest.raises(EvolveError, match="no run history at .*python -m evolve run"):
        History.at(tmp_path / "runs")


# ---------------------------------------------------------------- the writer on its own


def test_diversity_is_0_for_clones_and_1_for_disjoint_patches():
    a, b = (Patch((Edit.make("delete_statement", "m.py", f"Expr@{i}:0-{i}:4"),)) for i in (1, 2))
    assert diversity([a, a, a]) == (0.0, 1 / 3)
    assert diversity([a, b]) == (1.0, 1.0)


def _writer(config_path: Path, run_dir: Path, run_id: str) -> HistoryWriter:
    (run_dir / run_id).mkdir(parents=True, exist_ok=True)
    return HistoryWriter.begin(run_dir / run_id, load_config(config_path))


@pytest.mark.parametrize(("error", "status"), [(KeyboardInterrupt, "interrupted"), (RuntimeError, "failed")])
def test_a_run_that_stops_on_an_exception_is_marked_so(tmp_path, error, status):
    config = experiment_config(tmp_path)
    with pytest.raises(error):
        with _writer(config, tmp_path / "runs", "r1"):
            raise error()
    with History.at(tmp_path / "runs") as history:
        assert history.run("r1").status == status


def test_a_resumed_run_keeps_its_start_and_drops_the_unfinished_generation(tmp_path, recorded):
    config, run_dir = experiment_config(tmp_path), tmp_path / "runs"
    generations, evaluations = recorded.log("generations.jsonl"), recorded.log("evaluations.jsonl")
    with _writer(config, run_dir, "r2") as writer:
        for record in evaluations:
            writer.evaluation(record)
        writer.generation(generations[0], [Patch.from_json(e["patch"]) for e in evaluations if e["gen"] == 0])
    with History.at(run_dir) as history:
        started = history.run("r2").started
    time.sleep(0.01)
    _writer(config, run_dir, "r2").close()
    with History.at(run_dir) as history:
        assert history.run("r2").started == started and history.run("r2").status == "running"
        assert {row["gen"] for row in history.evaluations("r2")} == {0}


# ---------------------------------------------------------------- a killed run



def _wait_for(predicate: Any, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def _generations_in_history(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path) as db:
            return db.execute("SELECT COUNT(*) FROM generations").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_a_killed_run_is_still_readable_and_shown_as_interrupted(tmp_path):
    config = experiment_config(tmp_path, generations=50)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)}
    proc = subprocess.Popen([sys.executable, "-m", "evolve", "run", "--config", str(config), "--no-progress"],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        _wait_for(lambda: _generations_in_history(tmp_path / ".evolve" / FILENAME) >= 2 or proc.poll() is not None)
        assert proc.poll() is None, "the run ended before it could be killed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        _wait_for(lambda: not processes_in(scratch), 30)
    with History.at(tmp_path / ".evolve" / "runs") as history:
        run = history.run("latest")
        assert run.status == "interrupted" and run.generations >= 1 and run.best_fitness is not None
        assert {row["gen"] for row in history.evaluations(run.run_id)} >= {0, 1}
        assert history.lineage(run.run_id)[-1]["gen"] == 0
        assert sum(c["tried"] for c in history.operator_stats(run.run_id).values()) > 0
