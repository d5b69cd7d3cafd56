"""Search strategies: ga, islands, local, nsga2 and random on small real projects, end to end.

Each strategy finds the planted improvement (two dead statements whose
deletion shrinks the executed code: a token gain, exact, so the performance
weight can be 0 and the history deterministic) and, killed with SIGKILL and
resumed, ends with the history of an uninterrupted run. Islands exchange
migrants at the configured interval; NSGA-II's front holds only mutually
non-dominated passing variants, and the report lists it.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from evolve.cli import build_parser, main
from evolve.commands.report import front_lines
from evolve.commands.run import configure
from evolve.config import load_config
from evolve.records.history import History
from evolve.records.plots import fitness_figure
from evolve.run import run_experiment
from evolve.search.strategies import STRATEGIES, Strategy
from tests.conftest import CORE, processes_in
from tests.evolve.test_resume import _env, comparable, evolve, kill_after
from tests.evolve.test_run import DETERMINISTIC

ALGORITHMS = ("ga", "islands", "local", "nsga2", "random")
PLANTED = (CORE.replace("    return total\n", "    checked = list(values)\n    return total\n")
           .replace("    return sum(values) / len(values)\n", "    count = len(values)\n    return sum(values) / len(values)\n"))
"""``CORE`` with two dead statements the tests execute: deleting either is a real, exactly measured gain."""
DEAD = ("-    checked = list(values)", "-    count = len(values)")
SEARCH = {"population": 6, "generations": 4, "seed": 2, "memory": False, "patience": 0,
          "operators": ["delete_statement", "replace_comparison_operator"],
          "islands": {"count": 2, "migration_interval": 2, "migrants": 1}, "tabu": 20}


def _records(run: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (run / name).read_text().splitlines()]


def _dominates(a: list[float], b: list[float]) -> bool:
    return all(x >= y for x, y in zip(a, b)) and any(x > y for x, y in zip(a, b))


# ---------------------------------------------------------------- fast: the surface


def test_every_registered_strategy_is_a_strategy_under_its_own_name():
    assert tuple(STRATEGIES) == ALGORITHMS
    for name, cls in STRATEGIES.items():
        assert issubclass(cls, Strategy) and cls.name == name and cls.description


def test_an_unknown_algorithm_fails_at_load_with_the_list_in_one_line(make_project, write_config, tmp_path):
    config = write_config(make_project(), search={"algorithm": "annealing"})
    done = subprocess.run([sys.executable, "-m", "evolve", "run", "--config", str(config), "--no-progress"],
                          capture_output=True, text=True, env=_env(tmp_path), timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "'search.algorithm' names unknown search algorithm 'annealing'; known: " + ", ".join(ALGORITHMS) \
        in done.stderr


def test_the_algorithm_can_be_set_from_the_command_line(make_project, write_config):
    config = write_config(make_project())
    args = build_parser().parse_args(["run", "--config", str(config), "--algorithm", "nsga2"])
    assert load_config(config).search.algorithm == "ga"
    assert configure(args, config).search.algorithm == "nsga2"


def test_islands_need_two_individuals_each_and_fewer_migrants_than_an_island_holds(make_project, write_config,
                                                                                  capsys):
    root = make_project()
    config = write_config(root, search={"algorithm": "islands", "population": 6, "islands": {"count": 4}})
    assert main(["run", "--config", str(config), "--no-progress"]) == 2
    assert "'search.population' must be at least 2 per island (8 for 4 islands), got 6" in capsys.readouterr().err
    config = write_config(root, search={"algorithm": "islands", "population": 6, "islands": {"count": 3,
                                                                                            "migrants": 2}})
    assert main(["run", "--config", str(config), "--no-progress"]) == 2
    assert "'search.islands.migrants' must be below the island size (2" in capsys.readouterr().err


def test_the_fitness_plot_has_a_line_per_island():
    islands = [{"size": 3, "best": 1.0 + i / 10, "mean": 1.0} for i in range(3)]
    generations = [{"gen": g, "best": 1.2, "mean": 1.0, "std": 0.1, "record": {"islands": islands}} for g in range(3)]
    labels = fitness_figure(generations).axes[0].get_legend_handles_labels()[1]
    assert [label for label in labels if label.startswith("island")] == [f"island {i} best" for i in range(3)]


def test_the_terminal_report_lists_the_front_with_the_best_marked():
    front = {"objectives": ["maintainability", "tokens"], "best": "b" * 16, "members": [
        {"key": "b" * 16, "fitness": 1.05, "objectives": {"maintainability": 1.01, "tokens": 1.1}, "edits": ["one"]},
        {"key": "c" * 16, "fitness": 1.02, "objectives": {"maintainability": 1.04, "tokens": 0.99}, "edits": []}]}
    lines = front_lines(front)
    assert lines[0].startswith("Pareto front (NSGA-II over maintainability, tokens): 2 member(s)")
    assert lines[1] == "  * bbbbbbbb  fitness 1.0500  maintainability 1.0100  tokens 1.1000"
    assert lines[2] == "      - one" and lines[3].startswith("    cccccccc")
    assert front_lines(None) == []


# ---------------------------------------------------------------- slow: real runs


@pytest.mark.slow
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_each_strategy_finds_the_planted_gain_and_resumes_after_sigkill_as_if_never_stopped(
        algorithm, make_project, write_config, tmp_path):
    root = make_project(core=PLANTED)
    config = write_config(root, fitness=DETERMINISTIC, benchmark=None, search={**SEARCH, "algorithm": algorithm})
    straight, killed = tmp_path / "straight" / "runs", tmp_path / "killed" / "runs"  # a run history each
    done = evolve(tmp_path, "run", "--config", str(config), "--run-dir", str(straight))
    out, err = done.communicate(timeout=900)
    assert done.returncode == 0, err
    (run,) = straight.iterdir()
    summary = json.loads((run / "summary.json").read_text())
    assert summary["algorithm"] == algorithm and summary["improved"], out
    assert any(line in (run / "best.diff").read_text().splitlines() for line in DEAD)

    kill_after(tmp_path, killed, 2, "run", "--config", str(config), "--run-dir", str(killed))
    (run_id,) = (p.name for p in killed.iterdir())
    resumed = evolve(tmp_path, "resume", run_id, "--run-dir", str(killed))
    out, err = resumed.communicate(timeout=900)
    assert resumed.returncode == 0, err
    assert "resuming run" in out
    assert comparable(killed / run_id) == comparable(run)
    assert not processes_in(tmp_path / "tmp")


@pytest.mark.slow
def test_islands_exchange_their_best_at_the_migration_interval(make_project, write_config):
    root = make_project(core=PLANTED)
    search = {**SEARCH, "algorithm": "islands", "generations": 5,
              "islands": {"count": 3, "migration_interval": 2, "migrants": 1}}
    outcome = run_experiment(load_config(write_config(root, fitness=DETERMINISTIC, search=search)),
                             out=io.StringIO(), progress=False)
    generations = _records(outcome.path, "generations.jsonl")
    evaluations = _records(outcome.path, "evaluations.jsonl")
    assert [g["gen"] for g in generations if "migration" in g] == [2, 4]
    for g in generations:
        assert [i["size"] for i in g["islands"]] == [2, 2, 2]
        assert all(set(i["weights"]) == set(SEARCH["operators"]) for i in g["islands"])
        if "migration" not in g:
            continue
        before = generations[g["gen"] - 1]["islands"]
        assert [(m["from"], m["to"]) for m in g["migration"]] == [(0, 1), (1, 2), (2, 0)]
        assert [m["keys"] for m in g["migration"]] == [[i["best_key"]] for i in before]
        moved = {key for m in g["migration"] for key in m["keys"]}
        assert all(e["cached"] for e in evaluations if e["gen"] == g["gen"] and e["key"] in moved)
    with History.at(outcome.path.parent) as history:
        labels = fitness_figure(history.generations(outcome.path.name)).axes[0].get_legend_handles_labels()[1]
    assert {"island 0 best", "island 1 best", "island 2 best"} <= set(labels)


@pytest.mark.slow
def test_the_nsga2_front_holds_only_mutually_non_dominated_passing_variants(make_project, write_config, capsys):
    root = make_project(core=PLANTED)
    search = {**SEARCH, "algorithm": "nsga2", "operators": ["membership_to_set", "delete_statement"]}
    weights = {"weights": {"performance": 0.3, "correctness": 0.3, "maintainability": 0.2, "tokens": 0.2}}
    outcome = run_experiment(load_config(write_config(root, fitness=weights, search=search)),
                             out=io.StringIO(), progress=False)
    passed = {e["key"] for e in _records(outcome.path, "evaluations.jsonl") if e["status"] == "passed"}
    fronts = [g["pareto_front"] for g in _records(outcome.path, "generations.jsonl")]
    summary = json.loads((outcome.path / "summary.json").read_text())
    final = summary["pareto_front"]
    assert all(f["objectives"] == ["performance", "maintainability", "tokens"] for f in fronts)
    assert final["members"], "the planted gain beats the baseline in tokens"
    fronts.append({"members": [{"key": m["key"], "objectives": list(m["objectives"].values())}
                               for m in final["members"]]})
    for front in fronts:
        vectors = [m["objectives"] for m in front["members"]]
        assert {m["key"] for m in front["members"]} <= passed
        assert len({m["key"] for m in front["members"]}) == len(vectors)
        assert not any(_dominates(a, b) for a in vectors for b in vectors)
        assert all(any(v > 1.0 for v in vector) for vector in vectors)
    best = max(final["members"], key=lambda m: (m["fitness"], -m["edits"]))
    assert final["best"] == best["key"]

    assert main(["report", outcome.run_id, "--run-dir", str(outcome.path.parent)]) == 0
    text = capsys.readouterr().out
    assert "Pareto front (NSGA-II over performance, maintainability, tokens)" in text
    assert f"* {final['best'][:8]}" in text
    assert "Pareto front (NSGA-II)" in (outcome.path / "report.html").read_text()
