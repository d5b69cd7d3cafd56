"""Credentials and process switches for the child side: become someone smaller, stay findable.

Stdlib and ctypes only (the child scripts load it by path). Why each exists:

- ``drop_to``: the kernel never enforces ``RLIMIT_NPROC`` for uid 0, and root
  may read, write and signal anything. A root engine's variant therefore runs
  as an unprivileged uid of its own (one per worker, see
  ``evolve.evaluation._uids``) with **no** capability left, not even across
  ``exec``. What the variant must read (the interpreter, its packages) is made
  reachable by mounts (``_cell.expose``, or bubblewrap's view), never by a
  capability: ``CAP_DAC_READ_SEARCH`` would also read every other user's files.
- ``die_with_parent``: a server dies with its worker, a variant with its
  server. The kernel clears it on a uid change and in a forked child, so it is
  set after ``drop_to`` and it does not reach a variant's own grandchildren;
  those are found by the sweeps (``_cell``).
- ``not_dumpable``: a process the variant shares a uid with (a server of an
  unprivileged engine) cannot be traced or have its ``/proc`` files opened.
- ``become_subreaper``: orphans (a double-forked daemon) are re-parented to
  the server or keeper instead of init, where the sweep finds them.
- ``kill_every_process_of``: from root, SIGKILL every process of one
  sandbox uid at once (``kill(-1)`` as that uid: atomic against a fork bomb).
"""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAPABILITY_VERSION_3 = 0x20080522
SANDBOX_UID_FLOOR = 1 << 30
"""Sandbox uids are at or above this: ``kill_every_process_of`` refuses anything lower (a real user)."""


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


def drop_capabilities() -> None:
    """No capability left in any set (effective, permitted, inheritable, ambient)."""
    header = _CapHeader(_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)(_CapData(0, 0, 0), _CapData(0, 0, 0))
    _check(_libc.capset(ctypes.byref(header), data), "capset")
    _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "prctl(PR_CAP_AMBIENT)")


def no_new_privs() -> None:
    """No exec may ever grant privileges again (set-uid files, file capabilities)."""
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")


def drop_to(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` with no supplementary groups and no capability at all.

    From root, ``setresuid`` to a non-zero uid clears every capability set by
    itself; ``drop_capabilities`` makes sure, and ``no_new_privs`` keeps it so
    across ``exec``.
    """
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    drop_capabilities()
    no_new_privs()


def not_dumpable(flag: bool = False) -> None:
    """Processes of the same uid can no longer trace this one or open its ``/proc`` files.

    ``not_dumpable(True)`` undoes it: a process must own its ``/proc/self``
    files to write its own user namespace's maps (a uid change clears the flag).
    """
    _check(_libc.prctl(PR_SET_DUMPABLE, 1 if flag else 0, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")


def become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process, not to init."""
    _check(_libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)")


def kill_every_process_of(uid: int) -> None:
    """SIGKILL every process whose uid is ``uid`` (root only; ``uid`` must be a sandbox uid).

    A forked helper becomes ``uid`` and calls ``kill(-1, SIGKILL)``, which
    the kernel applies to every process that uid may signal, in one pass that
    a fork cannot race. Inside a PID namespace it reaches that namespace only.
    """
    if os.geteuid() != 0 or uid < SANDBOX_UID_FLOOR:
        raise ValueError(f"refusing to kill every process of uid {uid}")
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            os.kill(-1, signal.SIGKILL)
        except BaseException:
            pass
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
