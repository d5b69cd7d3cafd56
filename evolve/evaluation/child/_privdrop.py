"""Drop a root process to an unprivileged user, keeping only the right to read.

Stdlib only (``_forkserver.py`` loads it by path). Why: the kernel never
enforces ``RLIMIT_NPROC`` for uid 0, and root may write the user's files and
signal the engine. A variant therefore runs as ``nobody``. But the Python
interpreter and its packages may live where ``nobody`` cannot read (a pyenv
under ``/root``), so the process keeps one capability, ``CAP_DAC_READ_SEARCH``
(read any file, search any folder), raised as an *ambient* capability so it
survives ``exec`` of the interpreter. Writing, signalling other users and
raising limits stay forbidden.
"""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1
PR_SET_KEEPCAPS = 8
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_RAISE = 2
CAP_DAC_READ_SEARCH = 2
_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send ``sig`` when the parent exits (cleared by a uid change: call after)."""
    _check(_libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")


def drop_to(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` with only ``CAP_DAC_READ_SEARCH`` left (also across exec)."""
    _check(_libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)")
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    keep = 1 << CAP_DAC_READ_SEARCH
    header = _CapHeader(_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)(_CapData(keep, keep, keep), _CapData(0, 0, 0))
    _check(_libc.capset(ctypes.byref(header), data), "capset")
    _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_DAC_READ_SEARCH, 0, 0), "prctl(PR_CAP_AMBIENT)")
