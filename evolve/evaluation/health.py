"""The health scan's two checks that run the project's code: its imports and its tests.

Both run in a sandboxed child (``sandbox.run_sandboxed``) inside a copy of the
project, never in the engine: the imports through ``child/_importcheck.py``
(every module in one process, the last one begun named if it hangs), the tests
through the same ``child/_testrunner.py`` that evaluates variants, without
coverage. Each returns a plain record; nothing raises for what the project does.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evolve.errors import exception_line
from evolve.evaluation.child import script
from evolve.evaluation.verdict import classify_test_run
from evolve.evaluation.sandbox import (
    RESULT_FD,
    Isolation,
    Limits,
    hand_over,
    run_sandboxed,
)
from fitness.observation import TEST_PASSED, TEST_SKIPPED, Status

__all__ = ["ImportFailure", "ImportsChecked", "TestsRun", "check_imports", "run_tests"]

IMPORT_CHECK = script("_importcheck")
TEST_RUNNER = script("_testrunner")
_MARK = "evolve-importcheck: "


@dataclass(frozen=True)
class ImportFailure:
    """A module that did not import: the exception line and the innermost place in the project."""

    module: str
    error: str
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class ImportsChecked:
    failures: tuple[ImportFailure, ...] = ()
    checked: int = 0
    problem: str | None = None
    """Why the check itself could not finish (a module that hangs, a dead child), or None."""


@dataclass(frozen=True)
class TestsRun:
    """Per test its outcome and, for a failing one, its exception line; ``problem``: pytest did not run."""

    outcomes: Mapping[str, str] = field(default_factory=dict)
    failures: Mapping[str, str] = field(default_factory=dict)
    problem: str | None = None
    seconds: float = 0.0

    @property
    def failing(self) -> list[str]:
        return sorted(n for n, o in self.outcomes.items() if o not in (TEST_PASSED, TEST_SKIPPED))


def _isolation(workspace: Path, level: str) -> Isolation:
    hand_over(workspace)  # a root engine's sandbox user works there
    return Isolation(level, (("rw", str(workspace)),))


def check_imports(workspace: Path, paths: Sequence[Path], modules: Sequence[str], limits: Limits,
                  level: str = "process") -> ImportsChecked:
    """Import ``modules`` with ``paths`` first on ``sys.path`` (the first one is the project root)."""
    if not modules:
        return ImportsChecked()
    argv = [sys.executable, str(IMPORT_CHECK), "--result-fd", str(RESULT_FD)]
    argv += [arg for p in paths for arg in ("--path", str(p))]
    completed = run_sandboxed([*argv, "--", *modules], cwd=workspace, limits=limits,
                              isolation=_isolation(workspace, level), result=True)
    try:
        record = json.loads(completed.result or b"")
    except ValueError:
        record = None
    if not isinstance(record, dict):
        begun = [line[len(_MARK):].strip() for line in completed.stdout.splitlines() if line.startswith(_MARK)]
        last = begun[-1] if begun else None
        if completed.timed_out and last:
            failure = ImportFailure(last, f"importing it did not finish within {limits.wall_seconds:g} s")
            return ImportsChecked((failure,), len(begun), f"modules after {last} were not checked")
        said = exception_line(completed.stderr) or f"exit code {completed.returncode}, signal {completed.signal}"
        failure = ImportFailure(last, f"the import check died: {said}") if last else None
        return ImportsChecked((failure,) if failure else (), len(begun), f"the import check died ({said})")
    failures = tuple(ImportFailure(name, str(info.get("error", "")), info.get("file"), info.get("line"))
                     for name, info in (record.get("modules") or {}).items() if isinstance(info, dict))
    return ImportsChecked(failures, len(record.get("modules") or {}))


def run_tests(workspace: Path, args: Sequence[str], limits: Limits, level: str = "process") -> TestsRun:
    """Run pytest with ``args`` in ``workspace`` once, without coverage; every test's outcome."""
    argv = [sys.executable, str(TEST_RUNNER), "--result-fd", str(RESULT_FD), "--no-cover", "--", *args]
    completed = run_sandboxed(argv, cwd=workspace, limits=limits, isolation=_isolation(workspace, level),
                              result=True)
    observation = classify_test_run(completed, ())
    try:
        record = json.loads(completed.result or b"")
    except ValueError:
        record = {}
    record = record if isinstance(record, dict) else {}
    failures = {str(k): str(v) for k, v in (record.get("failures") or {}).items()}
    outcomes = dict(observation.tests)
    said = str(record.get("error") or "")
    for number, name in enumerate(str(n) for n in record.get("collection_errors") or ()):
        outcomes.setdefault(name, "error")  # a test file that does not even collect
        failures.setdefault(name, said if number == 0 and said.startswith("collection error") else "collection error")
    problem = None
    if observation.status in (Status.TIMED_OUT, Status.CRASHED, Status.OUT_OF_MEMORY):
        problem = observation.reason
    elif said and not outcomes:
        problem = f"pytest did not run the tests: {said}"
    return TestsRun(outcomes, failures, problem, completed.wall_seconds)
