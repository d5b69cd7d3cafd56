"""The walls one variant process builds around itself, and the sweep that follows it.

Stdlib and ctypes only; loaded by path by ``_prologue`` (forked children of the
test servers) and ``_keeper`` (every ``run_sandboxed`` command). Everything
here acts on the calling process; the engine decides what to apply (the
``spec`` it sends, built by ``evolve.evaluation.sandbox.child_spec``):

- ``expose(paths)`` (a root engine at the process level, before dropping to
  the sandbox uid): a private mount namespace in which ``/root``, ``/home``
  and any folder the sandbox uid cannot enter are empty, except for ``paths``
  (the interpreter, its packages, the run's scratch folder), bound back
  read-only. The variant can run Python without reading anyone's home.
- ``enter(cell)`` (bubblewrap level, after dropping): a new user and mount
  namespace, a tmpfs of ``cell["bytes"]`` at ``cell["mount"]``, and each of
  ``cell["overlays"]`` made writable through an overlay whose upper layer is
  that tmpfs (or, on kernels whose tmpfs cannot hold an overlay's upper layer,
  a copy on it). The outside folders are never written; everything the
  variant writes, including ``/dev/shm``, counts against one bounded, private
  tmpfs that disappears with the process. No further user namespace can be
  created (``max_user_namespaces`` is 0 inside) and no capability is left.
- ``sweep(spec)``: after the variant ended, SIGKILL whatever it left: every
  descendant of the caller (a subreaper: orphans come back to it), every
  process of the sandbox uid (root engine), every other process of the PID
  namespace (unprivileged engine under bubblewrap).
- ``disk_usage``: what a folder holds, for the process level's disk budget.

What is not contained here: memory a variant puts in its tmpfs is RAM
(bounded by ``bytes``); at the process level nothing stops writes outside
the workspace but the uid (root engine) or Landlock (``_landlock``).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import shutil
import signal
import time
from collections.abc import Iterable
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV = 1, 2, 4
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
HOMES = ("/root", "/home")
SWEEP_ROUNDS = 200



def _sibling(name: str) -> Any:
    """A sibling script loaded by path (this folder is not on ``sys.path``, on purpose)."""
    here = os.path.dirname(os.path.realpath(__file__))
    spec = importlib.util.spec_from_file_location(f"_evolve{name}", os.path.join(here, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_privdrop = _sibling("_privdrop")
_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> None:
    enc = (lambda s: None if s is None else s.encode())
    _check(_libc.mount(enc(source), enc(target), enc(kind), flags, enc(data)), f"mount {kind or 'bind'} on {target}")


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)


# ------------------------------------------------------------------ process level, root engine


def expose(paths: Iterable[str], writable: Iterable[str] = (), hide: Iterable[str] = HOMES) -> bool:
    """In a new mount namespace, empty ``hide`` and every folder others cannot enter, except ``paths``.

    Root only (before dropping). Each covered folder becomes a small read-only
    tmpfs in which only the parts of ``paths`` and ``writable`` below it
    exist, bound back from descriptors opened before they were covered:
    ``paths`` read-only, ``writable`` as they were. False, changing nothing,
    where root may not make a mount namespace (a container's seccomp
    profile): the sandbox uid and Landlock are the walls there.
    """
    rw = {os.path.realpath(p) for p in writable if os.path.exists(p)}
    keep = sorted(rw | {os.path.realpath(p) for p in paths if os.path.exists(p)})
    covers = {os.path.realpath(h) for h in hide if os.path.isdir(h)}
    for path in keep:
        blocked = _first_closed_ancestor(path)
        if blocked is not None:
            covers.add(blocked)
    covers = {c for c in covers if not any(c != o and _under(c, o) for o in covers)}
    if _libc.unshare(CLONE_NEWNS) != 0:
        if ctypes.get_errno() in (1, 38):  # EPERM, ENOSYS
            return False
        _check(-1, "unshare(mount namespace)")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    for cover in sorted(covers):
        inside = [p for p in keep if _under(p, cover)]
        if cover in inside:
            continue  # a kept folder is never covered itself
        outer = [p for p in inside if not any(q != p and _under(p, q) for q in inside)]
        inner_rw = [p for p in rw if p not in outer and any(_under(p, o) and o not in rw for o in outer)]
        fds = [(p, os.open(p, os.O_PATH | os.O_CLOEXEC)) for p in sorted(outer + inner_rw, key=len)]
        _mount("tmpfs", cover, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        for path, fd in fds:
            if os.path.isdir(f"/proc/self/fd/{fd}"):
                os.makedirs(path, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                open(path, "a").close()
            _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
            if path not in rw:
                _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
            os.close(fd)
        _mount(None, cover, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    return True


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _first_closed_ancestor(path: str) -> str | None:
    """The outermost folder above ``path`` that users other than its owner cannot enter."""
    parts = path.strip("/").split("/")
    for depth in range(1, len(parts)):
        folder = "/" + "/".join(parts[:depth])
        try:
            if not os.stat(folder).st_mode & 0o001:
                return folder
        except OSError:
            return None
    return None


# ------------------------------------------------------------------ bubblewrap level


def enter(cell: dict[str, Any]) -> None:
    """Private, bounded, writable views of ``cell["overlays"]``; no capability and no user namespace after.

    ``cell``: ``mount`` (an existing folder to put the tmpfs on), ``bytes``
    (its size), ``overlays`` (folders that become writable in private).
    """
    uid, gid = os.getuid(), os.getgid()
    _privdrop.not_dumpable(True)  # our own /proc/self files, to write the maps below
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS), "unshare(user and mount namespaces)")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    _write("/proc/sys/user/max_user_namespaces", "0")  # a variant cannot mount a tmpfs of its own
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    top = cell["mount"]
    _mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, f"size={int(cell['bytes'])},mode=0700")
    for n, folder in enumerate(cell.get("overlays") or ()):
        _overlay(folder, os.path.join(top, f"upper{n}"), os.path.join(top, f"work{n}"))
    if os.path.isdir("/dev/shm"):
        shm = os.path.join(top, "shm")
        os.mkdir(shm, 0o700)
        _mount(shm, "/dev/shm", None, MS_BIND)
    _privdrop.drop_capabilities()
    _privdrop.no_new_privs()


def _overlay(folder: str, upper: str, work: str) -> None:
    """Make ``folder`` writable in this mount namespace, writes going to ``upper`` (on the cell's tmpfs)."""
    if any(c in folder for c in ",:\\"):
        raise OSError(f"cannot overlay {folder!r}: the path holds a comma, colon or backslash")
    os.mkdir(upper, 0o755)
    os.mkdir(work, 0o700)
    try:
        _mount("overlay", folder, "overlay", MS_NOSUID | MS_NODEV,
               f"lowerdir={folder},upperdir={upper},workdir={work},userxattr")
    except OSError:  # an older kernel: no user xattrs on tmpfs; a private copy does the same job
        os.rmdir(upper)
        shutil.copytree(folder, upper, symlinks=True)
        _mount(upper, folder, None, MS_BIND | MS_REC)


# ------------------------------------------------------------------ after the variant


def sweep(spec: dict[str, Any] | None) -> None:
    """SIGKILL and reap what the variant left behind (see the module docstring).

    The caller is a subreaper whose only child was the variant, already
    reaped: whatever the variant left is re-parented to the caller, so a
    caller without children has nothing to sweep (the common case, checked
    in one system call).
    """
    if not _has_children():
        return
    spec = spec or {}
    uid = spec.get("uid")
    if uid is not None and os.geteuid() == 0:
        _privdrop.kill_every_process_of(int(uid))
    if spec.get("namespace") and _in_own_pid_namespace():
        try:
            os.kill(-1, signal.SIGKILL)  # every process of this namespace this process may signal
        except ProcessLookupError:
            pass
    kill_descendants()


def _has_children() -> bool:
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    return True


def _in_own_pid_namespace() -> bool:
    """True only inside bubblewrap's PID namespace (its init is pid 1, we are a low pid below it)."""
    try:
        with open("/proc/1/comm", encoding="ascii", errors="replace") as handle:
            init = handle.read().strip()
    except OSError:
        return False
    return init == "bwrap" and os.getpid() < 16


def kill_descendants() -> None:
    """SIGKILL every descendant of this process, round after round, and reap those that are our children."""
    me = os.getpid()
    for _ in range(SWEEP_ROUNDS):
        found = _descendants(me)
        reap_children()
        if not found:
            return
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.002)
    reap_children()


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != b"Z":
            children.setdefault(int(fields[1]), []).append(int(name))
    found, todo = [], list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def reap_children() -> None:
    """Reap every child that has exited (orphans re-parented to a subreaper end up here)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def reap_children_except(keep: int) -> None:
    """Reap exited children other than ``keep`` (left unreaped for its own ``wait4``)."""
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if info is None or info.si_pid == keep:
            return
        try:
            os.waitpid(info.si_pid, 0)
        except ChildProcessError:
            return


def disk_usage(folders: Iterable[str], stop_at: int) -> int:
    """Bytes allocated under ``folders`` (symlinks not followed); stops counting past ``stop_at``."""
    total = 0
    todo = [f for f in folders if os.path.isdir(f)]
    while todo:
        try:
            entries = list(os.scandir(todo.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            total += info.st_blocks * 512
            if entry.is_dir(follow_symlinks=False):
                todo.append(entry.path)
        if total > stop_at:
            break
    return total
