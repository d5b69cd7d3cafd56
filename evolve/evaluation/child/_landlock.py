"""Landlock: the process level's walls, for a process that has no namespaces to hide in.

Stdlib and ctypes only; loaded by path. ``restrict`` confines the calling
process and everything it starts (Linux 5.13+; a kernel without Landlock
returns False and confines nothing). After it:

- files and folders can be read (and programs run) only beneath ``read``
  (the system folders, the interpreter, the run's scratch folder) and
  ``write``; the user's home, other projects and ``/proc`` are unreadable,
  except the process's own ``/proc/<pid>`` (``/dev/fd/N`` works);
- anything can be created, written or removed beneath ``write`` (the
  variant's workspace) only; ``/dev`` keeps its devices usable but nothing
  can be created there (so not in ``/dev/shm`` either);
- TCP connect and bind are refused (ABI 4+; UDP and Unix sockets are not
  covered);
- signals reach only processes of the same Landlock domain, abstract Unix
  sockets only peers in it (ABI 6+): the variant cannot kill its server, its
  keeper or the engine, even though they share its uid; nor trace them
  (ptrace is scoped from ABI 1 on).

What stays open: reading the folders in ``read``; UDP; a kernel older than
the ABI a rule needs (that rule is skipped, the rest holds).
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterable

_CREATE, _ADD_RULE, _RESTRICT = 444, 445, 446  # the same numbers on every architecture (asm-generic)
_VERSION = 1
_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FS_V1 = (1 << 13) - 1
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1
READ = EXECUTE | READ_FILE | READ_DIR

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is missing or disabled."""
    version = _libc.syscall(_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(_VERSION))
    return max(0, int(version))


def _handled_fs(version: int) -> int:
    mask = _FS_V1
    if version >= 2:
        mask |= REFER
    if version >= 3:
        mask |= TRUNCATE
    if version >= 5:
        mask |= IOCTL_DEV
    return mask


def restrict(read: Iterable[str], write: Iterable[str], devices: str = "/dev") -> bool:
    """Confine this process as the module docstring says; False when the kernel has no Landlock."""
    version = abi()
    if version < 1:
        return False
    handled = _handled_fs(version)
    attr = _RulesetAttr(handled, (_NET_BIND_TCP | _NET_CONNECT_TCP) if version >= 4 else 0,
                        (_SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL) if version >= 6 else 0)
    size = 8 if version < 4 else 16 if version < 6 else 24
    ruleset = _libc.syscall(_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"landlock_create_ruleset: {os.strerror(err)}")
    try:
        for path in read:
            _allow(ruleset, path, READ & handled)
        for path in write:
            _allow(ruleset, path, handled)
        _allow(ruleset, devices, (READ_FILE | READ_DIR | WRITE_FILE | IOCTL_DEV) & handled)
        _allow(ruleset, f"/proc/{os.getpid()}", (READ_FILE | READ_DIR | WRITE_FILE | TRUNCATE) & handled)
        if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
        if _libc.syscall(_RESTRICT, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"landlock_restrict_self: {os.strerror(err)}")
    finally:
        os.close(ruleset)
    return True


def _allow(ruleset: int, path: str, access: int) -> None:
    """Allow ``access`` beneath ``path`` (a missing path is skipped; a file gets the rights files can have)."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):
            access &= EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
        rule = _PathBeneath(access, fd)
        if _libc.syscall(_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_PATH_BENEATH), ctypes.byref(rule),
                         ctypes.c_uint32(0)) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"landlock_add_rule({path}): {os.strerror(err)}")
    finally:
        os.close(fd)
