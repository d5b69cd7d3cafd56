"""Where a run's temporary files live, and how they always go away.

Every scratch folder of a run (the snapshot, the workspaces, the test
servers' homes and copies, promotion's checkouts) lives under one folder the
run owns: ``<temp>/evolve-<uid>/run-<random>/``, which holds a lock
(``.lock``, an exclusive ``flock``) for as long as the run's process lives.

- A run that ends, fails, is interrupted with Ctrl-C or is sent SIGTERM
  (``evolve.errors.sigterm_unwinds`` makes that an exception too) removes its
  folder on the way out (``release``), after its test servers are stopped.
- A run that was SIGKILLed cannot; its lock dies with it. The next run or
  ``resume`` of the same user finds folders whose lock is free
  (``sweep_stale``), kills any process still working in one (a variant's
  daemon at the process level), and removes them.

What is not covered: a folder left by another user (each user has their own
``evolve-<uid>``), and a process that left its folder (``chdir('/')``) after
its engine was SIGKILLed at the process level of an unprivileged engine;
bubblewrap's PID namespace and a root engine's sandbox uid catch those.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from evolve.errors import EvolveError

__all__ = ["new_scratch", "release", "scratch_root", "sweep_stale"]

LOCK = ".lock"
_LOCKS: dict[Path, int] = {}


def scratch_root() -> Path:
    """``<temp>/evolve-<uid>``: created if missing, and refused if someone else owns it or it is a link."""
    root = Path(tempfile.gettempdir()) / f"evolve-{os.geteuid()}"
    try:
        root.mkdir(mode=0o711, exist_ok=True)
        info = os.lstat(root)
    except OSError as exc:
        raise EvolveError(f"cannot create the scratch folder {root} ({exc}); set TMPDIR to a writable folder") from None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        raise EvolveError(f"the scratch folder {root} is not a folder of yours; remove it or set TMPDIR elsewhere")
    os.chmod(root, 0o711 if os.geteuid() == 0 else 0o700)  # a root engine's sandbox uid passes, never lists
    return root


def new_scratch() -> Path:
    """A fresh scratch folder for this run, locked while this process lives; stale ones are swept first."""
    sweep_stale()
    folder = Path(tempfile.mkdtemp(prefix="run-", dir=scratch_root()))
    if os.geteuid() == 0:
        folder.chmod(0o755)  # the sandbox uid reads the snapshot here (its name is not listed anywhere)
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    _LOCKS[folder] = fd
    return folder


def release(folder: Path) -> None:
    """Remove ``folder`` (whatever the variants left in it), then drop its lock."""
    _remove(folder)
    fd = _LOCKS.pop(folder, None)
    if fd is not None:
        os.close(fd)


def sweep_stale() -> list[Path]:
    """Remove the scratch folders of runs that are gone (their lock is free); the folders removed."""
    try:
        candidates = sorted(scratch_root().glob("run-*"))
    except EvolveError:
        return []
    removed = []
    for folder in candidates:
        if folder in _LOCKS or not folder.is_dir() or folder.is_symlink():
            continue
        try:
            fd = os.open(folder / LOCK, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
        except FileNotFoundError:
            fd = -1  # killed before it took its lock (a moment after mkdtemp): gone all the same
        except OSError:
            continue
        try:
            if fd >= 0:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a live run
        try:
            _kill_processes_in(folder)
            _remove(folder)
            removed.append(folder)
        finally:
            if fd >= 0:
                os.close(fd)
    return removed


def _kill_processes_in(folder: Path) -> None:
    """SIGKILL this user's processes whose working folder is inside ``folder``."""
    me = os.geteuid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != me and me != 0:
                continue
            if Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue


def _remove(folder: Path) -> None:
    """``rm -rf``, also through folders a variant made read-only."""

    def writable_then_retry(func: Callable[..., object], path: str, _exc: object) -> None:
        try:
            os.chmod(os.path.dirname(path), 0o700)
            if os.path.isdir(path) and not os.path.islink(path):
                os.chmod(path, 0o700)
            func(path)
        except OSError:
            pass

    shutil.rmtree(folder, onerror=writable_then_retry)
