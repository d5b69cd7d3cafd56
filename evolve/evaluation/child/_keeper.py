"""The first process of every ``run_sandboxed`` command: walls, the command, then nothing left.

A script run by path (stdlib only, started with ``python -I -S``), as

    python -I -S _keeper.py SPEC_JSON REPORT_FD RESULT_FD -- command args...

``SPEC_JSON`` is the engine's ``child_spec`` (walls, sweep, disk budget) plus
``wall`` (seconds). The keeper makes itself a subreaper and not dumpable,
puts up the walls that must hold for the whole tree (``expose``, the sandbox
user, the bubblewrap cell), then forks the command: in its own process group,
Landlock applied (process level), the result channel (``RESULT_FD``, or -1)
moved to descriptor 3, everything else closed. It waits for the command,
enforcing the wall deadline and, at the process level, the disk budget;
then it kills the command's group and sweeps every descendant and, for a
root engine, every process of the sandbox uid. Last it writes one JSON line
on ``REPORT_FD`` (the command's wait status, its CPU seconds including the
children it waited for, whether it timed out or went over its disk budget)
and exits the way the command did. The keeper's own start-up is not in the
CPU figure. SIGTERM (the engine gave up) ends the command and sweeps too.

What it does not contain: a command that kills the keeper (same uid, process
level, no Landlock) leaves its orphans to init; a root engine's next sweep of
the sandbox uid, or bubblewrap's PID namespace, still catches them.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from typing import Any

_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]
RESULT_FD = 3
DISK_CHECK_SECONDS = 0.25


def _load(name: str) -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"_evolve{name}", os.path.join(_HERE, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _exec(argv: list[str], spec: dict[str, Any], result_fd: int) -> None:
    """In the forked command child: own group, Landlock, descriptors, exec. Never returns."""
    try:
        os.setpgid(0, 0)
        landlock = spec.get("landlock")
        if landlock:
            _load("_landlock").restrict(landlock["read"], landlock["write"])
        if result_fd >= 0:
            if result_fd != RESULT_FD:
                os.dup2(result_fd, RESULT_FD)
            os.set_inheritable(RESULT_FD, True)
        keep = {0, 1, 2} | ({RESULT_FD} if result_fd >= 0 else set())
        for fd in _open_fds():
            if fd not in keep:
                try:
                    os.close(fd)
                except OSError:
                    pass
        _load("_privdrop").die_with_parent()
        os.execvp(argv[0], argv)
    except FileNotFoundError as exc:
        os.write(2, f"cannot start {argv[0]!r}: {exc}\n".encode())
        os._exit(127)
    except BaseException as exc:
        os.write(2, f"cannot start {argv[0]!r}: {exc}\n".encode())
        os._exit(126)


def _open_fds() -> list[int]:
    try:
        return [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        return list(range(3, 256))


class _Stop(Exception):
    """SIGTERM: the engine gave up on this command."""


def _on_term(signum: int, frame: Any) -> None:
    raise _Stop()


def _wait(pid: int, spec: dict[str, Any], cell: Any, over_disk: Any) -> tuple[int, Any, bool, bool]:
    """Wait for the command; (status, rusage, timed_out, over_disk). Orphans are reaped on the way."""
    import select

    deadline = time.monotonic() + float(spec.get("wall") or 3600)
    disk = spec.get("disk")
    pidfd = os.pidfd_open(pid)
    try:
        while True:
            got, status, usage = os.wait4(pid, os.WNOHANG)
            if got == pid:
                return status, usage, False, False
            cell.reap_children_except(pid)
            now = time.monotonic()
            if now >= deadline:
                return _end(pid) + (True, False)
            if disk and over_disk(disk):
                return _end(pid) + (False, True)
            select.select([pidfd], [], [], min(DISK_CHECK_SECONDS, deadline - now))
    finally:
        os.close(pidfd)


def _end(pid: int) -> tuple[int, Any]:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _, status, usage = os.wait4(pid, 0)
    return status, usage


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    report_fd, result_fd = int(argv[1]), int(argv[2])
    command = argv[4:] if argv[3:4] == ["--"] else argv[3:]
    os.set_inheritable(report_fd, False)
    privdrop, cell = _load("_privdrop"), _load("_cell")
    privdrop.become_subreaper()
    privdrop.not_dumpable()
    signal.signal(signal.SIGTERM, _on_term)
    if spec.get("expose") is not None:
        cell.expose(spec["expose"]["read"], spec["expose"]["write"])
    if spec.get("user"):
        privdrop.drop_to(*spec["user"])
    if spec.get("cell"):
        cell.enter(spec["cell"])
        os.chdir(os.getcwd())  # the working folder may be under an overlay now: enter that
    privdrop.not_dumpable()
    privdrop.die_with_parent()

    def over(disk: dict[str, Any]) -> bool:
        return cell.disk_usage(disk["paths"], int(disk["bytes"])) > int(disk["bytes"])

    pid = os.fork()
    if pid == 0:
        _exec(command, spec, result_fd)
    if result_fd >= 0:
        os.close(result_fd)
    timed_out = over_disk = False
    try:
        status, usage, timed_out, over_disk = _wait(pid, spec, cell, over)
    except _Stop:
        status, usage = _end(pid)
        timed_out = True
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    cell.sweep(spec.get("sweep"))
    report = {"status": status, "cpu": usage.ru_utime + usage.ru_stime, "timed_out": timed_out,
              "over_disk": over_disk}
    os.write(report_fd, (json.dumps(report) + "\n").encode())
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        os.kill(os.getpid(), signal.SIGKILL)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
