"""What a process under bubblewrap sees: the command line that builds its view of the machine.

The view (``command``):

- the system folders (``/usr``, ``/etc``, the ``/bin`` and ``/lib`` links),
  the interpreter, its packages and the engine's child scripts, read-only;
- the folders the caller names (the snapshot, the run's scratch folder or a
  workspace), read-only: writes go to private copies (``_cell.enter``);
- ``/tmp`` an empty read-only tmpfs, ``/dev`` the usual devices on a
  read-only tmpfs, a new ``/proc``; nothing else at all: no home, no
  ``/run`` (sockets), no ``/mnt``, no other project;
- ``CELL_MOUNT``, an empty tmpfs where each variant puts its own tmpfs;
- new PID, network, IPC, UTS and cgroup namespaces; the sandbox dies with
  the process that started it.

An unprivileged engine runs bubblewrap in a new user namespace. Bubblewrap
started by root keeps every capability inside; so a root engine's command is
prefixed with ``setpriv`` to keep only ``CAP_SETUID`` and ``CAP_SETGID``, with
which the variant's process drops to the worker's sandbox uid (and loses
them) before anything of the variant runs, and ``CAP_KILL``, with which a
server stops its variant's process group at the deadline.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from evolve.evaluation.child import HERE as CHILD_SCRIPTS

__all__ = ["CELL_MOUNT", "SYSTEM", "bwrap_path", "command", "interpreter_paths"]

SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
CELL_MOUNT = "/evolve-cell"
SERVER_TMPFS_BYTES = 256 * 1024**2
"""Size of ``CELL_MOUNT`` in a server's view (it holds one variant's output file at a time)."""
INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)"


def bwrap_path() -> str:
    """Where bubblewrap is, or an ``OSError`` saying how to get it."""
    found = shutil.which("bwrap")
    if found is None:
        raise OSError(f"bubblewrap (bwrap) is not on PATH; {INSTALL_HINT}")
    return found


def interpreter_paths() -> list[str]:
    """Folders a variant's interpreter must read: prefixes, ``sys.path`` entries, the child scripts.

    Never the working directory or a folder holding the home directory (the
    user's project or home would come along); folders below the system
    folders are already in every view.
    """
    home = os.path.realpath(os.path.expanduser("~"))
    cwd = os.path.realpath(os.getcwd())
    candidates = [sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                  os.path.dirname(sys.executable), os.path.dirname(os.path.realpath(sys.executable)),
                  str(CHILD_SCRIPTS)]
    candidates += [p for p in sys.path if p and os.path.isabs(p)]
    found: list[str] = []
    for path in candidates:
        for form in {path, os.path.realpath(path)}:
            if not os.path.exists(form) or form in ("/", cwd) or _under(home, form):
                continue
            found.append(form)
    return _outermost(p for p in found if not any(_under(p, s) for s in SYSTEM))


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _outermost(paths: Iterable[str]) -> list[str]:
    unique = sorted(set(paths))
    return [p for p in unique if not any(q != p and _under(p, q) for q in unique)]


def command(argv: Sequence[str], folders: Iterable[str], *, root: bool, server: bool = False) -> list[str]:
    """``argv`` under bubblewrap with the view above; ``folders`` bound read-only.

    ``server``: the process is a test server, whose own ``HOME`` and
    ``TMPDIR`` go to its private ``CELL_MOUNT``.
    """
    args = [bwrap_path(), *([] if root else ["--unshare-user"]), "--unshare-pid", "--unshare-net",
            "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent"]
    for folder in SYSTEM:
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    args += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev", "--perms", "0755", "--tmpfs", "/tmp"]
    bound = [*SYSTEM, "/proc", "/dev"]
    for path in _outermost([*interpreter_paths(), *(os.path.realpath(f) for f in folders)]):
        args += _parents(path, bound)
        args += ["--ro-bind", path, path]
        bound.append(path)
    args += ["--remount-ro", "/tmp", "--perms", "0755" if root else "0700", "--size", str(SERVER_TMPFS_BYTES),
             "--tmpfs", CELL_MOUNT]
    if server:
        args += ["--setenv", "HOME", CELL_MOUNT, "--setenv", "TMPDIR", CELL_MOUNT]
    if root:
        argv = [_setpriv(), "--bounding-set=-all,+setuid,+setgid,+kill", "--inh-caps=-all", "--", *argv]
    return [*args, "--", *argv]


def _parents(path: str, bound: list[str]) -> list[str]:
    """``--dir`` for each folder above ``path`` that is not inside something bound already (mode 0755)."""
    out: list[str] = []
    parts = Path(path).parts[1:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/" + "/".join(parts[:depth])
        if not any(_under(folder, b) for b in bound):
            out += ["--perms", "0755", "--dir", folder]
    return out


def _setpriv() -> str:
    found = shutil.which("setpriv")
    if found is None:
        raise OSError("a root engine needs setpriv (util-linux) to drop privileges under bubblewrap")
    return found
