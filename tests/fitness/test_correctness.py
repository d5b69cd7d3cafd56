"""Correctness: pass rate dominates, coverage is the smaller term."""

import pytest

from fitness import Correctness, Observation, Status

CORRECT = Correctness()
ALL_PASS = {"t::a": "passed", "t::b": "passed", "t::c": "passed", "t::d": "passed"}


def score(variant: Observation, baseline: Observation) -> float:
    return CORRECT.score_with_details(CORRECT.measure(variant), CORRECT.baseline_figure(baseline),
                                      CORRECT.details(variant), CORRECT.details(baseline))


def test_pass_rate_ignores_skipped() -> None:
    o = Observation(status=Status.TESTS_FAILED, tests={"a": "passed", "b": "failed", "c": "skipped"})
    assert CORRECT.measure(o) == 0.5
    assert CORRECT.measure(Observation(status=Status.CRASHED)) is None


def test_failing_test_lowers_score() -> None:
    base = Observation(status=Status.PASSED, tests=ALL_PASS, coverage=80.0)
    worse = Observation(status=Status.TESTS_FAILED, tests={**ALL_PASS, "t::d": "failed"}, coverage=80.0)
    assert score(base, base) == pytest.approx(1.0)
    assert score(worse, base) == pytest.approx(0.7 * 0.75 + 0.3)


def test_coverage_term() -> None:
    base = Observation(status=Status.PASSED, tests=ALL_PASS, coverage=80.0)
    less = Observation(status=Status.PASSED, tests=ALL_PASS, coverage=40.0)
    unknown = Observation(status=Status.PASSED, tests=ALL_PASS, coverage=None)
    assert CORRECT.details(base)["coverage"] == 80.0
    assert score(less, base) == pytest.approx(0.7 + 0.3 * 0.5)
    assert score(unknown, base) == pytest.approx(1.0)
    assert CORRECT.score(1.0, 1.0) == pytest.approx(1.0)  # plain score: coverage term neutral


def test_zero_baselines_are_guarded() -> None:
    base = Observation(status=Status.TESTS_FAILED, tests={"a": "failed"}, coverage=0.0)
    fixed = Observation(status=Status.PASSED, tests={"a": "passed"}, coverage=10.0)
    assert score(base, base) == pytest.approx(1.0)
    assert score(fixed, base) == pytest.approx(2.0)
