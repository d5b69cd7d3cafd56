"""Correctness: the pass-rate ratio against the baseline; coverage reported, never scored."""

import pytest

from fitness import Correctness, Observation, Status

CORRECT = Correctness()
ALL_PASS = {"t::a": "passed", "t::b": "passed", "t::c": "passed", "t::d": "passed"}


def score(variant: Observation, baseline: Observation) -> float:
    return CORRECT.score(CORRECT.measure(variant), CORRECT.baseline_figure(baseline))


def test_pass_rate_ignores_skipped() -> None:
    o = Observation(status=Status.TESTS_FAILED, tests={"a": "passed", "b": "failed", "c": "skipped"})
    assert CORRECT.measure(o) == 0.5
    assert CORRECT.measure(Observation(status=Status.CRASHED)) is None


def test_failing_test_lowers_score() -> None:
    base = Observation(status=Status.PASSED, tests=ALL_PASS, coverage=80.0)
    worse = Observation(status=Status.TESTS_FAILED, tests={**ALL_PASS, "t::d": "failed"}, coverage=80.0)
    assert score(base, base) == pytest.approx(1.0)
    assert score(worse, base) == pytest.approx(0.75)


def test_coverage_is_reported_and_never_scored() -> None:
    """Deleting uncovered code raises a coverage percentage; that must not be a gain (nor a loss)."""
    base = Observation(status=Status.PASSED, tests=ALL_PASS, coverage=80.0)
    gutted = Observation(status=Status.PASSED, tests=ALL_PASS, coverage=100.0)
    less = Observation(status=Status.PASSED, tests=ALL_PASS, coverage=40.0)
    assert CORRECT.details(gutted)["coverage"] == 100.0
    assert score(gutted, base) == score(less, base) == pytest.approx(1.0)


def test_zero_baselines_are_guarded() -> None:
    base = Observation(status=Status.TESTS_FAILED, tests={"a": "failed"}, coverage=0.0)
    fixed = Observation(status=Status.PASSED, tests={"a": "passed"}, coverage=10.0)
    assert score(base, base) == pytest.approx(1.0)
    assert score(fixed, base) == pytest.approx(2.0)
