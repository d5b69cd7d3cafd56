"""joblib's dask backend, made to always hand the work to the cluster.

joblib runs a call in the calling process when the backend reports a single
usable worker. For the dask backend that is a cluster with one worker thread,
and the jobs would then run on the engine's machine, against the engine's
paths, with the cluster idle: the opposite of what was asked for. This
subclass reports at least two, so every batch is submitted to the cluster.
Imported only when the dask backend is used (it imports dask.distributed).
"""

from __future__ import annotations

from typing import Any

from joblib import register_parallel_backend
from joblib._dask import DaskDistributedBackend

__all__ = ["NAME", "ClusterOnlyDaskBackend"]

NAME = "evolve-dask"


class ClusterOnlyDaskBackend(DaskDistributedBackend):  # type: ignore[misc]
    """``DaskDistributedBackend`` that never falls back to running in the caller."""

    def configure(self, n_jobs: int = 1, parallel: Any = None, **backend_args: Any) -> int:
        return max(2, int(super().configure(n_jobs=n_jobs, parallel=parallel, **backend_args)))


register_parallel_backend(NAME, ClusterOnlyDaskBackend)
