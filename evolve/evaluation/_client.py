"""The engine side of a test server: one child process spoken to in JSON lines over pipes.

Shared by the warm fork server's client (``warm``) and the live-session
client (``live``): start the server in its own session, send one JSON request
per line, read one JSON answer per line within a deadline, and stop the whole
process group. A server that dies or goes silent answers ``None`` and is
stopped; the caller decides what that costs its variant.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

__all__ = ["ServerProcess"]


class ServerProcess:
    """One server child: ``spawn``, ``ask``, ``close``. Not thread-safe (one per worker thread)."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def spawn(self, argv: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float) -> Any:
        """Start ``argv`` in its own session; its first answer (the ready line), or None within ``timeout`` s."""
        self.close()
        self.proc = subprocess.Popen(
            list(argv), cwd=cwd, env=dict(env), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True,
        )
        try:
            return self.read(timeout)
        except ValueError:
            return None

    def ask(self, request: Mapping[str, Any], timeout: float) -> dict[str, Any] | None:
        """Send one request; the answer, or None if the server died or went silent (it is then stopped)."""
        if self.proc is None or self.proc.stdin is None:
            return None
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
            answer = self.read(timeout)
        except (OSError, ValueError):
            answer = None
        if not isinstance(answer, dict):
            self.close()
            return None
        return answer

    def read(self, timeout: float) -> Any:
        """The next JSON line within ``timeout`` seconds, or None. Raises ``ValueError`` on a line that is not JSON."""
        assert self.proc is not None and self.proc.stdout is not None
        line = _read_line(self.proc.stdout, timeout)
        return json.loads(line) if line else None

    def close(self) -> None:
        """SIGKILL the server's process group, close the pipes, reap it. Idempotent."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        proc.wait()


def _read_line(stream: IO[bytes], timeout: float) -> bytes:
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else b""
