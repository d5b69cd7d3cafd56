"""The client side of the warm test server (``_forkserver.py``), one per worker process.

A worker asks its server to run a variant's tests and gets back a
``Completed`` like ``run_sandboxed`` gives, so the evaluator classifies both
paths the same way. A server that dies (a variant can kill its parent) or stops
answering is replaced, and the variant it was running is reported as crashed.
"""

from __future__ import annotations

import atexit
import math
import os
import resource
import sys
from collections.abc import Sequence
from pathlib import Path

from evolve.evaluation._client import ServerProcess
from evolve.evaluation.child import script
from evolve.evaluation.sandbox import Completed, Isolation, Limits, sandbox_env, sandbox_user

SERVER = script("_forkserver")
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


class WarmTestServer(ServerProcess):
    """Starts ``_forkserver.py`` lazily and talks to it over pipes (``ServerProcess``)."""

    def __init__(self, home: Path, isolation: Isolation = Isolation()) -> None:
        super().__init__()
        self.home = home
        self.isolation = isolation

    def _start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        argv = self.isolation.wrap([sys.executable, str(SERVER)])
        answer = self.spawn(argv, self.home, sandbox_env(self.home), START_SECONDS)
        if not (isinstance(answer, dict) and answer.get("ready")):
            self.close()
            raise RuntimeError("the warm test server did not start")

    def run_tests(self, argv: Sequence[str], cwd: Path, limits: Limits) -> Completed:
        """Run ``_testrunner`` with ``argv`` in ``cwd`` in a fresh fork of the warm server."""
        if not self.alive:
            self._start()
        output = cwd.parent / "output.txt"
        request = {
            "argv": list(argv), "cwd": str(cwd), "env": sandbox_env(cwd), "output": str(output),
            "rlimits": child_rlimits(limits), "wall_seconds": limits.wall_seconds, "user": sandbox_user(),
        }
        answer = self.ask(request, limits.wall_seconds + GRACE_SECONDS)
        if answer is None:
            return Completed(None, 9, False, "", "the test server died while running this variant", 0.0, 0.0)
        return Completed(
            returncode=answer["returncode"], signal=answer["signal"], timed_out=answer["timed_out"],
            stdout="", stderr=answer.get("output", ""), wall_seconds=answer["wall_seconds"],
            cpu_seconds=answer["cpu_seconds"],
        )


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
