import pytest

from clumsy import fib, mean_distance, sum_of_squares


@pytest.mark.parametrize("n, expected", [(0, 0), (1, 1), (2, 1), (3, 2), (7, 13), (10, 55), (15, 610)])
def test_fib(n, expected):
    assert fib(n) == expected


def test_mean_distance_symmetric():
    assert mean_distance([1.0, 3.0]) == pytest.approx(1.0)


def test_mean_distance_uneven():
    assert mean_distance([0.0, 0.0, 6.0]) == pytest.approx(8.0 / 3.0)


def test_mean_distance_single_point():
    assert mean_distance([4.5]) == 0.0


def test_sum_of_squares():
    assert sum_of_squares(0) == 0
    assert sum_of_squares(1) == 0
    assert sum_of_squares(4) == 14
    assert sum_of_squares(100) == 328350
