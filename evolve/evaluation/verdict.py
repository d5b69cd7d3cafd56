"""What a finished test run means: a status, a reason, per-test outcomes.

One definition of "passed" for every path (fresh runner, warm server, fast
path, verification): the runner's record, read from its private channel, must
name every expected test, each passed or skipped, with pytest's exit code 0.
A missing record is a crash; a test the variant made vanish counts as broken.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Mapping, Sequence
from typing import Any

from evolve.errors import exception_line
from evolve.evaluation.sandbox import Completed
from fitness.observation import TEST_PASSED, Observation, Status

__all__ = ["PYTEST_ERROR", "classify_result", "classify_test_run"]


def classify_test_run(completed: Completed, expected: Sequence[str]) -> Observation:
    """Turn a finished test child into an observation with a status and a reason.

    The record is what the runner sent on its private channel
    (``Completed.result``); none, or one that is not a whole JSON object,
    means the process died before the end.
    """
    try:
        result = json.loads(completed.result or b"")  # exactly one whole document, nothing after it
    except (ValueError, RecursionError):
        result = None
    return classify_result(completed, result if isinstance(result, dict) else None, expected)


def classify_result(completed: Completed, result: Mapping[str, Any] | None, expected: Sequence[str]) -> Observation:
    """The same, from the runner's record itself (None: the child died before writing one)."""
    if completed.timed_out:
        return Observation(status=Status.TIMED_OUT, gate="tests",
                           reason=f"tests did not finish within the wall-time limit ({completed.wall_seconds:.1f} s)")
    if completed.signal == signal.SIGXCPU:
        return Observation(status=Status.TIMED_OUT, gate="tests",
                           reason=f"tests used up the CPU-time limit ({completed.cpu_seconds:.1f} s)")
    if completed.over_disk:
        return Observation(status=Status.CRASHED, gate="tests",
                           reason="tests wrote more than the disk budget (sandbox.disk_mb) and were stopped")
    if result is None:
        if completed.out_of_memory:
            return Observation(status=Status.OUT_OF_MEMORY, gate="tests", reason="tests ran out of memory")
        why = f"signal {completed.signal}" if completed.signal else f"exit code {completed.returncode}"
        said = exception_line(completed.stderr)
        reason = f"{said} (the test process died: {why})" if said else f"the test process died ({why})"
        return Observation(status=Status.CRASHED, gate="tests", reason=reason[:300])
    if result.get("memory_errors"):
        return Observation(status=Status.OUT_OF_MEMORY, gate="tests",
                           reason=f"MemoryError in {result['memory_errors'][0]}"[:300])
    tests = {str(k): str(v) for k, v in (result.get("tests") or {}).items()}
    for name in expected:
        tests.setdefault(name, "error")  # a test the variant made vanish counts as broken
    failing = sorted(n for n, o in tests.items() if o not in (TEST_PASSED, "skipped"))
    all_pass = not failing and result.get("exit_code") in (0, None) and bool(tests)
    return Observation(
        status=Status.PASSED if all_pass else Status.TESTS_FAILED,
        gate=None if all_pass else "tests",
        reason="" if all_pass else _failure_reason(failing, result),
        tests=tests,
        test_durations={str(k): float(v) for k, v in (result.get("durations") or {}).items()},
        coverage=result.get("coverage"),
        executed_lines={str(f): frozenset(int(n) for n in lines)
                        for f, lines in (result.get("executed") or {}).items() if isinstance(lines, list)},
        tests_seconds=completed.wall_seconds,
    )


PYTEST_ERROR = "pytest did not run the tests: "
"""How a reason starts when pytest itself stopped (usage error, plugin, collection), quoting pytest."""


def _failure_reason(failing: list[str], result: Mapping[str, Any]) -> str:
    """``2 failing: t::a (AssertionError: ...) and 1 more``, or pytest's own word when it ran no test."""
    error = result.get("error")
    if error and (not failing or not result.get("tests")):
        return f"{PYTEST_ERROR}{error}"
    if not failing:
        return f"pytest exit code {result.get('exit_code')} (no tests ran)"
    more = f" and {len(failing) - 1} more" if len(failing) > 1 else ""
    said = (result.get("failures") or {}).get(failing[0])
    return f"{len(failing)} failing: {failing[0]}{f' ({said})' if said else ''}{more}"
