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
import importlib.util  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
from importlib import metadata  # noqa: E402
from typing import Any  # noqa: E402

OUTPUT_TAIL = 2000


def _load(name: str) -> Any:
    """Load a sibling script by path (this folder is not on ``sys.path``, on purpose)."""
    spec = importlib.util.spec_from_file_location(f"_evolve{name}", os.path.join(_HERE, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_privdrop = _load("_privdrop")


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
    code = 70
    try:
        os.setsid()
        for name, (soft, hard) in request["rlimits"].items():
            resource.setrlimit(getattr(resource, name), (soft, hard))
        if request.get("user"):
            _privdrop.drop_to(*request["user"])
        _privdrop.die_with_parent()
        sys.dont_write_bytecode = True
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        sys.path.insert(0, request["cwd"])
        code = int(runner.main(request["argv"]))
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


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


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
    _kill_group(pid)  # the child is a zombie or still running: its pid is still the group id
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return {
        "returncode": code if code >= 0 else None,
        "signal": -code if code < 0 else None,
        "timed_out": timed_out,
        "wall_seconds": time.monotonic() - started,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "output": _tail(request["output"]),
    }


def _tail(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - OUTPUT_TAIL))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def main() -> int:
    _privdrop.die_with_parent()  # the worker that started us is gone: so are we
    runner = _load("_testrunner")
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
