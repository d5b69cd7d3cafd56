"""Run a command whose code is hostile, and always come back with a record.

A variant's code never runs in the engine's process. ``run_sandboxed`` starts
it in its own session (so its whole process group can be killed at once), with
resource limits applied between fork and exec, a scrubbed environment, and
stdout/stderr drained concurrently into bounded buffers, so a child that loops,
allocates, forks or floods its output costs the engine a bounded amount of
time and memory. Whatever the child does, the caller gets a ``Completed``.

Limits are per process (that is how ``setrlimit`` works): a child that forks
gets a fresh CPU allowance per process; the wall deadline is what bounds the
group. ``RLIMIT_NPROC`` is set but the kernel ignores it for root, and a child
that calls ``setsid`` leaves the group; stronger isolation (an unprivileged
user, a pids cgroup, a user namespace) is later work.
"""

from __future__ import annotations

import math
import os
import pwd
import shutil
import resource
import selectors
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from evolve.evaluation.child import _privdrop

__all__ = ["Completed", "Isolation", "Limits", "hand_over", "run_sandboxed", "sandbox_env", "sandbox_user"]

_DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
_CHUNK = 64 * 1024
# After the child has exited and its group is killed, pipes still held open by
# a process that escaped the group would block forever; stop reading then.
_DRAIN_GRACE_SECONDS = 1.0
# Fallback poll interval when pidfd_open is unavailable (old kernels, seccomp).
_POLL_SECONDS = 0.02


@dataclass(frozen=True)
class Limits:
    """Resources one sandboxed process may use. All must be positive."""

    wall_seconds: float = 60.0
    cpu_seconds: float = 60.0
    memory_bytes: int = 2 * 1024**3
    file_bytes: int = 64 * 1024**2
    processes: int = 256
    output_bytes: int = 1024**2

    def __post_init__(self) -> None:
        for name in ("wall_seconds", "cpu_seconds", "memory_bytes", "file_bytes", "processes", "output_bytes"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be positive, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class Completed:
    """What a sandboxed process did. ``returncode`` is None when a signal killed it."""

    returncode: int | None
    signal: int | None
    timed_out: bool
    stdout: str
    stderr: str
    wall_seconds: float
    cpu_seconds: float

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
        return self.signal in (signal.SIGKILL, signal.SIGSEGV) and not self.timed_out


SANDBOX_USER = "nobody"
ISOLATION_LEVELS = ("process", "bwrap")


def sandbox_user() -> tuple[int, int] | None:
    """(uid, gid) that variant code runs as, or None to keep the engine's user.

    The kernel does not enforce ``RLIMIT_NPROC`` for root, and root can write
    the user's files and signal the engine. When the engine is root, variant
    code therefore drops to ``nobody``: the process limit holds, the user's
    project (not world-writable) cannot be changed, the engine cannot be
    killed. An unprivileged engine keeps its user; the limits still apply.
    """
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SANDBOX_USER)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def hand_over(path: Path) -> None:
    """Give a workspace to the sandbox user, so the variant may write there and only there."""
    user = sandbox_user()
    if user is None:
        return
    os.chown(path, *user)
    for root, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            os.lchown(os.path.join(root, name), *user)


@dataclass(frozen=True)
class Isolation:
    """The isolation level around the limits: ``process`` (limits only) or ``bwrap``.

    Under ``bwrap`` (bubblewrap) the variant sees the whole filesystem read-only
    except the folders bound ``rw``, has no network
    (its own empty network namespace) and its own process namespace, which
    dies with it.
    """

    level: str = "process"
    binds: tuple[tuple[str, str], ...] = ()
    """``("rw" | "ro", path)`` in order; a later bind covers an earlier one."""

    def wrap(self, argv: Sequence[str]) -> list[str]:
        if self.level != "bwrap":
            return list(argv)
        binds = [arg for mode, path in self.binds for arg in ("--bind" if mode == "rw" else "--ro-bind", path, path)]
        return [bwrap_path(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", *binds,
                "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
                "--", *argv]


def bwrap_path() -> str:
    """Where bubblewrap is, or an ``OSError`` saying how to get it."""
    found = shutil.which("bwrap")
    if found is None:
        raise OSError("sandbox: bwrap needs bubblewrap (Debian/Ubuntu: apt-get install bubblewrap); "
                      "or use sandbox: process")
    return found


def sandbox_env(cwd: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The child's whole environment: nothing leaks from the engine but PATH.

    HOME and TMPDIR point inside ``cwd`` (and are created) so that whatever the
    child writes there stays in its workspace. PYTHONPATH is set only if
    ``extra`` names it.
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


def run_sandboxed(
    argv: Sequence[str],
    cwd: Path,
    limits: Limits = Limits(),
    env: Mapping[str, str] | None = None,
    isolation: Isolation = Isolation(),
) -> Completed:
    """Run ``argv`` in ``cwd`` under ``limits``; never raises for what the child does.

    ``env`` adds to the scrubbed environment of ``sandbox_env``. A command that
    cannot be started becomes a ``Completed`` with the shell's codes: 127 when
    something is missing (the executable or ``cwd``), 126 otherwise.
    """
    if not argv:
        raise ValueError("run_sandboxed needs a command")
    start = time.monotonic()
    user = sandbox_user()
    try:
        proc = subprocess.Popen(
            isolation.wrap(argv),
            cwd=cwd,
            env=sandbox_env(cwd, env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
            start_new_session=True,
            preexec_fn=_limiter(limits, user),
        )
    except (OSError, subprocess.SubprocessError) as exc:
        code = 127 if isinstance(exc, FileNotFoundError) else 126
        return Completed(code, None, False, "", f"cannot start {argv[0]!r}: {exc}", time.monotonic() - start, 0.0)
    try:
        return _Supervisor(proc, limits, start).run()
    except BaseException:  # the engine failed (EMFILE, Ctrl-C): never leave the group running
        if proc.returncode is None:
            _kill_group(proc.pid)
            proc.wait()
        raise


def _limiter(limits: Limits, user: tuple[int, int] | None = None) -> Callable[[], None]:
    """The preexec hook: only ``setrlimit`` calls, values computed beforehand.

    Code between fork and exec must do as little as possible (the parent may
    have threads), so every value is clamped to the inherited hard limit here,
    in the parent; raising a hard limit would fail for an unprivileged engine.
    """
    wanted = {
        resource.RLIMIT_AS: (limits.memory_bytes, limits.memory_bytes),
        resource.RLIMIT_FSIZE: (limits.file_bytes, limits.file_bytes),
        resource.RLIMIT_NPROC: (limits.processes, limits.processes),
        resource.RLIMIT_CORE: (0, 0),
    }
    if math.isfinite(limits.cpu_seconds):  # infinite: no CPU timer (it coarsens the process clock)
        cpu = max(1, math.ceil(limits.cpu_seconds))
        wanted[resource.RLIMIT_CPU] = (cpu, cpu + 1)  # SIGXCPU first, SIGKILL a second later
    settings = [(res, _clamp(res, soft, hard)) for res, (soft, hard) in wanted.items()]

    def apply() -> None:
        for res, pair in settings:
            resource.setrlimit(res, pair)
        if user is not None:
            _privdrop.drop_to(*user)
        _privdrop.die_with_parent()

    return apply


def _clamp(res: int, soft: int, hard: int) -> tuple[int, int]:
    current_hard = resource.getrlimit(res)[1]
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
    return min(soft, hard), hard


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


class _Supervisor:
    """Drains, times and reaps one child; kills its group on deadline and on exit.

    The group is killed while the child is still an unreaped zombie, so its
    pid (the group id) cannot have been reused by then. The exit is detected
    with a pidfd in the same selector as the pipes; without pidfd support the
    loop polls ``waitid(WNOWAIT)`` instead.
    """

    def __init__(self, proc: subprocess.Popen[bytes], limits: Limits, start: float) -> None:
        assert proc.stdout is not None and proc.stderr is not None
        self.proc, self.start = proc, start
        self.deadline = start + limits.wall_seconds
        self.captures = {proc.stdout.fileno(): _Capture(limits.output_bytes),
                         proc.stderr.fileno(): _Capture(limits.output_bytes)}
        self.selector = selectors.DefaultSelector()
        self.pidfd = _pidfd(proc.pid)
        self.timed_out = False

    def run(self) -> Completed:
        try:
            for fd in self.captures:
                self.selector.register(fd, selectors.EVENT_READ)
            if self.pidfd is not None:
                self.selector.register(self.pidfd, selectors.EVENT_READ)
            self._until_exit()
        finally:
            _kill_group(self.proc.pid)
            self._drain(time.monotonic() + _DRAIN_GRACE_SECONDS)
            _, status, usage = os.wait4(self.proc.pid, 0)
            self._close()
        return self._completed(status, usage)

    def _until_exit(self) -> None:
        while not self._exited():
            remaining = self.deadline - time.monotonic()
            if remaining <= 0 and not self.timed_out:
                self.timed_out = True
                _kill_group(self.proc.pid)
            timeout = None if self.timed_out else remaining
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
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.proc.stdout.close()
        self.proc.stderr.close()

    def _completed(self, status: int, usage: resource.struct_rusage) -> Completed:
        code = os.waitstatus_to_exitcode(status)
        self.proc.returncode = code  # reaped here: keep Popen from waiting again
        out, err = (c.text() for c in self.captures.values())
        return Completed(
            returncode=code if code >= 0 else None,
            signal=-code if code < 0 else None,
            timed_out=self.timed_out,
            stdout=out,
            stderr=err,
            wall_seconds=time.monotonic() - self.start,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
        )


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
