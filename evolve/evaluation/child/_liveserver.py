"""A live test server: one pytest session, collected once, forked per variant.

This is a script run by path (stdlib, pytest and the sibling scripts
``_prologue``, ``_livechild``, ``_testrunner`` and ``_privdrop``, never ``evolve``), one per
evaluation worker, in that worker's own copy of the *baseline* project. It
runs ``pytest.main`` there; when pytest reaches its test loop, this plugin
takes it over and serves requests instead of running the tests, so every
child is forked from a session that is configured and collected, with its
fixtures resolved, but has run nothing. That is the ~7 ms row of DESIGN.md's
table instead of the ~60 ms of a full ``pytest.main`` per variant.

Per request the server forks one child (``_livechild``: isolation like a
``_forkserver`` child, then the variant's changes and its tests):

- ``run``: swap the changed functions' code in, rebind names, run the listed
  items, one outcome per line on a pipe;
- ``profile``: run every item in collection order and record, per test, the
  target functions its call phase and its fixtures call, its outcome and
  duration, and whether it started a process or re-executed a target module.

What the server itself knows is reported once, at start: the target
functions called while pytest started and collected (a variant changing one
cannot be swapped: its effect happened at import), the live function objects
per qualified name, generator objects of target code that are alive (they
keep their old frames), the module-level functions that only module
namespaces hold (``_bindings``: a variant may wrap those), and the words of
the project's other files (``_mentioned``: a constant they mention is never
rebound).

Protocol: one JSON request per line on stdin, one JSON answer per line on
stdout; both are moved to private descriptors at start and closed in every
child, so nothing a variant prints reaches the client. The wall deadline is
enforced here (the child's whole group is killed), and the child's records
are read with a size cap. EOF on stdin ends the server, and so do
``IDLE_SECONDS`` without a request or its folder being deleted.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]
sys.path.insert(0, os.getcwd())  # like ``python -m pytest``: the project folder first

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import linecache  # noqa: E402
import runpy  # noqa: E402
import select  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

OUTPUT_TAIL = 2000
RECORDS_CAP = 16 * 1024**2
"""Bytes read from one child's result pipe at most; a child writing more is cut off."""
DRAIN_GRACE_SECONDS = 1.0
IDLE_SECONDS = 120.0
IDLE_CHECK_SECONDS = 5.0
DISK_CHECK_SECONDS = 0.25
_SERVED: list[None] = []
"""One entry per child forked (a serial for its output file)."""


# The shared child prologue, loaded by path (this folder is not on ``sys.path``, on purpose).
_prologue = types.SimpleNamespace(**runpy.run_path(os.path.join(_HERE, "_prologue.py")))
_child = _prologue.load("_livechild")
Targets, CallRecorder = _child.Targets, _child.CallRecorder


class Session:
    """The collected session, the live target functions, and what happened while collecting."""

    def __init__(self, session: Any, targets: Any, startup: Any) -> None:
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
                    if obj.__doc__ != _child.docstring(code):
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
        self.outcomes = _child.Outcomes()
        session.config.pluginmanager.register(self.outcomes, "evolve-live-outcomes")

    def ready(self) -> dict[str, Any]:
        return {
            "ready": True, "pid": os.getpid(), "tests": list(self.items),
            "functions": {f: {q: len(v) for q, v in quals.items()} for f, quals in self.functions.items()},
            "import_calls": self.import_calls, "pinned": sorted(self.pinned),
            "rebindable": sorted(self.bindings), "mentioned": sorted(self.mentioned),
        }


# ------------------------------------------------------------------ what the server knows


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


# ------------------------------------------------------------------ the server


def _collect(read_fd: int, pid: int, deadline: float, request: dict[str, Any]) -> tuple[bytes, bool, bool]:
    """Read the child's records until it exits and the pipe closes; (records, deadline passed, over its disk).

    At the process level the variant's folders are measured every
    ``DISK_CHECK_SECONDS``; past its disk budget its group is killed.
    """
    pidfd = os.pidfd_open(pid)
    chunks: list[bytes] = []
    size = 0
    exited = eof = timed_out = over_disk = False
    next_check = time.monotonic() + DISK_CHECK_SECONDS
    try:
        while not (exited and eof):
            now = time.monotonic()
            if request.get("disk") and not (exited or over_disk) and now >= next_check:
                next_check = now + DISK_CHECK_SECONDS
                if _prologue.over_disk_budget(request):
                    over_disk = True
                    _prologue.kill_group(pid)
                    deadline = min(deadline, now + DRAIN_GRACE_SECONDS)
            if now >= deadline:
                if exited or timed_out:
                    break  # only a process that left the group still holds the pipe
                timed_out = True
                _prologue.kill_group(pid)
                deadline = now + DRAIN_GRACE_SECONDS
            watch = [fd for fd, done in ((read_fd, eof), (pidfd, exited)) if not done]
            wait = min(deadline, next_check) if request.get("disk") else deadline
            ready, _, _ = select.select(watch, [], [], max(0.0, wait - now))
            if pidfd in ready:
                exited = True
                _prologue.kill_group(pid)  # whatever it left behind in its group goes with it
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
    return b"".join(chunks), timed_out, over_disk


def _records(data: bytes) -> list[dict[str, Any]]:
    """The child's records, up to the first line that is not one (torn, or written by the variant)."""
    out = []
    for line in data.splitlines():
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            break
        if not isinstance(record, dict):
            break
        out.append(record)
    return out


def _serve_one(live: Session, request: dict[str, Any], private: tuple[int, ...]) -> dict[str, Any]:
    if dict(os.environ) != request["env"]:
        os.environ.clear()  # the scrubbed environment of the variants, set here once, not in each child
        os.environ.update(request["env"])
    _SERVED.append(None)
    _prologue.place_output(request, len(_SERVED))  # under bwrap: in this server's private tmpfs
    started = time.monotonic()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child.child(live, request, write_fd, private)
    os.close(write_fd)
    try:
        data, timed_out, over_disk = _collect(read_fd, pid, started + float(request["wall_seconds"]), request)
    finally:
        os.close(read_fd)
        _prologue.kill_group(pid)
        _, status, usage = os.wait4(pid, 0)
        _prologue.sweep(request)  # a daemon it left, a process of its uid, anything in its namespace
    records = _records(data)
    finished = bool(records) and any(records[-1].get(k) for k in ("done", _child.SWAP_FAILED, _child.SPAWNED))
    said = _prologue.take_output(request, OUTPUT_TAIL)
    return {**_prologue.how_it_ended(status, usage, started, timed_out), "records": records,
            "output": "" if finished else said, "over_disk": over_disk}


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
        _child.brief_failures()
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
    _prologue.serve_as_server()  # dies with its worker, keeps orphans, cannot be traced by a variant
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
        guard = _child._runner.session_guard()  # xdist, benchmark timing, pytest-cov: off when loaded
        code = pytest.main([*pytest_args, "-q", "-p", "no:cacheprovider"], plugins=[plugin, guard])
    finally:
        startup.stop()
    if not plugin.served:
        plugin._answer({"ready": False, "reason": f"pytest ended before its test loop (exit code {int(code)})"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
