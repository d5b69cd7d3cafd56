"""The corpus's own checks, no engine involved (``--check`` and ``benchmarks/test_corpus.py``).

For every case: ``case.toml`` is valid (keys, kinds, files, a package name no
other case uses); the known fix / speed-up solves it by the same judge the runs
get (tests, oracle, timing); the unchanged program does not (repair: its tests
fail or time out; speed-up: its tests pass but, timed against itself, its
ratio stays under ``min_ratio``); and the oracle tells buggy from fixed
(repair) / finds no difference between slow and fast (speed-up, part of
judging the known speed-up).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.quality import oracle, timing
from benchmarks.quality.cases import (
    CORPUS,
    Case,
    CaseError,
    discover,
    load_case,
    package_clashes,
)
from benchmarks.quality.judge import SOLVED, TEST_STARTUP_SECONDS, Judge
from benchmarks.quality.suite import run_suite
from benchmarks.quality.workspace import Scratch, copy_project


@dataclass(frozen=True)
class CheckLine:
    """One case's checks: ``ok`` when ``problems`` is empty; ``facts`` what was measured; ``seconds`` taken."""

    case_id: str
    problems: tuple[str, ...]
    facts: tuple[str, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        """``ok   <id> (<s> s): facts`` or ``FAIL <id> (<s> s): problems | facts``."""
        head = f"{'ok  ' if self.ok else 'FAIL'} {self.case_id} ({self.seconds:.1f} s): "
        parts = ["; ".join(self.problems), "; ".join(self.facts)]
        return head + " | ".join(part for part in parts if part)


def load_all(corpus: Path = CORPUS) -> tuple[dict[str, Case], dict[str, str]]:
    """Every case folder of ``corpus``: (valid cases by id, problems of the invalid ones by id), package
    clashes counted as problems of every case involved."""
    cases: dict[str, Case] = {}
    invalid: dict[str, str] = {}
    for folder in discover(corpus):
        try:
            cases[folder.name] = load_case(folder)
        except CaseError as exc:
            invalid[folder.name] = str(exc)
    for package, owners in package_clashes(cases.values()).items():
        for owner in owners:
            others = ", ".join(o for o in owners if o != owner)
            invalid[owner] = f"package {package!r} also used by {others}"
            cases.pop(owner, None)
    return cases, invalid


def check_case(case: Case, scratch: Scratch) -> CheckLine:
    """Run every behavioural check of ``case`` (already validated)."""
    started = time.monotonic()
    problems: list[str] = []
    facts: list[str] = []
    judge = Judge(case, scratch)
    try:
        judge.reference  # noqa: B018 - recorded now, so that a case whose reference fails says so
    except oracle.OracleError as exc:
        return CheckLine(case.id, (str(exc),), (), time.monotonic() - started)
    known = judge.judge_project(judge.known)
    facts.append(f"known: {known.detail}")
    if known.outcome != SOLVED:
        problems.append(f"the known {'fix' if case.is_repair else 'speed-up'} is judged {known.outcome}")
    if case.is_repair:
        _check_repair_baseline(case, judge, scratch, problems, facts)
    else:
        _check_speedup_baseline(case, judge, scratch, problems, facts)
    return CheckLine(case.id, tuple(problems), tuple(facts), time.monotonic() - started)


def check_folder(folder: Path, invalid: dict[str, str], scratch: Scratch) -> CheckLine:
    """Validate and check the case in ``folder``; ``invalid`` holds corpus-wide problems (package clashes)."""
    if folder.name in invalid:
        return CheckLine(folder.name, (invalid[folder.name],), (), 0.0)
    try:
        case = load_case(folder)
    except CaseError as exc:
        return CheckLine(folder.name, (str(exc),), (), 0.0)
    return check_case(case, scratch)


def _check_repair_baseline(case: Case, judge: Judge, scratch: Scratch, problems: list[str], facts: list[str]) -> None:
    suite = run_suite(judge.original, case.test_timeout + TEST_STARTUP_SECONDS)
    facts.append(f"original: tests {suite.describe()}")
    if suite.passed:
        problems.append("the unchanged program passes its tests")
    if suite.timed_out and not case.baseline_hangs:
        facts.append("note: the tests time out but baseline_hangs = false")
    comparison = oracle.compare(case, judge.original, judge.reference, scratch.folder(f"{case.id}-check"))
    facts.append(f"buggy vs fixed {comparison.describe()}")
    if comparison.same:
        problems.append("the oracle finds no difference between the buggy and the fixed program")


def _check_speedup_baseline(case: Case, judge: Judge, scratch: Scratch, problems: list[str],
                            facts: list[str]) -> None:
    assert case.speedup is not None
    suite = run_suite(judge.original, case.test_timeout + TEST_STARTUP_SECONDS)
    if not suite.passed:
        problems.append(f"the unchanged program fails its tests: {suite.describe()}")
    twin = copy_project(case, scratch.folder(f"{case.id}-twin"))
    speed = timing.compare_speed(judge.original, twin, case.speedup.benchmark, scratch.folder(f"{case.id}-self"))
    facts.append(f"original vs itself: {speed.describe()}")
    if speed.error or speed.faster_than(case.speedup.min_ratio):
        problems.append(f"the unchanged program against itself reaches {speed.ratio:.2f} (min_ratio "
                        f"{case.speedup.min_ratio:g})" if not speed.error else f"timing the original: {speed.error}")
