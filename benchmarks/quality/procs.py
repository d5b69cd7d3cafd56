"""Child processes that never outlive their call.

Every command runs in a new session (its own process group) with its output in
files (no pipe can fill up). When it ends, or at its wall limit, its whole tree
is killed: the process group, every descendant found in ``/proc`` (the engine
starts test runners in sessions of their own, out of reach of a group kill),
and every orphan re-parented to the harness, which makes itself a *child
subreaper* on Linux so that orphans come to it rather than to init. Reaped
before returning, so no zombie stays either.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

PR_SET_CHILD_SUBREAPER = 36
OUTPUT_TAIL = 20_000  # characters of stdout / stderr kept from each child
MEMORY_BYTES = 2 * 1024**3  # address-space cap of a judging child (variant code)
_subreaper = False


@dataclass(frozen=True)
class Finished:
    """How a child ended: ``returncode`` (negative: the signal that killed it), ``timed_out``
    when it reached its limit, ``seconds`` of wall time, and the last ``OUTPUT_TAIL``
    characters of its output."""

    returncode: int
    timed_out: bool
    seconds: float
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for children: ours without ``PYTHONPATH``, with fixed hashing and no bytecode files."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"})
    env.update(extra or {})
    return env


def run_contained(argv: Sequence[str], cwd: Path, timeout: float, *, env: Mapping[str, str] | None = None,
                  on_poll: Callable[[], None] | None = None, poll_seconds: float = 0.1,
                  memory_bytes: int | None = MEMORY_BYTES, term_grace: float = 0.0) -> Finished:
    """Run ``argv`` in ``cwd`` for at most ``timeout`` seconds of wall time.

    ``on_poll`` (if given) is called about every ``poll_seconds`` while the child
    runs, and once after it ended. ``memory_bytes`` caps the child's address
    space (``RLIMIT_AS``; None: no cap). At the limit the child alone first gets
    SIGTERM and ``term_grace`` more seconds to wrap up (0: none), then its whole
    tree is killed. The child and all its descendants are gone when this returns.
    """
    become_subreaper()
    before = _own_children()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(list(argv), cwd=cwd, env=dict(env) if env is not None else child_env(),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
        if memory_bytes:
            _cap_address_space(proc.pid, memory_bytes)
        timed_out = _wait(proc, started + timeout, on_poll, poll_seconds)
        if timed_out and term_grace > 0:
            _signal(proc.pid, signal.SIGTERM)
            _wait(proc, time.monotonic() + term_grace, on_poll, poll_seconds)
        kill_tree(proc.pid, before)
        returncode = proc.wait()
        seconds = time.monotonic() - started
        if on_poll is not None:
            on_poll()
        return Finished(returncode, timed_out, seconds, _tail(out), _tail(err))


def python(*args: str) -> list[str]:
    """argv for this interpreter, with user site-packages off."""
    return [sys.executable, "-s", *args]


def _cap_address_space(pid: int, limit: int) -> None:
    """Cap the address space of the just-started ``pid`` at ``limit`` bytes (before it imports any variant)."""
    try:
        resource.prlimit(pid, resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError, AttributeError):
        pass  # gone already, or not supported here: the timeout still holds


def become_subreaper() -> None:
    """Make this process adopt orphaned descendants (Linux ``prctl``); a no-op elsewhere or when refused."""
    global _subreaper
    if _subreaper or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        _subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        _subreaper = False


def kill_tree(leader: int, spare: frozenset[int] = frozenset()) -> None:
    """SIGKILL ``leader``'s process group, its descendants and our orphans (except ``spare``) until none is left.

    Zombies among our own children (other than ``leader``, which its Popen reaps) are reaped.
    """
    for _ in range(200):
        _signal_group(leader)
        parents = _process_table()
        me = os.getpid()
        orphans = {pid for pid, (ppid, _) in parents.items() if ppid == me and pid not in spare and pid != leader}
        doomed = _descendants(parents, {leader} | orphans)
        alive = {pid for pid in doomed if pid in parents and parents[pid][1] != "Z"}
        for pid in alive:
            _signal(pid)
        for pid in orphans:
            _reap(pid)
        if not alive:
            return
        time.sleep(0.02)


def _wait(proc: subprocess.Popen[bytes], deadline: float, on_poll: Callable[[], None] | None,
          poll_seconds: float) -> bool:
    """Wait for ``proc`` until ``deadline`` (monotonic seconds), polling; True when the deadline passed."""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return True
        try:
            proc.wait(timeout=min(poll_seconds, remaining))
            return False
        except subprocess.TimeoutExpired:
            if on_poll is not None:
                on_poll()


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state letter) for every process in ``/proc``; empty where there is no ``/proc``."""
    table: dict[int, tuple[int, str]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return table
    for name in entries:
        if not name.isdigit():
            continue
        try:
            stat = Path("/proc", name, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()  # the command name may hold spaces and parentheses
        if len(fields) >= 2:
            table[int(name)] = (int(fields[1]), fields[0])
    return table


def _descendants(table: Mapping[int, tuple[int, str]], roots: set[int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid in found:
            continue
        found.add(pid)
        todo.extend(children.get(pid, ()))
    return found


def _own_children() -> frozenset[int]:
    me = os.getpid()
    return frozenset(pid for pid, (ppid, _) in _process_table().items() if ppid == me)


def _signal_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _signal(pid: int, signum: int = signal.SIGKILL) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _tail(handle: IO[bytes]) -> str:
    """The last ``OUTPUT_TAIL`` characters written to ``handle``."""
    size = handle.seek(0, os.SEEK_END)
    handle.seek(max(0, size - OUTPUT_TAIL * 4))
    return handle.read().decode("utf-8", "replace")[-OUTPUT_TAIL:]
