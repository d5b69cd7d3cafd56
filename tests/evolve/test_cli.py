"""Bad input through the real command line: one line on stderr, exit code 2, nothing changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.evolve.test_run import tree_digest

ROOT = Path(__file__).resolve().parents[2]
FAILING_TESTS = "from calc.core import mean\n\n\ndef test_mean():\n    assert mean([1, 2]) == 2\n"
NO_TESTS = "def helper():\n    return 1\n"
ZERO = {"performance": 0, "correctness": 0, "maintainability": 0, "tokens": 0, "principles": 0}


def evolve(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evolve", *args, "--no-progress"], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin:/usr/local/bin", "PYTHONPATH": str(ROOT)})


def _config(path: Path, root: Path, **changes: object) -> Path:
    data: dict[str, object] = {"target": {"root": str(root), "files": ["calc/core.py"]},
                               "search": {"population": 4, "generations": 1},
                               "run_dir": str(path.parent / "runs")}
    for key, value in changes.items():
        if key == "target":
            data["target"] = {"root": str(root), "files": ["calc/core.py"], **value}  # type: ignore[dict-item]
        elif key == "search":
            data["search"] = {**data["search"], **value}  # type: ignore[dict-item]
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data))
    return path


# case -> (project changes, config changes | raw YAML text | None for no config, extra argv, message)
CASES: dict[str, tuple[dict, object, tuple[str, ...], str]] = {
    "missing config file": ({}, None, (), "not found"),
    "YAML syntax error": ({}, "target:\n  root: [unclosed\n", (), "YAML syntax error at line"),
    "unknown key": ({}, {"speed": "max"}, (), "unknown key 'speed'"),
    "wrong type": ({}, {"search": {"generations": "many"}}, (), "'search.generations' must be an integer"),
    "missing target folder": ({}, {"target": {"root": "/nonexistent/project"}}, (), "does not exist"),
    "target does not parse": ({"core": "def broken(:\n    pass\n"}, {}, (), "does not parse"),
    "function not found": ({}, {"target": {"functions": ["calc/core.py::nope"]}}, (), "function nope not found"),
    "no tests collected": ({"tests": NO_TESTS}, {}, (), "no tests were collected"),
    "test path not found": ({}, {"tests": {"paths": ["no_such_tests"]}}, (), "'tests.paths' names no_such_tests"),
    "tests fail at baseline": ({"tests": FAILING_TESTS}, {}, (), "python -m evolve repair"),
    "negative weight": ({}, {"fitness": {"weights": {"performance": -1}}}, (), "must be a finite number >= 0"),
    "all weights zero": ({}, {"fitness": {"weights": ZERO}}, (), "all weights are zero"),
    "population below 2": ({}, {}, ("--population", "1"), "'search.population' must be at least 2"),
    "generations zero": ({}, {"search": {"generations": 0}}, (), "'search.generations' must be at least 1"),
    "unwritable run folder": ({}, {"run_dir": "BLOCKER/runs"}, (), "--run-dir"),
    "repair with nothing to repair": ({}, {"mode": "repair"}, (), "nothing to repair"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line_and_exit_2(make_project, tmp_path, case):
    project_changes, config, argv, message = CASES[case]
    root = make_project(**project_changes)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    path = tmp_path / "c.yaml"
    if isinstance(config, str):
        path.write_text(config)
    elif isinstance(config, dict):
        config = {k: (str(blocker / "runs") if v == "BLOCKER/runs" else v) for k, v in config.items()}
        _config(path, root, **config)
    before = tree_digest(root)
    done = evolve("run", "--config", str(path), *argv, cwd=tmp_path)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr + done.stdout
    assert len(lines) == 1 and lines[0].startswith("evolve: error: "), done.stderr
    assert message in lines[0]
    assert "Traceback" not in done.stdout + done.stderr
    assert tree_digest(root) == before
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_resuming_a_run_that_does_not_exist(tmp_path):
    done = evolve("resume", "20260101-000000-none-0000", "--run-dir", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("evolve: error: no run") and done.stderr.count("\n") == 1
