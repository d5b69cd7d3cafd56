"""One unprivileged uid per worker process of a root engine.

A root engine runs each variant as a uid of its own process, drawn from a
range no account uses (``BASE`` up, checked against the user database and
``/etc/subuid``): the process limit then counts only that worker's variant
processes (a fork bomb in one worker cannot starve another), files the
variant creates are not the user's, and every process of that uid can be
killed at once after each variant (``_privdrop.kill_every_process_of``). A
uid is held by an exclusive ``flock`` on a file in a root-only folder for as
long as the process lives; a uid whose lock is free is free, and whatever
still runs under it (left by a SIGKILLed engine) is killed when it is taken.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import tempfile

from evolve.evaluation.child import _privdrop

__all__ = ["BASE", "COUNT", "worker_uid"]

BASE = 0x7A000000
"""First sandbox uid (2046820352): above ``_privdrop.SANDBOX_UID_FLOOR``, below the 32-bit end."""
COUNT = 1024

_held: dict[int, tuple[int, int]] = {}
"""pid -> (uid, lock fd): a forked child must take its own uid, never share its parent's."""


def worker_uid() -> int:
    """This process's sandbox uid (root only), taken on first call and kept until the process ends."""
    if os.geteuid() != 0:
        raise PermissionError("only a root engine runs variants under a uid of their own")
    held = _held.get(os.getpid())
    if held is not None:
        return held[0]
    folder = _lock_folder()
    reserved = _subordinate_ranges()
    for uid in range(BASE, BASE + COUNT):
        if any(start <= uid < start + count for start, count in reserved) or _has_account(uid):
            continue
        fd = os.open(os.path.join(folder, f"uid-{uid}"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW,
                     0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        _privdrop.kill_every_process_of(uid)  # survivors of an engine that was SIGKILLed
        _held[os.getpid()] = (uid, fd)
        return uid
    raise RuntimeError(f"all {COUNT} sandbox uids from {BASE} are in use")


def _lock_folder() -> str:
    """A folder only root can write, for the uid locks: ``/run/evolve-sandbox``, else one in the temp folder."""
    for folder in ("/run/evolve-sandbox", os.path.join(tempfile.gettempdir(), "evolve-sandbox-0")):
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            info = os.lstat(folder)
        except OSError:
            continue
        if info.st_uid == 0 and not (info.st_mode & 0o022) and os.path.isdir(folder) and not os.path.islink(folder):
            return folder
    raise RuntimeError("no folder for the sandbox uid locks (/run/evolve-sandbox is not usable)")


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def _subordinate_ranges() -> list[tuple[int, int]]:
    """The uid ranges ``/etc/subuid`` hands to user namespaces (containers run under them)."""
    ranges = []
    try:
        with open("/etc/subuid", encoding="utf-8") as handle:
            for line in handle:
                parts = line.strip().split(":")
                if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                    ranges.append((int(parts[1]), int(parts[2])))
    except OSError:
        pass
    return ranges
