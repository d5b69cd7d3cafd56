import pytest

from s12_smooth.smooth import exponential_smoothing, moving_average, window_maxima


def test_moving_average():
    assert moving_average([1, 2, 3, 4, 5], 2) == [1.5, 2.5, 3.5, 4.5]


def test_window_of_one_and_whole_series():
    assert moving_average([4, 8, 6], 1) == [4.0, 8.0, 6.0]
    assert moving_average([4, 8, 6], 3) == [6.0]


def test_series_shorter_than_window():
    assert moving_average([1, 2], 3) == []
    assert moving_average([], 2) == []


def test_negative_values():
    assert moving_average([-2, 2, -4, 4], 2) == [0.0, -1.0, 0.0]


def test_bad_window():
    with pytest.raises(ValueError):
        moving_average([1, 2], 0)
    with pytest.raises(ValueError):
        window_maxima([1, 2], -1)


def test_window_maxima():
    assert window_maxima([1, 3, 2, 5, 4], 2) == [3, 3, 5, 5]
    assert window_maxima([1], 2) == []


def test_exponential_smoothing():
    assert exponential_smoothing([10, 20, 20], 0.5) == [10, 15.0, 17.5]
    assert exponential_smoothing([], 0.3) == []
