"""A warm test server: pytest imported once, one forked child per variant.

This is a script run by path (stdlib, pytest, coverage and ``_testrunner``
only, never ``evolve``), one per evaluation worker. Starting Python and
importing pytest is most of a fresh ``python -m pytest`` (see DESIGN.md); here
it is paid once. For each request the server forks a child that puts itself in
its own session, applies the resource limits, puts up the walls the engine
chose (``_prologue.isolate``), scrubs its environment, moves into the
variant's workspace and runs ``_testrunner.main`` there, which sends its
record on a pipe only that child holds. After the child, the server kills
whatever it left (the server is a subreaper; ``_prologue.sweep``). The project's
own modules are never imported by the server, so every child imports the
variant fresh: no stale function bindings, no state carried between variants.

Protocol: one JSON request per line on stdin, one JSON answer per line on
stdout. The server enforces the wall deadline and, at the process level, the
disk budget itself (killing the child's whole group) and answers with how
the child ended, its output's tail and its record (``result``). EOF on stdin
ends it.
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
RECORD_CAP = 16 * 1024**2
"""Bytes of a child's result record read at most."""
DISK_CHECK_SECONDS = 0.25
DRAIN_GRACE_SECONDS = 1.0


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


def _child(request: dict[str, Any], runner: Any, result_fd: int) -> None:
    """In the forked child: isolate, limit, run the tests, never return.

    The record goes to ``result_fd``, a pipe only this child was given (not a
    file in the workspace the variant could write first).
    """

    def body() -> int:
        _prologue.isolate(request)
        sys.path.insert(0, request["cwd"])
        return int(runner.main(request["argv"], result_fd=result_fd))

    _prologue.run_then_exit(body)


def _collect(read_fd: int, pid: int, request: dict[str, Any]) -> tuple[bytes, bool, bool]:
    """Read the child's record until it exits; (record, timed out, over its disk budget).

    At the wall deadline, or when the variant's folders outgrow its disk
    budget (process level, checked every ``DISK_CHECK_SECONDS``), the child's
    group is killed.
    """
    started = time.monotonic()
    deadline = started + float(request["wall_seconds"])
    pidfd = os.pidfd_open(pid)
    chunks: list[bytes] = []
    size, eof, exited = 0, False, False
    timed_out = over_disk = False
    next_check = started + DISK_CHECK_SECONDS
    try:
        while not exited:
            now = time.monotonic()
            if now >= deadline:
                timed_out = True
                break
            if request.get("disk") and now >= next_check:
                next_check = now + DISK_CHECK_SECONDS
                if _prologue.over_disk_budget(request):
                    over_disk = True
                    break
            watch = [pidfd] if eof else [pidfd, read_fd]
            wait = min(deadline, next_check if request.get("disk") else deadline) - now
            ready, _, _ = select.select(watch, [], [], max(0.0, wait))
            if read_fd in ready:
                data = os.read(read_fd, 65536)
                if not data:
                    eof = True
                elif size < RECORD_CAP:
                    chunks.append(data[: RECORD_CAP - size])
                    size += len(chunks[-1])
            exited = pidfd in ready
    finally:
        os.close(pidfd)
    _prologue.kill_group(pid)  # the child is a zombie or still running: its pid is still the group id
    drain_until = time.monotonic() + DRAIN_GRACE_SECONDS
    while not eof:  # what the runner wrote just before it exited (a survivor holding the pipe: not for long)
        remaining = drain_until - time.monotonic()
        ready, _, _ = select.select([read_fd], [], [], max(0.0, remaining))
        data = os.read(read_fd, 65536) if ready else b""
        if not data:
            break
        if size < RECORD_CAP:
            chunks.append(data[: RECORD_CAP - size])
            size += len(chunks[-1])
    return b"".join(chunks), timed_out, over_disk


def _serve_one(request: dict[str, Any], runner: Any, serial: int) -> dict[str, Any]:
    _prologue.place_output(request, serial)
    started = time.monotonic()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(request, runner, write_fd)
    os.close(write_fd)
    try:
        record, timed_out, over_disk = _collect(read_fd, pid, request)
    finally:
        os.close(read_fd)
        _prologue.kill_group(pid)
        _, status, usage = os.wait4(pid, 0)
        _prologue.sweep(request)  # a daemon it left, a process of its uid, anything in its namespace
    return {**_prologue.how_it_ended(status, usage, started, timed_out),
            "output": _prologue.take_output(request, OUTPUT_TAIL),
            "result": record.decode("utf-8", errors="replace") or None, "over_disk": over_disk}


def main() -> int:
    _prologue.serve_as_server()  # dies with its worker, keeps orphans, cannot be traced by a variant
    runner = _prologue.load("_testrunner")
    _warm_up(runner)
    gc.collect()
    gc.freeze()  # children share the warm heap copy-on-write
    out = sys.stdout
    out.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    out.flush()
    for serial, line in enumerate(sys.stdin):
        if not line.strip():
            continue
        answer = _serve_one(json.loads(line), runner, serial)
        out.write(json.dumps(answer) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
