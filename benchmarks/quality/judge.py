"""Judging variants and runs: solved, overfit (plausible but wrong) or unsolved.

Repair: *solved* when the variant passes the case's tests in a fresh pytest run
and behaves like the known fix on the oracle's random inputs; *overfit* when it
passes the tests but behaves differently. Speed-up: *solved* when the tests
pass, the oracle finds no difference from the original program and the
interleaved CPU ratio original/variant reaches ``min_ratio`` and is significant
(``timing.SIGNIFICANCE``), and the engine itself presents it as an improvement
(``summary.json``'s ``improved``, where the engine writes one); *overfit* when
the tests pass but behaviour changed. Everything else is *unsolved*.

A run is judged by its best variant (``best.diff``; when the engine was killed
before writing it, the best passing evaluation of ``evaluations.jsonl``). The
first solution of a solved run is the earliest evaluation that the engine
passed and the harness confirms (oracle, and timing for speed-ups; the
engine's test verdict is taken as is), among the first ``FIRST_CANDIDATES``
distinct programs the engine passed. It is looked for in unsolved runs too: a
solution the engine evaluated but did not keep as its best is worth knowing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.quality import oracle, timing
from benchmarks.quality.cases import Case
from benchmarks.quality.runner import EngineRun, Evaluation
from benchmarks.quality.suite import run_suite
from benchmarks.quality.workspace import (
    Scratch,
    apply_diff,
    copy_known,
    copy_project,
    fingerprint,
    render_patch,
    write_sources,
)

SOLVED, OVERFIT, UNSOLVED = "solved", "overfit", "unsolved"
TEST_STARTUP_SECONDS = 5.0  # allowance over test_timeout for interpreter and pytest start
FIRST_CANDIDATES = 5
ENGINE_FIGURES = ("evaluations", "executed", "cache_hits", "seconds", "engine_seconds", "stopped_at", "generations")


@dataclass(frozen=True)
class Verdict:
    """``outcome`` (solved / overfit / unsolved) and why, in ``detail``; ``ratio`` for timed speed-ups."""

    outcome: str
    detail: str
    ratio: float | None = None


@dataclass(frozen=True)
class FirstSolution:
    """The first confirmed solution of a run: its 0-based ``index`` in evaluations.jsonl,
    ``evaluations`` up to and including it (cached ones counted), ``executed`` (cached ones not
    counted), ``observed_seconds`` after the engine's launch when its line appeared, and
    ``eval_seconds``: the engine's own evaluation seconds summed over the executed ones."""

    index: int
    evaluations: int
    executed: int
    observed_seconds: float
    eval_seconds: float


@dataclass(frozen=True)
class RunResult:
    """Everything recorded for one case and seed.

    The verdict of its best (``outcome``, ``detail``, ``ratio``), the best's ``edits`` in words,
    ``evaluations`` seen in evaluations.jsonl (against ``planned_evaluations``), how the engine
    process ended (``engine_failure``: why it stopped by itself without a result; None when it
    finished or was killed at the wall limit), its ``first`` solution, the engine's own counters
    from summary.json (``engine``) and a ``timeline`` of every evaluation: (index, generation,
    status, cached, observed wall seconds, engine seconds).
    """

    case_id: str
    group: str
    fix_kind: str
    seed: int
    outcome: str
    detail: str
    ratio: float | None
    edits: tuple[str, ...]
    evaluations: int
    planned_evaluations: int
    passed_evaluations: int
    wall_seconds: float
    timed_out: bool
    returncode: int
    engine_failure: str | None
    run_id: str | None
    first: FirstSolution | None
    command: tuple[str, ...] = field(default=())
    engine: dict[str, object] = field(default_factory=dict)
    timeline: tuple[tuple[int, int, str, bool, float, float], ...] = field(default=())


class Judge:
    """Judges variants of one case; the reference projects and outcomes are made once, in ``scratch``
    (the outcomes only when a first variant needs them)."""

    def __init__(self, case: Case, scratch: Scratch) -> None:
        self.case = case
        self.scratch = scratch
        self.original = copy_project(case, scratch.folder(f"{case.id}-original"))
        self.known = copy_known(case, scratch.folder(f"{case.id}-known"))
        self.originals = {f: (case.project / f).read_text(encoding="utf-8") for f in case.files}
        self._reference: oracle.Reference | None = None
        self._verdicts: dict[str, Verdict] = {}

    @property
    def reference(self) -> oracle.Reference:
        """The outcomes of the known fix (repair) or the original (speed-up), recorded on first use.

        Raises :class:`~benchmarks.quality.oracle.OracleError` when they cannot be recorded.
        """
        if self._reference is None:
            project = self.known if self.case.is_repair else self.original
            self._reference = oracle.record(self.case, project, self.scratch.folder(f"{self.case.id}-reference"))
        return self._reference

    def judge_project(self, project: Path, run_tests: bool = True) -> Verdict:
        """Judge the variant copy ``project`` (tests skipped when ``run_tests`` is False)."""
        if run_tests:
            suite = run_suite(project, self.case.test_timeout + TEST_STARTUP_SECONDS)
            if not suite.passed:
                return Verdict(UNSOLVED, f"tests {suite.describe()}")
        work = self.scratch.folder(f"{self.case.id}-judge")
        comparison = oracle.compare(self.case, project, self.reference, work)
        if not comparison.same:
            return Verdict(OVERFIT, f"passes the tests; {comparison.describe()}")
        if self.case.speedup is None:
            return Verdict(SOLVED, "passes the tests; behaves like the known fix")
        speed = timing.compare_speed(self.original, project, self.case.speedup.benchmark, work)
        if speed.faster_than(self.case.speedup.min_ratio):
            return Verdict(SOLVED, f"same behaviour; {speed.describe()}", speed.ratio)
        return Verdict(UNSOLVED, f"same behaviour, not fast enough: {speed.describe()}", speed.ratio)

    def judge_sources(self, sources: dict[str, str], run_tests: bool) -> Verdict:
        """Judge the program whose target files read ``sources`` (all target files); cached per program."""
        key = f"{fingerprint(sources)}-{run_tests}"
        if key not in self._verdicts:
            project = copy_project(self.case, self.scratch.folder(f"{self.case.id}-variant"))
            write_sources(project, sources)
            self._verdicts[key] = self.judge_project(project, run_tests)
        return self._verdicts[key]

    def full_sources(self, changed: dict[str, str]) -> dict[str, str]:
        """Every target file's source, ``changed`` laid over the originals."""
        return {**self.originals, **{f: s for f, s in changed.items() if f in self.originals}}

    def judge_run(self, run: EngineRun, planned: int) -> RunResult:
        """Judge ``run``'s best variant and find its first solution."""
        verdict, best_sources, edits = self._judge_best(run)
        first = self._first_solution(run, best_sources if verdict.outcome == SOLVED else None)
        return RunResult(
            case_id=self.case.id, group=self.case.group, fix_kind=self.case.fix_kind, seed=run.seed,
            outcome=verdict.outcome, detail=verdict.detail, ratio=verdict.ratio, edits=edits,
            evaluations=len(run.evaluations), planned_evaluations=planned,
            passed_evaluations=sum(e.status == "passed" for e in run.evaluations),
            wall_seconds=round(run.wall_seconds, 1), timed_out=run.timed_out, returncode=run.returncode,
            engine_failure=run.failure, run_id=run.folder.name if run.folder else None, first=first,
            command=run.command, engine={k: v for k, v in (run.summary or {}).items() if k in ENGINE_FIGURES},
            timeline=tuple((e.index, e.gen, e.status, e.cached, e.observed, e.seconds) for e in run.evaluations),
        )

    def _judge_best(self, run: EngineRun) -> tuple[Verdict, dict[str, str] | None, tuple[str, ...]]:
        """(verdict, the best's target sources, its edits in words) for ``run``."""
        if run.best is not None and run.best_diff is not None:
            verdict, sources, edits = self._judge_best_json(run)
            unclaimed = self.case.speedup is not None and (run.summary or {}).get("improved") is False
            if verdict.outcome == SOLVED and unclaimed:  # the user is told "no improvement": nothing to merge
                verdict = Verdict(UNSOLVED, f"the engine reports no improvement; its best: {verdict.detail}",
                                  verdict.ratio)
            if run.timed_out:  # the engine wrote its best so far on SIGTERM
                verdict = Verdict(verdict.outcome, f"stopped at the wall limit ({run.wall_seconds:.0f} s), "
                                                   f"best so far: {verdict.detail}", verdict.ratio)
            return verdict, sources, edits
        return self._judge_unfinished(run)

    def _judge_best_json(self, run: EngineRun) -> tuple[Verdict, dict[str, str] | None, tuple[str, ...]]:
        """The verdict on best.json / best.diff (both present)."""
        assert run.best is not None and run.best_diff is not None
        edits = tuple(str(e) for e in run.best.get("edits") or ())
        if run.best.get("status") != "passed":
            return Verdict(UNSOLVED, "the engine's best variant fails its tests"), None, edits
        if not run.best_diff.read_text(encoding="utf-8").strip():
            return Verdict(UNSOLVED, "the engine's best is the unchanged program"), None, edits
        project = copy_project(self.case, self.scratch.folder(f"{self.case.id}-best"))
        problem = apply_diff(run.best_diff, project)
        if problem is not None:
            return Verdict(UNSOLVED, f"best.diff does not apply: {problem}"), None, edits
        sources = {f: (project / f).read_text(encoding="utf-8") for f in self.case.files}
        return self.judge_project(project), sources, edits

    def _judge_unfinished(self, run: EngineRun) -> tuple[Verdict, dict[str, str] | None, tuple[str, ...]]:
        """A run without best.json/best.diff (killed, or crashed): its best passing evaluation, if any."""
        why = (f"stopped at the wall limit ({run.wall_seconds:.0f} s)" if run.timed_out
               else f"engine {run.failure}")
        passing = [e for e in run.evaluations if e.status == "passed" and e.patch]
        if not passing:
            if run.failure:
                return Verdict(UNSOLVED, why), None, ()
            return Verdict(UNSOLVED, f"{why} after {len(run.evaluations)} evaluations, none passing; "
                                     f"last output: {run.last_words}"), None, ()
        best = max(passing, key=lambda e: (e.fitness, -e.index))
        edits = tuple(_edit_words(edit) for edit in best.patch)
        changed = render_patch(self.case, list(best.patch))
        if changed is None:
            return Verdict(UNSOLVED, f"{why}; its best passing patch does not render"), None, edits
        sources = self.full_sources(changed)
        verdict = self.judge_sources(sources, run_tests=True)
        return Verdict(verdict.outcome, f"{why}; best passing evaluation #{best.index}: {verdict.detail}",
                       verdict.ratio), sources, edits

    def _first_solution(self, run: EngineRun, best_sources: dict[str, str] | None) -> FirstSolution | None:
        """The earliest confirmed solution among the first FIRST_CANDIDATES distinct passed programs;
        ``best_sources`` (the best's program, when it was judged solved) needs no second judging."""
        seen: set[str] = set()
        best_print = fingerprint(best_sources) if best_sources else None
        for evaluation in run.evaluations:
            if len(seen) >= FIRST_CANDIDATES:
                break
            if not self._candidate(evaluation):
                continue
            changed = render_patch(self.case, list(evaluation.patch))
            if changed is None:
                continue
            sources = self.full_sources(changed)
            program = fingerprint(sources)
            if program in seen:
                continue
            seen.add(program)
            if program == best_print or self.judge_sources(sources, run_tests=False).outcome == SOLVED:
                return _first(run.evaluations, evaluation.index)
        return None

    def _candidate(self, evaluation: Evaluation) -> bool:
        if evaluation.status != "passed" or not evaluation.patch:
            return False
        if self.case.speedup is None:
            return True
        return evaluation.speedup is not None and evaluation.speedup >= self.case.speedup.min_ratio


def _first(evaluations: tuple[Evaluation, ...], index: int) -> FirstSolution:
    upto = evaluations[: index + 1]
    executed = [e for e in upto if not e.cached]
    return FirstSolution(index=index, evaluations=index + 1, executed=len(executed),
                         observed_seconds=evaluations[index].observed,
                         eval_seconds=round(sum(e.seconds for e in executed), 2))


def _edit_words(edit: dict[str, object]) -> str:
    return f"{edit.get('file')}: {edit.get('operator')} at {edit.get('node')}"
