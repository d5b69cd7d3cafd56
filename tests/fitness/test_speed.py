"""The speed verdict: faster or slower only when a test says so, racing only while it could matter."""

import random

import pytest

from fitness.speed import Speed, judge_speed, needs_more, noise_band


def noisy(center: float, n: int, rng: random.Random, spread: float = 0.03) -> list[float]:
    return [center * (1 + rng.uniform(-spread, spread)) for _ in range(n)]


def test_the_same_code_measured_twice_is_never_decided() -> None:
    """A/A: 200 pairs of samples of identical code on a noisy machine; none may read as a speed change."""
    rng = random.Random(7)
    verdicts = [judge_speed(noisy(1.0, 7, rng), noisy(1.0, 7, rng)).speed for _ in range(200)]
    assert verdicts.count(Speed.UNRESOLVED) == 200


def test_a_real_difference_is_decided_both_ways() -> None:
    rng = random.Random(3)
    faster = judge_speed(noisy(1.0, 7, rng), noisy(0.7, 7, rng))
    slower = judge_speed(noisy(1.0, 7, rng), noisy(1.5, 7, rng))
    assert faster.speed is Speed.FASTER and faster.ratio == pytest.approx(0.7, rel=0.05) and faster.p <= 0.001
    assert slower.speed is Speed.SLOWER and slower.decided_ratio > 1.4


def test_a_significant_but_tiny_difference_is_no_gain() -> None:
    verdict = judge_speed([1.0 + i * 1e-4 for i in range(10)], [0.995 + i * 1e-4 for i in range(10)])
    assert verdict.speed is Speed.UNRESOLVED and verdict.decided_ratio == 1.0


def test_too_few_samples_decide_nothing_and_bad_samples_raise() -> None:
    assert judge_speed([1.0, 1.0], [0.1, 0.1]).speed is Speed.UNRESOLVED
    with pytest.raises(ValueError, match="finite"):
        judge_speed([1.0, float("nan"), 1.0], [1.0, 1.0, 1.0])


def test_racing_measures_more_only_while_open_and_promising() -> None:
    rng = random.Random(1)
    open_faster = judge_speed(noisy(1.0, 3, rng), noisy(0.9, 3, rng))
    assert open_faster.speed is Speed.UNRESOLVED
    assert needs_more(open_faster, 3, 15)
    assert not needs_more(open_faster, 15, 15)  # budget spent
    assert not needs_more(open_faster, 3, 15, incumbent_ratio=0.5)  # cannot beat the incumbent
    open_slower = judge_speed(noisy(1.0, 3, rng), noisy(1.1, 3, rng))
    assert not needs_more(open_slower, 3, 15)


def test_noise_band_of_an_a_a_measurement() -> None:
    assert noise_band([1.0, 1.0, 1.0], [1.0, 1.0, 1.0]) == 0.0
    band = noise_band([1.0] * 11, [0.95 + 0.01 * i for i in range(11)])
    assert band == pytest.approx(0.04, abs=0.011)
    assert noise_band([1.0], [1.1]) == 0.0
