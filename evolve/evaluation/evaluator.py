"""The evaluation cascade, engine side: cheapest gate first, stop at the first failure.

Nothing of the variant executes here: apply the patch, compile the changed
files, check the hard principles, answer repeats from a cache keyed by the
resulting source text, and hand the rest to the backend as ``Job``s in
batches. The worker side (``jobs.run_job``, in a pool process) runs the tests
and the benchmark; ``verdict`` reads what a test run means. Every path returns
an ``Observation``; nothing raises across.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from evolve.errors import EvolveError
from evolve.evaluation.backends import Backend
from evolve.evaluation.jobs import (DEADLINE_FACTOR, DEADLINE_FLOOR, EvaluationContext, Job, adaptive_deadline,
                                    pytest_args, run_job, source_key)
from evolve.evaluation.router import Route, Router
from evolve.evaluation.verdict import PYTEST_ERROR, classify_result, classify_test_run
from fitness.performance import verdict_of
from fitness.observation import Observation, Status
from fitness.principles import PrincipleSettings, check_principles
from mutations._index import ModuleIndex
from populations.patch import Patch, apply_patch

__all__ = ["DEADLINE_FACTOR", "DEADLINE_FLOOR", "GATES", "PYTEST_ERROR", "EvaluationContext", "Evaluator",
           "EvaluatorStats", "Job", "adaptive_deadline", "classify_result", "classify_test_run", "pytest_args",
           "run_job", "source_key"]

GATES = ("apply", "compile", "principles", "tests", "benchmark")
NO_ROUTE = Route(None, "fast path off")


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
