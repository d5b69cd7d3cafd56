"""``_senses.py tests``: which lines each test runs, one coverage context per pytest node id.

Loaded by path by ``_senses.py`` (standard library, pytest and coverage only,
never ``evolve``); never run on its own.

The suite runs once under coverage.py, and a pytest plugin calls
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
A failing test whose exception passed through a target file leaves its crash
(``Crashes``): the innermost target frame, the exception as one line and the
frame's variables that held ``None``; a test that hangs leaves the line its
deadline interrupted.
Record: ``{"outcomes": {nodeid: outcome}, "lines": {context: {file: [line]}},
"partial": [nodeid], "crashes": {nodeid: {"file": name, "line": int, "error": str, "nones": [name]}},
"core": str, "exit_code": int, "error": str|null}``.
"""

from __future__ import annotations

import argparse
import sys
from types import ModuleType
from typing import Any


class Contexts:
    """One coverage context per test, and a re-installed hook when the old one is gone.

    ``plugin()`` wraps it in the pytest hookwrappers that call it.
    """

    def __init__(self, cov: Any) -> None:
        self.cov = cov
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

        return Plugin()


class Crashes:
    """Where each failing test's exception left the target files: its innermost frame in one of them.

    ``paths`` are the target files' absolute paths and ``names`` the names to
    report them by (same order). The names of that frame's variables that
    held ``None`` are kept (``nones``). A frame still on its ``def`` line
    (the recursion limit struck as it was entered) counts as its caller's.
    Only the first failing phase of a test counts; an exception raised in
    the test's own code without passing through a target file leaves nothing.
    """

    def __init__(self, paths: list[str], names: list[str], runner: ModuleType) -> None:
        import os

        self.names = {os.path.realpath(p): n for p, n in zip(paths, names)}
        self.runner = runner
        self.found: dict[str, dict[str, Any]] = {}

    def record(self, nodeid: str, excinfo: Any) -> None:
        import os

        if nodeid in self.found or excinfo is None:
            return
        for entry in reversed(list(excinfo.traceback)):
            name = self.names.get(os.path.realpath(str(entry.path)))
            if name is not None and entry.lineno != entry.frame.code.firstlineno:
                try:
                    said = str(excinfo.value)
                except Exception:  # noqa: BLE001 - the project's own __str__ may fail: the type is enough
                    said = ""
                error = self.runner.first_line(f"{excinfo.typename}: {said}" if said else excinfo.typename)
                self.found[nodeid] = {"file": name, "line": int(entry.lineno) + 1, "error": error,
                                      "nones": nones(entry.frame.f_locals)}
                return

    def plugin(self) -> Any:
        import pytest

        crashes = self

        class Plugin:
            @pytest.hookimpl(hookwrapper=True)
            def pytest_runtest_makereport(self, item: Any, call: Any) -> Any:
                outcome = yield
                if outcome.get_result().failed:
                    crashes.record(item.nodeid, call.excinfo)

        return Plugin()


def nones(variables: Any, limit: int = 20) -> list[str]:
    """The names of a frame's variables that hold ``None`` (an identity test: no code of theirs runs)."""
    try:
        return sorted(str(k) for k, v in dict(variables).items() if v is None)[:limit]
    except Exception:  # noqa: BLE001 - a frame whose locals cannot be listed just names none
        return []


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


def sense_tests(args: argparse.Namespace, runner: ModuleType) -> dict[str, Any]:
    """Run the suite once under coverage, one context per test; the ``tests`` record.

    ``runner`` is the sibling ``_testrunner`` script (its collector, session guard and error helpers),
    loaded by path by ``_senses.py``.
    """
    cov, core = start_coverage(args.cover, args.core)
    import pytest

    collector, guard = runner.Collector(), runner.session_guard()
    sensing = Contexts(cov)
    crashes = Crashes(args.cover, args.cover_names, runner)
    error: str | None = None
    try:
        exit_code = int(pytest.main(args.pytest_args + ["-q", "-p", "no:cacheprovider"],
                                    plugins=[collector, guard, sensing.plugin(), crashes.plugin(),
                                             *([runner.deadline_plugin(args.test_seconds,
                                                                       " while evolve measured coverage")]
                                               if args.test_seconds else [])]))
    except Exception as exc:  # pytest lets some start-up errors out
        exit_code, error = runner.USAGE_ERROR, runner.first_line(f"{type(exc).__name__}: {exc}")
    finally:
        if sensing.lost():
            sensing.restart()  # stop() must not meet a foreign hook
        cov.stop()
    return {"outcomes": collector.outcomes(), "lines": lines_by_context(cov, args.cover, args.cover_names),
            "partial": sensing.partial, "crashes": crashes.found, "restarts": sensing.restarts, "core": core,
            "exit_code": exit_code, "error": error}
