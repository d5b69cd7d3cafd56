"""End to end: real runs on small real projects in temporary folders."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evolve.config import load_config
from evolve.preparation import PER_TEST_FLOOR
from evolve.run import run_experiment
from tests.conftest import git

pytestmark = pytest.mark.slow

DETERMINISTIC = {"weights": {"performance": 0, "correctness": 0.4, "maintainability": 0.3, "tokens": 0.2,
                             "principles": 0.1}}


def tree_digest(root: Path) -> str:
    """The working tree's files and contents (``.git`` is left out: a run may add a branch there)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and ".git" not in p.relative_to(root).parts):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def test_short_run_reports_a_best_patch_that_passes_on_a_fresh_copy(make_project, write_config, tmp_path):
    root = make_project(use_git=True)
    before = tree_digest(root)
    # few operators, so the one real speed-up (LIMITS list -> set) is certainly met in a short run
    search = {"population": 8, "generations": 4, "seed": 5,
              "operators": ["membership_to_set", "replace_comparison_operator", "delete_statement"]}
    config = load_config(write_config(root, search=search))
    out = io.StringIO()
    outcome = run_experiment(config, out=out, progress=False)

    assert tree_digest(root) == before, "the user's project must not change"
    run = outcome.path
    for name in ("config.yaml", "generations.jsonl", "evaluations.jsonl", "best.json", "best.diff", "summary.json"):
        assert (run / name).is_file(), name
    generations = [json.loads(line) for line in (run / "generations.jsonl").read_text().splitlines()]
    assert [g["gen"] for g in generations] == [0, 1, 2, 3, 4]
    assert set(generations[-1]["components"]) == {"performance", "correctness", "maintainability", "tokens",
                                                  "principles"}
    assert outcome.improved, out.getvalue()
    assert outcome.best.figures["correctness"] == 1.0

    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".git"))
    applied = subprocess.run(["git", "apply", str(run / "best.diff")], cwd=fresh, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    assert tree_digest(fresh / "calc") != tree_digest(root / "calc")
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                           cwd=fresh, capture_output=True, text=True)
    assert tests.returncode == 0, tests.stdout
    assert "baseline" in out.getvalue() and "fitness" in out.getvalue()


def test_same_seed_gives_the_same_run(make_project, write_config):
    root = make_project()
    path = write_config(root, fitness=DETERMINISTIC, search={"population": 6, "generations": 3, "seed": 11,
                                                             "memory": False})
    runs = [run_experiment(load_config(path), out=io.StringIO(), progress=False) for _ in range(2)]
    histories = [[(g["best"], g["mean"], g["statuses"]) for g in map(json.loads, (r.path / "generations.jsonl")
                  .read_text().splitlines())] for r in runs]
    assert histories[0] == histories[1]
    assert runs[0].best_patch == runs[1].best_patch


def test_uncommitted_changes_are_not_evolved_and_left_alone(make_project, write_config):
    root = make_project(use_git=True)
    core = root / "calc" / "core.py"
    core.write_text(core.read_text() + "\n# work in progress\n")
    before = tree_digest(root)
    status = git(root, "status", "--porcelain")
    out = io.StringIO()
    config = load_config(write_config(root, fitness=DETERMINISTIC, search={"population": 4, "generations": 1}))
    outcome = run_experiment(config, out=out, progress=False)
    assert "uncommitted changes" in out.getvalue()
    assert "work in progress" not in outcome.diff
    assert tree_digest(root) == before
    assert git(root, "status", "--porcelain") == status


def test_repair_mode_fixes_a_failing_test(make_project, write_config):
    from tests.conftest import CORE

    buggy = CORE.replace("if value in LIMITS:", "if value not in LIMITS:")
    root = make_project(core=buggy)
    path = write_config(
        root, mode="repair",
        target={"root": str(root), "files": ["calc/core.py"], "functions": ["calc/core.py::slow_total"]},
        search={"population": 8, "generations": 4, "seed": 2,
                "operators": ["replace_comparison_operator", "negate_condition", "perturb_constant",
                              "delete_statement"]})
    out = io.StringIO()
    outcome = run_experiment(load_config(path), out=out, progress=False)
    assert outcome.improved, out.getvalue()
    assert outcome.best.tier == 6  # every test passes
    assert "+        if value in LIMITS:" in outcome.diff or "+        if not (value not in LIMITS):" in outcome.diff


HANGS = '''\
"""Steps of two."""


def steps(n):
    """The first even number at or above n, counting up from 0 in steps of two."""
    i = 0
    while i != n:
        i += 2
    return i
'''
HANGS_TESTS = '''\
from calc.core import steps


def test_even():
    assert steps(4) == 4


def test_odd():
    assert steps(5) == 6  # loops forever at baseline: i jumps over 5
'''


@pytest.mark.slow
def test_a_repair_whose_baseline_hangs_gets_a_deadline_per_test_and_is_repaired(make_project, write_config):
    root = make_project(core=HANGS, tests=HANGS_TESTS)
    (root / "calc" / "bench.py").unlink()  # it imports a function this project does not have
    path = write_config(root, mode="repair", benchmark=None, tests={"paths": ["tests"], "timeout": 4},
                        search={"population": 6, "generations": 4, "seed": 1,
                                "operators": ["replace_comparison_operator"]})
    out = io.StringIO()
    outcome = run_experiment(load_config(path), out=out, progress=False)
    said = out.getvalue()
    assert "each test now gets" in said and "a test that hangs fails" in said, said
    assert json.loads((outcome.path / "target.json").read_text())["test_seconds"] >= PER_TEST_FLOOR
    assert outcome.improved and outcome.best.tier == 6, said  # every test passes
    assert "+    while i < n:" in outcome.diff or "+    while i <= n - 1:" in outcome.diff, outcome.diff
