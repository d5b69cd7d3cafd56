"""Parallel backends: how a generation's evaluations are spread over processes.

One extension point: a backend maps a picklable function over a batch of jobs
and returns the results in order. ``loky`` (joblib's default, local worker
processes reused across generations) is the default; ``serial`` runs in the
engine process and is for debugging and tests of the engine itself — variant
code still runs in sandboxed children either way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

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


class SerialBackend(Backend):
    name = "serial"

    def map(self, fn: Callable[[C, J], R], context: C, jobs: Sequence[J]) -> list[R]:
        return [fn(context, job) for job in jobs]


class LokyBackend(Backend):
    """joblib with the loky executor; the worker pool is reused between batches."""

    name = "loky"

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def map(self, fn: Callable[[C, J], R], context: C, jobs: Sequence[J]) -> list[R]:
        if not jobs:
            return []
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=min(self.workers, len(jobs)), backend="loky", batch_size=1)
        results: list[Any] = parallel(delayed(fn)(context, job) for job in jobs)
        return list(results)

    def close(self) -> None:
        from joblib.externals.loky import get_reusable_executor

        get_reusable_executor().shutdown(wait=True, kill_workers=True)


BACKENDS: dict[str, Callable[[int], Backend]] = {
    "serial": lambda workers: SerialBackend(),
    "loky": LokyBackend,
}


def make_backend(name: str, workers: int) -> Backend:
    return BACKENDS[name](workers)
