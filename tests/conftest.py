"""Shared fixtures: small real projects built in temporary folders."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

CORE = textwrap.dedent('''\
    """A small module with a slow function."""

    LIMITS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


    def slow_total(values):
        """Sum of the values that are in LIMITS."""
        total = 0
        for value in values:
            if value in LIMITS:
                total += value
        return total


    def mean(values):
        """Arithmetic mean; 0.0 for no values."""
        if not values:
            return 0.0
        return sum(values) / len(values)
''')

TESTS = textwrap.dedent('''\
    from calc.core import mean, slow_total


    def test_slow_total():
        assert slow_total([1, 2, 11, 3]) == 6


    def test_slow_total_empty():
        assert slow_total([]) == 0


    def test_mean():
        assert mean([1, 2, 3]) == 2


    def test_mean_empty():
        assert mean([]) == 0.0
''')

BENCH = textwrap.dedent('''\
    from calc.core import slow_total

    DATA = list(range(30)) * 200


    def run():
        return slow_total(DATA)
''')


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                               "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(root)})
    return done.stdout


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Build ``calc/`` with tests (and optionally a git repository) under ``tmp_path``."""

    def make(name: str = "proj", *, core: str = CORE, tests: str = TESTS, use_git: bool = False) -> Path:
        root = tmp_path / name
        (root / "calc").mkdir(parents=True)
        (root / "tests").mkdir()
        (root / "calc" / "__init__.py").write_text("")
        (root / "calc" / "core.py").write_text(core)
        (root / "calc" / "bench.py").write_text(BENCH)
        (root / "tests" / "test_core.py").write_text(tests)
        if use_git:
            git(root, "init", "-q", "-b", "main")
            git(root, "add", "-A")
            git(root, "commit", "-q", "-m", "initial")
        return root

    return make


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a YAML config for a project made by ``make_project``; keyword args override sections."""

    def write(root: Path, **overrides: object) -> Path:
        data: dict[str, object] = {
            "experiment": "test",
            "target": {"root": str(root), "files": ["calc/core.py"]},
            "tests": {"paths": ["tests"], "timeout": 30},
            "benchmark": {"callable": "calc.bench:run", "repeats": 3},
            "search": {"population": 6, "generations": 3, "seed": 3},
            "workers": 2,
            "run_dir": str(tmp_path / "runs"),
        }
        data.update(overrides)
        path = tmp_path / "experiment.yaml"
        path.write_text(yaml.safe_dump(data))
        return path

    return write


def _alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (a zombie runs nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def interruptible(argv: list[str]) -> list[str]:
    """``argv`` run with SIGINT at its default, as a shell starts a foreground job, for a test that stops
    the run with Ctrl-C. pytest-xdist's workers ignore SIGINT, a child inherits that, and Python then
    installs no ``KeyboardInterrupt`` handler. A small Python resets it and ``exec``s ``argv`` (same
    pid; no ``preexec_fn``, which is unsafe in a threaded parent)."""
    reset = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
             "os.execv(sys.argv[1], sys.argv[1:])")
    return [sys.executable, "-c", reset, *argv]


def processes_in(folder: Path) -> list[int]:
    """Live processes whose working directory is ``folder`` or below it."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                found.append(int(entry.name))
        except OSError:
            continue
    return [pid for pid in found if _alive(pid)]


@pytest.fixture
def no_leftovers(tmp_path: Path) -> Iterator[None]:
    """Fail a test that leaves a process running in its folder (after a short grace)."""
    yield
    deadline = time.monotonic() + 3
    while (left := processes_in(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left behind: {left}"
