"""Shipping the project snapshot to cluster workers, so nothing assumes a shared disk.

A worker of a dask cluster may run on another machine, where the engine's
snapshot folder does not exist. The engine packs the snapshot once per run
into a tar archive (bytes), the backend broadcasts it to every worker, and the
worker materialises it under its own temp folder the first time a job needs it
(cached per worker process by content hash). ``call_shipped`` then hands the
unchanged job function a context whose ``snapshot`` and ``scratch`` point at
those worker-local folders: ``run_job`` itself knows nothing about clusters.

``release`` undoes a run on a worker: it stops the warm test servers that
were started under the run's folders and deletes them. Workers outlive a run
on a shared cluster, so this cannot be left to process exit.
"""

from __future__ import annotations

import atexit
import dataclasses
import hashlib
import io
import os
import posixpath
import tarfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from evolve import scratch as run_folders
from evolve.compat import extract_all
from evolve.errors import EvolveError
from evolve.evaluation.servers import close_test_servers, running_server_pids

__all__ = ["Archive", "call_shipped", "is_shippable", "pack", "release", "worker_pids"]

C = TypeVar("C")
J = TypeVar("J")
R = TypeVar("R")

SHIPPED_FIELDS = ("snapshot", "scratch")
"""A context is shipped when it is a dataclass with these two ``Path`` fields."""


@dataclasses.dataclass(frozen=True)
class Archive:
    """A packed snapshot: the tar bytes and their SHA-256, which names it on workers."""

    data: bytes
    digest: str


def is_shippable(context: object) -> bool:
    """Whether ``context`` names a snapshot folder that workers must receive."""
    if not dataclasses.is_dataclass(context) or isinstance(context, type):
        return False
    names = {f.name for f in dataclasses.fields(context)}
    return all(name in names and isinstance(getattr(context, name), Path) for name in SHIPPED_FIELDS)


def pack(folder: Path) -> Archive:
    """Tar ``folder`` (symlinks kept, owners dropped) into memory.

    Uncompressed: snapshots are source trees of a few hundred kilobytes at most,
    and on a fast network compressing costs more time than it saves. A link
    that leaves the folder would point at nothing on another machine (and
    workers refuse to unpack one), so it stops the run here, in one line.
    """
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(folder, arcname=".", filter=_portable)
    data = buffer.getvalue()
    return Archive(data=data, digest=hashlib.sha256(data).hexdigest())


def _portable(info: tarfile.TarInfo) -> tarfile.TarInfo:
    if info.issym() or info.islnk():
        base = posixpath.dirname(info.name) if info.issym() else ""
        target = posixpath.normpath(posixpath.join(base, info.linkname))
        if posixpath.isabs(info.linkname) or target == ".." or target.startswith("../"):
            raise EvolveError(f"the project has a link {info.name[2:]} -> {info.linkname} that points outside it; "
                              "the dask backend cannot send it to other machines: make the link relative "
                              "and inside the project, or use backend: loky")
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


# ---------------------------------------------------------------- worker side

_LOCK = threading.Lock()
_PLACES: dict[tuple[str, str], Path] = {}
"""(session, digest) -> the worker-local folder holding ``snapshot/`` and ``scratch/``."""


def call_shipped(fn: Callable[[C, J], R], context: C, job: J, archive: bytes, session: str, digest: str) -> R:
    """Run ``fn(context, job)`` on a worker, with the snapshot and scratch made local."""
    root = _materialise(archive, session, digest)
    # One scratch per thread: the warm test server is per scratch folder, and a
    # worker with several threads must not share one server's pipes.
    scratch = root / "scratch" / f"thread-{threading.get_ident()}"
    if not scratch.is_dir():
        scratch.mkdir()
        scratch.chmod(0o755)
    local: Any = dataclasses.replace(context, snapshot=root / "snapshot", scratch=scratch)  # type: ignore[type-var]
    return fn(local, job)


def _materialise(archive: bytes, session: str, digest: str) -> Path:
    with _LOCK:
        root = _PLACES.get((session, digest))
        if root is not None and root.is_dir():
            return root
        root = run_folders.new_scratch()  # a run-owned folder of this worker: swept by a later run if killed
        try:
            with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
                extract_all(tar, root / "snapshot")  # the snapshot was filtered once already
            (root / "scratch").mkdir()
            (root / "scratch").chmod(0o755)
        except BaseException:
            run_folders.release(root)
            raise
        _PLACES[(session, digest)] = root
        return root


def release(session: str) -> int:
    """Stop this worker's test servers for ``session`` and delete its folders; how many were freed."""
    with _LOCK:
        keys = [key for key in _PLACES if key[0] == session]
        roots = [_PLACES.pop(key) for key in keys]
    close_test_servers(roots)
    for root in roots:
        run_folders.release(root)
    return len(roots)


@atexit.register
def _release_all() -> None:
    """A worker that exits (its cluster closed) leaves no folder behind."""
    for session in {key[0] for key in list(_PLACES)}:
        release(session)


def worker_pids() -> dict[str, Any]:
    """This worker's process id, its running test servers' ids and its snapshot copies (for tests and diagnostics)."""
    return {"pid": os.getpid(), "servers": running_server_pids(), "places": [str(p) for p in _PLACES.values()]}
