"""The evaluation room: every way a variant's code is run, and the walls around it.

``evaluator`` (the cascade's engine side: static gates, the cache, batches),
``jobs`` (its worker side, ``run_job``), ``verdict`` (what a test run means), ``router`` (which path a variant may take), ``live``
(the live-session fast path's client), ``warm`` (the warm fork server's
client), ``_client`` (what both clients share), ``servers`` (this process's
test servers), ``sandbox`` (limits, sandbox user, bubblewrap), ``benchmark``
(interleaved CPU timing), ``backends`` (loky, serial, dask) with
``_dask_snapshot`` / ``_joblib_dask``, and ``child/`` (the scripts that run in
the child processes, loaded by path, never importing ``evolve``).
"""

from __future__ import annotations

from evolve.evaluation.backends import BACKENDS, Backend, make_backend
from evolve.evaluation.benchmark import BenchmarkSpec
from evolve.evaluation.evaluator import Evaluator, EvaluatorStats
from evolve.evaluation.jobs import EvaluationContext, Job, run_job
from evolve.evaluation.sandbox import Isolation, Limits

__all__ = ["BACKENDS", "Backend", "BenchmarkSpec", "EvaluationContext", "Evaluator", "EvaluatorStats", "Isolation",
           "Job", "Limits", "make_backend", "run_job"]
