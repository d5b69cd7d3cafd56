import pytest

from r06_stats.summary import mean, median, moving_average, value_range


def test_mean():
    assert mean([1, 2, 3, 4]) == 2.5


def test_mean_empty():
    with pytest.raises(ValueError):
        mean([])


def test_median_odd():
    assert median([7, 1, 3]) == 3


def test_median_even_integral():
    assert median([4, 1, 3, 2, 6, 8]) == 3.5


def test_median_even_whole():
    assert median([10, 2, 4, 6]) == 5


def test_median_floats():
    assert median([0.5, 0.25]) == 0.375


def test_median_empty():
    with pytest.raises(ValueError):
        median([])


def test_value_range():
    assert value_range([3, -2, 9]) == 11


def test_moving_average():
    assert moving_average([1, 2, 3, 4, 5], 2) == [1.5, 2.5, 3.5, 4.5]
    assert moving_average([1, 2], 3) == []
