"""Control: budgets, early stops, adaptive deadlines, SIGTERM, memory of operator weights, homeostasis."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import signal
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from evolve.config import load_config
from evolve.evaluation.evaluator import adaptive_deadline
from evolve.run import run_experiment
from fitness.aggregate import REPAIRED
from fitness.observation import Status
from mutations.registry import get_operator
from populations.patch import Edit, Patch
from tests.conftest import CORE
from tests.evolve.evaluation.test_live import make_evaluator

ROOT = Path(__file__).resolve().parents[3]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _summary(run_dir: Path) -> dict:
    (folder,) = [p for p in run_dir.iterdir() if p.is_dir()]
    return json.loads((folder / "summary.json").read_text())


@pytest.mark.slow
def test_max_evaluations_bounds_what_the_run_evaluates(make_project, write_config, tmp_path):
    config = write_config(make_project(), search={"population": 12, "generations": 50, "seed": 2, "patience": 0})
    done = subprocess.run([sys.executable, "-m", "evolve", "run", "--config", str(config), "--max-evaluations", "40",
                           "--no-progress"], capture_output=True, text=True, env=ENV, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "at most 40 evaluations" in done.stdout
    summary = _summary(tmp_path / "runs")
    assert summary["spent"] <= 40 and summary["stopped_by"] == "evaluations budget"
    (folder,) = [p for p in (tmp_path / "runs").iterdir() if p.is_dir()]
    records = [json.loads(line) for line in (folder / "evaluations.jsonl").read_text().splitlines()]
    assert sum(1 for r in records if not r["cached"]) <= 40


@pytest.mark.slow
def test_a_repair_run_stops_within_one_generation_of_its_first_repair(make_project, write_config):
    root = make_project(core=CORE.replace("if value in LIMITS:", "if value not in LIMITS:"))
    path = write_config(root, mode="repair", benchmark=None,
                        search={"population": 8, "generations": 30, "seed": 4,
                                "operators": ["negate_condition", "replace_comparison_operator"]})
    outcome = run_experiment(load_config(path), out=io.StringIO(), progress=False)
    assert outcome.improved
    records = [json.loads(line) for line in (outcome.path / "evaluations.jsonl").read_text().splitlines()]
    first = min(r["gen"] for r in records if r["tier"] >= REPAIRED)
    generations = [json.loads(line)["gen"] for line in (outcome.path / "generations.jsonl").read_text().splitlines()]
    assert max(generations) <= first + 1
    assert json.loads((outcome.path / "summary.json").read_text())["stopped_by"] == "repaired"


LOOP_CORE = textwrap.dedent('''\
    def count_down(n):
        steps = 0
        while n > 0:
            n -= 1
            steps += 1
        return steps
''')
LOOP_TESTS = textwrap.dedent('''\
    from calc.core import count_down


    def test_count_down():
        assert count_down(5) == 5


    def test_takes_a_while():
        assert sum(i * i for i in range(10_000_000)) > 0
''')


@pytest.mark.slow
def test_a_looping_mutant_times_out_within_three_times_the_baseline_test_time(make_project, tmp_path):
    root = make_project(core=LOOP_CORE, tests=LOOP_TESTS)
    evaluator, baseline, indexes = make_evaluator(root, tmp_path, fast_path=False)
    assert baseline.status == Status.PASSED and baseline.tests_seconds > 0.8
    evaluator.ctx = replace(evaluator.ctx, test_deadline=adaptive_deadline(baseline, evaluator.ctx.limits))
    index = indexes["calc/core.py"]
    decrement = next(n for n in get_operator("delete_statement").sites(index)
                     if index.module.code_for_node(index.nodes[n]).strip() == "n -= 1")
    (observed,) = evaluator.evaluate([Patch((Edit.make("delete_statement", "calc/core.py", decrement),))], baseline)
    assert observed.status == Status.TIMED_OUT, observed.reason
    assert observed.seconds <= 3 * max(baseline.tests_seconds, 1.0), (observed.seconds, baseline.tests_seconds)


@pytest.mark.slow
def test_sigterm_writes_the_best_so_far_and_exits_143(make_project, write_config, tmp_path):
    config = write_config(make_project(), search={"population": 6, "generations": 200, "seed": 1, "patience": 0})
    proc = subprocess.Popen([sys.executable, "-m", "evolve", "run", "--config", str(config), "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    runs = tmp_path / "runs"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        logs = list(runs.glob("*/generations.jsonl")) if runs.exists() else []
        if logs and len(logs[0].read_text().splitlines()) >= 2:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    (folder,) = [p for p in runs.iterdir() if p.is_dir()]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["stopped_by"] == "SIGTERM" and (folder / "best.diff").exists()
    assert json.loads((folder / "best.json").read_text())["patch"] is not None
    assert "python -m evolve resume" in err


@pytest.mark.slow
def test_the_next_run_on_a_project_starts_from_the_weights_the_last_one_ended_with(make_project, write_config):
    path = write_config(make_project(), search={"population": 6, "generations": 3, "seed": 5})
    first = run_experiment(load_config(path), out=io.StringIO(), progress=False)
    prior = json.loads((first.path / "generations.jsonl").read_text().splitlines()[0])["operator_weights"]
    family = {name: get_operator(name).family for name in prior}
    weights = {f: [w for name, w in prior.items() if family[name] == f] for f in ("speedup", "classic", "repair")}
    assert weights["speedup"] and weights["classic"], weights  # the project offers both somewhere
    # nothing remembered yet: improve mode starts from the family prior and leaves the fix patterns out
    assert min(weights["speedup"]) > max(weights["classic"]) and not weights["repair"]
    ended = json.loads((first.path / "summary.json").read_text())["operator_weights"]
    second = run_experiment(load_config(path), out=io.StringIO(), progress=False)
    started = json.loads((second.path / "generations.jsonl").read_text().splitlines()[0])["operator_weights"]
    assert started == pytest.approx(ended, abs=1e-3)
    assert min(started.values()) > 0  # the floor: no operator starves


ONE_SITE = textwrap.dedent('''\
    def enabled():
        return True
''')
ONE_SITE_TESTS = textwrap.dedent('''\
    from calc.core import enabled


    def test_enabled():
        assert enabled() in (True, False)
''')


@pytest.mark.slow
def test_a_converged_population_gets_a_logged_correction(make_project, write_config):
    path = write_config(make_project(core=ONE_SITE, tests=ONE_SITE_TESTS), benchmark=None,
                        search={"population": 8, "generations": 3, "seed": 1, "patience": 0, "max_edits": 1,
                                "operators": ["perturb_constant"]})
    outcome = run_experiment(load_config(path), out=io.StringIO(), progress=False)
    records = [json.loads(line) for line in (outcome.path / "generations.jsonl").read_text().splitlines()]
    corrections = [r["homeostasis"] for r in records if "homeostasis" in r]
    assert corrections and corrections[0]["direction"] == "diversify"
    assert records[-1]["controls"]["mutation"] > 0.9 or records[-1]["controls"]["tournament"] < 3
