"""Parallel backends: how a generation's evaluations are spread over processes.

One extension point: a backend maps a picklable function over a batch of jobs
and returns the results in order. ``loky`` (joblib's default, local worker
processes reused across generations) is the default; ``serial`` runs in the
engine process and is for debugging and tests of the engine itself — variant
code still runs in sandboxed children either way. ``dask`` spreads the batch
over a dask.distributed cluster (one started on this machine, or a running
scheduler's workers elsewhere) through joblib's dask backend; the project
snapshot travels with the work, so no shared filesystem is assumed.
"""

from __future__ import annotations

import logging
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from evolve.errors import EvolveError
from evolve.evaluation.servers import close_test_servers

C = TypeVar("C")
J = TypeVar("J")
R = TypeVar("R")


class Backend(ABC):
    """Maps ``fn(context, job)`` over ``jobs``; results keep the jobs' order."""

    name: str

    @abstractmethod
    def map(self, fn: Callable[[C, J], R], context: C, jobs: Sequence[J]) -> list[R]:
        """Run every job; an empty batch returns an empty list."""

    def close(self) -> None:
        """Release worker processes."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SerialBackend(Backend):
    """Every job in the engine process, one after the other."""

    name = "serial"

    def __init__(self) -> None:
        self._scratches: set[Path] = set()

    def map(self, fn: Callable[[C, J], R], context: C, jobs: Sequence[J]) -> list[R]:
        _remember_scratch(self._scratches, context)
        return [fn(context, job) for job in jobs]

    def close(self) -> None:
        close_test_servers(self._scratches)
        self._scratches.clear()


def _ignore_sigint() -> None:
    """Pool workers leave Ctrl-C to the engine, which stops them; they print no traceback of their own."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


class LokyBackend(Backend):
    """joblib's loky executor; the worker pool is reused between batches.

    Every job runs in a pool worker, even a batch of one or a pool of one
    (``joblib.Parallel`` would run those in the engine process): a worker
    that dies then costs a batch, never the engine.
    """

    name = "loky"

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def map(self, fn: Callable[[C, J], R], context: C, jobs: Sequence[J]) -> list[R]:
        if not jobs:
            return []
        from joblib.externals.loky import get_reusable_executor

        executor = get_reusable_executor(max_workers=self.workers, reuse=True, initializer=_ignore_sigint)
        futures = [executor.submit(fn, context, job) for job in jobs]
        return [future.result() for future in futures]

    def close(self) -> None:
        from joblib.externals.loky import get_reusable_executor

        get_reusable_executor().shutdown(wait=True, kill_workers=True)


SCHEDULER_LOCAL = "local"
_ADDRESS = re.compile(r"tcp://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>[0-9]{1,5})")


def scheduler_problem(value: str) -> str | None:
    """Why ``value`` is not a scheduler the dask backend can use; None when it is."""
    if value == SCHEDULER_LOCAL:
        return None
    match = _ADDRESS.fullmatch(value)
    if match is None or not 0 < int(match["port"]) < 65536:
        return f"must be 'local' or a scheduler address like tcp://host:8786, got {value!r}"
    return None


class DaskBackend(Backend):
    """joblib's dask backend on a dask.distributed cluster.

    ``scheduler="local"`` starts a ``LocalCluster`` of ``workers`` single-thread
    worker processes on the loopback interface (no dashboard) and stops it at
    ``close``; an address connects to a running scheduler, whose workers decide
    the parallelism and need this package installed. Either way the cluster is
    reached on the first batch, so a run that never evaluates starts nothing.

    A context that names a snapshot folder (see ``_dask_snapshot``) is shipped:
    the folder is packed once per run and broadcast to every worker, and each
    job runs against a worker-local copy.

    ``batch_size`` is joblib's. The default, one job per dask task with the
    whole batch submitted at once, lets the scheduler spread a generation's
    few jobs of uneven length evenly; it costs the scheduler's round trip per
    job (see BENCHMARKS.md). ``"auto"`` amortises that over larger batches,
    which pays for large generations of quick variants.
    """

    name = "dask"

    def __init__(self, workers: int, scheduler: str = SCHEDULER_LOCAL, *, batch_size: int | str = 1,
                 connect_seconds: float = 30.0) -> None:
        problem = scheduler_problem(scheduler)
        if problem is not None:
            raise EvolveError(f"dask backend: the scheduler {problem}")
        self.workers = workers
        self.scheduler = scheduler
        self.batch_size = batch_size
        self.connect_seconds = connect_seconds
        self.session = uuid.uuid4().hex
        self.shipped_bytes = 0
        self._client: Any = None
        self._cluster: Any = None
        self._tracker_was_running = True
        self._shipped: dict[Path, tuple[Any, str]] = {}

    @property
    def client(self) -> Any:
        """The ``distributed.Client``, connecting (or starting the local cluster) on first use."""
        if self._client is None:
            self._client = self._connect()
        return self._client

    def map(self, fn: Callable[[C, J], R], context: C, jobs: Sequence[J]) -> list[R]:
        if not jobs:
            return []
        from joblib import Parallel, delayed, parallel_config

        from evolve.evaluation import _joblib_dask
        from evolve.evaluation._dask_snapshot import call_shipped, is_shippable

        client = self.client
        if is_shippable(context):
            archive, digest = self._ship(client, getattr(context, "snapshot"))
            tasks = [delayed(call_shipped)(fn, context, job, archive, self.session, digest) for job in jobs]
        else:
            tasks = [delayed(fn)(context, job) for job in jobs]
        # Automatic batching learns from the first batches' durations, so it dispatches step by step.
        pre_dispatch = "2*n_jobs" if self.batch_size == "auto" else "all"
        with parallel_config(backend=_joblib_dask.NAME, client=client, wait_for_workers_timeout=self.connect_seconds):
            parallel = Parallel(n_jobs=-1, batch_size=self.batch_size, pre_dispatch=pre_dispatch)
            results: list[Any] = parallel(tasks)
        return list(results)

    def close(self) -> None:
        """Stop the test servers and delete the snapshot copies on every worker; stop a local cluster."""
        from evolve.evaluation._dask_snapshot import release

        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        self._shipped.clear()
        try:
            if client is not None:
                try:
                    client.run(release, self.session, on_error="ignore")
                except Exception:  # best effort: a worker that exits cleans up after itself too
                    pass
                finally:
                    client.close()
        finally:
            if cluster is not None:
                cluster.close()
                self._stop_own_tracker()

    def _stop_own_tracker(self) -> None:
        """Stop the multiprocessing resource tracker the local cluster's spawned workers started.

        Only once every spawned process is gone: the tracker exits when the
        last holder of its pipe does, and stopping it waits for that.
        """
        import multiprocessing
        from multiprocessing import resource_tracker

        if not self._tracker_was_running and not multiprocessing.active_children():
            _stop_tracker(resource_tracker._resource_tracker)

    def _ship(self, client: Any, snapshot: Path) -> tuple[Any, str]:
        """The scattered archive of ``snapshot`` (packed and broadcast once per run) and its digest."""
        from evolve.evaluation._dask_snapshot import pack

        key = Path(snapshot).resolve()
        if key not in self._shipped:
            archive = pack(key)
            future = client.scatter(archive.data, broadcast=True, hash=False)
            self._shipped[key] = (future, archive.digest)
            self.shipped_bytes += len(archive.data)
        return self._shipped[key]

    def _connect(self) -> Any:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise EvolveError("backend dask needs dask.distributed; install it with: "
                              "pip install 'evolve[dask]'") from None
        if self.scheduler == SCHEDULER_LOCAL:
            from multiprocessing import resource_tracker

            self._tracker_was_running = _tracker_running(resource_tracker._resource_tracker)
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                         host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
            return Client(self._cluster, set_as_default=False)
        try:
            client = Client(self.scheduler, timeout=self.connect_seconds, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise EvolveError(f"cannot reach the dask scheduler at {self.scheduler} ({exc}); start it "
                              "(dask scheduler) and its workers, or use scheduler: local") from None
        try:
            client.wait_for_workers(1, timeout=self.connect_seconds)
        except (OSError, TimeoutError):
            client.close()
            raise EvolveError(f"the dask scheduler at {self.scheduler} has no workers after "
                              f"{self.connect_seconds:g} s; start some with: dask worker {self.scheduler}") from None
        return client


def _remember_scratch(scratches: set[Path], context: object) -> None:
    scratch = getattr(context, "scratch", None)
    if isinstance(scratch, Path):
        scratches.add(scratch)


def _tracker_running(tracker: Any) -> bool:
    """Whether a multiprocessing-style resource tracker has its helper process running."""
    return getattr(tracker, "_fd", None) is not None


def _stop_tracker(tracker: Any) -> None:
    """Stop a resource tracker's helper process (it restarts by itself when next needed)."""
    stop = getattr(tracker, "_stop", None)
    if callable(stop):
        try:
            stop()
        except (OSError, ChildProcessError, RuntimeError):
            pass


BACKENDS: dict[str, Callable[[int, str | None], Backend]] = {
    "serial": lambda workers, scheduler: SerialBackend(),
    "loky": lambda workers, scheduler: LokyBackend(workers),
    "dask": lambda workers, scheduler: DaskBackend(workers, scheduler or SCHEDULER_LOCAL),
}


def make_backend(name: str, workers: int, scheduler: str | None = None) -> Backend:
    """The backend registered as ``name``; ``scheduler`` is only read by ``dask``."""
    return BACKENDS[name](workers, scheduler)
