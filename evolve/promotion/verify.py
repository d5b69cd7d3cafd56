"""Verification: a variant re-checked on a clean checkout before anything is committed.

``verify`` runs the project's *whole* test suite in a fresh sandboxed
``python -m pytest`` (``run_full_suite``: not the search's fast path, not only
``tests.paths``), then evaluates base and variant in fresh processes with
``promotion.verify_repeats`` interleaved benchmark rounds, scores the variant
against the base with a ``Scorer`` built on it, and applies the promotion
rules: every test passes, the fitness beats the base by the threshold, and a
speed-up that decides it beats noise in a one-sided sign test
(p <= ``SIGNIFICANCE``).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from evolve import sourcefile
from evolve.config import Config
from evolve.errors import exception_line
from evolve.evaluation.jobs import EvaluationContext, Job, run_job
from evolve.evaluation.sandbox import Isolation, Limits, hand_over, run_sandboxed
from fitness.aggregate import Score, Scorer
from fitness.observation import TEST_ERROR, TEST_FAILED, TEST_PASSED, Observation, Status
from fitness.principles import check_principles

__all__ = ["SIGNIFICANCE", "SuiteRun", "Verification", "run_full_suite", "verify"]

SIGNIFICANCE = 0.01
"""A speed-up that clears the threshold must have a one-sided sign-test p-value at most this."""
FULL_SUITE_FACTOR, FULL_SUITE_MIN_SECONDS = 10, 120.0
"""The whole suite may take longer than the search's subset: ``tests.timeout`` times this, at least that."""


@dataclass(frozen=True)
class Verification:
    """What re-verifying a variant on a clean checkout found; ``reason`` says why it failed."""

    ok: bool
    reason: str = ""
    baseline: Score | None = None
    variant: Score | None = None
    tests: int = 0
    rounds: int = 0
    faster_rounds: int = 0
    fixed: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "reason": self.reason, "tests": self.tests, "rounds": self.rounds,
                "faster_rounds": self.faster_rounds, "fixed": self.fixed,
                "baseline": self.baseline.to_json() if self.baseline else None,
                "variant": self.variant.to_json() if self.variant else None}


@dataclass(frozen=True)
class SuiteRun:
    """The whole suite in a fresh process: did it pass, how many passed, pytest's own summary."""

    ok: bool
    passed: int
    summary: str


def run_full_suite(project: Path, config: Config) -> SuiteRun:
    """The project's whole suite as a person runs it: a fresh ``python -m pytest`` at its root."""
    hand_over(project)
    seconds = max(FULL_SUITE_MIN_SECONDS, FULL_SUITE_FACTOR * config.tests.timeout)
    limits = Limits(wall_seconds=seconds, cpu_seconds=seconds, memory_bytes=config.memory_mb * 1024 * 1024,
                    disk_bytes=config.disk_mb * 1024 * 1024)
    walls = Isolation(config.sandbox, (("rw", str(project)),))  # the same walls as every variant's
    done = run_sandboxed([sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider"], isolation=walls,
                         cwd=project, limits=limits)
    lines = [line.strip() for line in done.stdout.strip().splitlines()]
    summary = lines[-1].strip("= ") if lines else ""
    passed = _count(summary, "passed")
    if done.timed_out:
        return SuiteRun(False, passed, f"it did not finish within {seconds:.0f} s")
    if done.returncode == 0:
        return SuiteRun(True, passed, summary)
    first = next((line for line in lines if line.startswith(("FAILED ", "ERROR "))), "")
    if first or _count(summary, "failed") or _count(summary, "error") or _count(summary, "errors"):
        return SuiteRun(False, passed, f"{summary}; first: {first}"[:300] if first else summary[:300])
    return SuiteRun(False, passed, _why_not_passed(done.returncode, lines, done.stderr, summary)[:300])


def _why_not_passed(status: int | None, lines: list[str], stderr: str, summary: str) -> str:
    """pytest failed with no test failing: its own word for why (a gate a plugin keeps, a usage error)."""
    gate = next((line for line in lines if "Required test coverage" in line), None)
    if gate is not None:
        return (f"the coverage gate failed (pytest-cov's --cov-fail-under: {gate.removeprefix('FAIL ').strip()}) "
                f"although every test passed ({summary})")
    said = exception_line(stderr) or next((line for line in reversed(lines[:-1]) if line.strip("=- ")), "")
    ran = f" ({summary})" if _count(summary, "passed") else ""
    return f"pytest exit status {status}{ran}: {said}" if said else f"pytest exit status {status}{ran}"


def _count(summary: str, word: str) -> int:
    """``3`` from pytest's ``1 failed, 3 passed in 0.1s`` for ``passed``."""
    words = summary.replace(",", " ").split()
    for number, following in zip(words, words[1:]):
        if following == word and number.isdigit():
            return int(number)
    return 0


def verify(config: Config, base_dir: Path, variant_dir: Path, scratch: Path, threshold: float,
           where: str) -> Verification:
    """Re-verify the variant in ``variant_dir`` against ``base_dir`` (clean checkouts of the same project).

    The whole suite runs first (cheapest way to fail); then both sides are
    evaluated in fresh processes and the variant benchmarked interleaved with
    the base, and the promotion rules are checked against ``threshold``.
    """
    hand_over(base_dir)  # the sandbox user may write where a benchmark command runs
    suite = run_full_suite(variant_dir, config)
    if not suite.ok:
        return Verification(False, f"the full test suite (python -m pytest) fails on the variant: {suite.summary}")
    base, variant = _measure(config, base_dir, variant_dir, scratch)
    scorer = Scorer(base, config.weights, mode=config.mode, soft_principles=config.principles.soft)
    score = scorer.score(variant)
    pairs = list(zip(variant.cpu_times, variant.baseline_cpu_times))
    found = Verification(True, "", scorer.baseline_score, score, suite.passed, len(pairs),
                         sum(v < b for v, b in pairs), _fixed(base, variant))
    problem = _broken_rule(config, scorer, base, variant, found, threshold, where)
    return replace(found, ok=problem is None, reason=problem or "")


def _measure(config: Config, base_dir: Path, variant_dir: Path, scratch: Path) -> tuple[Observation, Observation]:
    """Both sides through the same worker code as the search, but each in a fresh interpreter."""
    files = config.target.files
    before, after = _read(base_dir, files), _read(variant_dir, files)
    timeout = config.tests.timeout
    limits = Limits(wall_seconds=timeout, cpu_seconds=timeout, memory_bytes=config.memory_mb * 1024 * 1024,
                    disk_bytes=config.disk_mb * 1024 * 1024)
    ctx = EvaluationContext(snapshot=base_dir, files=files, test_args=(*config.tests.paths, *config.tests.args),
                            coverage=config.tests.coverage, limits=limits, benchmark=None, scratch=scratch,
                            fresh_process=True, isolation=config.sandbox)
    base = run_job(ctx, Job(key="baseline", sources={}))
    bench = None if config.benchmark is None else replace(config.benchmark, repeats=config.promotion.verify_repeats)
    ctx = replace(ctx, benchmark=bench, expected_tests=tuple(sorted(base.tests)))
    variant = run_job(ctx, Job(key="variant", sources={f: t for f, t in after.items() if t != before[f]}))
    kept_before = check_principles(before, before, config.principles).kept
    base = replace(base, sources=before, principles=dict(kept_before), cpu_times=variant.baseline_cpu_times,
                   baseline_cpu_times=variant.baseline_cpu_times)
    report = check_principles(after, before, config.principles)
    variant = replace(variant, sources=after, principles=dict(report.kept))
    if report.hard_violation and variant.status == Status.PASSED:
        variant = replace(variant, status=Status.REJECTED, gate="principles", reason=report.hard_violation)
    return base, variant


def _read(folder: Path, files: Sequence[str]) -> dict[str, str]:
    return {f: sourcefile.read(folder / f) if (folder / f).is_file() else "" for f in files}


def _fixed(base: Observation, variant: Observation) -> int:
    failing = {t for t, o in base.tests.items() if o in (TEST_FAILED, TEST_ERROR)}
    return sum(1 for t in failing if variant.tests.get(t) == TEST_PASSED)


def _broken_rule(config: Config, scorer: Scorer, base: Observation, variant: Observation, found: Verification,
                 threshold: float, where: str) -> str | None:
    assert found.variant is not None and found.baseline is not None
    if config.mode == "improve" and base.status != Status.PASSED:
        return f"the configured tests fail on {where} itself ({base.reason}); fix them first"
    if variant.status != Status.PASSED:
        return f"the variant fails re-verification at the {variant.gate} gate: {variant.reason}"
    if not scorer.clears(found.variant, threshold):
        return (f"fitness {found.variant.value:.4f} does not beat {where}'s {found.baseline.value:.4f} "
                f"by the threshold {threshold:g} (measured now)")
    if _speed_decides(scorer, found.variant, threshold) and _sign_test(found) > SIGNIFICANCE:
        return (f"the speed-up decides the promotion but is not distinguishable from noise (faster in "
                f"{found.faster_rounds} of {found.rounds} interleaved rounds); raise promotion.verify_repeats")
    return None


def _speed_decides(scorer: Scorer, score: Score, threshold: float) -> bool:
    """Whether the variant would fail the threshold without its performance gain."""
    weight, gain = scorer.weights["performance"], score.components.get("performance", 1.0) - 1.0
    if scorer.mode == "repair" or weight == 0 or gain <= 0:
        return False
    return not scorer.clears(replace(score, value=score.value - weight * gain), threshold)


def _sign_test(found: Verification) -> float:
    """One-sided p-value that the variant is faster in this many interleaved rounds by chance."""
    n, wins = found.rounds, found.faster_rounds
    if n == 0:
        return 1.0
    return sum(math.comb(n, k) for k in range(wins, n + 1)) / 2 ** n
