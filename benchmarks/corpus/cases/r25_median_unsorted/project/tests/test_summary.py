import pytest

from r25_stats.summary import median, median_absolute_deviation, trimmed, value_range


def test_median_sorted_odd():
    assert median([1, 2, 3, 4, 5]) == 3


def test_median_unsorted_odd():
    assert median([9, 1, 5]) == 5


def test_median_unsorted_even():
    assert median([4, 1, 3, 2]) == 2.5


def test_median_single():
    assert median([7]) == 7


def test_median_empty_raises():
    with pytest.raises(ValueError):
        median([])


def test_value_range():
    assert value_range([3, -2, 8, 0]) == (-2, 8)


def test_median_absolute_deviation():
    assert median_absolute_deviation([1, 2, 3, 4, 100]) == 1


def test_trimmed():
    assert trimmed([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 0.2) == [3, 4, 5, 6, 7, 8]


def test_median_leaves_input_alone():
    data = [3, 1, 2]
    median(data)
    assert data == [3, 1, 2]
