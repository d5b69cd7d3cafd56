"""A live test server: one pytest session, collected once, forked per variant.

This is a script run by path (stdlib, pytest and the sibling scripts
``_testrunner`` and ``_privdrop``, never ``evolve``), one per evaluation
worker, in that worker's own copy of the *baseline* project. It runs
``pytest.main`` there; when pytest reaches its test loop, this plugin takes it
over and serves requests instead of running the tests, so every child is
forked from a session that is configured and collected, with its fixtures
resolved, but has run nothing. That is the ~7 ms row of DESIGN.md's table
instead of the ~60 ms of a full ``pytest.main`` per variant.

Per request the server forks one child, which isolates itself exactly like a
``_forkserver`` child (own session, resource limits, the sandbox user, parent
death signal, scrubbed environment), then:

- ``run``: swaps each changed function's code into the *existing* function
  objects (``func.__code__ = new``; re-executing the module would leave the
  tests' ``from m import f`` bindings on the old function), runs the listed
  items through pytest's own ``pytest_runtest_protocol`` hook (fixtures,
  marks, warnings filters and plugins apply as in a normal run; terminal
  output goes to a file nobody reads), streams each test's outcome back on a
  pipe, and exits with ``os._exit``.
- ``profile``: runs every item in collection order, recording per test the
  target functions it called (``sys.setprofile``, split into the test's own
  call phase and fixture setup/teardown), its outcome and duration, and
  whether it started a process or re-executed a target module (audit hooks).
  The client builds its test->function map from this.

What ran in the server itself is reported once, at start: the target
functions called while pytest started and collected (a variant changing one
of them cannot be swapped: its effect happened at import), the live function
objects per qualified name, and generator objects of target code that are
alive (they keep their old frames).

The ``MemoryError`` rule of ``_testrunner`` (a failure whose report mentions
it counts as running out of memory) holds here too; see ``_brief_failures``.
The server stops by itself after ``IDLE_SECONDS`` without a request, or when
its folder is deleted.

Protocol: one JSON request per line on stdin, one JSON answer per line on
stdout; both are moved to private descriptors at start and closed in every
child, so nothing a variant prints reaches the client. The wall deadline is
enforced here (the child's whole group is killed). EOF on stdin ends it.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]
sys.path.insert(0, os.getcwd())  # like ``python -m pytest``: the project folder first

import argparse  # noqa: E402
import base64  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import linecache  # noqa: E402
import marshal  # noqa: E402
import resource  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

OUTPUT_TAIL = 2000
RECORDS_CAP = 16 * 1024**2
"""Bytes read from one child's result pipe at most; a child writing more is cut off."""
DRAIN_GRACE_SECONDS = 1.0
IDLE_SECONDS = 120.0
IDLE_CHECK_SECONDS = 5.0
SWAP_FAILED = "swap_failed"
SPAWN_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                          "os.fork", "os.forkpty", "pty.spawn"})


def _load(name: str) -> Any:
    """Load a sibling script by path (this folder is not on ``sys.path``, on purpose)."""
    spec = importlib.util.spec_from_file_location(f"_evolve{name}", os.path.join(_HERE, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_privdrop = _load("_privdrop")
_runner = _load("_testrunner")


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


class Session:
    """The collected session, the live target functions, and what happened while collecting."""

    def __init__(self, session: Any, targets: Targets, startup: CallRecorder) -> None:
        self.session = session
        self.targets = targets
        self.items = {item.nodeid: item for item in session.items}
        self.functions: dict[str, dict[str, list[types.FunctionType]]] = {}
        self.pinned: set[tuple[str, str]] = set()
        self.fixed_docs: set[int] = set()
        """Ids of live functions whose ``__doc__`` was copied by a wrapper or changed after definition."""
        for obj in gc.get_objects():
            if type(obj) is dict and isinstance(obj.get("__wrapped__"), types.FunctionType):
                self.fixed_docs.add(id(obj["__wrapped__"]))  # a functools.wraps wrapper's __dict__
            code = getattr(obj, "__code__", None) if isinstance(obj, types.FunctionType) else None
            if code is not None:
                name = targets.name(code.co_filename)
                if name is not None:
                    self.functions.setdefault(name, {}).setdefault(code.co_qualname, []).append(obj)
                    if obj.__doc__ != _docstring(code):
                        self.fixed_docs.add(id(obj))
            elif isinstance(obj, (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)):
                frame_code = getattr(obj, "gi_code", None) or getattr(obj, "cr_code", None) or obj.ag_code
                name = targets.name(frame_code.co_filename)
                if name is not None:
                    self.pinned.add((name, frame_code.co_qualname))
        self.import_calls = sorted(set().union(*startup.calls.values())) if startup.calls else []
        self.modules = {name: m for m in list(sys.modules.values())
                        if isinstance(getattr(m, "__file__", None), str)
                        and (name := targets.name(m.__file__)) is not None}
        self.bindings = _bindings(self.functions, self.modules)
        self.mentioned = _mentioned(os.getcwd(), set(targets.paths))
        self.phases = _Phases()
        session.config.pluginmanager.register(self.phases, "evolve-live-phases")

    def ready(self) -> dict[str, Any]:
        return {
            "ready": True, "pid": os.getpid(), "tests": list(self.items),
            "functions": {f: {q: len(v) for q, v in quals.items()} for f, quals in self.functions.items()},
            "import_calls": self.import_calls, "pinned": sorted(self.pinned),
            "rebindable": sorted(self.bindings), "mentioned": sorted(self.mentioned),
        }


# ------------------------------------------------------------------ the child


def _isolate(request: dict[str, Any]) -> None:
    """What every child does first: the same steps, in the same order, as a ``_forkserver`` child."""
    os.setsid()
    for name, (soft, hard) in request["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))
    fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if request.get("user"):
        _privdrop.drop_to(*request["user"])
    _privdrop.die_with_parent()
    sys.dont_write_bytecode = True
    os.environ.clear()
    os.environ.update(request["env"])
    import tempfile

    tempfile.tempdir = None  # the session may have asked before: ask the scrubbed environment again
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)


def _docstring(code: types.CodeType) -> str | None:
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


def _swap(live: Session, sources: dict[str, str], swap: dict[str, Any]) -> str | None:
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
                doc_changes = _docstring(function.__code__) != _docstring(new[0])
                if doc_changes and id(function) in live.fixed_docs:
                    return f"{file}:{qualname}: the docstring changed, and a copy of the old one is live"
                planned.append((function, new[0], doc_changes))
    for function, code, doc_changes in planned:
        if doc_changes:
            function.__doc__ = _docstring(code)  # what a fresh import would have set at definition
        function.__code__ = code
    for file in swap:  # tracebacks and ``inspect.getsource`` show the variant's lines
        path = next(p for p, n in live.targets.by_path.items() if n == file)
        linecache.cache[path] = (len(sources[file]), None, sources[file].splitlines(True), path)
    return None


def _rebind(live: Session, swap: dict[str, Any]) -> str | None:
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


def _bindings(functions: dict[str, dict[str, list[types.FunctionType]]],
              modules: dict[str, types.ModuleType]) -> dict[tuple[str, str], list[tuple[dict[str, Any], str]]]:
    """Module-level target functions that only module namespaces hold, with where they hold them.

    A function a variant decorates is replaced by its wrapper wherever it is
    bound. That is only the variant's behaviour if nothing else holds the
    old function: not a list, a class, a closure, a test's parameters. One
    scan of the heap (``gc.get_referrers``) tells, once, at start.
    """
    candidates: dict[int, tuple[str, str]] = {}
    chosen: list[types.FunctionType] = []
    for file, by_name in functions.items():
        namespace = modules[file].__dict__ if file in modules else {}
        for name, found in by_name.items():
            if "." not in name and len(found) == 1 and namespace.get(name) is found[0] and not found[0].__dict__:
                candidates[id(found[0])] = (file, name)
                chosen.append(found[0])
    if not chosen:
        return {}
    namespaces = {id(m.__dict__) for m in list(sys.modules.values()) if isinstance(m, types.ModuleType)}
    own = {id(chosen), id(candidates), *(id(v) for by_name in functions.values() for v in by_name.values())}
    held: dict[int, list[tuple[dict[str, Any], str]]] = {key: [] for key in candidates}
    refused: set[int] = set()
    for holder in gc.get_referrers(*chosen):
        if id(holder) in own or isinstance(holder, types.FrameType):
            continue
        if id(holder) in namespaces:
            held_here = [(key, value) for key, value in list(holder.items()) if id(value) in candidates]
            for key, value in held_here:
                held[id(value)].append((holder, key))
        else:
            refused.update(id(o) for o in gc.get_referents(holder) if id(o) in candidates)
    return {candidates[k]: v for k, v in held.items() if k not in refused and v}


def _mentioned(root: str, targets: set[str]) -> set[str]:
    """Every identifier-like word in the project's other Python files (tests, conftest, modules).

    A rebound constant that another file mentions may have been copied or
    used at import (``CASES = [w for w in WORDS]``): such a variant takes the
    slow path. Words in comments and strings count too, to be safe.
    """
    import re

    words: set[str] = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        for name in files:
            path = os.path.realpath(os.path.join(folder, name))
            if name.endswith(".py") and path not in targets:
                try:
                    with open(path, encoding="utf-8", errors="replace") as handle:
                        words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", handle.read()))
                except OSError:
                    continue
    return words


class _Phases:
    """A plugin that labels each test phase: outcomes per test, and the call recorder's label.

    Registered once in the server (registering a plugin costs milliseconds);
    children reset it. Outside ``profile`` the recorder is None.
    """

    def __init__(self) -> None:
        self.collector = _runner.Collector()
        self.recorder: CallRecorder | None = None

    def reset(self) -> None:
        self.collector = _runner.Collector()

    def outcome(self, nodeid: str) -> tuple[str, float]:
        phases = self.collector.phases.get(nodeid, {})
        return _runner.combine(phases), float(self.collector.durations.get(nodeid, 0.0))

    def pytest_runtest_logreport(self, report: Any) -> None:
        self.collector.pytest_runtest_logreport(report)

    def _around(self, phase: str, item: Any) -> Iterator[None]:
        if self.recorder is None:
            return (yield)
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


def _run_items(live: Session, nodeids: list[str], sink: Any, screen: bool,
               extra: Callable[[str], dict[str, Any]] | None = None) -> bool:
    """Run ``nodeids`` in order; one line per test on ``sink``; False if screening stopped early."""
    phases = live.phases
    phases.reset()
    hook = live.session.config.hook
    for i, nodeid in enumerate(nodeids):
        item = live.items[nodeid]
        nextitem = live.items[nodeids[i + 1]] if i + 1 < len(nodeids) else None
        hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        outcome, duration = phases.outcome(nodeid)
        line = {"test": nodeid, "outcome": outcome, "duration": duration,
                "memory_error": nodeid in getattr(phases.collector, "memory_errors", ()),
                **(extra(nodeid) if extra else {})}
        sink.write(json.dumps(line) + "\n")
        sink.flush()
        if screen and outcome not in ("passed", "skipped") and nextitem is not None:
            return False
    return True


def _run(live: Session, request: dict[str, Any], sink: Any) -> None:
    why = _swap(live, request["sources"], request["swap"])
    why = why or _rebind(live, request["swap"])
    if why is not None:
        sink.write(json.dumps({SWAP_FAILED: why}) + "\n")
        return
    complete = _run_items(live, request["tests"], sink, bool(request.get("screen")))
    sink.write(json.dumps({"done": True, "complete": complete}) + "\n")


def _profile(live: Session, request: dict[str, Any], sink: Any) -> None:
    recorder = CallRecorder(live.targets)
    spawned: set[str] = set()
    reloaded: set[str] = set()

    def audit(event: str, args: tuple[Any, ...]) -> None:
        label = recorder.label.partition(" ")[2] or "<session>"
        if event in SPAWN_EVENTS:
            spawned.add(label)
        elif event == "exec" and args and isinstance(args[0], types.CodeType):
            if live.targets.name(args[0].co_filename) is not None:
                reloaded.add(label)

    sys.addaudithook(audit)  # cannot be removed; this child ends after the profile anyway
    live.phases.recorder = recorder
    recorder.start()

    def calls(nodeid: str) -> dict[str, Any]:
        return {"calls": sorted(recorder.calls.get(f"call {nodeid}", ())),
                "fixture_calls": sorted({*recorder.calls.get(f"setup {nodeid}", ()),
                                         *recorder.calls.get(f"teardown {nodeid}", ())})}

    _run_items(live, list(live.items), sink, screen=False, extra=calls)
    recorder.stop()
    sink.write(json.dumps({"done": True, "complete": True, "outside_calls": sorted(recorder.calls.get("", ())),
                           "spawned": sorted(spawned), "reloaded": sorted(reloaded)}) + "\n")


def _child(live: Session, request: dict[str, Any], write_fd: int, private: tuple[int, ...]) -> None:
    """In the forked child: isolate, limit, do the request, never return."""
    code = 70
    try:
        for fd in private:
            os.close(fd)  # the client's pipes: a variant must not be able to write an answer
        _isolate(request)
        with os.fdopen(write_fd, "w", encoding="utf-8") as sink:
            (_profile if request["kind"] == "profile" else _run)(live, request, sink)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


# ------------------------------------------------------------------ the server


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _collect(read_fd: int, pid: int, deadline: float) -> tuple[bytes, bool]:
    """Read the child's records until it exits and the pipe closes; True if the deadline passed."""
    pidfd = os.pidfd_open(pid)
    chunks: list[bytes] = []
    size = 0
    exited = eof = timed_out = False
    try:
        while not (exited and eof):
            now = time.monotonic()
            if now >= deadline:
                if exited or timed_out:
                    break  # only a process that left the group still holds the pipe
                timed_out = True
                _kill_group(pid)
                deadline = now + DRAIN_GRACE_SECONDS
            watch = [fd for fd, done in ((read_fd, eof), (pidfd, exited)) if not done]
            ready, _, _ = select.select(watch, [], [], deadline - now)
            if pidfd in ready:
                exited = True
                _kill_group(pid)  # whatever it left behind in its group goes with it
                deadline = min(deadline, time.monotonic() + DRAIN_GRACE_SECONDS)
            if read_fd in ready:
                data = os.read(read_fd, 65536)
                if not data:
                    eof = True
                elif size < RECORDS_CAP:
                    chunks.append(data[: RECORDS_CAP - size])
                    size += len(chunks[-1])
    finally:
        os.close(pidfd)
    return b"".join(chunks), timed_out


def _records(data: bytes) -> list[Any]:
    out = []
    for line in data.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            break  # a torn last line: the child died writing it
    return out


def _serve_one(live: Session, request: dict[str, Any], private: tuple[int, ...]) -> dict[str, Any]:
    started = time.monotonic()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(live, request, write_fd, private)
    os.close(write_fd)
    try:
        data, timed_out = _collect(read_fd, pid, started + float(request["wall_seconds"]))
    finally:
        os.close(read_fd)
        _kill_group(pid)
        _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    records = _records(data)
    finished = bool(records) and bool(records[-1].get("done") or records[-1].get(SWAP_FAILED))
    return {
        "returncode": code if code >= 0 else None,
        "signal": -code if code < 0 else None,
        "timed_out": timed_out,
        "wall_seconds": time.monotonic() - started,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "records": records,
        "output": "" if finished else _tail(request["output"]),
    }


def _tail(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - OUTPUT_TAIL))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


class LivePlugin:
    """Takes over pytest's test loop: answer requests instead of running the tests."""

    def __init__(self, targets: Targets, startup: CallRecorder, requests: Any, answers: Any) -> None:
        self.targets, self.startup = targets, startup
        self.requests, self.answers = requests, answers
        self.served = False

    def _answer(self, message: dict[str, Any]) -> None:
        self.answers.write((json.dumps(message) + "\n").encode())
        self.answers.flush()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: Any) -> bool:
        self.startup.stop()
        self.served = True
        if session.testsfailed:
            self._answer({"ready": False, "reason": f"{session.testsfailed} error(s) during collection"})
            return True
        live = Session(session, self.targets, self.startup)
        _brief_failures()
        _warm(live)
        self._answer(live.ready())
        gc.collect()
        gc.freeze()  # children share the collected session copy-on-write
        private = (self.requests.fileno(), self.answers.fileno())
        for line in _requests(self.requests):
            if line.strip():
                self._answer(_serve_one(live, json.loads(line), private))
        return True


def _requests(stream: Any) -> Iterator[bytes]:
    """Request lines until EOF, or until the server is idle too long or its folder is gone.

    A client that forgets to stop its server (a process that never exits, a
    run folder deleted under it) does not leave it behind for long: the
    client starts a new one when it needs it again.
    """
    here = os.getcwd()
    idle_since = time.monotonic()
    while True:
        ready, _, _ = select.select([stream], [], [], IDLE_CHECK_SECONDS)
        if ready:
            line = stream.readline()
            if not line:
                return
            yield line
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since > IDLE_SECONDS or not os.path.isdir(here):
            return


def _warm(live: Session) -> None:
    """Compute in the server what every child would otherwise compute again for itself."""
    for item in live.items.values():
        try:
            item.location  # a cached property that reports read, and stat files to compute
        except Exception:
            pass
    for path in {*live.targets.paths, *(str(getattr(i, "path", "")) for i in live.items.values())}:
        linecache.getlines(path)



def _brief_failures() -> None:
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
        text = _chain_text(excinfo.value)
        if "MemoryError" in text or _sources_mention(excinfo.tb, "MemoryError"):
            return full(item, call, excinfo)
        return text

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


def _private_streams() -> tuple[Any, Any]:
    """Move the protocol off fds 0 and 1 (pytest's capturing redirects those) to private ones."""
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    return requests, answers


def main(argv: list[str]) -> int:
    _privdrop.die_with_parent()  # the worker that started us is gone: so are we
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", action="append", default=[], help="a target file (relative to here)")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: passed to pytest")
    args = parser.parse_args(argv)
    pytest_args = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
    requests, answers = _private_streams()
    targets = Targets(args.target)
    startup = CallRecorder(targets)
    startup.start()
    plugin = LivePlugin(targets, startup, requests, answers)
    try:
        code = pytest.main([*pytest_args, "-q", "-p", "no:cacheprovider"], plugins=[plugin])
    finally:
        startup.stop()
    if not plugin.served:
        plugin._answer({"ready": False, "reason": f"pytest ended before its test loop (exit code {int(code)})"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
