"""A warm test server: pytest imported once, one forked child per variant.

This is a script run by path (stdlib, pytest, coverage and ``_testrunner``
only, never ``evolve``), one per evaluation worker. Starting Python and
importing pytest is most of a fresh ``python -m pytest`` (see DESIGN.md); here
it is paid once. For each request the server forks a child that puts itself in
its own session, applies the resource limits, scrubs its environment, moves
into the variant's workspace and runs ``_testrunner.main`` there. The project's
own modules are never imported by the server, so every child imports the
variant fresh: no stale function bindings, no state carried between variants.

Protocol: one JSON request per line on stdin, one JSON answer per line on
stdout. The server enforces the wall deadline itself (killing the child's
whole group) and answers with how the child ended. EOF on stdin ends it.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]

import gc  # noqa: E402
import json  # noqa: E402
import runpy  # noqa: E402
import select  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
from importlib import metadata  # noqa: E402
from typing import Any  # noqa: E402

OUTPUT_TAIL = 2000


# The shared child prologue, loaded by path (this folder is not on ``sys.path``, on purpose).
_prologue = types.SimpleNamespace(**runpy.run_path(os.path.join(_HERE, "_prologue.py")))


def _warm_up(runner: Any) -> None:
    """Import what every child would otherwise import: pytest, its plugins, coverage.

    Plugins import some of their modules lazily (hypothesis' plugin imports
    hypothesis in its terminal summary, most of a second), so one whole
    session is run on an empty folder, output discarded, in the server itself.
    No project module is imported by this.
    """
    import tempfile

    import coverage  # noqa: F401
    import pytest

    for entry in metadata.entry_points(group="pytest11"):
        try:
            entry.load()
        except Exception:  # a broken third-party plugin is the child's problem, not the server's
            pass
    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        with tempfile.TemporaryDirectory() as empty:
            os.dup2(null, 1)
            os.dup2(null, 2)
            pytest.main([empty, "-q", "-p", "no:cacheprovider"], plugins=[runner.Collector()])
    except BaseException:
        pass
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def _child(request: dict[str, Any], runner: Any) -> None:
    """In the forked child: isolate, limit, run the tests, never return."""

    def body() -> int:
        _prologue.isolate(request)
        sys.path.insert(0, request["cwd"])
        return int(runner.main(request["argv"]))

    _prologue.run_then_exit(body)


def _wait(pid: int, deadline: float) -> bool:
    """Wait until the child exits (left unreaped) or the deadline passes; True if it timed out."""
    pidfd = os.pidfd_open(pid)
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            ready, _, _ = select.select([pidfd], [], [], remaining)
            if ready:
                return False
    finally:
        os.close(pidfd)


def _serve_one(request: dict[str, Any], runner: Any) -> dict[str, Any]:
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(request, runner)
    timed_out = _wait(pid, started + float(request["wall_seconds"]))
    _prologue.kill_group(pid)  # the child is a zombie or still running: its pid is still the group id
    _, status, usage = os.wait4(pid, 0)
    return {**_prologue.how_it_ended(status, usage, started, timed_out),
            "output": _prologue.tail(request["output"], OUTPUT_TAIL)}


def main() -> int:
    _prologue.die_with_parent()  # the worker that started us is gone: so are we
    runner = _prologue.load("_testrunner")
    _warm_up(runner)
    gc.collect()
    gc.freeze()  # children share the warm heap copy-on-write
    out = sys.stdout
    out.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        answer = _serve_one(json.loads(line), runner)
        out.write(json.dumps(answer) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
