"""The evaluation cascade: cheapest gate first, stop at the first failure.

Engine side (nothing of the variant executes here): apply the patch, compile
the changed files, check the hard principles, answer repeats from a cache keyed
by the resulting source text. Worker side (``run_job``, in a pool process): copy
the snapshot into a fresh workspace, write the variant's files, run the tests in
a sandboxed child, and benchmark only the variants that pass, interleaved with
the baseline. Every path returns an ``Observation``; nothing raises across.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from evolve import sourcefile
from evolve.evaluation.child import script
from evolve.evaluation.backends import Backend
from evolve.errors import EvolveError, exception_line
from evolve.evaluation.benchmark import BenchmarkSpec, race
from evolve.evaluation.router import Route, Router, Swap
from evolve.evaluation.sandbox import RESULT_FD, Completed, Isolation, Limits, hand_over, run_sandboxed
from evolve.evaluation.warm import server_for
from fitness.performance import verdict_of
from fitness.observation import TEST_PASSED, Observation, Status
from fitness.principles import PrincipleSettings, check_principles
from mutations._index import ModuleIndex
from populations.patch import Patch, apply_patch

RUNNER = script("_testrunner")

GATES = ("apply", "compile", "principles", "tests", "benchmark")
NO_ROUTE = Route(None, "fast path off")


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


# ---------------------------------------------------------------- worker side


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
    argv += ["--", *pytest_args(ctx)]
    if ctx.fresh_process:
        completed = run_sandboxed([sys.executable, str(RUNNER), "--result-fd", str(RESULT_FD), *argv], cwd=project,
                                  limits=ctx.test_limits, isolation=ctx.sandbox(workspace), result=True)
    else:
        completed = server_for(ctx.scratch, ctx.sandbox(ctx.scratch)).run_tests(argv, project, ctx.test_limits)
    return classify_test_run(completed, ctx.expected_tests)


def classify_test_run(completed: Completed, expected: Sequence[str]) -> Observation:
    """Turn a finished test child into an observation with a status and a reason.

    The record is what the runner sent on its private channel
    (``Completed.result``); none, or one that is not a whole JSON object,
    means the process died before the end.
    """
    import json

    try:
        result = json.loads(completed.result or b"")  # exactly one whole document, nothing after it
    except (ValueError, RecursionError):
        result = None
    return classify_result(completed, result if isinstance(result, dict) else None, expected)


def classify_result(completed: Completed, result: Mapping[str, Any] | None, expected: Sequence[str]) -> Observation:
    """The same, from the runner's record itself (None: the child died before writing one)."""
    if completed.timed_out:
        return Observation(status=Status.TIMED_OUT, gate="tests",
                           reason=f"tests did not finish within the wall-time limit ({completed.wall_seconds:.1f} s)")
    if completed.signal == signal.SIGXCPU:
        return Observation(status=Status.TIMED_OUT, gate="tests",
                           reason=f"tests used up the CPU-time limit ({completed.cpu_seconds:.1f} s)")
    if completed.over_disk:
        return Observation(status=Status.CRASHED, gate="tests",
                           reason="tests wrote more than the disk budget (sandbox.disk_mb) and were stopped")
    if result is None:
        if completed.out_of_memory:
            return Observation(status=Status.OUT_OF_MEMORY, gate="tests", reason="tests ran out of memory")
        why = f"signal {completed.signal}" if completed.signal else f"exit code {completed.returncode}"
        said = exception_line(completed.stderr)
        reason = f"{said} (the test process died: {why})" if said else f"the test process died ({why})"
        return Observation(status=Status.CRASHED, gate="tests", reason=reason[:300])
    if result.get("memory_errors"):
        return Observation(status=Status.OUT_OF_MEMORY, gate="tests",
                           reason=f"MemoryError in {result['memory_errors'][0]}"[:300])
    tests = {str(k): str(v) for k, v in (result.get("tests") or {}).items()}
    for name in expected:
        tests.setdefault(name, "error")  # a test the variant made vanish counts as broken
    failing = sorted(n for n, o in tests.items() if o not in (TEST_PASSED, "skipped"))
    all_pass = not failing and result.get("exit_code") in (0, None) and bool(tests)
    return Observation(
        status=Status.PASSED if all_pass else Status.TESTS_FAILED,
        gate=None if all_pass else "tests",
        reason="" if all_pass else _failure_reason(failing, result),
        tests=tests,
        test_durations={str(k): float(v) for k, v in (result.get("durations") or {}).items()},
        coverage=result.get("coverage"),
        executed_lines={str(f): frozenset(int(n) for n in lines)
                        for f, lines in (result.get("executed") or {}).items() if isinstance(lines, list)},
        tests_seconds=completed.wall_seconds,
    )


PYTEST_ERROR = "pytest did not run the tests: "
"""How a reason starts when pytest itself stopped (usage error, plugin, collection), quoting pytest."""


def _failure_reason(failing: list[str], result: Mapping[str, Any]) -> str:
    """``2 failing: t::a (AssertionError: ...) and 1 more``, or pytest's own word when it ran no test."""
    error = result.get("error")
    if error and (not failing or not result.get("tests")):
        return f"{PYTEST_ERROR}{error}"
    if not failing:
        return f"pytest exit code {result.get('exit_code')} (no tests ran)"
    more = f" and {len(failing) - 1} more" if len(failing) > 1 else ""
    said = (result.get("failures") or {}).get(failing[0])
    return f"{len(failing)} failing: {failing[0]}{f' ({said})' if said else ''}{more}"


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


# ---------------------------------------------------------------- engine side

OVERLAP_FROM = 64
"""From this many patches on, workers start on the first jobs while the engine gates the rest."""


class _Batches:
    """Jobs handed to the backend in growing batches, one batch at a time, from a helper thread.

    The static gates cost the engine about as much per variant as the fast
    path costs a worker; run one after the other, they leave the workers idle
    for a fifth of a generation. Here the workers start on the first 16 jobs
    while the engine gates the next ones (64 per batch after the first), and
    results come back in job order. Small generations, and the serial backend
    (whose jobs run in this process), go as one batch, in this thread. Nothing
    is shared between the threads but the job lists.
    """

    FIRST, NEXT = 16, 64

    def __init__(self, run: Callable[[list[Job]], list[Observation]], overlap: bool) -> None:
        self.run, self.overlap = run, overlap
        self.open: list[Job] = []
        self.started: list[tuple[list[Job], Future[list[Observation]]]] = []
        self.runner: ThreadPoolExecutor | None = None

    def add(self, job: Job) -> None:
        self.open.append(job)
        if self.overlap and len(self.open) >= (self.NEXT if self.started else self.FIRST):
            self._start()

    def _start(self) -> None:
        if self.runner is None:
            self.runner = ThreadPoolExecutor(1, thread_name_prefix="evolve-batches")
        self.started.append((self.open, self.runner.submit(self.run, self.open)))
        self.open = []

    def results(self) -> Iterator[tuple[Job, Observation]]:
        try:
            for jobs, future in self.started:
                yield from zip(jobs, future.result())
            if self.open:
                yield from zip(self.open, self.run(self.open))
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Batches not yet begun never start; the helper thread ends after the one running."""
        for _, future in self.started:
            future.cancel()
        if self.runner is not None:
            self.runner.shutdown(wait=False)


@dataclass
class EvaluatorStats:
    """Counters for reports and the progress line."""

    evaluations: int = 0
    executed: int = 0
    cache_hits: int = 0
    stopped_at: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    worker_seconds: float = 0.0
    lost_workers: int = 0
    routes: Counter[str] = field(default_factory=Counter)
    """Executed variants by route: ``swap`` (fast path eligible) or why they were rebuilt."""


class Evaluator:
    """Runs the cascade for batches of patches, in parallel through a backend."""

    def __init__(
        self,
        ctx: EvaluationContext,
        indexes: Mapping[str, ModuleIndex],
        principles: PrincipleSettings,
        backend: Backend,
    ) -> None:
        self.ctx = ctx
        self.indexes = indexes
        self.principles = principles
        self.backend = backend
        self.baseline_sources = {f: indexes[f].source for f in ctx.files}
        self.cache: dict[str, Observation] = {}
        self.stats = EvaluatorStats()
        self.incumbent_ratio = 1.0
        """The best decided CPU ratio of a passing variant so far (racing stops for variants that cannot beat it)."""
        self.router = Router({f: indexes[f] for f in ctx.files})

    def run_baseline(self) -> Observation:
        """Evaluate the unmodified project through the same worker path.

        The baseline is benchmarked against a copy of itself for
        ``max_repeats`` rounds: an A/A measurement whose spread is the
        machine's timing noise (``fitness.speed.noise_band``).
        """
        ctx = self.ctx
        if ctx.benchmark is not None:
            ctx = replace(ctx, benchmark=replace(ctx.benchmark, repeats=ctx.benchmark.max_repeats))
        observation = self.backend.map(run_job, ctx, [Job(key="baseline", sources={})])[0]
        report = check_principles(self.baseline_sources, self.baseline_sources, self.principles)
        return replace(observation, sources=dict(self.baseline_sources), principles=dict(report.kept))

    def evaluate(self, patches: Sequence[Patch], baseline: Observation,
                 on_result: Callable[[int, Observation], None] | None = None) -> list[Observation]:
        """One observation per patch, in order; repeats are answered from the cache.

        ``on_result(i, observation)`` is called once per patch as soon as its
        observation is known (static gates and cache at once, executed
        variants batch by batch), so a run can record evaluations as they finish.
        """
        results: list[Observation | None] = [None] * len(patches)

        def found(i: int, observation: Observation) -> None:
            results[i] = observation
            if on_result is not None:
                on_result(i, observation)

        pending: dict[str, tuple[Job, Mapping[str, str], Mapping[str, bool], list[int]]] = {}
        batches = _Batches(self._map, overlap=len(patches) >= OVERLAP_FROM and self.backend.name != "serial")
        try:
            for i, patch in enumerate(patches):
                self.stats.evaluations += 1
                early = self._static_gates(patch, baseline)
                if isinstance(early, Observation):
                    found(i, early)
                    continue
                key, sources, kept, route = early
                if key in self.cache:
                    self.stats.cache_hits += 1
                    found(i, replace(self.cache[key], cached=True))
                elif key in pending:
                    self.stats.cache_hits += 1
                    pending[key][3].append(i)
                else:
                    changed = {f: s for f, s in sources.items() if s != self.baseline_sources[f]}
                    job = Job(key=key, sources=changed, swap=route.swap, incumbent_ratio=self.incumbent_ratio)
                    pending[key] = (job, sources, kept, [i])
                    self.stats.routes[route.reason] += 1
                    batches.add(pending[key][0])
        except BaseException:
            batches.cancel()  # Ctrl-C or an error: no batch still queued may start
            raise
        for job, observed in batches.results():
            _, sources, kept, slots = pending[job.key]
            full = replace(observed, sources=sources, principles=kept)
            self.cache[job.key] = full
            self.stats.executed += 1
            self.stats.worker_seconds += observed.seconds
            self._note_speed(full)
            for n, slot in enumerate(slots):
                found(slot, full if n == 0 else replace(full, cached=True))
        final = [r for r in results if r is not None]
        for observation in final:
            self.stats.statuses[observation.status.name.lower()] += 1
            if observation.gate:
                self.stats.stopped_at[observation.gate] += 1
        return final

    def latest(self, patch: Patch, observation: Observation) -> Observation:
        """The cache's current observation of ``patch`` (timings extended since), else ``observation``."""
        applied = apply_patch(patch, self.indexes)
        if not applied.sources or applied.errors:
            return observation
        current = self.cache.get(source_key(applied.sources))
        return observation if current is None else replace(current, cached=observation.cached)

    def restore(self, cache: dict[str, Observation], stats: EvaluatorStats) -> None:
        """Continue from a checkpoint's cache and counters (the racing incumbent is re-derived from the cache)."""
        self.cache, self.stats, self.incumbent_ratio = cache, stats, 1.0
        for observation in cache.values():
            self._note_speed(observation)

    def _note_speed(self, observation: Observation) -> None:
        if observation.status == Status.PASSED:
            verdict = verdict_of(observation)
            if verdict is not None:
                self.incumbent_ratio = min(self.incumbent_ratio, verdict.decided_ratio)

    def extend_timings(self, patches: Sequence[Patch], observations: Sequence[Observation]) -> list[Observation]:
        """More interleaved benchmark rounds for patches that passed before (elites that survive).

        Each patch's cached observation gets ``benchmark.repeats`` more rounds
        (raced like any measurement), appended to its samples, and the cache
        is updated, so a lucky first timing cannot ride elitism to the end.
        ``observations`` are the patches' current ones; a patch without a
        cached, passing, benchmarked observation keeps its own. One
        observation per patch, in order. Not counted as evaluations.
        """
        found = list(observations)
        jobs: list[tuple[int, str, Job]] = []
        for i, (patch, observation) in enumerate(zip(patches, found)):
            applied = apply_patch(patch, self.indexes)
            key = source_key(applied.sources) if applied.sources else ""
            if observation.status == Status.PASSED and observation.cpu_times and key in self.cache:
                changed = {f: s for f, s in applied.sources.items() if s != self.baseline_sources[f]}
                jobs.append((i, key, Job(key=key, sources=changed, benchmark_only=True,
                                         incumbent_ratio=self.incumbent_ratio)))
        if not jobs:
            return found
        for (i, key, _), more in zip(jobs, self._map([job for _, _, job in jobs])):
            before = self.cache[key]
            if more.status != Status.PASSED:  # a flaky benchmark: keep what was measured, say nothing new
                continue
            merged = replace(before, cpu_times=before.cpu_times + more.cpu_times,
                             baseline_cpu_times=before.baseline_cpu_times + more.baseline_cpu_times)
            self.cache[key] = merged
            self._note_speed(merged)
            found[i] = replace(merged, cached=found[i].cached)
        return found

    def _map(self, jobs: list[Job]) -> list[Observation]:
        """Run a batch; if a worker process dies, run the batch's jobs one by one.

        A pool loses the whole batch when one of its workers dies (killed by
        a variant, by the OOM killer, by a user). Alone, the job that kills its
        worker again is marked crashed and every other job still gets its result.
        """
        try:
            return self.backend.map(run_job, self.ctx, jobs)
        except (KeyboardInterrupt, EvolveError):  # Ctrl-C, or a backend that cannot go on (cluster lost)
            raise
        except Exception as exc:  # joblib's TerminatedWorkerError, dask's KilledWorker, ...
            if len(jobs) == 1:
                self.stats.lost_workers += 1
                return [Observation(status=Status.CRASHED, gate="tests",
                                    reason=f"the worker process died ({type(exc).__name__})")]
            return [result for job in jobs for result in self._map([job])]

    def remeasure(self, patch: Patch, baseline: Observation, factor: int = 3) -> Observation:
        """Evaluate ``patch`` again, bypassing the cache, with ``factor`` times the benchmark repeats.

        The best of a run is the luckiest measurement among many; its figures
        are re-taken before they are reported, so a reported gain is not noise.
        """
        early = self._static_gates(patch, baseline)
        if isinstance(early, Observation):
            return early
        key, sources, kept, _ = early
        ctx = replace(self.ctx, fast_path=False)  # the figures reported are taken the slow, plain way
        if ctx.benchmark is not None:
            ctx = replace(ctx, benchmark=replace(ctx.benchmark, repeats=ctx.benchmark.repeats * factor))
        changed = {f: s for f, s in sources.items() if s != self.baseline_sources[f]}
        observed = self.backend.map(run_job, ctx, [Job(key=key, sources=changed)])[0]
        return replace(observed, sources=sources, principles=kept)

    def _static_gates(self, patch: Patch, baseline: Observation):  # -> Observation | (key, sources, kept, route)
        applied = apply_patch(patch, self.indexes)
        if applied.errors:
            return Observation(status=Status.REJECTED, gate="apply", reason=applied.errors[0][:300])
        sources = {**self.baseline_sources, **applied.sources}
        if not applied.sources:
            return replace(baseline, cached=True)  # the patch changes nothing: it is the baseline
        codes = {}
        for file, text in applied.sources.items():
            try:
                codes[file] = compile(text, file, "exec", dont_inherit=True)
            except (SyntaxError, ValueError) as exc:
                return Observation(status=Status.REJECTED, gate="compile", reason=f"{file}: {exc}"[:300],
                                   sources=sources)
        report = check_principles(sources, self.baseline_sources, self.principles)
        if report.hard_violation:
            return Observation(status=Status.REJECTED, gate="principles", reason=report.hard_violation[:300],
                               sources=sources, principles=dict(report.kept))
        route = self.router.route(applied.applied, applied.sources, codes) if self.ctx.fast_path else NO_ROUTE
        return source_key(applied.sources), sources, dict(report.kept), route
