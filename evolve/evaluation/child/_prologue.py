"""What every forked child around a variant does first and last, and the servers' small helpers.

Stdlib only; loaded by path (``load``) by ``_forkserver.py``, ``_liveserver.py``
and ``_livechild.py``, so a warm-server child and a live-server child isolate
themselves with the same steps in the same order (``isolate``) and end the
same way (``run_then_exit``): whatever the variant does, the child leaves with
``os._exit`` and never returns into the server's loop.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

_HERE = os.path.dirname(os.path.realpath(__file__))
CRASH_CODE = 70
"""Exit code of a child whose body raised (EX_SOFTWARE)."""


def load(name: str) -> Any:
    """Load the sibling script ``name`` by path (this folder is not on ``sys.path``, on purpose)."""
    spec = importlib.util.spec_from_file_location(f"_evolve{name}", os.path.join(_HERE, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_privdrop = load("_privdrop")
_cell = load("_cell")
_landlock = load("_landlock")


def isolate(request: dict[str, Any]) -> None:
    """Own session, limits, output file, walls, sandbox user, parent-death signal, scrubbed environment.

    ``request`` carries ``rlimits`` ({RLIMIT name: (soft, hard)}), ``output``
    (the file that takes stdout and stderr), ``env``, optionally ``cwd`` (to
    move into) and the walls the engine chose (``evolve.evaluation.sandbox.child_spec``):
    ``expose`` (root at the process level: homes emptied but for these paths),
    ``user`` ((uid, gid) to drop to), ``cell`` (bubblewrap level: private
    writable views on a bounded tmpfs), ``landlock`` (process level: ``read``
    and ``write`` folders). The output file is opened first, so it may live
    where the variant can neither create nor see files. Stdin reads from
    ``/dev/null``.
    """
    os.setsid()
    for name, (soft, hard) in request["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))
    fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    walls(request)
    sys.dont_write_bytecode = True
    if request.get("cwd"):
        os.chdir(request["cwd"])  # after the walls: an overlay on it is entered only now
    if dict(os.environ) != request["env"]:  # a live server adopts each variant's environment: usually equal
        os.environ.clear()
        os.environ.update(request["env"])
    import tempfile

    tempfile.tempdir = None  # the server may have asked before: ask the scrubbed environment again
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)


def walls(spec: dict[str, Any]) -> None:
    """Apply the engine's walls to this process, in the only order that works (see ``isolate``)."""
    if spec.get("expose") is not None:
        _cell.expose(spec["expose"]["read"], spec["expose"]["write"])
    if spec.get("user"):
        _privdrop.drop_to(*spec["user"])
    if spec.get("cell"):
        _cell.enter(spec["cell"])
        os.chdir(os.getcwd())  # the working folder may be under an overlay now: enter that
    if spec.get("landlock"):
        _landlock.restrict(spec["landlock"]["read"], spec["landlock"]["write"])
    _privdrop.die_with_parent()


def place_output(request: dict[str, Any], serial: int) -> None:
    """Under bubblewrap, a child's output goes to the server's private tmpfs (the cell's mount point).

    The child opens it before its own tmpfs covers that folder; the server
    reads the tail and removes it (``take_output``). Elsewhere the client's
    path stands.
    """
    cell = request.get("cell")
    if cell:
        request["output"] = os.path.join(cell["mount"], f"output-{os.getpid()}-{serial}.txt")


def take_output(request: dict[str, Any], limit: int) -> str:
    """The tail of the child's output; a file placed by ``place_output`` is removed after."""
    text = tail(request["output"], limit)
    if request.get("cell"):
        try:
            os.unlink(request["output"])
        except OSError:
            pass
    return text


def serve_as_server() -> None:
    """What a test server does first: die with its worker, keep orphans, stay untraceable."""
    _privdrop.die_with_parent()
    _privdrop.become_subreaper()
    _privdrop.not_dumpable()


def sweep(request: dict[str, Any]) -> None:
    """After a child ended: SIGKILL and reap everything it left (``_cell.sweep``)."""
    _cell.sweep(request.get("sweep"))


def over_disk_budget(request: dict[str, Any]) -> bool:
    """True when the variant's writable folders hold more than its disk budget (process level only)."""
    disk = request.get("disk")
    if not disk:
        return False
    return _cell.disk_usage(disk["paths"], int(disk["bytes"])) > int(disk["bytes"])


def run_then_exit(body: Callable[[], int]) -> None:
    """Run ``body`` and leave the process with its exit code; never returns.

    ``SystemExit`` gives its code, any other exception prints its traceback to
    the (redirected) stderr and exits with ``CRASH_CODE``.
    """
    code = CRASH_CODE
    try:
        code = int(body())
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def how_it_ended(status: int, usage: Any, started: float, timed_out: bool) -> dict[str, Any]:
    """A reaped child's end as the clients read it: exit code or signal, deadline, wall and CPU seconds.

    ``status`` and ``usage`` come from ``os.wait4``; ``started`` is the
    ``time.monotonic()`` before the fork.
    """
    code = os.waitstatus_to_exitcode(status)
    return {
        "returncode": code if code >= 0 else None,
        "signal": -code if code < 0 else None,
        "timed_out": timed_out,
        "wall_seconds": time.monotonic() - started,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


def kill_group(pgid: int) -> None:
    """SIGKILL the process group ``pgid``; gone or not ours is fine."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def tail(path: str, limit: int) -> str:
    """The last ``limit`` bytes of the file at ``path`` as text; empty if it cannot be read."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - limit))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when the one that started it dies."""
    _privdrop.die_with_parent()
