"""Performance: a ratio of medians against samples measured in the same place."""

import pytest

from fitness import Observation, Performance, Status

PERF = Performance()


def obs(variant: tuple[float, ...], baseline: tuple[float, ...]) -> Observation:
    return Observation(status=Status.PASSED, cpu_times=variant, baseline_cpu_times=baseline)


def test_ratio_of_medians_from_known_samples() -> None:
    o = obs((0.5, 0.4, 9.0), (1.0, 0.8, 1.2))  # medians 0.5 and 1.0; the outlier does not count
    assert PERF.measure(o) == pytest.approx(0.5)
    assert PERF.details(o) == {"median_s": 0.5, "baseline_median_s": 1.0}


def test_score_is_inverse_ratio_against_fixed_reference() -> None:
    baseline = obs((1.0, 1.1, 0.9), (1.0, 1.05, 0.95))
    reference = PERF.baseline_figure(baseline)
    assert reference == 1.0
    assert PERF.score(0.5, reference) == pytest.approx(2.0)
    assert PERF.score(2.0, reference) == pytest.approx(0.5)
    assert PERF.score(1.0, reference) == 1.0


def test_speedup_capped_at_ten() -> None:
    assert PERF.score(0.001, 1.0) == 10.0
    assert PERF.score(0.0, 1.0) == 10.0


def test_missing_samples_give_no_figure() -> None:
    assert PERF.measure(obs((), (1.0,))) is None
    assert PERF.measure(obs((1.0,), ())) is None
    assert PERF.baseline_figure(obs((), ())) is None
    assert PERF.score(None, 1.0) == 0.0
