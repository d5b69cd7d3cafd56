"""The command line: bad input is one line on stderr, exit code 2, nothing changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.evolve.test_run import tree_digest

FAILING_TESTS = "from calc.core import mean\n\n\ndef test_mean():\n    assert mean([1, 2]) == 2\n"


def evolve(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evolve", *args, "--no-progress"], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin:/usr/local/bin", "PYTHONPATH": str(Path(__file__).parents[2])})


def _config(path: Path, root: Path, **changes: object) -> Path:
    data: dict[str, object] = {"target": {"root": str(root), "files": ["calc/core.py"]},
                               "search": {"population": 4, "generations": 1},
                               "run_dir": str(path.parent / "runs")}
    data.update(changes)
    path.write_text(yaml.safe_dump(data))
    return path


CASES = {
    "target does not parse": ({"core": "def broken(:\n    pass\n"}, {}, "does not parse"),
    "function not found": ({}, {"target": {"files": ["calc/core.py"], "functions": ["calc/core.py::nope"]}},
                           "function nope not found"),
    "no tests collected": ({"tests": "def helper():\n    return 1\n"}, {}, "no tests were collected"),
    "tests fail at baseline": ({"tests": FAILING_TESTS}, {}, "python -m evolve repair"),
    "test path missing": ({}, {"tests": {"paths": ["no_such_tests"]}}, "no tests were collected"),
    "unknown key": ({}, {"speed": "max"}, "unknown key 'speed'"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_and_exit_2(make_project, tmp_path, case):
    project_changes, config_changes, message = CASES[case]
    root = make_project(**project_changes)
    if "target" in config_changes:
        config_changes = {"target": {"root": str(root), **config_changes["target"]}}
    before = tree_digest(root)
    done = evolve("run", "--config", str(_config(tmp_path / "c.yaml", root, **config_changes)), cwd=tmp_path)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr + done.stdout
    assert len(lines) == 1 and lines[0].startswith("evolve: error: "), done.stderr
    assert message in lines[0]
    assert "Traceback" not in done.stdout + done.stderr
    assert tree_digest(root) == before
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_missing_config_file(tmp_path):
    done = evolve("run", "--config", str(tmp_path / "absent.yaml"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "not found" in done.stderr


def test_unwritable_run_dir(make_project, tmp_path):
    root = make_project()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = evolve("run", "--config", str(_config(tmp_path / "c.yaml", root, run_dir=str(blocker / "runs"))),
                  cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "--run-dir" in done.stderr and "Traceback" not in done.stderr


def test_repair_when_everything_passes(make_project, tmp_path):
    root = make_project()
    done = evolve("repair", "--config", str(_config(tmp_path / "c.yaml", root)), cwd=tmp_path)
    assert done.returncode == 2
    assert "nothing to repair" in done.stderr
