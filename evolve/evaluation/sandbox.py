"""Run a command whose code is hostile, and always come back with a record.

A variant's code never runs in the engine's process. Two levels of walls,
chosen once per run (``levels.resolve_level``; ``sandbox: auto`` by default):

``bwrap`` (whenever bubblewrap can start an unprivileged user namespace):
  the variant sees the system, the interpreter and the project snapshot
  read-only, and nothing else of the machine (no home, no ``/run``, no other
  project: ``_bwrap``); everything it writes goes to a private tmpfs of
  ``Limits.disk_bytes`` that vanishes with it (overlays on its workspace:
  ``child/_cell``); it has no network, its own PID namespace (every process
  it starts dies with it), an empty HOME, no capability and no way to make a
  user namespace of its own.

``process`` (the fallback, with one warning line): limits, its own session,
and what the kernel offers without namespaces: Landlock (``child/_landlock``:
reads confined to the system, the interpreter and the run's folders, writes
to its workspace, no TCP, no signal or trace outside) where the kernel has it;
the disk budget checked while it runs; every descendant (a subreaper) and,
for a root engine, every process of its uid killed after it.

At both levels a root engine runs variants as an unprivileged uid of the
worker's own (``_uids``), with no capability; an unprivileged engine's
variants keep its uid. ``run_sandboxed`` starts every command through
``child/_keeper.py``, which builds those walls, waits, sweeps, and reports
the command's own CPU time (``_supervisor`` reads it all back); the test
servers' forked children build the same walls themselves (``child_spec`` ->
``child/_prologue.isolate``).

What is not contained: at the process level without Landlock, a variant can
read and write whatever its uid can (an unprivileged engine: the user's
files) and reach the network; code running inside the test runner's own
interpreter can, with deliberate effort, write on the runner's result
channel (it is not a file, it is held only by the runner, and it must name
every expected test).
"""

from __future__ import annotations

import json
import math
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
from typing import Any

from evolve.evaluation import _bwrap, _uids
from evolve.evaluation._bwrap import CELL_MOUNT, bwrap_path
from evolve.evaluation.child import _landlock, _privdrop, script

__all__ = ["Completed", "DEFAULT_DISK_MB", "ISOLATION_LEVELS", "Isolation", "Limits", "bwrap_path",
           "child_rlimits", "child_spec", "hand_over", "run_sandboxed", "sandbox_env",
           "sandbox_user"]

_DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
_KEEPER = script("_keeper")
ISOLATION_LEVELS = ("auto", "process", "bwrap")
DEFAULT_DISK_MB = 1024
RESULT_FD = 3
"""The descriptor on which a command started with ``result=True`` finds its private result channel."""


@dataclass(frozen=True)
class Limits:
    """Resources one sandboxed process may use. All must be positive.

    ``disk_bytes`` bounds what the variant writes in all (its private tmpfs
    under bubblewrap; checked every quarter second at the process level);
    ``file_bytes`` bounds any single file.
    """

    wall_seconds: float = 60.0
    cpu_seconds: float = 60.0
    memory_bytes: int = 2 * 1024**3
    file_bytes: int = 64 * 1024**2
    processes: int = 256
    output_bytes: int = 1024**2
    disk_bytes: int = DEFAULT_DISK_MB * 1024**2

    def __post_init__(self) -> None:
        for name in ("wall_seconds", "cpu_seconds", "memory_bytes", "file_bytes", "processes", "output_bytes",
                     "disk_bytes"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be positive, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class Completed:
    """What a sandboxed process did. ``returncode`` is None when a signal killed it.

    ``result``: what the command wrote on its private result channel
    (``RESULT_FD``), when one was asked for; None if it wrote nothing.
    ``over_disk``: it was stopped for writing more than ``Limits.disk_bytes``.
    """

    returncode: int | None
    signal: int | None
    timed_out: bool
    stdout: str
    stderr: str
    wall_seconds: float
    cpu_seconds: float
    result: bytes | None = None
    over_disk: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def out_of_memory(self) -> bool:
        """A heuristic, not a verdict.

        Under ``RLIMIT_AS`` an allocation fails rather than the kernel killing
        the process: Python raises ``MemoryError``, C code may crash with
        SIGSEGV. SIGKILL without a timeout is what a cgroup OOM killer does (or
        the CPU hard limit, for a child that ignored SIGXCPU). A hostile child
        can of course print "MemoryError" on purpose.
        """
        if "MemoryError" in self.stderr:
            return True
        return self.signal in (signal.SIGKILL, signal.SIGSEGV) and not self.timed_out and not self.over_disk


# ---------------------------------------------------------------- who the variant is


def sandbox_user() -> tuple[int, int] | None:
    """(uid, gid) that variant code runs as, or None to keep the engine's user.

    A root engine's variants run as this worker process's own sandbox uid
    (``_uids``: unprivileged, no account, no capability). An unprivileged
    engine keeps its user; its walls are bubblewrap or Landlock.
    """
    if os.geteuid() != 0:
        return None
    uid = _uids.worker_uid()
    return uid, uid


def hand_over(path: Path) -> None:
    """Give a workspace to the sandbox user, so the variant may write there (and, under bwrap, in a copy)."""
    user = sandbox_user()
    if user is None:
        return
    os.chown(path, *user)
    for root, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            os.lchown(os.path.join(root, name), *user)


def sandbox_env(cwd: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The child's whole environment: nothing leaks from the engine but PATH.

    HOME and TMPDIR point inside ``cwd`` (and are created, empty) so that
    whatever the child writes there stays in its workspace. PYTHONPATH is
    set only if ``extra`` names it.
    """
    root = Path(cwd).resolve()
    home, tmp = root / ".home", root / ".tmp"
    home.mkdir(exist_ok=True)
    tmp.mkdir(exist_ok=True)
    user = sandbox_user()
    if user is not None:
        for folder in (home, tmp):
            os.chown(folder, *user)
    env = {
        "PATH": os.environ.get("PATH", _DEFAULT_PATH),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONNOUSERSITE": "1",
    }
    env.update(extra or {})
    return env


# ---------------------------------------------------------------- the walls


@dataclass(frozen=True)
class Isolation:
    """The walls around one process: ``level`` and the folders it works in.

    ``binds``: ``("rw" | "ro", path)``. Under ``bwrap`` all are visible
    read-only and the ``rw`` ones become writable in a private, bounded copy;
    at the process level ``rw`` folders are where Landlock lets it write and
    whose size the disk budget counts. ``level`` ``auto`` is resolved here
    (``resolve_level``).
    """

    level: str = "process"
    binds: tuple[tuple[str, str], ...] = ()

    @property
    def resolved(self) -> str:
        if self.level != "auto":
            return self.level
        from evolve.evaluation.levels import resolve_level  # deferred: the probe runs through this module

        return resolve_level("auto").name

    @property
    def writable(self) -> list[str]:
        return [path for mode, path in self.binds if mode == "rw"]

    def wrap(self, argv: Sequence[str], server: bool = False) -> list[str]:
        """``argv`` inside this level's outer walls (bubblewrap's view), or unchanged at the process level."""
        if self.resolved != "bwrap":
            return list(argv)
        return _bwrap.command(argv, [path for _, path in self.binds], root=os.geteuid() == 0, server=server)


def child_rlimits(limits: Limits) -> dict[str, tuple[int, int]]:
    """The limits a child applies to itself, clamped to what this process may grant."""
    wanted = {
        "RLIMIT_AS": (limits.memory_bytes, limits.memory_bytes),
        "RLIMIT_FSIZE": (limits.file_bytes, limits.file_bytes),
        "RLIMIT_NPROC": (limits.processes, limits.processes),
        "RLIMIT_CORE": (0, 0),
    }
    if math.isfinite(limits.cpu_seconds):  # infinite: no CPU timer (it coarsens the process clock)
        cpu = max(1, math.ceil(limits.cpu_seconds))
        wanted["RLIMIT_CPU"] = (cpu, cpu + 1)  # SIGXCPU first, SIGKILL a second later
    return {name: _clamp(getattr(resource, name), soft, hard) for name, (soft, hard) in wanted.items()}


def child_spec(isolation: Isolation, limits: Limits, writable: Sequence[Path | str] | None = None,
               readable: Sequence[Path | str] = ()) -> dict[str, Any]:
    """The walls a variant process puts up around itself (``child/_prologue.walls``, ``child/_keeper``).

    ``writable`` defaults to the isolation's ``rw`` folders; ``readable``
    adds folders to its ``ro`` ones. JSON-able: it travels to the servers.
    """
    write = [str(p) for p in (isolation.writable if writable is None else writable)]
    read = [*(path for _, path in isolation.binds), *(str(p) for p in readable)]
    user = sandbox_user()
    if user is not None:
        _passable([*read, *write])
    spec: dict[str, Any] = {"rlimits": child_rlimits(limits), "user": user,
                            "sweep": {"uid": user[0] if user else None, "namespace": False}}
    if isolation.resolved == "bwrap":
        spec["cell"] = {"mount": CELL_MOUNT, "bytes": limits.disk_bytes, "overlays": write}
        spec["sweep"]["namespace"] = user is None
        return spec
    spec["disk"] = {"paths": write, "bytes": limits.disk_bytes}
    if user is not None:
        spec["expose"] = {"read": [*_bwrap.interpreter_paths(), tempfile.gettempdir(), *read], "write": write}
    if _landlock.abi() >= 1:
        spec["landlock"] = {"read": [*_bwrap.SYSTEM, *_bwrap.interpreter_paths(), *read, *write], "write": write}
    return spec


def _passable(folders: Sequence[str]) -> None:
    """Let the sandbox uid pass through the run's own folders (``o+x``: enter, never list).

    Their parents are the walls' business (bubblewrap's view, ``_cell.expose``);
    a folder of this engine that is closed itself (``mkdtemp`` makes 0700) is
    opened this much, never any other.
    """
    for folder in folders:
        try:
            info = os.stat(folder)
            if os.path.isdir(folder) and info.st_uid == os.geteuid() and not info.st_mode & 0o001:
                os.chmod(folder, (info.st_mode & 0o7777) | 0o001)
        except OSError:
            continue


# ---------------------------------------------------------------- running one command


def run_sandboxed(
    argv: Sequence[str],
    cwd: Path,
    limits: Limits = Limits(),
    env: Mapping[str, str] | None = None,
    isolation: Isolation = Isolation(),
    result: bool = False,
) -> Completed:
    """Run ``argv`` in ``cwd`` under ``limits`` and ``isolation``; never raises for what the child does.

    ``env`` adds to the scrubbed environment of ``sandbox_env``. With
    ``result``, the command finds a private channel on descriptor
    ``RESULT_FD`` and what it wrote there comes back as ``Completed.result``.
    A command that cannot be started becomes a ``Completed`` with the shell's
    codes: 127 when something is missing (the executable or ``cwd``), 126
    otherwise.
    """
    if not argv:
        raise ValueError("run_sandboxed needs a command")
    if not isolation.binds:  # a command may always write where it runs
        isolation = Isolation(isolation.level, (("rw", str(cwd)),))
    start = time.monotonic()
    spec = {**child_spec(isolation, limits), "wall": limits.wall_seconds}
    report_r, report_w = os.pipe()
    result_r, result_w = os.pipe() if result else (-1, -1)
    user = sandbox_user()
    if result and user is not None:
        os.fchown(result_w, *user)  # reopening /dev/fd/3 (pytest-benchmark does) checks the pipe's owner
    keeper = [sys.executable, "-I", "-S", str(_KEEPER), json.dumps(spec), str(report_w), str(result_w), "--",
              *argv]
    try:
        proc = subprocess.Popen(
            isolation.wrap(keeper), cwd=cwd, env=sandbox_env(cwd, env), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True,
            pass_fds=tuple(fd for fd in (report_w, result_w) if fd >= 0), start_new_session=True,
            preexec_fn=_limiter(limits),
        )
    except (OSError, subprocess.SubprocessError) as exc:
        for fd in (report_r, report_w, result_r, result_w):
            if fd >= 0:
                os.close(fd)
        code = 127 if isinstance(exc, FileNotFoundError) else 126
        return Completed(code, None, False, "", f"cannot start {argv[0]!r}: {exc}", time.monotonic() - start, 0.0)
    for fd in (report_w, result_w):
        if fd >= 0:
            os.close(fd)
    from evolve.evaluation._supervisor import STOP_GRACE_SECONDS, Supervisor, kill_group, stop

    try:
        return Supervisor(proc, limits, start, report_r, result_r).run()
    except BaseException:  # the engine failed (EMFILE, Ctrl-C): never leave anything running
        if proc.returncode is None:
            stop(proc.pid)  # the keeper sweeps what it started
            try:
                proc.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                kill_group(proc.pid)
                proc.wait()
        raise


def _limiter(limits: Limits) -> Callable[[], None]:
    """The preexec hook: only ``setrlimit`` calls, values computed beforehand.

    Code between fork and exec must do as little as possible (the parent may
    have threads), so every value is clamped to the inherited hard limit here,
    in the parent; raising a hard limit would fail for an unprivileged engine.
    The keeper drops privileges itself (it may first need root's mounts).
    """
    settings = [(getattr(resource, name), pair) for name, pair in child_rlimits(limits).items()]

    def apply() -> None:
        for res, pair in settings:
            resource.setrlimit(res, pair)
        _privdrop.die_with_parent()

    return apply


def _clamp(res: int, soft: int, hard: int) -> tuple[int, int]:
    current_hard = resource.getrlimit(res)[1]
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
    return min(soft, hard), hard
