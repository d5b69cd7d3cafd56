"""Run a project's tests under coverage and write one JSON record of what happened.

This is a script, not a module of the engine: it runs by path inside a
variant's workspace, in a sandboxed process, as

    python /abs/path/_testrunner.py (--result-fd N | --out result.json) [--cover FILE ...] [--no-cover]
        [--test-seconds S] -- <pytest args>

so it imports only the standard library, pytest and coverage, never ``evolve``.
It writes ``{"exit_code", "collected", "tests", "durations", "coverage",
"executed", "collection_errors", "memory_errors"}`` (``executed``: per covered
file, the lines run) atomically (a reader never sees half a file; a missing
file means the process died) and exits with pytest's exit code. Also ``failures``: the first
line of each failing test's exception (``Failed: Timeout >1.0s``); ``error``: when pytest did
not run the tests it collected, or exited non-zero with none failing, pytest's own word for why
(a usage error, a plugin that does not import, a collection error, an exit status a plugin set).

The engine reads the record from ``--result-fd`` (or ``main(..., result_fd=)``): a pipe that only
this process was given, moved to a random close-on-exec descriptor before pytest or any project
code runs, and written once, at the very end. A variant that writes a record file, or exits early
(``os._exit(0)``), leaves the engine with no record, or one without the tests it did not run; the
engine counts both as not passed. ``--out`` (a file) is for people and tests.

``SessionGuard`` is a plugin for every pytest session evolve runs for a variant (this runner
and the live server): plugins whose work evolve does itself are switched off when, and only
when, they are loaded. pytest-xdist would spread the tests over its own workers (evolve
parallelises by variant and reads outcomes in-process), pytest-benchmark would time every
benchmark test (evolve times variants itself), pytest-cov would trace a second time, which
slows every test and blinds evolve's own coverage.

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
import re  # noqa: E402
import signal  # noqa: E402
from typing import Any  # noqa: E402

OUTCOME_ORDER = ("passed", "skipped", "failed", "error")
MAX_FAILURES, MAX_LINE = 20, 300
USAGE_ERROR = 4


class TestDeadline(Exception):
    """A test's call phase ran past its per-test deadline (raised inside the test by the interval timer)."""

    __test__ = False


def deadline_plugin(seconds: float, why: str = "") -> Any:
    """A pytest plugin that fails a test whose call phase runs past ``seconds`` of wall time.

    ``TestDeadline`` is raised inside the test (``SIGALRM`` from ``ITIMER_REAL``),
    so a test that loops forever fails like any other and the next test runs,
    as pytest-timeout's signal method does. ``why`` ends the failure's message.
    """
    import pytest

    class Deadline:
        @pytest.hookimpl(hookwrapper=True, tryfirst=True)
        def pytest_runtest_call(self, item: Any) -> Any:
            def expire(signum: int, frame: Any) -> None:
                raise TestDeadline(f"the test ran past {seconds:g} s{why}")

            previous = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                yield
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)

    return Deadline()


def first_line(text: str) -> str:
    """The first non-blank line of ``text``, stripped and cut to ``MAX_LINE``."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:MAX_LINE]


def crash_line(report: Any) -> str:
    """A failed report's exception as one line (``AssertionError: assert 1 == 2``), however pytest kept it."""
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    if crash is not None and getattr(crash, "message", ""):
        return first_line(crash.message)
    lines = str(getattr(report, "longrepr", "") or "").strip().splitlines()
    marked = [line[1:].strip() for line in lines if line.startswith("E ")]
    return (marked[-1] if marked else lines[-1].strip() if lines else "")[:MAX_LINE]


class Collector:
    """A pytest plugin recording the outcome of every phase of every test."""

    def __init__(self) -> None:
        self.collected = 0
        self.phases: dict[str, dict[str, str]] = {}
        self.durations: dict[str, float] = {}
        self.collection_errors: list[str] = []
        self.memory_errors: list[str] = []
        self.failures: dict[str, str] = {}
        self.collection_reasons: list[str] = []

    def pytest_collection_finish(self, session: Any) -> None:
        self.collected = len(session.items)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.collection_errors.append(report.nodeid)
            self.collection_reasons.append(f"{report.nodeid or 'collection'}: {crash_line(report)}")

    def pytest_runtest_logreport(self, report: Any) -> None:
        self.phases.setdefault(report.nodeid, {})[report.when] = phase_outcome(report)
        if report.failed and report.nodeid not in self.failures and len(self.failures) < MAX_FAILURES:
            self.failures[report.nodeid] = crash_line(report)
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


def session_guard() -> Any:
    """A new ``SessionGuard`` (see the module docstring); pytest is imported here, not at load."""
    import pytest

    class SessionGuard:
        """Switch off, in this session only, the loaded plugins whose work evolve does itself."""

        @pytest.hookimpl(hookwrapper=True)
        def pytest_load_initial_conftests(self, early_config: Any) -> Any:
            # pytest-cov starts tracing in its own implementation of this hook, before options are final
            if early_config.pluginmanager.hasplugin("pytest_cov"):  # its --cov-fail-under gate too: the
                early_config.known_args_namespace.no_cov = True  # final check runs the suite as people do
            yield

        @pytest.hookimpl(hookwrapper=True)
        def pytest_cmdline_main(self, config: Any) -> Any:
            option, loaded = config.option, config.pluginmanager.hasplugin
            if loaded("xdist"):  # -n / --dist from addopts: no workers of its own
                option.numprocesses, option.dist, option.tx = 0, "no", []
                option.distload = option.maxprocesses = option.looponfail = False
            if loaded("benchmark"):  # benchmark tests run once, as tests, untimed
                option.benchmark_disable, option.benchmark_only, option.benchmark_skip = True, False, False
            if loaded("pytest_cov"):
                option.no_cov = True
            yield

    return SessionGuard()


class Tail:
    """A text stream that passes everything on and keeps the last ``size`` characters (pytest's own
    words for why it stopped: usage errors, plugin messages, the summary)."""

    def __init__(self, stream: Any, size: int = 16_384) -> None:
        self.stream, self.size, self.kept = stream, size, ""

    def write(self, text: str) -> int:
        self.kept = (self.kept + text)[-self.size:]
        return self.stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def pytest_error(exit_code: int, collector: Collector, said: str) -> str | None:
    """Why pytest did not run the tests it collected, or failed with none failing (None: it ran them)."""
    failing = any(outcome in ("failed", "error") for outcome in collector.outcomes().values())
    if exit_code in (0, 5) or (failing and exit_code == 1):
        return None
    if collector.collection_reasons:
        more = len(collector.collection_reasons) - 1
        return f"collection error in {collector.collection_reasons[0]}" + (f" (and {more} more)" if more else "")
    lines = [line.strip() for line in said.splitlines() if line.strip() and not line.startswith(("===", "---"))]
    told = [line for line in lines if "error:" in line.lower() or line.startswith(("ERROR", "FAIL", "INTERNALERROR"))]
    line = told[-1] if told else lines[-1] if lines else f"pytest exit code {exit_code}"
    return re.sub(r"^ERROR: |^[\w.()-]+: error: ", "pytest: error: ", line)[:MAX_LINE]  # prog: pytest.main() too


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


def executed_lines(cov: Any, files: list[str], names: list[str]) -> dict[str, list[int]]:
    """Per target file (by its name as given on the command line), the line numbers the tests executed."""
    data = cov.get_data()
    out: dict[str, list[int]] = {}
    for path, name in zip(files, names):
        lines = data.lines(path)
        if lines:
            out[name] = sorted(lines)
    return out


def write_atomically(path: str, record: dict[str, Any]) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(record, fh, indent=1, sort_keys=True)
    os.replace(tmp, path)


def hide_channel(fd: int | None) -> int | None:
    """Move the result channel to a random high close-on-exec descriptor (None: no channel)."""
    if fd is None:
        return None
    import fcntl
    import random

    hidden = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, random.SystemRandom().randrange(256, 960))
    os.close(fd)
    return hidden


def send(fd: int, record: dict[str, Any]) -> None:
    """Write the whole record on the channel, then close it (the reader takes EOF as the end)."""
    data = json.dumps(record, sort_keys=True).encode("utf-8")
    try:
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="where to write the JSON record (a file)")
    parser.add_argument("--result-fd", type=int, help="the private pipe to send the JSON record on")
    parser.add_argument("--cover", action="append", default=[], help="a file whose coverage counts")
    parser.add_argument("--no-cover", action="store_true", help="do not measure coverage")
    parser.add_argument("--test-seconds", type=float, help="fail a test whose call runs past this many seconds")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: passed to pytest")
    args = parser.parse_args(argv)
    if args.pytest_args[:1] == ["--"]:
        args.pytest_args = args.pytest_args[1:]
    if args.out is None and args.result_fd is None:
        parser.error("one of --out or --result-fd is required")
    # Absolute now: a test may chdir before we write.
    args.out = args.out and os.path.abspath(args.out)
    args.cover_names = list(args.cover)
    args.cover = [os.path.abspath(p) for p in args.cover]
    return args


def start_coverage(files: list[str]) -> Any:
    """Coverage of ``files`` only, ignoring the project's own coverage config."""
    import coverage

    cov = coverage.Coverage(include=files, data_file=None, config_file=False)
    cov.set_option("run:disable_warnings", ["no-data-collected", "module-not-measured"])
    cov.start()
    return cov


def main(argv: list[str], result_fd: int | None = None) -> int:
    args = parse_args(argv if result_fd is None else ["--result-fd", str(result_fd), *argv])
    channel = hide_channel(args.result_fd)
    runner = os.getpid()  # a test that forks leaves copies of this process running the session on
    cov = None if args.no_cover else start_coverage(args.cover)
    import pytest

    collector, guard = Collector(), session_guard()
    plugins = [collector, guard]
    if args.test_seconds:
        plugins.append(deadline_plugin(args.test_seconds, ", its deadline in a run whose baseline hangs"))
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err = Tail(sys.stdout), Tail(sys.stderr)
    error: str | None = None
    try:
        exit_code = int(pytest.main(args.pytest_args + ["-q", "-p", "no:cacheprovider"], plugins=plugins))
    except Exception as exc:  # pytest lets some start-up errors out (a plugin named by -p that does not import)
        exit_code, error = USAGE_ERROR, first_line(f"{type(exc).__name__}: {exc}")
    finally:
        sys.stdout, sys.stderr = streams
        if cov is not None:
            cov.stop()
    record = {
        "exit_code": exit_code,
        "collected": collector.collected,
        "tests": collector.outcomes(),
        "durations": collector.durations,
        "coverage": None if cov is None else coverage_percent(cov, args.cover),
        "executed": {} if cov is None else executed_lines(cov, args.cover, args.cover_names),
        "collection_errors": collector.collection_errors,
        "memory_errors": collector.memory_errors,
        "failures": collector.failures,
        "error": error or pytest_error(exit_code, collector, err.kept + out.kept),
    }
    if os.getpid() != runner:  # a forked copy: the record is the runner's alone to send
        os._exit(exit_code)
    if channel is not None:
        send(channel, record)
    if args.out:
        write_atomically(args.out, record)
    return exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
