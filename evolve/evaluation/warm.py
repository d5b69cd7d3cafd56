"""The client side of the warm test server (``_forkserver.py``), one per worker process.

A worker asks its server to run a variant's tests and gets back a
``Completed`` like ``run_sandboxed`` gives, so the evaluator classifies both
paths the same way. A server that dies (a variant can kill its parent) or stops
answering is replaced, and the variant it was running is reported as crashed.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from evolve.evaluation._client import ServerProcess
from evolve.evaluation.child import script
from evolve.evaluation.sandbox import Completed, Isolation, Limits, child_rlimits, child_spec, sandbox_env

SERVER = script("_forkserver")
START_SECONDS = 120.0
GRACE_SECONDS = 30.0


__all__ = ["WarmTestServer", "child_rlimits", "server_for"]


class WarmTestServer(ServerProcess):
    """Starts ``_forkserver.py`` lazily and talks to it over pipes (``ServerProcess``)."""

    def __init__(self, home: Path, isolation: Isolation = Isolation()) -> None:
        super().__init__()
        self.home = home
        self.isolation = isolation

    def _start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        argv = self.isolation.wrap([sys.executable, str(SERVER)], server=True)
        answer = self.spawn(argv, self.home, sandbox_env(self.home), START_SECONDS)
        if not (isinstance(answer, dict) and answer.get("ready")):
            self.close()
            raise RuntimeError("the warm test server did not start")

    def run_tests(self, argv: Sequence[str], cwd: Path, limits: Limits) -> Completed:
        """Run ``_testrunner`` with ``argv`` in ``cwd`` in a fresh fork of the warm server.

        The child may write only in ``cwd``'s parent (the variant's workspace;
        under bubblewrap, in a private copy of it). Its record comes back as
        ``Completed.result`` (None: it sent none).
        """
        if not self.alive:
            self._start()
        output = cwd.parent / "output.txt"
        request = {
            "argv": list(argv), "cwd": str(cwd), "env": sandbox_env(cwd), "output": str(output),
            "wall_seconds": limits.wall_seconds, **child_spec(self.isolation, limits, writable=[cwd.parent]),
        }
        answer = self.ask(request, limits.wall_seconds + GRACE_SECONDS)
        if answer is None:
            return Completed(None, 9, False, "", "the test server died while running this variant", 0.0, 0.0)
        return Completed(
            returncode=answer["returncode"], signal=answer["signal"], timed_out=answer["timed_out"],
            stdout="", stderr=answer.get("output", ""), wall_seconds=answer["wall_seconds"],
            cpu_seconds=answer["cpu_seconds"],
            result=answer["result"].encode() if isinstance(answer.get("result"), str) else None,
            over_disk=bool(answer.get("over_disk")),
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
