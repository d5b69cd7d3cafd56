"""The worker side of evaluation: one variant's job, run in a pool process.

``run_job`` copies the snapshot into a fresh workspace, writes the variant's
files, runs the tests in a sandboxed child (or on the fast path, ``live``) and
benchmarks only the variants that pass, interleaved with the baseline. It
never raises: every path returns an ``Observation``. ``EvaluationContext`` and
``Job`` are what the engine side (``evaluator``) sends it; both are small and
picklable.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from evolve import sourcefile
from evolve.evaluation.benchmark import BenchmarkSpec, race
from evolve.evaluation.child import script
from evolve.evaluation.router import Swap
from evolve.evaluation.sandbox import RESULT_FD, Isolation, Limits, hand_over, run_sandboxed
from evolve.evaluation.verdict import classify_result, classify_test_run
from evolve.evaluation.warm import server_for
from fitness.observation import Observation, Status

__all__ = ["DEADLINE_FACTOR", "DEADLINE_FLOOR", "EvaluationContext", "Job", "RUNNER", "adaptive_deadline",
           "pytest_args", "run_job", "source_key"]

RUNNER = script("_testrunner")


@dataclass(frozen=True)
class EvaluationContext:
    """Everything a worker needs to evaluate a variant; small and picklable."""

    snapshot: Path
    files: tuple[str, ...]
    test_args: tuple[str, ...]
    coverage: bool
    limits: Limits
    benchmark: BenchmarkSpec | None
    scratch: Path
    expected_tests: tuple[str, ...] = ()
    fresh_process: bool = False
    """Run tests in a fresh interpreter per variant instead of a fork of the warm server."""
    isolation: str = "process"
    """``process`` (limits, unprivileged user) or ``bwrap`` (also read-only filesystem, no network)."""
    fast_path: bool = True
    """Evaluate variants that only change function bodies in a live session (``live``), swapping code in."""
    screening: bool = False
    """Fast path only: stop at a variant's first failing test (the tests it did not reach count as failed)."""
    test_deadline: float | None = None
    """Wall and CPU seconds a variant's test run may take (``adaptive_deadline``); None: ``limits`` alone."""
    test_seconds: float | None = None
    """Wall seconds one test's call may take before it fails (``TestDeadline``); None: no per-test deadline.
    Set only when a repair's baseline hangs (``preparation.evaluate_baseline``); the fast path is then off."""

    @property
    def test_limits(self) -> Limits:
        """The limits of a variant's test run: ``limits`` with the adaptive deadline, when set."""
        if self.test_deadline is None:
            return self.limits
        deadline = min(self.limits.wall_seconds, self.test_deadline)
        return replace(self.limits, wall_seconds=deadline, cpu_seconds=min(self.limits.cpu_seconds, deadline))

    def sandbox(self, *writable: Path) -> Isolation:
        """The isolation for one step: ``writable`` folders rw, the snapshot read-only."""
        binds = (*(("rw", str(p)) for p in writable), ("ro", str(self.snapshot)))
        return Isolation(self.isolation, binds)


@dataclass(frozen=True)
class Job:
    """One variant to run: the changed files' new text, keyed by its hash."""

    key: str
    sources: Mapping[str, str]
    swap: Mapping[str, Swap] | None = None
    """Per changed file, what the fast path changes in a live session, when it can express the variant."""
    incumbent_ratio: float = 1.0
    """The best decided CPU ratio so far (1.0: the baseline); racing stops for a variant that cannot beat it."""
    benchmark_only: bool = False
    """A variant that passed before: only take more benchmark rounds (elites re-measured)."""


def source_key(sources: Mapping[str, str]) -> str:
    digest = hashlib.sha256()
    for file in sorted(sources):
        digest.update(file.encode() + b"\0" + sources[file].encode() + b"\0")
    return digest.hexdigest()


def run_job(ctx: EvaluationContext, job: Job) -> Observation:
    """Evaluate one variant: on the fast path if it can, else in a fresh workspace. Never raises.

    Runs in a pool worker. A variant the fast path tested still gets a
    workspace when it passed and is to be benchmarked.
    """
    started = time.perf_counter()
    workspace: Path | None = None
    try:
        if job.benchmark_only:
            tested: Observation | None = Observation(status=Status.PASSED)
        else:
            tested = _run_live(ctx, job) if ctx.fast_path and job.swap is not None else None
        if tested is None or (tested.status == Status.PASSED and ctx.benchmark is not None):
            workspace = Path(tempfile.mkdtemp(prefix="ws-", dir=ctx.scratch))
            project = workspace / "project"
            shutil.copytree(ctx.snapshot, project, symlinks=True)
            for file, text in job.sources.items():
                sourcefile.write(project / file, text)  # stored as the original is (encoding, BOM)
            hand_over(workspace)
            tested = tested or _run_tests(ctx, workspace, project)
            if tested.status == Status.PASSED and ctx.benchmark is not None:
                tested = _run_benchmark(ctx, project, tested, job.incumbent_ratio)
        observation = tested
    except Exception as exc:  # the engine must survive anything; say what happened
        observation = Observation(status=Status.CRASHED, gate="tests",
                                  reason=f"{type(exc).__name__}: {exc} (evaluating the variant)"[:300])
    finally:
        if workspace is not None:
            shutil.rmtree(workspace, ignore_errors=True)
    return replace(observation, seconds=time.perf_counter() - started)


def _run_live(ctx: EvaluationContext, job: Job) -> Observation | None:
    """The variant's tests on the fast path (see ``live``); None when it must take the slow path."""
    from evolve.evaluation.live import live_client

    assert job.swap is not None
    client = live_client(ctx, pytest_args(ctx))
    reference = replace(ctx, fast_path=False, benchmark=None, test_deadline=None)
    if not client.ensure(lambda: run_job(reference, Job(key="reference", sources={}))):
        return None
    ran = client.run(job.sources, job.swap, ctx.test_limits, ctx.screening)
    return None if ran is None else classify_result(ran[0], ran[1], ctx.expected_tests)


DEADLINE_FACTOR = 2.5
"""A variant's tests may take this many times the baseline's test run (``adaptive_deadline``)."""
DEADLINE_FLOOR = 2.0
"""Seconds a variant's test run may always take, however fast the baseline's was."""


def adaptive_deadline(baseline: Observation, limits: Limits) -> float:
    """Seconds a variant's test run may take: ``DEADLINE_FACTOR`` x the baseline's own test run, at least
    ``DEADLINE_FLOOR``, at most the configured wall limit. A mutant that loops forever then costs about
    as much as the tests themselves, not the whole ``tests.timeout``; it is classified ``timed_out``."""
    return min(limits.wall_seconds, max(DEADLINE_FLOOR, DEADLINE_FACTOR * baseline.tests_seconds))


def pytest_args(ctx: EvaluationContext) -> tuple[str, ...]:
    """What every path passes to pytest: the configured tests only. Plugin options (benchmark timing
    off, no xdist workers, no pytest-cov) are set by the children's ``SessionGuard``, and only when
    the plugin is loaded: ``-p no:benchmark`` in a project's options must not make pytest refuse ours."""
    return tuple(ctx.test_args)


def _run_tests(ctx: EvaluationContext, workspace: Path, project: Path) -> Observation:
    argv: list[str] = []  # the record comes back on a private pipe, never through a file the variant can write
    if ctx.coverage:
        argv += [arg for file in ctx.files for arg in ("--cover", file)]
    else:
        argv.append("--no-cover")
    if ctx.test_seconds:
        argv += ["--test-seconds", f"{ctx.test_seconds:g}"]
    argv += ["--", *pytest_args(ctx)]
    if ctx.fresh_process:
        completed = run_sandboxed([sys.executable, str(RUNNER), "--result-fd", str(RESULT_FD), *argv], cwd=project,
                                  limits=ctx.test_limits, isolation=ctx.sandbox(workspace), result=True)
    else:
        completed = server_for(ctx.scratch, ctx.sandbox(ctx.scratch)).run_tests(argv, project, ctx.test_limits)
    return classify_test_run(completed, ctx.expected_tests)


def _run_benchmark(ctx: EvaluationContext, project: Path, observation: Observation,
                   incumbent_ratio: float = 1.0) -> Observation:
    assert ctx.benchmark is not None
    shared_tmp = ctx.snapshot / ".tmp"  # the baseline side's TMPDIR; the snapshot itself stays read-only
    shared_tmp.mkdir(exist_ok=True)
    hand_over(shared_tmp)
    isolation = ctx.sandbox(project.parent)
    isolation = replace(isolation, binds=(*isolation.binds, ("rw", str(shared_tmp))))
    measurement = race(ctx.benchmark, ctx.snapshot, project, ctx.limits, isolation, incumbent_ratio)
    if measurement.error:
        status = Status.TIMED_OUT if measurement.timed_out else Status.CRASHED
        return replace(observation, status=status, gate="benchmark", reason=measurement.error[:300])
    return replace(observation, cpu_times=tuple(measurement.variant),
                   baseline_cpu_times=tuple(measurement.baseline))
