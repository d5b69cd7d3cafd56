"""The client side of the warm test server (``_forkserver.py``), one per worker process.

A worker asks its server to run a variant's tests and gets back a
``Completed`` like ``run_sandboxed`` gives, so the evaluator classifies both
paths the same way. A server that dies (a variant can kill its parent) or stops
answering is replaced, and the variant it was running is reported as crashed.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import resource
import select
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from evolve.sandbox import Completed, Isolation, Limits, sandbox_env, sandbox_user

SERVER = Path(__file__).with_name("_forkserver.py")
START_SECONDS = 120.0
GRACE_SECONDS = 30.0


def child_rlimits(limits: Limits) -> dict[str, tuple[int, int]]:
    """The limits each forked child applies to itself, clamped to what this process may grant."""
    cpu = max(1, math.ceil(limits.cpu_seconds))
    wanted = {
        "RLIMIT_CPU": (cpu, cpu + 1),
        "RLIMIT_AS": (limits.memory_bytes, limits.memory_bytes),
        "RLIMIT_FSIZE": (limits.file_bytes, limits.file_bytes),
        "RLIMIT_NPROC": (limits.processes, limits.processes),
        "RLIMIT_CORE": (0, 0),
    }
    out: dict[str, tuple[int, int]] = {}
    for name, (soft, hard) in wanted.items():
        current = resource.getrlimit(getattr(resource, name))[1]
        if current != resource.RLIM_INFINITY:
            hard = min(hard, current)
        out[name] = (min(soft, hard), hard)
    return out


class WarmTestServer:
    """Starts ``_forkserver.py`` lazily and talks to it over pipes."""

    def __init__(self, home: Path, isolation: Isolation = Isolation()) -> None:
        self.home = home
        self.isolation = isolation
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        self.home.mkdir(parents=True, exist_ok=True)
        proc = subprocess.Popen(
            self.isolation.wrap([sys.executable, str(SERVER)]), cwd=self.home, env=sandbox_env(self.home),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True,
        )
        assert proc.stdout is not None
        line = _read_line(proc.stdout, START_SECONDS)
        try:
            ready = bool(json.loads(line).get("ready"))
        except (ValueError, AttributeError):
            ready = False
        if not ready:
            _stop(proc)
            raise RuntimeError("the warm test server did not start")
        return proc

    def run_tests(self, argv: Sequence[str], cwd: Path, limits: Limits) -> Completed:
        """Run ``_testrunner`` with ``argv`` in ``cwd`` in a fresh fork of the warm server."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        output = cwd.parent / "output.txt"
        request = {
            "argv": list(argv), "cwd": str(cwd), "env": sandbox_env(cwd), "output": str(output),
            "rlimits": child_rlimits(limits), "wall_seconds": limits.wall_seconds, "user": sandbox_user(),
        }
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
            line = _read_line(self.proc.stdout, limits.wall_seconds + GRACE_SECONDS)
            answer = json.loads(line) if line else None
        except (OSError, ValueError):
            answer = None
        if not isinstance(answer, dict):
            self.close()
            return Completed(None, 9, False, "", "the test server died while running this variant", 0.0, 0.0)
        return Completed(
            returncode=answer["returncode"], signal=answer["signal"], timed_out=answer["timed_out"],
            stdout="", stderr=answer.get("output", ""), wall_seconds=answer["wall_seconds"],
            cpu_seconds=answer["cpu_seconds"],
        )

    def close(self) -> None:
        if self.proc is not None:
            _stop(self.proc)
            self.proc = None


def _read_line(stream: IO[bytes], timeout: float) -> bytes:
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else b""


def _stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, 9)
    except (ProcessLookupError, PermissionError):
        pass
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass
    proc.wait()


_SERVERS: dict[Path, WarmTestServer] = {}


def server_for(scratch: Path, isolation: Isolation = Isolation()) -> WarmTestServer:
    """The warm server of this process for this run's scratch folder (one per worker process).

    Under ``bwrap`` the server itself runs inside bubblewrap, so every variant it
    forks inherits the read-only filesystem (``scratch`` writable, the snapshot
    in it not) and the empty network namespace.
    """
    key = scratch / f"server-{os.getpid()}"
    if key not in _SERVERS:
        _SERVERS[key] = WarmTestServer(key, isolation)
    return _SERVERS[key]


@atexit.register
def _close_all() -> None:
    for server in _SERVERS.values():
        server.close()
    _SERVERS.clear()
