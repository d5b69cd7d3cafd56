"""Run a project's tests under coverage and write one JSON record of what happened.

This is a script, not a module of the engine: it runs by path inside a
variant's workspace, in a sandboxed process, as

    python /abs/path/_testrunner.py --out result.json [--cover FILE ...] [--no-cover] -- <pytest args>

so it imports only the standard library, pytest and coverage, never ``evolve``.
It writes ``{"exit_code", "collected", "tests", "durations", "coverage",
"collection_errors", "memory_errors"}`` atomically (a reader never sees half a file; a missing
file means the process died) and exits with pytest's exit code.

Outcome per test combines its phases: "error" if setup or teardown failed,
"failed" if the call failed (an unexpected pass of an xfail test counts as
failed), "skipped" if skipped, else "passed" (an expected failure passes).
"""

from __future__ import annotations

import os
import sys

# Run by path, sys.path[0] is the engine's package folder, whose module names
# (sandbox, benchmark, ...) would shadow the project's. Behave like
# ``python -m pytest`` instead: the working directory comes first. Only os and
# sys (loaded by the interpreter already) are imported before this fix.
if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
    sys.path[0] = os.getcwd()

import argparse  # noqa: E402
import json  # noqa: E402
from typing import Any  # noqa: E402

OUTCOME_ORDER = ("passed", "skipped", "failed", "error")


class Collector:
    """A pytest plugin recording the outcome of every phase of every test."""

    def __init__(self) -> None:
        self.collected = 0
        self.phases: dict[str, dict[str, str]] = {}
        self.durations: dict[str, float] = {}
        self.collection_errors: list[str] = []
        self.memory_errors: list[str] = []

    def pytest_collection_finish(self, session: Any) -> None:
        self.collected = len(session.items)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.collection_errors.append(report.nodeid)

    def pytest_runtest_logreport(self, report: Any) -> None:
        self.phases.setdefault(report.nodeid, {})[report.when] = phase_outcome(report)
        if report.failed and "MemoryError" in str(report.longrepr)[-4000:]:
            self.memory_errors.append(report.nodeid)
        if report.when == "call":
            self.durations[report.nodeid] = report.duration

    def outcomes(self) -> dict[str, str]:
        return {nodeid: combine(phases) for nodeid, phases in self.phases.items()}


def phase_outcome(report: Any) -> str:
    """One phase's outcome, with xfail turned into passed and xpass into failed."""
    xfail = hasattr(report, "wasxfail")
    if report.failed:
        return "failed"
    if report.skipped:
        return "passed" if xfail else "skipped"
    return "failed" if xfail and report.when == "call" else "passed"


def combine(phases: dict[str, str]) -> str:
    if "failed" in (phases.get("setup"), phases.get("teardown")):
        return "error"
    return max(phases.values(), key=OUTCOME_ORDER.index, default="error")


def coverage_percent(cov: Any, files: list[str]) -> float | None:
    """Percent of statements executed over ``files``; None if they have none.

    A file coverage cannot analyse (unreadable, not Python) counts as having
    no statements rather than stopping the record from being written.
    """
    statements = missing = 0
    for path in files:
        try:
            _, stmts, _, miss, _ = cov.analysis2(path)
        except Exception as exc:  # coverage raises its own NoSource/NotPython
            print(f"_testrunner: cannot analyse {path}: {exc}", file=sys.stderr)
            continue
        statements += len(stmts)
        missing += len(miss)
    return None if statements == 0 else 100.0 * (statements - missing) / statements


def write_atomically(path: str, record: dict[str, Any]) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(record, fh, indent=1, sort_keys=True)
    os.replace(tmp, path)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="where to write the JSON record")
    parser.add_argument("--cover", action="append", default=[], help="a file whose coverage counts")
    parser.add_argument("--no-cover", action="store_true", help="do not measure coverage")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: passed to pytest")
    args = parser.parse_args(argv)
    if args.pytest_args[:1] == ["--"]:
        args.pytest_args = args.pytest_args[1:]
    # Absolute now: a test may chdir before we write.
    args.out = os.path.abspath(args.out)
    args.cover = [os.path.abspath(p) for p in args.cover]
    return args


def start_coverage(files: list[str]) -> Any:
    """Coverage of ``files`` only, ignoring the project's own coverage config."""
    import coverage

    cov = coverage.Coverage(include=files, data_file=None, config_file=False)
    cov.set_option("run:disable_warnings", ["no-data-collected", "module-not-measured"])
    cov.start()
    return cov


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    cov = None if args.no_cover else start_coverage(args.cover)
    import pytest

    collector = Collector()
    try:
        exit_code = int(pytest.main(args.pytest_args + ["-q", "-p", "no:cacheprovider"], plugins=[collector]))
    finally:
        if cov is not None:
            cov.stop()
    write_atomically(args.out, {
        "exit_code": exit_code,
        "collected": collector.collected,
        "tests": collector.outcomes(),
        "durations": collector.durations,
        "coverage": None if cov is None else coverage_percent(cov, args.cover),
        "collection_errors": collector.collection_errors,
        "memory_errors": collector.memory_errors,
    })
    return exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
