"""Performance: a ratio of medians that counts only when the difference is real, on a log scale."""

import math

import pytest

from fitness import Observation, Performance, Status

PERF = Performance()
BASE = (1.0, 0.98, 1.02, 0.99, 1.01)


def obs(variant: tuple[float, ...], baseline: tuple[float, ...] = BASE) -> Observation:
    return Observation(status=Status.PASSED, cpu_times=variant, baseline_cpu_times=baseline)


def test_a_real_speed_up_is_the_ratio_of_medians() -> None:
    o = obs((0.5, 0.4, 9.0, 0.45, 0.55, 0.5, 0.52, 0.48, 0.5, 0.51, 0.49), BASE + BASE + (1.0,))  # one outlier
    assert PERF.measure(o) == pytest.approx(0.5)
    details = PERF.details(o)
    assert details["median_s"] == 0.5 and details["baseline_median_s"] == 1.0 and details["p_value"] < 0.001


def test_an_unresolved_difference_is_exactly_the_baseline() -> None:
    assert PERF.measure(obs((0.97, 1.0, 0.96, 0.99, 1.02))) == 1.0  # 2 % faster in the median, not significant
    assert PERF.measure(obs((0.5, 0.5, 0.5))) == 1.0  # too few samples to decide
    assert PERF.details(obs((0.97, 1.0, 0.96, 0.99, 1.02)))["measured_ratio"] == pytest.approx(0.99)


def test_score_is_log2_of_the_speed_up_without_a_cap() -> None:
    assert PERF.baseline_figure(obs(BASE)) == 1.0
    assert PERF.score(1.0, 1.0) == 1.0
    assert PERF.score(0.5, 1.0) == pytest.approx(2.0)
    assert PERF.score(2.0, 1.0) == pytest.approx(0.0)
    assert PERF.score(4.0, 1.0) == 0.0  # never negative
    ten, hundred = PERF.score(0.1, 1.0), PERF.score(0.01, 1.0)
    assert hundred > ten > 4 and hundred == pytest.approx(1 + math.log2(100))
    assert math.isfinite(PERF.score(0.0, 1.0))


def test_missing_samples_give_no_figure() -> None:
    assert PERF.measure(obs((), (1.0,))) is None
    assert PERF.measure(obs((1.0,), ())) is None
    assert PERF.baseline_figure(obs((), ())) is None
    assert PERF.score(None, 1.0) == 0.0
