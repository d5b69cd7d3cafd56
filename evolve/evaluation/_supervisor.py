"""Drain, time and reap one sandboxed command's keeper (``sandbox.run_sandboxed``'s second half).

The keeper (``child/_keeper.py``) enforces the wall deadline and sweeps
itself; this is the backstop and the reader: stdout and stderr drained into
bounded buffers, the keeper's report (the command's own status and CPU time)
and the command's result channel read, SIGTERM to the keeper a little after
the deadline, SIGKILL to its group a little after that.
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import signal
import subprocess
import time
from typing import Any

from evolve.evaluation.sandbox import Completed, Limits

__all__ = ["Supervisor", "kill_group", "stop"]

_CHUNK = 64 * 1024
_DRAIN_GRACE_SECONDS = 1.0
"""After the keeper exits, a pipe still held by a process that escaped is read this much longer."""
STOP_GRACE_SECONDS = 5.0
"""The keeper gets this long, after the wall deadline plus its own grace, to sweep and report."""
_POLL_SECONDS = 0.02
_RESULT_CAP = 16 * 1024**2


class _Capture:
    """Keeps the first ``cap`` bytes of a stream and discards the rest, still reading."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.kept = bytearray()

    def feed(self, data: bytes) -> None:
        room = self.cap - len(self.kept)
        if room > 0:
            self.kept += data[:room]

    def text(self) -> str:
        return self.kept.decode("utf-8", errors="replace")


class Supervisor:
    """Drains, times and reaps the keeper; stops it at the deadline and kills its group after.

    The keeper enforces the wall deadline itself (and sweeps); this is the
    backstop: SIGTERM a little after the deadline, SIGKILL to the group a
    little after that. The group is killed while the keeper is still an
    unreaped zombie, so its pid (the group id) cannot have been reused.
    """

    def __init__(self, proc: subprocess.Popen[bytes], limits: Limits, start: float, report: int,
                 result: int) -> None:
        assert proc.stdout is not None and proc.stderr is not None
        self.proc, self.start = proc, start
        self.stop_at = start + limits.wall_seconds + _DRAIN_GRACE_SECONDS
        self.kill_at = self.stop_at + STOP_GRACE_SECONDS
        self.report, self.result = report, result
        self.stdout, self.stderr = _Capture(limits.output_bytes), _Capture(limits.output_bytes)
        self.captures = {proc.stdout.fileno(): self.stdout, proc.stderr.fileno(): self.stderr,
                         report: _Capture(64 * 1024)}
        if result >= 0:
            self.captures[result] = _Capture(_RESULT_CAP)
        self.selector = selectors.DefaultSelector()
        self.pidfd = _pidfd(proc.pid)
        self.stopped = self.killed = False

    def run(self) -> Completed:
        try:
            for fd in self.captures:
                self.selector.register(fd, selectors.EVENT_READ)
            if self.pidfd is not None:
                self.selector.register(self.pidfd, selectors.EVENT_READ)
            self._until_exit()
        finally:
            kill_group(self.proc.pid)
            self._drain(time.monotonic() + _DRAIN_GRACE_SECONDS)
            _, status, usage = os.wait4(self.proc.pid, 0)
            self._close()
        return self._completed(status, usage)

    def _until_exit(self) -> None:
        while not self._exited():
            now = time.monotonic()
            if now >= self.stop_at and not self.stopped:
                self.stopped = True
                stop(self.proc.pid)
            if now >= self.kill_at and not self.killed:
                self.killed = True
                kill_group(self.proc.pid)
            timeout = max(0.0, (self.kill_at if self.stopped else self.stop_at) - now)
            if self.killed:
                timeout = None
            if self.pidfd is None:
                timeout = _POLL_SECONDS if timeout is None else min(timeout, _POLL_SECONDS)
            self._pump(timeout)

    def _exited(self) -> bool:
        if self.pidfd is not None:
            return self.pidfd not in self.selector.get_map()
        flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
        return os.waitid(os.P_PID, self.proc.pid, flags) is not None

    def _pump(self, timeout: float | None) -> None:
        """Wait for one batch of events; read what is ready, note EOF and exit."""
        for key, _ in self.selector.select(timeout):
            fd = int(key.fd)
            if fd == self.pidfd:
                self.selector.unregister(fd)
                continue
            data = os.read(fd, _CHUNK)
            if data:
                self.captures[fd].feed(data)
            else:
                self.selector.unregister(fd)

    def _drain(self, until: float) -> None:
        while any(fd in self.selector.get_map() for fd in self.captures):
            remaining = until - time.monotonic()
            if remaining <= 0:
                return
            self._pump(remaining)

    def _close(self) -> None:
        self.selector.close()
        if self.pidfd is not None:
            os.close(self.pidfd)
        for fd in (self.report, self.result):
            if fd >= 0:
                os.close(fd)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.proc.stdout.close()
        self.proc.stderr.close()

    def _completed(self, status: int, usage: resource.struct_rusage) -> Completed:
        self.proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
        report = _report(self.captures[self.report].kept)
        if report is not None:  # the command's own end, as the keeper saw it
            status, cpu = int(report["status"]), float(report["cpu"])
        else:
            cpu = usage.ru_utime + usage.ru_stime
        code = os.waitstatus_to_exitcode(status)
        result = bytes(self.captures[self.result].kept) if self.result >= 0 else None
        return Completed(
            returncode=code if code >= 0 else None,
            signal=-code if code < 0 else None,
            timed_out=self.stopped or bool(report and report.get("timed_out")),
            stdout=self.stdout.text(),
            stderr=self.stderr.text(),
            wall_seconds=time.monotonic() - self.start,
            cpu_seconds=cpu,
            result=result or None,
            over_disk=bool(report and report.get("over_disk")),
        )


def _report(data: bytes) -> dict[str, Any] | None:
    try:
        report = json.loads(bytes(data).splitlines()[0]) if data else None
    except (ValueError, IndexError):
        return None
    return report if isinstance(report, dict) and isinstance(report.get("status"), int) else None


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def stop(pid: int) -> None:
    """Ask the keeper to end its command and sweep (SIGTERM to it alone)."""
    try:
        os.kill(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
