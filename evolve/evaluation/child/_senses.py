"""Sense the baseline once: which lines each test runs, and where the benchmark spends its time.

This is a script, not a module of the engine: it runs by path in a sandboxed
process in a copy of the project (standard library, pytest and coverage only,
never ``evolve``), as one of

    python _senses.py tests --result-fd N --cover FILE ... [--core C] [--test-seconds S] -- <pytest args>
    python _senses.py profile --result-fd N --cover FILE ... --kind callable|pytest --target T
                      [--number K] [--seconds S] [--min-samples M] [--round-seconds R]

and sends one JSON record on its private result channel (``--result-fd``,
hidden and written once, at the end, as ``_testrunner`` does).

``tests``: the suite runs once under coverage.py, and a pytest plugin calls
``Coverage.switch_context(nodeid)`` around each test's whole protocol (setup,
call, teardown), so the record holds exact pytest node ids (coverage's own
``dynamic_context = test_function`` would give function names, which merge
parametrised cases). Lines run outside any test (imports during collection)
come under ``""``. A trace hook can vanish in the middle of a run: CPython
drops a Python-level trace function when a ``RecursionError`` hits it
(coverage's pure-Python tracer, bpo-36474 / cpython#80655), and a test may call
``sys.settrace`` itself. After every test the plugin compares
``sys.gettrace()`` with the hook coverage installed; when it is gone, it
restarts coverage (the data so far is kept) and names the test in
``partial``: its lines are those run before the hook was lost. A test's call
phase gets ``--test-seconds`` (an interval timer raising in the test), so a
test that hangs at baseline fails instead of costing the whole measurement.
Record: ``{"outcomes": {nodeid: outcome}, "lines": {context: {file: [line]}},
"partial": [nodeid], "core": str, "exit_code": int, "error": str|null}``.

``profile``: a statistical profiler on ``ITIMER_PROF`` (process CPU time,
what the benchmark's fitness counts). At each tick the handler walks the
interrupted stack and keeps the frames of the target files, deepest first,
once per (file, line, function): the sample counts once for every line and
function on it, so a call line carries what its callee costs (inclusive
time), and the deepest target frame's line carries the time spent there and
in library code it called (self time). A frame stopped on an instruction
without a line (a loop's back edge, in CPython 3.11) counts at the line before
it. A round starts where a benchmark sample does, in a fresh fork that imports
the target: ``callable`` makes ``--number`` calls, again until the round has
used ``ROUND_CPU_SECONDS`` (the kernel ticks CPU timers at its own rate, often
250 Hz, so a short benchmark needs several passes to be seen); ``pytest`` runs
the one pytest-benchmark test with the timer on during its call phase. Rounds
repeat until ``--min-samples`` samples or ``--seconds`` of wall time. Record:
``{"files": [...], "functions": [[file index, qualname, first line]],
"stacks": [[count, [[file index, line, function index], ...]]], "samples":
int, "rounds": int, "error": str|null}``.
"""

from __future__ import annotations

import os
import sys

# Run by path, sys.path[0] is the engine's child folder; behave like ``python -m pytest``: the
# working directory (the project) comes first. Only os and sys are imported before this fix.
if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
    sys.path[0] = os.getcwd()

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from typing import Any  # noqa: E402

_HERE = os.path.dirname(os.path.realpath(__file__))
MAX_STACKS = 20_000
"""Distinct sampled stacks kept (the rarest beyond this are dropped and counted in ``dropped``)."""
INTERVAL = 0.001
ROUND_CPU_SECONDS = 0.25
"""A ``callable`` round repeats the sample's calls until it has used this much CPU time."""
"""The profiler's tick in CPU seconds; the kernel rounds CPU timers up to its own tick (often 4 ms)."""


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"_evolve{name}", os.path.join(_HERE, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_runner = _load("_testrunner")


class TestTimeout(Exception):
    """A test's call phase ran past ``--test-seconds`` (raised in the test by the interval timer)."""

    __test__ = False


# ---------------------------------------------------------------- coverage per test


class Contexts:
    """One coverage context per test, and a re-installed hook when the old one is gone.

    ``plugin()`` wraps it in the pytest hookwrappers that call it.
    """

    def __init__(self, cov: Any, test_seconds: float | None) -> None:
        self.cov, self.test_seconds = cov, test_seconds
        self.hook = sys.gettrace()
        self.partial: list[str] = []
        self.restarts = 0

    def lost(self) -> bool:
        return sys.gettrace() != self.hook

    def restart(self) -> None:
        """Coverage again, keeping what it measured so far (``stop`` flushes, ``start`` continues)."""
        self.cov.stop()
        self.cov.start()
        self.hook = sys.gettrace()
        self.restarts += 1

    def before(self, nodeid: str) -> None:
        if self.lost():  # lost outside any test (a fixture's teardown, a plugin): nobody to name
            self.restart()
        self.cov.switch_context(nodeid)

    def after(self, nodeid: str) -> None:
        if self.lost():
            self.partial.append(nodeid)
            self.restart()
        self.cov.switch_context("")

    def plugin(self) -> Any:
        import pytest

        sensing = self

        class Plugin:
            @pytest.hookimpl(hookwrapper=True, tryfirst=True)
            def pytest_runtest_protocol(self, item: Any, nextitem: Any) -> Any:
                sensing.before(item.nodeid)
                try:
                    yield
                finally:
                    sensing.after(item.nodeid)

            @pytest.hookimpl(hookwrapper=True, tryfirst=True)
            def pytest_runtest_call(self, item: Any) -> Any:
                seconds = sensing.test_seconds
                if not seconds:
                    yield
                    return

                def expire(signum: int, frame: Any) -> None:
                    raise TestTimeout(f"the test ran past {seconds:g} s while evolve measured coverage")

                previous = signal.signal(signal.SIGALRM, expire)
                signal.setitimer(signal.ITIMER_REAL, seconds)
                try:
                    yield
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, previous)

        return Plugin()


def start_coverage(files: list[str], core: str | None) -> tuple[Any, str]:
    """Coverage of ``files`` only (the project's own config ignored), with the core that can switch
    contexts: coverage's C tracer where it is built, else its Python tracer (never ``sys.monitoring``,
    which does not record dynamic contexts)."""
    import coverage

    if core is None:
        try:
            from coverage.tracer import CTracer  # noqa: F401

            core = "ctrace"
        except ImportError:
            core = "pytrace"
    cov = coverage.Coverage(include=files, data_file=None, config_file=False, timid=core == "pytrace")
    try:
        cov.set_option("run:core", core)
    except Exception:  # coverage before 7.4 has no core option; timid picked the tracer
        pass
    cov.set_option("run:disable_warnings", ["no-data-collected", "module-not-measured", "trace-changed"])
    cov.start()
    return cov, core


def lines_by_context(cov: Any, files: list[str], names: list[str]) -> dict[str, dict[str, list[int]]]:
    """{context: {file name as given: sorted lines}}; ``""`` is what ran outside every test."""
    data = cov.get_data()
    found: dict[str, dict[str, set[int]]] = {}
    for path, name in zip(files, names):
        for line, where in (data.contexts_by_lineno(path) or {}).items():
            for context in where or [""]:
                found.setdefault(context, {}).setdefault(name, set()).add(int(line))
    return {context: {name: sorted(lines) for name, lines in per.items()} for context, per in found.items()}


def sense_tests(args: argparse.Namespace) -> dict[str, Any]:
    cov, core = start_coverage(args.cover, args.core)
    import pytest

    collector, guard = _runner.Collector(), _runner.session_guard()
    sensing = Contexts(cov, args.test_seconds)
    error: str | None = None
    try:
        exit_code = int(pytest.main(args.pytest_args + ["-q", "-p", "no:cacheprovider"],
                                    plugins=[collector, guard, sensing.plugin()]))
    except Exception as exc:  # pytest lets some start-up errors out
        exit_code, error = _runner.USAGE_ERROR, _runner.first_line(f"{type(exc).__name__}: {exc}")
    finally:
        if sensing.lost():
            sensing.restart()  # stop() must not meet a foreign hook
        cov.stop()
    return {"outcomes": collector.outcomes(), "lines": lines_by_context(cov, args.cover, args.cover_names),
            "partial": sensing.partial, "restarts": sensing.restarts, "core": core, "exit_code": exit_code,
            "error": error}


# ---------------------------------------------------------------- the sampler


class Sampler:
    """Counts the target files' frames on the stack at every ``ITIMER_PROF`` tick."""

    def __init__(self, files: list[str]) -> None:
        self.files = {os.path.realpath(f): i for i, f in enumerate(files)}
        self.known: dict[str, int | None] = {}
        self.functions: dict[tuple[int, str, int], int] = {}
        self.stacks: Counter[tuple[tuple[int, int, int], ...]] = Counter()
        self.lines: dict[tuple[Any, int], int] = {}
        self.samples = 0

    def _file(self, filename: str) -> int | None:
        found = self.known.get(filename, -1)
        if found == -1:
            found = self.known[filename] = self.files.get(os.path.realpath(filename))
        return found

    def tick(self, signum: int, frame: Any) -> None:
        self.samples += 1
        seen: dict[tuple[int, int, int], None] = {}
        while frame is not None:
            code = frame.f_code
            fi = self._file(code.co_filename)
            if fi is not None:
                key = (fi, code.co_qualname, code.co_firstlineno)
                fn = self.functions.setdefault(key, len(self.functions))
                seen.setdefault((fi, frame.f_lineno or self._line_before(code, frame.f_lasti), fn), None)
            frame = frame.f_back
        if seen:
            self.stacks[tuple(seen)] += 1

    def _line_before(self, code: Any, offset: int) -> int:
        """The line of the last instruction before ``offset`` that has one.

        The interpreter runs signal handlers where it checks for them: at calls and at loops' back
        edges, and a back edge has no line of its own (CPython 3.11); the code just before it is
        the end of the loop's body."""
        key = (code, offset)
        found = self.lines.get(key)
        if found is None:
            found = code.co_firstlineno
            for start, _, line in code.co_lines():
                if start > offset:
                    break
                if line is not None:
                    found = line
            self.lines[key] = found
        return found

    def start(self) -> None:
        signal.signal(signal.SIGPROF, self.tick)
        signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_IGN)

    def take(self) -> dict[str, Any]:
        functions = sorted(self.functions.items(), key=lambda kv: kv[1])
        return {"samples": self.samples, "functions": [list(key) for key, _ in functions],
                "stacks": [[count, [list(frame) for frame in stack]] for stack, count in self.stacks.items()]}


def _round_callable(args: argparse.Namespace, sampler: Sampler) -> None:
    module_name, _, func_name = args.target.partition(":")
    func = getattr(importlib.import_module(module_name), func_name)
    clock = time.process_time
    start = clock()
    sampler.start()
    try:
        while True:  # at least one sample's worth of calls, more until the round has its CPU time
            for _ in range(args.number):
                func()
            if clock() - start >= ROUND_CPU_SECONDS:
                break
    finally:
        sampler.stop()


def _round_pytest(args: argparse.Namespace, sampler: Sampler) -> None:
    """One pytest session on the benchmark test, the sampler on only during its call phase."""
    import pytest

    class During:
        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_call(self, item: Any) -> Any:
            sampler.start()
            try:
                yield
            finally:
                sampler.stop()

    class Guard:  # no xdist workers and no second tracer; pytest-benchmark times as it does when measured
        @pytest.hookimpl(hookwrapper=True)
        def pytest_cmdline_main(self, config: Any) -> Any:
            option, loaded = config.option, config.pluginmanager.hasplugin
            if loaded("xdist"):
                option.numprocesses, option.dist, option.tx = 0, "no", []
            if loaded("pytest_cov"):
                option.no_cov = True
            yield

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    code = pytest.main([args.target, "-q", "-p", "no:cacheprovider"], plugins=[During(), Guard()])
    if int(code) != 0:
        raise RuntimeError(f"the benchmark test did not pass (pytest exit code {int(code)})")


def _one_round(args: argparse.Namespace) -> dict[str, Any]:
    """A round in a fresh fork, as one benchmark sample runs; its counts, or its error."""
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        message: dict[str, Any]
        try:
            signal.alarm(max(1, int(args.round_seconds)))
            sampler = Sampler(args.cover)
            (_round_pytest if args.kind == "pytest" else _round_callable)(args, sampler)
            message = sampler.take()
        except BaseException as exc:  # what the measured code raises is a result
            message = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        try:
            data = json.dumps(message).encode()
            while data:
                data = data[os.write(write_fd, data):]
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + args.round_seconds + 2
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([read_fd], [], [], remaining)[0]:
                return {"error": f"a round ran past {args.round_seconds:g} s"}
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        return {"error": "a round died without a result"}


def sense_profile(args: argparse.Namespace) -> dict[str, Any]:
    functions: dict[tuple[int, str, int], int] = {}
    stacks: Counter[tuple[tuple[int, int, int], ...]] = Counter()
    samples = rounds = 0
    error: str | None = None
    started = time.monotonic()
    while samples < args.min_samples and (rounds == 0 or time.monotonic() - started < args.seconds):
        found = _one_round(args)
        rounds += 1
        if "error" in found:
            error = str(found["error"])
            break
        local = [functions.setdefault((int(f), str(q), int(n)), len(functions)) for f, q, n in found["functions"]]
        for count, frames in found["stacks"]:
            stacks[tuple((int(f), int(line), local[int(fn)]) for f, line, fn in frames)] += int(count)
        samples += int(found["samples"])
    kept = stacks.most_common(MAX_STACKS)
    return {"files": args.cover_names, "kind": args.kind, "samples": samples, "rounds": rounds, "error": error,
            "functions": [list(key) for key, _ in sorted(functions.items(), key=lambda kv: kv[1])],
            "stacks": [[count, [list(frame) for frame in stack]] for stack, count in kept],
            "dropped": sum(stacks.values()) - sum(count for _, count in kept), "interval": INTERVAL}


# ---------------------------------------------------------------- command line


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("tests", "profile"))
    parser.add_argument("--result-fd", type=int, help="the private pipe to send the JSON record on")
    parser.add_argument("--out", help="or a file to write it to (for people and tests)")
    parser.add_argument("--cover", action="append", default=[], help="a target file")
    parser.add_argument("--core", choices=("ctrace", "pytrace"), help="coverage's tracer (default: C if built)")
    parser.add_argument("--test-seconds", type=float, help="the most a test's call phase may take")
    parser.add_argument("--kind", choices=("callable", "pytest"), default="callable")
    parser.add_argument("--target", help="package.module:function, or the benchmark test's node id")
    parser.add_argument("--number", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10.0, help="wall-time budget of the profile")
    parser.add_argument("--min-samples", type=int, default=400)
    parser.add_argument("--round-seconds", type=float, default=60.0)
    cut = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:cut])
    args.pytest_args = argv[cut + 1:]  # after --: passed to pytest
    if args.out is None and args.result_fd is None:
        parser.error("one of --out or --result-fd is required")
    args.out = args.out and os.path.abspath(args.out)
    args.cover_names = list(args.cover)
    args.cover = [os.path.abspath(p) for p in args.cover]
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    channel = _runner.hide_channel(args.result_fd)
    record = sense_tests(args) if args.what == "tests" else sense_profile(args)
    if channel is not None:
        _runner.send(channel, record)
    if args.out:
        _runner.write_atomically(args.out, record)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
