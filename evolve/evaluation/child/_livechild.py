"""What a child of the live test server does: isolate itself, become the variant, run tests.

A script loaded by path by ``_liveserver.py`` (stdlib, pytest and the sibling
scripts ``_prologue``, ``_testrunner`` and ``_privdrop`` only, never ``evolve``); its
functions run in the forked child, except ``brief_failures``, which the server
installs once before forking, and the two small classes the server also
uses. The child isolates itself exactly like a ``_forkserver`` child
(``_prologue.isolate``: own session, resource limits, the sandbox user, parent
death signal, scrubbed environment), makes the variant's changes in the live session
(``func.__code__ = new`` in the existing function objects; re-executing the
module would leave the tests' ``from m import f`` bindings on the old
function), runs the listed items through pytest's own
``pytest_runtest_protocol`` and writes one JSON line per test on a pipe.
"""

from __future__ import annotations

import base64
import importlib
import json
import linecache
import marshal
import os
import runpy
import sys
import threading
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

_HERE = os.path.dirname(os.path.realpath(__file__))
SWAP_FAILED = "swap_failed"
SPAWNED = "spawned"
INTERRUPTED = "interrupted"
_FORMATTING = False
"""True while this module formats a failure report (its source reads are not the test's)."""
SPAWN_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                          "os.fork", "os.forkpty", "pty.spawn"})


# The shared child prologue, loaded by path (this folder is not on ``sys.path``, on purpose).
prologue = types.SimpleNamespace(**runpy.run_path(os.path.join(_HERE, "_prologue.py")))
load = prologue.load
_runner = load("_testrunner")


class Targets:
    """The target files: relative name as the client knows it <-> real path, with a fast lookup."""

    def __init__(self, files: list[str]) -> None:
        self.by_path = {os.path.realpath(f): f for f in files}
        self._seen: dict[str, str | None] = {}

    def name(self, filename: str) -> str | None:
        """The client's name of the file a code object comes from, or None if it is not a target."""
        try:
            return self._seen[filename]
        except KeyError:
            found = self.by_path.get(os.path.realpath(filename))
            self._seen[filename] = found
            return found

    @property
    def paths(self) -> list[str]:
        return sorted(self.by_path)


class CallRecorder:
    """Which target functions are called, under a label the caller moves (``sys.setprofile``)."""

    def __init__(self, targets: Targets) -> None:
        self.targets = targets
        self.label = ""
        self.calls: dict[str, set[tuple[str, str]]] = {}

    def __call__(self, frame: types.FrameType, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            name = self.targets.name(code.co_filename)
            if name is not None:
                self.calls.setdefault(self.label, set()).add((name, code.co_qualname))

    def start(self) -> None:
        threading.setprofile(self)
        sys.setprofile(self)

    def stop(self) -> None:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]


def docstring(code: types.CodeType) -> str | None:
    """The docstring a function made from ``code`` starts with (its first constant, if a string)."""
    first = code.co_consts[0] if code.co_consts else None
    return first if isinstance(first, str) else None


def _variant_code(shipped: str, source: str, path: str) -> types.CodeType:
    """The variant module's code: as the engine compiled it if it came along, else compiled here."""
    if shipped:
        try:
            code = marshal.loads(base64.b64decode(shipped))
        except (ValueError, EOFError, TypeError):  # another interpreter's format: compile instead
            code = None
        if isinstance(code, types.CodeType):
            return _placed(code, path)
    return compile(source, path, "exec", dont_inherit=True)


def _placed(code: types.CodeType, path: str) -> types.CodeType:
    """``code`` with its file (and that of every code object in it) set to ``path``."""
    consts = tuple(_placed(c, path) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=path, co_consts=consts)


def _code_units(code: types.CodeType) -> Iterator[types.CodeType]:
    """Every code object nested in ``code`` (functions, methods, class bodies, lambdas...)."""
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield const
            yield from _code_units(const)


def _doctests_from(live: Any, path: str) -> bool:
    """Whether the session collected doctests from the file at ``path`` (they were read at collection)."""
    return any(type(item).__name__ == "DoctestItem" and os.fspath(getattr(item, "path", "")) == os.fspath(path)
               for item in live.items.values())


def _swap(live: Any, sources: dict[str, str], swap: dict[str, Any]) -> str | None:
    """Put the variant's code into the live functions; why not, if it cannot be done faithfully.

    Everything is checked before anything changes, though a failure ends the
    child anyway: the client then sends the variant down the slow path.
    """
    planned: list[tuple[types.FunctionType, types.CodeType, bool]] = []
    for file, change in swap.items():
        path = next(p for p, n in live.targets.by_path.items() if n == file)
        module = _variant_code(change.get("code", ""), sources[file], path)
        found: dict[str, list[types.CodeType]] = {}
        for unit in _code_units(module):
            found.setdefault(unit.co_qualname, []).append(unit)
        for qualname in change.get("functions", ()):
            new = found.get(qualname, [])
            olds = live.functions.get(file, {}).get(qualname, [])
            if len(new) != 1 or not olds:
                return f"{file}:{qualname}: {len(new)} new code object(s), {len(olds)} live function(s)"
            for function in olds:
                if function.__code__.co_freevars != new[0].co_freevars:
                    return f"{file}:{qualname}: free variables differ"
                doc_changes = docstring(function.__code__) != docstring(new[0])
                if doc_changes and id(function) in live.fixed_docs:
                    return f"{file}:{qualname}: the docstring changed, and a copy of the old one is live"
                if doc_changes and _doctests_from(live, path):
                    return f"{file}:{qualname}: the docstring changed, and the session's doctests hold the old one"
                planned.append((function, new[0], doc_changes))
    for function, code, doc_changes in planned:
        if doc_changes:
            function.__doc__ = docstring(code)  # what a fresh import would have set at definition
        function.__code__ = code
    for file in swap:  # tracebacks and ``inspect.getsource`` show the variant's lines
        path = next(p for p, n in live.targets.by_path.items() if n == file)
        linecache.cache[path] = (len(sources[file]), None, sources[file].splitlines(True), path)
    return None


def _rebind(live: Any, swap: dict[str, Any]) -> str | None:
    """Rebind module-level names as a fresh import of the variant would have bound them.

    ``import functools`` first, then each new literal (evaluated in the
    module's namespace, as the import would), then each function that became
    ``functools.cache(function)``, wherever a module binds it (the server
    checked at start that nothing else holds it).
    """
    import functools

    for file, change in swap.items():
        namespace = live.modules[file].__dict__ if file in live.modules else None
        if namespace is None:
            return f"{file}: the module is not loaded"
        path = next(p for p, n in live.targets.by_path.items() if n == file)
        for name in change.get("imports", ()):
            module = importlib.import_module(name)
            if namespace.setdefault(name, module) is not module:
                return f"{file}: {name} is bound to something else"
        for name, value in change.get("constants", ()):
            namespace[name] = eval(compile(value, path, "eval", dont_inherit=True), namespace)  # noqa: S307
        for name in change.get("cached", ()):
            bindings = live.bindings.get((file, name))
            if not bindings:
                return f"{file}:{name}: held by more than module-level names"
            wrapper = functools.cache(namespace[name])
            for holder, key in bindings:
                holder[key] = wrapper
    return None


class Outcomes:
    """A plugin keeping each test's outcome with the runner's own rules.

    Registered once in the server (registering a plugin costs milliseconds);
    each child starts it afresh.
    """

    def __init__(self) -> None:
        self.collector = _runner.Collector()

    def reset(self) -> None:
        self.collector = _runner.Collector()

    def outcome(self, nodeid: str) -> tuple[str, float]:
        phases = self.collector.phases.get(nodeid, {})
        return _runner.combine(phases), float(self.collector.durations.get(nodeid, 0.0))

    def pytest_runtest_logreport(self, report: Any) -> None:
        self.collector.pytest_runtest_logreport(report)


class _Phases:
    """A plugin moving the call recorder's label to ``phase nodeid`` around each test phase (profile only)."""

    def __init__(self, recorder: CallRecorder) -> None:
        self.recorder = recorder

    def _around(self, phase: str, item: Any) -> Iterator[None]:
        # A target's lines cached by an earlier traceback would let a test read its source without opening
        # the file (``inspect.getsource``): forget them, so that every read is an ``open`` the audit sees.
        for name in [name for name in linecache.cache if self.recorder.targets.name(name) is not None]:
            del linecache.cache[name]
        self.recorder.label = f"{phase} {item.nodeid}"
        try:
            return (yield)
        finally:
            self.recorder.label = ""

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_setup(self, item: Any) -> Iterator[None]:
        return (yield from self._around("setup", item))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item: Any) -> Iterator[None]:
        return (yield from self._around("call", item))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_teardown(self, item: Any) -> Iterator[None]:
        return (yield from self._around("teardown", item))


def _run_items(live: Any, nodeids: list[str], sink: Any, screen: bool,
               extra: Callable[[str], dict[str, Any]] | None = None) -> bool:
    """Run ``nodeids`` in order; one line per test on ``sink``; False if screening stopped early."""
    outcomes = live.outcomes
    outcomes.reset()
    hook = live.session.config.hook
    for i, nodeid in enumerate(nodeids):
        item = live.items[nodeid]
        nextitem = live.items[nodeids[i + 1]] if i + 1 < len(nodeids) else None
        try:
            hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        except (KeyboardInterrupt, pytest.exit.Exception):  # pytest would stop the session here
            sink.write(json.dumps({INTERRUPTED: nodeid, "outcome": outcomes.outcome(nodeid)[0]}) + "\n")
            return False
        outcome, duration = outcomes.outcome(nodeid)
        line = {"test": nodeid, "outcome": outcome, "duration": duration,
                "memory_error": nodeid in getattr(outcomes.collector, "memory_errors", ()),
                **(extra(nodeid) if extra else {})}
        sink.write(json.dumps(line) + "\n")
        sink.flush()
        if screen and outcome not in ("passed", "skipped") and nextitem is not None:
            return False
    return True


def _run(live: Any, request: dict[str, Any], sink: Any) -> None:
    why = _swap(live, request["sources"], request["swap"])
    why = why or _rebind(live, request["swap"])
    if why is not None:
        sink.write(json.dumps({SWAP_FAILED: why}) + "\n")
        return
    _report_spawns(sink)
    complete = _run_items(live, request["tests"], sink, bool(request.get("screen")))
    sink.write(json.dumps({"done": True, "complete": complete}) + "\n")


def _report_spawns(sink: Any) -> None:
    """Say at once (the child may not live to say it later) that the variant started a process.

    The baseline starts none (the client checked), so the variant's own
    code does. A new process sees the project on disk, which is the
    baseline's here, and every process it forks runs on with this child's
    state: what a fresh run makes of that is for the slow path to find out.
    """
    said = False

    def audit(event: str, args: tuple[Any, ...]) -> None:
        nonlocal said
        if event in SPAWN_EVENTS and not said:
            said = True
            sink.write(json.dumps({SPAWNED: event}) + "\n")
            sink.flush()

    sys.addaudithook(audit)


def _profile(live: Any, request: dict[str, Any], sink: Any) -> None:
    recorder = CallRecorder(live.targets)
    spawned: set[str] = set()
    reloaded: set[str] = set()

    read_sources: set[str] = set()

    def audit(event: str, args: tuple[Any, ...]) -> None:
        label = recorder.label.partition(" ")[2] or "<session>"
        if event in SPAWN_EVENTS:
            spawned.add(label)
        elif event == "exec" and args and isinstance(args[0], types.CodeType):
            if live.targets.name(args[0].co_filename) is not None:
                reloaded.add(label)
        elif event == "open" and args and isinstance(args[0], str) and not _FORMATTING:
            if recorder.label and live.targets.name(args[0]) is not None:
                read_sources.add(label)  # a test reads a target's text: the live copy is the baseline's

    sys.addaudithook(audit)  # cannot be removed; this child ends after the profile anyway
    live.session.config.pluginmanager.register(_Phases(recorder), "evolve-live-phases")
    recorder.start()

    def calls(nodeid: str) -> dict[str, Any]:
        return {"calls": sorted(recorder.calls.get(f"call {nodeid}", ())),
                "fixture_calls": sorted({*recorder.calls.get(f"setup {nodeid}", ()),
                                         *recorder.calls.get(f"teardown {nodeid}", ())})}

    _run_items(live, list(live.items), sink, screen=False, extra=calls)
    recorder.stop()
    sink.write(json.dumps({"done": True, "complete": True, "outside_calls": sorted(recorder.calls.get("", ())),
                           "spawned": sorted(spawned), "reloaded": sorted(reloaded),
                           "read_sources": sorted(read_sources)}) + "\n")


def child(live: Any, request: dict[str, Any], write_fd: int, private: tuple[int, ...]) -> None:
    """In the forked child: isolate, limit, do the request, never return."""

    def body() -> int:
        for fd in private:
            os.close(fd)  # the client's pipes: a variant must not be able to write an answer
        prologue.isolate(request)
        with os.fdopen(write_fd, "w", encoding="utf-8") as sink:
            (_profile if request["kind"] == "profile" else _run)(live, request, sink)
        return 0

    prologue.run_then_exit(body)


def brief_failures() -> None:
    """Report a failure by its exception lines only, not a formatted traceback.

    Formatting a traceback (source lines, statement ranges, assertion
    introspection) costs more than running a small test, and no answer of
    this server shows it. One thing reads it: the runner counts a failure
    whose report mentions ``MemoryError`` as running out of memory. So a
    failure is formatted in full whenever the word could appear in the full
    report: in an exception of the chain, or in the source of a file the
    traceback passes through. Where pytest has moved the hook, failures are
    always formatted in full.
    """
    from _pytest import reports

    full = getattr(reports, "_format_failed_longrepr", None)
    if not callable(full):
        return

    def brief(item: Any, call: Any, excinfo: Any) -> Any:
        global _FORMATTING
        _FORMATTING = True  # reading sources for a report is ours, not the test's
        try:
            text = _chain_text(excinfo.value)
            if "MemoryError" in text or _sources_mention(excinfo.tb, "MemoryError"):
                return full(item, call, excinfo)
            return text
        finally:
            _FORMATTING = False

    reports._format_failed_longrepr = brief


def _chain_text(error: BaseException) -> str:
    """The exception lines of ``error`` and of the exceptions chained to it (each once)."""
    import traceback

    lines: list[str] = []
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending and len(seen) < 100:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        lines += traceback.format_exception_only(type(current), current)
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
    return "".join(lines)


def _sources_mention(tb: Any, word: str) -> bool:
    """Whether a file the traceback passes through mentions ``word`` (the calling machinery aside)."""
    seen: set[str] = set()
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename not in seen and not filename.startswith(_PYTEST_PATHS):
            seen.add(filename)
            if any(word in line for line in linecache.getlines(filename)):
                return True
        tb = tb.tb_next
    return False


_PYTEST_PATHS = (_HERE + os.sep, *(os.path.dirname(m.__file__) + os.sep for m in (
    pytest, importlib.import_module("_pytest"), importlib.import_module("pluggy"))))
"""Files of the machinery that calls a test: pytest prunes them from the reports it formats."""
