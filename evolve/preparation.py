"""Before the search: the snapshot, the index of the target files, the context and the baseline.

Everything here answers "can this project be evolved, and what is its
yardstick?": a target that does not parse, a file too large to index, tests
that fail or time out at baseline stop the run with one line that says what
to do (``EvolveError``); the banner states the budget.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import TextIO

import libcst as cst

from evolve.config import Config
from evolve.errors import EvolveError
from evolve.evaluation.evaluator import PYTEST_ERROR, EvaluationContext, Evaluator
from evolve.evaluation.levels import resolve_level
from evolve.evaluation.sandbox import Limits
from evolve.target import Snapshot, take_snapshot
from evolve.sourcefile import SourceError
from fitness.observation import Observation, Status
from mutations._index import ModuleIndex




def sandbox_level(config: Config, out: TextIO) -> str:
    """The level in force for ``config.sandbox`` (``auto``: bubblewrap where it starts); says so in one line."""
    try:
        level = resolve_level(config.sandbox)
    except OSError as exc:
        raise EvolveError(str(exc)) from None
    print(level.line, file=out)
    return level.name


def snapshot_of(config: Config, scratch: Path, out: TextIO) -> Snapshot:
    sandbox_level(config, out)
    snapshot = take_snapshot(config.target.root, scratch / "snapshot")
    for skipped in snapshot.skipped:
        print(f"evolve: note: {skipped} is left out of the snapshot the variants run in", file=out)
    if snapshot.base_commit:
        print(f"evolve: evolving commit {snapshot.base_commit[:10]} of {config.target.root}", file=out)
        if snapshot.dirty:
            print("evolve: uncommitted changes in the target are left alone and not evolved", file=out)
    for file in config.target.files:
        if not (snapshot.path / file).is_file():
            raise EvolveError(f"target file {file} is not in the base commit {snapshot.base_commit or ''}; "
                              "commit it first")
    return snapshot


MAX_FILE_BYTES = 512 * 1024
"""The largest target file evolve indexes: every node gets an id, at roughly 40 s per MB on a busy
core, and every variant re-renders and re-compiles the whole file."""
ANNOUNCE_BYTES = 64 * 1024
"""From this size on, indexing a file is announced (it takes seconds)."""


def index_targets(config: Config, snapshot: Snapshot, out: TextIO | None = None) -> dict[str, ModuleIndex]:
    indexes: dict[str, ModuleIndex] = {}
    for file in config.target.files:
        size = (snapshot.path / file).stat().st_size
        if size > MAX_FILE_BYTES:
            raise EvolveError(f"target file {file} is {_size(size)}, over the {_size(MAX_FILE_BYTES)} evolve indexes "
                              "per file; leave generated code out of target.files, or split the module")
        if size >= ANNOUNCE_BYTES and out is not None:
            print(f"evolve: indexing {file} ({_size(size)}); a large file takes a few seconds", file=out, flush=True)
        try:
            indexes[file] = ModuleIndex.build(file, snapshot.read(file))
        except cst.ParserSyntaxError as exc:
            raise EvolveError(f"target file {file} does not parse (line {exc.raw_line}: {exc.message}); "
                              "fix the syntax error first") from None
        except SourceError as exc:
            raise EvolveError(f"target file {file} {exc}") from None
        known = indexes[file].functions()
        for qualname in config.target.functions.get(file, ()):
            if qualname not in known:
                raise EvolveError(f"function {qualname} not found in {file}; "
                                  f"known functions: {', '.join(sorted(known)) or 'none'}")
    return indexes


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def evaluation_context(config: Config, snapshot: Snapshot, scratch: Path) -> EvaluationContext:
    timeout = config.tests.timeout
    limits = Limits(wall_seconds=timeout, cpu_seconds=timeout, memory_bytes=config.memory_mb * 1024 * 1024,
                    disk_bytes=config.disk_mb * 1024 * 1024)
    return EvaluationContext(
        snapshot=snapshot.path, files=config.target.files,
        test_args=(*config.tests.paths, *config.tests.args), coverage=config.tests.coverage,
        limits=limits, benchmark=config.benchmark, scratch=scratch,
        isolation=resolve_level(config.sandbox).name,  # resolved once here, the same in every worker
    )


HANG_SHARE = 4
"""A repair whose baseline hangs runs each test for ``tests.timeout / HANG_SHARE`` seconds (at least 1), and the
whole test run for ``tests.timeout * HANG_SHARE``: up to ``HANG_SHARE ** 2`` tests may hang."""


PER_TEST_FACTOR = 10
"""Once the hanging baseline ran, a variant's test may take this many times the slowest passing test..."""
PER_TEST_FLOOR = 0.25
"""...and at least this many seconds. Every test a variant hangs costs this much, and in a repair whose
baseline hangs most variants hang (corpus case r39: seven of nine tests); at 1 s those deadlines took
most of a quick run's budget. A quarter of a second is still 10 x a test of 25 ms, the wall clock's
noise on a busy machine is well under it, and a test cut short only fails the variant, never passes it."""


def with_test_deadline(ctx: EvaluationContext, timeout: float, test_seconds: float | None = None
                       ) -> EvaluationContext:
    """``ctx`` with a deadline per test (``test_seconds``; default ``timeout / HANG_SHARE``, at least 1 s) and
    room for the tests that reach it; the fast path off (the live session has no per-test deadline). For a
    repair whose baseline hangs."""
    whole = timeout * HANG_SHARE
    return replace(ctx, test_seconds=test_seconds or max(PER_TEST_FLOOR, timeout / HANG_SHARE), fast_path=False,
                   limits=replace(ctx.limits, wall_seconds=whole, cpu_seconds=whole))


def evaluate_baseline(config: Config, evaluator: Evaluator, out: TextIO | None = None) -> Observation:
    """The baseline's observation, or ``EvolveError`` with one line saying why the run cannot start.

    In repair mode a test that hangs is the fault to repair, not a reason to stop: when the whole
    baseline run times out, it runs again with a deadline per test (``per_test_deadline``), and
    the test that hangs fails like any other. Sets ``evaluator.ctx.test_seconds`` then.
    """
    baseline = evaluator.run_baseline()
    if baseline.status == Status.TIMED_OUT and config.mode == "repair":
        baseline = per_test_deadline(config, evaluator, baseline, out)
    args = " ".join(evaluator.ctx.test_args)
    if baseline.status == Status.TIMED_OUT:
        raise EvolveError(_timed_out(config, evaluator, baseline))
    if baseline.status in (Status.CRASHED, Status.OUT_OF_MEMORY):
        raise EvolveError(f"the baseline could not be evaluated: {baseline.reason}; "
                          f"run the tests by hand in the project to see why: python -m pytest {args}")
    if not baseline.tests and baseline.reason.startswith(PYTEST_ERROR):
        raise EvolveError(f"{baseline.reason}; fix the project's pytest setup (addopts, plugins, conftest) or "
                          f"tests.args, and check with: python -m pytest {args}")
    if not baseline.tests:
        raise EvolveError(f"no tests were collected with {args}; set tests.paths to your pytest test folder")
    failing = sorted(n for n, o in baseline.tests.items() if o in ("failed", "error"))
    if config.mode == "improve" and failing:
        only_traced = _only_under_coverage(evaluator, baseline, failing)
        if only_traced:
            raise EvolveError(only_traced)
        raise EvolveError(f"{len(failing)} test(s) fail at baseline ({baseline.reason}); fix them, or "
                          "let evolve repair them with: python -m evolve repair --config <file>")
    if config.mode == "repair" and not failing:
        raise EvolveError("every test passes at baseline, so there is nothing to repair; "
                          "use: python -m evolve run")
    return baseline


def per_test_deadline(config: Config, evaluator: Evaluator, timed_out: Observation,
                      out: TextIO | None = None) -> Observation:
    """The repair baseline again under ``with_test_deadline``: a test that hangs fails like any other.

    Variants then run under the same deadline on the slow path, so one that still hangs fails that
    test instead of timing out as a whole. Returns the new observation, or ``timed_out`` (and the
    context as it was) when even this does not finish.
    """
    plain = evaluator.ctx
    evaluator.ctx = with_test_deadline(plain, config.tests.timeout)
    baseline = evaluator.run_baseline()
    if baseline.status == Status.TIMED_OUT:
        evaluator.ctx = plain
        return timed_out
    passing = [baseline.test_durations.get(t, 0.0) for t, o in baseline.tests.items() if o == "passed"]
    tighter = max(PER_TEST_FLOOR, PER_TEST_FACTOR * max(passing, default=PER_TEST_FLOOR))
    if evaluator.ctx.test_seconds is not None and tighter < evaluator.ctx.test_seconds:
        evaluator.ctx = replace(evaluator.ctx, test_seconds=tighter)  # what the tests that end take, with room
    if out is not None:
        print(f"evolve: the baseline's tests did not finish within tests.timeout = {config.tests.timeout:g} s; "
              f"each test now gets {evaluator.ctx.test_seconds:g} s, so a test that hangs fails and can be "
              "repaired (variants take the slow path)", file=out)
    return baseline


def _without_coverage(evaluator: Evaluator) -> Observation | None:
    """The baseline evaluated once more without coverage tracing (None when coverage is off anyway):
    tracing slows tests, and a time limit that holds without it may not hold with it."""
    if not evaluator.ctx.coverage:
        return None
    traced = evaluator.ctx
    evaluator.ctx = replace(traced, coverage=False, fast_path=False)
    try:
        return evaluator.run_baseline()
    finally:
        evaluator.ctx = traced


def _timed_out(config: Config, evaluator: Evaluator, baseline: Observation) -> str:
    """The line for a baseline whose tests ran past ``tests.timeout``: by how much, and what to raise."""
    limit = config.tests.timeout
    plain = _without_coverage(evaluator)
    if plain is not None and plain.status != Status.TIMED_OUT:
        suggest = math.ceil(max(2 * limit, 5 * plain.seconds))
        return (f"the baseline's tests did not finish within tests.timeout = {limit:g} s under coverage tracing "
                f"({baseline.reason}); without tracing they take {plain.seconds:.1f} s: raise tests.timeout "
                f"(to about {suggest}) or set tests.coverage: false")
    return (f"the baseline's tests did not finish within tests.timeout = {limit:g} s ({baseline.reason})"
            f"{', even without coverage tracing' if plain is not None else ''}; raise tests.timeout, "
            "or point tests.paths at faster tests")


def _only_under_coverage(evaluator: Evaluator, baseline: Observation, failing: list[str]) -> str | None:
    """The line for tests that fail at baseline only because coverage tracing slows them (their own
    time limit, pytest-timeout's, runs out); None when they fail without tracing too."""
    plain = _without_coverage(evaluator)
    if plain is None or plain.status != Status.PASSED:
        return None
    first = failing[0]
    took = plain.test_durations.get(first)
    return (f"{len(failing)} test(s) fail at baseline only under coverage tracing, which slows them past their "
            f"time limit ({baseline.reason}); without tracing {first} "
            f"passes{'' if took is None else f' in {took:.2f} s'}: "
            "raise its timeout (pytest-timeout's timeout option or mark) or set tests.coverage: false")


LONG_RUN_SECONDS = 24 * 3600
"""A budget that could take longer than this at the baseline's pace says so in the banner."""


def budget_words(config: Config, baseline: Observation) -> str:
    """The run's budget as the banner states it: generations, population, the most evaluations that
    means, and a warning with what to do when that could take more than a day at the baseline's pace."""
    s = config.search
    most = s.population * s.generations
    if s.max_evaluations is not None:
        most = min(most, s.max_evaluations)
    words = (f"budget: {s.generations:,} generation(s) of {s.population:,}, at most {most:,} evaluations "
             "(repeats come from the cache)")
    if s.max_seconds is not None:
        words += f", at most {s.max_seconds:g} s of search"
    if config.mode == "repair":
        words += "; stops at the first repair"
    elif s.patience:
        words += f"; stops after {s.patience} generation(s) without a better best"
    worst = most * max(baseline.seconds, 0.01) / max(config.workers, 1)
    if s.max_seconds is not None:
        worst = min(worst, s.max_seconds)
    if worst > LONG_RUN_SECONDS:
        words += (f"; at the baseline's pace ({baseline.seconds:.2f} s per evaluation) that could take "
                  f"{_duration(worst)}: lower search.generations, or stop it with Ctrl-C "
                  f"(python -m evolve resume continues it)")
    return words


def _duration(seconds: float) -> str:
    for unit, size in (("years", 365 * 86400), ("days", 86400), ("hours", 3600)):
        if seconds >= 2 * size:
            return f"about {seconds / size:,.0f} {unit}"
    return f"about {seconds / 60:,.0f} minutes"


